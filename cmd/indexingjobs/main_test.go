package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

func TestUsageErrorsExit2WithHelpAndSendNothing(t *testing.T) {
	srv, id := fake(t)
	kb, ds := "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17", "9758a232-b351-4d0a-9e20-2b8a8f3a5a1c"
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "Usage: indexingjobs <command>"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"cancel"}, "indexingjobs cancel: want one indexing job UUID, got 0\n"},
		{[]string{"cancel", id, id}, "want one indexing job UUID, got 2"},
		{[]string{"get", "../../account"}, `indexingjobs get: id "../../account": not a UUID`},
		{[]string{"cancel", id, "--output", "yaml"}, `--output "yaml": want text or json`},
		{[]string{"cancel", id, "--frob"}, "flag provided but not defined: --frob"},
		{[]string{"cancel", id, "--poll", "soon"}, `invalid value "soon" for flag --poll`},
		{[]string{"get", id, "--api-url", "http://example.com"}, "only sent over https"},
		{[]string{"demo", "extra"}, "want no arguments, got 1"},
		{[]string{"start"}, "want one knowledge base UUID, got 0"},
		{[]string{"start", kb, kb}, "want one knowledge base UUID, got 2"},
		{[]string{"start", "kb"}, `id "kb": not a UUID`},
		{[]string{"start", kb, "--data-source", "x"}, `invalid value "x" for flag --data-source: id "x": not a UUID`},
		{[]string{"start", "--data-source", ds, "--data-source", "../etc", kb}, `flag --data-source: id "../etc": not a UUID`},
		{[]string{"start", kb, "--wait", "--poll", "x"}, `invalid value "x" for flag --poll`},
		{[]string{"list", "extra"}, "want no arguments, got 1"},
		{[]string{"list", "--knowledge-base", kb, "--page", "2"}, "--page, --per-page and --all do not apply"},
		{[]string{"list", "--knowledge-base", kb, "--all"}, "--page, --per-page and --all do not apply"},
		{[]string{"list", "--knowledge-base", kb, "--per-page", "5"}, "--page, --per-page and --all do not apply"},
		{[]string{"list", "--knowledge-base", "kb"}, `--knowledge-base: id "kb": not a UUID`},
		{[]string{"list", "--all", "--page", "2"}, "--all lists every page: --page does not apply"},
		{[]string{"list", "--page", "0"}, "--page 0: pages count from 1"},
		{[]string{"list", "--per-page", "201"}, "--per-page 201: want 1 to 200"},
		{[]string{"list", "--output", "yaml"}, `--output "yaml": want text or json`},
		{[]string{"data-sources"}, "want one indexing job UUID, got 0"},
		{[]string{"data-sources", "nope"}, "not a UUID"},
		{[]string{"details"}, "want one indexing job UUID, got 0"},
		{[]string{"details", id, "extra"}, "want one indexing job UUID, got 2"},
		{[]string{"details", "nope", "--out", "x"}, "not a UUID"},
		{[]string{"details", id, "--api-url", srv.URL, "--out"}, "flag needs an argument: --out"},
	} {
		args := c.args
		if len(args) > 0 && args[0] != "demo" && !slices.Contains(args, "--api-url") {
			args = append(args, "--api-url", srv.URL)
		}
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, stderr, c.want, c.args)
		assert.Contains(t, stderr, "Usage: indexingjobs", c.args)
		assert.NotContains(t, stderr, "indexingjobs: indexingjobs", c.args)
		assert.NotContains(t, stderr, ": indexingjobs: ", c.args)
		assert.Empty(t, stdout, c.args)
	}
	assert.Zero(t, srv.Requests(), "no usage error sends anything")
}

func TestNoTokenIsAUsageErrorNamingTheFlagAndVariable(t *testing.T) {
	srv, id := fake(t)
	t.Setenv(indexingjobs.TokenEnv, "")
	for _, cmd := range []string{"get", "cancel", "data-sources", "start", "details"} {
		code, stdout, stderr := runCmd(t, cmd, id, "--api-url", srv.URL)
		assert.Equal(t, exitUsage, code, cmd)
		assert.Empty(t, stdout, cmd)
		assert.Contains(t, stderr, "indexingjobs "+cmd+": no API token: pass --token or set $DIGITALOCEAN_ACCESS_TOKEN\n", cmd)
		assert.NotContains(t, stderr, "WithToken", cmd)
		assert.Contains(t, stderr, "Usage: indexingjobs "+cmd, cmd)
	}
	code, _, stderr := runCmd(t, "list", "--api-url", srv.URL)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no API token: pass --token")
	assert.Zero(t, srv.Requests())
}

