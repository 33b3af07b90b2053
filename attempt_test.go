package indexingjobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// Tests of one attempt (attempt.go): how much of an answer is read (caps
// on bodies and headers, bodies that lie about their length), how an
// attempt ends (a timeout, an answer that stops coming), and how often its
// request is sent. Over HTTP/2, Go's transport sends a request again on
// its own after RST_STREAM(PROTOCOL_ERROR) or RST_STREAM(REFUSED_STREAM), a
// body included whenever it can rewind it (a request built over a
// bytes.Reader gets a GetBody): an attempt bounds those sends and counts
// them.

// TestAnAttemptThatEndsSaysWhyOverHTTP2: over HTTP/2 as over HTTP/1.1, an
// attempt that times out, or a download whose report stops coming, says
// so; context.Canceled is in the error only when the caller cancelled.
func TestAnAttemptThatEndsSaysWhyOverHTTP2(t *testing.T) {
	var srv *h2Server
	srv = newH2Server(t, func(st h2Stream) h2Reply {
		switch {
		case strings.HasSuffix(st.path, "/details_signed_url"):
			return h2Respond(200, `{"signed_url":"`+srv.URL+`/report?X-Amz-Signature=abcdef0123456789abcdef0123456789"}`)
		case strings.HasPrefix(st.path, "/report?"):
			return h2RespondThenStall(200, "the first line\n")
		default:
			return h2Silence
		}
	})
	c := newClient(t, srv.URL, indexingjobs.WithHTTPClient(srv.Client()),
		indexingjobs.WithAttemptTimeout(200*time.Millisecond), indexingjobs.WithMaxRetries(0))

	_, err := c.GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the attempt timed out after 200ms")
	assert.NotErrorIs(t, err, context.Canceled, "the caller did not cancel")
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller had no deadline")

	var report bytes.Buffer
	n, err := c.DownloadIndexingJobDetails(context.Background(), jobID, &report)
	require.Error(t, err)
	assert.Equal(t, int64(len("the first line\n")), n)
	assert.Contains(t, err.Error(), "the report stopped coming for 200ms")
	assert.NotErrorIs(t, err, context.Canceled)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.GetIndexingJob(ctx, jobID)
	assert.ErrorIs(t, err, context.Canceled, "the caller cancelled")
	assert.NotEmpty(t, srv.seen(), "the exchanges were HTTP/2: the server speaks nothing else")
}

// TestMiddlewareSeesWhyTheAttemptEnded: a middleware (logging, metrics)
// sees an attempt that timed out end with the attempt's cause, over HTTP/1.1
// and HTTP/2, not as context.Canceled, which would say the caller
// cancelled. A context of the client's own under the request lost it.
func TestMiddlewareSeesWhyTheAttemptEnded(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		var mu sync.Mutex
		var causes, errs []error
		spy := func(next http.RoundTripper) http.RoundTripper {
			return roundTrip(func(r *http.Request) (*http.Response, error) {
				resp, err := next.RoundTrip(r)
				<-r.Context().Done()
				mu.Lock()
				defer mu.Unlock()
				causes, errs = append(causes, context.Cause(r.Context())), append(errs, err)
				return resp, err
			})
		}
		opts := []indexingjobs.Option{indexingjobs.WithAttemptTimeout(100 * time.Millisecond), indexingjobs.WithMaxRetries(0), indexingjobs.WithMiddleware(spy)}
		var url string
		if h2 {
			srv := newH2Server(t, func(h2Stream) h2Reply { return h2Silence })
			url = srv.URL
			opts = append(opts, indexingjobs.WithHTTPClient(srv.Client()))
		} else {
			release := make(chan struct{})
			defer close(release)
			url = newScripted(t, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}).URL
		}
		_, err := newClient(t, url, opts...).GetIndexingJob(context.Background(), jobID)
		require.Error(t, err)
		mu.Lock()
		require.Len(t, causes, 1, "HTTP/2: %v", h2)
		assert.ErrorContains(t, causes[0], "the attempt timed out after 100ms", "HTTP/2: %v", h2)
		if !h2 { // Go's HTTP/2 transport reports its own "context canceled"
			assert.NotErrorIs(t, errs[0], context.Canceled, "HTTP/1.1")
		}
		mu.Unlock()
	}
}

