package indexingjobs_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// The test servers and clients every file of the package's tests uses:
// servers scripted request by request (scripted, recorder), a client of
// them (newClient), a client answered in memory (memoryClient), and an
// HTTP/2 server scripted stream by stream (h2Server).

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

// halfBody announces a body of 1,000 bytes and sends its first 7,
// `{"job":`, then nothing until the client goes.
func halfBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(200)
	_, _ = io.WriteString(w, `{"job":`)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
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

// answeredBy is a transport that answers each request with h, in memory.
func answeredBy(h http.HandlerFunc) roundTrip {
	return func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h(rec, r)
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	}
}

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

// h2Server is an HTTP/2 server over TLS on loopback that speaks raw
// frames, so that nothing of net/http's server decides for it: it answers
// each stream as its script says (an h2Reply), which may be what
// net/http's server never sends, such as RST_STREAM(PROTOCOL_ERROR) once a
// request has arrived, and keeps the headers of every stream it saw. Its
// Client trusts its certificate and speaks HTTP/2.
type h2Server struct {
	*httptest.Server
	script func(h2Stream) h2Reply

	mu      sync.Mutex
	streams []h2Stream
	// The TCP connections of both ends, by the client's address, so that
	// settled can tell when the server has read all the client wrote.
	serverConns, clientConns map[string]*wireConn
	watching                 bool // the client's connections are counted
}

// h2Stream is what an h2Server saw of one stream: the n-th (from 0).
type h2Stream struct {
	n            int
	method, path string // the path with its query
	header       http.Header
}

// h2Reply is what an h2Server does with a stream: act on it as soon as
// its HEADERS arrive (onHeaders), or once the whole request has (its
// END_STREAM); a nil act never answers.
type h2Reply struct {
	act       func(a *h2Answerer, id uint32) error
	onHeaders bool
}

// h2Reset resets the stream with code, on its headers or once the request
// has arrived.
func h2Reset(code http2.ErrCode, onHeaders bool) h2Reply {
	return h2Reply{act: func(a *h2Answerer, id uint32) error { return a.fr.WriteRSTStream(id, code) }, onHeaders: onHeaders}
}

// h2Respond answers the request whole: status, then a JSON body.
func h2Respond(status int, body string) h2Reply {
	return h2Reply{act: func(a *h2Answerer, id uint32) error { return a.answer(id, status, body, true) }}
}

// h2RespondThenStall sends status and the start of a body, then nothing:
// the stream stays open until the client gives up.
func h2RespondThenStall(status int, start string) h2Reply {
	return h2Reply{act: func(a *h2Answerer, id uint32) error { return a.answer(id, status, start, false) }}
}

// always is the script of a server that gives every stream reply.
func always(reply h2Reply) func(h2Stream) h2Reply { return func(h2Stream) h2Reply { return reply } }

// h2Silence never answers.
var h2Silence = h2Reply{}

// h2Answerer writes the frames of one connection's answers.
type h2Answerer struct {
	fr  *http2.Framer
	hb  bytes.Buffer
	enc *hpack.Encoder
}

// answer writes status and body on stream id, and ends the stream when end.
func (a *h2Answerer) answer(id uint32, status int, body string, end bool) error {
	a.hb.Reset()
	fields := []hpack.HeaderField{{Name: ":status", Value: strconv.Itoa(status)}, {Name: "content-type", Value: "application/json"}}
	if end {
		fields = append(fields, hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(body))})
	}
	for _, f := range fields {
		if err := a.enc.WriteField(f); err != nil {
			return err
		}
	}
	if err := a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: a.hb.Bytes(), EndHeaders: true}); err != nil {
		return err
	}
	return a.fr.WriteData(id, end, []byte(body))
}

func newH2Server(t *testing.T, script func(h2Stream) h2Reply) *h2Server {
	t.Helper()
	s := &h2Server{script: script, serverConns: map[string]*wireConn{}, clientConns: map[string]*wireConn{}}
	s.Server = httptest.NewUnstartedServer(http.NotFoundHandler()) // no request reaches it: h2 is ours
	s.EnableHTTP2 = true
	s.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){"h2": s.serve}
	s.Config.ErrorLog = quietLog // a client that hangs up mid-handshake is no news here
	s.Listener = wireListener{s.Listener, func(c *wireConn) { s.track(s.serverConns, c.RemoteAddr(), c) }}
	s.StartTLS()
	t.Cleanup(s.Close)
	t.Cleanup(func() { // first: a stream left unanswered holds its connection open
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.serverConns {
			_ = c.Close()
		}
	})
	return s
}

// watchConns makes the connections of the server's Client counted, for
// settled; call it before the first request. It is a choice: a dialer of
// the test's own changes the timing of Go's transport.
func (s *h2Server) watchConns() {
	s.watching = true
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
}

func (s *h2Server) track(conns map[string]*wireConn, clientAddr net.Addr, c *wireConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conns[clientAddr.String()] = c
}

// serve serves one connection: the client's preface, our SETTINGS, then
// each stream as the script says, until the client or the test hangs up.
func (s *h2Server) serve(_ *http.Server, c *tls.Conn, _ http.Handler) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	a := &h2Answerer{fr: http2.NewFramer(c, c)}
	a.enc = hpack.NewEncoder(&a.hb)
	a.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if a.fr.WriteSettings() != nil {
		return
	}
	replies := map[uint32]h2Reply{} // of the streams not yet acted on
	act := func(id uint32) error {
		r, ok := replies[id]
		delete(replies, id)
		if !ok || r.act == nil {
			return nil
		}
		return r.act(a, id)
	}
	for {
		f, err := a.fr.ReadFrame()
		var serr http2.StreamError
		if errors.As(err, &serr) { // a malformed stream: reset it
			if a.fr.WriteRSTStream(serr.StreamID, serr.Code) != nil {
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
				err = a.fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				err = a.fr.WritePing(true, f.Data)
			}
		case *http2.MetaHeadersFrame:
			st := h2Stream{method: f.PseudoValue("method"), path: f.PseudoValue("path"), header: http.Header{}}
			for _, hf := range f.RegularFields() {
				st.header.Add(hf.Name, hf.Value)
			}
			s.mu.Lock()
			st.n = len(s.streams)
			s.streams = append(s.streams, st)
			s.mu.Unlock()
			replies[f.StreamID] = s.script(st)
			if replies[f.StreamID].onHeaders || f.StreamEnded() {
				err = act(f.StreamID)
			}
		case *http2.DataFrame:
			if f.StreamEnded() {
				err = act(f.StreamID)
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
// It needs watchConns.
func (s *h2Server) settled() []h2Stream {
	if !s.watching {
		panic("settled without watchConns")
	}
	for deadline := time.Now().Add(2 * time.Second); !s.quiet() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	return s.seen()
}

func (s *h2Server) quiet() bool {
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
func (s *h2Server) seen() []h2Stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]h2Stream(nil), s.streams...)
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
