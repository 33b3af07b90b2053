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

// TestUsageErrorsExit2WithOneLineAndSendNothing: a wrong command line
// exits 2 with one line saying what is wrong (and a suggestion, where
// there is a near one) and how to get help, not the whole flag list.
func TestUsageErrorsExit2WithOneLineAndSendNothing(t *testing.T) {
	srv, id := fake(t)
	kb, ds := "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17", "9758a232-b351-4d0a-9e20-2b8a8f3a5a1c"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `indexingjobs: unknown command "frobnicate"`},
		{[]string{"lsit"}, "unknown command \"lsit\" for \"indexingjobs\"\n\nDid you mean this?\n    list\n"},
		{[]string{"cancel"}, "indexingjobs cancel: want one indexing job UUID, got 0\n"},
		{[]string{"cancel", id, id}, "want one indexing job UUID, got 2"},
		{[]string{"get", "../../account"}, `indexingjobs get: id "../../account": not a UUID`},
		{[]string{"cancel", id, "--output", "yaml"}, `invalid argument "yaml" for "-o, --output" flag: want text or json`},
		{[]string{"cancel", id, "-o", "yaml"}, `invalid argument "yaml" for "-o, --output" flag: want text or json`},
		{[]string{"cancel", id, "--frob"}, "unknown flag: --frob\n"},
		{[]string{"cancel", id, "--wiat"}, "indexingjobs cancel: unknown flag: --wiat\n\nDid you mean this?\n    --wait\n"},
		{[]string{"cancel", id, "--poll", "soon"}, `invalid argument "soon" for "--poll" flag: want a duration such as 30s, 2m or 1h30m`},
		{[]string{"cancel", id, "--poll", "-1s"}, `invalid argument "-1s" for "--poll" flag: want a duration above 0, such as 30s or 2m`},
		{[]string{"cancel", id, "--poll", "0s"}, `invalid argument "0s" for "--poll" flag: want a duration above 0`},
		{[]string{"wait", id, "--timeout", "-5m"}, `invalid argument "-5m" for "--timeout" flag: want a duration of 0 or more, such as 30s or 2m`},
		{[]string{"get", id, "--timeout", "10"}, `invalid argument "10" for "--timeout" flag: want a duration such as 30s, 2m or 1h30m`},
		{[]string{"get", id, "--api-url", "http://example.com"}, "only sent over https"},
		{[]string{"demo", "extra"}, "want no arguments, got 1"},
		{[]string{"demo", "--poll", "-1s"}, `for "--poll" flag: want a duration above 0`},
		{[]string{"start"}, "want one knowledge base UUID, got 0"},
		{[]string{"start", kb, kb}, "want one knowledge base UUID, got 2"},
		{[]string{"start", "kb"}, `id "kb": not a UUID`},
		{[]string{"start", kb, "--data-source", "x"}, `invalid argument "x" for "--data-source" flag: id "x": not a UUID`},
		{[]string{"start", "--data-source", ds, "--data-source", "../etc", kb}, `"--data-source" flag: id "../etc": not a UUID`},
		{[]string{"start", kb, "--wait", "--poll", "x"}, `invalid argument "x" for "--poll" flag`},
		{[]string{"wait"}, "want one indexing job UUID, got 0"},
		{[]string{"list", "extra"}, "want no arguments, got 1"},
		{[]string{"list", "--knowledge-base", kb, "--page", "2"}, "--page, --per-page and --all do not apply"},
		{[]string{"list", "--knowledge-base", kb, "--all"}, "--page, --per-page and --all do not apply"},
		{[]string{"list", "--knowledge-base", kb, "--per-page", "5"}, "--page, --per-page and --all do not apply"},
		{[]string{"list", "--knowledge-base", "kb"}, `--knowledge-base: id "kb": not a UUID`},
		{[]string{"list", "--all", "--page", "2"}, "--all lists every page: --page does not apply"},
		{[]string{"list", "--page", "0"}, "--page 0: pages count from 1"},
		{[]string{"list", "--per-page", "201"}, "--per-page 201: want 1 to 200"},
		{[]string{"list", "-o", "yaml"}, `want text or json`},
		{[]string{"data-sources"}, "want one indexing job UUID, got 0"},
		{[]string{"data-sources", "nope"}, "not a UUID"},
		{[]string{"details"}, "want one indexing job UUID, got 0"},
		{[]string{"details", id, "extra"}, "want one indexing job UUID, got 2"},
		{[]string{"details", "nope", "--file", "x"}, "not a UUID"},
		{[]string{"details", id, "--out", "x"}, "unknown flag: --out"},
		{[]string{"details", id, "--api-url", srv.URL, "--file"}, "flag needs an argument: --file"},
		{[]string{"completion", "tcsh"}, `indexingjobs completion: unknown command "tcsh" for "indexingjobs completion"`},
	} {
		args := c.args
		if len(args) > 0 && args[0] != "demo" && args[0] != "completion" && !slices.Contains(args, "--api-url") {
			args = append(args, "--api-url", srv.URL)
		}
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, stderr, c.want, c.args)
		assert.Regexp(t, `\nRun 'indexingjobs( \S+)? --help' for usage\.\n$`, stderr, c.args)
		assert.NotContains(t, stderr, "Flags:", "%v: one line, not the flag list", c.args)
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
		assert.Contains(t, stderr, "indexingjobs "+cmd+": no API token: pass --token, set $DIGITALOCEAN_ACCESS_TOKEN, or sign in with 'doctl auth init' (no doctl config at ", cmd)
		assert.NotContains(t, stderr, "WithToken", cmd)
		assert.Contains(t, stderr, "\nRun 'indexingjobs "+cmd+" --help' for usage.\n", cmd)
	}
	code, _, stderr := runCmd(t, "list", "--api-url", srv.URL)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no API token: pass --token")
	assert.Zero(t, srv.Requests())
}

