package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

const apiToken = "dop_v1_3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6"

// assertNoToken fails if out holds the token, in any case, or any run of
// gramLen bytes of it.
func assertNoToken(t *testing.T, what, out string) {
	t.Helper()
	low, token := strings.ToLower(out), strings.ToLower(apiToken)
	for i := 0; i+gramLen <= len(token); i++ {
		if strings.Contains(low, token[i:i+gramLen]) {
			t.Errorf("%s: the token (%q) is printed: %s", what, token[i:i+gramLen], out)
			return
		}
	}
}

// TestTheTokenIsKeptOutOfEverythingPrinted: answers that succeeded echo
// the token (the Authorization header in a job's error_msg, the token in
// upper case, a part of it, one JSON-escaped, a knowledge base's name);
// no command prints it, as text or as JSON, and a crawler's URL is shown
// without its user, password, query or fragment.
func TestTheTokenIsKeptOutOfEverythingPrinted(t *testing.T) {
	escaped := `\u0064` + apiToken[1:] // "d" escaped: the same string
	job := `{"uuid": "` + jobID + `", "knowledge_base_uuid": "` + kbID + `", "phase": "BATCH_JOB_PHASE_SUCCEEDED",
		"status": "` + strings.ToUpper(apiToken) + `", "total_datasources": 1, "completed_datasources": 1,
		"data_source_jobs": [{"data_source_uuid": "` + ds1 + `", "status": "DATA_SOURCE_STATUS_UPDATED",
			"error_msg": "Authorization: Bearer ` + apiToken + `", "error_details": "token ` + apiToken[:40] + `…"}],
		"note": "` + escaped + `"}`
	crawler := `https://crawler:hunter2pass@docs.example.com/guide?key=sekrit123&lang=en#access_token=fragvalue`
	kb := `{"uuid": "` + kbID + `", "name": "kb ` + escaped + `", "region": "tor1"}`
	source := `{"uuid": "` + ds1 + `", "web_crawler_data_source": {"base_url": "` + crawler + `", "crawling_option": "SCOPED"}}`
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}":              rawAnswer(`{"job": ` + job + `}`),
		"GET /v2/gen-ai/indexing_jobs":                   rawAnswer(`{"jobs": [` + job + `], "meta": {"page": 1, "pages": 1, "total": 1}}`),
		"GET /v2/gen-ai/indexing_jobs/{id}/data_sources": rawAnswer(`{"indexed_data_sources": [{"data_source_uuid": "` + ds1 + `", "error_msg": "` + escaped + `"}]}`),
		"GET /v2/gen-ai/knowledge_bases":                 rawAnswer(`{"knowledge_bases": [` + kb + `], "meta": {"page": 1, "pages": 1, "total": 1}}`),
		"GET /v2/gen-ai/knowledge_bases/{id}":            rawAnswer(`{"knowledge_base": ` + kb + `, "database_status": "ONLINE"}`),
		"GET /v2/gen-ai/knowledge_bases/{id}/data_sources": rawAnswer(`{"knowledge_base_data_sources": [` + source + `],
			"meta": {"page": 1, "pages": 1, "total": 1}}`),
	})
	t.Setenv(indexingjobs.TokenEnv, apiToken)
	for _, args := range [][]string{
		{"get", jobID}, {"wait", jobID}, {"data-sources", jobID}, {"list"}, {"list", "--all"},
		{"knowledge-bases"}, {"knowledge-base", kbID},
	} {
		for _, output := range []string{"text", "json"} {
			what := strings.Join(args, " ") + " -o " + output
			code, stdout, stderr := runCmd(t, append(args, "-o", output, "--api-url", srv.URL)...)
			require.Equal(t, exitOK, code, "%s: %s", what, stderr)
			assertNoToken(t, what, stdout+stderr)
			assert.Contains(t, stdout, "[redacted]", what)
			for _, secret := range []string{"hunter2pass", "crawler:", "sekrit123", "fragvalue"} {
				assert.NotContains(t, stdout+stderr, secret, what)
			}
			if args[0] == "knowledge-base" {
				assert.Regexp(t, `https://docs\.example\.com/guide["\s]`, stdout, what)
			}
		}
	}
	code, stdout, _ := runCmd(t, "get", jobID, "-o", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code)
	got := decode[map[string]any](t, stdout)
	assert.Equal(t, "Authorization: Bearer [redacted]", got["data_source_jobs"].([]any)[0].(map[string]any)["error_msg"], "the rest as sent")
	assert.Contains(t, stdout, `"phase": "BATCH_JOB_PHASE_SUCCEEDED"`)
}

// TestACleanedURLShowsNoQueryResidue: a URL cleaned of its secrets ends
// where its path ends: no "?", no names left without their values.
func TestACleanedURLShowsNoQueryResidue(t *testing.T) {
	for in, want := range map[string]string{
		"https://docs.example.com/guide?key=sekrit&lang=en": "https://docs.example.com/guide",
		"https://docs.example.com/guide?x=":                 "https://docs.example.com/guide",
		"https://docs.example.com/?":                        "https://docs.example.com/",
		"https://u:p@docs.example.com/a?=v#frag":            "https://docs.example.com/a",
		"https://docs.example.com":                          "https://docs.example.com",
		"docs.example.com/?x=1":                             "docs.example.com/?x=1",
	} {
		assert.Equal(t, want, withoutCredentials(in), in)
	}
}

