package indexingjobs_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// Tests of what Go's transport does on its own between the client and an
// HTTP/2 server that resets every stream: after RST_STREAM(PROTOCOL_ERROR)
// or RST_STREAM(REFUSED_STREAM), net/http sends the request again, a body
// included whenever it can rewind it (a request built over a bytes.Reader
// gets a GetBody), and the core's attempt count sees none of those sends.

// h2Stream is what a resetServer saw of one stream.
type h2Stream struct {
	method, path string
	header       http.Header
}

// resetServer is an HTTP/2 server over TLS on loopback that answers every
// stream with RST_STREAM(code): once the request has arrived (its
// END_STREAM), or as soon as its HEADERS do when onHeaders. It speaks raw
// frames, so that nothing of net/http's server decides for it, and keeps
// the headers of every stream it saw.
type resetServer struct {
	*httptest.Server
	code      http2.ErrCode
	onHeaders bool

	mu      sync.Mutex
	streams []h2Stream
	// The TCP connections of both ends, by the client's address, so that
	// settled can tell when the server has read all the client wrote.
	serverConns, clientConns map[string]*wireConn
}

func newResetServer(t *testing.T, code http2.ErrCode, onHeaders bool) *resetServer {
	t.Helper()
	s := &resetServer{code: code, onHeaders: onHeaders, serverConns: map[string]*wireConn{}, clientConns: map[string]*wireConn{}}
	s.Server = httptest.NewUnstartedServer(http.NotFoundHandler()) // no request reaches it: h2 is ours
	s.EnableHTTP2 = true
	s.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){"h2": s.serveH2}
	s.Config.ErrorLog = quietLog // a client that hangs up mid-handshake is no news here
	s.Listener = wireListener{s.Listener, func(c *wireConn) { s.track(s.serverConns, c.RemoteAddr(), c) }}
	s.StartTLS()
	t.Cleanup(s.Close) // closes the connections too: serveH2 returns
	tr := s.Client().Transport.(*http.Transport)
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		w := &wireConn{Conn: c}
		if c.RemoteAddr().String() == s.Listener.Addr().String() { // not the API of a download test
			s.track(s.clientConns, c.LocalAddr(), w)
		}
		return w, nil
	}
	return s
}

func (s *resetServer) track(conns map[string]*wireConn, clientAddr net.Addr, c *wireConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns[clientAddr.String()] = c
}

// wireConn counts the bytes read and written on a TCP connection, and
// tells whether a Read waits for more or the connection ended (a Read
// failed, or it was closed).
type wireConn struct {
	net.Conn
	read, written   atomic.Int64
	waiting, closed atomic.Bool
}

func (c *wireConn) Read(p []byte) (int, error) {
	c.waiting.Store(true)
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	c.waiting.Store(false)
	if err != nil {
		c.closed.Store(true)
	}
	return n, err
}

func (c *wireConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

func (c *wireConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

// wireListener hands each connection it accepts to accepted, as a wireConn.
type wireListener struct {
	net.Listener
	accepted func(*wireConn)
}

func (l wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	w := &wireConn{Conn: c}
	l.accepted(w)
	return w, nil
}

// serveH2 serves one connection: the client's preface, our SETTINGS, then
// a RST_STREAM for every stream, until the client or the test hangs up.
func (s *resetServer) serveH2(_ *http.Server, c *tls.Conn, _ http.Handler) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if fr.WriteSettings() != nil {
		return
	}
	reset := map[uint32]bool{}
	resetStream := func(id uint32) error {
		if reset[id] {
			return nil
		}
		reset[id] = true
		return fr.WriteRSTStream(id, s.code)
	}
	for {
		f, err := fr.ReadFrame()
		var serr http2.StreamError
		if errors.As(err, &serr) { // a malformed stream: reset it all the same
			if resetStream(serr.StreamID) != nil {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				err = fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				err = fr.WritePing(true, f.Data)
			}
		case *http2.MetaHeadersFrame:
			st := h2Stream{method: f.PseudoValue("method"), path: f.PseudoValue("path"), header: http.Header{}}
			for _, hf := range f.RegularFields() {
				st.header.Add(hf.Name, hf.Value)
			}
			s.mu.Lock()
			s.streams = append(s.streams, st)
			s.mu.Unlock()
			if s.onHeaders || f.StreamEnded() {
				err = resetStream(f.StreamID)
			}
		case *http2.DataFrame:
			if f.StreamEnded() {
				err = resetStream(f.StreamID)
			}
		case *http2.GoAwayFrame:
			return
		}
		if err != nil {
			return
		}
	}
}

// settled returns the streams the server saw once it has read every frame
// the client sent: when a call returns, the last HEADERS it wrote may still
// be on the wire, on a connection the server has only just accepted. The
// server has read them all when, on every connection, it has read every
// byte the client wrote and waits for more (its TLS layer and then the
// frame loop asked for them: the frames before are handled) or saw the
// end. It waits for that for at most 2s, should a connection stay busy.
func (s *resetServer) settled() []h2Stream {
	for deadline := time.Now().Add(2 * time.Second); !s.quiet() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	return s.seen()
}

func (s *resetServer) quiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for addr, client := range s.clientConns {
		server, ok := s.serverConns[addr]
		if !ok || !server.closed.Load() && (server.read.Load() < client.written.Load() || !server.waiting.Load()) {
			return false
		}
	}
	return true
}

// seen returns the streams the server saw so far.
func (s *resetServer) seen() []h2Stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]h2Stream(nil), s.streams...)
}

// resetCases are the resets a hostile HTTP/2 server can answer with that
// net/http's transport takes as a reason to send the request again.
var resetCases = []struct {
	name      string
	code      http2.ErrCode
	onHeaders bool
}{
	{"PROTOCOL_ERROR once the request arrived", http2.ErrCodeProtocol, false},
	{"REFUSED_STREAM once the request arrived", http2.ErrCodeRefusedStream, false},
	{"PROTOCOL_ERROR on its headers", http2.ErrCodeProtocol, true},
	{"REFUSED_STREAM on its headers", http2.ErrCodeRefusedStream, true},
}

// arrivedCases are the resets once the whole request has arrived: for a
// request without a body (a GET), the only moment there is.
var arrivedCases = resetCases[:2]

// h2Client is a client of srv over HTTP/2 (srv.Client trusts its
// certificate and speaks h2) with quick retries.
func h2Client(t *testing.T, srv *resetServer, maxRetries int) *indexingjobs.Client {
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
			srv := newResetServer(t, tc.code, tc.onHeaders)
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
				srv := newResetServer(t, tc.code, tc.onHeaders)
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
			storage := newResetServer(t, tc.code, tc.onHeaders)
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
