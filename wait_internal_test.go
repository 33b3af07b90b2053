package indexingjobs

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPollGapIsATenthOfTheWaitWithinItsBounds: the time from the start of
// a read to the start of the next is a tenth of the time waited so far,
// at least the shortest (WithPollInterval, at least 10ms) and at most the
// longest (WithMaxPollInterval, at least the shortest), whatever the
// options and however long the wait, near math.MaxInt64 included.
func TestPollGapIsATenthOfTheWaitWithinItsBounds(t *testing.T) {
	for _, tc := range []struct {
		opts   []WaitOption
		waited time.Duration
		want   time.Duration
	}{
		{nil, 0, 2 * time.Second},
		{nil, 19 * time.Second, 2 * time.Second},
		{nil, 20 * time.Second, 2 * time.Second},
		{nil, 25 * time.Second, 2500 * time.Millisecond},
		{nil, 299 * time.Second, 29900 * time.Millisecond},
		{nil, 5 * time.Minute, 30 * time.Second},
		{nil, time.Hour, 30 * time.Second},
		{nil, math.MaxInt64, 30 * time.Second},
		{[]WaitOption{WithPollInterval(time.Nanosecond)}, 0, minPollInterval},
		{[]WaitOption{WithPollInterval(time.Nanosecond)}, 50 * time.Millisecond, minPollInterval},
		{[]WaitOption{WithPollInterval(time.Nanosecond)}, time.Second, 100 * time.Millisecond},
		{[]WaitOption{WithPollInterval(10 * time.Millisecond), WithMaxPollInterval(40 * time.Millisecond)}, time.Second, 40 * time.Millisecond},
		{[]WaitOption{WithPollInterval(time.Minute), WithMaxPollInterval(time.Second)}, time.Hour, time.Minute},
		{[]WaitOption{WithPollInterval(-time.Second), WithMaxPollInterval(0)}, time.Minute, 6 * time.Second},
		{[]WaitOption{WithPollInterval(time.Second), WithMaxPollInterval(time.Second)}, time.Hour, time.Second},
		{[]WaitOption{WithPollInterval(math.MaxInt64)}, 0, math.MaxInt64},
	} {
		w := newWaitConfig(tc.opts)
		assert.Equal(t, tc.want, w.gap(tc.waited), "waited %v, %d options", tc.waited, len(tc.opts))
	}

	durations := []time.Duration{-time.Second, 0, time.Nanosecond, time.Microsecond, 9 * time.Millisecond, minPollInterval,
		11 * time.Millisecond, 2 * time.Second, 30 * time.Second, time.Hour, math.MaxInt64 / 2, math.MaxInt64 - 1, math.MaxInt64}
	for _, first := range durations {
		for _, longest := range durations {
			w := newWaitConfig([]WaitOption{WithPollInterval(first), WithMaxPollInterval(longest)})
			require.GreaterOrEqual(t, w.interval, minPollInterval, "first %v, longest %v", first, longest)
			require.GreaterOrEqual(t, w.maxInterval, w.interval)
			if first >= minPollInterval {
				assert.Equal(t, first, w.interval, "a shortest gap above the floor is kept")
			}
			before := time.Duration(0)
			for _, waited := range durations {
				if waited < 0 {
					continue
				}
				gap := w.gap(waited)
				require.True(t, w.interval <= gap && gap <= w.maxInterval, "first %v, longest %v, waited %v: gap %v", first, longest, waited, gap)
				require.GreaterOrEqual(t, gap, before, "the gap never shrinks as the wait goes on")
				before = gap
			}
		}
	}
}

// TestDefaultPollingSeesTheEndWithinATenth: on the default schedule (a
// read at once, then each after the gap from the start of the one before),
// a job that ends at any time T in its first two hours, to the tenth of a
// second, is read ended by T + max(2s, T/10); the first five minutes take
// 39 reads, and every 30s after that one more.
func TestDefaultPollingSeesTheEndWithinATenth(t *testing.T) {
	w := newWaitConfig(nil)
	var reads []time.Duration // when each read begins
	for at := time.Duration(0); at <= 2*time.Hour+time.Minute; at += w.gap(at) {
		reads = append(reads, at)
	}
	next := 0
	for end := time.Duration(0); end <= 2*time.Hour; end += 100 * time.Millisecond {
		for reads[next] < end {
			next++
		}
		require.LessOrEqual(t, reads[next], end+max(2*time.Second, end/10), "a job that ends at %v", end)
	}
	inFive := 0
	for _, at := range reads {
		if at < 5*time.Minute {
			inFive++
		}
	}
	assert.Equal(t, 39, inFive, "reads in the first five minutes")
	assert.Equal(t, 30*time.Second, reads[len(reads)-1]-reads[len(reads)-2])
}

// WithWaitClock makes a wait read the time from now and wait with sleep
// (which reports whether it waited), for the tests of the package's users'
// view (wait_test.go): a clock that moves only when the wait sleeps shows
// when each read begins, with no real time spent.
func WithWaitClock(now func() time.Time, sleep func(context.Context, time.Duration) bool) WaitOption {
	return func(w *waitConfig) { w.now, w.sleep = now, sleep }
}
