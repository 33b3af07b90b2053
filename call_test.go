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

	"github.com/gradient-go/indexingjobs"
)

// Tests of a call as a whole (call.go), attempt after attempt: the
// caller's context wherever the call is, and the body as sent handed to
// the caller (WithResponseBody).

// TestContextCancelledWithACauseIsContextCanceled: a caller that cancels
// with a cause (context.WithCancelCause, as signal handling does) still
// finds context.Canceled in the error, and the cause too, wherever the
// call was: awaiting the answer, reading its body, waiting to retry,
// downloading the report.
func TestContextCancelledWithACauseIsContextCanceled(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	storage := selfSigned(t, halfBody)
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

// TestResponseBodyIsTheBodyAsSent: WithResponseBody hands the caller the
// bytes each result was decoded from, unknown fields and spelling kept,
// once per page of a list and before that page's items.
func TestResponseBodyIsTheBodyAsSent(t *testing.T) {
	body := `{"job": {"uuid": "` + jobID + `", "phase": "BATCH_JOB_PHASE_RUNNING", "new_field": [1, 2.50]}}`
	srv := newScripted(t, respond(200, body))
	var got [][]byte
	ctx := indexingjobs.WithResponseBody(context.Background(), func(b []byte) { got = append(got, b) })
	_, err := newClient(t, srv.URL).GetIndexingJob(ctx, jobID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, body, string(got[0]))

	page := func(n int, ids ...string) string {
		var items []string
		for _, id := range ids {
			items = append(items, `{"uuid":"`+id+`"}`)
		}
		return `{"jobs":[` + strings.Join(items, ",") + `],"meta":{"page":` + string(rune('0'+n)) + `,"pages":2,"total":3}}`
	}
	p1, p2 := page(1, jobID, kbID), page(2, dsA)
	list := newScripted(t, respond(200, p1), respond(200, p2))
	var pages []string
	ctx = indexingjobs.WithResponseBody(context.Background(), func(b []byte) { pages = append(pages, string(b)) })
	var order []string
	for job, err := range newClient(t, list.URL).ListIndexingJobs(ctx, indexingjobs.WithPerPage(2)) {
		require.NoError(t, err)
		order = append(order, job.UUID+" after "+pages[len(pages)-1][:20])
	}
	assert.Equal(t, []string{p1, p2}, pages)
	assert.Len(t, order, 3)

	failed := newScripted(t, respond(404, `{"id":"not_found","message":"gone"}`))
	got = nil
	ctx = indexingjobs.WithResponseBody(context.Background(), func(b []byte) { got = append(got, b) })
	_, err = newClient(t, failed.URL).GetIndexingJob(ctx, jobID)
	require.Error(t, err)
	assert.Empty(t, got, "a failed call hands over nothing")
}
