package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
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
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// liveLike stands in for the live API while the recording path is
// tested, there being no network to it here: the fake API holding an
// account's jobs (a fixture like optest.Canonical, with ids of its own),
// behind a proxy that adds what a CDN adds (a cookie, a ray id) and counts
// the cancels of the running job sent with the account's token.
type liveLike struct {
	*httptest.Server
	f       optest.Fixture
	cancels atomic.Int32
}

func newLiveLike(t *testing.T, token string) *liveLike {
	kb := indexingjobstest.NewKnowledgeBase(2)
	l := &liveLike{f: optest.Fixture{KnowledgeBase: kb.UUID, DataSources: kb.DataSourceUUIDs,
		RunningJob: indexingjobstest.NewJob(indexingjobs.PhaseRunning).UUID, FinishedJob: indexingjobstest.NewJob(indexingjobs.PhaseSucceeded).UUID}}
	api := indexingjobstest.NewServer(indexingjobstest.WithToken(token))
	t.Cleanup(api.Close)
	optest.Stock(api, l.f)
	target, err := url.Parse(api.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		r.Header.Set("Set-Cookie", "__cf_bm=secret-cookie; path=/")
		r.Header.Set("Cf-Ray", "8f1d2c3b4a5e6f70-AMS")
		return nil
	}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ids, _ := optest.Route(r.Method, r.URL.Path)
		if op == &gen.GenaiCancelIndexingJobOperation && ids[0] == l.f.RunningJob && r.Header.Get("Authorization") == "Bearer "+token {
			l.cancels.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(l.Close)
	return l
}

func TestRecordScrubsAndMatchesSpec(t *testing.T) {
	const token = "dop_v1_feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface"
	srv := newLiveLike(t, token)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := record.Record(ctx, record.Config{
		BaseURL: srv.URL, Token: token, JobUUID: srv.f.RunningJob, Dir: dir,
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
	secrets := append([]string{token, srv.f.KnowledgeBase, srv.f.RunningJob, srv.f.FinishedJob, "secret-cookie", "Cf-Ray", "Authorization"}, srv.f.DataSources...)
	jobs := map[string][]string{}
	for _, name := range res.Written {
		raw, err := os.ReadFile(filepath.Join(dir, name+".yaml"))
		require.NoError(t, err, name)
		for _, secret := range secrets {
			assert.NotContains(t, string(raw), secret, "%s must be scrubbed of %q", name, secret)
		}
		c, err := cassette.Load(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Len(t, c.Interactions, 1, name)
		i := c.Interactions[0]
		assert.NoError(t, validateInteraction(t, doc, router, i), name)
		for _, h := range answerHeaders {
			assert.NotEmpty(t, i.Response.Headers.Get(h), "%s: the header %s is kept", name, h)
		}
		for _, id := range uuidIn.FindAllString(string(raw), -1) {
			assert.True(t, id == optest.Unknown || strings.HasPrefix(id, "00000000-0000-4000-8000-"), "%s: %s is a placeholder", name, id)
		}
		assert.True(t, strings.HasPrefix(i.Request.Headers.Get("User-Agent"), "indexingjobs-go/"), "%s is the root client's request", name)
		_, jobs[name], _ = optest.Route(i.Request.Method, strings.TrimPrefix(i.Request.URL, srv.URL))
	}
	get, _ := optest.Of(gen.GenaiGetIndexingJobOperation.ID)
	assert.Equal(t, jobs[cancelRow.Cassette()], jobs[get.Cassette()], "the cancel and the GET name the same placeholder job")
	assert.Equal(t, []string{optest.Unknown}, jobs[cancelRow.Cassette()+"_not_found"], "optest.Unknown is kept as it is")

	c, err := cassette.Load(filepath.Join(dir, get.Cassette()))
	require.NoError(t, err)
	assert.Contains(t, c.Interactions[0].Response.Body, "BATCH_JOB_PHASE_CANCELLED", "the GET is recorded once the cancel took effect")
	c, err = cassette.Load(filepath.Join(dir, cancelRow.Cassette()+"_unauthorized"))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, c.Interactions[0].Response.Code)
	details, _ := optest.Of(gen.GenaiGetIndexingJobDetailsSignedURLOperation.ID)
	c, err = cassette.Load(filepath.Join(dir, details.Cassette()))
	require.NoError(t, err)
	assert.Contains(t, c.Interactions[0].Response.Body, "signature=REDACTED")
}

// TestRecordWithoutAJobChangesNothing: without a job to cancel, the
// recorder reads, and sends no cancel with the account's token.
func TestRecordWithoutAJobChangesNothing(t *testing.T) {
	const token = "dop_v1_x"
	srv := newLiveLike(t, token)
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
