package indexingjobs_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of what a hostile or broken server can send: every byte from the
// network is untrusted.

func TestRateLimitKeepsOnlyValidValues(t *testing.T) {
	for _, tc := range []struct {
		limit, remaining, reset string
		want                    indexingjobs.RateLimit
	}{
		{"5000", "4999", "1444931833", indexingjobs.RateLimit{Limit: 5000, Remaining: 4999, Reset: time.Unix(1444931833, 0)}},
		{"-5000", "-1", "-1444931833", indexingjobs.RateLimit{}},
		{"99999999999999999999", "9223372036854775807", "9223372036854775807", indexingjobs.RateLimit{}},
		{"5e3", "0x10", "soon", indexingjobs.RateLimit{}},
		{"5000", "abc", "", indexingjobs.RateLimit{Limit: 5000}},
	} {
		srv := newScripted(t, respond(200, jobBody(cancelled),
			"Ratelimit-Limit", tc.limit, "Ratelimit-Remaining", tc.remaining, "Ratelimit-Reset", tc.reset))
		client := newClient(t, srv.URL)
		_, err := client.GetIndexingJob(context.Background(), jobID)
		require.NoError(t, err)
		assert.Equal(t, tc.want, client.RateLimit(), "%+v", tc)
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

// TestContextCancelledWithACauseIsContextCanceled: a caller that cancels
// with a cause (context.WithCancelCause, as signal handling does) still
// finds context.Canceled in the error, and the cause too, wherever the
// call was: awaiting the answer, reading its body, waiting to retry,
// downloading the report.
func TestContextCancelledWithACauseIsContextCanceled(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	halfBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"job":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	var storage *scripted
	storage = newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/details_signed_url") {
			respond(200, `{"signed_url":"`+storage.URL+`/report?sig=s"}`)(w, r)
			return
		}
		halfBody(w, r)
	})
	for name, call := range map[string]func(context.Context) error{
		"awaiting the answer": func(ctx context.Context) error {
			_, err := newClient(t, newScripted(t, stall).URL).GetIndexingJob(ctx, jobID)
			return err
		},
		"reading the body": func(ctx context.Context) error {
			_, err := newClient(t, newScripted(t, halfBody).URL).GetIndexingJob(ctx, jobID)
			return err
		},
		"waiting to retry": func(ctx context.Context) error {
			srv := newScripted(t, respond(503, `{"id":"x","message":"y"}`, "Retry-After", "30"))
			_, err := newClient(t, srv.URL, indexingjobs.WithRetryWait(time.Millisecond, time.Minute)).GetIndexingJob(ctx, jobID)
			return err
		},
		"downloading": func(ctx context.Context) error {
			_, err := newClient(t, storage.URL).DownloadIndexingJobDetails(ctx, jobID, io.Discard)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			cause := errors.New("the user pressed Ctrl-C")
			ctx, cancel := context.WithCancelCause(context.Background())
			time.AfterFunc(50*time.Millisecond, func() { cancel(cause) })
			err := call(ctx)
			require.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, cause)
		})
	}
}
