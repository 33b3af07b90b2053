package indexingjobs_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
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

// TestAnAnswerThatWouldTakeGigabytesToDecodeIsRefused: a page of jobs
// that is 4 MiB of empty objects, within the response bound, is refused
// before it is decoded, with an error that says why, instead of becoming
// 1.4 million empty jobs (1.9 GB allocated, 1.1 GB in use, before). Other
// answers that make cheap items costly are refused too; the bound grows
// with WithMaxResponseBytes.
func TestAnAnswerThatWouldTakeGigabytesToDecodeIsRefused(t *testing.T) {
	flood := func(item string) string {
		n := (4<<20 - 64) / (len(item) + 1)
		return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
	}
	for name, body := range map[string]string{
		"empty jobs":              `{"jobs":[` + flood(`{}`) + `],"meta":{"page":1,"pages":1,"total":1}}`,
		"jobs of empty sources":   `{"jobs":[` + flood(`{"data_source_jobs":[{},{},{}]}`) + `]}`,
		"nulls":                   `{"jobs":[` + flood(`null`) + `]}`,
		"under an escaped key":    `{"j\u006fbs":[` + flood(`{}`) + `]}`,
		"scores of empty objects": `{"models":[{"benchmark_score":{` + flood(`"k":{}`) + `}}]}`,
		"fractions for pages":     `{"jobs":[],"meta":{` + flood(`"page":0.5`) + `}}`,
		"a time that never ends":  `{"jobs":[{"created_at":"2026-12-05T10:00:00Z` + strings.Repeat("\xff", 4<<20-128) + `"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			require.Less(t, len(body), indexingjobs.DefaultMaxResponseBytes)
			srv := newScripted(t, respond(200, body))
			client := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0))
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var err error
			if strings.Contains(body, "models") {
				_, err = client.ListEmbeddingModelsPage(context.Background(), 1, 100)
			} else {
				_, err = client.ListIndexingJobsPage(context.Background(), 1, 100)
			}
			runtime.ReadMemStats(&after)
			require.Error(t, err)
			assert.Less(t, len(err.Error()), 2048)
			assert.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge)
			assert.Contains(t, err.Error(), "200 OK, but response body too large: decoding it could take")
			assert.Contains(t, err.Error(), "; an answer may take at most 16 times WithMaxResponseBytes to decode")
			assert.Contains(t, err.Error(), "MiB, more than the 64 MiB allowed: it holds")
			// The body is read (4 MiB, twice over as it grows) and sent by
			// the test's server in this process.
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(32<<20), "allocated")
		})
	}

	// A time of 200 KB that does not parse is within the bound. Its
	// error quotes it up to four times over each time it is asked, and
	// redaction asks every error of the tree (149 MiB for this call,
	// before): the error is made once and cut, and wraps nothing of it.
	bad := `{"job":{"uuid":"` + jobID + `","created_at":"2026-12-05T10:00:00Z` + strings.Repeat("\xff\xff\xff"+`\\`, 40000) + `"}}`
	client := newClient(t, newScripted(t, respond(200, bad)).URL)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := client.GetIndexingJob(context.Background(), jobID)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "200 OK, but the body does not decode: parsing time")
	assert.Less(t, len(err.Error()), 2048)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(32<<20), "allocated")

	// 6,000 empty jobs weigh about 23 MiB: within the default bound (the
	// page is then refused for holding more than was asked), past the
	// bound of a client that reads at most 512 KiB.
	body := `{"jobs":[` + strings.TrimSuffix(strings.Repeat(`{},`, 6000), ",") + `]}`
	srv := newScripted(t, respond(200, body), respond(200, body))
	_, err = newClient(t, srv.URL).ListIndexingJobsPage(context.Background(), 1, 100)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a page of 100 indexing jobs holds 6000")
	_, err = newClient(t, srv.URL, indexingjobs.WithMaxResponseBytes(512<<10)).ListIndexingJobsPage(context.Background(), 1, 100)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than the 8 MiB allowed", "16 times the response bound")
}
