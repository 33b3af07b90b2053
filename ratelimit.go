package indexingjobs

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// RateLimit is the request budget of the token, as the last response
// reported it. The zero value means no response has said.
type RateLimit struct {
	Limit     int // requests the token may make in any one hour
	Remaining int // requests it may still make now
	// Reset is when the oldest request counted in the last hour expires,
	// and Remaining grows by one. Each request has its own one-hour timer:
	// there is no fixed hourly window that starts again.
	Reset time.Time
}

// rateLimitFrom reads the ratelimit-* headers. A header that is missing,
// not a number, negative or beyond any real value leaves its field zero: a
// bad header never fails a call.
func rateLimitFrom(h http.Header) (RateLimit, bool) {
	var rl RateLimit
	limit, okL := headerInt(h, "Ratelimit-Limit", math.MaxInt32)
	remaining, okR := headerInt(h, "Ratelimit-Remaining", math.MaxInt32)
	reset, okT := headerInt(h, "Ratelimit-Reset", maxResetUnix)
	if !okL && !okR && !okT {
		return rl, false
	}
	rl.Limit, rl.Remaining = int(limit), int(remaining)
	if okT {
		rl.Reset = time.Unix(reset, 0)
	}
	return rl, true
}

// maxResetUnix is the year 2200 in Unix seconds: no real reset is later.
const maxResetUnix = 7258118400

// headerInt reads a header as an integer in [0, max]; anything else is 0,
// false.
func headerInt(h http.Header, key string, max int64) (int64, bool) {
	v, err := strconv.ParseInt(h.Get(key), 10, 64)
	if err != nil || v < 0 || v > max {
		return 0, false
	}
	return v, true
}