func TestHelpSpellsFlagsWithTwoDashesAndListsEveryCommand(t *testing.T) {
	code, stdout, _ := runCmd(t, "help")
	assert.Equal(t, exitOK, code)
	for name := range commands {
		assert.Regexp(t, `(?m)^  `+name+` `, stdout, "the usage lists %s", name)
	}
	for name := range commands {
		code, stdout, stderr := runCmd(t, name, "--help")
		assert.Equal(t, exitOK, code, name)
		assert.Empty(t, stderr, name)
		assert.Contains(t, stdout, "Usage: indexingjobs "+name, name)
		assert.NotRegexp(t, `(?m)^\s+-[a-z]`, stdout, "%s --help spells a flag with one dash", name)
		if name != "version" {
			assert.Regexp(t, `(?m)^  --[a-z]`, stdout, name)
		}
	}
	_, stdout, _ = runCmd(t, "cancel", "--help")
	assert.Contains(t, stdout, "Usage: indexingjobs cancel JOB_UUID [--wait]")
	assert.Contains(t, stdout, "  --api-url URL\n")
	assert.Contains(t, stdout, "  --wait\n")
	assert.Contains(t, stdout, "waiting included")
	_, stdout, _ = runCmd(t, "get", "--help")
	assert.NotContains(t, strings.ToLower(stdout), "wait", "get does not wait")
	_, stdout, _ = runCmd(t, "start", "--help")
	assert.Contains(t, stdout, "  --data-source UUID\n")
	assert.Contains(t, stdout, "  --wait\n")
	_, stdout, _ = runCmd(t, "list", "--help")
	for _, f := range []string{"--knowledge-base UUID", "--page N", "--per-page N", "--all"} {
		assert.Contains(t, stdout, "  "+f+"\n")
	}
	code, stdout, _ = runCmd(t, "version")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "indexingjobs "+indexingjobs.Version+"\n", stdout)
}

func TestCancelWaitShowsProgressAndTheEndedJob(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(60*time.Millisecond))
	job, _ := srv.Job(id)
	ds := job.DataSourceJobs[0].DataSourceUUID
	code, stdout, stderr := runCmd(t, "cancel", id, "--wait", "--poll", "10ms", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+BATCH_JOB_PHASE_CANCELLED$`, stdout)
	assert.Regexp(t, `(?m)^Indexing job\s+`+id+`$`, stdout)
	assert.Contains(t, stderr, "Cancel accepted: job "+id+" is BATCH_JOB_PHASE_RUNNING.\n")
	assert.Regexp(t, `\n\s+\d+\.\ds  BATCH_JOB_PHASE_RUNNING, 0/1 data sources done\n`+
		`\s+\d+\.\ds    data source `+ds+`: DATA_SOURCE_STATUS_IN_PROGRESS\n`+
		`\s+\d+\.\ds    data source `+ds+`: DATA_SOURCE_STATUS_CANCELLED\n`+
		`\s+\d+\.\ds  BATCH_JOB_PHASE_CANCELLED, 0/1 data sources done\n$`, stderr)
	assert.NotContains(t, stderr, "\r", "no redrawing when stderr is not a terminal")
}

func TestCancelOfAnEndedJobSaysSo(t *testing.T) {
	srv := indexingjobstest.NewServer()
	defer srv.Close()
	t.Setenv(indexingjobs.TokenEnv, srv.Token())
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	code, stdout, stderr := runCmd(t, "cancel", id, "--wait", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "Job "+id+" had already ended (BATCH_JOB_PHASE_SUCCEEDED): nothing to cancel.\n", stderr)
	assert.Regexp(t, `(?m)^Phase\s+BATCH_JOB_PHASE_SUCCEEDED$`, stdout)
}

func TestCancelWithoutWaitAndJSONOutput(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(time.Hour))
	code, stdout, stderr := runCmd(t, "cancel", "--output", "json", "--api-url", srv.URL, id)
	require.Equal(t, exitOK, code, stderr)
	job := decode[indexingjobs.IndexingJob](t, stdout)
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

func TestAPIErrorsAreTheLibrarysOneLineWithAHint(t *testing.T) {
	srv, _ := fake(t)
	missing := "00000000-0000-4000-8000-000000000000"
	code, stdout, stderr := runCmd(t, "get", missing, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Regexp(t, `^indexingjobs get: GET http://127\.0\.0\.1:\d+/v2/gen-ai/indexing_jobs/`+missing+`: 404 Not Found \(not_found\): `+
		`The resource you requested could not be found\.; request id [0-9a-f-]{36}\n$`, stderr, "one line: the library's error, once prefixed")

	code, _, stderr = runCmd(t, "cancel", missing, "--api-url", srv.URL, "--token", "dop_v1_not-this-one")
	assert.Equal(t, exitError, code)
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	require.Len(t, lines, 2, stderr)
	assert.Contains(t, lines[0], "indexingjobs cancel: PUT ")
	assert.Contains(t, lines[0], "401 Unauthorized (unauthorized): Unable to authenticate you.")
	assert.Equal(t, "Check the token (--token or $DIGITALOCEAN_ACCESS_TOKEN): it may be wrong, expired or revoked, or lack the genai scopes.", lines[1])
	assert.NotContains(t, stderr, "not-this-one", "the token is never printed")
}

