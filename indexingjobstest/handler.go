package indexingjobstest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gradient-go/indexingjobs/gen"
)

// Handler returns the fake API as an http.Handler, to mount in a server of
// your own. NewServer serves it on loopback.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	strict := gen.NewStrictHandlerWithOptions(api{s}, []gen.StrictMiddlewareFunc{s.authorize, s.injectFault},
		gen.StrictHTTPServerOptions{
			RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
				writeError(w, http.StatusBadRequest, "bad_request", err.Error())
			},
			ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
				writeError(w, http.StatusInternalServerError, "server_error", err.Error())
			},
		})
	gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{
		BaseRouter: mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		},
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", notFoundMessage)
	})
	return s.meter(mux)
}

const (
	notFoundMessage     = "The resource you requested could not be found."
	unauthorizedMessage = "Unable to authenticate you."
	rateLimitMessage    = "API rate limit exceeded."
	serverErrorMessage  = "Unexpected server-side error"
	badGatewayPage      = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	overBudgetKey
)

// meter counts every request against the hourly budget and sets the
// headers every response carries: ratelimit-* and x-request-id.
func (s *Server) meter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		now := s.now()
		if !now.Before(s.reset) {
			s.remaining, s.reset = RateLimitPerHour, now.Add(time.Hour).Truncate(time.Second)
		}
		over := s.remaining == 0
		if !over {
			s.remaining--
		}
		remaining, reset := s.remaining, s.reset
		s.mu.Unlock()

		id := newUUID()
		h := w.Header()
		h.Set("ratelimit-limit", strconv.Itoa(RateLimitPerHour))
		h.Set("ratelimit-remaining", strconv.Itoa(remaining))
		h.Set("ratelimit-reset", strconv.FormatInt(reset.Unix(), 10))
		h.Set("x-request-id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, overBudgetKey, over)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeError answers outside the generated layer (unknown routes, bodies
// that do not parse) with the API's error body.
func writeError(w http.ResponseWriter, status int, id, message string) {
	reqID := w.Header().Get("x-request-id")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(gen.Error{ID: id, Message: message, RequestID: reqID})
}

// authorize answers 401 without a valid bearer token, and 429 once the
// hour's budget is spent.
func (s *Server) authorize(next gen.StrictHandlerFunc, op string) gen.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token != s.token {
			return answer(ctx, op, Fault{status: http.StatusUnauthorized}), nil
		}
		if over, _ := ctx.Value(overBudgetKey).(bool); over {
			s.mu.Lock()
			wait := s.reset.Sub(s.now())
			s.mu.Unlock()
			return answer(ctx, op, RateLimited(wait)), nil
		}
		return next(ctx, w, r, req)
	}
}

// injectFault answers with the next queued fault, if any, before anything
// else: a proxy in front of the API fails before the API checks tokens.
func (s *Server) injectFault(next gen.StrictHandlerFunc, op string) gen.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		f, ok := s.nextFault()
		if !ok {
			return next(ctx, w, r, req)
		}
		if f.delay > 0 {
			sleepCtx(ctx, f.delay)
			if ctx.Err() != nil {
				return nil, ctx.Err() // the client has gone
			}
		}
		if f.status == 0 {
			return next(ctx, w, r, req)
		}
		return answer(ctx, op, f), nil
	}
}

// answer turns a fault into the typed response the generated layer writes
// for the operation op: one switch on the status, each case naming the
// response type of either operation.
func answer(ctx context.Context, op string, f Fault) any {
	reqID, _ := ctx.Value(requestIDKey).(string)
	get := op == "GenaiGetIndexingJob"
	body := func(id, message string) gen.Error { return gen.Error{ID: id, Message: message, RequestID: reqID} }
	switch f.status {
	case http.StatusUnauthorized:
		r := gen.UnauthorizedJSONResponse{Body: body("unauthorized", unauthorizedMessage)}
		if get {
			return gen.GenaiGetIndexingJob401JSONResponse{UnauthorizedJSONResponse: r}
		}
		return gen.GenaiCancelIndexingJob401JSONResponse{UnauthorizedJSONResponse: r}
	case http.StatusNotFound:
		r := gen.NotFoundJSONResponse{Body: body("not_found", notFoundMessage)}
		if get {
			return gen.GenaiGetIndexingJob404JSONResponse{NotFoundJSONResponse: r}
		}
		return gen.GenaiCancelIndexingJob404JSONResponse{NotFoundJSONResponse: r}
	case http.StatusTooManyRequests:
		secs := int((f.retryAfter + time.Second - 1) / time.Second)
		r := gen.TooManyRequestsJSONResponse{Body: body("too_many_requests", rateLimitMessage),
			Headers: gen.TooManyRequestsResponseHeaders{RetryAfter: &secs}}
		if get {
			return gen.GenaiGetIndexingJob429JSONResponse{TooManyRequestsJSONResponse: r}
		}
		return gen.GenaiCancelIndexingJob429JSONResponse{TooManyRequestsJSONResponse: r}
	case http.StatusInternalServerError:
		r := gen.ServerErrorJSONResponse{Body: body("server_error", serverErrorMessage)}
		if get {
			return gen.GenaiGetIndexingJob500JSONResponse{ServerErrorJSONResponse: r}
		}
		return gen.GenaiCancelIndexingJob500JSONResponse{ServerErrorJSONResponse: r}
	default: // a proxy's page, not the API's JSON
		page := strings.NewReader(badGatewayPage)
		if get {
			return gen.GenaiGetIndexingJobdefaultTextHTMLResponse{Body: page, StatusCode: f.status, ContentLength: page.Size()}
		}
		return gen.GenaiCancelIndexingJobdefaultTextHTMLResponse{Body: page, StatusCode: f.status, ContentLength: page.Size()}
	}
}

