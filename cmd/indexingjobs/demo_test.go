package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// TestDemoShowsEveryStepAndATrueSummary: each step is preceded by the
// command line that ran, and how long the jobs ran comes from their own
// times: never more than the demo took.
func TestDemoShowsEveryStepAndATrueSummary(t *testing.T) {
	began := time.Now()
	code, stdout, stderr := runCmd(t, "demo", "--job-duration", "300ms", "--cancel-delay", "100ms", "--poll", "10ms")
	took := time.Since(began)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "no account, no network")
	url := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+) `).FindStringSubmatch(stderr)
	require.NotNil(t, url, stderr)
	kb := regexp.MustCompile(`(?m)^(\S+)\s+product-docs\s+tor1\s+\S+$`).FindStringSubmatch(stdout)
	require.NotNil(t, kb, "the demo finds its knowledge base in the table:\n%s", stdout)
	ids := regexp.MustCompile(`(?m)^Started job (\S+) on knowledge base`).FindAllStringSubmatch(stderr, -1)
	require.Len(t, ids, 2, stderr)
	first, second := ids[0][1], ids[1][1]
	api := "\n"
	steps := []string{
		"$ export DIGITALOCEAN_ACCESS_TOKEN=indexingjobstest-token\n",
		"$ export DIGITALOCEAN_API_URL=" + url[1] + "\n",
		"$ indexingjobs embedding-models" + api,
		"$ indexingjobs knowledge-base create product-docs --region tor1 --embedding-model 22653204-79ed-11ef-bf8f-4e013e2ddde4 --project ",
		"--file ", "/handbook.md --file ", "/faq.md --wait --poll 10ms" + api,
		"Uploaded handbook.md (", "Uploaded faq.md (", "Its database is ONLINE",
		"$ indexingjobs knowledge-bases" + api,
		"$ indexingjobs knowledge-base " + kb[1] + api,
		"$ indexingjobs start " + kb[1] + " --wait --poll 10ms" + api,
		"$ indexingjobs list" + api,
		"$ indexingjobs start " + kb[1] + api,
		"$ indexingjobs cancel " + second + " --wait --poll 10ms" + api,
		"$ indexingjobs data-sources " + first + api,
		"$ indexingjobs schedule " + kb[1] + " --days mon,thu --at 02:00" + api,
	}
	at := 0
	for _, step := range steps {
		i := strings.Index(stderr[at:], step)
		require.GreaterOrEqual(t, i, 0, "%q, in order, in\n%s", step, stderr)
		at += i + len(step)
	}
	assert.NotContains(t, stderr, "--token", "the lines shown are what a user types, the token exported")
	assert.NotContains(t, stderr, "--api-url", "and the API's URL")
	assert.Regexp(t, `(?m)^\s+\S+s  SUCCEEDED, 2/2 data sources done$`, stderr)
	assert.Regexp(t, `(?m)^\s+\S+s  CANCELLED, \d/2 data sources done$`, stderr)
	assert.Regexp(t, `(?m)^UUID\s+KNOWLEDGE BASE\s+PHASE`, stdout, "the list")
	assert.Regexp(t, `(?m)^`+first+`\s+`+kb[1]+`\s+SUCCEEDED\s+COMPLETED\s+2/2 `, stdout)
	assert.Regexp(t, `(?m)^DATA SOURCE\s+STATUS\s+FILES`, stdout, "the data sources")
	assert.Equal(t, 2, strings.Count(stdout, "  UPDATED  "), stdout)
	assert.Regexp(t, `(?m)^Database\s+ONLINE$`, stdout, "the knowledge base")
	assert.Regexp(t, `(?m)^\S+\s+file\s+handbook.md\s+\S+$`, stdout, "the files it was created from")
	assert.Regexp(t, `(?m)^\S+\s+file\s+faq.md\s+\S+$`, stdout)
	assert.Contains(t, stdout, "Knowledge base "+kb[1]+" is indexed on Monday and Thursday at 02:00 UTC.\n", "the schedule")

	m := regexp.MustCompile(`(?m)^  job ` + first + ` ran for (\S+) and ended SUCCEEDED: 2 of 2 data sources done`).FindStringSubmatch(stderr)
	require.NotNil(t, m, stderr)
	ran, err := time.ParseDuration(m[1])
	require.NoError(t, err)
	assert.LessOrEqual(t, ran, took, "the job ran no longer than the demo")
	assert.Regexp(t, `(?m)^Ran for\s+`+regexp.QuoteMeta(m[1])+`$`, stdout, "the summary agrees with the job shown")
	assert.Regexp(t, `(?m)^  job `+second+` (ran for \S+|never started) and ended CANCELLED`, stderr)
}

// TestServeFakeHintsWork: serve-fake prints a knowledge base and its
// jobs, and the commands it suggests work as printed.
func TestServeFakeHintsWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve-fake", "--addr", "127.0.0.1:0", "--cancel-delay", "0s", "--job-duration", "200ms"}, &out, &errOut)
	}()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "\n  indexingjobs list\n") }, 5*time.Second, 5*time.Millisecond)
	text := out.String()
	m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+), token "([^"]+)"\.[\s\S]*\nKnowledge base (\S+), data sources:\n  \S+\n  \S+\n  \S+\n\nJobs started on it[^\n]*\n  (\S+)\n  \S+\n`).FindStringSubmatch(text)
	require.NotNil(t, m, text)
	url, token, kb, job := m[1], m[2], m[3], m[4]
	assert.Contains(t, text, "  export DIGITALOCEAN_ACCESS_TOKEN="+token+"\n")
	assert.Contains(t, text, "  export DIGITALOCEAN_API_URL="+url+"\n")
	assert.Contains(t, text, "  go run ./cmd/indexingjobs start "+kb+" --wait\n")
	assert.Contains(t, text, "  go run ./cmd/indexingjobs list\n")
	assert.Contains(t, text, "  indexingjobs list\n")

	t.Setenv(indexingjobs.TokenEnv, token)
	t.Setenv(apiURLEnv, url)
	cancelLine := regexp.MustCompile(`go run \./cmd/indexingjobs (cancel .*)\n`).FindStringSubmatch(text)
	require.NotNil(t, cancelLine, text)
	require.Contains(t, cancelLine[1], job)
	code, stdout, stderr := runCmd(t, strings.Fields(cancelLine[1])...)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+CANCELLED$`, stdout)
	code, stdout, stderr = runCmd(t, "start", kb, "--wait", "--poll", "10ms")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+SUCCEEDED$`, stdout)
	code, stdout, stderr = runCmd(t, "list", "--knowledge-base", kb)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "3 jobs\n")

	cancel()
	assert.Equal(t, exitOK, <-done, errOut.String())
	assert.Contains(t, errOut.String(), "Stopping the fake API")
}

