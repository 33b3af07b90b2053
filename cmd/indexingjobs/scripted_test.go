package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// syncBuffer is a bytes.Buffer safe for the command and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// fake starts the package's fake API with a running job, and sets the
// token in the environment.
func fake(t *testing.T, opts ...indexingjobstest.Option) (*indexingjobstest.Server, string) {
	t.Helper()
	srv := indexingjobstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	t.Setenv(indexingjobs.TokenEnv, srv.Token())
	return srv, srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
}

// scripted is a server that answers as a test says, and records every
// request it gets: "METHOD /path?query" and the body.
type scripted struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

type request struct {
	Line string // "GET /v2/gen-ai/indexing_jobs?page=1&per_page=20"
	Body string
}

// script serves routes (http.ServeMux patterns, "GET /v2/...") and sets a
// token in the environment.
func script(t *testing.T, routes map[string]http.HandlerFunc) *scripted {
	t.Helper()
	s := &scripted{}
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.HandleFunc(pattern, h)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, request{Line: r.Method + " " + r.URL.RequestURI(), Body: string(body)})
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	t.Setenv(indexingjobs.TokenEnv, "scripted-token")
	return s
}

func (s *scripted) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

// lines returns the request lines the server got.
func (s *scripted) lines() []string {
	var out []string
	for _, r := range s.requests() {
		out = append(out, r.Line)
	}
	return out
}

// answer writes v as JSON with status.
func answer(status int, v any) http.HandlerFunc {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// answers writes each of vs in turn, the last one again and again.
func answers(vs ...any) http.HandlerFunc {
	var calls counter
	return func(w http.ResponseWriter, r *http.Request) {
		answer(http.StatusOK, vs[min(calls.next(), len(vs))-1])(w, r)
	}
}

// counter counts a handler's calls, which come on the server's goroutines.
type counter struct {
	mu sync.Mutex
	n  int
}

// next counts a call and returns how many there have been.
func (c *counter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}
