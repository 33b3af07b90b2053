package indexingjobstest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// clockedServer is a server without listeners whose clock the test moves.
func clockedServer(t *testing.T, opts ...Option) (*Server, *time.Time, KnowledgeBase) {
	t.Helper()
	now := time.Date(2026, 11, 2, 9, 14, 5, 0, time.UTC)
	s := newServer(append([]Option{WithJobDuration(10 * time.Second)}, opts...)...)
	s.now = func() time.Time { return now }
	kb := NewKnowledgeBase(2)
	s.AddKnowledgeBase(kb)
	return s, &now, kb
}

func (s *Server) jobAt(t *testing.T, now *time.Time, at time.Time, id string) indexingjobs.IndexingJob {
	t.Helper()
	*now = at
	job, ok := s.Job(id)
	require.True(t, ok)
	return job
}

// TestStartedJobTimeline: pending for the first fifth of the duration,
// then the data sources one after another in equal shares, their counts
// growing with the time spent on them, then the outcome; nothing changes
// after that.
func TestStartedJobTimeline(t *testing.T) {
	s, now, kb := clockedServer(t)
	t0 := *now
	started, err := s.start(kb.UUID, nil)
	require.NoError(t, err)
	id := started.UUID
	a, b := sizeOf(kb.DataSourceUUIDs[0]), sizeOf(kb.DataSourceUUIDs[1])
	sec := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Second))) }

	job := s.jobAt(t, now, sec(1.9), id)
	assert.Equal(t, started, job, "pending, as started")
	assert.Equal(t, indexingjobs.StatusPending, job.Status)
	assert.True(t, job.StartedAt.IsZero())

	job = s.jobAt(t, now, sec(2), id)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase)
	assert.Equal(t, indexingjobs.StatusInProgress, job.Status)
	assert.Equal(t, sec(2), job.StartedAt)
	assert.Equal(t, indexingjobs.DataSourceStatusInProgress, job.DataSourceJobs[0].Status)
	assert.Equal(t, indexingjobs.Uint64(0), job.DataSourceJobs[0].IndexedItemCount)
	assert.Equal(t, indexingjobs.IndexedDataSource{DataSourceUUID: kb.DataSourceUUIDs[1]}, job.DataSourceJobs[1], "its turn has not come")

	job = s.jobAt(t, now, sec(4), id) // half way through the first data source
	ds := job.DataSourceJobs[0]
	assert.Equal(t, indexingjobs.Uint64(a.items/2), ds.IndexedItemCount)
	assert.Equal(t, indexingjobs.Uint64(a.files/2), ds.IndexedFileCount)
	assert.Equal(t, indexingjobs.Uint64(a.bytes/2), ds.TotalBytesIndexed)
	assert.Equal(t, indexingjobs.Uint64(a.files), ds.TotalFileCount)
	assert.Equal(t, indexingjobs.Uint64(a.bytes), ds.TotalBytes)
	assert.Equal(t, sec(2), ds.StartedAt)
	assert.Equal(t, indexingjobs.Uint64(a.items/2), job.TotalItemsIndexed)
	assert.Equal(t, job.TotalItemsIndexed*tokensPerItem, job.TotalTokens)
	assert.Equal(t, int64(0), job.CompletedDatasources)
	assert.Equal(t, sec(4), job.UpdatedAt)

	job = s.jobAt(t, now, sec(7), id)
	assert.Equal(t, indexingjobs.DataSourceStatusUpdated, job.DataSourceJobs[0].Status)
	assert.Equal(t, sec(6), job.DataSourceJobs[0].CompletedAt)
	assert.Equal(t, indexingjobs.Uint64(a.items), job.DataSourceJobs[0].IndexedItemCount)
	assert.Equal(t, indexingjobs.DataSourceStatusInProgress, job.DataSourceJobs[1].Status)
	assert.Equal(t, sec(6), job.DataSourceJobs[1].StartedAt)
	assert.Equal(t, int64(1), job.CompletedDatasources)
	assert.Equal(t, indexingjobs.Uint64(a.items+b.items/4), job.TotalItemsIndexed)
	assert.False(t, job.IsReportAvailable)

	job = s.jobAt(t, now, sec(10), id)
	assert.Equal(t, indexingjobs.PhaseSucceeded, job.Phase)
	assert.Equal(t, indexingjobs.StatusCompleted, job.Status)
	assert.Equal(t, sec(10), job.FinishedAt)
	assert.Equal(t, sec(10), job.UpdatedAt)
	assert.Equal(t, int64(2), job.CompletedDatasources)
	assert.Equal(t, indexingjobs.Uint64(a.items+b.items), job.TotalItemsIndexed)
	assert.True(t, job.IsReportAvailable)
	for i, size := range []size{a, b} {
		ds := job.DataSourceJobs[i]
		assert.Equal(t, indexingjobs.DataSourceStatusUpdated, ds.Status)
		assert.Equal(t, indexingjobs.Uint64(size.files), ds.IndexedFileCount)
		assert.Equal(t, indexingjobs.Uint64(size.bytes), ds.TotalBytesIndexed)
		assert.Empty(t, ds.ErrorMsg)
	}
	assert.Equal(t, job, s.jobAt(t, now, sec(1000), id), "a finished job does not change")
}