// buildTool builds the command into a temporary directory.
func buildTool(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "indexingjobs")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// startServeFake starts the built tool's serve-fake and returns it, its
// URL, the first job and a reader of its stderr.
func startServeFake(t *testing.T, bin string) (*exec.Cmd, string, string, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(bin, "serve-fake", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	r := bufio.NewReader(stdout)
	var text strings.Builder
	for !strings.Contains(text.String(), "Jobs started on it") || !strings.HasSuffix(text.String(), "\n\n") {
		line, err := r.ReadString('\n')
		require.NoError(t, err, text.String())
		text.WriteString(line)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	m := regexp.MustCompile(`at http://(127\.0\.0\.1:\d+),[\s\S]*Jobs started on it[^\n]*\n  (\S+)\n`).FindStringSubmatch(text.String())
	require.NotNil(t, m, text.String())
	return cmd, m[1], m[2], bufio.NewReader(stderr)
}

// holdRequest sends a cancel whose body is announced but never comes
// whole, once the fake's handler has begun to read it (it answers the
// Expect: 100-continue then): the handler waits for the rest.
func holdRequest(t *testing.T, addr, job string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = io.WriteString(conn, "PUT /v2/gen-ai/indexing_jobs/"+job+"/cancel HTTP/1.1\r\nHost: "+addr+
		"\r\nAuthorization: Bearer indexingjobstest-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
	require.NoError(t, err)
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", line)
	_, err = io.WriteString(conn, `{"uuid":`)
	require.NoError(t, err)
}

// TestServeFakeStopsOnSIGINTWhateverClientsDo: a client holding a half-sent
// request does not keep serve-fake from ending within 3s of SIGINT.
func TestServeFakeStopsOnSIGINTWhateverClientsDo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool")
	}
	bin := buildTool(t)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		cmd, addr, job, stderr := startServeFake(t, bin)
		holdRequest(t, addr, job)
		require.NoError(t, cmd.Process.Signal(sig))
		exited := make(chan error, 1)
		go func() {
			line, _ := stderr.ReadString('\n')
			assert.Equal(t, "Stopping the fake API (a second Ctrl-C ends it at once).\n", line)
			exited <- cmd.Wait()
		}()
		select {
		case err := <-exited:
			assert.NoError(t, err, "%v: exits 0", sig)
		case <-time.After(3 * time.Second):
			t.Fatalf("%v: serve-fake still running 3s after the signal", sig)
		}
	}
}

// TestSecondSIGINTEndsTheToolAtOnce: once the first signal has ended the
// command's context, the signal's default action is back, and a second
// one kills the process while it is still stopping.
func TestSecondSIGINTEndsTheToolAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool")
	}
	cmd, addr, job, stderr := startServeFake(t, buildTool(t))
	holdRequest(t, addr, job) // keeps the fake's Close busy for its grace
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	line, err := stderr.ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "Stopping the fake API")
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "killed, not exited")
	status, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	assert.True(t, status.Signaled(), "ended by the signal's default action: %v", err)
	assert.Equal(t, syscall.SIGINT, status.Signal())
}