// TestTooManySendsSaysSoOverHTTP2: an attempt whose streams the server
// keeps refusing ends after three sends and says so, not as a cancel.
func TestTooManySendsSaysSoOverHTTP2(t *testing.T) {
	srv := newH2Server(t, always(resetCases[1].reset))
	_, err := h2Client(t, srv, 0).GetIndexingJob(safetyNet(t), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the connection failed each time the request was sent (3 times in one attempt)")
	assert.NotErrorIs(t, err, context.Canceled)
}

func TestOversizedBodyIsAnError(t *testing.T) {
	big := `{"job":{"uuid":"` + strings.Repeat("a", 5<<20) + `"}}`
	cases := map[string]http.HandlerFunc{
		"content-length": respond(200, big),
		"chunked": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < len(big); i += 64 << 10 {
				_, _ = w.Write([]byte(big[i:min(i+64<<10, len(big))]))
				w.(http.Flusher).Flush()
			}
		},
		"error status": respond(500, big),
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newScripted(t, h)
			_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).CancelIndexingJob(context.Background(), jobID)
			require.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge)
			assert.Less(t, len(err.Error()), 400, "a short line: at most the start of the body")
			var apiErr *indexingjobs.APIError
			if name == "error status" {
				require.ErrorAs(t, err, &apiErr, "an error status is an APIError whatever its body")
				assert.Equal(t, 500, apiErr.StatusCode)
			}
		})
	}
	srv := newScripted(t, respond(200, jobBody(cancelled)+strings.Repeat(" ", 2048)))
	_, err := newClient(t, srv.URL, indexingjobs.WithMaxResponseBytes(1024)).CancelIndexingJob(context.Background(), jobID)
	require.ErrorIs(t, err, indexingjobs.ErrResponseTooLarge, "the cap is configurable")
}

// TestLargestBodyCapStillReadsBodies: a cap of math.MaxInt64, as a caller
// who wants no cap would set it, reads bodies of unknown length whole.
func TestLargestBodyCapStillReadsBodies(t *testing.T) {
	srv := newScripted(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, jobBody(cancelled))
		w.(http.Flusher).Flush() // chunked: no Content-Length
	})
	job, err := newClient(t, srv.URL, indexingjobs.WithMaxResponseBytes(math.MaxInt64)).GetIndexingJob(context.Background(), jobID)
	require.NoError(t, err)
	assert.Equal(t, jobID, job.UUID)
}

// TestHugeHeadersAreRefused: headers are bounded like bodies.
func TestHugeHeadersAreRefused(t *testing.T) {
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Padding", strings.Repeat("a", 1<<20))
		respond(200, jobBody(cancelled))(w, r)
	})
	_, err := newClient(t, srv.URL, indexingjobs.WithMaxRetries(0)).GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "header")
}

// TestMemoryFollowsTheBytesReceived: a length announced but not sent
// allocates nothing near it, even with the cap raised past it.
func TestMemoryFollowsTheBytesReceived(t *testing.T) {
	for _, announced := range []int64{4 << 20, 1 << 40} {
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r, ContentLength: announced,
				Body: io.NopCloser(strings.NewReader(`{"job":{"uuid":"` + jobID + `"}}`))}, nil
		}, indexingjobs.WithMaxResponseBytes(1<<41))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := client.CancelIndexingJob(context.Background(), jobID)
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "fewer bytes than announced")
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "allocated for %d bytes announced", announced)
	}
}

// lyingBody breaks io.Reader's contract: its Read reports n bytes, fewer
// than none or more than asked for, and the end of the body.
type lyingBody struct{ n int }

func (b lyingBody) Read(p []byte) (int, error) {
	if b.n > 0 {
		return len(p) + b.n, io.EOF
	}
	return b.n, io.EOF
}

func (lyingBody) Close() error { return nil }

// TestBodyBreakingTheReaderContractIsAnError: a caller's RoundTripper may
// return a Body whose Read reports a count below 0 or above the buffer;
// bytes.Buffer and io.ReadFull panic on it, the client must not.
func TestBodyBreakingTheReaderContractIsAnError(t *testing.T) {
	for _, n := range []int{-1, 1} {
		for _, length := range []int64{-1, 10, 100 << 10} {
			client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
				if strings.HasSuffix(r.URL.Path, "/details_signed_url") {
					return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: -1,
						Body: io.NopCloser(strings.NewReader(`{"signed_url":"https://storage.example/r?sig=s"}`))}, nil
				}
				return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: length, Body: lyingBody{n}}, nil
			})
			assert.NotPanics(t, func() {
				_, err := client.GetIndexingJob(context.Background(), jobID)
				assert.Error(t, err, "n %d, length %d", n, length)
			}, "n %d, length %d", n, length)
			assert.NotPanics(t, func() {
				_, err := client.DownloadIndexingJobDetails(context.Background(), jobID, &strings.Builder{})
				assert.Error(t, err, "n %d, length %d", n, length)
			}, "download: n %d, length %d", n, length)
		}
	}
}

