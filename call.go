package indexingjobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

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
		resp, body, err := c.attempt(ctx, req)
		if resp != nil {
			c.noteRateLimit(resp.Header)
		}
		if wait, ok := c.retryWait(ctx, op, attempt, resp, err); ok {
			if sleep(ctx, wait) {
				continue
			}
			if ctx.Err() != nil { // the caller gave up while we waited
				return fmt.Errorf("indexingjobs: %s %s: %w while waiting to retry, after %w",
					req.Method, req.URL.Redacted(), context.Cause(ctx), c.failure(op, req, resp, body, err, attempt))
			}
		}
		if failed := c.failure(op, req, resp, body, err, attempt); failed != nil {
			return failed
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("indexingjobs: %s, but the body does not decode: %w", exchange(req, resp.StatusCode), safeError(err))
		}
		if check != nil {
			if err := check(); err != nil {
				return fmt.Errorf("indexingjobs: %s, but %w", exchange(req, resp.StatusCode), err)
			}
		}
		return nil
	}
}

// request builds op's request for this attempt and checks that it goes
// where op says, on the client's own base URL, before the token is added.
func (c *Client) request(op operation, build func(server string) (*http.Request, error)) (*http.Request, error) {
	req, err := build(c.server)
	if err != nil {
		return nil, fmt.Errorf("indexingjobs: %s: %w", op.id, err)
	}
	if req.Method != op.method || req.URL.Scheme != c.scheme || req.URL.Host != c.host ||
		!matchPath(req.URL.EscapedPath(), c.basePath+op.path) {
		return nil, fmt.Errorf("%w: %s %s is not %s %s", errWrongPath, req.Method, safetext.Line(req.URL.Redacted()), op.method, op.path)
	}
	if !tokenAllowed(req.URL) {
		return nil, errTokenNotAllowed
	}
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
// why its body could not be read whole.
func (c *Client) attempt(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	actx := ctx
	if c.attemptTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeoutCause(ctx, c.attemptTimeout, c.timedOut)
		defer cancel()
	}
	resp, err := c.hc.Do(req.WithContext(actx))
	if err != nil {
		return nil, nil, c.attemptError(ctx, actx, err)
	}
	body, err := readBody(resp, c.maxBody)
	if err != nil && !errors.Is(err, ErrResponseTooLarge) {
		err = c.attemptError(ctx, actx, err)
	}
	return resp, body, err
}

// attemptError names the attempt timeout when it, not the caller's
// context, ended the attempt and err does not say so already.
func (c *Client) attemptError(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && c.timedOut != nil && context.Cause(actx) == c.timedOut && !errors.Is(err, errAttemptTimeout) {
		return fmt.Errorf("%w: %w", c.timedOut, err)
	}
	return err
}

// failure classifies the end of an attempt: nil for a 2xx body read whole,
// else the error to return, attempts counted.
func (c *Client) failure(op operation, req *http.Request, resp *http.Response, body []byte, err error, attempts int) error {
	tries := fmt.Sprintf("%d %s", attempts, plural(attempts, "attempt"))
	unsure := ""
	if !op.idempotent && !notSent(err) {
		unsure = "; not sent again: the server may have acted on it, so look before trying again"
	}
	if resp == nil {
		if unsure == "" || errors.Is(err, errRedirect) || errors.Is(err, errTokenNotAllowed) {
			return fmt.Errorf("indexingjobs: %s %s: %w (%s)", req.Method, req.URL.Redacted(), safeError(err), tries)
		}
		return fmt.Errorf("indexingjobs: %s %s: %w (%s)%s: %w", req.Method, req.URL.Redacted(), safeError(err), tries, unsure, ErrOutcomeUnknown)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	tooLarge := errors.Is(err, ErrResponseTooLarge)
	switch {
	case ok && tooLarge:
		return fmt.Errorf("indexingjobs: %s: %w (more than %d bytes)", exchange(req, resp.StatusCode), err, c.maxBody)
	case err != nil && !tooLarge: // the connection broke mid-body
		if unsure == "" {
			return fmt.Errorf("indexingjobs: %s: reading the body: %w (%s)", exchange(req, resp.StatusCode), safeError(err), tries)
		}
		return fmt.Errorf("indexingjobs: %s: reading the body: %w (%s)%s: %w", exchange(req, resp.StatusCode), safeError(err), tries, unsure, ErrOutcomeUnknown)
	case ok:
		return nil
	}
	e := newAPIError(req, resp, body, attempts)
	if tooLarge {
		e.Message = fmt.Sprintf("(a body of more than %d bytes, not read)", c.maxBody)
		e.causes = append(e.causes, ErrResponseTooLarge)
	}
	if unsure != "" && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode >= 500 {
		e.causes = append(e.causes, ErrOutcomeUnknown)
	}
	return e
}

// ErrOutcomeUnknown is wrapped by the error of a request that creates
// something (StartIndexingJob) when the server may have acted on it: a 5xx
// answer, or a connection lost after the request was sent. Such a request
// is not sent again; look (ListKnowledgeBaseIndexingJobs) before trying
// again.
var ErrOutcomeUnknown = errors.New("the request may have taken effect")

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
	const exact = 64 << 10 // a job is about 2 KiB; a page of 200 about 400 KiB
	if resp.ContentLength >= 0 && resp.ContentLength <= exact {
		body := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, max+1))
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
