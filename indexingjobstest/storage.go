package indexingjobstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs"
)

// The storage listener stands for the object store the API's signed URLs
// point at: another origin, no token, the signature in the query. It
// serves the jobs' reports (GET) and takes the files uploaded to knowledge
// bases (PUT, uploads.go).

// reportURLLifetime is how long a signed report URL stays valid, as the
// API's (X-Amz-Expires=900).
const reportURLLifetime = 15 * time.Minute

const reportPrefix, reportSuffix = "/reports/", ".json"

// report is what the storage listener serves for a job: the fake's stand-in
// for the API's detailed report, whose format DigitalOcean does not
// document. It is the job as it is when fetched.
type report struct {
	UUID              string                           `json:"uuid"`
	KnowledgeBaseUUID string                           `json:"knowledge_base_uuid,omitempty"`
	Phase             indexingjobs.Phase               `json:"phase"`
	Status            indexingjobs.Status              `json:"status"`
	DataSources       []indexingjobs.IndexedDataSource `json:"data_sources"`
}

// signedReportURL is the URL of the job's report on the storage listener:
// StorageURL()/reports/{uuid}.json?expires={unix}&signature={hex}, signed
// for reportURLLifetime.
func (s *Server) signedReportURL(job string) string {
	path := reportPrefix + url.PathEscape(job) + reportSuffix
	expires := strconv.FormatInt(s.now().Add(reportURLLifetime).Unix(), 10)
	return s.storageURL + path + "?" + url.Values{"expires": {expires}, "signature": {s.sign(http.MethodGet, path, expires)}}.Encode()
}

// sign is the HMAC-SHA256, with the server's secret, of the method the URL
// is for, the escaped path and the expiry, in hex.
func (s *Server) sign(method, path, expires string) string {
	mac := hmac.New(sha256.New, s.secret[:])
	_, _ = fmt.Fprintf(mac, "%s\n%s\n%s", method, path, expires)
	return hex.EncodeToString(mac.Sum(nil))
}

// storageHandler serves the reports and takes the uploads. It answers 403
// to a request that carries an Authorization header, whatever its value (a
// client that sends its API token to the storage host is at fault), and to
// a signature that is missing, wrong or expired; 404 for a job the server
// does not know.
func (s *Server) storageHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.storageRequests++
		s.mu.Unlock()
		if _, ok := r.Header["Authorization"]; ok {
			storageError(w, http.StatusForbidden, "AccessDenied", "Requests to a signed URL must not carry an Authorization header.")
			return
		}
		if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, uploadPrefix) {
			s.receive(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			storageError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The method is not allowed against this resource.")
			return
		}
		if !s.signed(r) {
			storageError(w, http.StatusForbidden, "AccessDenied", "The signature is missing, does not match or has expired.")
			return
		}
		id, isReport := strings.CutPrefix(r.URL.Path, reportPrefix)
		id, hasSuffix := strings.CutSuffix(id, reportSuffix)
		job, ok := s.Job(id)
		if !isReport || !hasSuffix || !ok {
			storageError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(report{UUID: job.UUID, KnowledgeBaseUUID: job.KnowledgeBaseUUID,
			Phase: job.Phase, Status: job.Status, DataSources: job.DataSourceJobs})
	})
}

// signed reports whether r's query signs its path and has not expired.
func (s *Server) signed(r *http.Request) bool {
	q := r.URL.Query()
	expires, sig := q.Get("expires"), q.Get("signature")
	unix, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !s.now().Before(time.Unix(unix, 0)) {
		return false
	}
	want := s.sign(http.MethodGet, r.URL.EscapedPath(), expires)
	return hmac.Equal([]byte(sig), []byte(want))
}

// storageError answers as an S3-compatible store such as Spaces does.
func storageError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n", code, message)
}
