package folder

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The environment variables SpacesConfig reads what it is not given from,
// as DigitalOcean's own tools name them.
const (
	SpacesEndpointEnv        = "SPACES_ENDPOINT"
	SpacesAccessKeyIDEnv     = "SPACES_ACCESS_KEY_ID"
	SpacesSecretAccessKeyEnv = "SPACES_SECRET_ACCESS_KEY"
)

// MaxObjectSize is the largest file Sync uploads: the most one S3 PUT may
// carry. Every object is sent in one PUT, so that its ETag is the MD5 of
// its content, which is what Sync compares.
const MaxObjectSize = 5 << 30

// SpacesConfig is where Sync puts the folder: a prefix of a Spaces bucket,
// reached through the S3 API (github.com/minio/minio-go) with an access
// key. Its String and GoString never show the secret key.
type SpacesConfig struct {
	Bucket string
	// Prefix is the folder in the bucket the files go under ("docs" puts
	// guides/install.md at docs/guides/install.md); "" for the whole
	// bucket.
	Prefix string
	// Region is the bucket's, such as nyc3 or tor1.
	Region string
	// Endpoint is the S3 API's URL: https, or http to a loopback address
	// (a fake). Default $SPACES_ENDPOINT, else
	// https://REGION.digitaloceanspaces.com.
	Endpoint string
	// The access key; default $SPACES_ACCESS_KEY_ID and
	// $SPACES_SECRET_ACCESS_KEY.
	AccessKeyID, SecretAccessKey string
	// Transport sends the S3 requests; nil for a copy of
	// http.DefaultTransport.
	Transport http.RoundTripper
}

func (c SpacesConfig) String() string {
	return fmt.Sprintf("Spaces bucket %s, prefix %q, region %s, at %s, key %s", c.Bucket, c.Prefix, c.Region, c.Endpoint, c.AccessKeyID)
}

func (c SpacesConfig) GoString() string { return "folder.SpacesConfig{" + c.String() + "}" }

// ParseSpacesLocation splits BUCKET[/PREFIX] ("docs-bucket/manuals/v2")
// into the bucket and the prefix, without slashes at its ends.
func ParseSpacesLocation(s string) (bucket, prefix string, err error) {
	bucket, prefix, _ = strings.Cut(s, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q: want BUCKET or BUCKET/PREFIX", s)
	}
	return bucket, strings.Trim(prefix, "/"), nil
}

// Check reports what is missing or wrong in c, once the environment has
// filled in what c leaves empty, before anything is sent. Its error never
// holds the secret key.
func (c SpacesConfig) Check() error {
	_, _, err := c.resolve()
	return err
}

// resolve fills in what the environment gives, and checks the rest.
func (c SpacesConfig) resolve() (SpacesConfig, *url.URL, error) {
	c.Prefix = strings.Trim(c.Prefix, "/")
	c.Endpoint = cmp.Or(c.Endpoint, os.Getenv(SpacesEndpointEnv))
	if c.Endpoint == "" && c.Region != "" {
		c.Endpoint = "https://" + c.Region + ".digitaloceanspaces.com"
	}
	c.AccessKeyID = cmp.Or(c.AccessKeyID, os.Getenv(SpacesAccessKeyIDEnv))
	c.SecretAccessKey = cmp.Or(c.SecretAccessKey, os.Getenv(SpacesSecretAccessKeyEnv))
	switch {
	case c.Bucket == "":
		return c, nil, errors.New("Spaces: no bucket")
	case c.Region == "":
		return c, nil, errors.New("Spaces: no region")
	case c.AccessKeyID == "" || c.SecretAccessKey == "":
		return c, nil, fmt.Errorf("Spaces: no access key: set $%s and $%s", SpacesAccessKeyIDEnv, SpacesSecretAccessKeyEnv)
	}
	if strings.Contains(c.Endpoint, "@") { // a password, maybe: not quoted
		return c, nil, errors.New("Spaces endpoint: want a URL without a user or password, such as https://nyc3.digitaloceanspaces.com")
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return c, nil, fmt.Errorf("Spaces endpoint %q: want a URL such as https://nyc3.digitaloceanspaces.com", c.Endpoint)
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !loopback(u.Hostname())) {
		return c, nil, fmt.Errorf("Spaces endpoint %q: want https (or http to a loopback address, a fake)", c.Endpoint)
	}
	return c, u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// spaces is a bucket prefix reached through minio-go.
type spaces struct {
	cfg  SpacesConfig
	core minio.Core
}

func newSpaces(cfg SpacesConfig) (*spaces, error) {
	cfg, u, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		Secure:    u.Scheme == "https",
		Region:    cfg.Region, // known: no request to look it up
		Transport: transport,
	})
	if err != nil {
		return nil, fmt.Errorf("Spaces: %w", err)
	}
	return &spaces{cfg: cfg, core: minio.Core{Client: c}}, nil
}

