package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// TestAPIURLFromTheEnvironment: $DIGITALOCEAN_API_URL sets the API's
// address once, --api-url wins over it, and a URL without a scheme or
// with the API's /v2 path is refused with an example, nothing sent.
func TestAPIURLFromTheEnvironment(t *testing.T) {
	srv, id := fake(t)
	t.Setenv(apiURLEnv, srv.URL)
	code, stdout, stderr := runCmd(t, "get", id)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^Indexing job\s+`+id+`$`, stdout)

	t.Setenv(apiURLEnv, "http://127.0.0.1:9/nothing-here")
	code, _, stderr = runCmd(t, "get", id, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, "the flag wins: %s", stderr)

	before := srv.Requests()
	example := ": give the host only, such as https://api.digitalocean.com or http://127.0.0.1:8090 (the tool adds /v2/...)\n"
	for _, c := range []struct{ env, flag, want string }{
		{env: "api.digitalocean.com", want: `$DIGITALOCEAN_API_URL "api.digitalocean.com" has no scheme`},
		{env: "127.0.0.1:8090", want: `$DIGITALOCEAN_API_URL "127.0.0.1:8090" has no scheme`},
		{env: srv.URL + "/v2", want: `$DIGITALOCEAN_API_URL "` + srv.URL + `/v2" has the API's /v2 path`},
		{flag: srv.URL + "/v2/", want: `--api-url "` + srv.URL + `/v2/" has the API's /v2 path`},
		{flag: "https://proxy.example/do/v2/gen-ai", want: `--api-url "https://proxy.example/do/v2/gen-ai" has the API's /v2 path`},
		{flag: "ftp://proxy.example", want: `--api-url "ftp://proxy.example" is not http or https`},
		{flag: "https://dop_v1_secret0123@api.digitalocean.com/v2", want: `--api-url holds a user or password (an @)`},
		{env: "dop_v1_secret0123:x@127.0.0.1:8090", want: `$DIGITALOCEAN_API_URL holds a user or password (an @)`},
	} {
		t.Setenv(apiURLEnv, c.env)
		args := []string{"get", id}
		if c.flag != "" {
			args = append(args, "--api-url", c.flag)
		}
		code, _, stderr := runCmd(t, args...)
		assert.Equal(t, exitUsage, code, c)
		assert.Contains(t, stderr, "indexingjobs get: "+c.want+example, c)
		assert.NotContains(t, stderr, "secret0123", "a user or password is never shown")
	}
	assert.Equal(t, before, srv.Requests(), "nothing sent")
}

// TestNotFoundNamesWhatWasNotFound: a 404 says which kind of thing, with
// which id, was not found, when the tool knows which ids it sent.
func TestNotFoundNamesWhatWasNotFound(t *testing.T) {
	srv, _ := fake(t)
	t.Setenv(apiURLEnv, srv.URL)
	kb := srv.AddKnowledgeBase(indexingjobstest.NewKnowledgeBase(1))
	const missing = "00000000-0000-4000-8000-000000000000"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"get", missing}, "indexing job " + missing + " not found: GET "},
		{[]string{"wait", missing}, "indexing job " + missing + " not found: GET "},
		{[]string{"cancel", missing}, "indexing job " + missing + " not found: GET "},
		{[]string{"data-sources", missing}, "indexing job " + missing + " not found: GET "},
		{[]string{"details", missing}, "indexing job " + missing + " not found: GET "},
		{[]string{"list", "--knowledge-base", missing}, "knowledge base " + missing + " not found: GET "},
		{[]string{"start", missing}, "knowledge base " + missing + " not found: POST "},
		{[]string{"start", kb, "--data-source", missing}, "knowledge base " + kb + ", or its data source " + missing + ", not found: POST "},
	} {
		code, _, stderr := runCmd(t, c.args...)
		assert.Equal(t, exitError, code, c.args)
		assert.True(t, strings.HasPrefix(stderr, "indexingjobs "+c.args[0]+": "+c.want), "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, "404 Not Found", c.args)
	}
}

// TestCancelOfAnEndedJobSaysSoForEveryPhase: cancelling a job that has
// ended, in any terminal phase, cancelled included, says so and sends no
// cancel.
func TestCancelOfAnEndedJobSaysSoForEveryPhase(t *testing.T) {
	srv, _ := fake(t)
	for _, phase := range []indexingjobs.Phase{indexingjobs.PhaseSucceeded, indexingjobs.PhaseFailed, indexingjobs.PhaseError, indexingjobs.PhaseCancelled} {
		id := srv.AddJob(indexingjobstest.NewJob(phase))
		before := srv.Requests()
		code, stdout, stderr := runCmd(t, "cancel", id, "--wait", "--api-url", srv.URL)
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, "Job "+id+" had already ended ("+phaseText(phase)+"): nothing to cancel.\n", stderr)
		assert.Regexp(t, `(?m)^Phase\s+`+phaseText(phase)+`$`, stdout)
		assert.Equal(t, before+1, srv.Requests(), "%s: a read, no cancel", phase)
	}
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	code, _, stderr := runCmd(t, "cancel", id, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "Cancelled job "+id+".\n", stderr, "the fake cancels at once")
}

// TestPhasesAreSpelledTheSameInListAndGet: the phase and status a list
// row shows are those get shows, for every phase.
func TestPhasesAreSpelledTheSameInListAndGet(t *testing.T) {
	srv, _ := fake(t)
	t.Setenv(apiURLEnv, srv.URL)
	for _, phase := range []indexingjobs.Phase{indexingjobs.PhasePending, indexingjobs.PhaseRunning, indexingjobs.PhaseSucceeded,
		indexingjobs.PhaseFailed, indexingjobs.PhaseError, indexingjobs.PhaseCancelled, "BATCH_JOB_PHASE_NEW_ONE", ""} {
		job := indexingjobstest.NewJob(phase)
		id := srv.AddJob(job)
		_, got, _ := runCmd(t, "get", id)
		_, list, _ := runCmd(t, "list", "--per-page", "200")
		getPhase := regexp.MustCompile(`(?m)^Phase\s+(\S+)$`).FindStringSubmatch(got)
		getStatus := regexp.MustCompile(`(?m)^Status\s+(\S+)$`).FindStringSubmatch(got)
		row := regexp.MustCompile(`(?m)^` + id + `\s+\S+\s+(\S+)\s+(\S+)\s`).FindStringSubmatch(list)
		require.NotNil(t, getPhase, got)
		require.NotNil(t, getStatus, got)
		require.NotNil(t, row, list)
		assert.Equal(t, getPhase[1], row[1], "phase %q", phase)
		assert.Equal(t, getStatus[1], row[2], "status of phase %q", phase)
		assert.NotContains(t, got+row[0], "BATCH_JOB_PHASE_RUNNING")
	}
}