func TestStartedJobOutcomes(t *testing.T) {
	for _, p := range []indexingjobs.Phase{indexingjobs.PhaseFailed, indexingjobs.PhaseError, indexingjobs.PhaseCancelled} {
		t.Run(p.String(), func(t *testing.T) {
			s, now, kb := clockedServer(t, WithJobOutcome(p))
			t0 := *now
			started, err := s.start(kb.UUID, nil)
			require.NoError(t, err)
			b := sizeOf(kb.DataSourceUUIDs[1])

			job := s.jobAt(t, now, t0.Add(8*time.Second), started.UUID)
			assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "it fails at the end")
			assert.Equal(t, indexingjobs.Uint64(b.items/4), job.DataSourceJobs[1].IndexedItemCount, "half its pace")

			job = s.jobAt(t, now, t0.Add(10*time.Second), started.UUID)
			assert.Equal(t, p, job.Phase)
			assert.Equal(t, t0.Add(10*time.Second), job.FinishedAt)
			assert.Equal(t, int64(1), job.CompletedDatasources)
			assert.Equal(t, indexingjobs.DataSourceStatusUpdated, job.DataSourceJobs[0].Status)
			last := job.DataSourceJobs[1]
			assert.Equal(t, indexingjobs.Uint64(b.items/2), last.IndexedItemCount)
			if p == indexingjobs.PhaseCancelled {
				assert.Equal(t, indexingjobs.StatusCancelled, job.Status)
				assert.Equal(t, indexingjobs.DataSourceStatusCancelled, last.Status)
				assert.False(t, job.IsReportAvailable)
				return
			}
			assert.Equal(t, indexingjobs.StatusFailed, job.Status)
			assert.True(t, job.IsReportAvailable)
			assert.Equal(t, indexingjobs.DataSourceStatusFailed, last.Status)
			assert.NotEmpty(t, last.ErrorMsg)
			assert.NotEmpty(t, last.ErrorDetails)
			assert.Equal(t, indexingjobs.Uint64(b.items)-last.IndexedItemCount, last.FailedItemCount)
			assert.Equal(t, last.FailedItemCount, job.TotalItemsFailed)
		})
	}
}

