package indexingjobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// WaitOption configures WaitForIndexingJob.
type WaitOption func(*waitConfig)

type waitConfig struct {
	interval, maxInterval time.Duration
	progress              func(*IndexingJob)
	// now and sleep are the clock a wait reads and waits on: time.Now and
	// pause, but in tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) bool
}

// Polling defaults: the first read after 2s, each wait 1.5 times the last,
// at most 30s.
const (
	DefaultPollInterval    = 2 * time.Second
	DefaultMaxPollInterval = 30 * time.Second
)

// minPollInterval is the shortest wait between reads. Shorter ones only
// load the API and spend the rate limit: WithPollInterval(time.Nanosecond)
// made 11,107 requests in a second, since 1ns and half of it is still 1ns.
const minPollInterval = 10 * time.Millisecond

// WithPollInterval sets the wait after the first read; each later wait is
// half as long again as the one before, up to the longest wait
// (WithMaxPollInterval, default 30s, raised to d if shorter). d ≤ 0 keeps
// the default, 2s; a d below 10ms is taken as 10ms.
func WithPollInterval(d time.Duration) WaitOption {
	return func(w *waitConfig) {
		if d > 0 {
			w.interval = d
		}
	}
}

// WithMaxPollInterval sets the longest wait between reads. d ≤ 0 keeps the
// default, 30s; a d below the first wait (WithPollInterval, at least 10ms)
// is raised to it.
func WithMaxPollInterval(d time.Duration) WaitOption {
	return func(w *waitConfig) {
		if d > 0 {
			w.maxInterval = d
		}
	}
}

// WithProgress calls fn with the job when it changed: after the first
// read, then after each read whose job differs, in any field the API sent,
// from the one fn was last given. The last read, whose phase is terminal,
// is always one of them. fn runs on the goroutine that called
// WaitForIndexingJob, and must not keep the job past its return if it
// changes it.
func WithProgress(fn func(job *IndexingJob)) WaitOption {
	return func(w *waitConfig) { w.progress = fn }
}

// WaitError is returned when the context ends before the job does.
type WaitError struct {
	UUID      string // the job's
	LastPhase Phase  // empty if no read succeeded
	Polls     int    // reads made
	Err       error  // the context's error, or the last read's
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("indexingjobs: waiting for indexing job %s: %v; last seen in phase %s after %d %s",
		safetext.Line(e.UUID), e.Err, safetext.Line(e.LastPhase.String()), e.Polls, plural(e.Polls, "read"))
}

func (e *WaitError) Unwrap() error { return e.Err }

// WaitForIndexingJob reads the job until its phase is terminal (succeeded,
// failed, error or cancelled) and returns it; which of those it reached is
// the caller's to judge. It reads at once, then waits between reads as the
// options say. When ctx ends first, the error is a *WaitError that names the
// phase the job was last seen in and wraps ctx's error. A read that fails
// for good (not found, unauthorized, retries used up) ends the wait with
// that error.
func (c *Client) WaitForIndexingJob(ctx context.Context, id string, opts ...WaitOption) (*IndexingJob, error) {
	if err := checkUUID("indexing job", id); err != nil {
		return nil, err
	}
	w := newWaitConfig(opts)
	var last Phase
	var reported []byte // the job last given to w.progress, encoded
	wait := w.interval
	for polls := 1; ; polls++ {
		job, err := c.GetIndexingJob(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &WaitError{UUID: id, LastPhase: last, Polls: polls, Err: ctx.Err()}
			}
			return nil, err
		}
		last = job.Phase
		if w.progress != nil {
			// Compared encoded, by what the API sent: reflect.DeepEqual
			// would compare a time.Time's internals (its location
			// pointer), not the time the API wrote.
			now, err := json.Marshal(job)
			if err != nil || reported == nil || !bytes.Equal(now, reported) {
				reported = now
				w.progress(job)
			}
		}
		if last.Terminal() {
			return job, nil
		}
		if !w.sleep(ctx, wait) {
			return nil, &WaitError{UUID: id, LastPhase: last, Polls: polls, Err: ctx.Err()}
		}
		wait = w.after(wait)
	}
}

// newWaitConfig applies opts to the defaults: the first wait at least
// minPollInterval, the longest at least the first.
func newWaitConfig(opts []WaitOption) waitConfig {
	w := waitConfig{interval: DefaultPollInterval, maxInterval: DefaultMaxPollInterval, now: time.Now, sleep: pause}
	for _, o := range opts {
		o(&w)
	}
	w.interval = max(w.interval, minPollInterval)
	w.maxInterval = max(w.maxInterval, w.interval)
	return w
}

// pause waits d unless ctx ends first, and reports whether it waited.
func pause(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
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

// after returns the wait that follows wait: half as long again (wait is at
// least minPollInterval, so it grows), up to the longest, without
// overflowing near math.MaxInt64.
func (w *waitConfig) after(wait time.Duration) time.Duration {
	if wait >= w.maxInterval-wait/2 {
		return w.maxInterval
	}
	return wait + wait/2
}
