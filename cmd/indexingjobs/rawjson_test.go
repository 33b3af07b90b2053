package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawJob is a job as a server could spell it: a field the client does not
// know, zero values, numbers as numbers and as strings in its own way, a
// time in its own spelling, and strings holding a C0 control (escaped, as
// JSON must), and DEL, a C1 control, a line separator and a right-to-left
// override raw, as JSON may.
func rawJob(id string) string {
	return `{"uuid": "` + id + `", "knowledge_base_uuid": "` + kbID + `", "phase": "BATCH_JOB_PHASE_RUNNING",
		"status": "x\u001by` + "\x7f\u009b\u2028\u202e" + `z", "completed_datasources": 0, "total_datasources": 3,
		"total_tokens": "412930", "total_items_failed": "0", "created_at": "2026-11-03T10:00:00.000000Z",
		"is_report_available": false, "future_field": {"ratio": 2.50, "big": 1e3, "list": [1, "two", null]}}`
}

// assertAsSent checks that out holds the raw job as sent: the same values,
// the fields the client does not know and the zero ones, numbers and
// times spelled as sent; and no raw control or bidi character.
func assertAsSent(t *testing.T, what, out string) {
	t.Helper()
	for _, kept := range []string{`"future_field": {`, `"ratio": 2.50`, `"big": 1e3`, `"completed_datasources": 0`, `"total_items_failed": "0"`,
		`"is_report_available": false`, `"created_at": "2026-11-03T10:00:00.000000Z"`, `"total_tokens": "412930"`,
		`"status": "x\u001by\u007f\u009b\u2028\u202ez"`} {
		assert.Contains(t, out, kept, what)
	}
	for _, raw := range []string{"\x1b", "\x7f", "\u009b", "\u2028", "\u202e"} {
		assert.NotContains(t, out, raw, what)
	}
}

func TestJSONOutputIsWhatTheAPISent(t *testing.T) {
	const other = "123e4567-e89b-12d3-a456-000000000002"
	job := rawJob(jobID)
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}":        rawAnswer(`{"job": ` + job + `}`),
		"PUT /v2/gen-ai/indexing_jobs/{id}/cancel": rawAnswer(`{"job": ` + job + `}`),
		"POST /v2/gen-ai/indexing_jobs":            rawAnswer(`{"job": ` + job + `}`),
		"GET /v2/gen-ai/indexing_jobs": rawAnswer(`{"jobs": [` + job + `, ` + rawJob(other) + `],
			"links": {"pages": {}}, "meta": {"page": 1, "pages": 1, "total": 2}}`),
		"GET /v2/gen-ai/knowledge_bases/{id}/indexing_jobs": rawAnswer(`{"jobs": [` + job + `]}`),
		"GET /v2/gen-ai/indexing_jobs/{id}/data_sources": rawAnswer(`{"indexed_data_sources": [{"data_source_uuid": "` + ds1 + `",
			"indexed_file_count": "12", "error_msg": "` + "\u202e" + `fdp.exe", "new_count": 7}]}`),
	})
	for _, args := range [][]string{{"get", jobID}, {"cancel", jobID}, {"start", kbID}} {
		code, stdout, stderr := runCmd(t, append(args, "-o", "json", "--api-url", srv.URL)...)
		require.Equal(t, exitOK, code, stderr)
		assertAsSent(t, args[0], stdout)
		assert.True(t, strings.HasPrefix(stdout, "{\n  \"uuid\": "), "%s: the job, indented: %s", args[0], stdout)
		var got, sent any
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		require.NoError(t, json.Unmarshal([]byte(job), &sent))
		assert.Equal(t, sent, got, "%s: the same values as sent", args[0])
	}

	code, stdout, stderr := runCmd(t, "list", "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assertAsSent(t, "list", stdout)
	assert.Contains(t, stdout, "\"meta\": {\n    \"page\": 1,\n    \"pages\": 1,\n    \"total\": 2\n  }", "the page with its meta")
	assert.Contains(t, stdout, `"uuid": "`+other+`"`)

	code, stdout, stderr = runCmd(t, "list", "--all", "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assertAsSent(t, "list --all", stdout)
	var all []map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &all), stdout)
	require.Len(t, all, 2, "one array of every job")
	assert.True(t, strings.HasPrefix(stdout, "[\n  {\n    \"uuid\": "), stdout)

	code, stdout, stderr = runCmd(t, "list", "--knowledge-base", kbID, "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assertAsSent(t, "list --knowledge-base", stdout)

	code, stdout, stderr = runCmd(t, "data-sources", jobID, "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `"new_count": 7`)
	assert.Contains(t, stdout, `"error_msg": "\u202efdp.exe"`)
	assert.NotContains(t, stdout, "\u202e")
}

// rawAnswer writes body, as it is, with status 200.
func rawAnswer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

// watched is a stdout that closes seen once it has been written want.
type watched struct {
	syncBuffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watched) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if strings.Contains(w.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

// TestListAllJSONIsStreamed: list --all -o json writes each page's jobs
// as the page arrives, so that its memory is one page's however long the
// list: the server holds page 3 back until the first job is on stdout (a
// tool that collected every job first would never write it, and the
// server gives up on it after a while).
func TestListAllJSONIsStreamed(t *testing.T) {
	const total = 9
	out := &watched{want: `"uuid": "123e4567-e89b-12d3-a456-000000000001"`, seen: make(chan struct{})}
	srv := script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs": func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 3 {
			select {
			case <-out.seen:
			case <-time.After(10 * time.Second):
				answer(409, map[string]string{"id": "held", "message": "page 1 never reached stdout"})(w, r)
				return
			}
		}
		var jobs []string
		for n := (page-1)*2 + 1; n <= min(page*2, total); n++ {
			jobs = append(jobs, rawJob(fmt.Sprintf("123e4567-e89b-12d3-a456-%012d", n)))
		}
		rawAnswer(fmt.Sprintf(`{"jobs": [%s], "meta": {"page": %d, "pages": 5, "total": %d}}`, strings.Join(jobs, ","), page, total))(w, r)
	}})
	var errOut syncBuffer
	code := run(t.Context(), []string{"list", "--all", "--per-page", "2", "-o", "json", "--api-url", srv.URL}, out, &errOut)
	require.Equal(t, exitOK, code, errOut.String())
	var jobs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out.String()), &jobs), out.String())
	assert.Len(t, jobs, total)
	assertAsSent(t, "list --all", out.String())
}
