package indexingjobs_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	indexingjobs "github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// countingServer serves h and counts the TCP connections clients open.
func countingServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// TestOneConnectionFor1000Calls: successes, API errors, retried 5xx and a
// proxy's HTML page all leave the connection fit for the next request.
func TestOneConnectionFor1000Calls(t *testing.T) {
	fake := indexingjobstest.NewServer()
	defer fake.Close()
	srv, conns := countingServer(t, fake.Handler())
	client, err := indexingjobs.NewClient(indexingjobs.WithBaseURL(srv.URL), indexingjobs.WithToken(fake.Token()),
		indexingjobs.WithRetryWait(time.Microsecond, time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	running := fake.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))

	var ok, notFound, retried, proxy int
	for i := range 1000 {
		var err error
		switch i % 5 {
		case 0, 1:
			_, err = client.GetIndexingJob(ctx, running)
			ok++
		case 2:
			_, err = client.GetIndexingJob(ctx, unknownID)
			require.True(t, indexingjobs.IsNotFound(err), "%v", err)
			notFound++
			continue
		case 3:
			fake.InjectFaults(1, indexingjobstest.ServerError())
			_, err = client.CancelIndexingJob(ctx, running)
			retried++
		case 4:
			fake.InjectFaults(1, indexingjobstest.BadGateway())
			_, err = client.GetIndexingJob(ctx, running)
			proxy++
		}
		require.NoError(t, err, "call %d", i)
	}
	assert.Equal(t, [4]int{400, 200, 200, 200}, [4]int{ok, notFound, retried, proxy})
	assert.Equal(t, 1400, fake.Requests(), "1,000 calls and 400 retries")
	assert.Equal(t, int32(1), conns.Load(), "TCP connections opened")
}