// key is the object key of the file name.
func (s *spaces) key(name string) string {
	if s.cfg.Prefix == "" {
		return name
	}
	return s.cfg.Prefix + "/" + name
}

// listPrefix is what the keys of the folder's objects begin with.
func (s *spaces) listPrefix() string {
	if s.cfg.Prefix == "" {
		return ""
	}
	return s.cfg.Prefix + "/"
}

// object is what the listing says of an object.
type object struct {
	etag     string // as listed, without quotes
	size     int64
	modified time.Time
}

// list returns the objects under the prefix, by file name (the key less
// the prefix), a page of up to 1,000 a request.
func (s *spaces) list(ctx context.Context) (map[string]object, error) {
	ctx, cancel := context.WithCancel(ctx) // ends the lister when we stop early
	defer cancel()
	prefix := s.listPrefix()
	out := map[string]object{}
	for o := range s.core.Client.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("listing Spaces bucket %s under %q: %w", s.cfg.Bucket, prefix, o.Err)
		}
		out[strings.TrimPrefix(o.Key, prefix)] = object{etag: strings.Trim(o.ETag, `"`), size: o.Size, modified: o.LastModified}
	}
	return out, nil
}

// put uploads size bytes of r as the file name, in one PUT whose body is
// sent as it is (no aws-chunked encoding, no trailing checksum: the same
// bytes reach Spaces and a fake), with its Content-MD5 when md5 is given,
// which the store checks: a file that changed since it was hashed is
// refused, and the object keeps its old content. A PUT cut short stores
// nothing.
func (s *spaces) put(ctx context.Context, name string, r io.Reader, size int64, md5 []byte) error {
	contentType := mime.TypeByExtension(path.Ext(name))
	var contentMD5 string
	if md5 != nil {
		contentMD5 = base64.StdEncoding.EncodeToString(md5)
	}
	_, err := s.core.PutObject(ctx, s.cfg.Bucket, s.key(name), r, size, contentMD5, "",
		minio.PutObjectOptions{DisableContentSha256: true, ContentType: cmp.Or(contentType, "application/octet-stream")})
	return err
}

// remove deletes the objects of the file names, up to 1,000 a request.
func (s *spaces) remove(ctx context.Context, names []string, deleted func(name string)) error {
	ch := make(chan minio.ObjectInfo)
	go func() {
		defer close(ch)
		for _, n := range names {
			select {
			case ch <- minio.ObjectInfo{Key: s.key(n)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var errs []error
	failed := map[string]bool{}
	for e := range s.core.Client.RemoveObjects(ctx, s.cfg.Bucket, ch, minio.RemoveObjectsOptions{}) {
		name := strings.TrimPrefix(e.ObjectName, s.listPrefix())
		failed[name] = true
		errs = append(errs, &FileError{Op: "delete", Name: name, Err: e.Err})
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	for _, n := range names {
		if !failed[n] {
			deleted(n)
		}
	}
	return errors.Join(errs...)
}

// sameContent reports whether an object listed holds the content whose MD5
// is sum: its ETag is the MD5 of the content when it was stored in one PUT
// without SSE-C, as Sync stores every object. Another ETag (a multipart
// upload's "…-3") tells nothing, and the file is sent again.
func sameContent(o object, size int64, sum []byte) bool {
	return o.size == size && isMD5(o.etag) && strings.EqualFold(o.etag, hex.EncodeToString(sum))
}

// isMD5 reports whether an ETag can be an MD5: 32 hex digits.
func isMD5(etag string) bool {
	_, err := hex.DecodeString(etag)
	return len(etag) == 32 && err == nil
}
