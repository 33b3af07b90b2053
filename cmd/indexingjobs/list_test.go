package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// jobN is the n-th job of a scripted list: a uuid ending in n.
func jobN(n int) map[string]any {
	return map[string]any{
		"uuid": fmt.Sprintf("123e4567-e89b-12d3-a456-%012d", n), "knowledge_base_uuid": kbID,
		"phase": "BATCH_JOB_PHASE_RUNNING", "status": "INDEX_JOB_STATUS_IN_PROGRESS",
		"completed_datasources": 1, "total_datasources": 3, "created_at": "2026-11-03T10:00:00Z",
	}
}

// pages answers GET /v2/gen-ai/indexing_jobs with total jobs, perPage a
// page, as the page query parameter asks.
func pages(total int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		jobs := []any{}
		for n := (page-1)*perPage + 1; n <= min(page*perPage, total); n++ {
			jobs = append(jobs, jobN(n))
		}
		answer(200, map[string]any{"jobs": jobs, "meta": map[string]any{"page": page, "pages": (total + perPage - 1) / perPage, "total": total}})(w, r)
	}
}

// TestListAPageIsATableWithAFooter: the page and page size asked for are
// the query sent; the columns line up under their headers.
func TestListAPageIsATableWithAFooter(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs": pages(23)})
	code, stdout, stderr := runCmd(t, "list", "--api-url", srv.URL, "--page", "2", "--per-page", "5")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"GET /v2/gen-ai/indexing_jobs?page=2&per_page=5"}, srv.lines())
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 7, stdout)
	header := lines[0]
	assert.Regexp(t, `^UUID\s+KNOWLEDGE BASE\s+PHASE\s+STATUS\s+DATA SOURCES\s+CREATED$`, header)
	for i, line := range lines[1:6] {
		assert.Regexp(t, `^123e4567-e89b-12d3-a456-0000000000`+fmt.Sprintf("%02d", 6+i)+`\s+`+kbID+`\s+RUNNING\s+IN_PROGRESS\s+1/3\s+2026-11-03T10:00:00Z$`, line)
		assert.Equal(t, strings.Index(header, "PHASE"), strings.Index(line, "RUNNING"), "columns line up")
		assert.Equal(t, strings.Index(header, "DATA SOURCES"), strings.Index(line, "1/3"), "columns line up")
		assert.Equal(t, strings.Index(header, "CREATED"), strings.Index(line, "2026-"), "columns line up")
	}
	assert.Equal(t, "page 2 of 5, 23 jobs", lines[6])
}

func TestListWithoutFlagsAsksForTheFirstPageOf20(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs": pages(0)})
	code, stdout, stderr := runCmd(t, "list", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"GET /v2/gen-ai/indexing_jobs?page=1&per_page=20"}, srv.lines())
	assert.Equal(t, "page 1 of 0, 0 jobs\n", stdout, "no header over no rows")

	code, stdout, stderr = runCmd(t, "list", "--api-url", srv.URL, "--output", "json")
	require.Equal(t, exitOK, code, stderr)
	assert.JSONEq(t, `{"jobs": [], "meta": {"page": 1, "pages": 0, "total": 0}}`, stdout, "the page as sent: an empty array, not null")
}

// TestListAllReadsEveryPage: --all walks the pages through
// ListIndexingJobs, as a table or one JSON array of every job.
func TestListAllReadsEveryPage(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs": pages(5)})
	code, stdout, stderr := runCmd(t, "list", "--all", "--per-page", "2", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{
		"GET /v2/gen-ai/indexing_jobs?page=1&per_page=2",
		"GET /v2/gen-ai/indexing_jobs?page=2&per_page=2",
		"GET /v2/gen-ai/indexing_jobs?page=3&per_page=2",
	}, srv.lines())
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 7, stdout)
	assert.Regexp(t, `^UUID\s+KNOWLEDGE BASE`, lines[0])
	for i, line := range lines[1:6] {
		assert.True(t, strings.HasPrefix(line, fmt.Sprintf("123e4567-e89b-12d3-a456-%012d ", i+1)), line)
	}
	assert.Equal(t, "5 jobs", lines[6])

	code, stdout, stderr = runCmd(t, "list", "--all", "--per-page", "2", "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	jobs := decode[[]indexingjobs.IndexingJob](t, stdout)
	require.Len(t, jobs, 5, "one array of every job")
	assert.Equal(t, "123e4567-e89b-12d3-a456-000000000005", jobs[4].UUID)
	assert.Equal(t, indexingjobs.PhaseRunning, jobs[4].Phase)
	assert.EqualValues(t, 3, jobs[4].TotalDatasources)
}

