package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

const report = "data_source_uuid,file,status\n9758a232-b351-4d0a-9e20-2b8a8f3a5a1c,a.pdf,indexed\n"

// detailsServer answers the signed URL with a path of its own, which
// storage serves; it records whether the download carried a token.
func detailsServer(t *testing.T, storage http.HandlerFunc) *scripted {
	return script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}/details_signed_url": func(w http.ResponseWriter, r *http.Request) {
			// This server, named as the client reached it (the test's
			// variable may not be set yet when another process asks).
			answer(200, map[string]string{"signed_url": "http://" + r.Host + "/storage/report.csv?X-Amz-Signature=abc"})(w, r)
		},
		"GET /storage/report.csv": func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				http.Error(w, "a signed URL takes no token", http.StatusForbidden)
				return
			}
			storage(w, r)
		},
	})
}

func serveReport(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(report)) }

// breakOff announces a longer body than it sends, then drops the
// connection: the download fails part way.
func breakOff(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "100000")
	_, _ = w.Write([]byte(report))
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

func TestDetailsToStdout(t *testing.T) {
	srv := detailsServer(t, serveReport)
	code, stdout, stderr := runCmd(t, "details", jobID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, report, stdout)
	assert.Equal(t, []string{
		"GET /v2/gen-ai/indexing_jobs/" + jobID + "/details_signed_url",
		"GET /storage/report.csv?X-Amz-Signature=abc",
	}, srv.lines())
}

// TestDetailsOnATerminalAreEscaped: the report is the server's text; on a
// terminal it cannot drive it, while a pipe gets the bytes as sent.
func TestDetailsOnATerminalAreEscaped(t *testing.T) {
	const hostile = "a,\x1b]0;pwned\x07\x1b[2J,b\r\nsecond line\n"
	srv := detailsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(hostile)) })
	code, stdout, stderr := runCmd(t, "details", jobID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, hostile, stdout, "a pipe gets the bytes")

	defer func(was func(io.Writer) bool) { isTerminal = was }(isTerminal)
	isTerminal = func(io.Writer) bool { return true }
	code, stdout, stderr = runCmd(t, "details", jobID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "a,\\x1b]0;pwned\\a\\x1b[2J,b\nsecond line\n", stdout)
}

func TestDetailsOutWritesTheFileAndSaysSo(t *testing.T) {
	srv := detailsServer(t, serveReport)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.csv")
	code, stdout, stderr := runCmd(t, "details", jobID, "--file", out, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	assert.Equal(t, fmt.Sprintf("Wrote %d bytes to %s\n", len(report), out), stderr)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, report, string(got))
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file left beside it")

	code, stdout, stderr = runCmd(t, "details", jobID, "--file", out, "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.JSONEq(t, fmt.Sprintf(`{"file": %q, "bytes": %d}`, out, len(report)), stdout)
}

// TestDetailsOutLeavesNoFileOnFailure: a download that breaks off, or that
// storage refuses, leaves neither FILE nor a temporary file, and an
// existing FILE as it was.
func TestDetailsOutLeavesNoFileOnFailure(t *testing.T) {
	for name, storage := range map[string]http.HandlerFunc{
		"broken off": breakOff,
		"refused":    func(w http.ResponseWriter, r *http.Request) { http.Error(w, "AccessDenied", http.StatusForbidden) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := detailsServer(t, storage)
			dir := t.TempDir()
			out := filepath.Join(dir, "report.csv")
			code, stdout, stderr := runCmd(t, "details", jobID, "--file", out, "--api-url", srv.URL)
			assert.Equal(t, exitError, code)
			assert.Empty(t, stdout)
			assert.Regexp(t, `^indexingjobs details: details of `+jobID+`: `, stderr)
			assert.NotContains(t, stderr, "Wrote")
			assert.NotContains(t, stderr, "X-Amz-Signature", "the signature is a credential")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "no FILE, no temporary file")

			require.NoError(t, os.WriteFile(out, []byte("the last report"), 0o644))
			code, _, _ = runCmd(t, "details", jobID, "--file", out, "--api-url", srv.URL)
			assert.Equal(t, exitError, code)
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, "the last report", string(got), "an existing FILE is kept whole")
			entries, _ = os.ReadDir(dir)
			assert.Len(t, entries, 1)
		})
	}
}

func TestDetailsOutWhereNoFileCanBeWrittenSendsNothing(t *testing.T) {
	srv := detailsServer(t, serveReport)
	out := filepath.Join(t.TempDir(), "no such dir", "report.csv")
	code, _, stderr := runCmd(t, "details", jobID, "--file", out, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "no such file or directory")
	assert.Empty(t, srv.requests())
}

// TestDetailsAgainstTheFake: the report comes from the fake's storage
// listener, fetched without the token (it answers 403 to one).
func TestDetailsAgainstTheFake(t *testing.T) {
	srv, _ := fake(t, indexingjobstest.WithJobDuration(0))
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded))
	out := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := runCmd(t, "details", id, "--file", out, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"uuid":"`+id+`"`)
	assert.Equal(t, fmt.Sprintf("Wrote %d bytes to %s\n", len(got), out), stderr)
	assert.Equal(t, 1, srv.StorageRequests())
}

// TestDetailsOfAJobWithoutAReportSaysSo: a job without a report
// (is_report_available false) gets a clear "no report", whether the
// storage has no such object (the fake) or the API answers that there is
// none; no --file is written.
func TestDetailsOfAJobWithoutAReportSaysSo(t *testing.T) {
	srv, running := fake(t)
	cancelled := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseCancelled))
	file := filepath.Join(t.TempDir(), "report.json")
	for id, want := range map[string]string{
		running: "indexingjobs details: indexing job " + running + " has no report: it is RUNNING, and the API says none is available (is_report_available false)\n" +
			"A job's report is made when it ends: follow it with 'indexingjobs wait " + running + " --api-url " + srv.URL + "'.\n",
		cancelled: "indexingjobs details: indexing job " + cancelled + " has no report: it is CANCELLED, and the API says none is available (is_report_available false)\n",
	} {
		for _, args := range [][]string{{}, {"--file", file}} {
			code, stdout, stderr := runCmd(t, append([]string{"details", id, "--api-url", srv.URL}, args...)...)
			assert.Equal(t, exitError, code, args)
			assert.Empty(t, stdout)
			assert.Equal(t, want, stderr, args)
		}
	}
	assert.NoFileExists(t, file)

	api := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}/details_signed_url": answer(404, map[string]string{"id": "not_found", "message": "The resource you requested could not be found."}),
		"GET /v2/gen-ai/indexing_jobs/{id}":                    answer(200, map[string]any{"job": map[string]any{"uuid": jobID, "phase": "BATCH_JOB_PHASE_FAILED", "is_report_available": false}}),
	})
	code, _, stderr := runCmd(t, "details", jobID, "--api-url", api.URL)
	assert.Equal(t, exitError, code)
	assert.Equal(t, "indexingjobs details: indexing job "+jobID+" has no report: it is FAILED, and the API says none is available (is_report_available false)\n", stderr)
}
