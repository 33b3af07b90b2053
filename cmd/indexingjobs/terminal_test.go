package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// TestDetailsOnATerminalAreBoundedOnAPty: the built tool, its stdout a
// real terminal, downloads a report of escape bytes that goes on far past
// what a terminal shows. It stops at maxShownReport, says to use --file,
// and neither what it wrote nor its memory grew with what the server
// sent. (A bytes.Buffer under the cap would have taken it all: io.Copy
// uses its ReadFrom, not a capped Write.)
func TestDetailsOnATerminalAreBoundedOnAPty(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool")
	}
	const sent = 8 * maxShownReport
	chunk := bytes.Repeat([]byte("\x1b[2J"), 8<<10) // 32 KiB, each byte shown as 1 to 4
	// The tool's peak memory is read from /proc as the server sends, not
	// from its rusage: Linux counts in that the memory of the test
	// process it was forked from.
	var pid, peak atomic.Int64
	srv := detailsServer(t, func(w http.ResponseWriter, r *http.Request) {
		for n := 0; n < sent; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			if n%(1<<20) == 0 {
				if hwm := peakMemory(int(pid.Load())); hwm > peak.Load() {
					peak.Store(hwm)
				}
			}
		}
	})
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(buildTool(t), "details", jobID, "--api-url", srv.URL)
	cmd.Env = append(os.Environ(), "TERM=xterm", indexingjobs.TokenEnv+"=scripted-token")
	cmd.Stdout, cmd.Stderr = tty, &stderr
	require.NoError(t, cmd.Start())
	pid.Store(int64(cmd.Process.Pid))
	tty.Close() // the child has it
	shown := make(chan int64)
	go func() {
		n, _ := io.Copy(io.Discard, ptmx) // ends with EIO once the child is gone
		shown <- n
	}()
	err = cmd.Wait()
	ptmx.Close()
	n := <-shown
	var exit *exec.ExitError
	if assert.ErrorAs(t, err, &exit, stderr.String()) {
		assert.Equal(t, exitError, exit.ExitCode())
	}
	assert.Contains(t, stderr.String(), "the report is over 8 MiB, more than a terminal shows: write it to a file with --file FILE")
	// Each byte is at most 4 on the terminal (ESC is \x1b), plus a line
	// end a piece, and the terminal's own \r before each \n.
	assert.LessOrEqual(t, n, int64(4*maxShownReport+2*maxShownReport/maxLine+2), "what the terminal got")
	assert.Greater(t, n, int64(maxShownReport), "the report was shown up to the bound")
	assert.Greater(t, peak.Load(), int64(0), "the tool's memory was read")
	assert.Less(t, peak.Load(), int64(48<<20), "the tool's peak memory, for %d MiB sent", sent>>20)
}

// peakMemory is the peak resident memory of the process pid (VmHWM), or 0
// if it cannot be read (the process is gone).
func peakMemory(pid int) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if pid == 0 || err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), 10, 64)
			return n << 10
		}
	}
	return 0
}

// TestTerminalReportEscapesLinesAndPieces: lines are escaped one by one,
// a line longer than maxLine is written in pieces (on the same terminal
// line) without cutting a character in two, and a last line without its end gets one.
func TestTerminalReportEscapesLinesAndPieces(t *testing.T) {
	var out bytes.Buffer
	tr := &terminalReport{w: &out}
	long := strings.Repeat("é", maxLine) // two bytes each: a piece ends inside one
	for _, p := range []string{"a,\x1b]0;x\x07,b\r", "\nsecond", " line\n", long, "\n", "\u202elast"} {
		n, err := tr.Write([]byte(p))
		require.NoError(t, err)
		require.Equal(t, len(p), n)
	}
	require.NoError(t, tr.Close())
	got := out.String()
	head, tail := "a,\\x1b]0;x\\a,b\nsecond line\n", "\n\\u202elast\n"
	require.True(t, strings.HasPrefix(got, head), got[:40])
	require.True(t, strings.HasSuffix(got, tail), got[len(got)-20:])
	middle := got[len(head) : len(got)-len(tail)]
	assert.True(t, middle == long, "the long line whole, no character cut in two or escaped")
	assert.LessOrEqual(t, cap(tr.line), maxLine+utf8.UTFMax, "a long line is written in pieces, not held whole")
}