// TestListAllStopsAtAnError: the rows already read are shown, then the
// error, exit 1.
func TestListAllStopsAtAnError(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs": func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			answer(404, map[string]string{"id": "not_found", "message": "gone"})(w, r)
			return
		}
		pages(5)(w, r)
	}})
	code, stdout, stderr := runCmd(t, "list", "--all", "--per-page", "2", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Equal(t, 3, strings.Count(stdout, "\n"), "header and the first page's two rows: %s", stdout)
	assert.Contains(t, stderr, "indexingjobs list: GET ")
	assert.Contains(t, stderr, "404 Not Found (not_found): gone")
}

func TestListKnowledgeBaseAsksForItsJobs(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/knowledge_bases/{kb}/indexing_jobs": answer(200, map[string]any{"jobs": []any{jobN(1), jobN(2)}}),
	})
	code, stdout, stderr := runCmd(t, "list", "--knowledge-base", kbID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"GET /v2/gen-ai/knowledge_bases/" + kbID + "/indexing_jobs"}, srv.lines())
	assert.Regexp(t, `^UUID\s+KNOWLEDGE BASE\s+PHASE\s+STATUS\s+DATA SOURCES\s+CREATED\n`+
		`123e4567-e89b-12d3-a456-000000000001\s+`+kbID+`\s+RUNNING\s+IN_PROGRESS\s+1/3\s+2026-11-03T10:00:00Z\n`+
		`123e4567-e89b-12d3-a456-000000000002\s.*\n2 jobs\n$`, stdout)

	code, stdout, stderr = runCmd(t, "list", "--knowledge-base", kbID, "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	jobs := decode[struct{ Jobs []indexingjobs.IndexingJob }](t, stdout).Jobs
	require.Len(t, jobs, 2)
	assert.Equal(t, kbID, jobs[0].KnowledgeBaseUUID)
}

func TestDataSourcesTable(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}/data_sources": answer(200, map[string]any{"indexed_data_sources": []any{
			map[string]any{"data_source_uuid": "9758a232-b351-4d0a-9e20-2b8a8f3a5a1c", "status": "DATA_SOURCE_STATUS_UPDATED",
				"indexed_file_count": "12", "total_file_count": "15", "indexed_item_count": "812", "failed_item_count": "3",
				"skipped_item_count": "1", "removed_item_count": "0", "total_bytes_indexed": "1048576", "total_bytes": "2097152"},
			map[string]any{"data_source_uuid": "a758a232-b351-4d0a-9e20-2b8a8f3a5a1c", "status": "DATA_SOURCE_STATUS_FAILED",
				"error_msg": "partial failure", "error_details": "2 files could not be parsed", "total_bytes": "512"},
		}}),
	})
	code, stdout, stderr := runCmd(t, "data-sources", jobID, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"GET /v2/gen-ai/indexing_jobs/" + jobID + "/data_sources"}, srv.lines())
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 3, stdout)
	assert.Regexp(t, `^DATA SOURCE\s+STATUS\s+FILES \(indexed/total\)\s+ITEMS \(indexed, failed, skipped, removed\)\s+BYTES \(indexed/total\)\s+ERROR$`, lines[0])
	assert.Regexp(t, `^9758a232-b351-4d0a-9e20-2b8a8f3a5a1c\s+UPDATED\s+12/15\s+812, 3, 1, 0\s+1\.0 MiB/2\.0 MiB\s+-$`, lines[1])
	assert.Regexp(t, `^a758a232-b351-4d0a-9e20-2b8a8f3a5a1c\s+FAILED\s+0/0\s+0, 0, 0, 0\s+0 B/512 B\s+partial failure: 2 files could not be parsed$`, lines[2])
	for _, col := range []string{"STATUS", "FILES", "ITEMS", "BYTES", "ERROR"} {
		i := strings.Index(lines[0], col)
		assert.NotEqual(t, byte(' '), lines[1][i], "column %s lines up", col)
		assert.Equal(t, byte(' '), lines[1][i-1], "column %s lines up", col)
	}

	code, stdout, stderr = runCmd(t, "data-sources", jobID, "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	sources := decode[[]indexingjobs.IndexedDataSource](t, stdout)
	require.Len(t, sources, 2)
	assert.EqualValues(t, 812, sources[0].IndexedItemCount)
	assert.Equal(t, indexingjobs.DataSourceStatusFailed, sources[1].Status)
}

