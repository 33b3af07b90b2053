package indexingjobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// call is the one path every operation takes. It builds the request with
// build (a generated request builder, given the base URL), checks it is the
// operation's path of the spec, adds the token and headers, sends it,
// retries as the operation allows, reads the answer within the cap, notes
// the rate limit, makes an *APIError of an answer outside 2xx, decodes a
// 2xx body into out, and runs check on it, if given.
//
// It does not use the generated ClientWithResponses: that reads bodies
// without a cap, decodes every status into its own field, and sends once,
// while a request here must be rebuilt for each attempt, checked before it
// leaves, and read, classified and decoded the same way for every
// operation. The generated request builders stay the source of requests.
func (c *Client) call(ctx context.Context, opID string, build func(server string) (*http.Request, error), out any, check func() error) error {
	op := operationOf(opID)
	for attempt := 1; ; attempt++ {
		req, err := c.request(op, build)
		if err != nil {
			return err
		}
		resp, body, wrote, err := c.attempt(ctx, op, req)
		if resp != nil {
			c.noteRateLimit(resp.Header)
		}
		wait, again := c.retryWait(ctx, op, attempt, resp, err, wrote)
		if again && sleep(ctx, wait) {
			continue
		}
		acted := mayHaveActed(op, wrote, resp, err)
		failed := c.failure(req, resp, body, err, attempt, acted)
		if again && ctx.Err() != nil { // the caller gave up while we waited
			return fmt.Errorf("%w (%w while waiting to retry)", failed, withContextErr(ctx, context.Cause(ctx)))
		}
		if failed != nil {
			return failed
		}
		if err := json.Unmarshal(body, out); err != nil {
			err = fmt.Errorf("indexingjobs: %s, but the body does not decode: %w", exchange(req, resp.StatusCode), safeError(err))
			return unsure(err, acted)
		}
		if check != nil {
			if err := check(); err != nil {
				return unsure(fmt.Errorf("indexingjobs: %s, but %w", exchange(req, resp.StatusCode), err), acted)
			}
		}
		return nil
	}
}

// mayHaveActed reports whether the server may have carried out a request
// that is not idempotent: it was written, and no whole answer says it was
// refused (a 4xx, or 501). A 2xx counts: if its body is unusable, the job
// was still started.
func mayHaveActed(op operation, wrote bool, resp *http.Response, err error) bool {
	if op.idempotent || !wrote {
		return false
	}
	if resp == nil || (err != nil && !errors.Is(err, ErrResponseTooLarge)) {
		return true
	}
	code := resp.StatusCode
	return code < 400 || (code >= 500 && code != http.StatusNotImplemented)
}

// unsure adds ErrOutcomeUnknown to the error of a request the server may
// have acted on.
func unsure(err error, acted bool) error {
	if !acted {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.causes = append(apiErr.causes, ErrOutcomeUnknown)
		return apiErr
	}
	return fmt.Errorf("%w; %w", err, ErrOutcomeUnknown)
}

// request builds op's request for this attempt and checks that it goes
// where op says, on the client's own base URL, before the token is added.
// Such a refusal is returned before any retry is considered.
func (c *Client) request(op operation, build func(server string) (*http.Request, error)) (*http.Request, error) {
	req, err := build(c.server)
	if err != nil {
		return nil, fmt.Errorf("indexingjobs: %s: %w", op.id, err)
	}
	if req.Method != op.method || req.URL.Scheme != c.scheme || req.URL.Host != c.host ||
		!matchPath(req.URL.EscapedPath(), c.basePath+op.path) {
		return nil, fmt.Errorf("%w: %s %s is not %s %s", errWrongPath, req.Method, safetext.Line(req.URL.Redacted()), op.method, op.path)
	}
	// The base URL passed tokenAllowed, and the request goes to its scheme
	// and host: the token may go with it.
	h := req.Header
	h["Authorization"] = c.authHeader
	h["User-Agent"] = c.uaHeader
	h["Accept"] = acceptJSON
	return req, nil
}

var acceptJSON = []string{"application/json"}

// matchPath reports whether p matches the template: the same segments, and
// a UUID wherever the template has a {parameter}.
func matchPath(p, template string) bool {
	for {
		ps, prest, pmore := strings.Cut(p, "/")
		ts, trest, tmore := strings.Cut(template, "/")
		if strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") {
			if !isUUID(ps) {
				return false
			}
		} else if ps != ts {
			return false
		}
		if pmore != tmore {
			return false
		}
		if !pmore {
			return true
		}
		p, template = prest, trest
	}
}

// errAttemptTimeout ends an attempt that outlasts WithAttemptTimeout.
var errAttemptTimeout = errors.New("the attempt timed out")

