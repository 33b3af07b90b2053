package indexingjobstest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// TestClockIsTheServersTime: on a clock that stands still, a started job
// stays where it started, and the rate limit, the job's times and the
// report URL's expiry are read from the clock; moving the clock moves them.
func TestClockIsTheServersTime(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 21, 3, 0, time.UTC)
	srv, client := newFake(t, indexingjobstest.WithClock(func() time.Time { return now }), indexingjobstest.WithJobDuration(time.Second))
	ctx := context.Background()
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1))

	job, err := client.StartIndexingJob(ctx, kb)
	require.NoError(t, err)
	assert.Equal(t, now, job.CreatedAt)
	assert.True(t, now.Add(time.Hour).Equal(client.RateLimit().Reset), "ratelimit-reset: %v", client.RateLimit().Reset)
	job, err = client.GetIndexingJob(ctx, job.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhasePending, job.Phase, "no time has passed")

	now = now.Add(2 * time.Second)
	job, err = client.GetIndexingJob(ctx, job.UUID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhaseSucceeded, job.Phase)
	assert.Equal(t, job.CreatedAt.Add(time.Second), job.FinishedAt, "the run ended when the clock said")
	signed, err := client.IndexingJobDetailsURL(ctx, job.UUID)
	require.NoError(t, err)
	assert.Equal(t, strconv.FormatInt(now.Add(15*time.Minute).Unix(), 10), signed.Query().Get("expires"))
}
