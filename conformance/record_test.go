package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/conformance/record"
	"github.com/gradient-go/indexingjobs/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// liveLike stands in for the real API while the recording path is tested:
// there is no network to the API here. It holds a running job (cancelled
// by a cancel) and a succeeded one with a report, of one knowledge base,
// answers as the API does, with the headers a CDN adds, and counts the
// cancels sent with the right token.
type liveLike struct {
	*httptest.Server
	cancels atomic.Int32
}

func newLiveLike(t *testing.T, token, running, finished, kb string) *liveLike {
	l := &liveLike{}
	var cancelled atomic.Bool
	job := func(id, phase, status string) string {
		return fmt.Sprintf(`{"uuid":%q,"knowledge_base_uuid":%q,"phase":%q,"status":%q,"is_report_available":%t,"total_items_indexed":"7","created_at":"2026-11-02T09:14:05Z"}`,
			id, kb, phase, status, id == finished)
	}
	runningJob := func() string {
		if cancelled.Load() {
			return job(running, "BATCH_JOB_PHASE_CANCELLED", "INDEX_JOB_STATUS_CANCELLED")
		}
		return job(running, "BATCH_JOB_PHASE_RUNNING", "INDEX_JOB_STATUS_IN_PROGRESS")
	}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Set-Cookie", "__cf_bm=secret-cookie; path=/")
		w.Header().Set("Cf-Ray", "8f1d2c3b4a5e6f70-AMS")
		w.Header().Set("Ratelimit-Limit", "5000")
		w.Header().Set("Ratelimit-Remaining", "4321")
		w.Header().Set("Ratelimit-Reset", "1795948800")
		w.Header().Set("X-Request-Id", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
		notFound := `{"id":"not_found","message":"The resource you requested could not be found.","request_id":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}`
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"id":"unauthorized","message":"Unable to authenticate you.","request_id":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}`)
			return
		}
		op, id, _ := optest.Route(r.Method, r.URL.Path)
		if op != nil && len(op.PathParams) > 0 && id != running && id != finished && id != kb {
			op = nil
		}
		switch op {
		case &gen.GenaiCancelIndexingJobOperation.Operation:
			if id == running {
				l.cancels.Add(1)
				cancelled.Store(true)
			}
			fmt.Fprint(w, `{"job":`+job(running, "BATCH_JOB_PHASE_RUNNING", "INDEX_JOB_STATUS_IN_PROGRESS")+`}`)
		case &gen.GenaiGetIndexingJobOperation.Operation:
			if id == finished {
				fmt.Fprint(w, `{"job":`+job(finished, "BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_COMPLETED")+`}`)
				return
			}
			fmt.Fprint(w, `{"job":`+runningJob()+`}`)
		case &gen.GenaiListIndexingJobsOperation.Operation, &gen.GenaiListIndexingJobsByKnowledgeBaseOperation.Operation:
			fmt.Fprint(w, `{"jobs":[`+runningJob()+`,`+job(finished, "BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_COMPLETED")+`],"meta":{"page":1,"pages":1,"total":2}}`)
		case &gen.GenaiListIndexingJobDataSourcesOperation.Operation:
			fmt.Fprint(w, `{"indexed_data_sources":[{"data_source_uuid":"d5d5d5d5-1234-4abc-8def-0123456789ab","status":"DATA_SOURCE_STATUS_UPDATED"}]}`)
		case &gen.GenaiGetIndexingJobDetailsSignedURLOperation.Operation:
			fmt.Fprintf(w, `{"signed_url":"https://reports.example/%s.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLEKEY%%2F20261102&X-Amz-Signature=5ec12e75ec12e7"}`, id)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, notFound)
		}
	}))
	t.Cleanup(l.Close)
	return l
}

func TestRecordScrubsAndMatchesSpec(t *testing.T) {
	const (
		token    = "dop_v1_feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface"
		running  = "c0ffee00-1234-4abc-8def-0123456789ab"
		finished = "f1f1f1f1-1234-4abc-8def-0123456789ab"
		kb       = "badc0de0-5678-4abc-9def-ba9876543210"
	)
	srv := newLiveLike(t, token, running, finished, kb)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := record.Record(ctx, record.Config{
		BaseURL: srv.URL, Token: token, JobUUID: running, Dir: dir,
		PollInterval: time.Millisecond,
	})
	require.NoError(t, err)
	assert.Equal(t, int32(1), srv.cancels.Load(), "the job named is cancelled, once")
	cancelRow, _ := optest.Of(record.ErrorsOf.ID)
	var want []string
	for _, row := range optest.Rows {
		if row.Op.Method == http.MethodGet || row.Op == record.ErrorsOf {
			want = append(want, row.Cassette())
		} else {
			assert.Contains(t, res.Skipped, row.Cassette()+": it would change the account")
		}
	}
	want = append(want, cancelRow.Cassette()+"_unauthorized", cancelRow.Cassette()+"_not_found")
	assert.ElementsMatch(t, want, res.Written)

	doc := loadSpec(t)
	router := newRouter(t, doc)
	jobs := map[string]string{}
	for _, name := range res.Written {
		raw, err := os.ReadFile(filepath.Join(dir, name+".yaml"))
		require.NoError(t, err, name)
		text := string(raw)
		for _, secret := range []string{token, running, finished, kb, "d5d5d5d5", "secret-cookie", "Cf-Ray", "Authorization", "aaaaaaaa-bbbb", "5ec12e75", "AKIAEXAMPLEKEY"} {
			assert.NotContains(t, text, secret, "%s must be scrubbed of %q", name, secret)
		}
		c, err := cassette.Load(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Len(t, c.Interactions, 1, name)
		i := c.Interactions[0]
		assert.NoError(t, validateInteraction(t, doc, router, i), name)
		assert.Equal(t, "4321", i.Response.Headers.Get("Ratelimit-Remaining"), "rate-limit headers are kept")
		assert.True(t, strings.HasPrefix(i.Request.Headers.Get("User-Agent"), "indexingjobs-go/"), "%s is the root client's request", name)
		_, jobs[name], _ = optest.Route(i.Request.Method, strings.TrimPrefix(i.Request.URL, srv.URL))
	}
	get, _ := optest.Of(gen.GenaiGetIndexingJobOperation.ID)
	assert.Equal(t, jobs[cancelRow.Cassette()], jobs[get.Cassette()], "the cancel and the GET name the same placeholder job")
	assert.Equal(t, optest.Unknown, jobs[cancelRow.Cassette()+"_not_found"], "optest.Unknown is kept as it is")

	c, err := cassette.Load(filepath.Join(dir, get.Cassette()))
	require.NoError(t, err)
	assert.Contains(t, c.Interactions[0].Response.Body, "BATCH_JOB_PHASE_CANCELLED", "the GET is recorded once the cancel took effect")
	c, err = cassette.Load(filepath.Join(dir, cancelRow.Cassette()+"_unauthorized"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, c.Interactions[0].Response.Code)
	details, _ := optest.Of(gen.GenaiGetIndexingJobDetailsSignedURLOperation.ID)
	c, err = cassette.Load(filepath.Join(dir, details.Cassette()))
	require.NoError(t, err)
	assert.Contains(t, c.Interactions[0].Response.Body, "X-Amz-Signature=REDACTED")
}

// TestRecordWithoutAJobChangesNothing: without a job to cancel, the
// recorder reads, and sends no cancel with the account's token.
func TestRecordWithoutAJobChangesNothing(t *testing.T) {
	const token, running, finished, kb = "dop_v1_x", "c0ffee00-1234-4abc-8def-0123456789ab", "f1f1f1f1-1234-4abc-8def-0123456789ab", "badc0de0-5678-4abc-9def-ba9876543210"
	srv := newLiveLike(t, token, running, finished, kb)
	res, err := record.Record(context.Background(), record.Config{BaseURL: srv.URL, Token: token, Dir: t.TempDir()})
	require.NoError(t, err)
	assert.Zero(t, srv.cancels.Load())
	cancelRow, _ := optest.Of(record.ErrorsOf.ID)
	assert.NotContains(t, res.Written, cancelRow.Cassette())
	assert.Contains(t, res.Skipped, cancelRow.Cassette()+": it would change the account")
	assert.Contains(t, res.Written, cancelRow.Cassette()+"_not_found")
}

func TestRecordNeedsEverything(t *testing.T) {
	_, err := record.Record(context.Background(), record.Config{BaseURL: "http://127.0.0.1:1", JobUUID: "x", Dir: t.TempDir()})
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
	_, err := record.Record(context.Background(), record.Config{BaseURL: srv.URL, Token: "dop_v1_x", JobUUID: jobID, Dir: dir})
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
	_, err := record.Record(context.Background(), record.Config{BaseURL: srv.URL, Token: "dop_v1_x", JobUUID: jobID, Dir: t.TempDir(),
		PollInterval: time.Millisecond, PollTimeout: 50 * time.Millisecond})
	var waitErr *indexingjobs.WaitError
	require.ErrorAs(t, err, &waitErr, "the root client's wait ends it")
	assert.Equal(t, indexingjobs.PhaseRunning, waitErr.LastPhase)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestCapturedCassettesAreCurrent captures the fake's cassettes twice, into
// temporary directories: both give the same bytes, and so do the ones in
// testdata/cassettes, so that a change of the fake, the fixture or the
// client that changes what they hold fails here until `make cassettes`
// writes them again. Every other cassette there is hand-written on purpose.
func TestCapturedCassettesAreCurrent(t *testing.T) {
	ctx := context.Background()
	first, second := t.TempDir(), t.TempDir()
	names, err := record.Capture(ctx, first)
	require.NoError(t, err)
	again, err := record.Capture(ctx, second)
	require.NoError(t, err)
	require.Equal(t, names, again)
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(first, name+".yaml"))
		require.NoError(t, err)
		twice, err := os.ReadFile(filepath.Join(second, name+".yaml"))
		require.NoError(t, err)
		assert.Equal(t, string(got), string(twice), "%s: two captures differ", name)
		committed, err := os.ReadFile(filepath.Join(cassetteDir, name+".yaml"))
		if assert.NoError(t, err, "%s is not in testdata/cassettes: run make cassettes", name) {
			assert.True(t, bytes.Equal(got, committed), "testdata/cassettes/%s.yaml is stale: run make cassettes", name)
		}
	}
	for name := range topCassettes(t) {
		if _, ok := handWritten[name]; !ok {
			assert.True(t, slices.Contains(names, name), "testdata/cassettes/%s.yaml is neither captured from the fake nor hand-written on purpose (handWritten): delete it or say why it stays", name)
		}
	}
}
