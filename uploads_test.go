package indexingjobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	indexingjobs "github.com/gradient-go/indexingjobs"
)

// storage is a storage host for uploads: it keeps what each PUT sent and
// answers as its handler says.
type storage struct {
	*httptest.Server
	mu   sync.Mutex
	puts []put
}

type put struct {
	method, query string
	header        http.Header
	length        int64
	body          []byte
}

func newStorage(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request, body []byte)) *storage {
	s := &storage{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.puts = append(s.puts, put{r.Method, r.URL.RawQuery, r.Header.Clone(), r.ContentLength, body})
		n := len(s.puts)
		s.mu.Unlock()
		answer(n, w, r, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *storage) seen() []put {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]put(nil), s.puts...)
}

const uploadSignature = "5ec12e7a9b0c4d1e8f2a3b4c5d6e7f80"

// uploadTo is a FileUploadURL on base, valid for an hour.
func uploadTo(base string) indexingjobs.FileUploadURL {
	return indexingjobs.FileUploadURL{
		OriginalFileName: "handbook.md", ObjectKey: "uploads/7c2e/handbook.md", ExpiresAt: time.Now().Add(time.Hour),
		PresignedURL: base + "/uploads/7c2e/handbook.md?X-Amz-Expires=3600&X-Amz-Signature=" + uploadSignature,
	}
}

// TestUploadFilePutsExactlySizeBytesWithoutTheToken: one PUT of the first
// size bytes of the reader, with their length, to the signed URL as
// given, with no Authorization or Referer header; the file to attach
// names the object.
func TestUploadFilePutsExactlySizeBytesWithoutTheToken(t *testing.T) {
	content := []byte("# Handbook\n\nEverything a new colleague asks.\n")
	st := newStorage(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { w.WriteHeader(200) })
	c := newClient(t, "http://127.0.0.1:1") // the API is never asked
	r := bytes.NewReader(append(append([]byte(nil), content...), "what follows is not sent"...))
	got, err := c.UploadFile(context.Background(), uploadTo(st.URL), r, int64(len(content)))
	require.NoError(t, err)
	assert.Equal(t, &indexingjobs.UploadedFile{OriginalFileName: "handbook.md", StoredObjectKey: "uploads/7c2e/handbook.md", SizeInBytes: indexingjobs.Uint64(len(content))}, got)
	puts := st.seen()
	require.Len(t, puts, 1)
	assert.Equal(t, http.MethodPut, puts[0].method)
	assert.Equal(t, "X-Amz-Expires=3600&X-Amz-Signature="+uploadSignature, puts[0].query)
	assert.Equal(t, content, puts[0].body)
	assert.Equal(t, int64(len(content)), puts[0].length, "announced")
	assert.Empty(t, puts[0].header.Values("Authorization"))
	assert.Empty(t, puts[0].header.Values("Referer"))
	assert.NotContains(t, strings.ToLower(st.URL+string(puts[0].body)+headerText(puts[0].header)), strings.ToLower(testToken[8:24]))
}

func headerText(h http.Header) string {
	var b strings.Builder
	_ = h.Write(&b)
	return b.String()
}

// TestUploadFileIsSentAgainFromTheFirstByte: a 5xx, and a connection lost
// halfway through the body, are followed by the whole body again.
func TestUploadFileIsSentAgainFromTheFirstByte(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	var cut atomic.Bool
	lost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cut.CompareAndSwap(false, true) {
			_, _ = io.CopyN(io.Discard, r.Body, int64(len(content)/2))
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !bytes.Equal(body, content) {
			w.WriteHeader(400)
			return
		}
		w.WriteHeader(200)
	}))
	defer lost.Close()
	c := newClient(t, "http://127.0.0.1:1")
	_, err := c.UploadFile(context.Background(), uploadTo(lost.URL), bytes.NewReader(content), int64(len(content)))
	require.NoError(t, err, "the whole body, again, after the connection was lost")

	st := newStorage(t, func(n int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		if n == 1 {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(200)
	})
	_, err = c.UploadFile(context.Background(), uploadTo(st.URL), bytes.NewReader(content), int64(len(content)))
	require.NoError(t, err)
	puts := st.seen()
	require.Len(t, puts, 2)
	for _, p := range puts {
		assert.Equal(t, sha256.Sum256(content), sha256.Sum256(p.body), "each send carries the whole file")
	}
}

// TestUploadFileKeepsTheSignatureOutOfErrors: the URL's query, the
// signature, is in no error: not when the storage host echoes it, nor
// when nothing listens, nor when the URL is refused.
func TestUploadFileKeepsTheSignatureOutOfErrors(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", indexingjobs.WithMaxRetries(0))
	echo := newStorage(t, func(_ int, w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, "<Error><Code>SignatureDoesNotMatch</Code><Message>bad "+r.URL.RawQuery+"</Message></Error>")
	})
	for _, base := range []string{echo.URL, closedLoopbackURL(t), "http://uploads.example.com", "https://user:pw@uploads.example.com"} {
		_, err := c.UploadFile(context.Background(), uploadTo(base), strings.NewReader("x"), 1)
		require.Error(t, err, base)
		assert.NotContains(t, err.Error(), uploadSignature, base)
		assert.NotContains(t, err.Error(), uploadSignature[:16], base)
		assertSafeText(t, err.Error())
	}
	_, err := c.UploadFile(context.Background(), uploadTo("http://uploads.example.com"), strings.NewReader("x"), 1)
	assert.ErrorContains(t, err, "is not an https URL", "plain http goes to loopback only, when the API is reached so")
}

