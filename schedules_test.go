package indexingjobs_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

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

// TestDeleteScheduleAnswerIsAboutTheScheduleAsked: an answer to a delete
// about another schedule, or about none, is an error, as it is for every
// other operation that names a thing (isJob, isKnowledgeBase, isSchedule).
// Before, DeleteIndexingSchedule passed no check to call, and such an
// answer reported the schedule asked for as deleted.
func TestDeleteScheduleAnswerIsAboutTheScheduleAsked(t *testing.T) {
	for name, body := range map[string]string{
		"another schedule": `{"indexing_info":{"uuid":"` + unknownID + `","knowledge_base_uuid":"` + kbID + `","deleted_at":"2026-12-01T08:00:00Z"}}`,
		"no schedule":      `{"indexing_info":{}}`,
		"empty body":       `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, respond(200, body))
			s, err := newClient(t, srv.URL).DeleteIndexingSchedule(context.Background(), scheduleID)
			require.Error(t, err, "a delete of %s answered with %s returned %+v", scheduleID, body, s)
			assert.Nil(t, s)
		})
	}
}

// TestDeleteFoundGoneAfterATransportResendMayHaveDeletedIt: over HTTP/2,
// Go's transport sends a DELETE again by itself after
// RST_STREAM(PROTOCOL_ERROR), which, unlike REFUSED_STREAM, does not say
// the server left the request alone. Here the server deletes the schedule
// on the first stream, resets it, and answers the transport's resend 404:
// the error says the call may have deleted it. Before, the core marked a
// 404 that followed a possibly-acted attempt only when the retry was its
// own, between attempts, and the caller got a plain 404, "nothing to
// delete", although this very call deleted it.
func TestDeleteFoundGoneAfterATransportResendMayHaveDeletedIt(t *testing.T) {
	var deleted atomic.Bool
	srv := newH2Server(t, func(st h2Stream) h2Reply {
		if st.n == 0 {
			deleted.Store(true)
			return h2Reset(http2.ErrCodeProtocol, false)
		}
		return h2Respond(http.StatusNotFound, `{"id":"not_found","message":"The resource you requested could not be found."}`)
	})
	client := newClient(t, srv.URL, indexingjobs.WithHTTPClient(srv.Client()), indexingjobs.WithMaxRetries(0))
	_, err := client.DeleteIndexingSchedule(safetyNet(t), scheduleID)
	require.Error(t, err)
	require.True(t, deleted.Load())
	require.True(t, indexingjobs.IsNotFound(err), "%v", err)
	assert.Equal(t, 2, reportedAttempts(t, err), "the transport sent the delete twice")
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, "the first send may have deleted it: %v", err)
}