// attempt sends req once and reads its body, within the attempt timeout.
// resp is nil when no answer came; err is then why. With an answer, err is
// why its body could not be read whole. wrote reports whether any of the
// request was written, which only operations that are not idempotent need
// to know (for the others it stays true).
func (c *Client) attempt(ctx context.Context, op operation, req *http.Request) (resp *http.Response, body []byte, wrote bool, err error) {
	actx := ctx
	if c.attemptTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeoutCause(ctx, c.attemptTimeout, c.timedOut)
		defer cancel()
	}
	var written atomic.Bool
	written.Store(op.idempotent)
	if !op.idempotent {
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{WroteHeaders: func() { written.Store(true) }})
	}
	resp, err = c.hc.Do(req.WithContext(actx))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the method and URL the caller's error names
		}
		return nil, nil, written.Load(), withContextErr(ctx, err)
	}
	body, err = readBody(resp, c.maxBody)
	return resp, body, true, withContextErr(ctx, err)
}

// withContextErr makes err, of a call whose context has ended, wrap the
// context's error: given a cause (context.WithCancelCause), net/http
// reports the cause alone, while callers look for context.Canceled.
func withContextErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// failure classifies the end of an attempt: nil for a 2xx body read whole,
// else the error to return, attempts counted, ErrOutcomeUnknown added when
// acted.
func (c *Client) failure(req *http.Request, resp *http.Response, body []byte, err error, attempts int, acted bool) error {
	tries := fmt.Sprintf("%d %s", attempts, plural(attempts, "attempt"))
	if resp == nil {
		return unsure(fmt.Errorf("indexingjobs: %s %s: %w (%s)", req.Method, req.URL.Redacted(), safeError(err), tries), acted)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	tooLarge := errors.Is(err, ErrResponseTooLarge)
	switch {
	case ok && tooLarge:
		return unsure(fmt.Errorf("indexingjobs: %s: %w (more than %d bytes)", exchange(req, resp.StatusCode), err, c.maxBody), acted)
	case err != nil && !tooLarge: // the connection broke mid-body
		return unsure(fmt.Errorf("indexingjobs: %s: reading the body: %w (%s)", exchange(req, resp.StatusCode), safeError(err), tries), acted)
	case ok:
		return nil
	}
	e := newAPIError(req, resp, body, attempts)
	if tooLarge {
		e.Message = fmt.Sprintf("(a body of more than %d bytes, not read)", c.maxBody)
		e.causes = append(e.causes, ErrResponseTooLarge)
	}
	return unsure(e, acted)
}

// ErrOutcomeUnknown is wrapped by the error of a request that creates
// something (StartIndexingJob) when the server may have acted on it: a 5xx
// answer, a connection lost after the request was written, or a 2xx whose
// body is unusable. Such a request is not sent again; look
// (ListKnowledgeBaseIndexingJobs) before trying again.
var ErrOutcomeUnknown = errors.New("the server may have acted on the request: look before sending it again")

// ErrResponseTooLarge is wrapped by the error for a body over the cap set
// by WithMaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body too large")

// readBody reads at most max bytes and always closes the body. Memory
// follows the bytes that arrive, not the length announced: a body of known
// length is read into one buffer only when that length is small, else in
// growing steps.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return nil, ErrResponseTooLarge
	}
	r := honestReader{resp.Body}
	const exact = 64 << 10 // a job is about 2 KiB; a page of 200 about 400 KiB
	if resp.ContentLength >= 0 && resp.ContentLength <= exact {
		body := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, min(max, math.MaxInt64-1)+1)) // max+1 would overflow
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, ErrResponseTooLarge
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, io.ErrUnexpectedEOF // fewer bytes than announced
	}
	return buf.Bytes(), nil
}

// errImpossibleRead ends the reading of a body whose Read broke
// io.Reader's contract.
var errImpossibleRead = errors.New("the body's Read reported a count below 0 or above the buffer")

// honestReader makes a Read that reports a count below 0 or above len(p)
// an error: the Body of a caller's RoundTripper may do anything, and
// bytes.Buffer, io.ReadFull and io.Copy panic or loop on such a count.
type honestReader struct{ r io.Reader }

func (h honestReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n < 0 || n > len(p) {
		return 0, errImpossibleRead
	}
	return n, err
}

// exchange names an answer in errors: "PUT https://…/cancel: 200 OK". The
// status text is Go's, never the server's reason phrase.
func exchange(req *http.Request, code int) string {
	return req.Method + " " + req.URL.Redacted() + ": " + statusLine(code)
}

func statusLine(code int) string {
	if text := http.StatusText(code); text != "" {
		return fmt.Sprintf("%d %s", code, text)
	}
	return fmt.Sprint(code)
}

// safeError keeps err's chain but shows its text on one line without
// control characters: transport and decoding errors can quote what the
// server sent.
func safeError(err error) error {
	if s := err.Error(); safetext.Line(s) != s {
		return &escaped{err}
	}
	return err
}

type escaped struct{ err error }

func (e *escaped) Error() string { return safetext.Line(e.err.Error()) }
func (e *escaped) Unwrap() error { return e.err }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
