package indexingjobs_test

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// The test servers and clients every file of the package's tests uses:
// servers scripted request by request (scripted, recorder), a client of
// them (newClient), and a client answered in memory (memoryClient).

// fastRetries keeps the tests quick without changing the policy's shape.
var fastRetries = indexingjobs.WithRetryWait(time.Millisecond, 5*time.Millisecond)

// newClient is a client of url with the test token and quick retries.
func newClient(t *testing.T, url string, opts ...indexingjobs.Option) *indexingjobs.Client {
	t.Helper()
	c, err := indexingjobs.NewClient(append([]indexingjobs.Option{indexingjobs.WithToken(testToken), indexingjobs.WithBaseURL(url), fastRetries}, opts...)...)
	require.NoError(t, err)
	return c
}

// scripted answers the n-th request with the n-th handler (the last one
// repeats) and counts requests.
type scripted struct {
	*httptest.Server
	n     atomic.Int32
	steps []http.HandlerFunc
}

func (s *scripted) count() int { return int(s.n.Load()) }

func newScripted(t *testing.T, steps ...http.HandlerFunc) *scripted {
	s := &scripted{steps: steps}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(s.n.Add(1)) - 1
		if i >= len(s.steps) {
			i = len(s.steps) - 1
		}
		s.steps[i](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// respond answers with code, body (JSON unless the headers, name then
// value, say otherwise) and the headers.
func respond(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// sent is what a server saw of one request.
type sent struct{ method, path, query, body, auth string }

// recorder answers every request with body and keeps what it saw.
func recorder(t *testing.T, code int, body string) (*httptest.Server, func() []sent) {
	var mu sync.Mutex
	var seen []sent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, sent{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(b), r.Header.Get("Authorization")})
		mu.Unlock()
		respond(code, body)(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []sent { mu.Lock(); defer mu.Unlock(); return append([]sent(nil), seen...) }
}

// roundTrip is a transport that answers in memory: no server, no network,
// as a caller's own RoundTripper or middleware may.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// memoryClient is a client whose requests rt answers, without retries.
func memoryClient(t *testing.T, rt roundTrip, opts ...indexingjobs.Option) *indexingjobs.Client {
	t.Helper()
	c, err := indexingjobs.NewClient(append([]indexingjobs.Option{indexingjobs.WithToken(testToken),
		indexingjobs.WithHTTPClient(&http.Client{Transport: rt}), indexingjobs.WithMaxRetries(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// closedLoopbackURL is http on a loopback port nothing listens on: a host
// whose connection is refused before anything is written, the quickest way
// to make a request or a download fail.
func closedLoopbackURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// quietLog drops net/http's server log: the tests assert what they need.
var quietLog = log.New(io.Discard, "", 0)

// safetyNet is a context whose deadline only stops a storm that would
// otherwise last for ever; a call that keeps its promises ends long before.
func safetyNet(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}
