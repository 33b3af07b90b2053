package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// evil is text a hostile or broken server could send: a terminal title
// change (ESC ] ... BEL), a screen clear, a carriage return and a new line
// that forges a line of output, a C1 CSI and a right-to-left override.
const evil = "\x1b]0;pwned\x07\x1b[2J\rx\nrequest id: forged\u009b31m\u202e\x7f"

// assertSafe fails if out holds a control character other than the line
// ends, or a line the server forged.
func assertSafe(t *testing.T, what, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 && c != '\n') || c == 0x7f {
			t.Errorf("%s: control byte %#x at %d in %q", what, c, i, out)
			return
		}
	}
	assert.NotContains(t, out, "\x1b", what)
	assert.NotContains(t, out, "\u009b", what)
	assert.NotContains(t, out, "\u202e", what)
	assert.NotRegexp(t, regexp.MustCompile(`(?m)^\s*request id: forged`), out, what)
}

const (
	jobID = "123e4567-e89b-12d3-a456-426614174000"
	kbID  = "7d1b3a0e-5c44-4b8e-9a51-0f6c2e8d9b17"
)

func evilJob(id string, phase string) map[string]any {
	return map[string]any{
		"uuid": id, "knowledge_base_uuid": evil, "phase": phase, "status": evil,
		"data_source_uuids": []string{evil}, "total_datasources": 1,
		"data_source_jobs": []map[string]any{evilSource()},
	}
}

func evilSource() map[string]any {
	return map[string]any{"data_source_uuid": evil, "status": evil, "error_msg": evil, "error_details": evil,
		"indexed_file_count": "1", "total_file_count": "2"}
}

// TestServerTextIsShownSafely runs every command that prints what the
// server sent against a server whose every string is hostile, text output
// and errors alike, and finds no control character and no forged line on
// stdout or stderr, while the text is still shown, escaped.
func TestServerTextIsShownSafely(t *testing.T) {
	ended := evilJob(jobID, "BATCH_JOB_PHASE_CANCELLED")
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}":        answers(map[string]any{"job": evilJob(jobID, evil)}, map[string]any{"job": ended}),
		"PUT /v2/gen-ai/indexing_jobs/{id}/cancel": answer(200, map[string]any{"job": evilJob(jobID, evil)}),
		"POST /v2/gen-ai/indexing_jobs":            answer(200, map[string]any{"job": evilJob(evil, evil)}),
		"GET /v2/gen-ai/indexing_jobs": answer(200, map[string]any{
			"jobs": []any{evilJob(evil, evil), evilJob(jobID, evil)}, "meta": map[string]any{"page": 1, "pages": 1, "total": 2}}),
		"GET /v2/gen-ai/indexing_jobs/{id}/data_sources": answer(200, map[string]any{"indexed_data_sources": []any{evilSource(), evilSource()}}),
		"GET /v2/gen-ai/knowledge_bases/{id}/indexing_jobs": answer(200, map[string]any{"jobs": []any{
			map[string]any{"uuid": evil, "phase": evil, "status": evil}}}),
		"GET /v2/gen-ai/indexing_jobs/00000000-0000-4000-8000-000000000000": answer(404, map[string]any{"id": evil, "message": evil, "request_id": evil}),
		"GET /v2/gen-ai/indexing_jobs/00000000-0000-4000-8000-000000000001": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden) // not retried
			_, _ = w.Write([]byte("<html><title>" + evil + "</title></html>"))
		},
	})
	for _, args := range [][]string{
		{"get", jobID},
		{"cancel", jobID, "--wait", "--poll", "1ms"},
		{"start", kbID},
		{"list"},
		{"list", "--all"},
		{"list", "--knowledge-base", kbID},
		{"data-sources", jobID},
		{"get", "00000000-0000-4000-8000-000000000000"},
		{"get", "00000000-0000-4000-8000-000000000001"},
	} {
		code, stdout, stderr := runCmd(t, append(args, "--api-url", srv.URL)...)
		what := strings.Join(args, " ")
		assert.NotEqual(t, exitUsage, code, what)
		assertSafe(t, what+": stdout", stdout)
		assertSafe(t, what+": stderr", stderr)
		if args[0] == "start" {
			// An answer about another job: its ids are not UUIDs, so the
			// library shows them by their length only.
			assert.Contains(t, stderr, "not a UUID", what)
			continue
		}
		assert.Contains(t, stdout+stderr, `\x1b]0;pwned\a\x1b[2J`, what+": the text is shown, escaped")
		assert.Contains(t, stdout+stderr, `request id: forged\u009b31m\u202e\x7f`, what+": the text is shown, escaped")
	}
}

// TestJSONOutputKeepsTheServersText: --output json is safe as it is
// (encoding/json escapes control characters) and gives the text back
// exactly.
func TestJSONOutputKeepsTheServersText(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}":              answer(200, map[string]any{"job": evilJob(jobID, evil)}),
		"GET /v2/gen-ai/indexing_jobs/{id}/data_sources": answer(200, map[string]any{"indexed_data_sources": []any{evilSource()}}),
	})
	code, stdout, stderr := runCmd(t, "get", jobID, "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stdout, "\x1b")
	job := decode[indexingjobs.IndexingJob](t, stdout)
	assert.Equal(t, evil, string(job.Phase))
	assert.Equal(t, evil, job.DataSourceJobs[0].ErrorDetails)

	code, stdout, stderr = runCmd(t, "data-sources", jobID, "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stdout, "\x1b")
	sources := decode[[]indexingjobs.IndexedDataSource](t, stdout)
	assert.Equal(t, evil, sources[0].ErrorMsg)

}
