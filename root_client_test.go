package indexingjobs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

func TestNewClientNeedsAToken(t *testing.T) {
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	_, err := indexingjobs.NewClient()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithToken")
	assert.Contains(t, err.Error(), "DIGITALOCEAN_ACCESS_TOKEN")
}

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

func TestNewClientReadsTokenFromEnvironment(t *testing.T) {
	rec := loadRecording(t, "cancel_indexing_job")
	srv := newReplayServer(t, rec)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", testToken)
	c, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.CancelIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+testToken, srv.requests()[0].Header.Get("Authorization"))
}

func TestUserAgentIsPrepended(t *testing.T) {
	srv := newReplayServer(t, loadRecording(t, "get_indexing_job"))
	_, err := newClient(t, srv.URL, indexingjobs.WithUserAgent("my-tool/2.1")).GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, "my-tool/2.1 indexingjobs-go/"+indexingjobs.Version, srv.requests()[0].Header.Get("User-Agent"))
}

var badIDs = []string{
	"", ".", "..", "../..", "a/b", "/", "%2e%2e", "%2F", jobID + "/..", "../" + jobID,
	jobID[:35], jobID + "0", strings.ToUpper(jobID)[:35] + "g", " " + jobID, jobID + "\n",
	"7d1b3a0e5c444b8e9a510f6c2e8d9b17", "{7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17}", "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1?",
	"7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b1#", "7d1b3a0e-5c44-4b8e-9a51%0f6c2e8d9b17", strings.Repeat("a", 10000),
}

func TestBadUUIDNeverReachesTheNetwork(t *testing.T) {
	srv := newScripted(t, respond(200, jobBody("BATCH_JOB_PHASE_CANCELLED")))
	c := newClient(t, srv.URL)
	ctx := context.Background()
	for _, id := range badIDs {
		_, err := c.CancelIndexingJob(ctx, id)
		require.ErrorIs(t, err, indexingjobs.ErrInvalidUUID, "cancel %q", id)
		assert.Less(t, len(err.Error()), 250)
		_, err = c.GetIndexingJob(ctx, id)
		require.ErrorIs(t, err, indexingjobs.ErrInvalidUUID, "get %q", id)
		_, err = c.WaitForIndexingJob(ctx, id)
		require.ErrorIs(t, err, indexingjobs.ErrInvalidUUID, "wait %q", id)
	}
	assert.Equal(t, 0, srv.count(), "no request may be sent for a bad id")
	_, err := c.CancelIndexingJob(ctx, strings.ToUpper(jobID))
	assert.NoError(t, err, "upper-case hex is a UUID too")
}
