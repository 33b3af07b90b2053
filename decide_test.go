package indexingjobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// Tests of the ruling on each attempt (decide.go) through the client; the
// ruling as a table is decide_internal_test.go, which answers are sent
// again and after how long, retry_test.go. A request the server may have
// acted on is sent again only if it is idempotent, and its error wraps
// ErrOutcomeUnknown, whoever sent it: the client, Go's transport, or a
// caller's.

// TestStartIsRetriedOnlyWhenTheServerCertainlyDidNotAct: a start is sent
// again after a 429 or a connection never made, not after a 5xx, a
// connection lost once it was written or a 2xx the client cannot use.
func TestStartIsRetriedOnlyWhenTheServerCertainlyDidNotAct(t *testing.T) {
	ctx := context.Background()
	started := `{"job":{"uuid":"` + jobID + `","knowledge_base_uuid":"` + kbID + `","phase":"BATCH_JOB_PHASE_PENDING"}}`

	srv := newScripted(t, respond(500, `{"id":"server_error","message":"Unexpected server-side error"}`), respond(200, started))
	_, err := newClient(t, srv.URL).StartIndexingJob(ctx, kbID)
	require.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.count(), "a 5xx is not retried: the job may have started")
	assert.Contains(t, err.Error(), "look before sending it again")
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)

	srv = newScripted(t, respond(429, `{"id":"too_many_requests","message":"slow down"}`, "Retry-After", "0"), respond(200, started))
	job, err := newClient(t, srv.URL).StartIndexingJob(ctx, kbID)
	require.NoError(t, err)
	assert.Equal(t, jobID, job.UUID)
	assert.Equal(t, 2, srv.count(), "a 429 is retried: the server did not act")

	// The connection breaks after the request was written: not retried.
	var cut atomic.Int32
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cut.Add(1)
		_, _ = io.ReadAll(r.Body)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer broken.Close()
	_, err = newClient(t, broken.URL).StartIndexingJob(ctx, kbID)
	require.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
	assert.Equal(t, 1, int(cut.Load()))
	_, err = newClient(t, broken.URL).GetIndexingJob(ctx, jobID)
	require.Error(t, err)
	assert.Equal(t, 5, int(cut.Load()), "a read is retried after the same break")

	// Nothing listens: the request was never written, so it is retried.
	_, err = newClient(t, closedLoopbackURL(t)).StartIndexingJob(ctx, kbID)
	require.Error(t, err)
	assert.False(t, errors.Is(err, indexingjobs.ErrOutcomeUnknown))
	assert.Contains(t, err.Error(), "4 attempts")

	// Nothing was written: a context that ended first is no unknown outcome.
	ended, stop := context.WithCancel(ctx)
	stop()
	srv = newScripted(t, respond(200, started))
	_, err = newClient(t, srv.URL).StartIndexingJob(ended, kbID)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, indexingjobs.ErrOutcomeUnknown))
	assert.Zero(t, srv.count())

	// A 2xx whose body is unusable: the job was started all the same.
	for _, body := range []string{`{"job":`, `{"job":{}}`, strings.Replace(started, kbID, dsA, 1)} {
		srv = newScripted(t, respond(200, body))
		_, err = newClient(t, srv.URL).StartIndexingJob(ctx, kbID)
		require.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, body)
		assert.Equal(t, 1, srv.count())
	}

	// A job of another knowledge base is not the job started.
	srv = newScripted(t, respond(200, strings.Replace(started, kbID, dsA, 1)))
	_, err = newClient(t, srv.URL).StartIndexingJob(ctx, kbID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "of knowledge base "+dsA)
}

// TestStartAnsweredWithAnUnusableSuccessMayHaveStarted: a 2xx answer to a
// start says the server acted; when the client cannot use it (too large,
// not JSON, no job, a job of another knowledge base), the error still
// says the job may have started, and nothing is sent again.
func TestStartAnsweredWithAnUnusableSuccessMayHaveStarted(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"too large":              respond(201, `{"job":{"uuid":"`+jobID+`","padding":"`+strings.Repeat("x", 5<<20)+`"}}`),
		"not JSON":               respond(201, `<html>Created</html>`),
		"no job":                 respond(200, `{}`),
		"another knowledge base": respond(200, `{"job":{"uuid":"`+jobID+`","knowledge_base_uuid":"`+dsA+`"}}`),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, h)
			job, err := newClient(t, srv.URL).StartIndexingJob(context.Background(), kbID)
			require.Error(t, err)
			assert.Nil(t, job)
			assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "look before sending it again")
			assert.Equal(t, 1, srv.count())
		})
	}
}

// TestStartIsNotResentThroughATransportThatDoesNotTrace: a start or a
// schedule that a caller's RoundTripper (WithHTTPClient) delivered, and
// then lost the connection of, is sent once, and its error wraps
// ErrOutcomeUnknown. Such a transport never calls httptrace's
// WroteHeaders, which only Go's own transports call. Before, the core took
// "WroteHeaders never fired" for "nothing was written", and started the
// job four times.
func TestStartIsNotResentThroughATransportThatDoesNotTrace(t *testing.T) {
	var delivered atomic.Int32
	rt := roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body) // the server has the whole request
		}
		delivered.Add(1)
		return nil, errors.New("read tcp 10.0.0.1:50000->10.0.0.2:443: connection reset by peer")
	})
	client := memoryClient(t, rt, indexingjobs.WithMaxRetries(3), fastRetries)
	_, err := client.StartIndexingJob(context.Background(), kbID)
	require.Error(t, err)
	assert.Equal(t, int32(1), delivered.Load(), "a start delivered and then cut off was sent again: %v", err)
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)

	delivered.Store(0)
	_, err = memoryClient(t, rt, indexingjobs.WithMaxRetries(3), fastRetries).
		ScheduleIndexing(context.Background(), kbID, []time.Weekday{time.Monday}, "02:00")
	require.Error(t, err)
	assert.Equal(t, int32(1), delivered.Load(), "a schedule delivered and then cut off was sent again: %v", err)
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
}

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