// api is the fake's side of the generated StrictServerInterface.
type api struct{ s *Server }

func (a api) GenaiGetIndexingJob(ctx context.Context, req gen.GenaiGetIndexingJobRequestObject) (gen.GenaiGetIndexingJobResponseObject, error) {
	job, ok := a.s.Job(req.UUID)
	if !ok {
		return answer(ctx, "GenaiGetIndexingJob", Fault{status: http.StatusNotFound}).(gen.GenaiGetIndexingJobResponseObject), nil
	}
	return gen.GenaiGetIndexingJob200JSONResponse{IndexingJobJSONResponse: gen.IndexingJobJSONResponse{
		Body: gen.APIGetKnowledgeBaseIndexingJobOutput{Job: job}}}, nil
}

func (a api) GenaiCancelIndexingJob(ctx context.Context, req gen.GenaiCancelIndexingJobRequestObject) (gen.GenaiCancelIndexingJobResponseObject, error) {
	if req.Body != nil && req.Body.UUID != "" && !strings.EqualFold(req.Body.UUID, req.UUID) {
		reqID, _ := ctx.Value(requestIDKey).(string)
		return gen.GenaiCancelIndexingJobdefaultJSONResponse{StatusCode: http.StatusBadRequest, Body: gen.Error{
			ID: "bad_request", RequestID: reqID,
			Message: fmt.Sprintf("uuid %q in the body is not the job %q of the path", req.Body.UUID, req.UUID)}}, nil
	}
	job, ok := a.s.cancel(req.UUID)
	if !ok {
		return answer(ctx, "GenaiCancelIndexingJob", Fault{status: http.StatusNotFound}).(gen.GenaiCancelIndexingJobResponseObject), nil
	}
	return gen.GenaiCancelIndexingJob200JSONResponse{CancelledIndexingJobJSONResponse: gen.CancelledIndexingJobJSONResponse{
		Body: gen.APICancelKnowledgeBaseIndexingJobOutput{Job: job}}}, nil
}

var _ gen.StrictServerInterface = api{}

// errTODO marks the operations the fake does not serve yet.
var errTODO = fmt.Errorf("not served by the fake yet")

func (a api) GenaiListIndexingJobs(ctx context.Context, req gen.GenaiListIndexingJobsRequestObject) (gen.GenaiListIndexingJobsResponseObject, error) {
	return nil, errTODO
}
func (a api) GenaiCreateIndexingJob(ctx context.Context, req gen.GenaiCreateIndexingJobRequestObject) (gen.GenaiCreateIndexingJobResponseObject, error) {
	return nil, errTODO
}
func (a api) GenaiListIndexingJobDataSources(ctx context.Context, req gen.GenaiListIndexingJobDataSourcesRequestObject) (gen.GenaiListIndexingJobDataSourcesResponseObject, error) {
	return nil, errTODO
}
func (a api) GenaiGetIndexingJobDetailsSignedURL(ctx context.Context, req gen.GenaiGetIndexingJobDetailsSignedURLRequestObject) (gen.GenaiGetIndexingJobDetailsSignedURLResponseObject, error) {
	return nil, errTODO
}
func (a api) GenaiListIndexingJobsByKnowledgeBase(ctx context.Context, req gen.GenaiListIndexingJobsByKnowledgeBaseRequestObject) (gen.GenaiListIndexingJobsByKnowledgeBaseResponseObject, error) {
	return nil, errTODO
}
