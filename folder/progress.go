package folder

import (
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/gradient-go/indexingjobs/internal/safetext"
)

// Progress is told how the work goes. Create and Sync call Step as each
// stage begins, then Start once the files to send are known, Sent and
// FileDone as they are sent (from several goroutines at once), and Stop
// when the sending ended, whether it finished or not. A nil Progress is
// told nothing.
type Progress interface {
	// Step says a stage begins: "Comparing 2,000 files with Spaces".
	Step(what string)
	// Start: files are to be sent, bytes in all.
	Start(files int, bytes int64)
	// Sent: n more bytes were read to be sent.
	Sent(n int64)
	// FileDone: a file was sent (err nil), or failed.
	FileDone(name string, err error)
	// Stop: the sending ended. The display is finished or removed.
	Stop()
}

// NewTerminalProgress shows the sending on w as a bar redrawn in place
// (github.com/vbauerster/mpb): files and bytes sent of all, the rate, and
// the time left; each step is a line above it. w may be a filter in front
// of the terminal (the tool's hides its token): the bar is redrawn in
// place whatever w is, and terminal, the terminal w writes to, is asked
// for its width; nil for none (the line is then 40 columns wide).
func NewTerminalProgress(w io.Writer, terminal *os.File) Progress {
	return &terminalProgress{w: w, terminal: terminal}
}

type terminalProgress struct {
	w        io.Writer
	terminal *os.File
	mu       sync.Mutex
	p        *mpb.Progress
	bar      *mpb.Bar
	files    int
	done     atomic.Int64
}

func (t *terminalProgress) Step(what string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	line := safetext.Line(what) + "\n"
	if t.p != nil && !t.bar.Completed() {
		_, _ = io.WriteString(t.p, line) // above the bar
		return
	}
	if t.p != nil {
		// A bar that completed may be drawn for the last time, after
		// which mpb takes no more lines: wait for it, then write below.
		t.p.Wait()
		t.p, t.bar = nil, nil
	}
	_, _ = io.WriteString(t.w, line)
}

func (t *terminalProgress) Start(files int, bytes int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.files = files
	// mpb takes a writer that is no *os.File for a pipe, and then draws
	// each frame below the last; this writer moves back over the last
	// frame whatever it writes to, and knows the terminal's width.
	cw := cupwriter.New(t.w, true)
	if t.terminal != nil {
		cw.SetTermFd(int(t.terminal.Fd()))
	}
	t.p = mpb.New(mpb.WithConsoleWriter(cw), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond), mpb.WithAutoRefresh())
	// The bar completes when the last file is done, not when its last
	// byte is read: its last frame then counts every file.
	t.bar = t.p.AddBar(0,
		mpb.PrependDecorators(
			decor.Any(func(decor.Statistics) string { return fmt.Sprintf("%d/%d files", t.done.Load(), files) }, decor.WCSyncSpaceR),
			decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace),
		),
		mpb.AppendDecorators(
			decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done"),
		),
	)
	t.bar.SetTotal(bytes, false)
	if files == 0 {
		t.bar.EnableTriggerComplete()
	}
}

func (t *terminalProgress) Sent(n int64) {
	if t.bar != nil {
		t.bar.IncrInt64(n)
	}
}

func (t *terminalProgress) FileDone(string, error) {
	if int(t.done.Add(1)) == t.files && t.bar != nil {
		t.bar.EnableTriggerComplete()
	}
}

func (t *terminalProgress) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.p == nil {
		return
	}
	if !t.bar.Completed() {
		t.bar.Abort(false) // stopped early: the bar stays as it was
	}
	t.p.Wait()
	t.p, t.bar = nil, nil
}

// NewLineProgress writes a line to w for each step and, while files are
// sent, a line at most every interval (≤ 0: 10s), then one when done:
// "sent 120/2000 files, 1.2 GiB of 2.0 GiB, 45.1 MiB/s, about 20s left".
// For a log or a pipe, where a redrawn bar would be noise.
func NewLineProgress(w io.Writer, interval time.Duration) Progress {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	return &lineProgress{w: w, every: interval, now: time.Now}
}

type lineProgress struct {
	w     io.Writer
	every time.Duration
	now   func() time.Time

	mu               sync.Mutex
	started, last    time.Time
	files, done      int
	failed           int
	bytes, sent      int64
	sending, stopped bool
}

func (l *lineProgress) Step(what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, safetext.Line(what))
}

func (l *lineProgress) Start(files int, bytes int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.files, l.bytes, l.sending = files, bytes, true
	l.started = l.now()
	l.last = l.started
}

func (l *lineProgress) Sent(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent += n
	l.maybeLine()
}

func (l *lineProgress) FileDone(_ string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
	} else {
		l.done++
	}
	l.maybeLine()
}

func (l *lineProgress) Stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sending && !l.stopped {
		l.stopped = true
		fmt.Fprintln(l.w, l.line(l.now()))
	}
}

// maybeLine writes a line if the last is interval old. l.mu is held.
func (l *lineProgress) maybeLine() {
	if now := l.now(); l.sending && now.Sub(l.last) >= l.every {
		l.last = now
		fmt.Fprintln(l.w, l.line(now))
	}
}

// line is the state of the sending at now. l.mu is held.
func (l *lineProgress) line(now time.Time) string {
	s := fmt.Sprintf("sent %d/%d files, %s of %s", l.done, l.files, Size(l.sent), Size(l.bytes))
	if l.failed > 0 {
		s += fmt.Sprintf(", %d failed", l.failed)
	}
	took := now.Sub(l.started)
	if took <= 0 || l.sent == 0 {
		return s
	}
	rate := float64(l.sent) / took.Seconds()
	s += fmt.Sprintf(", %s/s", Size(int64(rate)))
	if left := l.bytes - l.sent; left > 0 && !l.stopped {
		s += fmt.Sprintf(", about %s left", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
	}
	return s
}

// Size is a count of bytes for people: 812 B, 1.5 KiB, 12.0 MiB (the
// tool shows every count of bytes so).
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// progressOf is p, or one that is told nothing.
func progressOf(p Progress) Progress {
	if p == nil {
		return silent{}
	}
	return p
}

type silent struct{}

func (silent) Step(string)            {}
func (silent) Start(int, int64)       {}
func (silent) Sent(int64)             {}
func (silent) FileDone(string, error) {}
func (silent) Stop()                  {}

// countingReader reports to p the bytes of r read for the first time: a
// retry that reads the file again from its start is not counted twice.
// Only reads that go on from what was read are counted: the upload reads
// a file's last byte first, to check its size, and that read must not
// count the bytes before it. With hash, it hashes the bytes as they are
// counted, in order from the start, which gives the content's hash
// without reading the file again.
type countingReader struct {
	r    io.ReaderAt
	p    Progress
	hash hash.Hash
	mu   sync.Mutex
	high int64 // r[:high] has been read (and hashed)
}

func (c *countingReader) ReadAt(b []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(b, off)
	c.mu.Lock()
	var more int64
	if off <= c.high {
		more = max(0, off+int64(n)-c.high)
		if c.hash != nil && more > 0 {
			c.hash.Write(b[c.high-off : n])
		}
		c.high += more
	}
	c.mu.Unlock()
	if more > 0 {
		c.p.Sent(more)
	}
	return n, err
}

// hashed returns the hash of the first size bytes, if they were all read.
func (c *countingReader) hashed(size int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hash == nil || c.high != size {
		return nil, false
	}
	return c.hash.Sum(nil), true
}
