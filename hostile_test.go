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

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of what a hostile or broken server can send: every byte from the
// network is untrusted.

// TestMemoryFollowsTheBytesReceived: a length announced but not sent
// allocates nothing near it, even with the cap raised past it.
func TestMemoryFollowsTheBytesReceived(t *testing.T) {
	for _, announced := range []int64{4 << 20, 1 << 40} {
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r, ContentLength: announced,
				Body: io.NopCloser(strings.NewReader(`{"job":{"uuid":"` + jobID + `"}}`))}, nil
		}, indexingjobs.WithMaxResponseBytes(1<<41))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := client.CancelIndexingJob(context.Background(), jobID)
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "fewer bytes than announced")
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "allocated for %d bytes announced", announced)
	}
}

// TestResponseWithoutRequest: users' mock RoundTrippers often leave
// Response.Request unset; every path gives an error or a job, no panic.
func TestResponseWithoutRequest(t *testing.T) {
	for _, tc := range []struct {
		code int
		body string
	}{
		{200, `{"job":{"uuid":"` + jobID + `"}}`},
		{200, `{"job":{"uuid":"` + unknownID + `"}}`},
		{200, `not json`},
		{404, `{"id":"not_found","message":"gone"}`},
		{502, `<html><title>bad</title></html>`},
	} {
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: tc.code, Header: http.Header{}, ContentLength: -1,
				Body: io.NopCloser(strings.NewReader(tc.body))}, nil
		})
		job, err := client.CancelIndexingJob(context.Background(), jobID)
		if tc.code == 200 && strings.Contains(tc.body, jobID) {
			require.NoError(t, err)
			assert.Equal(t, jobID, job.UUID)
			continue
		}
		require.Error(t, err, tc.body)
		assert.Contains(t, err.Error(), "PUT https://api.digitalocean.com/v2/gen-ai/indexing_jobs/"+jobID+"/cancel")
	}
}

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

// lyingBody breaks io.Reader's contract: its Read reports n bytes, fewer
// than none or more than asked for, and the end of the body.
type lyingBody struct{ n int }

func (b lyingBody) Read(p []byte) (int, error) {
	if b.n > 0 {
		return len(p) + b.n, io.EOF
	}
	return b.n, io.EOF
}
func (lyingBody) Close() error { return nil }

// TestBodyBreakingTheReaderContractIsAnError: a caller's RoundTripper may
// return a Body whose Read reports a count below 0 or above the buffer;
// bytes.Buffer and io.ReadFull panic on it, the client must not.
func TestBodyBreakingTheReaderContractIsAnError(t *testing.T) {
	for _, n := range []int{-1, 1} {
		for _, length := range []int64{-1, 10, 100 << 10} {
			client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
				if strings.HasSuffix(r.URL.Path, "/details_signed_url") {
					return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: -1,
						Body: io.NopCloser(strings.NewReader(`{"signed_url":"https://storage.example/r?sig=s"}`))}, nil
				}
				return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: length, Body: lyingBody{n}}, nil
			})
			assert.NotPanics(t, func() {
				_, err := client.GetIndexingJob(context.Background(), jobID)
				assert.Error(t, err, "n %d, length %d", n, length)
			}, "n %d, length %d", n, length)
			assert.NotPanics(t, func() {
				_, err := client.DownloadIndexingJobDetails(context.Background(), jobID, &strings.Builder{})
				assert.Error(t, err, "n %d, length %d", n, length)
			}, "download: n %d, length %d", n, length)
		}
	}
}

// TestHugeHeadersAreRefused: headers are bounded like bodies.
func TestHugeHeadersAreRefused(t *testing.T) {
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Padding", strings.Repeat("a", 1<<20))
		respond(200, jobBody(cancelled))(w, r)
	})
	_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "header")
}
