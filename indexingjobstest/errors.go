package indexingjobstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gradient-go/indexingjobs/internal/gen"
)

// apiError is an answer other than 200: its status and the API's error
// body. The operations and the middleware return one; writeError sends it.
type apiError struct {
	status      int
	id, message string
	retryAfter  time.Duration // 429: sent as retry-after, in whole seconds
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.id, e.message) }

// maxBody caps request bodies. Most of the API's are a few hundred bytes;
// the create of a knowledge base with a file data source for each file of
// a folder takes about 150 bytes a file, so 4 MiB holds some 25,000.
const maxBody = 4 << 20

// The errors the fake answers with, in the API's words.
var (
	errUnauthorized = &apiError{status: http.StatusUnauthorized, id: "unauthorized", message: "Unable to authenticate you."}
	errNotFound     = &apiError{status: http.StatusNotFound, id: "not_found", message: "The resource you requested could not be found."}
	errConflict     = &apiError{status: http.StatusConflict, id: "conflict", message: "The knowledge base already has an indexing schedule."}
	errTooLarge     = &apiError{status: http.StatusRequestEntityTooLarge, id: "request_entity_too_large",
		message: fmt.Sprintf("The request body is larger than %d bytes.", maxBody)}
	errServer     = &apiError{status: http.StatusInternalServerError, id: "server_error", message: "Unexpected server-side error"}
	errBadGateway = &apiError{status: http.StatusBadGateway} // a proxy's page, not the API's JSON
)

func errRateLimited(wait time.Duration) *apiError {
	return &apiError{status: http.StatusTooManyRequests, id: "too_many_requests", message: "API rate limit exceeded.", retryAfter: wait}
}

func errBadRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, id: "bad_request", message: fmt.Sprintf(format, args...)}
}

const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"

// writeError writes every error answer of the API: err's status and the
// shared error body naming the request's x-request-id; a proxy's HTML page
// for a 502. An error that is not an *apiError is a 500.
func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errServer
	}
	h := w.Header()
	if e.status == http.StatusBadGateway {
		h.Set("Content-Type", "text/html")
		h.Set("Content-Length", strconv.Itoa(len(badGatewayPage)))
		w.WriteHeader(e.status)
		_, _ = w.Write([]byte(badGatewayPage))
		return
	}
	if e.status == http.StatusTooManyRequests {
		secs := max(0, (e.retryAfter+time.Second-1)/time.Second)
		h.Set("retry-after", strconv.FormatInt(int64(secs), 10))
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(gen.ErrorBody{ID: e.id, Message: e.message, RequestID: h.Get("x-request-id")})
}

// requestError is what the generated layer's failure to read a request
// answers: 413 for a body over the cap, else 400 saying what did not parse.
func requestError(err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return errTooLarge
	}
	return errBadRequest("%s", err)
}
