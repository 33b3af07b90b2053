package indexingjobs

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffBounds(t *testing.T) {
	min, max := 500*time.Millisecond, 8*time.Second
	for n, nominal := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 5: 8 * time.Second, 9: 8 * time.Second, 60: 8 * time.Second} {
		for range 200 {
			d := backoff(n, min, max)
			assert.GreaterOrEqual(t, d, nominal/2, "retry %d", n)
			assert.LessOrEqual(t, d, nominal, "retry %d", n)
		}
	}
}

// TestBackoffNeverOverflows: with the longest wait left unbounded
// (math.MaxInt64) and many retries, doubling must stop at the cap, not
// wrap to a negative wait and retry at once.
func TestBackoffNeverOverflows(t *testing.T) {
	for _, min := range []time.Duration{time.Second, time.Duration(math.MaxInt64/2 + 1)} {
		for n := 1; n <= 100; n++ {
			assert.GreaterOrEqual(t, backoff(n, min, math.MaxInt64), min/2, "retry %d after %s", n, min)
		}
	}
}

func TestBackoffJitters(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(3, 500*time.Millisecond, 8*time.Second)] = true
	}
	assert.Greater(t, len(seen), 10, "waits must spread out")
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"30", 30 * time.Second, true},
		{"0", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		assert.Equal(t, tt.ok, ok, tt.value)
		assert.Equal(t, tt.want, got, tt.value)
	}
}
