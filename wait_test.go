package indexingjobs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

func TestWaitReturnsTheTerminalJob(t *testing.T) {
	for _, final := range []string{"BATCH_JOB_PHASE_CANCELLED", "BATCH_JOB_PHASE_SUCCEEDED", "BATCH_JOB_PHASE_FAILED", "BATCH_JOB_PHASE_ERROR"} {
		srv := newScripted(t,
			respond(200, jobBody("BATCH_JOB_PHASE_PENDING")),
			respond(200, jobBody("BATCH_JOB_PHASE_RUNNING")),
			respond(200, jobBody(final)))
		job, err := newClient(t, srv.URL).WaitForIndexingJob(context.Background(), jobID, indexingjobs.WithPollInterval(time.Millisecond))
		require.NoError(t, err)
		assert.Equal(t, indexingjobs.Phase(final), job.Phase)
		assert.True(t, job.Phase.Terminal())
		assert.Equal(t, 3, srv.count())
	}
}

func TestWaitStopsAtDeadlineNamingLastPhase(t *testing.T) {
	srv := newScripted(t, respond(200, jobBody("BATCH_JOB_PHASE_RUNNING")))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newClient(t, srv.URL).WaitForIndexingJob(ctx, jobID, indexingjobs.WithPollInterval(5*time.Millisecond))
	var waitErr *indexingjobs.WaitError
	require.ErrorAs(t, err, &waitErr)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, indexingjobs.PhaseRunning, waitErr.LastPhase)
	assert.Contains(t, err.Error(), "BATCH_JOB_PHASE_RUNNING")
	// The read the deadline cut short counts as made, though it may not
	// have reached the server.
	assert.Contains(t, []int{srv.count(), srv.count() + 1}, waitErr.Polls)
	assert.Greater(t, waitErr.Polls, 1)
}

func TestWaitEndsOnAPermanentError(t *testing.T) {
	srv := newScripted(t, respond(200, jobBody("BATCH_JOB_PHASE_RUNNING")), respond(404, `{"id":"not_found","message":"gone"}`))
	_, err := newClient(t, srv.URL).WaitForIndexingJob(context.Background(), jobID, indexingjobs.WithPollInterval(time.Millisecond))
	assert.True(t, indexingjobs.IsNotFound(err))
}

func TestWaitReportsEveryRead(t *testing.T) {
	srv := newScripted(t,
		respond(200, jobBody("BATCH_JOB_PHASE_PENDING")),
		respond(200, jobBody("BATCH_JOB_PHASE_RUNNING")),
		respond(200, jobBody(cancelled)))
	var seen []indexingjobs.Phase
	_, err := newClient(t, srv.URL).WaitForIndexingJob(context.Background(), jobID,
		indexingjobs.WithPollInterval(time.Millisecond),
		indexingjobs.WithProgress(func(job *indexingjobs.IndexingJob) { seen = append(seen, job.Phase) }))
	require.NoError(t, err)
	assert.Equal(t, []indexingjobs.Phase{indexingjobs.PhasePending, indexingjobs.PhaseRunning, indexingjobs.PhaseCancelled}, seen)
}

// TestPollingHasAFloor: however short the waits asked for (a nanosecond,
// first or longest), reads begin at least 10ms apart, so that a wait
// cannot spend the rate limit (WithPollInterval(time.Nanosecond) made
// 11,107 requests in a second before the floor). On the virtual clock, so
// that no real time is measured.
func TestPollingHasAFloor(t *testing.T) {
	for name, opts := range map[string][]indexingjobs.WaitOption{
		"first wait":             {indexingjobs.WithPollInterval(time.Nanosecond)},
		"first and longest wait": {indexingjobs.WithPollInterval(time.Nanosecond), indexingjobs.WithMaxPollInterval(time.Nanosecond)},
		"longest wait":           {indexingjobs.WithPollInterval(10 * time.Millisecond), indexingjobs.WithMaxPollInterval(time.Microsecond)},
	} {
		t.Run(name, func(t *testing.T) {
			_, began := waitFor(t, 300*time.Millisecond, 0, opts...)
			require.Greater(t, len(began), 2)
			for i := 1; i < len(began); i++ {
				assert.GreaterOrEqual(t, began[i]-began[i-1], 10*time.Millisecond, "read %d began %v after the one before", i+1, began[i]-began[i-1])
			}
			assert.LessOrEqual(t, len(began), 300/10+1, "at most a read each 10ms of a 300ms job")
		})
	}
}

