package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// syncBuffer is a bytes.Buffer safe for the command and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func fake(t *testing.T, opts ...indexingjobstest.Option) (*indexingjobstest.Server, string) {
	t.Helper()
	srv := indexingjobstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	t.Setenv(indexingjobs.TokenEnv, srv.Token())
	return srv, srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
}

func TestUsageErrorsExit2WithHelp(t *testing.T) {
	srv, id := fake(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "Usage: indexingjobs <command>"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"cancel"}, "want one indexing job UUID, got 0"},
		{[]string{"cancel", id, id}, "want one indexing job UUID, got 2"},
		{[]string{"get", "../../account", "--api-url", srv.URL}, "not a UUID"},
		{[]string{"cancel", id, "--output", "yaml", "--api-url", srv.URL}, `--output "yaml": want text or json`},
		{[]string{"cancel", id, "--frob"}, "flag provided but not defined: -frob"},
		{[]string{"get", id, "--api-url", "http://example.com"}, "only sent over https"},
		{[]string{"demo", "extra"}, "want no arguments, got 1"},
	} {
		code, stdout, stderr := runCmd(t, c.args...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, stderr, c.want, c.args)
		assert.Contains(t, stderr, "Usage: indexingjobs", c.args)
		assert.Empty(t, stdout, c.args)
	}
	assert.Zero(t, srv.Requests(), "no usage error sends anything")
}

func TestNoTokenIsAUsageError(t *testing.T) {
	t.Setenv(indexingjobs.TokenEnv, "")
	code, _, stderr := runCmd(t, "get", "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no API token")
	assert.Contains(t, stderr, "-token")
}

func TestHelpExits0OnStdout(t *testing.T) {
	code, stdout, _ := runCmd(t, "cancel", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "Usage: indexingjobs cancel UUID [--wait]")
	assert.Contains(t, stdout, "-api-url")
	code, stdout, _ = runCmd(t, "help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "serve-fake")
	code, stdout, _ = runCmd(t, "version")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "indexingjobs "+indexingjobs.Version+"\n", stdout)
}

func TestCancelWaitShowsProgressAndTheEndedJob(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(60*time.Millisecond))
	code, stdout, stderr := runCmd(t, "cancel", id, "--wait", "--poll", "10ms", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+BATCH_JOB_PHASE_CANCELLED$`, stdout)
	assert.Regexp(t, `(?m)^Indexing job\s+`+id+`$`, stdout)
	assert.Contains(t, stderr, "Cancel accepted: job "+id+" is BATCH_JOB_PHASE_RUNNING.")
	assert.Regexp(t, `(?m)^\s+\d+\.\ds  BATCH_JOB_PHASE_RUNNING\n\s+\d+\.\ds  BATCH_JOB_PHASE_CANCELLED\n$`, stderr)
	assert.NotContains(t, stderr, "\r", "no redrawing when stderr is not a terminal")
}

func TestCancelWithoutWaitAndJSONOutput(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(time.Hour))
	code, stdout, stderr := runCmd(t, "cancel", "--output", "json", "--api-url", srv.URL, id)
	require.Equal(t, exitOK, code, stderr)
	var job indexingjobs.IndexingJob
	require.NoError(t, json.Unmarshal([]byte(stdout), &job), stdout)
	assert.Equal(t, id, job.UUID)
	assert.Equal(t, indexingjobs.PhaseRunning, job.Phase, "without --wait, the answer to the cancel")
	assert.Equal(t, 1, srv.Requests())
}

func TestGetWithTokenFlag(t *testing.T) {
	srv := indexingjobstest.NewServer(indexingjobstest.WithToken("flag-token"))
	defer srv.Close()
	t.Setenv(indexingjobs.TokenEnv, "env-token")
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	code, stdout, stderr := runCmd(t, "get", id, "--token", "flag-token", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+BATCH_JOB_PHASE_SUCCEEDED$`, stdout)
	assert.Regexp(t, `(?m)^Data sources\s+1 of 1 completed$`, stdout)
}

func TestAPIErrorsPrintStatusMessageAndRequestID(t *testing.T) {
	srv, _ := fake(t)
	code, stdout, stderr := runCmd(t, "get", "00000000-0000-4000-8000-000000000000", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "the API answered 404 Not Found")
	assert.Contains(t, stderr, "message:     The resource you requested could not be found.")
	assert.Regexp(t, `request id:\s+[0-9a-f-]{36}\n`, stderr)

	code, _, stderr = runCmd(t, "cancel", "00000000-0000-4000-8000-000000000000", "--api-url", srv.URL, "--token", "wrong")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "401 Unauthorized")
	assert.NotContains(t, stderr, "wrong", "the token is never printed")
}

