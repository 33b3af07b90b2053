package indexingjobs_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

func scheduleBody(kb string) string {
	return `{"indexing_info":{"uuid":"` + scheduleID + `","knowledge_base_uuid":"` + kb + `","days":[1,7],"time":"02:00:00","is_active":true}}`
}

// TestScheduleIndexingSendsDaysAsTheWireWantsThem: Monday is 1, Sunday 7;
// the time goes as given; the answer's days come back as time.Weekday.
func TestScheduleIndexingSendsDaysAsTheWireWantsThem(t *testing.T) {
	srv, seen := recorder(t, 200, scheduleBody(kbID))
	s, err := newClient(t, srv.URL).ScheduleIndexing(context.Background(), kbID, []time.Weekday{time.Monday, time.Sunday}, "02:00")
	require.NoError(t, err)
	require.Len(t, seen(), 1)
	assert.JSONEq(t, `{"knowledge_base_uuid":"`+kbID+`","days":[1,7],"time":"02:00"}`, seen()[0].body)
	assert.Equal(t, time.Sunday, s.Days[1].Weekday())
	assert.Equal(t, "02:00:00", s.Time)
}

// TestBadSchedulesAreNeverSent: no day, a day twice, a day that is not one,
// and times that are not HH:MM on a 24-hour clock are refused, by
// ValidateSchedule and ScheduleIndexing alike, before any request.
func TestBadSchedulesAreNeverSent(t *testing.T) {
	srv, seen := recorder(t, 200, scheduleBody(kbID))
	c := newClient(t, srv.URL)
	mon := []time.Weekday{time.Monday}
	for _, tc := range []struct {
		days []time.Weekday
		at   string
	}{
		{nil, "02:00"}, {[]time.Weekday{}, "02:00"},
		{[]time.Weekday{time.Monday, time.Monday}, "02:00"},
		{[]time.Weekday{7}, "02:00"}, {[]time.Weekday{-1}, "02:00"},
		{mon, ""}, {mon, "2:00"}, {mon, "02:0"}, {mon, "24:00"}, {mon, "23:60"}, {mon, "02:00:00"},
		{mon, "02.00"}, {mon, " 02:00"}, {mon, "02:00\n"}, {mon, "٠٢:٠٠"}, {mon, "2pm"}, {mon, "-1:00"},
	} {
		err := indexingjobs.ValidateSchedule(tc.days, tc.at)
		assert.ErrorIs(t, err, indexingjobs.ErrInvalidSchedule, "%v %q", tc.days, tc.at)
		_, err = c.ScheduleIndexing(context.Background(), kbID, tc.days, tc.at)
		assert.ErrorIs(t, err, indexingjobs.ErrInvalidSchedule, "%v %q", tc.days, tc.at)
		assert.NotContains(t, err.Error(), "\n")
	}
	_, err := c.ScheduleIndexing(context.Background(), "not-a-uuid", mon, "02:00")
	assert.ErrorIs(t, err, indexingjobs.ErrInvalidUUID)
	assert.Empty(t, seen(), "nothing sent")
	for _, good := range []string{"00:00", "23:59", "09:30", "19:05"} {
		assert.NoError(t, indexingjobs.ValidateSchedule([]time.Weekday{time.Sunday, time.Saturday}, good))
	}
}

// TestScheduleIndexingIsSentOnce: like a start, a schedule is not sent again
// after the server may have acted on it, and the error says to look first;
// a 429 is retried.
func TestScheduleIndexingIsSentOnce(t *testing.T) {
	srv := newScripted(t, respond(500, `{"id":"server_error","message":"boom"}`))
	_, err := newClient(t, srv.URL).ScheduleIndexing(context.Background(), kbID, []time.Weekday{time.Monday}, "02:00")
	require.Error(t, err)
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.count())

	srv = newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`), respond(200, scheduleBody(kbID)))
	_, err = newClient(t, srv.URL).ScheduleIndexing(context.Background(), kbID, []time.Weekday{time.Monday}, "02:00")
	require.NoError(t, err)
	assert.Equal(t, 2, srv.count())
}

// TestScheduleAnswersAreAboutTheKnowledgeBaseAsked: a schedule of another
// knowledge base, or none at all, is an error.
func TestScheduleAnswersAreAboutTheKnowledgeBaseAsked(t *testing.T) {
	for _, body := range []string{scheduleBody(dsA), `{"indexing_info":{}}`, `{}`} {
		srv := newScripted(t, respond(200, body))
		_, err := newClient(t, srv.URL).GetIndexingSchedule(context.Background(), kbID)
		assert.Error(t, err, body)
	}
	srv := newScripted(t, respond(404, `{"id":"not_found","message":"none"}`))
	_, err := newClient(t, srv.URL).GetIndexingSchedule(context.Background(), kbID)
	assert.True(t, indexingjobs.IsNotFound(err), "a knowledge base without a schedule")
}

// TestDeleteFoundGoneAfterARetryMayHaveDeletedIt: a delete is retried after
// a 5xx or a connection lost once it was sent; a 404 then may mean the
// first attempt deleted the schedule, and the error says so. A 404 at the
// first attempt is only a 404.
func TestDeleteFoundGoneAfterARetryMayHaveDeletedIt(t *testing.T) {
	notFound := respond(404, `{"id":"not_found","message":"The resource you requested could not be found."}`)
	hangUp := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		require.NoError(t, err)
		conn.Close()
	}
	for name, first := range map[string]http.HandlerFunc{"500": respond(500, `{"id":"server_error","message":"boom"}`), "connection lost": hangUp} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, first, notFound)
			_, err := newClient(t, srv.URL).DeleteIndexingSchedule(context.Background(), scheduleID)
			assert.True(t, indexingjobs.IsNotFound(err))
			assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "an earlier attempt may have deleted it")
			assert.Equal(t, 2, srv.count(), "retried: deleting is idempotent")
		})
	}
	srv := newScripted(t, notFound)
	_, err := newClient(t, srv.URL).DeleteIndexingSchedule(context.Background(), scheduleID)
	assert.True(t, indexingjobs.IsNotFound(err))
	assert.False(t, errors.Is(err, indexingjobs.ErrOutcomeUnknown), "nothing was deleted by this call")

	srv = newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`), notFound)
	_, err = newClient(t, srv.URL).DeleteIndexingSchedule(context.Background(), scheduleID)
	assert.False(t, errors.Is(err, indexingjobs.ErrOutcomeUnknown), "a 429 refused the first attempt")
}