// TestConcurrentCallsThroughOneClient: 64 goroutines share a client while
// the fake fails some requests; run with -race, and TestMain checks that
// no goroutine outlives the test.
func TestConcurrentCallsThroughOneClient(t *testing.T) {
	fake := indexingjobstest.NewServer(indexingjobstest.WithCancelDelay(5 * time.Millisecond))
	defer fake.Close()
	client, err := fake.NewClient(indexingjobs.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	var failed atomic.Int32
	for g := range 64 {
		wg.Go(func() {
			id := fake.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
			if g%4 == 0 {
				fake.InjectFaults(1, indexingjobstest.ServerError())
			}
			if _, err := client.CancelIndexingJob(ctx, id); err != nil {
				failed.Add(1)
				t.Error(err)
				return
			}
			job, err := client.WaitForIndexingJob(ctx, id, indexingjobs.WithPollInterval(2*time.Millisecond))
			if err != nil || job.Phase != indexingjobs.PhaseCancelled {
				failed.Add(1)
				t.Errorf("%s: %v %v", id, job, err)
			}
			_ = client.RateLimit()
		})
	}
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Greater(t, client.RateLimit().Limit, 0)
}

// faultClient retries 3 times with waits of 10ms to 50ms, so that every
// fault case ends well inside its bound.
func faultClient(t *testing.T, url string, opts ...indexingjobs.Option) *indexingjobs.Client {
	t.Helper()
	return newClient(t, url, append([]indexingjobs.Option{indexingjobs.WithRetryWait(10*time.Millisecond, 50*time.Millisecond)}, opts...)...)
}

// faultyFake is a fake with a running job whose next n requests fail with
// f, and a faultClient for it.
func faultyFake(t *testing.T, n int, f indexingjobstest.Fault) (*indexingjobstest.Server, *indexingjobs.Client, string) {
	t.Helper()
	fake := indexingjobstest.NewServer()
	t.Cleanup(fake.Close)
	id := fake.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	fake.InjectFaults(n, f)
	return fake, faultClient(t, fake.URL, indexingjobs.WithToken(fake.Token())), id
}

// TestFaults: each fault ends in success after retries or in a clear
// error (ending well within twenty times the bound given: a guard against
// a hang, not a timing), and leaves no goroutine behind.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	job := `{"job":{"uuid":"` + jobID + `","phase":"BATCH_JOB_PHASE_CANCELLED"}}`
	cases := []struct {
		name  string
		bound time.Duration
		run   func(t *testing.T)
	}{
		{"429 storm, then success", 2 * time.Second, func(t *testing.T) {
			fake, client, id := faultyFake(t, 3, indexingjobstest.RateLimited(30*time.Second))
			job, err := client.CancelIndexingJob(ctx, id)
			require.NoError(t, err, "Retry-After 30s is capped at the 50ms the client allows")
			assert.Equal(t, indexingjobs.PhaseCancelled, job.Phase)
			assert.Equal(t, 4, fake.Requests())
		}},
		{"429 storm longer than the retries", 2 * time.Second, func(t *testing.T) {
			_, client, id := faultyFake(t, 10, indexingjobstest.RateLimited(30*time.Second))
			_, err := client.CancelIndexingJob(ctx, id)
			var apiErr *indexingjobs.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.True(t, indexingjobs.IsRateLimited(err))
			assert.Equal(t, 4, apiErr.Attempts)
			assert.Equal(t, 30*time.Second, apiErr.RetryAfter, "what the server asked for, for the caller to honour")
			assert.NotEmpty(t, apiErr.RequestID)
		}},
		{"500, then success", time.Second, func(t *testing.T) {
			fake, client, id := faultyFake(t, 1, indexingjobstest.ServerError())
			_, err := client.CancelIndexingJob(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, 2, fake.Requests())
		}},
		{"502 HTML page every time", time.Second, func(t *testing.T) {
			_, client, id := faultyFake(t, 10, indexingjobstest.BadGateway())
			_, err := client.GetIndexingJob(ctx, id)
			var apiErr *indexingjobs.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 502, apiErr.StatusCode)
			assert.Equal(t, "502 Bad Gateway", apiErr.Message, "the page's title, not its markup")
			assert.Equal(t, 4, apiErr.Attempts)
		}},
		{"body cut off mid-JSON, then whole", time.Second, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "200")
				if n.Add(1) == 1 {
					_, _ = io.WriteString(w, job[:30]) // then the handler returns: the server closes the connection
					return
				}
				w.Header().Set("Content-Length", "")
				_, _ = io.WriteString(w, job)
			}))
			defer srv.Close()
			got, err := faultClient(t, srv.URL).GetIndexingJob(ctx, jobID)
			require.NoError(t, err)
			assert.Equal(t, jobID, got.UUID)
			assert.Equal(t, int32(2), n.Load())
		}},
		{"body cut off mid-JSON every time", time.Second, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "200")
				_, _ = io.WriteString(w, job[:30])
			}))
			defer srv.Close()
			_, err := faultClient(t, srv.URL).GetIndexingJob(ctx, jobID)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "reading the body: unexpected EOF (4 attempts)")
		}},
		{"connection closed mid-response", time.Second, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: appli")
				_ = buf.Flush()
				_ = conn.Close()
			}))
			defer srv.Close()
			_, err := faultClient(t, srv.URL).GetIndexingJob(ctx, jobID)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "(4 attempts)")
			assert.Contains(t, err.Error(), "EOF")
		}},
		{"headers never arrive before the deadline", time.Second, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // until the client gives up
			}))
			defer srv.Close()
			short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
			defer cancel()
			_, err := faultClient(t, srv.URL).GetIndexingJob(short, jobID)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{"each attempt times out", time.Second, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				<-r.Context().Done()
			}))
			defer srv.Close()
			_, err := faultClient(t, srv.URL, indexingjobs.WithAttemptTimeout(50*time.Millisecond)).GetIndexingJob(ctx, jobID)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "the attempt timed out after 50ms")
			assert.Contains(t, err.Error(), "(4 attempts)")
			assert.Equal(t, int32(4), n.Load())
		}},
		{"huge body, announced", time.Second, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1073741824") // 1 GiB, never sent
				w.WriteHeader(200)
			}))
			defer srv.Close()
			_, err := faultClient(t, srv.URL).GetIndexingJob(ctx, jobID)
			assert.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge)
		}},
		{"huge body, streamed without end", 2 * time.Second, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				chunk := []byte(`{"job":{"uuid":"` + strings.Repeat("x", 4096))
				bw := bufio.NewWriter(w)
				for r.Context().Err() == nil {
					if _, err := bw.Write(chunk); err != nil {
						return
					}
				}
			}))
			defer srv.Close()
			_, err := faultClient(t, srv.URL).GetIndexingJob(ctx, jobID)
			assert.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge)
			assert.Contains(t, err.Error(), "more than 4194304 bytes")
			assert.Equal(t, int32(1), n.Load(), "a body too large is not asked for again")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Cleanup(func() { goleak.VerifyNone(t) }) // the last cleanup: after the servers close
			start := time.Now()
			c.run(t)
			// A guard against a fault that never ends, not a measure of
			// speed: twenty times the case's bound, so that a machine
			// under load does not fail it.
			assert.Less(t, time.Since(start), 20*c.bound, "the fault did not end")
		})
	}
}