// TestTheTokenIsKeptOutWhereverTheWritesCutIt: the streams hold back what
// could begin the token until the next write says whether it does.
func TestTheTokenIsKeptOutWhereverTheWritesCutIt(t *testing.T) {
	text := "a job said: Bearer " + apiToken + ", and " + strings.ToUpper(apiToken[20:50]) + ".\nwaiting 1.2s"
	for _, size := range []int{1, 2, 7, 15, 16, 17, 64, len(text)} {
		var out bytes.Buffer
		r := &redactor{}
		r.set(apiToken)
		w := &redactingWriter{w: &out, r: r}
		for i := 0; i < len(text); i += size {
			n, err := w.Write([]byte(text[i:min(i+size, len(text))]))
			require.NoError(t, err)
			require.Equal(t, min(size, len(text)-i), n)
		}
		assert.True(t, strings.HasSuffix(out.String(), "\nwaiting 1.2s"), "%d: what cannot be the token is not held back: %q", size, out.String())
		w.flush()
		assertNoToken(t, fmt.Sprint("writes of ", size), out.String())
		assert.Equal(t, "a job said: Bearer [redacted], and [redacted].\nwaiting 1.2s", strings.ReplaceAll(out.String(), "[redacted][redacted]", "[redacted]"), size)
	}
}

// TestDetailsFileOnATerminalIsEscaped: --file naming a terminal device
// shows the report escaped, as on stdout; /dev/null, a device that is no
// terminal, gets the bytes.
func TestDetailsFileOnATerminalIsEscaped(t *testing.T) {
	const hostile = "a,\x1b]0;pwned\x07\x1b[2J,b\nsecond line\n"
	srv := detailsServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(hostile)) })
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	shown := make(chan string)
	go func() {
		b, _ := io.ReadAll(ptmx) // until every end of the terminal is closed
		shown <- string(b)
	}()
	code, stdout, stderr := runCmd(t, "details", jobID, "--file", tty.Name(), "--api-url", srv.URL)
	tty.Close()
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	got := strings.ReplaceAll(<-shown, "\r\n", "\n") // the terminal's own line ends
	assert.Equal(t, "a,\\x1b]0;pwned\\a\\x1b[2J,b\nsecond line\n", got)

	code, _, stderr = runCmd(t, "details", jobID, "--file", "/dev/null", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fmt.Sprintf("Wrote %d bytes to /dev/null\n", len(hostile)), stderr)
}

// TestCountsThatContradictAreSaidToBeInconsistent: counts that overflow
// or contradict each other are said to be inconsistent, in every place
// they are shown, never wrapped or shown as if true.
func TestCountsThatContradictAreSaidToBeInconsistent(t *testing.T) {
	job := func(completed, total int64, indexed, failed string) string {
		return fmt.Sprintf(`{"uuid": %q, "phase": "BATCH_JOB_PHASE_SUCCEEDED", "completed_datasources": %d, "total_datasources": %d,
			"total_items_indexed": %q, "total_items_failed": %q}`, jobID, completed, total, indexed, failed)
	}
	for _, c := range []struct {
		name, job      string
		sources, items bool // which counts are inconsistent
	}{
		{"more done than there are", job(5, 3, "1", "0"), true, false},
		{"a negative count", job(-1, 3, "1", "0"), true, false},
		{"a sum that wraps", job(1, 1, "18446744073709551615", "1"), false, true},
	} {
		srv := script(t, map[string]http.HandlerFunc{
			"GET /v2/gen-ai/indexing_jobs/{id}": rawAnswer(`{"job": ` + c.job + `}`),
			"GET /v2/gen-ai/indexing_jobs":      rawAnswer(`{"jobs": [` + c.job + `], "meta": {"page": 1, "pages": 1, "total": 1}}`),
		})
		code, stdout, stderr := runCmd(t, "get", jobID, "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		if c.sources {
			assert.Regexp(t, `(?m)^Data sources\s+the API's counts are inconsistent$`, stdout, c.name)
		}
		if c.items {
			assert.Regexp(t, `(?m)^Items\s+the API's counts are inconsistent \(their sum overflows\)$`, stdout, c.name)
			assert.NotContains(t, stdout, "18446744073709551615", c.name)
		}
		code, stdout, stderr = runCmd(t, "list", "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		if c.sources {
			assert.Regexp(t, `(?m)^`+jobID+`\s+-\s+SUCCEEDED\s+UNKNOWN\s+inconsistent\s`, stdout, c.name)
		}
		code, _, stderr = runCmd(t, "wait", jobID, "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		if c.sources {
			assert.Regexp(t, `(?m)^\s+\S+s  SUCCEEDED, data source counts inconsistent$`, stderr, c.name)
		}
		assert.NotContains(t, stderr, "-1/", c.name)
		assert.NotContains(t, stderr, "5/3", c.name)
	}

	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}/data_sources": rawAnswer(`{"indexed_data_sources": [{"data_source_uuid": "` + ds1 + `",
			"indexed_file_count": "20", "total_file_count": "3", "total_bytes_indexed": "4096", "total_bytes": "1024"}]}`),
	})
	code, stdout, stderr := runCmd(t, "data-sources", jobID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^`+ds1+`\s+UNKNOWN\s+inconsistent\s+0, 0, 0, 0\s+inconsistent\s+-$`, stdout)
}
