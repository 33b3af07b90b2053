package indexingjobs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// facts are what one attempt of a request left, all that decide rules on.
type facts struct {
	attempt int // which attempt, from 1
	// resp is the answer, nil when none came; err why none came, or, with
	// an answer, why its body did not arrive (or was not written) whole.
	resp *http.Response
	err  error
	// body is the answer's body read whole, or, outside 2xx, its start:
	// cut is then the bound it was cut at (a storage host's error page of
	// more than maxShownBody, an API error of more than WithMaxResponseBytes).
	body    []byte
	cut     int64
	written int64 // bytes written to a download's sink
	// unusable is why a 2xx body read whole cannot be used: it does not
	// decode, or is not about what was asked.
	unusable error
	// sends is how many times the request was written in this attempt:
	// more than once when a transport (Go's, or a caller's that wraps it)
	// sent it again on its own. wrote is whether any of it may have
	// reached the server: only proof says it did not.
	sends int
	wrote bool
	// earlier is whether an attempt before this one may have acted.
	earlier bool
	// interrupted: the wait to send it again was cut short by the end of
	// the caller's context.
	interrupted bool
	tries       int // sends so far, this attempt's included: the attempts an error reports
}

// verdict is what decide makes of an attempt: send again after wait, or
// end the call with err (nil for success). acted is whether this attempt
// may have acted, for the next attempt's earlier.
type verdict struct {
	again bool
	wait  time.Duration
	acted bool
	err   error
}

// decide is the one place that rules on an attempt of any request: whether
// to send it again and after how long, whether the server may have acted
// on it, and the error to return. Every rule of retries and outcomes is
// here:
//
//   - The server may have acted on an attempt that was written, unless a
//     whole answer refused it (4xx, or 501). An attempt that the transport
//     sent more than once may have acted in a send whose answer was never
//     seen, whatever the last one said.
//   - Sent again: 429, 5xx other than 501, connection errors and bodies
//     cut short; never a host that does not exist, a certificate that does
//     not verify, a refused redirect, a 2xx, or once the caller's context
//     has ended or the retries are used up. A request that is not
//     idempotent is sent again only when no attempt may have acted.
//   - The wait is Retry-After when sent, else the backoff; never over the
//     longest wait, nor past the caller's deadline (the call ends then,
//     with this attempt's error). A wait the caller's context cuts short
//     ends the call with this attempt's error and the context's.
//   - A request that is not idempotent, on which the server may have
//     acted, fails with an error that wraps ErrOutcomeUnknown; so does a
//     DELETE answered 404 after an earlier attempt (or send) may have
//     deleted it.
//   - A 2xx whose body does not decode, or is about something else, is not
//     sent again: the server answered, and would again.
func (c *Client) decide(ctx context.Context, x *outgoing, f facts) verdict {
	acted := mayHaveActed(f)
	earlier := f.earlier || (f.sends > 1 && f.wrote)
	unknown := !x.idempotent && (acted || earlier)
	v := verdict{acted: acted || earlier}

	if f.resp != nil && f.err == nil && f.resp.StatusCode >= 200 && f.resp.StatusCode <= 299 {
		if f.unusable != nil {
			v.err = x.outcome(fmt.Errorf("indexingjobs: %s, but %w", x.exchange(f.resp.StatusCode), x.secrets.shorten(f.unusable)), unknown)
		}
		return v
	}

	again := retryable(f) && (x.idempotent || !unknown) && f.attempt <= x.maxRetries
	if again && !f.interrupted && ctx.Err() == nil {
		wait := backoff(f.attempt, c.retryMin, c.retryMax)
		if f.resp != nil {
			if ra, ok := retryAfter(f.resp.Header, time.Now()); ok {
				wait = min(ra, c.retryMax)
			}
		}
		// A wait that would outlast the caller's deadline is not started.
		if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) >= wait {
			v.again, v.wait = true, wait
			return v
		}
	}

	v.err = c.failure(x, f)
	if again && f.interrupted {
		v.err = fmt.Errorf("%w (%w while waiting to retry)", v.err, withContextErr(ctx, context.Cause(ctx)))
	}
	if apiErr, ok := v.err.(*APIError); ok && x.req.Method == http.MethodDelete && apiErr.StatusCode == http.StatusNotFound && earlier {
		apiErr.causes = append(apiErr.causes, errDeletedBefore)
	}
	v.err = x.outcome(v.err, unknown)
	return v
}

// mayHaveActed reports whether the server may have carried out the
// attempt: it was written, and no whole answer says it was refused (a
// 4xx, or 501). A 2xx counts, even when its body is unusable.
func mayHaveActed(f facts) bool {
	if !f.wrote {
		return false
	}
	if f.resp == nil || (f.err != nil && !errors.Is(f.err, ErrResponseTooLarge)) {
		return true
	}
	code := f.resp.StatusCode
	return code < 400 || (code >= 500 && code != http.StatusNotImplemented)
}

// retryable reports whether the failure of an attempt may pass if it is
// sent again: 429, 5xx other than 501 (which will not change), and a
// connection that failed or a body cut short, unless the failure lasts
// (no such host, a certificate that does not verify) or is a redirect the
// client refused.
func retryable(f facts) bool {
	if f.resp == nil || (f.err != nil && !errors.Is(f.err, ErrResponseTooLarge)) {
		return !errors.Is(f.err, errRedirect) && !lasting(f.err) && !errors.As(f.err, new(*writeError))
	}
	code := f.resp.StatusCode
	return code == http.StatusTooManyRequests || (code >= 500 && code <= 599 && code != http.StatusNotImplemented)
}

// lasting reports whether a failure to connect will not go away on its
// own: no such host, or a certificate that does not verify.
func lasting(err error) bool {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	return (errors.As(err, &dnsErr) && dnsErr.IsNotFound) || errors.As(err, &certErr)
}

// failure is the error that ends a call on an attempt that did not
// succeed: what happened to it, and how many times the request was sent.
func (c *Client) failure(x *outgoing, f facts) error {
	tries := fmt.Sprintf("%d %s", f.tries, plural(f.tries, "attempt"))
	if f.resp == nil {
		return fmt.Errorf("indexingjobs: %s %s: %w (%s)", x.req.Method, x.where(), safeError(f.err), tries)
	}
	ok := f.resp.StatusCode >= 200 && f.resp.StatusCode <= 299
	tooLarge := errors.Is(f.err, ErrResponseTooLarge)
	switch {
	case ok && tooLarge:
		limit := c.maxBody
		if x.download {
			limit = x.max
		}
		return fmt.Errorf("indexingjobs: %s: %w (more than %d bytes)", x.exchange(f.resp.StatusCode), ErrResponseTooLarge, limit)
	case ok && errors.As(f.err, new(*writeError)):
		return fmt.Errorf("indexingjobs: %s: %w", x.exchange(f.resp.StatusCode), f.err)
	case f.err != nil && !tooLarge: // the connection broke mid-body
		return fmt.Errorf("indexingjobs: %s: reading the body: %w (%s)", x.exchange(f.resp.StatusCode), safeError(f.err), tries)
	}
	e := newAPIError(x.req.Method, x.where(), f.resp, f.body, f.tries, x.secrets)
	if f.cut > 0 {
		e.Message = fmt.Sprintf("(a body of more than %d bytes; it starts: %s)", f.cut, e.Message)
		e.causes = append(e.causes, ErrResponseTooLarge)
	}
	return e
}
