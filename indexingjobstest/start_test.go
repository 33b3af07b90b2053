package indexingjobstest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

func TestStartIndexingJob(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	kb := indexingjobstest.NewKnowledgeBase(3)
	assert.Equal(t, kb.UUID, srv.AddKnowledgeBase(kb))
	before := time.Now().Add(-time.Second)

	job, err := client.StartIndexingJob(ctx, kb.UUID)
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, job.UUID)
	assert.Equal(t, indexingjobs.PhasePending, job.Phase)
	assert.Equal(t, indexingjobs.StatusPending, job.Status)
	assert.Equal(t, kb.UUID, job.KnowledgeBaseUUID)
	assert.Equal(t, kb.DataSourceUUIDs, job.DataSourceUUIDs, "none given: all of them")
	assert.Equal(t, int64(3), job.TotalDatasources)
	require.Len(t, job.DataSourceJobs, 3)
	for i, ds := range job.DataSourceJobs {
		assert.Equal(t, kb.DataSourceUUIDs[i], ds.DataSourceUUID)
	}
	assert.True(t, job.CreatedAt.After(before) && job.CreatedAt.Before(time.Now().Add(time.Second)), "%v", job.CreatedAt)
	assert.Equal(t, job.CreatedAt, job.UpdatedAt)
	assert.True(t, job.StartedAt.IsZero())
	assert.True(t, job.FinishedAt.IsZero())
	assert.False(t, job.IsReportAvailable)
	stored, ok := srv.Job(job.UUID)
	require.True(t, ok)
	assert.Equal(t, *job, stored)

	some, err := client.StartIndexingJob(ctx, kb.UUID, kb.DataSourceUUIDs[2], kb.DataSourceUUIDs[0])
	require.NoError(t, err)
	assert.Equal(t, []string{kb.DataSourceUUIDs[2], kb.DataSourceUUIDs[0]}, some.DataSourceUUIDs)
	assert.Equal(t, int64(2), some.TotalDatasources)
	require.Len(t, some.DataSourceJobs, 2)
	assert.Equal(t, kb.DataSourceUUIDs[2], some.DataSourceJobs[0].DataSourceUUID)

	jobs, err := client.ListKnowledgeBaseIndexingJobs(ctx, kb.UUID)
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	assert.Equal(t, []string{some.UUID, job.UUID}, []string{jobs[0].UUID, jobs[1].UUID}, "newest first")
}

func TestStartNeedsAKnownKnowledgeBaseAndItsDataSources(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	kb, other := indexingjobstest.NewKnowledgeBase(2), indexingjobstest.NewKnowledgeBase(1)
	srv.AddKnowledgeBase(kb)
	srv.AddKnowledgeBase(other)
	for name, call := range map[string]func() error{
		"unknown knowledge base": func() error {
			_, err := client.StartIndexingJob(ctx, indexingjobstest.NewKnowledgeBase(0).UUID)
			return err
		},
		"unknown data source": func() error {
			_, err := client.StartIndexingJob(ctx, kb.UUID, kb.DataSourceUUIDs[0], "00000000-0000-4000-8000-000000000000")
			return err
		},
		"another knowledge base's data source": func() error {
			_, err := client.StartIndexingJob(ctx, kb.UUID, other.DataSourceUUIDs[0])
			return err
		},
	} {
		err := call()
		assert.True(t, indexingjobs.IsNotFound(err), "%s: %v", name, err)
	}
	page, err := client.ListIndexingJobsPage(ctx, 1, 0)
	require.NoError(t, err)
	assert.Zero(t, page.Total, "nothing was started")

	resp, body := send(t, srv, "POST", "/v2/gen-ai/indexing_jobs", srv.Token(), `{}`)
	assert.Equal(t, 400, resp.StatusCode, "no knowledge base")
	assert.Equal(t, "bad_request", errorBody(t, body).ID)
}

