package main

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMessagesReadAsSentences: the API's message and the tool's words
// joined without "you.;"; --timeout named once; counts that agree in
// number; a 404 that says how to list what exists.
func TestMessagesReadAsSentences(t *testing.T) {
	srv, kb := kbFake(t)
	const missing = "00000000-0000-4000-8000-000000000000"
	for _, c := range []struct {
		args []string
		want string // the last line
	}{
		{[]string{"get", missing}, "List the indexing jobs with 'indexingjobs list'."},
		{[]string{"details", missing}, "List the indexing jobs with 'indexingjobs list'."},
		{[]string{"knowledge-base", missing}, "List the knowledge bases with 'indexingjobs knowledge-bases'."},
		{[]string{"schedule", missing}, "List the knowledge bases with 'indexingjobs knowledge-bases'."},
		{[]string{"list", "--knowledge-base", missing, "--context", "default"},
			"List the knowledge bases with 'indexingjobs knowledge-bases --context default'."},
		{[]string{"start", kb.UUID, "--data-source", missing},
			"List the knowledge bases with 'indexingjobs knowledge-bases', and a knowledge base's data sources with 'indexingjobs knowledge-base KB_UUID'."},
	} {
		t.Setenv(apiURLEnv, srv.URL)
		code, _, stderr := runCmd(t, c.args...)
		assert.Equal(t, exitError, code, c.args)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		require.Len(t, lines, 2, stderr)
		assert.Contains(t, lines[0], "not found: ", c.args)
		assert.Contains(t, lines[0], "The resource you requested could not be found; request id ", c.args)
		assert.Equal(t, c.want, lines[1], c.args)
	}

	code, _, stderr := runCmd(t, "get", missing, "--token", "not-the-token", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "(unauthorized): Unable to authenticate you; request id ")
	assert.NotContains(t, stderr, ".;")

	code, stdout, _ := runCmd(t, "list", "--page", "3", "--api-url", srv.URL)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "page 3 is past the end: the list has 1 page, 2 jobs\n", stdout)
}

// TestTimeoutIsNamedOnce: a command --timeout ends says so once, in the
// user's words, not the context's.
func TestTimeoutIsNamedOnce(t *testing.T) {
	srv := script(t, map[string]http.HandlerFunc{
		"GET /v2/gen-ai/indexing_jobs/{id}": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	})
	code, _, stderr := runCmd(t, "get", jobID, "--timeout", "100ms", "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Equal(t, "indexingjobs get: gave up after 100ms (--timeout): GET "+srv.URL+"/v2/gen-ai/indexing_jobs/"+jobID+" (1 attempt)\n", stderr)
	assert.Equal(t, 1, strings.Count(stderr, "--timeout"))
	assert.NotContains(t, stderr, "context")
}

// TestServeOnABusyPortNamesAddr: serve-fake and docs on an address in use
// say so, and name --addr.
func TestServeOnABusyPortNamesAddr(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	addr := l.Addr().String()
	for _, args := range [][]string{{"serve-fake", "--addr", addr}, {"docs", "--addr", addr, "--page", "main.go"}} {
		var errOut syncBuffer
		code := run(context.Background(), args, &syncBuffer{}, &errOut)
		assert.Equal(t, exitError, code, args)
		assert.Equal(t, "indexingjobs "+args[0]+": cannot listen on "+addr+": the address is in use: choose another with --addr (--addr 127.0.0.1:0 for any free port)\n", errOut.String())
	}
}
