package indexingjobs_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of what Go's transport does on its own between the client and an
// HTTP/2 server that resets every stream: after RST_STREAM(PROTOCOL_ERROR)
// or RST_STREAM(REFUSED_STREAM), net/http sends the request again, a body
// included whenever it can rewind it (a request built over a bytes.Reader
// gets a GetBody), and the core's attempt count sees none of those sends.

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
// error says the job may have started. (Today the transport resends the
// POST hundreds of times a second, rewinding the body with GetBody, and the
// error says "1 attempt".)
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
	calls := []struct {
		name, method, path string
		call               func(context.Context, *indexingjobs.Client) error
	}{
		{"get", http.MethodGet, "/v2/gen-ai/indexing_jobs/" + jobID, func(ctx context.Context, c *indexingjobs.Client) error {
			_, err := c.GetIndexingJob(ctx, jobID)
			return err
		}},
		{"cancel", http.MethodPut, "/v2/gen-ai/indexing_jobs/" + jobID + "/cancel", func(ctx context.Context, c *indexingjobs.Client) error {
			_, err := c.CancelIndexingJob(ctx, jobID)
			return err
		}},
		{"data sources", http.MethodGet, "/v2/gen-ai/indexing_jobs/" + jobID + "/data_sources", func(ctx context.Context, c *indexingjobs.Client) error {
			_, err := c.ListIndexingJobDataSources(ctx, jobID)
			return err
		}},
	}
	for _, call := range calls {
		for _, tc := range arrivedCases {
			t.Run(call.name+", "+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := newH2Server(t, always(tc.reset))
				srv.watchConns()
				ctx := safetyNet(t)
				err := call.call(ctx, h2Client(t, srv, maxRetries))
				require.Error(t, err)
				assert.NoError(t, ctx.Err(), "the call ended by itself, not at the test's safety net")
				streams := srv.settled()
				require.NotEmpty(t, streams)
				assert.LessOrEqual(t, len(streams), 3*(1+maxRetries), "sends for %d attempts: %v", 1+maxRetries, err)
				assert.Equal(t, len(streams), reportedAttempts(t, err), "the attempts the error reports are the sends the server saw: %v", err)
				for _, st := range streams {
					assert.Equal(t, call.method+" "+call.path, st.method+" "+st.path)
				}
				assert.NotErrorIs(t, err, indexingjobs.ErrOutcomeUnknown, "%s is idempotent", call.method)
			})
		}
	}
}

// TestDownloadIsBoundedOverHTTP2: a storage host that resets every stream
// of the download gets a small, fixed number of sends (at most 3 per
// attempt), never the token, and the error reports the sends it saw.
func TestDownloadIsBoundedOverHTTP2(t *testing.T) {
	const maxRetries = 2
	const sig = "9c2e4b6d8f3f8a2c9e7b1d4f6a0c5e8b2d9f1a7c3e5b8d0f2a4c6e8a1b3d5f7a"
	for _, tc := range arrivedCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storage := newH2Server(t, always(tc.reset))
			storage.watchConns()
			signed := storage.URL + "/reports/" + jobID + ".json?X-Amz-Expires=900&X-Amz-Signature=" + sig
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
			assertNoSecret(t, err, sig)
		})
	}
}