func TestAddJobMakesItsKnowledgeBaseKnown(t *testing.T) {
	srv, client := newFake(t)
	ctx := context.Background()
	added := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
	srv.AddJob(added)
	job, err := client.StartIndexingJob(ctx, added.KnowledgeBaseUUID)
	require.NoError(t, err)
	assert.Equal(t, added.DataSourceUUIDs, job.DataSourceUUIDs)

	kb := indexingjobstest.NewKnowledgeBase(2)
	srv.AddKnowledgeBase(kb)
	again := indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)
	again.KnowledgeBaseUUID = kb.UUID
	srv.AddJob(again)
	job, err = client.StartIndexingJob(ctx, kb.UUID)
	require.NoError(t, err)
	assert.Equal(t, kb.DataSourceUUIDs, job.DataSourceUUIDs, "a known knowledge base is left as it is")
}

func TestAddKnowledgeBaseKeepsACopy(t *testing.T) {
	srv, client := newFake(t)
	kb := indexingjobstest.NewKnowledgeBase(1)
	want := kb.DataSourceUUIDs[0]
	srv.AddKnowledgeBase(kb)
	kb.DataSourceUUIDs[0] = "00000000-0000-4000-8000-000000000000"
	job, err := client.StartIndexingJob(context.Background(), kb.UUID)
	require.NoError(t, err)
	assert.Equal(t, []string{want}, job.DataSourceUUIDs)

	id := srv.AddKnowledgeBase(indexingjobstest.KnowledgeBase{})
	assert.Len(t, id, 36, "a new uuid")
	job, err = client.StartIndexingJob(context.Background(), id)
	require.NoError(t, err)
	assert.Empty(t, job.DataSourceJobs, "no data sources")
	assert.Empty(t, indexingjobstest.NewKnowledgeBase(-1).DataSourceUUIDs)
}

// TestStartThenWait: a started job is seen pending, then running with its
// counts growing and its data sources done one after another, then
// succeeded, through the root client's wait.
func TestStartThenWait(t *testing.T) {
	const d = 300 * time.Millisecond
	srv, client := newFake(t, indexingjobstest.WithJobDuration(d))
	ctx := context.Background()
	kb := indexingjobstest.NewKnowledgeBase(3)
	srv.AddKnowledgeBase(kb)
	started, err := client.StartIndexingJob(ctx, kb.UUID)
	require.NoError(t, err)

	seen := []indexingjobs.IndexingJob{*started}
	job, err := client.WaitForIndexingJob(ctx, started.UUID,
		indexingjobs.WithPollInterval(5*time.Millisecond), indexingjobs.WithMaxPollInterval(15*time.Millisecond),
		indexingjobs.WithProgress(func(j *indexingjobs.IndexingJob) { seen = append(seen, *j) }))
	require.NoError(t, err)

	var phases []indexingjobs.Phase
	var indexed []indexingjobs.Uint64
	for _, j := range seen {
		if len(phases) == 0 || phases[len(phases)-1] != j.Phase {
			phases = append(phases, j.Phase)
		}
		if j.Phase == indexingjobs.PhaseRunning {
			indexed = append(indexed, j.TotalItemsIndexed)
			assertOneAfterAnother(t, j)
		}
	}
	assert.Equal(t, []indexingjobs.Phase{indexingjobs.PhasePending, indexingjobs.PhaseRunning, indexingjobs.PhaseSucceeded}, phases)
	assert.True(t, slices.IsSorted(indexed), "counts only grow: %v", indexed)
	require.NotEmpty(t, indexed)
	assert.Less(t, indexed[0], indexed[len(indexed)-1], "counts grow while it runs: %v", indexed)

	assert.Equal(t, indexingjobs.PhaseSucceeded, job.Phase)
	assert.Equal(t, indexingjobs.StatusCompleted, job.Status)
	assert.Equal(t, job.CreatedAt.Add(d), job.FinishedAt)
	assert.Equal(t, job.CreatedAt.Add(d/5), job.StartedAt)
	assert.Equal(t, int64(3), job.CompletedDatasources)
	assert.True(t, job.IsReportAvailable)
	var items indexingjobs.Uint64
	for _, ds := range job.DataSourceJobs {
		assert.Equal(t, indexingjobs.DataSourceStatusUpdated, ds.Status)
		assert.NotZero(t, ds.TotalFileCount)
		assert.Equal(t, ds.TotalFileCount, ds.IndexedFileCount)
		assert.Equal(t, ds.TotalBytes, ds.TotalBytesIndexed)
		assert.False(t, ds.CompletedAt.Before(ds.StartedAt))
		items += ds.IndexedItemCount
	}
	assert.Equal(t, items, job.TotalItemsIndexed)
	assert.NotZero(t, job.TotalTokens)

	again, err := client.GetIndexingJob(ctx, job.UUID)
	require.NoError(t, err)
	assert.Equal(t, job, again, "a finished job does not change")
}