func TestTimeoutEndsTheWaitAndSaysSo(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(time.Hour))
	code, _, stderr := runCmd(t, "cancel", id, "--wait", "--poll", "10ms", "--timeout", "100ms", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Regexp(t, `(?m)^indexingjobs cancel: timed out after 100ms: waiting for indexing job `+id+`: .*last seen in phase BATCH_JOB_PHASE_RUNNING`, stderr)
}

func TestInterruptEndsTheWaitAndSaysSo(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"cancel", id, "--wait", "--poll", "10ms", "--api-url", srv.URL}, &out, &errOut)
	}()
	// The cancel, a read answered, and the next read sent.
	require.Eventually(t, func() bool { return srv.Requests() >= 3 }, 5*time.Second, time.Millisecond)
	cancel()
	assert.Equal(t, exitError, <-done)
	assert.Regexp(t, `(?m)^indexingjobs cancel: interrupted: waiting for indexing job `+id+`: context canceled; last seen in phase BATCH_JOB_PHASE_RUNNING`, errOut.String())
	assert.Empty(t, out.String())
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

// TestLiveProgressRedrawsOneLine: on a terminal, the status line below
// the progress lines is redrawn at each read and each tick, with the
// phase and the data sources done, and removed at the end.
func TestLiveProgressRedrawsOneLine(t *testing.T) {
	var w syncBuffer
	ticks := make(chan time.Time)
	p := newProgress(&w, ticks)
	running := indexingjobs.IndexingJob{Phase: indexingjobs.PhaseRunning, TotalDatasources: 3, CompletedDatasources: 1}
	p.seen(&running)
	p.seen(&running)
	for range 3 { // the third is taken once the first two are drawn
		ticks <- time.Now()
	}
	p.seen(&indexingjobs.IndexingJob{Phase: indexingjobs.PhaseCancelled, TotalDatasources: 3, CompletedDatasources: 1})
	p.close()
	out := w.String()
	assert.Equal(t, 1, strings.Count(out, "s  BATCH_JOB_PHASE_RUNNING, 1/3 data sources done\n"), "a phase is printed once")
	assert.Contains(t, out, "s  BATCH_JOB_PHASE_CANCELLED, 1/3 data sources done\n")
	assert.GreaterOrEqual(t, strings.Count(out, "\r\033[Kwaiting for the job to end: BATCH_JOB_PHASE_RUNNING, 1/3 data sources done, "), 4,
		"drawn after each read of a running job and at each tick: %q", out)
	_, after, _ := strings.Cut(out, "BATCH_JOB_PHASE_CANCELLED, 1/3 data sources done\n")
	assert.Equal(t, "\r\033[K", after, "not drawn after the end, and removed")
}