// TestCancelStopsAStartedJob: a cancel freezes the job where it was, at
// once or when a delayed cancel takes effect.
func TestCancelStopsAStartedJob(t *testing.T) {
	s, now, kb := clockedServer(t)
	t0 := *now
	a := sizeOf(kb.DataSourceUUIDs[0])
	started, err := s.start(kb.UUID, nil)
	require.NoError(t, err)
	*now = t0.Add(4 * time.Second)
	job, err := s.cancel(started.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
	assert.Equal(t, indexingjobs.StatusCancelled, job.Status)
	assert.Equal(t, t0.Add(4*time.Second), job.FinishedAt)
	assert.Equal(t, indexingjobs.DataSourceStatusCancelled, job.DataSourceJobs[0].Status)
	assert.Equal(t, indexingjobs.Uint64(a.items/2), job.DataSourceJobs[0].IndexedItemCount, "as far as it got")
	assert.Equal(t, indexingjobs.DataSourceStatusCancelled, job.DataSourceJobs[1].Status)
	assert.False(t, job.IsReportAvailable)
	assert.Equal(t, job, s.jobAt(t, now, t0.Add(time.Minute), started.UUID), "no progress after the cancel")

	s.cancelDelay = 2 * time.Second
	*now = t0
	started, err = s.start(kb.UUID, nil)
	require.NoError(t, err)
	*now = t0.Add(2 * time.Second)
	job, err = s.cancel(started.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "not in effect yet")
	job = s.jobAt(t, now, t0.Add(3*time.Second), started.UUID)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase)
	assert.Equal(t, indexingjobs.Uint64(a.items/4), job.DataSourceJobs[0].IndexedItemCount, "still running")
	job = s.jobAt(t, now, t0.Add(time.Minute), started.UUID)
	assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
	assert.Equal(t, t0.Add(4*time.Second), job.FinishedAt, "when the cancel took effect")
	assert.Equal(t, indexingjobs.Uint64(a.items/2), job.DataSourceJobs[0].IndexedItemCount, "where it was then")

	*now = t0
	started, err = s.start(kb.UUID, nil)
	require.NoError(t, err)
	*now = t0.Add(9 * time.Second)
	_, err = s.cancel(started.UUID)
	require.NoError(t, err)
	job = s.jobAt(t, now, t0.Add(time.Minute), started.UUID)
	assert.Equal(t, indexingjobs.PhaseSucceeded, job.Phase, "it ended before the cancel took effect")
}

func TestZeroJobDurationEndsAtTheFirstRead(t *testing.T) {
	s, now, kb := clockedServer(t, WithJobDuration(0))
	started, err := s.start(kb.UUID, nil)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhasePending, started.Phase, "the start's answer")
	job := s.jobAt(t, now, *now, started.UUID)
	assert.Equal(t, indexingjobs.PhaseSucceeded, job.Phase)
	assert.Equal(t, int64(2), job.CompletedDatasources)
}

// TestCancelOfAPendingJobRunsNoDataSource: a pending job whose cancel
// takes effect later does not start meanwhile: it ends cancelled, no data
// source having run or counted an item.
func TestCancelOfAPendingJobRunsNoDataSource(t *testing.T) {
	s, now, kb := clockedServer(t, WithCancelDelay(5*time.Second))
	t0 := *now
	started, err := s.start(kb.UUID, nil)
	require.NoError(t, err)
	*now = t0.Add(time.Second) // pending until 2s
	job, err := s.cancel(started.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhasePending, job.Phase)
	assert.Equal(t, indexingjobs.PhasePending, s.jobAt(t, now, t0.Add(4*time.Second), started.UUID).Phase, "it does not start")
	job = s.jobAt(t, now, t0.Add(time.Minute), started.UUID)
	assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
	assert.True(t, job.StartedAt.IsZero(), "it never started")
	assert.Equal(t, t0.Add(6*time.Second), job.FinishedAt, "when the cancel took effect")
	assert.Zero(t, job.CompletedDatasources)
	assert.Zero(t, job.TotalItemsIndexed)
	assert.Zero(t, job.TotalTokens)
	for _, ds := range job.DataSourceJobs {
		assert.Equal(t, indexingjobs.IndexedDataSource{DataSourceUUID: ds.DataSourceUUID, Status: indexingjobs.DataSourceStatusCancelled}, ds,
			"no items for a data source that never ran")
	}
	assert.False(t, job.IsReportAvailable)
}
