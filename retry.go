package indexingjobs

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// The default retry policy, close to the official SDKs': three retries,
// waits from 0.5s doubling to 8s.
const (
	DefaultMaxRetries   = 3
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 8 * time.Second
)

// retryWait decides, for every operation, whether the attempt that just
// ended may be followed by another and how long to wait first. resp is nil
// when no answer came, and err says why; with an answer, err is why its
// body could not be read whole. wrote says whether any of the request was
// written.
//
// Retried: 429, and 5xx other than 501 Not Implemented (which will not
// change), connection errors and bodies cut short, but not a host that
// does not exist or a certificate that does not verify. An operation that is not
// idempotent is retried only when the server certainly did not act: a 429,
// or a request that failed before any of it was written. Never retried:
// the caller's context ending, a redirect refused. Retry-After, when sent,
// replaces the backoff, capped at the longest wait.
func (c *Client) retryWait(ctx context.Context, x *outgoing, attempt int, resp *http.Response, err error, wrote bool) (time.Duration, bool) {
	if attempt > x.maxRetries || ctx.Err() != nil {
		return 0, false
	}
	wait := backoff(attempt, c.retryMin, c.retryMax)
	if resp == nil || (err != nil && !errors.Is(err, ErrResponseTooLarge)) {
		if errors.Is(err, errRedirect) || lasting(err) {
			return 0, false
		}
		return wait, x.idempotent || !wrote
	}
	code := resp.StatusCode
	if code != http.StatusTooManyRequests && (code < 500 || code > 599 || code == http.StatusNotImplemented || !x.idempotent) {
		return 0, false
	}
	if ra, ok := retryAfter(resp.Header, time.Now()); ok {
		wait = min(ra, c.retryMax)
	}
	return wait, true
}

// lasting reports whether a failure to connect will not go away on its
// own: no such host, or a certificate that does not verify.
func lasting(err error) bool {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	return (errors.As(err, &dnsErr) && dnsErr.IsNotFound) || errors.As(err, &certErr)
}

// backoff is the wait before retry n (1-based): min·2^(n-1), capped at max,
// with "equal jitter" (a random point in its upper half), so that many
// clients retrying at once spread out and none retries sooner than half the
// nominal wait.
func backoff(n int, min, max time.Duration) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		if d > max/2 { // doubling would pass max, or overflow
			d = max
			break
		}
		d *= 2
	}
	if d > max {
		d = max
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryAfter reads Retry-After as seconds or as an HTTP date, capped at
// maxRetryAfter in either form: a date years ahead is no more a reason to
// wait than as many seconds.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	const maxRetryAfter = 24 * time.Hour
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// sleep waits d unless ctx ends first. A wait that would outlast the
// context's deadline is not started: it reports false at once.
func sleep(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