func TestTimeoutEndsTheWait(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(time.Hour))
	start := time.Now()
	code, _, stderr := runCmd(t, "cancel", id, "--wait", "--poll", "10ms", "--timeout", "100ms", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "last seen in phase BATCH_JOB_PHASE_RUNNING")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestDemo(t *testing.T) {
	code, stdout, stderr := runCmd(t, "demo", "--cancel-delay", "50ms", "--output", "json")
	require.Equal(t, exitOK, code, stderr)
	var job indexingjobs.IndexingJob
	require.NoError(t, json.Unmarshal([]byte(stdout), &job))
	assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
	assert.Equal(t, indexingjobs.StatusCancelled, job.Status)
	assert.NotNil(t, job.FinishedAt)
	assert.Contains(t, stderr, "no account, no network")
	assert.Contains(t, stderr, "BATCH_JOB_PHASE_CANCELLED")
}

func TestServeFake(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve-fake", "--addr", "127.0.0.1:0", "--jobs", "2", "--cancel-delay", "0s"}, &out, &errOut)
	}()

	var url, id string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+), token "([^"]+)"[\s\S]*Running jobs:\n  (\S+)\n  \S+\n`).FindStringSubmatch(out.String())
		if m == nil {
			return false
		}
		url, id = m[1], m[3]
		t.Setenv(indexingjobs.TokenEnv, m[2])
		return true
	}, 5*time.Second, 10*time.Millisecond, out.String())

	code, stdout, stderr := runCmd(t, "cancel", id, "--wait", "--api-url", url)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+BATCH_JOB_PHASE_CANCELLED$`, stdout)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, errOut.String())
	case <-time.After(5 * time.Second):
		t.Fatal("serve-fake did not stop when its context ended")
	}
}

func TestDocsHandler(t *testing.T) {
	page := []byte("<html><body>rendered</body></html>")
	srv := httptest.NewServer(docsHandler(page))
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	resp, body := get("/")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, string(page), body)
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "img-src 'self' data: blob:")
	assert.Contains(t, csp, "connect-src 'self'")

	resp, body = get("/openapi.json")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, string(indexingjobs.OpenAPIJSON()), body)
	resp, body = get("/openapi.yaml")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, string(indexingjobs.OpenAPIYAML()), body)
	resp, _ = get("/elsewhere")
	assert.Equal(t, 404, resp.StatusCode)
}

func TestDocsWithoutAPageSaysHowToBuildIt(t *testing.T) {
	code, _, stderr := runCmd(t, "docs", "--page", filepath.Join(t.TempDir(), "missing.html"), "--addr", "127.0.0.1:0")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "make docs-html")
}

func TestDocsServesUntilStopped(t *testing.T) {
	page := filepath.Join(t.TempDir(), "index.html")
	require.NoError(t, os.WriteFile(page, []byte("<p>docs</p>"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"docs", "--addr", "127.0.0.1:0", "--page", page}, &out, &errOut) }()
	var url string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`at (http://\S+/) `).FindStringSubmatch(out.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond)
	resp, err := http.Get(url)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "<p>docs</p>", string(b))
	cancel()
	assert.Equal(t, exitOK, <-done, errOut.String())
}

func TestLiveProgressRedrawsOneLine(t *testing.T) {
	var w syncBuffer
	p := newProgress(&w, true)
	running, cancelled := indexingjobs.PhaseRunning, indexingjobs.PhaseCancelled
	p.seen(&indexingjobs.IndexingJob{Phase: running})
	p.seen(&indexingjobs.IndexingJob{Phase: running})
	time.Sleep(3 * tick)
	p.seen(&indexingjobs.IndexingJob{Phase: cancelled})
	p.close()
	out := w.String()
	assert.Equal(t, 1, strings.Count(out, "s  BATCH_JOB_PHASE_RUNNING\n"), "a phase is printed once")
	assert.Contains(t, out, "s  BATCH_JOB_PHASE_CANCELLED\n")
	assert.GreaterOrEqual(t, strings.Count(out, "\r\033[Kwaiting for the job to end: BATCH_JOB_PHASE_RUNNING, "), 2, "redrawn as time passes")
	assert.True(t, strings.HasSuffix(out, "\r\033[K"), "the live line is removed at the end")
}
