package indexingjobs_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// recording is one request and response of a go-vcr cassette in
// testdata/cassettes. Only the fields the tests use are read.
type recording struct {
	Request struct {
		Body    string              `yaml:"body"`
		Headers map[string][]string `yaml:"headers"`
		URL     string              `yaml:"url"`
		Method  string              `yaml:"method"`
	} `yaml:"request"`
	Response struct {
		Body    string              `yaml:"body"`
		Headers map[string][]string `yaml:"headers"`
		Code    int                 `yaml:"code"`
	} `yaml:"response"`
}

// loadRecording reads the only interaction of testdata/cassettes/<name>.yaml.
func loadRecording(t testing.TB, name string) recording {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cassettes", name+".yaml"))
	require.NoError(t, err)
	var c struct {
		Version      int         `yaml:"version"`
		Interactions []recording `yaml:"interactions"`
	}
	require.NoError(t, yaml.Unmarshal(data, &c))
	require.Equal(t, 2, c.Version, "go-vcr cassette format")
	require.Len(t, c.Interactions, 1, "%s: one interaction per cassette", name)
	return c.Interactions[0]
}

// seenRequest is what a replay server received.
type seenRequest struct {
	Method, Path, RawPath string
	Header                http.Header
	Body                  string
}

// replayServer answers every request with the recorded response and keeps
// the requests it saw.
type replayServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

func newReplayServer(t testing.TB, rec recording) *replayServer {
	t.Helper()
	rs := &replayServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rs.mu.Lock()
		rs.seen = append(rs.seen, seenRequest{r.Method, r.URL.Path, r.URL.EscapedPath(), r.Header.Clone(), string(body)})
		rs.mu.Unlock()
		for k, vs := range rec.Response.Headers {
			if http.CanonicalHeaderKey(k) == "Content-Length" {
				continue // net/http sets it from the body
			}
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(rec.Response.Code)
		_, _ = io.WriteString(w, rec.Response.Body)
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *replayServer) requests() []seenRequest {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]seenRequest(nil), rs.seen...)
}

// recordedRateLimit is the rate limit a recording's answer reports in its
// headers.
func recordedRateLimit(t testing.TB, rec recording) indexingjobs.RateLimit {
	t.Helper()
	n := func(name string) int64 {
		vs := rec.Response.Headers[name]
		require.Len(t, vs, 1, name)
		v, err := strconv.ParseInt(vs[0], 10, 64)
		require.NoError(t, err, name)
		return v
	}
	return indexingjobs.RateLimit{Limit: int(n("Ratelimit-Limit")), Remaining: int(n("Ratelimit-Remaining")), Reset: time.Unix(n("Ratelimit-Reset"), 0)}
}