// TestWaitReportsOnlyChanges: WithProgress is called on the first read,
// then only when the job differs from the one last reported, in any field
// the API sent; the last read, terminal, is reported. Before, every read
// was: the README's example printed "PENDING 0 of 3" three times.
func TestWaitReportsOnlyChanges(t *testing.T) {
	job := func(phase string, done int, extra string) http.HandlerFunc {
		return respond(200, fmt.Sprintf(`{"job":{"uuid":%q,"phase":%q,"completed_datasources":%d,"total_datasources":3%s}}`, jobID, phase, done, extra))
	}
	const updated = `,"updated_at":"2026-11-03T10:00:01Z"`
	source := `,"data_source_jobs":[{"data_source_uuid":"` + dsA + `","indexed_item_count":"7"}]`
	srv := newScripted(t,
		job("BATCH_JOB_PHASE_PENDING", 0, ""), job("BATCH_JOB_PHASE_PENDING", 0, ""), job("BATCH_JOB_PHASE_PENDING", 0, ""),
		job("BATCH_JOB_PHASE_RUNNING", 0, ""), job("BATCH_JOB_PHASE_RUNNING", 0, ""),
		job("BATCH_JOB_PHASE_RUNNING", 1, ""), job("BATCH_JOB_PHASE_RUNNING", 1, ""),
		job("BATCH_JOB_PHASE_RUNNING", 1, updated), job("BATCH_JOB_PHASE_RUNNING", 1, updated),
		job("BATCH_JOB_PHASE_RUNNING", 1, updated+source), job("BATCH_JOB_PHASE_RUNNING", 1, updated+source),
		job("BATCH_JOB_PHASE_RUNNING", 1, updated+strings.Replace(source, `"7"`, `"8"`, 1)),
		job(cancelled, 1, updated))
	var seen []string
	_, err := newClient(t, srv.URL).WaitForIndexingJob(context.Background(), jobID,
		indexingjobs.WithPollInterval(time.Millisecond), indexingjobs.WithMaxPollInterval(time.Millisecond),
		indexingjobs.WithProgress(func(j *indexingjobs.IndexingJob) {
			var items []string
			for _, ds := range j.DataSourceJobs {
				items = append(items, ds.IndexedItemCount.String())
			}
			seen = append(seen, fmt.Sprintf("%s %d of %d %s %v", j.Phase, j.CompletedDatasources, j.TotalDatasources, j.UpdatedAt.Format(time.TimeOnly), items))
		}))
	require.NoError(t, err)
	assert.Equal(t, 13, srv.count())
	assert.Equal(t, []string{
		"BATCH_JOB_PHASE_PENDING 0 of 3 00:00:00 []",
		"BATCH_JOB_PHASE_RUNNING 0 of 3 00:00:00 []",
		"BATCH_JOB_PHASE_RUNNING 1 of 3 00:00:00 []",
		"BATCH_JOB_PHASE_RUNNING 1 of 3 10:00:01 []",
		"BATCH_JOB_PHASE_RUNNING 1 of 3 10:00:01 [7]",
		"BATCH_JOB_PHASE_RUNNING 1 of 3 10:00:01 [8]",
		"BATCH_JOB_PHASE_CANCELLED 1 of 3 10:00:01 []",
	}, seen)
}

// virtualClock is a clock that moves only when told: when a wait sleeps on
// it, and when a read takes time. The fake reads it for the progress of
// its jobs, and the wait for when to read next, so that a wait of an hour
// takes none.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleep waits d at once, unless ctx has ended.
func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	c.advance(max(d, 0))
	return true
}

