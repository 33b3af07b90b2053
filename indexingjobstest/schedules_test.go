package indexingjobstest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/wire"
)

// TestScheduleLife: a knowledge base is scheduled and read back; a second
// schedule is refused with 409, an *APIError; the schedule is deleted by
// its own id, answered as it was with deleted_at set, and is gone.
func TestScheduleLife(t *testing.T) {
	ctx := context.Background()
	srv, client := newFake(t)
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1))

	made, err := client.ScheduleIndexing(ctx, kb, []time.Weekday{time.Monday, time.Sunday}, "02:00")
	require.NoError(t, err)
	assert.Equal(t, kb, made.KnowledgeBaseUUID)
	assert.Equal(t, "02:00:00", made.Time, "the answer spells the time HH:MM:SS")
	assert.True(t, made.IsActive)
	require.Len(t, made.Days, 2)
	assert.Equal(t, []time.Weekday{time.Monday, time.Sunday}, []time.Weekday{made.Days[0].Weekday(), made.Days[1].Weekday()})

	read, err := client.GetIndexingSchedule(ctx, kb)
	require.NoError(t, err)
	assert.Equal(t, made.UUID, read.UUID)

	_, err = client.ScheduleIndexing(ctx, kb, []time.Weekday{time.Friday}, "03:00")
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusConflict, apiErr.StatusCode)
	assert.Equal(t, "conflict", apiErr.ID)

	_, err = client.DeleteIndexingSchedule(ctx, kb)
	assert.True(t, indexingjobs.IsNotFound(err), "deleted by the schedule's id, not its knowledge base's")
	gone, err := client.DeleteIndexingSchedule(ctx, made.UUID)
	require.NoError(t, err)
	assert.False(t, gone.DeletedAt.IsZero())
	assert.False(t, gone.IsActive)
	_, err = client.GetIndexingSchedule(ctx, kb)
	assert.True(t, indexingjobs.IsNotFound(err))
	_, err = client.ScheduleIndexing(ctx, kb, []time.Weekday{time.Friday}, "03:00")
	assert.NoError(t, err, "a knowledge base unscheduled may be scheduled again")

	_, err = client.ScheduleIndexing(ctx, "00000000-0000-4000-8000-000000000000", []time.Weekday{time.Friday}, "03:00")
	assert.True(t, indexingjobs.IsNotFound(err), "no such knowledge base")
}

// TestScheduleNextRun: next_run_at is the first of the days at the time
// after the fake's clock, in UTC, a week on at most.
func TestScheduleNextRun(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) // a Wednesday
	srv, client := newFake(t, indexingjobstest.WithClock(func() time.Time { return now }))
	for _, tc := range []struct {
		days []time.Weekday
		at   string
		want time.Time
	}{
		{[]time.Weekday{time.Monday, time.Thursday}, "02:00", time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)},
		{[]time.Weekday{time.Wednesday}, "10:01", time.Date(2026, 12, 2, 10, 1, 0, 0, time.UTC)},
		{[]time.Weekday{time.Wednesday}, "10:00", time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)},
		{[]time.Weekday{time.Sunday}, "23:59", time.Date(2026, 12, 6, 23, 59, 0, 0, time.UTC)},
	} {
		kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1))
		s, err := client.ScheduleIndexing(ctx, kb, tc.days, tc.at)
		require.NoError(t, err)
		assert.Equal(t, tc.want, s.NextRunAt.UTC(), "%v at %s", tc.days, tc.at)
	}
}

// TestAddIndexingScheduleKeepsItsUUID: a test can hold a schedule of a
// fixed id on a knowledge base the fake did not know; a schedule with no
// day or a bad time is refused with a panic, as it would be by the API.
func TestAddIndexingScheduleKeepsItsUUID(t *testing.T) {
	srv, client := newFake(t)
	const id, kb = "5b2e8f14-3c7a-4d9e-b1f6-0a8c2d4e6f80", "123e4567-e89b-12d3-a456-426614174000"
	days := []wire.Weekday{wire.Weekday(time.Tuesday)}
	assert.Equal(t, id, srv.AddIndexingSchedule(indexingjobs.IndexingSchedule{UUID: id, KnowledgeBaseUUID: kb, Days: days, Time: "02:00:00"}))
	got, err := client.GetIndexingSchedule(context.Background(), kb)
	require.NoError(t, err)
	assert.Equal(t, id, got.UUID)
	assert.Equal(t, "02:00:00", got.Time)
	assert.Panics(t, func() { srv.AddIndexingSchedule(indexingjobs.IndexingSchedule{KnowledgeBaseUUID: kb, Time: "02:00"}) })
	assert.Panics(t, func() {
		srv.AddIndexingSchedule(indexingjobs.IndexingSchedule{KnowledgeBaseUUID: kb, Days: days, Time: "25:00"})
	})
}