// TestResponseWithoutRequest: users' mock RoundTrippers often leave
// Response.Request unset; every path gives an error or a job, no panic.
func TestResponseWithoutRequest(t *testing.T) {
	for _, tc := range []struct {
		code int
		body string
	}{
		{200, `{"job":{"uuid":"` + jobID + `"}}`},
		{200, `{"job":{"uuid":"` + unknownID + `"}}`},
		{200, `not json`},
		{404, `{"id":"not_found","message":"gone"}`},
		{502, `<html><title>bad</title></html>`},
	} {
		client := memoryClient(t, func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: tc.code, Header: http.Header{}, ContentLength: -1,
				Body: io.NopCloser(strings.NewReader(tc.body))}, nil
		})
		job, err := client.CancelIndexingJob(context.Background(), jobID)
		if tc.code == 200 && strings.Contains(tc.body, jobID) {
			require.NoError(t, err)
			assert.Equal(t, jobID, job.UUID)
			continue
		}
		require.Error(t, err, tc.body)
		assert.Contains(t, err.Error(), "PUT https://api.digitalocean.com/v2/gen-ai/indexing_jobs/"+jobID+"/cancel")
	}
}

// resetCases are the resets a hostile HTTP/2 server can answer with that
// net/http's transport takes as a reason to send the request again.
var resetCases = []struct {
	name  string
	reset h2Reply
}{
	{"PROTOCOL_ERROR once the request arrived", h2Reset(http2.ErrCodeProtocol, false)},
	{"REFUSED_STREAM once the request arrived", h2Reset(http2.ErrCodeRefusedStream, false)},
	{"PROTOCOL_ERROR on its headers", h2Reset(http2.ErrCodeProtocol, true)},
	{"REFUSED_STREAM on its headers", h2Reset(http2.ErrCodeRefusedStream, true)},
}

// arrivedCases are the resets once the whole request has arrived: for a
// request without a body (a GET), the only moment there is.
var arrivedCases = resetCases[:2]

// h2Client is a client of srv over HTTP/2 (srv.Client trusts its
// certificate and speaks h2) with quick retries.
func h2Client(t *testing.T, srv *h2Server, maxRetries int) *indexingjobs.Client {
	t.Helper()
	return newClient(t, srv.URL,
		indexingjobs.WithHTTPClient(srv.Client()),
		indexingjobs.WithRetryWait(time.Millisecond, 2*time.Millisecond),
		indexingjobs.WithMaxRetries(maxRetries),
	)
}

var attemptsInText = regexp.MustCompile(`\((\d+) attempts?\)`)

// reportedAttempts is how many requests err says were sent: an
// APIError's Attempts, or the "(N attempts)" of a transport error's text.
func reportedAttempts(t *testing.T, err error) int {
	t.Helper()
	var apiErr *indexingjobs.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Attempts
	}
	m := attemptsInText.FindAllStringSubmatch(err.Error(), -1)
	require.Len(t, m, 1, "the error says once how many requests were sent: %v", err)
	n, convErr := strconv.Atoi(m[0][1])
	require.NoError(t, convErr)
	return n
}

// TestStartIsSentOnceOverHTTP2: a start whose stream the server resets is
// never sent again, by the client or by Go's transport under it, and its
// error says the job may have started. (Before, the transport resent the
// POST hundreds of times a second, rewinding the body with GetBody, and the
// error said "1 attempt".)
func TestStartIsSentOnceOverHTTP2(t *testing.T) {
	for _, tc := range resetCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newH2Server(t, always(tc.reset))
			srv.watchConns()
			ctx := safetyNet(t)
			_, err := h2Client(t, srv, 3).StartIndexingJob(ctx, kbID, dsA)
			require.Error(t, err)
			assert.NoError(t, ctx.Err(), "the call ended by itself, not at the test's safety net")
			streams := srv.settled()
			require.Equal(t, 1, len(streams), "streams the server saw: the start was sent again: %v", err)
			assert.Equal(t, http.MethodPost, streams[0].method)
			assert.Equal(t, "/v2/gen-ai/indexing_jobs", streams[0].path)
			assert.ErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, "the server saw the request: it may have started the job")
			assert.Equal(t, 1, reportedAttempts(t, err))
		})
	}
}

