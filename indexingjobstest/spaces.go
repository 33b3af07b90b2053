package indexingjobstest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The fake's Spaces is an S3-compatible object store in memory, the
// storage a knowledge base's Spaces data source reads: gofakes3 with its
// in-memory backend, a maintained S3 implementation (listing with pages,
// single and multipart PUT, aws-chunked bodies, Content-MD5 checks, batch
// deletes), not a subset written here. It runs on a third loopback
// listener, started when SpacesURL is first called, with one bucket,
// SpacesBucket, ready; any other bucket is made when first used, so that
// the folder a knowledge base's data source shows (a folder of a bucket
// named after it) can be written to.
//
// A request must be signed with SpacesAccessKeyID (its Authorization
// header, or the X-Amz-Credential of a presigned URL, names the key);
// others get 403 InvalidAccessKeyId. The signature itself is not checked:
// gofakes3 does not verify signatures, and the fake does not sign.
//
// None of them shares 16 bytes with DefaultToken: the tool hides any run
// of 16 bytes of the token it holds, and would hide a bucket named like
// it.
const (
	SpacesAccessKeyID     = "fake-spaces-key"
	SpacesSecretAccessKey = "fake-spaces-secret"
	SpacesBucket          = "fake-spaces-bucket"
	// SpacesRegion is the region the fake's Spaces says it is in, as a
	// knowledge base's Spaces data source names it.
	SpacesRegion = "tor1"
)

// spaces is the fake's Spaces: started once, on first use.
type spaces struct {
	mu       sync.Mutex
	srv      *httptest.Server
	backend  *s3mem.Backend
	url      string
	requests int
}

// SpacesURL returns the base URL of the fake's Spaces,
// http://127.0.0.1:port, starting it on first call (a server whose tests
// never use Spaces runs no third listener). Objects are addressed by path
// (URL/bucket/key). After Close it returns "".
func (s *Server) SpacesURL() string {
	sp := &s.spaces
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.srv != nil {
		return sp.url
	}
	select {
	case <-s.closing:
		return ""
	default:
	}
	clock := serverClock{s.now}
	sp.backend = s3mem.New(s3mem.WithTimeSource(clock))
	if err := sp.backend.CreateBucket(SpacesBucket); err != nil {
		panic("indexingjobstest: " + err.Error()) // a new backend has no buckets
	}
	// The clock may stand still (WithClock): requests are not refused for
	// the skew between it and their signing time.
	faker := gofakes3.New(sp.backend, gofakes3.WithTimeSource(clock), gofakes3.WithTimeSkewLimit(0), gofakes3.WithAutoBucket(true))
	sp.srv = unstarted(s.spacesHandler(faker.Server()), nil)
	sp.url = "http://" + sp.srv.Listener.Addr().String()
	sp.srv.Start()
	return sp.url
}

// SpacesRequests returns how many requests the fake's Spaces has
// answered, refusals included.
func (s *Server) SpacesRequests() int {
	s.spaces.mu.Lock()
	defer s.spaces.mu.Unlock()
	return s.spaces.requests
}

// spacesHandler counts requests and refuses those not signed with the
// fake's key, before gofakes3 sees them.
func (s *Server) spacesHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.spaces.mu.Lock()
		s.spaces.requests++
		s.spaces.mu.Unlock()
		if !signedWithKey(r, SpacesAccessKeyID) {
			storageError(w, http.StatusForbidden, "InvalidAccessKeyId", "The access key ID you provided does not exist in our records.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// signedWithKey reports whether a Signature V4 request, signed in its
// header or presigned in its query, names the access key id.
func signedWithKey(r *http.Request, id string) bool {
	credential := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, credential, _ = strings.Cut(auth, "Credential=")
	}
	return strings.HasPrefix(credential, id+"/")
}

// SpacesObject is an object of the fake's Spaces.
type SpacesObject struct {
	Key          string
	Size         int64
	ETag         string // the hex MD5 of its content, without quotes
	LastModified time.Time
}

// SpacesObjects returns the objects of bucket whose keys begin with prefix
// (all of them for ""), by key, as they are now: what an indexing job of
// a Spaces data source on that bucket and prefix would read. It returns
// nil for a bucket the fake does not have, and before SpacesURL is first
// called.
func (s *Server) SpacesObjects(bucket, prefix string) []SpacesObject {
	s.spaces.mu.Lock()
	backend := s.spaces.backend
	s.spaces.mu.Unlock()
	if backend == nil {
		return nil
	}
	list, err := backend.ListBucket(bucket, &gofakes3.Prefix{HasPrefix: prefix != "", Prefix: prefix}, gofakes3.ListBucketPage{})
	if err != nil {
		return nil
	}
	out := make([]SpacesObject, 0, len(list.Contents))
	for _, c := range list.Contents {
		out = append(out, SpacesObject{Key: c.Key, Size: c.Size, ETag: strings.Trim(c.ETag, `"`), LastModified: c.LastModified.Time})
	}
	slices.SortFunc(out, func(a, b SpacesObject) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// spacesIndexed is what an indexing job of a Spaces data source on bucket
// and prefix finds: total, the objects under the prefix now, and changed,
// those new or changed (by ETag) since seen, what the data source's last
// job found (nil before its first job: then every object counts), and
// bytes, the size of all. now is what this job found, to keep for the next
// one; changedBytes, the size of those changed, what the job indexes. A
// job calls it (found, store.go) when it starts on a Spaces data source.
func (s *Server) spacesIndexed(bucket, prefix string, seen map[string]string) (total, changed, bytes, changedBytes uint64, now map[string]string) {
	objects := s.SpacesObjects(bucket, strings.TrimPrefix(prefix, "/"))
	now = make(map[string]string, len(objects))
	for _, o := range objects {
		now[o.Key] = o.ETag
		size := uint64(max(o.Size, 0))
		bytes += size
		if etag, ok := seen[o.Key]; !ok || etag != o.ETag {
			changed++
			changedBytes += size
		}
	}
	return uint64(len(objects)), changed, bytes, changedBytes, now
}

// closeSpaces shuts the fake's Spaces down as Close does the others:
// requests in flight get closeGrace, then their connections are closed.
func (s *Server) closeSpaces() {
	s.spaces.mu.Lock()
	srv := s.spaces.srv
	s.spaces.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	if err := srv.Config.Shutdown(ctx); err != nil {
		srv.Config.Close()
	}
	srv.Close()
}

// serverClock is the server's clock as gofakes3 reads time.
type serverClock struct{ now func() time.Time }

func (c serverClock) Now() time.Time                  { return c.now() }
func (c serverClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