// assertOneAfterAnother checks that a running job's data sources are done
// in order: some updated, at most one in progress, the rest waiting.
func assertOneAfterAnother(t *testing.T, job indexingjobs.IndexingJob) {
	t.Helper()
	rank := map[indexingjobs.DataSourceStatus]int{
		indexingjobs.DataSourceStatusUpdated: 0, indexingjobs.DataSourceStatusInProgress: 1, "": 2}
	var ranks []int
	for _, ds := range job.DataSourceJobs {
		r, ok := rank[ds.Status]
		assert.True(t, ok, "status %q while running", ds.Status)
		ranks = append(ranks, r)
	}
	assert.True(t, slices.IsSorted(ranks), "%v", ranks)
	assert.LessOrEqual(t, len(slices.DeleteFunc(slices.Clone(ranks), func(r int) bool { return r != 1 })), 1,
		"at most one in progress: %v", ranks)
}

func TestStartedJobEndsInTheOutcome(t *testing.T) {
	for _, p := range []indexingjobs.Phase{indexingjobs.PhaseFailed, indexingjobs.PhaseError} {
		srv, client := newFake(t, indexingjobstest.WithJobDuration(50*time.Millisecond), indexingjobstest.WithJobOutcome(p))
		ctx := context.Background()
		kb := indexingjobstest.NewKnowledgeBase(2)
		srv.AddKnowledgeBase(kb)
		started, err := client.StartIndexingJob(ctx, kb.UUID)
		require.NoError(t, err)
		job, err := client.WaitForIndexingJob(ctx, started.UUID, indexingjobs.WithPollInterval(10*time.Millisecond))
		require.NoError(t, err)
		assert.Equal(t, p, job.Phase)
		assert.Equal(t, indexingjobs.StatusFailed, job.Status)
		assert.Equal(t, int64(1), job.CompletedDatasources)
		sources, err := client.ListIndexingJobDataSources(ctx, job.UUID)
		require.NoError(t, err)
		require.Len(t, sources, 2)
		assert.Equal(t, indexingjobs.DataSourceStatusUpdated, sources[0].Status)
		assert.Equal(t, indexingjobs.DataSourceStatusFailed, sources[1].Status)
		assert.NotEmpty(t, sources[1].ErrorMsg)
		assert.NotZero(t, sources[1].FailedItemCount)
	}
	assert.Panics(t, func() { indexingjobstest.NewServer(indexingjobstest.WithJobOutcome(indexingjobs.PhaseRunning)) })
}

func TestCancelARunningStartedJob(t *testing.T) {
	const d = time.Second
	srv, client := newFake(t, indexingjobstest.WithJobDuration(d))
	ctx := context.Background()
	kb := indexingjobstest.NewKnowledgeBase(2)
	srv.AddKnowledgeBase(kb)
	started, err := client.StartIndexingJob(ctx, kb.UUID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		job, _ := srv.Job(started.UUID)
		return job.Phase == indexingjobs.PhaseRunning && job.TotalItemsIndexed > 0
	}, 5*time.Second, time.Millisecond)

	job, err := client.CancelIndexingJob(ctx, started.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
	assert.Equal(t, indexingjobs.StatusCancelled, job.Status)
	assert.False(t, job.FinishedAt.IsZero())
	assert.NotZero(t, job.TotalItemsIndexed)
	for _, ds := range job.DataSourceJobs {
		assert.Contains(t, []indexingjobs.DataSourceStatus{indexingjobs.DataSourceStatusUpdated, indexingjobs.DataSourceStatusCancelled}, ds.Status)
	}
	assert.Equal(t, indexingjobs.DataSourceStatusCancelled, job.DataSourceJobs[1].Status)

	time.Sleep(time.Until(started.CreatedAt.Add(d + 50*time.Millisecond))) // past the job's end
	again, err := client.GetIndexingJob(ctx, started.UUID)
	require.NoError(t, err)
	assert.Equal(t, *job, *again, "no progress after the cancel")
}
