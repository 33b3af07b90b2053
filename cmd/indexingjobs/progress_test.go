package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// manySources is a job answer with n data sources whose ids start at
// from, all in progress.
func manySources(phase string, from, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"job": {"uuid": %q, "phase": %q, "total_datasources": %d, "data_source_jobs": [`, jobID, phase, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"data_source_uuid": "123e4567-e89b-12d3-a456-%012d", "status": "DATA_SOURCE_STATUS_IN_PROGRESS"}`, from+i)
	}
	b.WriteString("]}}")
	return b.String()
}

// TestWaitProgressIsBoundedPerRead: a server that sends 5,000 new data
// sources at each read (five times maxTracked; 30,000 would weigh 76 MiB,
// past the 64 MiB the library lets one answer take to decode) gets a few
// lines per read, not a line per data source, and the tool keeps no more
// than maxTracked of them.
func TestWaitProgressIsBoundedPerRead(t *testing.T) {
	const perRead, reads = 5000, 3
	var read counter
	srv := script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs/{id}": func(w http.ResponseWriter, r *http.Request) {
		n := read.next()
		if n > reads {
			rawAnswer(`{"job": {"uuid": "`+jobID+`", "phase": "BATCH_JOB_PHASE_SUCCEEDED"}}`)(w, r)
			return
		}
		rawAnswer(manySources("BATCH_JOB_PHASE_RUNNING", n*perRead, perRead))(w, r)
	}})
	code, _, stderr := runCmd(t, "wait", jobID, "--poll", "1ms", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr[:min(len(stderr), 2000)])
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	assert.LessOrEqual(t, len(lines), reads*(maxShownSources+2)+3, "lines for %d reads of %d new data sources", reads, perRead)
	assert.Equal(t, reads, strings.Count(stderr, fmt.Sprintf("  and %d more data sources changed\n", maxTracked-maxShownSources)), stderr)
	assert.Equal(t, 1, strings.Count(stderr, fmt.Sprintf("  (the job has %d data sources: the first %d are followed)\n", perRead, maxTracked)), stderr)

	p := newProgress(&syncBuffer{}, nil)
	defer p.close()
	var job indexingjobs.IndexingJob
	for i := range reads {
		job.DataSourceJobs = make([]indexingjobs.IndexedDataSource, 5000)
		for j := range job.DataSourceJobs {
			job.DataSourceJobs[j] = indexingjobs.IndexedDataSource{DataSourceUUID: fmt.Sprint(i, "-", j), Status: indexingjobs.DataSourceStatusInProgress}
		}
		p.seen(&job)
		assert.LessOrEqual(t, len(p.sources), maxTracked, "data sources kept after read %d", i+1)
	}
}

// TestWaitPollsSteadily: the tool's waits read the job every --poll,
// without growing the wait (the library's default grows it to 30s, and a
// 20s job was reported at 26.4s). 30 reads 1ms apart end at once; grown
// by half at each read, they would take minutes, past --timeout.
func TestWaitPollsSteadily(t *testing.T) {
	const running = 30
	var read counter
	srv := script(t, map[string]http.HandlerFunc{"GET /v2/gen-ai/indexing_jobs/{id}": func(w http.ResponseWriter, r *http.Request) {
		n := read.next()
		phase := "BATCH_JOB_PHASE_RUNNING"
		if n > running {
			phase = "BATCH_JOB_PHASE_SUCCEEDED"
		}
		// updated_at changes at each read, so that every read is a change.
		rawAnswer(fmt.Sprintf(`{"job": {"uuid": %q, "phase": %q, "updated_at": "2026-11-03T10:00:%02dZ"}}`, jobID, phase, n%60))(w, r)
	}})
	code, _, stderr := runCmd(t, "wait", jobID, "--poll", "1ms", "--timeout", "60s", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Len(t, srv.requests(), running+1)

	_, help, _ := runCmd(t, "wait", "--help")
	assert.Regexp(t, `--poll duration\s+the wait between reads of the job, such as 1s or 5s \(default 2s\)`, help)
	assert.LessOrEqual(t, defaultPoll, 3*time.Second, "a job's end is shown within a few seconds")
}
