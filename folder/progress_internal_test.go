package folder

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestLineProgressWritesALineNowAndThen: a line a step; while sending, a
// line once an interval has passed, with the rate and the time left; one
// at the end.
func TestLineProgressWritesALineNowAndThen(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	p := NewLineProgress(&out, 10*time.Second).(*lineProgress)
	p.now = func() time.Time { return now }
	p.Step("Uploading 3 files, 3.0 KiB")
	p.Start(3, 3<<10)
	p.Sent(1 << 10)
	p.FileDone("a", nil)
	now = now.Add(10 * time.Second)
	p.Sent(512)
	now = now.Add(5 * time.Second)
	p.Sent(512)
	p.FileDone("b", nil)
	p.Sent(1 << 10)
	p.FileDone("c", nil)
	p.Stop()
	p.Stop()
	assert.Equal(t, "Uploading 3 files, 3.0 KiB\n"+
		"sent 1/3 files, 1.5 KiB of 3.0 KiB, 153 B/s, about 10s left\n"+
		"sent 3/3 files, 3.0 KiB of 3.0 KiB, 204 B/s\n", out.String())
}

// TestTerminalProgressDrawsABar: mpb draws the files, the bytes and the
// rate; steps are lines above it; Stop returns, also when the sending
// stopped early.
func TestTerminalProgressDrawsABar(t *testing.T) {
	for _, finish := range []bool{true, false} {
		var out bytes.Buffer // written by mpb's goroutine, read once Stop has waited for it
		p := NewTerminalProgress(&out, nil)
		p.Step("Comparing")
		p.Start(2, 2000)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { p.Sent(500); p.FileDone("x", nil) })
		}
		wg.Wait()
		if finish {
			p.Sent(1000)
		}
		p.Step("above the bar")
		p.Stop()
		p.Step("after")
		s := out.String()
		assert.True(t, strings.HasPrefix(s, "Comparing\n"), s)
		assert.Contains(t, s, "2/2 files")
		assert.Contains(t, s, "above the bar\n")
		assert.True(t, strings.HasSuffix(s, "after\n"), s)
	}
}

// TestTerminalProgressRedrawsInPlaceThroughAFilter: given a writer that is
// no terminal (the tool's redacting writer in front of one), the bar is
// still redrawn in place: each frame after the first moves the cursor
// back up over the last, and no frame is left below another.
func TestTerminalProgressRedrawsInPlaceThroughAFilter(t *testing.T) {
	var out lockedBuffer
	p := NewTerminalProgress(&out, nil)
	p.Start(2, 1000)
	p.Sent(500)
	p.FileDone("x", nil)
	// The first frame is drawn at mpb's next refresh; the deadline only
	// guards against a hang.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "1/2 files"); {
		if time.Now().After(deadline) {
			t.Fatalf("no frame drawn: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.Sent(500)
	p.FileDone("y", nil)
	p.Stop()
	s := out.String()
	first := strings.Index(s, "1/2 files")
	assert.Contains(t, s[first:], "1000.0 b / 1000.0 b")
	assert.Contains(t, s[first:], "\x1b[1A\x1b[J", "the last frame is drawn below the first, as for a pipe: %q", s)
}

// lockedBuffer is a bytes.Buffer that mpb's goroutine writes while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestCountingReaderCountsARetryOnce: reading the file again from its
// start, as a retried upload does, adds nothing.
func TestCountingReaderCountsARetryOnce(t *testing.T) {
	var counted countSent
	c := &countingReader{r: strings.NewReader("0123456789"), p: &counted}
	buf := make([]byte, 4)
	for _, off := range []int64{0, 4, 0, 4, 8} {
		_, _ = c.ReadAt(buf, off)
	}
	assert.Equal(t, int64(10), counted.n)
}

// TestCountingReaderCountsTheSizeCheckAsNothing: the upload first reads
// the file's last byte, to check that it holds the size said; that read
// counts nothing, and the file then read from its start counts its size.
func TestCountingReaderCountsTheSizeCheckAsNothing(t *testing.T) {
	var counted countSent
	c := &countingReader{r: strings.NewReader("0123456789"), p: &counted}
	_, _ = c.ReadAt(make([]byte, 1), 9)
	assert.Equal(t, int64(0), counted.n, "after the check read")
	buf := make([]byte, 4)
	for _, off := range []int64{0, 4, 8} {
		_, _ = c.ReadAt(buf, off)
	}
	assert.Equal(t, int64(10), counted.n)
}

type countSent struct {
	silent
	n int64
}

func (c *countSent) Sent(n int64) { c.n += n }
