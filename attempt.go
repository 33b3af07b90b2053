package indexingjobs

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"
)

// maxSendsPerAttempt bounds how often a transport may send one attempt of
// a request on its own. Go's resends an idempotent request (and any whose
// body it can get again) when a reused connection turns out dead, or when
// an HTTP/2 server resets the stream with REFUSED_STREAM or PROTOCOL_ERROR,
// which a hostile or broken server can do for ever; a caller's transport
// may resend too. A request that is not idempotent is never resent by
// Go's: it has no GetBody.
const maxSendsPerAttempt = 2

// try is one attempt in flight, and the context its request is sent
// with: it counts the times a transport writes the request (less the
// redirects it follows, which are requests of their own), and ends the
// attempt when that is once too often, or when it outlasts the attempt
// timeout, with the cause that says so.
type try struct {
	context.Context
	cancel    context.CancelCauseFunc
	trace     httptrace.ClientTrace
	sends     atomic.Int32 // writes of the request, redirects included
	conns     atomic.Int32 // connections got for it, redirects included
	hops      atomic.Int32 // redirects followed
	reached   atomic.Bool  // the request reached the client's own transport
	streaming atomic.Bool  // a download's headers came: the timer bounds silences now
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

// gotConn notes a send begun: Go's HTTP/2 transport may hand back the
// answer to the last send before WroteHeaders has run for it, on another
// goroutine, so an answered attempt counts the sends begun.
func (t *try) gotConn(httptrace.GotConnInfo) { t.conns.Add(1) }

// begun is how many times the request itself was begun to be sent:
// redirects are requests of their own.
func (t *try) begun() int { return max(0, int(t.conns.Load()-t.hops.Load())) }

// written is how many times the request itself was written.
func (t *try) written() int {
	return max(0, int(t.sends.Load()-t.hops.Load()))
}

// redirected notes that the request of ctx is followed to another URL.
func redirected(ctx context.Context) {
	if t, ok := ctx.Value(tryKey{}).(*try); ok {
		t.hops.Add(1)
	}
}

// attempt sends x once and reads its answer: whole, within the cap, or into
// the download's sink. It returns the attempt's facts for decide, and
// never decides anything itself. Only proof says the request was not
// written: the client's own transport (Go's, under any middleware) was
// reached and reported no write, or the connection was never made; a
// RoundTripper of the caller's may deliver a request and report nothing.
//
// The attempt timeout bounds the whole attempt; for a download, the wait
// for the answer's headers and then each wait for more of the body: a
// report streams for as long as it keeps coming and ctx allows. When the
// attempt ends for a cause of its own (timeout, too many sends), its error
// is that cause, never the caller's context's: errors.Is(err,
// context.Canceled) holds only when the caller cancelled.
func (c *Client) attempt(ctx context.Context, x *outgoing) (f facts) {
	if err := context.Cause(ctx); err != nil {
		f.err = withContextErr(ctx, err) // not sent at all
		return f
	}
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := &try{Context: actx, cancel: cancel}
	var timer *time.Timer
	if c.attemptTimeout > 0 {
		timer = time.AfterFunc(c.attemptTimeout, func() {
			if t.streaming.Load() {
				cancel(c.stalled)
			} else {
				cancel(c.timedOut)
			}
		})
		defer timer.Stop()
	}
	t.trace.WroteHeaders, t.trace.GotConn = t.wroteHeaders, t.gotConn
	req := x.req.WithContext(httptrace.WithClientTrace(t, &t.trace))
	switch {
	case x.upload != nil:
		req.Body, req.ContentLength = x.uploadBody(timer, c.attemptTimeout), x.size
		if x.idempotent {
			req.GetBody = func() (io.ReadCloser, error) { return x.uploadBody(timer, c.attemptTimeout), nil }
		}
	case x.body != nil:
		req.Body, req.ContentLength = newBody(x.body), int64(len(x.body))
		if x.idempotent { // else a transport could send it again on its own
			req.GetBody = x.getBody
		}
	}
	resp, err := c.hc.Do(req)
	f.sends = t.written()
	if err == nil { // answered: every send begun was written
		f.sends = max(f.sends, t.begun())
	}
	f.sends = min(f.sends, maxSendsPerAttempt+1)
	traced := c.traced && (t.reached.Load() || !c.middleware)
	// Written: reported so, or answered (an HTTP/2 answer may come before
	// the report of its write), or not proven unwritten.
	f.wrote = t.written() > 0 || err == nil || !(traced || neverConnected(err))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the method and URL the caller's error names
		}
		f.err = c.why(ctx, t, err)
		return f
	}
	f.resp = resp
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	if !x.download || !ok {
		limit := c.maxBody
		if x.download {
			limit = maxShownBody // a storage host's error page: only its start is shown
		}
		f.body, f.cut, err = readBody(resp, limit, !ok)
		f.err = c.why(ctx, t, err)
		return f
	}
	defer resp.Body.Close()
	if resp.ContentLength > x.max {
		f.err = ErrResponseTooLarge
		return f
	}
	var r io.Reader = honestReader{resp.Body}
	if timer != nil {
		t.streaming.Store(true)
		timer.Reset(c.attemptTimeout)
		r = &idleReader{r: r, timer: timer, d: c.attemptTimeout}
	}
	w := &cappedWriter{w: x.sink, left: x.max}
	f.written, err = io.Copy(w, r)
	if err != nil && err == w.err && err != ErrResponseTooLarge {
		err = &writeError{err}
	}
	f.err = c.why(ctx, t, err)
	return f
}

