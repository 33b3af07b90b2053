package indexingjobs

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// call sends op, one of the operations generated from openapi.yaml, with
// the values of its path parameters (in the order of op.PathParams), an
// encoded query and a body (nil for none), and returns its 200 answer
// decoded, after check, if given, has accepted it.
//
// Every request to the API takes this path, and the download of a report
// takes do, below it: the same sending, retries, bounds, redirect rules
// and errors. It does not use a generated client: requests are built here
// from the operation's typed description, checked before anything is
// sent, and answered, read and classified the same way for every
// operation.
func call[In, Out any](ctx context.Context, c *Client, op *gen.Endpoint[In, Out], params []string, query string, body *In, check func(*Out) error) (*Out, error) {
	var in any
	if body != nil {
		in = body
	}
	x, err := c.apiRequest(&op.Operation, params, query, in)
	if err != nil {
		return nil, err
	}
	ans, err := c.do(ctx, x)
	if err != nil {
		return nil, err
	}
	out := new(Out)
	if err := json.Unmarshal(ans.body, out); err != nil {
		err = fmt.Errorf("indexingjobs: %s, but the body does not decode: %w", x.exchange(ans.status), safeError(err))
		return nil, x.secrets.hide(unsure(err, ans.acted))
	}
	if check != nil {
		if err := check(out); err != nil {
			err = fmt.Errorf("indexingjobs: %s, but %w", x.exchange(ans.status), err)
			return nil, x.secrets.hide(unsure(err, ans.acted))
		}
	}
	return out, nil
}

// outgoing is one request as the core sends it: built once per call, sent
// once per attempt.
type outgoing struct {
	// idempotent requests may be sent again after the server may have acted
	// on them; the others only when it certainly did not.
	idempotent bool
	maxRetries int
	req        http.Request // method, URL and headers; no context, no body (one allocation with x)
	body       []byte       // nil when the request has none
	// A download streams the answer's body into sink, at most max bytes;
	// it goes to a storage host without the token, whose answers say
	// nothing of the rate limit. Every other request goes to the API.
	download bool
	sink     io.Writer
	max      int64
	// secrets are kept out of every error: the token, and a signed URL's
	// query.
	secrets *secrets
}

// apiRequest builds the request of op on the client's base URL: the path
// is op's template filled with params, each checked to be a UUID, so the
// path is the template's by construction; then the token and headers.
func (c *Client) apiRequest(op *gen.Operation, params []string, query string, in any) (*outgoing, error) {
	path, err := fillPath(c.basePath, op, params)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, 5)
	h["Authorization"] = c.authHeader
	h["User-Agent"] = c.uaHeader
	h["Accept"] = jsonMedia
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return nil, fmt.Errorf("indexingjobs: %s: encoding the body: %w", op.ID, err)
		}
		h["Content-Type"] = jsonMedia
	}
	u := &url.URL{Scheme: c.scheme, Host: c.host, Path: path, RawQuery: query}
	return &outgoing{
		idempotent: op.Idempotent, maxRetries: c.maxRetries, body: body, secrets: c.secrets,
		req: newRequest(op.Method, u, h),
	}, nil
}

var jsonMedia = []string{"application/json"}

