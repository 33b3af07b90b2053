package indexingjobs_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of retries (retry.go): which answers a request is sent again
// after, how many times, and how long the client waits between attempts.

func TestRetriesServerErrorsThenSucceeds(t *testing.T) {
	for _, code := range []int{500, 502, 503, 504, 429} {
		srv := newScripted(t, respond(code, `{"id":"x","message":"y"}`), respond(code, `<html>busy</html>`, "Content-Type", "text/html"), respond(200, jobBody(cancelled)))
		job, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
		require.NoError(t, err, "status %d", code)
		assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
		assert.Equal(t, 3, srv.count(), "status %d", code)
	}
}

func TestDoesNotRetryClientErrorsOr501(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 409, 422, 501} {
		srv := newScripted(t, respond(code, `{"id":"x","message":"no"}`), respond(200, jobBody(cancelled)))
		_, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
		var apiErr *indexingjobs.APIError
		require.ErrorAs(t, err, &apiErr, "status %d", code)
		assert.Equal(t, code, apiErr.StatusCode)
		assert.Equal(t, 1, srv.count(), "status %d must not be retried", code)
	}
}

func TestAttemptsReachTheError(t *testing.T) {
	srv := newScripted(t, respond(503, `{"id":"service_unavailable","message":"later"}`))
	_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(2)).CancelIndexingJob(context.Background(), jobID)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 3, apiErr.Attempts)
	assert.Equal(t, 3, srv.count())
	assert.Contains(t, err.Error(), "after 3 attempts")
}

func TestDefaultRetriesAreThree(t *testing.T) {
	srv := newScripted(t, respond(500, `{"id":"server_error","message":"boom"}`))
	_, err := newClient(t, srv.URL).GetIndexingJob(context.Background(), jobID)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Equal(t, 4, srv.count())
}

func TestMaxRetriesZeroTurnsRetriesOff(t *testing.T) {
	srv := newScripted(t, respond(500, `{"id":"server_error","message":"boom"}`), respond(200, jobBody(cancelled)))
	_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Equal(t, 1, srv.count())
}

func TestRetryAfterIsHonoured(t *testing.T) {
	srv := newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`, "Retry-After", "1"), respond(200, jobBody(cancelled)))
	c := newClient(t, srv.URL, indexingjobs.WithRetryWait(time.Millisecond, 10*time.Second))
	start := time.Now()
	_, err := c.CancelIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "the client must wait the 1s the server asked for, not its own 1ms")
	assert.Equal(t, 2, srv.count())
}

func TestRetryAfterIsCappedByMaxWait(t *testing.T) {
	srv := newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`, "Retry-After", "3600"), respond(200, jobBody(cancelled)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := newClient(t, srv.URL, indexingjobs.WithRetryWait(time.Millisecond, 20*time.Millisecond)).CancelIndexingJob(ctx, jobID)
	require.NoError(t, err, "an hour's Retry-After is cut to the 20ms cap, well inside the context")
	assert.Equal(t, 2, srv.count())
}

func TestWaitPastDeadlineIsNotStarted(t *testing.T) {
	srv := newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`, "Retry-After", "20"), respond(200, jobBody(cancelled)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := newClient(t, srv.URL, indexingjobs.WithRetryWait(time.Millisecond, time.Minute)).CancelIndexingJob(ctx, jobID)
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr, "the 429 comes back at once rather than a wait that cannot finish")
	assert.Equal(t, 429, apiErr.StatusCode)
	assert.NoError(t, ctx.Err(), "returned before the deadline")
	assert.Equal(t, 1, srv.count())
}

func TestRetriesConnectionErrors(t *testing.T) {
	srv := newScripted(t,
		func(w http.ResponseWriter, _ *http.Request) { // drop the connection without an answer
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		},
		respond(200, jobBody(cancelled)))
	job, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
	assert.Equal(t, 2, srv.count())
}

func TestConnectionRefusedGivesUpWithAttempts(t *testing.T) {
	_, err := newClient(t, closedLoopbackURL(t), indexingjobs.WithMaxRetries(2)).CancelIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "3 attempts")
	assert.NotContains(t, err.Error(), testToken)
}

func TestContextCancelStopsRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		respond(503, `{"id":"x","message":"y"}`)(w, r)
	})
	_, err := newClient(t, srv.URL, indexingjobs.WithRetryWait(time.Second, time.Second)).CancelIndexingJob(ctx, jobID)
	require.Error(t, err)
	assert.Equal(t, 1, srv.count())
}

// TestRetryAfterIsCappedAtADayInEitherForm: APIError.RetryAfter is what
// the server asked for, up to 24 hours, whether it wrote seconds or an
// HTTP date; before, a date years ahead gave years.
func TestRetryAfterIsCappedAtADayInEitherForm(t *testing.T) {
	for name, value := range map[string]string{
		"seconds":                     "999999999999",
		"a date two days ahead":       time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat),
		"a date in the year 9999":     "Fri, 31 Dec 9999 23:59:59 GMT",
		"a date in the obsolete form": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC850),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`, "Retry-After", value))
			_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).GetIndexingJob(context.Background(), jobID)
			var apiErr *indexingjobs.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 24*time.Hour, apiErr.RetryAfter, "Retry-After: %s", value)
		})
	}
}

// TestCancelledContextDuringRetryWaitIsReported: the caller's interrupt is
// what the error says, with the last answer still at hand.
func TestCancelledContextDuringRetryWaitIsReported(t *testing.T) {
	srv := newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`, "Retry-After", "30"))
	client := newClient(t, srv.URL, indexingjobs.WithRetryWait(time.Millisecond, time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := client.CancelIndexingJob(ctx, jobID)
	require.ErrorIs(t, err, context.Canceled)
	assert.True(t, indexingjobs.IsRateLimited(err), "the last answer is kept: %v", err)
	assert.Contains(t, err.Error(), "context canceled while waiting to retry")
	assert.Equal(t, 1, srv.count())
}
