package indexingjobs

import (
	"context"
	"math/rand/v2"
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

// sleep waits d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
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
