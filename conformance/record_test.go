package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/conformance/record"
)

// liveLike stands in for the real API while the recording path is tested:
// there is no network to the API here.
func liveLike(t *testing.T, token, jobID, kbID string) *httptest.Server {
	var gets atomic.Int32
	job := func(phase, status string) string {
		return fmt.Sprintf(`{"job":{"uuid":%q,"knowledge_base_uuid":%q,"phase":%q,"status":%q,"total_items_indexed":"7","created_at":"2026-11-02T09:14:05Z"}}`,
			jobID, kbID, phase, status)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Set-Cookie", "__cf_bm=secret-cookie; path=/")
		w.Header().Set("Cf-Ray", "8f1d2c3b4a5e6f70-AMS")
		w.Header().Set("Ratelimit-Limit", "5000")
		w.Header().Set("Ratelimit-Remaining", "4321")
		w.Header().Set("Ratelimit-Reset", "1795948800")
		w.Header().Set("X-Request-Id", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"id":"unauthorized","message":"Unable to authenticate you.","request_id":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}`)
			return
		}
		switch r.URL.Path {
		case "/v2/gen-ai/indexing_jobs/" + jobID + "/cancel":
			fmt.Fprint(w, job("BATCH_JOB_PHASE_RUNNING", "INDEX_JOB_STATUS_IN_PROGRESS"))
		case "/v2/gen-ai/indexing_jobs/" + jobID:
			if gets.Add(1) <= 2 { // the recorder's first look, and the first read of its wait
				fmt.Fprint(w, job("BATCH_JOB_PHASE_RUNNING", "INDEX_JOB_STATUS_IN_PROGRESS"))
				return
			}
			fmt.Fprint(w, job("BATCH_JOB_PHASE_CANCELLED", "INDEX_JOB_STATUS_CANCELLED"))
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"id":"not_found","message":"The resource you requested could not be found.","request_id":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRecordScrubsAndMatchesSpec(t *testing.T) {
	const (
		token = "dop_v1_feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface"
		jobID = "c0ffee00-1234-4abc-8def-0123456789ab"
		kbID  = "badc0de0-5678-4abc-9def-ba9876543210"
	)
	srv := liveLike(t, token, jobID, kbID)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, record.Record(ctx, record.Config{
		BaseURL: srv.URL, Token: token, JobUUID: jobID, Dir: dir,
		PollInterval: time.Millisecond,
	}))

	doc := loadSpec(t)
	router := newRouter(t, doc)
	jobs := map[string]string{}
	for _, name := range record.Cassettes {
		raw, err := os.ReadFile(filepath.Join(dir, name+".yaml"))
		require.NoError(t, err, name)
		text := string(raw)
		for _, secret := range []string{token, jobID, kbID, "secret-cookie", "Cf-Ray", "Authorization", "aaaaaaaa-bbbb"} {
			assert.NotContains(t, text, secret, "%s must be scrubbed of %q", name, secret)
		}
		c, err := cassette.Load(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Len(t, c.Interactions, 1, name)
		i := c.Interactions[0]
		assert.NoError(t, validateInteraction(t, doc, router, i), name)
		assert.Equal(t, "4321", i.Response.Headers.Get("Ratelimit-Remaining"), "rate-limit headers are kept")
		assert.True(t, strings.HasPrefix(i.Request.Headers.Get("User-Agent"), "indexingjobs-go/"), "%s is the root client's request", name)
		jobs[name] = strings.TrimSuffix(strings.TrimPrefix(i.Request.URL, srv.URL+"/v2/gen-ai/indexing_jobs/"), "/cancel")
	}
	assert.Equal(t, jobs["cancel_cancelled"], jobs["get_cancelled"], "the cancel and the GET name the same placeholder job")
	assert.NotEqual(t, jobs["cancel_cancelled"], jobs["cancel_not_found"])

	get, err := cassette.Load(filepath.Join(dir, "get_cancelled"))
	require.NoError(t, err)
	assert.Contains(t, get.Interactions[0].Response.Body, "BATCH_JOB_PHASE_CANCELLED", "the GET is recorded once the cancel took effect")
	unauth, err := cassette.Load(filepath.Join(dir, "cancel_unauthorized"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, unauth.Interactions[0].Response.Code)
}

func TestRecordNeedsEverything(t *testing.T) {
	err := record.Record(context.Background(), record.Config{BaseURL: "http://127.0.0.1:1", JobUUID: "x", Dir: t.TempDir()})
	require.Error(t, err)
}

func TestRecordRefusesAJobThatHasEnded(t *testing.T) {
	const jobID = "c0ffee00-1234-4abc-8def-0123456789ab"
	var cancels atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/cancel") {
			cancels.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"job":{"uuid":%q,"phase":"BATCH_JOB_PHASE_SUCCEEDED"}}`, jobID)
	}))
	defer srv.Close()
	dir := t.TempDir()
	err := record.Record(context.Background(), record.Config{BaseURL: srv.URL, Token: "dop_v1_x", JobUUID: jobID, Dir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has already ended in BATCH_JOB_PHASE_SUCCEEDED")
	assert.Zero(t, cancels.Load(), "nothing is cancelled")
	files, _ := os.ReadDir(dir)
	assert.Empty(t, files, "nothing is recorded")
}

func TestRecordGivesUpWhenTheCancelDoesNotTakeEffect(t *testing.T) {
	const jobID = "c0ffee00-1234-4abc-8def-0123456789ab"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"job":{"uuid":%q,"phase":"BATCH_JOB_PHASE_RUNNING"}}`, jobID)
	}))
	defer srv.Close()
	err := record.Record(context.Background(), record.Config{BaseURL: srv.URL, Token: "dop_v1_x", JobUUID: jobID, Dir: t.TempDir(),
		PollInterval: time.Millisecond, PollTimeout: 50 * time.Millisecond})
	var waitErr *indexingjobs.WaitError
	require.ErrorAs(t, err, &waitErr, "the root client's wait ends it")
	assert.Equal(t, indexingjobs.PhaseRunning, waitErr.LastPhase)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
