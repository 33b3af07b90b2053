package main

import (
	"io"
	"net/http"
	"sync"

	"github.com/gradient-go/indexingjobs"
)

// capture is the transport of the tool's client: it keeps the body of the
// last answer from the API's host, so that -o json prints what the API
// sent (its unknown fields, zero values, numbers and times as spelled)
// rather than the library's typed view of it. It keeps at most max bytes
// of an answer, and only the last one; the report, fetched from another
// host, passes through untouched.
type capture struct {
	next http.RoundTripper
	host string
	max  int64

	mu   sync.Mutex
	body []byte // the last answer read whole, nil if none or over max
	seq  int    // answers kept so far: a new page of a list is a new seq
}

// newCapture is a capture of answers from host, over the transport the
// library would make itself (http.DefaultTransport's, with headers
// bounded as the library bounds them: a transport given to it keeps its
// own bound).
func newCapture(host string) *capture {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxResponseHeaderBytes = 64 << 10
	return &capture{next: t, host: host, max: indexingjobs.DefaultMaxResponseBytes}
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || req.URL.Host != c.host {
		return resp, err
	}
	resp.Body = &keptBody{ReadCloser: resp.Body, c: c}
	return resp, nil
}

// last returns the last answer kept and its sequence number.
func (c *capture) last() ([]byte, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.body, c.seq
}

// keptBody copies what the library reads, up to the cap, and hands it to
// the capture once the body is closed.
type keptBody struct {
	io.ReadCloser
	c    *capture
	buf  []byte
	over bool
	done bool
}

func (b *keptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && n <= len(p) && !b.over {
		if int64(len(b.buf)+n) > b.c.max {
			b.over, b.buf = true, nil
		} else {
			b.buf = append(b.buf, p[:n]...)
		}
	}
	return n, err
}

func (b *keptBody) Close() error {
	if !b.done {
		b.done = true
		b.c.mu.Lock()
		b.c.body, b.c.seq = b.buf, b.c.seq+1
		if b.over {
			b.c.body = nil
		}
		b.c.mu.Unlock()
	}
	return b.ReadCloser.Close()
}