// why is the error of an attempt that failed with err: the attempt's own
// cause when it ended for one (it timed out, stalled, or was sent too many
// times), the caller's context's when that ended, else err. A transport
// reports an attempt that ended for a cause of its own as anything from
// the cause to "context canceled", as HTTP/2 does.
func (c *Client) why(ctx context.Context, t *try, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return withContextErr(ctx, err)
	}
	if cause := context.Cause(t); cause != nil && !errors.Is(err, cause) {
		return cause
	}
	return err
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

// ownTransport is the innermost layer under the caller's middleware: it
// notes that the request reached the client's own transport with the
// attempt's context, whose trace counts each write, so that a request the
// middleware answered itself or sent with another context is not taken
// for one that was never written.
type ownTransport struct{ next http.RoundTripper }

func (o ownTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t, ok := req.Context().Value(tryKey{}).(*try); ok {
		t.reached.Store(true)
	}
	return o.next.RoundTrip(req)
}

// idleReader restarts the attempt's timer at every read that brings
// bytes: a body that stops coming for as long as the attempt timeout ends
// the attempt (the timer's cause is then the client's stalled), one that
// keeps coming does not.
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

// uploadBody is an upload's body for one send, read afresh from its first
// byte. With the attempt's timer, each read that takes bytes restarts it,
// as a download's do: the attempt timeout bounds each wait of a transport
// that keeps sending, then the wait for the answer, not the whole of a
// large file.
func (x *outgoing) uploadBody(timer *time.Timer, d time.Duration) io.ReadCloser {
	if x.size == 0 {
		return http.NoBody
	}
	r := x.upload()
	if timer != nil {
		r = &idleReader{r: r, timer: timer, d: d}
	}
	return io.NopCloser(r)
}

// maxShownBody bounds what is read of a storage host's answer outside 2xx,
// of which an error shows the start.
const maxShownBody = 4 << 10

// readBody reads at most max bytes and always closes the body. Memory
// follows the bytes that arrive, not the length announced. A body over
// max is ErrResponseTooLarge, unless keepStart: then its first max bytes
// are returned, and cut is max.
func readBody(resp *http.Response, max int64, keepStart bool) (body []byte, cut int64, err error) {
	defer resp.Body.Close()
	if resp.ContentLength > max && !keepStart {
		return nil, 0, ErrResponseTooLarge
	}
	r := honestReader{resp.Body}
	const exact = 64 << 10 // a job is about 2 KiB; a page of 200 about 400 KiB
	if resp.ContentLength >= 0 && resp.ContentLength <= exact && resp.ContentLength <= max {
		body := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, 0, err
		}
		return body, 0, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, min(max, math.MaxInt64-1)+1)) // max+1 would overflow
	switch {
	case err != nil:
		return nil, 0, err
	case n > max && keepStart:
		return buf.Bytes()[:max], max, nil
	case n > max:
		return nil, 0, ErrResponseTooLarge
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return nil, 0, io.ErrUnexpectedEOF // fewer bytes than announced
	}
	return buf.Bytes(), 0, nil
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