// newRequest is a request of the core: no context and no body yet, which
// each attempt gives it.
func newRequest(method string, u *url.URL, h http.Header) http.Request {
	return http.Request{Method: method, URL: u, Host: u.Host, Header: h, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

// fillPath is prefix followed by op's path template with params put in
// order. Each is a UUID, which needs no escaping: nothing else reaches a
// path.
func fillPath(prefix string, op *gen.Operation, params []string) (string, error) {
	if len(params) != len(op.PathParams) {
		return "", fmt.Errorf("indexingjobs: %s takes %d path parameters, not %d", op.ID, len(op.PathParams), len(params))
	}
	var b strings.Builder
	b.Grow(len(prefix) + len(op.Path) + 36*len(params))
	b.WriteString(prefix)
	t := op.Path
	for i, p := range params {
		if err := checkUUID(op.PathParams[i], p); err != nil {
			return "", err
		}
		open := strings.IndexByte(t, '{')
		end := open + strings.IndexByte(t[open:], '}')
		b.WriteString(t[:open])
		b.WriteString(p)
		t = t[end+1:]
	}
	b.WriteString(t)
	return b.String(), nil
}

// answer is what do returns of a request that succeeded: its status, and
// its body read whole (nil for a download, streamed into its sink).
type answer struct {
	status int
	body   []byte
	n      int64 // bytes written to a download's sink
	acted  bool  // the server may have acted on a request that is not idempotent
}

// do sends x, retries it as its operation allows, and returns the 2xx
// answer or the error to return: an *APIError for any other status, with
// the attempts counted (every send, the transport's own included), and
// ErrOutcomeUnknown added when the server may have acted on it.
func (c *Client) do(ctx context.Context, x *outgoing) (answer, error) {
	tries := 0
	earlier := false // an attempt before this one may have acted
	for attempt := 1; ; attempt++ {
		resp, body, n, sends, wrote, err := c.attempt(ctx, x)
		tries += max(1, sends)
		if resp != nil && !x.download {
			c.noteRateLimit(resp.Header)
		}
		wait, again := c.retryWait(ctx, x, attempt, resp, err, wrote)
		if again && sleep(ctx, wait) {
			earlier = earlier || mayHaveActed(false, wrote, resp, err)
			continue
		}
		acted := mayHaveActed(x.idempotent, wrote, resp, err)
		failed := c.failure(x, resp, body, err, tries, acted)
		// The transport's own resend is an earlier attempt too.
		if apiErr, ok := failed.(*APIError); ok && (earlier || sends > 1) && x.req.Method == http.MethodDelete && apiErr.StatusCode == http.StatusNotFound {
			apiErr.causes = append(apiErr.causes, errDeletedBefore)
		}
		if again && ctx.Err() != nil && failed != nil { // the caller gave up while we waited
			failed = fmt.Errorf("%w (%w while waiting to retry)", failed, withContextErr(ctx, context.Cause(ctx)))
		}
		if failed != nil {
			return answer{n: n}, x.secrets.hide(failed)
		}
		return answer{status: resp.StatusCode, body: body, n: n, acted: acted}, nil
	}
}

// mayHaveActed reports whether the server may have carried out a request
// that is not idempotent: it was written, and no whole answer says it was
// refused (a 4xx, or 501). A 2xx counts: if its body is unusable, the job
// was still started.
func mayHaveActed(idempotent, wrote bool, resp *http.Response, err error) bool {
	if idempotent || !wrote {
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

// maxSendsPerAttempt bounds how often Go's transport may send one attempt
// of a request on its own. It resends an idempotent request (and any whose
// body it can get again) when a reused connection turns out dead, or when
// an HTTP/2 server resets the stream with REFUSED_STREAM or PROTOCOL_ERROR
// — which a hostile or broken server can do for ever. A request that is
// not idempotent is never resent: it has no GetBody.
const maxSendsPerAttempt = 2

// errResent ends an attempt that the transport kept sending again.
var errResent = fmt.Errorf("the connection failed each time the request was sent (%d times in one attempt)", maxSendsPerAttempt+1)

// errAttemptTimeout ends an attempt that outlasts WithAttemptTimeout.
var errAttemptTimeout = errors.New("the attempt timed out")

// try is one attempt in flight, and the context its request is sent
// with: it counts the times the transport writes the request (less the
// redirects it follows, which are requests of their own), and ends the
// attempt when that is once too often.
type try struct {
	context.Context
	cancel context.CancelCauseFunc
	trace  httptrace.ClientTrace
	sends  atomic.Int32 // writes of the request, redirects included
	hops   atomic.Int32 // redirects followed
}

// tryKey finds the try of a request's context.
type tryKey struct{}

func (t *try) Value(key any) any {
	if key == (tryKey{}) {
		return t
	}
	return t.Context.Value(key)
}

func (t *try) wroteHeaders() {
	if t.sends.Add(1)-t.hops.Load() > maxSendsPerAttempt {
		t.cancel(errResent)
	}
}

// resent is how many times beyond the first the transport sent the
// request itself.
func (t *try) resent() int { return max(0, int(t.sends.Load()-t.hops.Load())-1) }

// redirected notes that the request of ctx is followed to another URL.
func redirected(ctx context.Context) {
	if t, ok := ctx.Value(tryKey{}).(*try); ok {
		t.hops.Add(1)
	}
}

// attempt sends x once and reads its answer: whole, within the cap, or into
// the download's sink. resp is nil when no answer came; err is then why.
// With an answer, err is why its body could not be read or written whole.
// sends is how many times the request was written, and wrote whether any
// of it may have reached the server: only proof says it did not (Go's own
// transport, which reports every write, reported none; or the connection
// was never made), since a RoundTripper of the caller's may deliver a
// request without reporting it.
//
// The attempt timeout bounds the whole attempt; for a download, the wait
// for the answer's headers and then each wait for more of the body: a
// report streams for as long as it keeps coming and ctx allows.
func (c *Client) attempt(ctx context.Context, x *outgoing) (resp *http.Response, body []byte, n int64, sends int, wrote bool, err error) {
	if err := context.Cause(ctx); err != nil {
		return nil, nil, 0, 0, false, withContextErr(ctx, err) // not sent at all
	}
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := &try{Context: actx, cancel: cancel}
	var timer *time.Timer
	if c.attemptTimeout > 0 {
		timer = time.AfterFunc(c.attemptTimeout, func() { cancel(c.timedOut) })
		defer timer.Stop()
	}
	t.trace.WroteHeaders = t.wroteHeaders
	req := x.req.WithContext(httptrace.WithClientTrace(t, &t.trace))
	if x.body != nil {
		req.Body, req.ContentLength = newBody(x.body), int64(len(x.body))
		if x.idempotent { // else the transport could send it again on its own
			req.GetBody = x.getBody
		}
	}
	resp, err = c.hc.Do(req)
	sends = min(int(t.sends.Load()), 1+t.resent()) // 0 when nothing was written
	wrote = sends > 0 || !(c.traced || neverConnected(err))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the method and URL the caller's error names
		}
		return nil, nil, 0, sends, wrote, withContextErr(ctx, err)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	if !x.download || !ok {
		limit := c.maxBody
		if x.download {
			limit = maxShownBody // a storage host's error page: only its start is shown
		}
		body, err = readBody(resp, limit)
		return resp, body, 0, sends, wrote, withContextErr(ctx, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > x.max {
		return resp, nil, 0, sends, wrote, ErrResponseTooLarge
	}
	var r io.Reader = honestReader{resp.Body}
	if timer != nil {
		r = &idleReader{r: r, timer: timer, d: c.attemptTimeout}
	}
	w := &cappedWriter{w: x.sink, left: x.max}
	n, err = io.Copy(w, r)
	if err != nil && err == w.err && err != ErrResponseTooLarge {
		err = &writeError{err}
	}
	return resp, nil, n, sends, wrote, withContextErr(ctx, err)
}

// neverConnected reports whether err proves the request never left: no
// connection was made (the dial or its name lookup failed) or none was
// trusted (its certificate).
func neverConnected(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	return (errors.As(err, &opErr) && opErr.Op == "dial") || errors.As(err, &dnsErr) || errors.As(err, &certErr)
}

// idleReader restarts the attempt's timer at every read that brings
// bytes: a body that stops coming for as long as the attempt timeout ends
// the attempt, one that keeps coming does not.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.timer.Reset(i.d)
	}
	return n, err
}

// newBody reads b. net/http knows this pair for a body in memory: it
// writes the headers and the body together, and announces its length.
func newBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

func (x *outgoing) getBody() (io.ReadCloser, error) { return newBody(x.body), nil }

// maxShownBody bounds what is read of a storage host's answer outside 2xx,
// of which an error shows a snippet.
const maxShownBody = 4 << 10

// cappedWriter passes at most left bytes on to w, and fails with
// ErrResponseTooLarge at the first byte past them. err is the error it
// returned last, to tell the writer's errors from the reader's.
type cappedWriter struct {
	w    io.Writer
	left int64
	err  error
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	over := int64(len(p)) > c.left
	if over {
		p = p[:c.left]
	}
	n, err := c.w.Write(p)
	c.left -= int64(n)
	if err == nil && over {
		err = ErrResponseTooLarge
	}
	c.err = err
	return n, err
}

// writeError is the error of the caller's writer in a download.
type writeError struct{ err error }

func (e *writeError) Error() string { return "writing the report: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// withContextErr makes err, of a call whose context has ended, wrap the
// context's error: given a cause (context.WithCancelCause), net/http
// reports the cause alone, while callers look for context.Canceled.
func withContextErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// failure classifies the end of an attempt: nil for a 2xx body read whole,
// else the error to return, attempts counted, ErrOutcomeUnknown added when
// acted.
func (c *Client) failure(x *outgoing, resp *http.Response, body []byte, err error, attempts int, acted bool) error {
	tries := func() string { return fmt.Sprintf("%d %s", attempts, plural(attempts, "attempt")) }
	if resp == nil {
		return unsure(fmt.Errorf("indexingjobs: %s %s: %w (%s)", x.req.Method, x.where(), safeError(err), tries()), acted)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	tooLarge := errors.Is(err, ErrResponseTooLarge)
	limit := c.maxBody
	if x.download {
		limit = x.max
	}
	switch {
	case ok && tooLarge:
		return unsure(fmt.Errorf("indexingjobs: %s: %w (more than %d bytes)", x.exchange(resp.StatusCode), ErrResponseTooLarge, limit), acted)
	case ok && errors.As(err, new(*writeError)):
		return fmt.Errorf("indexingjobs: %s: %w", x.exchange(resp.StatusCode), err)
	case err != nil && !tooLarge: // the connection broke mid-body
		return unsure(fmt.Errorf("indexingjobs: %s: reading the body: %w (%s)", x.exchange(resp.StatusCode), safeError(err), tries()), acted)
	case ok:
		return nil
	}
	e := newAPIError(x.req.Method, x.where(), resp, body, attempts, x.secrets)
	if tooLarge {
		e.Message = fmt.Sprintf("(a body of more than %d bytes, not read)", c.maxBody)
		e.causes = append(e.causes, ErrResponseTooLarge)
	}
	return unsure(e, acted)
}

// where is the request's URL as errors show it: without a password, and,
// for a signed URL, without its query, which holds the signature.
func (x *outgoing) where() string {
	if x.download {
		return withoutQuery(x.req.URL)
	}
	return x.req.URL.Redacted()
}

// exchange names an answer in errors: "PUT https://…/cancel: 200 OK". The
// status text is Go's, never the server's reason phrase.
func (x *outgoing) exchange(code int) string {
	return x.req.Method + " " + x.where() + ": " + statusLine(code)
}

// ErrOutcomeUnknown is wrapped by the error of a request that creates
// something (StartIndexingJob) when the server may have acted on it: a 5xx
// answer, a connection lost after the request was written, or a 2xx whose
// body is unusable. Such a request is not sent again; look
// (ListKnowledgeBaseIndexingJobs) before trying again.
var ErrOutcomeUnknown = errors.New("the server may have acted on the request: look before sending it again")

// errDeletedBefore is wrapped by the 404 that answers a retry of a delete
// after an earlier attempt may have deleted it: the thing may be gone
// because of this very call.
var errDeletedBefore = fmt.Errorf("%w: an earlier attempt may have deleted it", ErrOutcomeUnknown)

// ErrResponseTooLarge is wrapped by the error for a body over the cap set
// by WithMaxResponseBytes, or for a report over WithMaxDownloadBytes.
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
