package indexingjobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gradient-go/indexingjobs/internal/safetext"
	"github.com/gradient-go/indexingjobs/wire"
)

// FileToUpload names a file to upload (FileUploadURLs): its name, as the
// knowledge base will show it, and its size in bytes, at least 1.
type FileToUpload struct {
	Name string
	Size int64
}

// FileUploadURLs asks the API where to upload each file, and returns one
// FileUploadURL for each, in the order of files. Upload each with
// UploadFile before its ExpiresAt, then attach the UploadedFile it
// returns when creating a knowledge base (DataSourceSpec.File in
// KnowledgeBaseSpec.DataSources). Asking only signs URLs, and is retried
// like a read.
//
// Anyone who holds a URL may upload to it until it expires: keep
// PresignedURL out of logs. No error of this package shows its query,
// which holds the signature.
func (c *Client) FileUploadURLs(ctx context.Context, files []FileToUpload) ([]FileUploadURL, error) {
	if len(files) == 0 {
		return nil, errors.New("indexingjobs: FileUploadURLs: no file to upload")
	}
	in := &genaiCreateDataSourceFileUploadPresignedUrlsJSONRequestBody{}
	for i, f := range files {
		switch {
		case f.Name == "" || !utf8.ValidString(f.Name) || safetext.Line(f.Name) != f.Name:
			return nil, fmt.Errorf("indexingjobs: FileUploadURLs: file %d: the name %q is empty, or not text on one line", i+1, clean(f.Name, 256))
		case f.Size < 1:
			return nil, fmt.Errorf("indexingjobs: FileUploadURLs: file %q: its size is %d bytes; want 1 or more", f.Name, f.Size)
		}
		in.Files = append(in.Files, fileToUploadInput{FileName: f.Name, FileSize: wire.Uint64(f.Size)})
	}
	out, err := call(ctx, c, opGenaiCreateDataSourceFileUploadPresignedUrls, nil, nil, in, func(out *fileUploadUrlsAnswer) error {
		if len(out.Uploads) != len(files) {
			return fmt.Errorf("%w: asked for %d upload URLs, got %d", errWrongAnswer, len(files), len(out.Uploads))
		}
		for i := range out.Uploads {
			up := &out.Uploads[i]
			if up.OriginalFileName != "" && up.OriginalFileName != files[i].Name {
				return fmt.Errorf("%w: upload %d is of %q, not of %q", errWrongAnswer, i+1, clean(up.OriginalFileName, 256), files[i].Name)
			}
			if up.ObjectKey == "" {
				return fmt.Errorf("%w: upload %d (%q) has no object key", errWrongAnswer, i+1, files[i].Name)
			}
			if _, err := c.signedURL(up.PresignedURL); err != nil {
				return err
			}
			up.OriginalFileName = files[i].Name
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out.Uploads, nil
}

// UploadFile uploads exactly size bytes of r, from its first, to the
// signed URL of to (one of FileUploadURLs), and returns the file to attach
// when creating a knowledge base.
//
// It is a PUT through the same core as every call, with a download's
// differences: no Authorization header (the URL is signed; the token
// never reaches the storage host), no Referer, an https URL only (or plain
// http to a loopback address when the client's base URL is one), and no
// error that shows the URL's query, the signature. The body streams from
// r, so memory does not grow with size; a PUT of the same object is
// idempotent, so it is sent again from the first byte after a 5xx or a
// lost connection, as WithMaxRetries allows. The attempt timeout bounds
// each wait while the body is taken, then the wait for the answer, not the
// whole upload.
//
// A URL whose ExpiresAt has passed is refused unsent; a storage host that
// answers that the URL has expired gets an error that says so. Ask for
// another URL (FileUploadURLs) then. r must hold at least size bytes
// (checked before anything is sent); what follows them is not sent.
func (c *Client) UploadFile(ctx context.Context, to FileUploadURL, r io.ReaderAt, size int64) (*UploadedFile, error) {
	name := safetext.Line(clean(to.OriginalFileName, 256))
	fail := func(format string, args ...any) (*UploadedFile, error) {
		return nil, fmt.Errorf("indexingjobs: uploading %q: %s", name, fmt.Sprintf(format, args...))
	}
	switch {
	case r == nil:
		return fail("no reader to read the file from")
	case size < 1:
		return fail("its size is %d bytes; want 1 or more", size)
	case to.ObjectKey == "":
		return fail("the upload URL has no object key (FileUploadURLs gives one)")
	case !to.ExpiresAt.IsZero() && !time.Now().Before(to.ExpiresAt):
		return fail("the upload URL expired at %s: ask for another (FileUploadURLs)", to.ExpiresAt.UTC().Format(time.RFC3339))
	}
	u, err := c.signedURL(to.PresignedURL)
	if err != nil {
		return fail("%s", strings.TrimPrefix(err.Error(), errWrongAnswer.Error()+": "))
	}
	if n, err := r.ReadAt(make([]byte, 1), size-1); n != 1 {
		return fail("the reader holds fewer than %d bytes (%v)", size, err)
	}
	x := &outgoing{
		idempotent: true, maxRetries: c.maxRetries, download: true, sink: io.Discard, max: maxShownBody,
		secrets: c.secrets.with(queryValues(u)...),
		req:     newRequest(http.MethodPut, u, http.Header{"User-Agent": c.uaHeader}),
		upload:  func() io.Reader { return io.NewSectionReader(r, 0, size) }, size: size,
	}
	if _, err := c.do(ctx, x); err != nil {
		if expired(err) {
			return nil, fmt.Errorf("indexingjobs: uploading %q: the upload URL has expired (it was valid until %s): ask for another (FileUploadURLs): %w",
				name, to.ExpiresAt.UTC().Format(time.RFC3339), err)
		}
		return nil, fmt.Errorf("indexingjobs: uploading %q: %w", name, err)
	}
	return &UploadedFile{OriginalFileName: to.OriginalFileName, StoredObjectKey: to.ObjectKey, SizeInBytes: wire.Uint64(size)}, nil
}

// expired reports whether err is a storage host's 403 saying the signed
// URL has expired, as S3-compatible stores say it ("Request has expired").
func expired(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden && strings.Contains(strings.ToLower(apiErr.Message), "expired")
}