// TestListSaysWhenTheCountsAreInconsistent: a meta that disagrees with
// itself (negative counts, more or fewer pages than its total needs) is
// said to be inconsistent rather than shown as "page 1 of -7, -3 jobs".
func TestListSaysWhenTheCountsAreInconsistent(t *testing.T) {
	// Negative counts the library refuses: the list cannot be read.
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs": answer(200, map[string]any{"jobs": []any{jobN(1), jobN(2)}, "meta": map[string]any{"page": 1, "pages": -7, "total": -3}}),
	})
	code, stdout, stderr := runCmd(t, "list", "--per-page", "2", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "the list's counts are inconsistent")
	for meta, says := range map[string]string{
		`{"page": 1, "pages": 9, "total": 5}`: "9 pages and 5 jobs", // 5 jobs need 3 pages of 2
		`{"page": 1, "pages": 1, "total": 5}`: "1 page and 5 jobs",
		`{"page": 1, "pages": 3, "total": 1}`: "3 pages and 1 job", // fewer jobs in all than on this page
		// One page cannot hold as many jobs as an int64 counts, nor a
		// number of pages that the total wraps to.
		`{"page": 1, "pages": 1, "total": 9223372036854775807}`:                    "1 page and 9223372036854775807 jobs",
		`{"page": 1, "pages": -4611686018427387904, "total": 9223372036854775807}`: "",
		`{"page": 1, "pages": 1, "total": 3}`:                                      "1 page and 3 jobs", // the last page holds 2 of them
	} {
		jobs := string(must(json.Marshal([]any{jobN(1), jobN(2)})))
		srv := script(t, map[string]http.HandlerFunc{
			"GET /v2/gen-ai/indexing_jobs": rawAnswer(`{"jobs": ` + jobs + `, "meta": ` + meta + `}`),
		})
		code, stdout, stderr = runCmd(t, "list", "--per-page", "2", "--api-url", srv.URL)
		if says == "" { // negative: the library refuses the page
			assert.Equal(t, exitError, code, meta)
			assert.Contains(t, stderr, "the list's counts are inconsistent", meta)
			continue
		}
		require.Equal(t, exitOK, code, stderr)
		footer := "page 1 of a list whose counts are inconsistent: the API says " + says + "\n"
		assert.True(t, strings.HasSuffix(stdout, footer), "%v: %s", meta, stdout)
	}
	srv = script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs": pages(5)})
	_, stdout, _ = runCmd(t, "list", "--per-page", "2", "--page", "3", "--api-url", srv.URL)
	assert.True(t, strings.HasSuffix(stdout, "\npage 3 of 3, 5 jobs\n"), stdout)
	_, stdout, _ = runCmd(t, "list", "--per-page", "2", "--page", "7", "--api-url", srv.URL)
	assert.Equal(t, "page 7 is past the end: the list has 3 pages, 5 jobs\n", stdout, "a page past the end is not an inconsistency")
}
