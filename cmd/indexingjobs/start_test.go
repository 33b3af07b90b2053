package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

const (
	ds1 = "9758a232-b351-4d0a-9e20-2b8a8f3a5a1c"
	ds2 = "a758a232-b351-4d0a-9e20-2b8a8f3a5a1c"
)

// startedJob is a job in phase, done of two data sources, with the data
// sources' statuses.
func startedJob(phase string, done int, statuses ...string) map[string]any {
	job := map[string]any{"uuid": jobID, "knowledge_base_uuid": kbID, "phase": phase,
		"total_datasources": 2, "completed_datasources": done}
	var sources []any
	for i, s := range statuses {
		src := map[string]any{"data_source_uuid": []string{ds1, ds2}[i], "status": s}
		if s == "DATA_SOURCE_STATUS_FAILED" {
			src["error_msg"] = "2 files could not be parsed"
		}
		sources = append(sources, src)
	}
	if sources != nil {
		job["data_source_jobs"] = sources
	}
	return map[string]any{"job": job}
}

func TestStartSendsTheKnowledgeBaseAndItsDataSources(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"POST /v2/gen-ai/indexing_jobs": answer(200, startedJob("BATCH_JOB_PHASE_PENDING", 0)),
	})
	code, stdout, stderr := runCmd(t, "start", "--data-source", ds1, kbID, "--data-source", ds2, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	reqs := srv.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST /v2/gen-ai/indexing_jobs", reqs[0].Line)
	assert.JSONEq(t, `{"knowledge_base_uuid": "`+kbID+`", "data_source_uuids": ["`+ds1+`", "`+ds2+`"]}`, reqs[0].Body)
	assert.Equal(t, "Started job "+jobID+" on knowledge base "+kbID+": PENDING.\n", stderr)
	assert.Regexp(t, `(?m)^Indexing job\s+`+jobID+`$`, stdout)
	assert.Regexp(t, `(?m)^Phase\s+PENDING$`, stdout)

	code, stdout, stderr = runCmd(t, "start", kbID, "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(srv.requests()[1].Body), &body))
	assert.Equal(t, kbID, body["knowledge_base_uuid"])
	assert.Empty(t, body["data_source_uuids"], "no --data-source: every data source")
	job := decode[indexingjobs.IndexingJob](t, stdout)
	assert.Equal(t, jobID, job.UUID)
	assert.Equal(t, indexingjobs.PhasePending, job.Phase)
}

// TestStartWaitShowsPhasesDataSourcesAndCounts: a line for each phase
// entered, each data source whose status changes, and the count of data
// sources done as it moves; the terminal phase last.
func TestStartWaitShowsPhasesDataSourcesAndCounts(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"POST /v2/gen-ai/indexing_jobs": answer(200, startedJob("BATCH_JOB_PHASE_PENDING", 0)),
		"GET /v2/gen-ai/indexing_jobs/{id}": answers(
			startedJob("BATCH_JOB_PHASE_PENDING", 0),
			startedJob("BATCH_JOB_PHASE_RUNNING", 0, "DATA_SOURCE_STATUS_IN_PROGRESS", "DATA_SOURCE_STATUS_IN_PROGRESS"),
			startedJob("BATCH_JOB_PHASE_RUNNING", 0, "DATA_SOURCE_STATUS_IN_PROGRESS", "DATA_SOURCE_STATUS_IN_PROGRESS"),
			startedJob("BATCH_JOB_PHASE_RUNNING", 1, "DATA_SOURCE_STATUS_UPDATED", "DATA_SOURCE_STATUS_IN_PROGRESS"),
			startedJob("BATCH_JOB_PHASE_SUCCEEDED", 2, "DATA_SOURCE_STATUS_UPDATED", "DATA_SOURCE_STATUS_UPDATED"),
		),
	})
	code, stdout, stderr := runCmd(t, "start", kbID, "--wait", "--poll", "1ms", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Phase\s+SUCCEEDED$`, stdout)
	assert.Equal(t, strings.Repeat("GET /v2/gen-ai/indexing_jobs/"+jobID+" ", 5), strings.Join(srv.lines()[1:], " ")+" ")
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		_, rest, _ := strings.Cut(strings.TrimLeft(line, " "), "s  ") // the elapsed time
		got = append(got, rest)
	}
	assert.Equal(t, []string{
		"",
		"PENDING, 0/2 data sources done",
		"RUNNING, 0/2 data sources done",
		"  data source " + ds1 + ": IN_PROGRESS",
		"  data source " + ds2 + ": IN_PROGRESS",
		"  data source " + ds1 + ": UPDATED",
		"1/2 data sources done",
		"  data source " + ds2 + ": UPDATED",
		"SUCCEEDED, 2/2 data sources done",
	}, got, stderr)
	assert.True(t, strings.HasPrefix(stderr, "Started job "+jobID+" on knowledge base "+kbID+": PENDING.\n"), stderr)
	assert.Regexp(t, `(?m)^\s+\d+\.\ds  SUCCEEDED`, stderr)
}

// TestStartWaitExits1WhenTheJobFails: the job is shown, and a job that
// did not succeed is an error.
func TestStartWaitExits1WhenTheJobFails(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"POST /v2/gen-ai/indexing_jobs":     answer(200, startedJob("BATCH_JOB_PHASE_RUNNING", 0)),
		"GET /v2/gen-ai/indexing_jobs/{id}": answers(startedJob("BATCH_JOB_PHASE_FAILED", 2, "DATA_SOURCE_STATUS_UPDATED", "DATA_SOURCE_STATUS_FAILED")),
	})
	code, stdout, stderr := runCmd(t, "start", kbID, "--wait", "--poll", "1ms", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Regexp(t, `(?m)^Phase\s+FAILED$`, stdout)
	assert.Regexp(t, `(?m)^Data source\s+`+ds2+`  FAILED  2 files could not be parsed$`, stdout)
	assert.Contains(t, stderr, "  data source "+ds2+": FAILED 2 files could not be parsed\n")
	assert.True(t, strings.HasSuffix(stderr, "indexingjobs start: job "+jobID+" ended FAILED\n"), stderr)
}

func TestStartWhoseOutcomeIsUnknownSaysToLookFirst(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"POST /v2/gen-ai/indexing_jobs": answer(500, map[string]string{"id": "server_error", "message": "Unexpected server-side error"}),
	})
	code, stdout, stderr := runCmd(t, "start", kbID, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Len(t, srv.requests(), 1, "a start is not sent again after a 5xx")
	assert.Regexp(t, `^indexingjobs start: POST http://\S+/v2/gen-ai/indexing_jobs: 500 Internal Server Error \(server_error\): Unexpected server-side error; `+
		`the server may have acted on the request: look before sending it again\n`+
		`The job may have started: look with 'indexingjobs list --knowledge-base `+kbID+` --api-url http://\S+' before starting it again\.\n$`, stderr)
}