// waitFor starts a job of jobDuration on the fake and waits for it with
// opts, each read taking readTook of the virtual clock, and returns the
// job the wait returned and when each read began.
func waitFor(t *testing.T, jobDuration, readTook time.Duration, opts ...indexingjobs.WaitOption) (*indexingjobs.IndexingJob, []time.Duration) {
	t.Helper()
	clock := &virtualClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	fake := indexingjobstest.NewServer(indexingjobstest.WithClock(clock.Now), indexingjobstest.WithJobDuration(jobDuration))
	t.Cleanup(fake.Close)
	var mu sync.Mutex
	var start time.Time
	var began []time.Duration
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			mu.Lock()
			began = append(began, clock.Now().Sub(start))
			mu.Unlock()
			clock.advance(readTook) // the answer is of the job as it is at the end of the read
		}
		fake.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	client, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(front.URL), indexingjobs.WithToken(fake.Token()))
	require.NoError(t, err)
	ctx := context.Background()
	job, err := client.StartIndexingJob(ctx, fake.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(2)))
	require.NoError(t, err)
	start = clock.Now()
	job, err = client.WaitForIndexingJob(ctx, job.UUID, append([]indexingjobs.WaitOption{indexingjobs.WithWaitClock(clock.Now, clock.Sleep)}, opts...)...)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	return job, began
}

// TestWaitSeesTheEndSoonAfterIt: with the default polling, a job that ends
// T after the wait began is seen ended by T + max(2s, T/10): each read
// begins a tenth of the time waited so far after the one before, at least
// 2s and at most 30s after it. Before, the waits grew by half each time
// from 2s, and a job of 20s was seen at 26.4s, one of 5 minutes at 5m4s.
func TestWaitSeesTheEndSoonAfterIt(t *testing.T) {
	for _, d := range []time.Duration{300 * time.Millisecond, 2 * time.Second, 5 * time.Second, 19 * time.Second, 20 * time.Second,
		21 * time.Second, 59 * time.Second, 2 * time.Minute, 299 * time.Second, 301 * time.Second, 10 * time.Minute, time.Hour} {
		t.Run(d.String(), func(t *testing.T) {
			job, began := waitFor(t, d, 0)
			require.Equal(t, indexingjobs.PhaseSucceeded, job.Phase)
			seen := began[len(began)-1]
			assert.GreaterOrEqual(t, seen, d, "the last read is the first that saw the end")
			assert.LessOrEqual(t, seen, d+max(2*time.Second, d/10), "a job of %v seen ended at %v, after %d reads", d, seen, len(began))
			assert.Zero(t, began[0], "the first read is at once")
			for i := 1; i < len(began); i++ {
				want := min(max(began[i-1]/10, 2*time.Second), 30*time.Second)
				require.Equal(t, want, began[i]-began[i-1], "read %d began %v into the wait", i+1, began[i])
			}
		})
	}
}

// TestWaitCountsFromTheStartOfEachRead: the next read begins the poll
// interval after the one before began, so that the time a read takes is
// not added to it; a read that takes longer than that is followed at once.
// Before, the interval was waited after each read had ended.
func TestWaitCountsFromTheStartOfEachRead(t *testing.T) {
	for _, took := range []time.Duration{0, 400 * time.Millisecond, time.Second, 3 * time.Second} {
		t.Run(took.String(), func(t *testing.T) {
			_, began := waitFor(t, 30*time.Second, took, indexingjobs.WithPollInterval(time.Second), indexingjobs.WithMaxPollInterval(time.Second))
			for i := 1; i < len(began); i++ {
				assert.Equal(t, max(time.Second, took), began[i]-began[i-1], "read %d", i+1)
			}
			last := len(began) - 1 // the read that saw the end: the first answered 30s or more into the wait
			assert.GreaterOrEqual(t, began[last]+took, 30*time.Second)
			assert.Less(t, began[last-1]+took, 30*time.Second)
		})
	}
}
