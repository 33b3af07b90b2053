package indexingjobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// The errors the client's calls wrap, for errors.Is and errors.As: every
// exported one is here, and the core's own beside them.

// ErrOutcomeUnknown is wrapped by the error of a request that is not
// idempotent when the server may have acted on it: a 5xx answer, a
// connection lost after the request was written, a success answer whose
// body is unusable, or a transport that sent it more than once in one
// attempt. Such a request is never sent again; look before sending it
// again yourself. The methods that can return it:
//
//   - StartIndexingJob: list the knowledge base's jobs
//     (ListKnowledgeBaseIndexingJobs) before starting again;
//   - ScheduleIndexing: read the schedule (GetIndexingSchedule);
//   - CreateKnowledgeBase: look for a knowledge base of that name
//     (ListKnowledgeBases);
//   - AddDataSource: list the knowledge base's data sources
//     (ListKnowledgeBaseDataSources);
//   - DeleteIndexingSchedule, DeleteKnowledgeBase and DeleteDataSource,
//     whose 404 after an earlier attempt may have deleted it wraps it too:
//     what was to be deleted may be gone because of this very call.
var ErrOutcomeUnknown = errors.New("the server may have acted on the request: look before sending it again")

// errDeletedBefore is wrapped by the 404 that answers a DELETE after an
// earlier attempt, or send, may have deleted it.
var errDeletedBefore = fmt.Errorf("%w: an earlier attempt may have deleted it", ErrOutcomeUnknown)

// ErrResponseTooLarge is wrapped by the error for a body over the cap set
// by WithMaxResponseBytes, an answer whose decoding could take more than
// 16 times that cap, or a report over WithMaxDownloadBytes.
var ErrResponseTooLarge = errors.New("response body too large")

// ErrInvalidUUID is wrapped by the error for an id that is not a UUID. Such
// an id is never sent.
var ErrInvalidUUID = errors.New("not a UUID")

// ErrNoToken is wrapped by NewClient's error when neither WithToken nor
// $DIGITALOCEAN_ACCESS_TOKEN gives a token.
var ErrNoToken = errors.New("no API token")

// ErrInvalidSchedule is wrapped by the error for days or a time of day
// that make no schedule. Such a schedule is never sent.
var ErrInvalidSchedule = errors.New("not a schedule")

// The core's own errors, unexported: what ended an attempt or a call.
var (
	// errAttemptTimeout ends an attempt that outlasts WithAttemptTimeout
	// (the client's timedOut and stalled wrap it with the duration).
	errAttemptTimeout = errors.New("the attempt timed out")
	// errResent ends an attempt that a transport kept sending again.
	errResent = fmt.Errorf("the connection failed each time the request was sent (%d times in one attempt)", maxSendsPerAttempt+1)
	// errRedirect ends a call that a redirect would change or that
	// redirects without end. It is not retried.
	errRedirect = errors.New("redirect not followed")
	// errWrongAnswer is wrapped by the error for a 2xx answer that is not
	// about what was asked: no job, another job, a job of another
	// knowledge base.
	errWrongAnswer = errors.New("the answer is not about what was asked")
	// errNotComingOnline ends WaitForKnowledgeBase on a database state
	// that does not pass by itself.
	errNotComingOnline = errors.New("will not come online by itself")
)

// APIError is a response outside 2xx, whether the API sent its JSON error
// body or a proxy sent something else.
type APIError struct {
	Method     string
	URL        string // the request URL; it never holds the token
	StatusCode int
	ID         string // the API's short code, e.g. "not_found"; empty for non-JSON bodies
	Message    string // the API's message, or a short snippet of a non-JSON body
	RequestID  string // from the body, else the x-request-id header
	RateLimit  RateLimit
	RetryAfter time.Duration // what the server asked us to wait, if it did
	Attempts   int           // requests sent, retries included

	// causes: ErrResponseTooLarge when the body was not read,
	// ErrOutcomeUnknown when a request that creates something was not
	// sent again after a 5xx, errDeletedBefore (which wraps it) when a
	// retried delete found nothing.
	causes []error
}

// Unwrap gives ErrResponseTooLarge for an answer whose body was over the
// cap, so errors.Is finds it as it does for a 2xx answer, and
// ErrOutcomeUnknown when the server may have acted on the request.
func (e *APIError) Unwrap() []error { return e.causes }

