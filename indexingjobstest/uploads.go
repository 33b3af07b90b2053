package indexingjobstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
)

// uploadURLLifetime is how long a presigned upload URL stays valid, as the
// spec's example (X-Amz-Expires=3600).
const uploadURLLifetime = time.Hour

const uploadPrefix = "/uploads/"

// upload is an object the fake signed an upload URL for: the file's name
// and announced size, until when the URL is valid, and, once a PUT of
// that size came, its bytes' SHA-256.
type upload struct {
	name     string
	size     int64
	expires  time.Time
	received bool
	sum      [sha256.Size]byte
}

// UploadedObject is what the storage listener holds of an object uploaded
// to one of its presigned URLs: the file's name, its size and the SHA-256
// of the bytes that came.
type UploadedObject struct {
	Name   string
	Size   int64
	SHA256 [sha256.Size]byte
}

// Uploaded returns the object uploaded under objectKey (a FileUploadURL's
// ObjectKey), if a PUT of it has come whole.
func (s *Server) Uploaded(objectKey string) (UploadedObject, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	up, ok := s.uploads[objectKey]
	if !ok || !up.received {
		return UploadedObject{}, false
	}
	return UploadedObject{Name: up.name, Size: up.size, SHA256: up.sum}, true
}

// fileUploadURLs is the operation that signs upload URLs: for each file, a
// new object key, uploads/{uuid}/{name}, and a URL on the storage listener
// to PUT it to, valid for uploadURLLifetime.
func (s *Server) fileUploadURLs(in gen.FileUploadURLsInput) (gen.FileUploadURLsOutput, error) {
	if len(in.Files) == 0 {
		return gen.FileUploadURLsOutput{}, errBadRequest("files is required: name at least one file")
	}
	for i, f := range in.Files {
		if f.FileName == "" || f.FileSize == 0 || f.FileSize > 1<<62 {
			return gen.FileUploadURLsOutput{}, errBadRequest("files[%d]: file_name and a file_size of 1 or more bytes are required", i)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	expires := s.now().Add(uploadURLLifetime).UTC().Truncate(time.Second)
	out := gen.FileUploadURLsOutput{RequestID: newUUID()}
	for _, f := range in.Files {
		key := "uploads/" + newUUID() + "/" + f.FileName
		s.uploads[key] = &upload{name: f.FileName, size: int64(f.FileSize), expires: expires}
		path := "/" + objectPath(key)
		exp := strconv.FormatInt(expires.Unix(), 10)
		signed := s.storageURL + path + "?" + url.Values{"expires": {exp}, "signature": {s.sign(http.MethodPut, path, exp)}}.Encode()
		out.Uploads = append(out.Uploads, indexingjobs.FileUploadURL{
			OriginalFileName: f.FileName, ObjectKey: key, PresignedURL: signed, ExpiresAt: expires,
		})
	}
	return out, nil
}

// objectPath is an object key as a URL path, each of its segments escaped.
func objectPath(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// receive takes the PUT of an upload: the URL signed for it and not
// expired (else 403, saying which, as S3 does), a length announced (411),
// and exactly the size announced when the URL was asked for (400); then
// it keeps the bytes' SHA-256 and answers 200 with an ETag. A second PUT
// of the same object replaces the first, as in S3, so that a client may
// send it again after a lost answer.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	unix, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("signature")), []byte(s.sign(http.MethodPut, r.URL.EscapedPath(), q.Get("expires")))) {
		storageError(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	if !s.now().Before(time.Unix(unix, 0)) {
		storageError(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	key, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/"))
	s.mu.Lock()
	up, ok := s.uploads[key]
	s.mu.Unlock()
	switch {
	case !ok:
		storageError(w, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist.")
		return
	case r.ContentLength < 0:
		storageError(w, http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
		return
	case r.ContentLength != up.size:
		storageError(w, http.StatusBadRequest, "InvalidArgument", "The body is "+strconv.FormatInt(r.ContentLength, 10)+
			" bytes; this URL takes the "+strconv.FormatInt(up.size, 10)+" announced.")
		return
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r.Body, up.size))
	if err != nil || n != up.size {
		storageError(w, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
		return
	}
	s.mu.Lock()
	up.received = true
	h.Sum(up.sum[:0])
	s.mu.Unlock()
	w.Header().Set("ETag", `"`+hex.EncodeToString(up.sum[:16])+`"`)
	w.WriteHeader(http.StatusOK)
}