// TestReadsAndCancelsAreBoundedOverHTTP2: a read or a cancel whose every
// stream is reset is sent a small, fixed number of times per attempt (at
// most 3), and the attempts its error reports are the sends the server saw.
func TestReadsAndCancelsAreBoundedOverHTTP2(t *testing.T) {
	const maxRetries = 2
	// A read and a cancel of the job, as the registry calls them.
	var calls []optest.Row
	for _, op := range []*gen.Operation{&gen.GenaiGetIndexingJobOperation, &gen.GenaiCancelIndexingJobOperation, &gen.GenaiListIndexingJobDataSourcesOperation} {
		row, ok := optest.Of(op.ID)
		require.True(t, ok, op.ID)
		calls = append(calls, row)
	}
	for _, row := range calls {
		for _, tc := range arrivedCases {
			t.Run(row.Op.ID+", "+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := newH2Server(t, always(tc.reset))
				srv.watchConns()
				ctx := safetyNet(t)
				err := row.Call(ctx, h2Client(t, srv, maxRetries), jobID)
				require.Error(t, err)
				assert.NoError(t, ctx.Err(), "the call ended by itself, not at the test's safety net")
				streams := srv.settled()
				require.NotEmpty(t, streams)
				assert.LessOrEqual(t, len(streams), 3*(1+maxRetries), "sends for %d attempts: %v", 1+maxRetries, err)
				assert.Equal(t, len(streams), reportedAttempts(t, err), "the attempts the error reports are the sends the server saw: %v", err)
				for _, st := range streams {
					assert.Equal(t, row.Op.Method+" "+optest.Path(row.Op, jobID), st.method+" "+st.path)
				}
				assert.NotErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, "%s is idempotent", row.Op.Method)
			})
		}
	}
}

// TestDownloadIsBoundedOverHTTP2: a storage host that resets every stream
// of the download gets a small, fixed number of sends (at most 3 per
// attempt), never the token, and the error reports the sends it saw.
func TestDownloadIsBoundedOverHTTP2(t *testing.T) {
	const maxRetries = 2
	for _, tc := range arrivedCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storage := newH2Server(t, always(tc.reset))
			storage.watchConns()
			signed := storage.URL + "/reports/" + jobID + ".json?X-Amz-Expires=900&X-Amz-Signature=" + sigV4
			api := newScripted(t, respond(200, `{"signed_url":"`+signed+`"}`)) // plain http on loopback
			ctx := safetyNet(t)
			var out bytes.Buffer
			n, err := newClient(t, api.URL,
				indexingjobs.WithHTTPClient(storage.Client()),
				indexingjobs.WithRetryWait(time.Millisecond, 2*time.Millisecond),
				indexingjobs.WithMaxRetries(maxRetries),
			).DownloadIndexingJobDetails(ctx, jobID, &out)
			require.Error(t, err)
			assert.NoError(t, ctx.Err(), "the call ended by itself, not at the test's safety net")
			assert.Zero(t, n)
			assert.Zero(t, out.Len())
			streams := storage.settled()
			require.NotEmpty(t, streams)
			assert.LessOrEqual(t, len(streams), 3*(1+maxRetries), "sends of the download: %v", err)
			assert.Equal(t, len(streams), reportedAttempts(t, err), "the attempts the error reports are the sends the storage host saw: %v", err)
			for _, st := range streams {
				assert.Equal(t, http.MethodGet, st.method)
				assert.True(t, strings.HasPrefix(st.path, "/reports/"+jobID+".json?"), "the signed URL: %s", st.path)
				assert.Empty(t, st.header.Values("Authorization"), "the token never reaches the storage host")
			}
			assertNoSecret(t, err, sigV4)
		})
	}
}

func TestAttemptTimeoutCoversTheBodyAndYieldsToTheCallersClient(t *testing.T) {
	// Headers at once, then a body that stalls.
	release := make(chan struct{})
	defer close(release)
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "200")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"job":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	_, err := newClient(t, srv.URL, indexingjobs.WithAttemptTimeout(30*time.Millisecond), indexingjobs.WithMaxRetries(1),
		indexingjobs.WithHTTPClient(&http.Client{})).GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading the body")
	assert.Contains(t, err.Error(), "the attempt timed out after 30ms")
	assert.Contains(t, err.Error(), "(2 attempts)", "a timed-out attempt is retried")

	// The caller's own Timeout (100ms) wins over the attempt timeout (30ms).
	start := time.Now()
	_, err = newClient(t, srv.URL, indexingjobs.WithAttemptTimeout(30*time.Millisecond), indexingjobs.WithMaxRetries(0),
		indexingjobs.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond})).GetIndexingJob(context.Background(), jobID)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "attempt timed out")
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
}