// TestStartAgainstTheFake: a job started on the fake's knowledge base is
// followed through its phases and data sources to its outcome; a failed
// one exits 1; --data-source picks the data sources indexed.
func TestStartAgainstTheFake(t *testing.T) {
	for _, outcome := range []indexingjobs.Phase{indexingjobs.PhaseSucceeded, indexingjobs.PhaseFailed} {
		t.Run(string(outcome), func(t *testing.T) {
			srv, _ := fake(t, indexingjobstest.WithJobDuration(100*time.Millisecond), indexingjobstest.WithJobOutcome(outcome))
			kb := indexingjobstest.NewKnowledgeBase(2)
			srv.AddKnowledgeBase(kb)
			code, stdout, stderr := runCmd(t, "start", kb.UUID, "--wait", "--poll", "5ms", "--api-url", srv.URL)
			assert.Regexp(t, `(?m)^Phase\s+`+phaseText(outcome)+`$`, stdout)
			assert.Regexp(t, `(?m)^\s+\S+s  `+phaseText(outcome)+`, \d/2 data sources done$`, stderr)
			assert.Regexp(t, `(?m)^\s+\S+s    data source `+kb.DataSourceUUIDs[0]+`: UPDATED$`, stderr)
			if outcome == indexingjobs.PhaseSucceeded {
				require.Equal(t, exitOK, code, stderr)
				assert.Regexp(t, `(?m)^Data sources\s+2 of 2 completed$`, stdout)
				assert.Regexp(t, `(?m)^\s+\S+s    data source `+kb.DataSourceUUIDs[1]+`: UPDATED$`, stderr)
				return
			}
			assert.Equal(t, exitError, code)
			assert.Regexp(t, `(?m)^\s+\S+s    data source `+kb.DataSourceUUIDs[1]+`: FAILED failed to index data source: \d+ of \d+ files could not be parsed$`, stderr)
			assert.Regexp(t, `(?m)^indexingjobs start: job \S+ ended FAILED$`, stderr)
		})
	}

	srv, _ := fake(t, indexingjobstest.WithJobDuration(0))
	kb := indexingjobstest.NewKnowledgeBase(3)
	srv.AddKnowledgeBase(kb)
	code, stdout, stderr := runCmd(t, "start", kb.UUID, "--data-source", kb.DataSourceUUIDs[2], "--output", "json", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	job := decode[indexingjobs.IndexingJob](t, stdout)
	assert.Equal(t, []string{kb.DataSourceUUIDs[2]}, job.DataSourceUUIDs)
	assert.Equal(t, 1, srv.Requests())
}

// TestAStartThatWasNeverWrittenIsRetriedAsByTheLibrary: the tool sends
// through the library's own transport, which reports each write, so a
// start that failed before it was written (here its TLS handshake, with a
// server that speaks plain HTTP) is sent again as the library would, and
// is not reported as one that may have started.
func TestAStartThatWasNeverWrittenIsRetriedAsByTheLibrary(t *testing.T) {
	var hits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer plain.Close()
	t.Setenv(indexingjobs.TokenEnv, indexingjobstest.DefaultToken)
	code, _, stderr := runCmd(t, "start", kbID, "--api-url", strings.Replace(plain.URL, "http://", "https://", 1))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "(4 attempts)", "sent again, as the library does")
	assert.NotContains(t, stderr, "may have started")
	assert.Zero(t, hits.Load(), "no request was ever written")
}
