package indexingjobstest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// TestRequestsWithoutTheTokenSpendNoneOfItsBudget: as the API counts per
// token, requests without the server's token (none, or a wrong one, each
// another) spend a budget of their own, which they share: past 5,000 they
// get 429, and the token's holder still has its whole budget. Every
// answer carries the ratelimit-* headers and an x-request-id. Before, the
// 5,000 left the holder with 429 for an hour.
func TestRequestsWithoutTheTokenSpendNoneOfItsBudget(t *testing.T) {
	srv, client := newFake(t)
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	wrong := 0
	for i := range indexingjobstest.RateLimitPerHour + 20 {
		req, err := http.NewRequest("GET", srv.URL+"/v2/gen-ai/indexing_jobs", nil)
		require.NoError(t, err)
		if i%2 == 1 {
			req.Header.Set("Authorization", fmt.Sprintf("Bearer wrong-%d", i))
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		want := http.StatusUnauthorized
		if i >= indexingjobstest.RateLimitPerHour {
			want = http.StatusTooManyRequests
		}
		h := resp.Header
		remaining := strconv.Itoa(max(0, indexingjobstest.RateLimitPerHour-1-i))
		if resp.StatusCode != want || h.Get("ratelimit-remaining") != remaining || h.Get("ratelimit-limit") == "" ||
			h.Get("ratelimit-reset") == "" || h.Get("x-request-id") == "" {
			wrong++
			if wrong <= 5 {
				t.Errorf("request %d without the token: %d, want %d; headers %v", i+1, resp.StatusCode, want, h)
			}
		}
	}
	assert.Zero(t, wrong, "answers not as wanted")

	page, err := client.ListIndexingJobsPage(context.Background(), 1, 0)
	require.NoError(t, err, "the token's holder is not rate-limited")
	assert.Empty(t, page.Jobs)
	rl := client.RateLimit()
	assert.Equal(t, indexingjobstest.RateLimitPerHour, rl.Limit)
	assert.Equal(t, indexingjobstest.RateLimitPerHour-1, rl.Remaining, "the whole budget but this request")
	assert.Equal(t, indexingjobstest.RateLimitPerHour+21, srv.Requests())
}
