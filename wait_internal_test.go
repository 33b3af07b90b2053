package indexingjobs

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPollWaitsGrowToTheLongest: whatever the options, the first wait is
// at least the floor, and each wait is longer than the one before until
// it is the longest, which it then stays; none is ever longer, or
// negative (a wait near math.MaxInt64 grows without overflowing).
func TestPollWaitsGrowToTheLongest(t *testing.T) {
	durations := []time.Duration{-time.Second, 0, time.Nanosecond, time.Microsecond, 9 * time.Millisecond, minPollInterval,
		11 * time.Millisecond, 2 * time.Second, 30 * time.Second, time.Hour, math.MaxInt64 / 2, math.MaxInt64 - 1, math.MaxInt64}
	for _, first := range durations {
		for _, longest := range durations {
			w := newWaitConfig([]WaitOption{WithPollInterval(first), WithMaxPollInterval(longest)})
			require.GreaterOrEqual(t, w.interval, minPollInterval, "first %v, longest %v", first, longest)
			require.GreaterOrEqual(t, w.maxInterval, w.interval)
			if first >= minPollInterval {
				assert.Equal(t, first, w.interval, "a first wait above the floor is kept")
			}
			wait, steps := w.interval, 0
			for ; wait < w.maxInterval; steps++ {
				next := w.after(wait)
				require.Greater(t, next, wait, "first %v, longest %v: the wait after %v", first, longest, wait)
				require.LessOrEqual(t, next, w.maxInterval)
				wait = next
			}
			assert.Equal(t, w.maxInterval, w.after(wait), "the longest wait stays")
			assert.Less(t, steps, 200, "first %v, longest %v: grows by half each time", first, longest)
		}
	}
	w := newWaitConfig(nil)
	assert.Equal(t, DefaultPollInterval, w.interval)
	assert.Equal(t, DefaultMaxPollInterval, w.maxInterval)
	assert.Equal(t, 3*time.Second, w.after(2*time.Second), "half as long again")
}

// WithWaitClock makes a wait read the time from now and wait with sleep
// (which reports whether it waited), for the tests of the package's users'
// view (wait_test.go): a clock that moves only when the wait sleeps shows
// when each read begins, with no real time spent.
func WithWaitClock(now func() time.Time, sleep func(context.Context, time.Duration) bool) WaitOption {
	return func(w *waitConfig) { w.now, w.sleep = now, sleep }
}