// Error is one line: method, URL, status, the API's id, message and request
// id, attempts. The fields keep the server's text as it came; here every
// part the server chose is shown with its control characters escaped, so
// that printing an error cannot drive a terminal or forge a log line.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "indexingjobs: %s %s: %s", e.Method, safetext.Line(e.URL), statusLine(e.StatusCode))
	if e.ID != "" {
		fmt.Fprintf(&b, " (%s)", safetext.Line(e.ID))
	}
	if e.Message != "" {
		// The API's message is a sentence ("Unable to authenticate
		// you."): its full stop goes, so that what follows joins it.
		fmt.Fprintf(&b, ": %s", strings.TrimRight(safetext.Line(e.Message), "."))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, "; request id %s", safetext.Line(e.RequestID))
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, "; after %d attempts", e.Attempts)
	}
	if i := slices.IndexFunc(e.causes, func(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }); i >= 0 {
		b.WriteString("; ")
		b.WriteString(e.causes[i].Error())
	}
	return b.String()
}

// IsNotFound reports whether err is an API answer of 404: no such job,
// knowledge base or data source.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether err is an API answer of 401: the token is
// missing, wrong, expired or revoked.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsRateLimited reports whether err is an API answer of 429.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

func hasStatus(err error, code int) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == code
}

// snippetLen bounds how much of a non-JSON error body reaches the message.
const snippetLen = 120

// What an error keeps of the API's message and ids, in bytes: enough for
// any real one, and a broken or hostile server cannot fill a log line.
const (
	maxMessageLen = 1024
	maxIDLen      = 128
)

// clean makes s valid UTF-8 of at most max bytes (and a "…").
func clean(s string, max int) string { return strings.ToValidUTF8(truncate(s, max), "\uFFFD") }

// newAPIError classifies an error response; body is already bounded. The
// server's text (message, ids, snippet) has secrets taken out before it
// is cut: a cut first could leave part of an echo too short to be found.
func newAPIError(method, url string, resp *http.Response, body []byte, attempts int, secrets *secrets) *APIError {
	e := &APIError{
		Method:     method,
		URL:        url,
		StatusCode: resp.StatusCode,
		RequestID:  secrets.cut(resp.Header.Get("X-Request-Id"), maxIDLen),
		Attempts:   attempts,
	}
	e.RateLimit, _ = rateLimitFrom(resp.Header)
	e.RetryAfter, _ = retryAfter(resp.Header, time.Now())
	var apiBody errorBody
	if json.Unmarshal(body, &apiBody) == nil && (apiBody.ID != "" || apiBody.Message != "") {
		e.ID, e.Message = secrets.cut(apiBody.ID, maxIDLen), secrets.cut(apiBody.Message, maxMessageLen)
		if apiBody.RequestID != "" {
			e.RequestID = secrets.cut(apiBody.RequestID, maxIDLen)
		}
		return e
	}
	e.Message = snippet(body, secrets)
	return e
}

// snippet makes a short, single-line excerpt of a body, e.g. the title of a
// proxy's HTML page, without secrets. Error() escapes what control
// characters it keeps.
func snippet(body []byte, secrets *secrets) string {
	s := string(body)
	if i := indexASCIIFold(s, "<title>"); i >= 0 {
		rest := s[i+len("<title>"):]
		if j := indexASCIIFold(rest, "</title>"); j >= 0 {
			s = rest[:j]
		}
	}
	s = secrets.clean(strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " "))
	if utf8.RuneCountInString(s) > snippetLen {
		s = string([]rune(s)[:snippetLen]) + "…"
	}
	return s
}

// indexASCIIFold is strings.Index for an ASCII substr, ignoring ASCII case.
// Unlike searching strings.ToLower(s), its index is one into s itself:
// lowering can change the length of invalid or non-ASCII text (found by
// FuzzResponse: "\xf4" lowers to the three bytes of U+FFFD).
func indexASCIIFold(s, substr string) int {
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
outer:
	for i := 0; i+len(substr) <= len(s); i++ {
		for j := 0; j < len(substr); j++ {
			if lower(s[i+j]) != lower(substr[j]) {
				continue outer
			}
		}
		return i
	}
	return -1
}