// TestHelpVersionAndCompletion: what a doctl or gh user types to find
// their way: --help, help CMD, --version, completion SHELL.
func TestHelpVersionAndCompletion(t *testing.T) {
	code, stdout, _ := runCmd(t, "--help")
	assert.Equal(t, exitOK, code)
	for _, name := range []string{"list", "start", "get", "wait", "cancel", "data-sources", "details", "demo", "serve-fake", "docs", "version", "completion", "help"} {
		assert.Regexp(t, `(?m)^  `+name+`[ ,]`, stdout, "the help lists %s", name)
	}
	for _, args := range [][]string{{"cancel", "--help"}, {"help", "cancel"}, {"cancel", "-h"}} {
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, exitOK, code, args)
		assert.Empty(t, stderr, args)
		assert.Contains(t, stdout, "  indexingjobs cancel JOB_UUID [--wait]", args)
		assert.Regexp(t, `(?m)^\s+--api-url URL\s`, stdout, args)
		assert.Regexp(t, `(?m)^\s+-o, --output format\s`, stdout, args)
		assert.Regexp(t, `(?m)^\s+--wait\s`, stdout, args)
		assert.Contains(t, stdout, "waiting included", args)
	}
	_, stdout, _ = runCmd(t, "help", "get")
	assert.NotContains(t, strings.ToLower(stdout), "wait", "get does not wait")
	_, stdout, _ = runCmd(t, "help", "start")
	assert.Regexp(t, `(?m)^\s+--data-source UUID\s`, stdout)
	_, stdout, _ = runCmd(t, "help", "details")
	assert.Regexp(t, `(?m)^\s+--file string\s`, stdout)
	assert.NotContains(t, stdout, "--out ")
	_, stdout, _ = runCmd(t, "help", "list")
	for _, f := range []string{"--knowledge-base string", "--page int", "--per-page int", "--all"} {
		assert.Regexp(t, `(?m)^\s+`+f+`\s`, stdout)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, _ = runCmd(t, args...)
		assert.Equal(t, exitOK, code)
		assert.Equal(t, "indexingjobs "+indexingjobs.Version+"\n", stdout)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, stdout, stderr := runCmd(t, "completion", shell)
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "indexingjobs", shell)
		assert.Greater(t, len(stdout), 1000, shell)
	}
}

func TestCancelWaitShowsProgressAndTheEndedJob(t *testing.T) {
	srv, id := fake(t, indexingjobstest.WithCancelDelay(60*time.Millisecond))
	job, _ := srv.Job(id)
	ds := job.DataSourceJobs[0].DataSourceUUID
	code, stdout, stderr := runCmd(t, "cancel", id, "--wait", "--poll", "10ms", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+CANCELLED$`, stdout)
	assert.Regexp(t, `(?m)^Indexing job\s+`+id+`$`, stdout)
	assert.Contains(t, stderr, "Cancel accepted: job "+id+" is RUNNING and stops shortly.\n")
	assert.Regexp(t, `\n\s+\d+\.\ds  RUNNING, 0/1 data sources done\n`+
		`\s+\d+\.\ds    data source `+ds+`: IN_PROGRESS\n`+
		`\s+\d+\.\ds    data source `+ds+`: CANCELLED\n`+
		`\s+\d+\.\ds  CANCELLED, 0/1 data sources done\n$`, stderr)
	assert.NotContains(t, stderr, "\r", "no redrawing when stderr is not a terminal")
}

func TestGetWithTokenFlag(t *testing.T) {
	srv := indexingjobstest.NewServer(indexingjobstest.WithToken("flag-token"))
	defer srv.Close()
	t.Setenv(indexingjobs.TokenEnv, "env-token")
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	code, stdout, stderr := runCmd(t, "get", id, "--token", "flag-token", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+SUCCEEDED$`, stdout)
	assert.Regexp(t, `(?m)^Data sources\s+1 of 1 completed$`, stdout)
}

