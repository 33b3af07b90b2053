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

// Polling defaults: a read at once, then each read a tenth of the time
// waited so far after the one before began, at least 2s and at most 30s
// after it (30s from five minutes on). A job that ends T into the wait is
// seen ended by T + max(2s, T/10), the time of a read aside.
const (
	DefaultPollInterval    = 2 * time.Second
	DefaultMaxPollInterval = 30 * time.Second
)

// minPollInterval is the shortest time between reads. Shorter ones only
// load the API and spend the rate limit: WithPollInterval(time.Nanosecond)
// once made 11,107 requests in a second.
const minPollInterval = 10 * time.Millisecond

// WithPollInterval sets the shortest time from the start of one read to
// the start of the next, which is a tenth of the time waited so far when
// that is longer (up to WithMaxPollInterval): the second read begins d
// after the first, and reads stay d apart until the wait has lasted 10·d.
// d ≤ 0 keeps the default, 2s; a d below 10ms is taken as 10ms.
func WithPollInterval(d time.Duration) WaitOption {
	return func(w *waitConfig) {
		if d > 0 {
			w.interval = d
		}
	}
}

// WithMaxPollInterval sets the longest time from the start of one read to
// the start of the next, reached once the wait has lasted 10·d. d ≤ 0
// keeps the default, 30s (five minutes into the wait); a d below
// WithPollInterval's (at least 10ms) is raised to it, and reads are then
// that far apart throughout.
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
// the caller's to judge. It reads at once; each later read begins a tenth
// of the time waited so far after the one before began (counted from its
// start, so that a slow read does not delay the next), within the bounds
// of WithPollInterval (default 2s) and WithMaxPollInterval (30s). A job
// that ends T into the wait is so seen ended by T + max(2s, T/10), the
// time of a read aside. When ctx ends first, the error is a *WaitError
// that names the phase the job was last seen in and wraps ctx's error. A
// read that fails for good (not found, unauthorized, retries used up) ends
// the wait with that error.
func (c *Client) WaitForIndexingJob(ctx context.Context, id string, opts ...WaitOption) (*IndexingJob, error) {
	if err := checkUUID("indexing job", id); err != nil {
		return nil, err
	}
	w := newWaitConfig(opts)
	var last Phase
	var job *IndexingJob
	var reported []byte // the job last given to w.progress, encoded
	polls, err := w.poll(ctx, func() (bool, error) {
		var err error
		if job, err = c.GetIndexingJob(ctx, id); err != nil {
			return false, err
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
		return last.Terminal(), nil
	})
	switch {
	case err == nil:
		return job, nil
	case ctx.Err() != nil:
		return nil, &WaitError{UUID: id, LastPhase: last, Polls: polls, Err: ctx.Err()}
	}
	return nil, err
}

// poll calls read until it says it is done or fails, on the schedule of
// w: at once, then each read gap after the one before began. It returns
// how many reads it made, and read's error, or ctx's when that ended the
// wait first.
func (w *waitConfig) poll(ctx context.Context, read func() (done bool, err error)) (int, error) {
	start := w.now()
	for polls := 1; ; polls++ {
		began := w.now()
		done, err := read()
		if done || err != nil {
			return polls, err
		}
		next := began.Add(w.gap(began.Sub(start)))
		if !w.sleep(ctx, max(next.Sub(w.now()), 0)) {
			return polls, ctx.Err()
		}
	}
}

// newWaitConfig applies opts to the defaults: the shortest time between
// reads at least minPollInterval, the longest at least the shortest.
func newWaitConfig(opts []WaitOption) waitConfig {
	w := waitConfig{interval: DefaultPollInterval, maxInterval: DefaultMaxPollInterval, now: time.Now, sleep: sleep}
	for _, o := range opts {
		o(&w)
	}
	w.interval = max(w.interval, minPollInterval)
	w.maxInterval = max(w.maxInterval, w.interval)
	return w
}

// gap is how long after a read begins the next one does, when the wait
// has lasted waited: a tenth of it, at least w.interval and at most
// w.maxInterval. The first read after a job ended T into the wait so
// begins at most max(w.interval, T/10) after the end.
func (w *waitConfig) gap(waited time.Duration) time.Duration {
	return min(max(waited/10, w.interval), w.maxInterval)
}
