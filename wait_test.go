package indexingjobs_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
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

func TestWaitBacksOff(t *testing.T) {
	var times []time.Time
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		times = append(times, time.Now())
		phase := "BATCH_JOB_PHASE_RUNNING"
		if len(times) == 6 {
			phase = cancelled
		}
		respond(200, jobBody(phase))(w, r)
	})
	_, err := newClient(t, srv.URL).WaitForIndexingJob(context.Background(), jobID,
		indexingjobs.WithPollInterval(10*time.Millisecond), indexingjobs.WithMaxPollInterval(40*time.Millisecond))
	require.NoError(t, err)
	require.Len(t, times, 6)
	// Waits are 10, 15, 22.5, 33.75, then capped at 40ms: they never shrink
	// below the first interval and the last ones are at least 30ms.
	for i := 1; i < len(times); i++ {
		assert.GreaterOrEqual(t, times[i].Sub(times[i-1]), 10*time.Millisecond)
	}
	assert.GreaterOrEqual(t, times[5].Sub(times[4]), 30*time.Millisecond)
}

func TestWaitEndsOnAPermanentError(t *testing.T) {
	srv := newScripted(t, respond(200, jobBody("BATCH_JOB_PHASE_RUNNING")), respond(404, `{"id":"not_found","message":"gone"}`))
	_, err := newClient(t, srv.URL).WaitForIndexingJob(context.Background(), jobID, indexingjobs.WithPollInterval(time.Millisecond))
	assert.True(t, indexingjobs.IsNotFound(err))
}

func TestPhases(t *testing.T) {
	for p, want := range map[indexingjobs.Phase]bool{
		indexingjobs.PhaseSucceeded: true, indexingjobs.PhaseFailed: true, indexingjobs.PhaseError: true, indexingjobs.PhaseCancelled: true,
		indexingjobs.PhaseUnknown: false, indexingjobs.PhasePending: false, indexingjobs.PhaseRunning: false, "BATCH_JOB_PHASE_PAUSED": false,
	} {
		assert.Equal(t, want, p.Terminal(), p)
	}
	var absent indexingjobs.Phase
	assert.False(t, absent.Known(), "a phase the API left out")
	assert.Equal(t, "BATCH_JOB_PHASE_UNKNOWN", absent.String())
	assert.True(t, indexingjobs.PhaseRunning.Known())
	assert.False(t, indexingjobs.Phase("BATCH_JOB_PHASE_PAUSED").Known())
	assert.Equal(t, "BATCH_JOB_PHASE_PAUSED", indexingjobs.Phase("BATCH_JOB_PHASE_PAUSED").String(), "kept as it came")
	assert.True(t, indexingjobs.StatusCancelled.Known())
	assert.False(t, indexingjobs.Status("INDEX_JOB_STATUS_PAUSED").Known())
	assert.True(t, indexingjobs.DataSourceStatusCancelled.Known())
	assert.False(t, indexingjobs.DataSourceStatus("DATA_SOURCE_STATUS_X").Known())
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

// TestPollingHasAFloor: a wait asked shorter than the shortest allowed
// (10ms, for WithPollInterval and WithMaxPollInterval alike) polls as
// that shortest one does. Each case waits on a job that never ends beside
// a reference that asks for the floor itself, under one context that the
// reference's server cancels at its fifth read; the case may then have
// read about as often, not more than twice as often. No clock is read:
// before, WithPollInterval(time.Nanosecond) read thousands of times
// while the reference read five.
func TestPollingHasAFloor(t *testing.T) {
	const reads = 5
	floor := 10 * time.Millisecond
	for _, tc := range []struct {
		name             string
		probe, reference []indexingjobs.WaitOption
	}{
		{"first wait", []indexingjobs.WaitOption{indexingjobs.WithPollInterval(time.Nanosecond)},
			[]indexingjobs.WaitOption{indexingjobs.WithPollInterval(floor)}},
		{"first and longest wait", []indexingjobs.WaitOption{indexingjobs.WithPollInterval(time.Nanosecond), indexingjobs.WithMaxPollInterval(time.Nanosecond)},
			[]indexingjobs.WaitOption{indexingjobs.WithPollInterval(floor), indexingjobs.WithMaxPollInterval(floor)}},
		{"longest wait", []indexingjobs.WaitOption{indexingjobs.WithPollInterval(floor), indexingjobs.WithMaxPollInterval(time.Microsecond)},
			[]indexingjobs.WaitOption{indexingjobs.WithPollInterval(floor), indexingjobs.WithMaxPollInterval(floor)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			running := respond(200, jobBody("BATCH_JOB_PHASE_RUNNING"))
			var referenceReads atomic.Int32
			reference := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
				if referenceReads.Add(1) == reads {
					cancel()
				}
				running(w, r)
			})
			probe := newScripted(t, running)

			done := make(chan error, 1)
			go func() {
				_, err := newClient(t, reference.URL).WaitForIndexingJob(ctx, jobID, tc.reference...)
				done <- err
			}()
			_, err := newClient(t, probe.URL).WaitForIndexingJob(ctx, jobID, tc.probe...)
			var waitErr *indexingjobs.WaitError
			require.ErrorAs(t, err, &waitErr)
			assert.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, <-done, context.Canceled)
			assert.Equal(t, reads, reference.count())
			assert.LessOrEqual(t, probe.count(), 2*reads, "reads while the reference made %d", reads)
			assert.LessOrEqual(t, waitErr.Polls, 2*reads)
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
	const source = `,"data_source_jobs":[{"data_source_uuid":"` + dsA + `","indexed_item_count":"7"}]`
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