// TestUploadFileOfAnExpiredURL: a URL past its ExpiresAt is refused
// unsent; a storage host's 403 saying the request has expired reads so.
func TestUploadFileOfAnExpiredURL(t *testing.T) {
	st := newStorage(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>\n")
	})
	c := newClient(t, "http://127.0.0.1:1")
	to := uploadTo(st.URL)
	to.ExpiresAt = time.Now().Add(-time.Minute)
	_, err := c.UploadFile(context.Background(), to, strings.NewReader("x"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `uploading "handbook.md": the upload URL expired at `)
	assert.Contains(t, err.Error(), "ask for another (FileUploadURLs)")
	assert.Empty(t, st.seen(), "nothing sent")

	_, err = c.UploadFile(context.Background(), uploadTo(st.URL), strings.NewReader("x"), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the upload URL has expired (it was valid until ")
	var apiErr *indexingjobs.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.StatusCode)
	assert.Len(t, st.seen(), 1, "a 403 is not sent again")
}

// TestUploadFileRefusesWhatCannotBeSent: no reader, a size below 1, a
// reader shorter than size, a URL without its object key: each refused
// with a clear error, nothing sent.
func TestUploadFileRefusesWhatCannotBeSent(t *testing.T) {
	st := newStorage(t, func(_ int, w http.ResponseWriter, _ *http.Request, _ []byte) { w.WriteHeader(200) })
	c := newClient(t, "http://127.0.0.1:1")
	noKey := uploadTo(st.URL)
	noKey.ObjectKey = ""
	for want, call := range map[string]func() error{
		"no reader": func() error { _, err := c.UploadFile(context.Background(), uploadTo(st.URL), nil, 1); return err },
		"its size is 0 bytes": func() error {
			_, err := c.UploadFile(context.Background(), uploadTo(st.URL), strings.NewReader(""), 0)
			return err
		},
		"the reader holds fewer than 10 bytes": func() error {
			_, err := c.UploadFile(context.Background(), uploadTo(st.URL), strings.NewReader("short"), 10)
			return err
		},
		"no object key": func() error {
			_, err := c.UploadFile(context.Background(), noKey, strings.NewReader("x"), 1)
			return err
		},
	} {
		err := call()
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), want)
	}
	assert.Empty(t, st.seen())
}

// pattern is a file of size bytes made as they are read: no memory holds
// it.
type pattern struct{ size int64 }

func (p pattern) ReadAt(b []byte, off int64) (int, error) {
	if off >= p.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), p.size-off))
	for i := range n {
		b[i] = byte(off + int64(i))
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// TestUploadFileMemoryDoesNotGrowWithSize: 256 MiB streamed to a storage
// host that counts and drops them allocate a few hundred KiB at most, not
// the file: the body is never held.
func TestUploadFileMemoryDoesNotGrowWithSize(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 256 MiB")
	}
	const size = 256 << 20
	var received atomic.Int64
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64<<10)
		n, _ := io.CopyBuffer(io.Discard, struct{ io.Reader }{r.Body}, buf)
		received.Store(n)
	}))
	defer drop.Close()
	c := newClient(t, "http://127.0.0.1:1")
	upload := func() {
		_, err := c.UploadFile(context.Background(), uploadTo(drop.URL), pattern{size}, size)
		require.NoError(t, err)
	}
	upload() // connections and buffers made once
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	upload()
	runtime.ReadMemStats(&after)
	assert.Equal(t, int64(size), received.Load())
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d KiB allocated to upload %d MiB", allocated>>10, size>>20)
	assert.Less(t, allocated, uint64(4<<20), "bytes allocated for the upload, both ends")
}

// TestUploadFileAttemptTimeoutBoundsSilences: a storage host that keeps
// reading a large body, slower than the attempt timeout in all, still
// takes it whole; one that stops reading ends the attempt.
func TestUploadFileAttemptTimeoutBoundsSilences(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 64 MiB slowly")
	}
	const size = 64 << 20
	const timeout = 500 * time.Millisecond
	var received atomic.Int64
	slow := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 1<<20)
		for {
			n, err := io.ReadFull(r.Body, buf)
			received.Add(int64(n))
			if err != nil {
				break
			}
			time.Sleep(timeout / 25) // the whole body takes 64 of these: three timeouts
		}
	}))
	// A small receive buffer, so that the client's sends follow the
	// server's reads (loopback's would take tens of MiB at once).
	slow.Listener = smallReceiveBuffer{slow.Listener}
	slow.Start()
	defer slow.Close()
	c := newClient(t, "http://127.0.0.1:1", indexingjobs.WithAttemptTimeout(timeout), indexingjobs.WithMaxRetries(0))
	_, err := c.UploadFile(context.Background(), uploadTo(slow.URL), pattern{size}, size)
	require.NoError(t, err, "received %d", received.Load())
	assert.Equal(t, int64(size), received.Load())

	done := make(chan struct{})
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.CopyN(io.Discard, r.Body, 1<<20)
		<-done // a server reading no more of the body does not see the client go
	}))
	defer stalled.Close()
	defer close(done)
	_, err = c.UploadFile(context.Background(), uploadTo(stalled.URL), pattern{size}, size)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the attempt timed out")
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "the caller's context did not end")
}

// smallReceiveBuffer accepts connections with a receive buffer of 64 KiB.
type smallReceiveBuffer struct{ net.Listener }

func (l smallReceiveBuffer) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetReadBuffer(64 << 10)
	}
	return conn, err
}
