package indexingjobs

import (
	"net/http"
	"strconv"
	"time"
)

// RateLimit is the hourly request budget of the token, as the last response
// reported it. The zero value means no response has said.
type RateLimit struct {
	Limit     int       // requests an hour
	Remaining int       // requests left in this hour
	Reset     time.Time // when the hour starts again
}

// rateLimitFrom reads the ratelimit-* headers. Headers that are missing or
// malformed leave their field zero: a bad header never fails a call.
func rateLimitFrom(h http.Header) (RateLimit, bool) {
	var rl RateLimit
	limit, okL := headerInt(h, "Ratelimit-Limit")
	remaining, okR := headerInt(h, "Ratelimit-Remaining")
	reset, okT := headerInt(h, "Ratelimit-Reset")
	if !okL && !okR && !okT {
		return rl, false
	}
	rl.Limit, rl.Remaining = int(limit), int(remaining)
	if okT {
		rl.Reset = time.Unix(reset, 0)
	}
	return rl, true
}

func headerInt(h http.Header, key string) (int64, bool) {
	v, err := strconv.ParseInt(h.Get(key), 10, 64)
	return v, err == nil && v >= 0
}
