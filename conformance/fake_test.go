package conformance

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// capture keeps every exchange that passes through it, in the recordings'
// form, so the fake's answers can be checked like the recorded ones.
type capture struct {
	mu   sync.Mutex
	seen []*cassette.Interaction
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	c.mu.Lock()
	c.seen = append(c.seen, &cassette.Interaction{
		Request:  cassette.Request{Method: req.Method, URL: req.URL.String(), Body: string(reqBody), Headers: req.Header.Clone()},
		Response: cassette.Response{Code: resp.StatusCode, Headers: resp.Header.Clone(), Body: string(respBody)},
	})
	c.mu.Unlock()
	return resp, nil
}

// TestFakeServerAnswersMatchSpec drives the fake through every answer it
// can give and validates each against openapi.yaml.
func TestFakeServerAnswersMatchSpec(t *testing.T) {
	doc := loadSpec(t)
	router := newRouter(t, doc)
	srv := indexingjobstest.NewServer(indexingjobstest.WithCancelDelay(20 * time.Millisecond))
	defer srv.Close()
	rec := &capture{}
	client, err := srv.NewClient(indexingjobs.WithHTTPClient(&http.Client{Transport: rec}), indexingjobs.WithMaxRetries(0))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	running := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))

	calls := []struct {
		name   string
		status int
		call   func() error
	}{
		{"get running", 200, func() error { _, err := client.GetIndexingJob(ctx, running); return err }},
		{"cancel, not yet in effect", 200, func() error { _, err := client.CancelIndexingJob(ctx, running); return err }},
		{"wait until cancelled", 200, func() error {
			_, err := client.WaitForIndexingJob(ctx, running, indexingjobs.WithPollInterval(5*time.Millisecond))
			return err
		}},
		{"cancel a cancelled job", 200, func() error { _, err := client.CancelIndexingJob(ctx, running); return err }},
		{"unknown job", 404, func() error {
			_, err := client.CancelIndexingJob(ctx, "00000000-0000-4000-8000-000000000000")
			return err
		}},
		{"rate limited", 429, func() error {
			srv.InjectFaults(1, indexingjobstest.RateLimited(3*time.Second))
			_, err := client.GetIndexingJob(ctx, running)
			return err
		}},
		{"server error", 500, func() error {
			srv.InjectFaults(1, indexingjobstest.ServerError())
			_, err := client.CancelIndexingJob(ctx, running)
			return err
		}},
		{"proxy page", 502, func() error {
			srv.InjectFaults(1, indexingjobstest.BadGateway())
			_, err := client.GetIndexingJob(ctx, running)
			return err
		}},
		{"wrong token", 401, func() error {
			bad, err := srv.NewClient(indexingjobs.WithToken("wrong"), indexingjobs.WithHTTPClient(&http.Client{Transport: rec}))
			require.NoError(t, err)
			_, err = bad.GetIndexingJob(ctx, running)
			return err
		}},
	}
	for _, c := range calls {
		before := len(rec.seen)
		err := c.call()
		if c.status == 200 {
			require.NoError(t, err, c.name)
		} else {
			var apiErr *indexingjobs.APIError
			require.ErrorAs(t, err, &apiErr, c.name)
			assert.Equal(t, c.status, apiErr.StatusCode, c.name)
		}
		require.Greater(t, len(rec.seen), before, c.name)
		for _, i := range rec.seen[before:] {
			assert.NoError(t, validateInteraction(t, doc, router, i), "%s: %s %s → %d %s", c.name, i.Request.Method, i.Request.URL, i.Response.Code, i.Response.Body)
			for _, h := range []string{"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-request-id"} {
				assert.NotEmpty(t, i.Response.Headers.Get(h), "%s: header %s", c.name, h)
			}
		}
	}
	assert.Equal(t, len(rec.seen), srv.Requests())
	var sawCancelled bool
	for _, i := range rec.seen {
		sawCancelled = sawCancelled || strings.Contains(i.Response.Body, `"BATCH_JOB_PHASE_CANCELLED"`)
	}
	assert.True(t, sawCancelled)
}
