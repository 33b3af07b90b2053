package indexingjobs_test

import (
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

// Tests of NewClient and its options (client.go, options.go): the headers
// it sends, the redirects it follows and where the token goes with them,
// and middleware around its transport.

// TestNewClientRefusesHeadersThatCannotBeSent: a token or User-Agent
// with a control character can never be sent (net/http refuses the
// header); NewClient says so, rather than every call failing after its
// retries, and a start claiming it may have taken effect.
func TestNewClientRefusesHeadersThatCannotBeSent(t *testing.T) {
	srv := newScripted(t, respond(200, jobBody(cancelled)))
	for _, opts := range [][]indexingjobs.Option{
		{indexingjobs.WithToken("dop_v1_\x00abc")},
		{indexingjobs.WithToken("dop_v1_\x1b[2Jabc")},
		{indexingjobs.WithToken("dop_v1_abc\x7f")},
		{indexingjobs.WithToken(testToken), indexingjobs.WithUserAgent("my-app\r\nX-Forged: 1")},
		{indexingjobs.WithToken(testToken), indexingjobs.WithUserAgent("my-app\x00")},
	} {
		_, err := indexingjobs.NewClient(append(opts, indexingjobs.WithBaseURL(srv.URL))...)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "abc", "the token is not quoted")
		assertSafeText(t, err.Error())
	}
	assert.Zero(t, srv.count())
}

func TestUserAgentIsPrepended(t *testing.T) {
	srv := newReplayServer(t, loadRecording(t, "get_indexing_job"))
	_, err := newClient(t, srv.URL, indexingjobs.WithUserAgent("my-tool/2.1")).GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, "my-tool/2.1 indexingjobs-go/"+indexingjobs.Version, srv.requests()[0].Header.Get("User-Agent"))
}

func TestRedirectsNeverChangeWhatACallDoes(t *testing.T) {
	for _, code := range []int{301, 302, 303} {
		var gets atomic.Int32
		srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				gets.Add(1)
			}
			http.Redirect(w, r, "/elsewhere"+r.URL.Path, code)
		})
		_, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
		require.Error(t, err, code)
		assert.Contains(t, err.Error(), "redirect", code)
		assert.Contains(t, err.Error(), srv.URL+"/elsewhere/v2/gen-ai/indexing_jobs/"+jobID+"/cancel", "names the absolute URL")
		assert.False(t, indexingjobs.IsNotFound(err))
		assert.Equal(t, 1, srv.count(), "%d: not followed as a GET, not retried", code)
		assert.Zero(t, gets.Load())
	}

	// 307 keeps the method and the body: followed.
	var body atomic.Value
	srv := newScripted(t,
		func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/moved"+r.URL.Path, 307) },
		func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			body.Store(r.Method + " " + string(b))
			respond(200, jobBody(cancelled))(w, r)
		})
	_, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, `PUT {"uuid":"`+jobID+`"}`, body.Load())

	// A loop is not a connection error: it is not retried.
	loop := newScripted(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, 307) })
	_, err = newClient(t, loop.URL).GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stopped after 10 redirects")
	assert.Contains(t, err.Error(), loop.URL+"/v2/gen-ai/indexing_jobs/"+jobID)
	assert.Equal(t, 10, loop.count(), "one call's worth of requests, not four")
}

func TestTokenIsNotForwardedToAnotherOrigin(t *testing.T) {
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
		respond(200, jobBody(cancelled))(w, r)
	}))
	defer other.Close()
	// Same host (127.0.0.1), another port: another origin.
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	_, _ = newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
	assert.Equal(t, "", leaked.Load(), "Authorization must not follow a redirect to another port")

	// localhost and 127.0.0.1 are different hosts as well.
	srv2 := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusTemporaryRedirect)
	})
	leaked.Store("unset")
	_, _ = newClient(t, srv2.URL).CancelIndexingJob(context.Background(), jobID)
	assert.Equal(t, "", leaked.Load())
}

func TestTokenFollowsASameOriginRedirect(t *testing.T) {
	var auth atomic.Value
	srv := newScripted(t,
		func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere"+r.URL.Path, http.StatusTemporaryRedirect)
		},
		func(w http.ResponseWriter, r *http.Request) {
			auth.Store(r.Header.Get("Authorization"))
			respond(200, jobBody(cancelled))(w, r)
		})
	_, err := newClient(t, srv.URL).GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+testToken, auth.Load())
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	hc := &http.Client{Timeout: 5 * time.Second}
	srv := newReplayServer(t, loadRecording(t, "get_indexing_job"))
	_, err := newClient(t, srv.URL, indexingjobs.WithHTTPClient(hc)).GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Nil(t, hc.CheckRedirect)
}

// TestMiddlewareSeesEverySendAndKeepsTheCoreRules: a middleware wraps the
// client's own transport, so it sees each send, retries included, with the
// client's headers; a start it lets through is still sent once, and one
// that failed before it was written is retried.
func TestMiddlewareSeesEverySendAndKeepsTheCoreRules(t *testing.T) {
	var seen []string
	mw := func(next http.RoundTripper) http.RoundTripper {
		return roundTrip(func(req *http.Request) (*http.Response, error) {
			seen = append(seen, req.Method+" "+req.URL.Path+" "+req.Header.Get("User-Agent"))
			return next.RoundTrip(req)
		})
	}
	srv := newScripted(t, respond(500, `{"id":"x","message":"y"}`), respond(200, jobBody("BATCH_JOB_PHASE_RUNNING")))
	c := newClient(t, srv.URL, indexingjobs.WithMiddleware(mw))
	_, err := c.GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	require.Len(t, seen, 2, "the retry went through the middleware too")
	assert.Contains(t, seen[0], "indexingjobs-go/")

	start := newScripted(t, respond(502, `<html><title>502</title></html>`))
	_, err = newClient(t, start.URL, indexingjobs.WithMiddleware(mw)).StartIndexingJob(context.Background(), kbID)
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
	assert.Equal(t, 1, start.count(), "a start is sent once through middleware")

	// A connection refused before anything was written: Go's transport,
	// under the middleware, proves it, so the start is sent again.
	refused := closedLoopbackURL(t)
	var sends atomic.Int32
	counting := func(next http.RoundTripper) http.RoundTripper {
		return roundTrip(func(req *http.Request) (*http.Response, error) {
			sends.Add(1)
			return next.RoundTrip(req)
		})
	}
	_, err = newClient(t, refused, indexingjobs.WithMiddleware(counting), indexingjobs.WithMaxRetries(2)).StartIndexingJob(context.Background(), kbID)
	require.Error(t, err)
	assert.NotErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
	assert.Equal(t, int32(3), sends.Load(), "never written, so sent again")

	// A middleware that answers itself (a cache, a test double) and fails:
	// the client cannot know the request was not sent, so a start is not
	// sent again.
	var answered atomic.Int32
	failing := func(http.RoundTripper) http.RoundTripper {
		return roundTrip(func(*http.Request) (*http.Response, error) {
			answered.Add(1)
			return nil, errors.New("connection reset")
		})
	}
	_, err = newClient(t, srv.URL, indexingjobs.WithMiddleware(failing)).StartIndexingJob(context.Background(), kbID)
	assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown)
	assert.Equal(t, int32(1), answered.Load())
}
