package indexingjobstest_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
)

// TestCloseEndsStalledClients: whatever a client does, Close returns
// within 2s and leaves no goroutine behind (goleak, in TestMain).
func TestCloseEndsStalledClients(t *testing.T) {
	for _, c := range []struct {
		name  string
		stall func(t *testing.T, srv *indexingjobstest.Server)
	}{
		{"headers and part of a body, then nothing", func(t *testing.T, srv *indexingjobstest.Server) {
			id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
			conn := dial(t, srv.URL)
			fmt.Fprintf(conn, "PUT /v2/gen-ai/indexing_jobs/%s/cancel HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\n"+
				"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"uuid\":\"0", id, srv.Token())
			require.Eventually(t, func() bool { return srv.Requests() == 1 }, 5*time.Second, time.Millisecond,
				"the fake is reading the body")
		}},
		{"part of the headers, then nothing", func(t *testing.T, srv *indexingjobstest.Server) {
			conn := dial(t, srv.URL)
			fmt.Fprintf(conn, "GET /v2/gen-ai/indexing_jobs HTTP/1.1\r\nHost: fa")
		}},
		{"connected to the storage listener, nothing sent", func(t *testing.T, srv *indexingjobstest.Server) {
			dial(t, srv.StorageURL())
		}},
		{"a report half read", func(t *testing.T, srv *indexingjobstest.Server) {
			client, err := srv.NewClient()
			require.NoError(t, err)
			u, err := client.IndexingJobDetailsURL(context.Background(), srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseSucceeded)))
			require.NoError(t, err)
			conn := dial(t, srv.StorageURL())
			fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: storage\r\n", u.RequestURI())
		}},
		{"an answer delayed by an hour", func(t *testing.T, srv *indexingjobstest.Server) {
			srv.InjectFaults(1, indexingjobstest.Delay(time.Hour))
			conn := dial(t, srv.URL)
			fmt.Fprintf(conn, "GET /v2/gen-ai/indexing_jobs HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer %s\r\n\r\n", srv.Token())
			require.Eventually(t, func() bool { return srv.Requests() == 1 }, 5*time.Second, time.Millisecond)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := indexingjobstest.NewServer()
			c.stall(t, srv)
			closed := make(chan struct{})
			go func() {
				srv.Close()
				close(closed)
			}()
			timer := time.NewTimer(2 * time.Second)
			defer timer.Stop()
			select {
			case <-closed:
			case <-timer.C:
				t.Fatal("Close has not returned after 2s")
			}
			for _, base := range []string{srv.URL, srv.StorageURL()} {
				u, err := url.Parse(base)
				require.NoError(t, err)
				_, err = net.DialTimeout("tcp", u.Host, time.Second)
				assert.Error(t, err, "%s no longer listens", base)
			}
		})
	}
}

// TestCloseAnswersDelayedRequests: a delayed answer comes at once when
// Close starts, within its grace.
func TestCloseAnswersDelayedRequests(t *testing.T) {
	srv := indexingjobstest.NewServer()
	client, err := srv.NewClient(indexingjobs.WithMaxRetries(0))
	require.NoError(t, err)
	id := srv.AddJob(indexingjobstest.NewJob(indexingjobs.PhaseRunning))
	srv.InjectFaults(1, indexingjobstest.Delay(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, err := client.GetIndexingJob(context.Background(), id)
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.Requests() == 1 }, 5*time.Second, time.Millisecond)
	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.NoError(t, <-done)
}