func TestAPIErrorsAreTheLibrarysOneLineWithAHint(t *testing.T) {
	srv, _ := fake(t)
	missing := "00000000-0000-4000-8000-000000000000"
	code, stdout, stderr := runCmd(t, "get", missing, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Regexp(t, `^indexingjobs get: indexing job `+missing+` not found: GET http://127\.0\.0\.1:\d+/v2/gen-ai/indexing_jobs/`+missing+`: 404 Not Found \(not_found\): `+
		`The resource you requested could not be found; request id [0-9a-f-]{36}\n`+
		`List the indexing jobs with 'indexingjobs list --api-url http://127\.0\.0\.1:\d+'\.\n$`, stderr, "one line: the library's error, once prefixed; then how to list what exists")

	code, _, stderr = runCmd(t, "cancel", missing, "--api-url", srv.URL, "--token", "dop_v1_not-this-one")
	assert.Equal(t, exitError, code)
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	require.Len(t, lines, 2, stderr)
	assert.Contains(t, lines[0], "indexingjobs cancel: GET ")
	assert.Contains(t, lines[0], "401 Unauthorized (unauthorized): Unable to authenticate you; request id ")
	assert.Equal(t, "Check the token (from --token): it may be wrong, expired or revoked, or lack the genai scopes.", lines[1])
	assert.NotContains(t, stderr, "not-this-one", "the token is never printed")
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

// TestDocsServesTheSpecOutsideTheRepository: run where there is no
// rendered page (outside a clone), docs still serves the embedded spec,
// and a page at / that links it.
func TestDocsServesTheSpecOutsideTheRepository(t *testing.T) {
	t.Chdir(t.TempDir())
	url, errOut, stop := startDocs(t)
	get := func(path string) string {
		resp, err := http.Get(url + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode, path)
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	assert.Equal(t, string(indexingjobs.OpenAPIYAML()), get("openapi.yaml"))
	assert.Contains(t, get(""), `<a href="openapi.json">`)
	assert.Equal(t, exitOK, stop(), errOut.String())
	assert.Contains(t, errOut.String(), "serving the spec alone")
}

// startDocs runs the tool's docs command with args on a free port until
// stop, which returns its exit code; url is where it serves, errOut its
// stderr.
func startDocs(t *testing.T, args ...string) (url string, errOut *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	errOut = &syncBuffer{}
	done := make(chan int)
	go func() { done <- run(ctx, append([]string{"docs", "--addr", "127.0.0.1:0"}, args...), &out, errOut) }()
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`at (http://\S+/) `).FindStringSubmatch(out.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond, "stderr: %s", errOut.String())
	return url, errOut, func() int { cancel(); return <-done }
}

func TestDocsServesUntilStopped(t *testing.T) {
	page := filepath.Join(t.TempDir(), "index.html")
	require.NoError(t, os.WriteFile(page, []byte("<p>docs</p>"), 0o644))
	url, errOut, stop := startDocs(t, "--page", page)
	resp, err := http.Get(url)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "<p>docs</p>", string(b))
	assert.Equal(t, exitOK, stop(), errOut.String())
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
	assert.Equal(t, 1, strings.Count(out, "s  RUNNING, 1/3 data sources done\n"), "a phase is printed once")
	assert.Contains(t, out, "s  CANCELLED, 1/3 data sources done\n")
	assert.GreaterOrEqual(t, strings.Count(out, "\r\033[Kwaiting for the job to end: RUNNING, 1/3 data sources done, "), 4,
		"drawn after each read of a running job and at each tick: %q", out)
	_, after, _ := strings.Cut(out, "s  CANCELLED, 1/3 data sources done\n")
	assert.Equal(t, "\r\033[K", after, "not drawn after the end, and removed")
}
