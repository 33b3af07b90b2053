package indexingjobs_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// resender is a caller's transport that wraps Go's and sends a request
// again, as go-retryablehttp does, when the answer is a 5xx: the client
// sees only the last answer of the attempt.
type resender struct {
	next  http.RoundTripper
	sends atomic.Int32
}

func (r *resender) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	for {
		again := req.Clone(req.Context())
		again.Body = io.NopCloser(bytes.NewReader(body))
		r.sends.Add(1)
		resp, err := r.next.RoundTrip(again)
		if err != nil || resp.StatusCode < 500 || r.sends.Load() >= 2 {
			return resp, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// TestSendsInsideACallersTransportAreEarlierAttempts: a start that the
// caller's transport sent twice within one attempt, the first answered
// 503 or 502, may have started the job, whatever the second answer says:
// it is not sent again after a 429, and a 409 wraps ErrOutcomeUnknown.
func TestSendsInsideACallersTransportAreEarlierAttempts(t *testing.T) {
	for _, tc := range []struct{ first, second int }{{503, 429}, {502, 409}} {
		srv := newScripted(t, respond(tc.first, `{"id":"x","message":"busy"}`), respond(tc.second, `{"id":"y","message":"no"}`))
		rt := &resender{next: http.DefaultTransport.(*http.Transport).Clone()}
		c := newClient(t, srv.URL, indexingjobs.WithHTTPClient(&http.Client{Transport: rt}))
		_, err := c.StartIndexingJob(context.Background(), kbID)
		require.Error(t, err)
		assert.Equal(t, 2, srv.count(), "%d then %d: the client did not send the start again", tc.first, tc.second)
		assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, "%d then %d", tc.first, tc.second)
		var apiErr *indexingjobs.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, tc.second, apiErr.StatusCode)
		assert.Equal(t, 2, apiErr.Attempts, "both sends are counted")
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

// TestAnAttemptThatEndsSaysWhyOverHTTP2: over HTTP/2 as over HTTP/1.1, an
// attempt that times out, or a download whose report stops coming, says
// so; context.Canceled is in the error only when the caller cancelled.
func TestAnAttemptThatEndsSaysWhyOverHTTP2(t *testing.T) {
	var srv *h2Server
	srv = newH2Server(t, func(st h2Stream) h2Reply {
		switch {
		case strings.HasSuffix(st.path, "/details_signed_url"):
			return h2Respond(200, `{"signed_url":"`+srv.URL+`/report?X-Amz-Signature=abcdef0123456789abcdef0123456789"}`)
		case strings.HasPrefix(st.path, "/report?"):
			return h2RespondThenStall(200, "the first line\n")
		default:
			return h2Silence
		}
	})
	c := newClient(t, srv.URL, indexingjobs.WithHTTPClient(srv.Client()),
		indexingjobs.WithAttemptTimeout(200*time.Millisecond), indexingjobs.WithMaxRetries(0))

	_, err := c.GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the attempt timed out after 200ms")
	assert.NotErrorIs(t, err, context.Canceled, "the caller did not cancel")
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller had no deadline")

	var report bytes.Buffer
	n, err := c.DownloadIndexingJobDetails(context.Background(), jobID, &report)
	require.Error(t, err)
	assert.Equal(t, int64(len("the first line\n")), n)
	assert.Contains(t, err.Error(), "the report stopped coming for 200ms")
	assert.NotErrorIs(t, err, context.Canceled)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.GetIndexingJob(ctx, jobID)
	assert.ErrorIs(t, err, context.Canceled, "the caller cancelled")
	assert.NotEmpty(t, srv.seen(), "the exchanges were HTTP/2: the server speaks nothing else")
}

// TestTooManySendsSaysSoOverHTTP2: an attempt whose streams the server
// keeps refusing ends after three sends and says so, not as a cancel.
func TestTooManySendsSaysSoOverHTTP2(t *testing.T) {
	srv := newH2Server(t, always(resetCases[1].reset))
	_, err := h2Client(t, srv, 0).GetIndexingJob(safetyNet(t), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the connection failed each time the request was sent (3 times in one attempt)")
	assert.NotErrorIs(t, err, context.Canceled)
}
