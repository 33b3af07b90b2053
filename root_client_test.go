package indexingjobs_test

import (
	"context"
	"net/http"
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

func TestCancelSendsTheRecordedRequestAndDecodes(t *testing.T) {
	for name, want := range map[string]indexingjobs.IndexingJob{"cancel_reference": referenceJob, "cancel_indexing_job": cancelledJob} {
		t.Run(name, func(t *testing.T) {
			rec := loadRecording(t, name)
			srv := newReplayServer(t, rec)
			id := jobIDFromURL(t, rec.Request.URL)
			job, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, want, *job)

			got := srv.requests()
			assertSentCancel(t, got, rec, id)
			assert.Equal(t, "application/json", got[0].Header.Get("Accept"))
			assert.Equal(t, "indexingjobs-go/"+indexingjobs.Version, got[0].Header.Get("User-Agent"))
		})
	}
}

func TestGetDecodesRecordedJob(t *testing.T) {
	rec := loadRecording(t, "get_indexing_job")
	srv := newReplayServer(t, rec)
	c := newClient(t, srv.URL)
	job, err := c.GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, runningJob, *job)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase)
	got := srv.requests()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodGet, got[0].Method)
	assert.Equal(t, "/v2/gen-ai/indexing_jobs/"+jobID, got[0].RawPath)
	assert.Equal(t, recordedRateLimit(t, rec), c.RateLimit())
}

func TestSuccessWithoutAJobIsAnError(t *testing.T) {
	for body, want := range map[string]string{
		`<html>oops</html>`:       "does not decode",
		`{"job":"cancelled"}`:     "does not decode",
		`{}`:                      "has no job",
		`{"job":{"tokens":"x"}}`:  "job.tokens",
		`{"job":{"phase":12}}`:    "job.phase",
		`{"job":{"uuid":"a"}} {}`: "does not decode",
	} {
		t.Run(body, func(t *testing.T) {
			srv := newScripted(t, respond(200, body))
			_, err := newClient(t, srv.URL).CancelIndexingJob(context.Background(), jobID)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "200 OK")
			assert.Contains(t, err.Error(), want)
		})
	}
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
