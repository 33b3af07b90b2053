package main

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
)

// TestDetailsFileNeverReplacesANonRegularFile: --file writes into a FIFO,
// a device or what a link points to, in place, and leaves them what they
// were; it replaces only a regular file (through a link, the file the
// link points to, the link kept). As root, replacing /dev/null with a
// regular file would break the machine; a link to it stands in for it
// here, so that a broken tool breaks only the test's folder.
func TestDetailsFileNeverReplacesANonRegularFile(t *testing.T) {
	srv := detailsServer(t, serveReport)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	links := map[string]string{"null": "/dev/null", "to-fifo": fifo, "to-file": filepath.Join(dir, "file")}
	require.NoError(t, os.WriteFile(links["to-file"], []byte("the last report"), 0o640))
	for name, to := range links {
		require.NoError(t, os.Symlink(to, filepath.Join(dir, name)))
	}

	for _, name := range []string{"fifo", "to-fifo"} {
		got := make(chan string)
		go func() {
			b, _ := os.ReadFile(fifo) // opens when the tool does, reads until it closes
			got <- string(b)
		}()
		code, _, stderr := runCmd(t, "details", jobID, "--file", filepath.Join(dir, name), "--api-url", srv.URL)
		// A tool that replaced the FIFO leaves the reader waiting for a
		// writer on a FIFO no path names any more; one that did not open
		// it, on the FIFO: open it then, so that the reader ends (empty).
		fi, err := os.Lstat(fifo)
		require.NoError(t, err)
		require.Equal(t, fs.ModeNamedPipe, fi.Mode().Type(), "%s: the FIFO is still a FIFO", name)
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		require.Equal(t, exitOK, code, stderr)
		assert.Equal(t, report, <-got, name)
	}
	code, _, stderr := runCmd(t, "details", jobID, "--file", filepath.Join(dir, "null"), "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = runCmd(t, "details", jobID, "--file", filepath.Join(dir, "to-file"), "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)

	fi, err := os.Lstat(fifo)
	require.NoError(t, err)
	assert.Equal(t, fs.ModeNamedPipe, fi.Mode().Type(), "the FIFO is still a FIFO")
	for name, to := range links {
		got, err := os.Readlink(filepath.Join(dir, name))
		assert.NoError(t, err, "%s is still a link", name)
		assert.Equal(t, to, got, name)
	}
	fi, err = os.Stat("/dev/null")
	require.NoError(t, err)
	assert.Equal(t, fs.ModeDevice|fs.ModeCharDevice, fi.Mode().Type())
	b, err := os.ReadFile(links["to-file"])
	require.NoError(t, err)
	assert.Equal(t, report, string(b), "the file the link points to is replaced")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, len(links)+2, "no temporary file left")

	code, stdout, stderr := runCmd(t, "details", jobID, "--file", "-", "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, report, stdout, `"-" is stdout`)
	assert.Empty(t, stderr)

	code, _, stderr = runCmd(t, "details", jobID, "--file", dir, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Equal(t, "indexingjobs details: cannot write the report to "+dir+": it is a directory\n", stderr)
}

// TestDetailsFileKeepsModeAndFollowsTheUmask: an existing file keeps its
// mode, whatever the umask; a new one gets 0666 less the umask, as any
// new file does. The built tool runs under each umask.
func TestDetailsFileKeepsModeAndFollowsTheUmask(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool")
	}
	bin := buildTool(t)
	srv := detailsServer(t, serveReport)
	dir := t.TempDir()
	details := func(umask, file string) {
		t.Helper()
		cmd := exec.Command("sh", "-c", `umask "$1"; shift; exec "$@"`, "sh", umask, bin, "details", jobID, "--file", file, "--api-url", srv.URL)
		cmd.Env = append(os.Environ(), indexingjobs.TokenEnv+"=scripted-token")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	mode := func(file string) fs.FileMode {
		t.Helper()
		fi, err := os.Stat(file)
		require.NoError(t, err)
		return fi.Mode().Perm()
	}
	for _, c := range []struct {
		umask string
		want  fs.FileMode
	}{{"077", 0o600}, {"022", 0o644}, {"002", 0o664}} {
		file := filepath.Join(dir, "new-"+c.umask)
		details(c.umask, file)
		assert.Equal(t, c.want, mode(file), "a new file under umask %s", c.umask)
	}
	for _, m := range []fs.FileMode{0o600, 0o640, 0o604} {
		file := filepath.Join(dir, "existing")
		require.NoError(t, os.WriteFile(file, []byte("the last report"), 0o600))
		require.NoError(t, os.Chmod(file, m))
		details("022", file)
		assert.Equal(t, m, mode(file), "an existing file's mode is kept")
		b, _ := os.ReadFile(file)
		assert.Equal(t, report, string(b))
	}
}

// TestDetailsFileErrorsNameThePathGiven: an error names the path the user
// typed, never the temporary file beside it; and nothing is sent.
func TestDetailsFileErrorsNameThePathGiven(t *testing.T) {
	srv := detailsServer(t, serveReport)
	missing := filepath.Join(t.TempDir(), "no such dir", "r.json")
	code, _, stderr := runCmd(t, "details", jobID, "--file", missing, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Equal(t, "indexingjobs details: cannot write the report to "+missing+": no such file or directory\n", stderr)
	assert.NotContains(t, stderr, ".partial")
	assert.Empty(t, srv.requests(), "nothing asked of the API")

	dangling := filepath.Join(t.TempDir(), "dangling")
	require.NoError(t, os.Symlink(filepath.Join(t.TempDir(), "gone"), dangling))
	code, _, stderr = runCmd(t, "details", jobID, "--file", dangling, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Equal(t, "indexingjobs details: cannot write the report to "+dangling+": it is a symbolic link to nothing\n", stderr)
	_, err := os.Lstat(dangling)
	assert.NoError(t, err)
	assert.Empty(t, srv.requests(), "nothing asked of the API")
}

// TestDetailsFileFIFOThatNobodyReads: opening a FIFO that nobody reads
// waits no longer than --timeout, and one interrupt ends it (exit 130);
// nothing is sent, and no goroutine is left waiting (TestMain checks).
func TestDetailsFileFIFOThatNobodyReads(t *testing.T) {
	srv := detailsServer(t, serveReport)
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	details := func(ctx context.Context, args ...string) (int, string) {
		var out, errOut syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, append([]string{"details", jobID, "--file", fifo, "--api-url", srv.URL}, args...), &out, &errOut)
		}()
		select {
		case code := <-done:
			assert.Empty(t, out.String())
			return code, errOut.String()
		case <-time.After(20 * time.Second):
			t.Fatalf("details %v still waits for a reader of the FIFO", args)
			return 0, ""
		}
	}
	code, stderr := details(t.Context(), "--timeout", "200ms")
	assert.Equal(t, exitError, code)
	assert.Equal(t, "indexingjobs details: gave up after 200ms (--timeout): cannot write the report to "+fifo+": it is a FIFO that nobody opened for reading\n", stderr)

	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(&signalled{syscall.SIGINT})
	code, stderr = details(ctx)
	assert.Equal(t, 130, code)
	assert.Contains(t, stderr, "indexingjobs details: interrupted: cannot write the report to "+fifo+": it is a FIFO that nobody opened for reading\n")
	assert.Empty(t, srv.requests(), "nothing sent")
	fi, err := os.Lstat(fifo)
	require.NoError(t, err)
	assert.Equal(t, fs.ModeNamedPipe, fi.Mode().Type(), "still a FIFO")
}

// TestDetailsFileSharedIsWrittenInPlace: a regular file with another hard
// link, or another owner, is written in place: its links and its owner
// are kept, as a device's are; a download that fails before its first
// byte leaves it as it was.
func TestDetailsFileSharedIsWrittenInPlace(t *testing.T) {
	srv := detailsServer(t, serveReport)
	dir := t.TempDir()
	file, link := filepath.Join(dir, "report.csv"), filepath.Join(dir, "also.csv")
	require.NoError(t, os.WriteFile(file, []byte("the last report, longer than the new one: "+strings.Repeat("x", 200)), 0o640))
	require.NoError(t, os.Link(file, link))
	code, _, stderr := runCmd(t, "details", jobID, "--file", file, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fmt.Sprintf("Wrote %d bytes to %s (in place: it has 2 hard links)\n", len(report), file), stderr)
	for _, name := range []string{file, link} {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		assert.Equal(t, report, string(b), "%s: the whole report, and nothing of the last", name)
	}
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.EqualValues(t, 2, fi.Sys().(*syscall.Stat_t).Nlink, "the links kept")
	assert.Equal(t, fs.FileMode(0o640), fi.Mode().Perm())

	refused := detailsServer(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "AccessDenied", http.StatusForbidden) })
	code, _, _ = runCmd(t, "details", jobID, "--file", file, "--api-url", refused.URL)
	assert.Equal(t, exitError, code)
	b, _ := os.ReadFile(link)
	assert.Equal(t, report, string(b), "a download that fails before its first byte changes nothing")

	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user takes root")
	}
	other := filepath.Join(dir, "theirs.csv")
	require.NoError(t, os.WriteFile(other, []byte("theirs"), 0o644))
	require.NoError(t, os.Chown(other, 65534, 65534))
	code, _, stderr = runCmd(t, "details", jobID, "--file", other, "--api-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "(in place: another user owns it)")
	fi, err = os.Stat(other)
	require.NoError(t, err)
	assert.EqualValues(t, 65534, fi.Sys().(*syscall.Stat_t).Uid, "the owner kept")
	b, _ = os.ReadFile(other)
	assert.Equal(t, report, string(b))
}

// TestDetailsFileReadOnlyIsRefused: a file without any write permission
// is refused, even for root, who could write it, and nothing is sent.
func TestDetailsFileReadOnlyIsRefused(t *testing.T) {
	srv := detailsServer(t, serveReport)
	file := filepath.Join(t.TempDir(), "report.csv")
	require.NoError(t, os.WriteFile(file, []byte("kept"), 0o444))
	code, stdout, stderr := runCmd(t, "details", jobID, "--file", file, "--api-url", srv.URL)
	assert.Equal(t, exitError, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "indexingjobs details: cannot write the report to "+file+": it is read-only (no write permission): make it writable (chmod u+w) or name another file\n", stderr)
	b, _ := os.ReadFile(file)
	assert.Equal(t, "kept", string(b))
	fi, _ := os.Stat(file)
	assert.Equal(t, fs.FileMode(0o444), fi.Mode().Perm())
	assert.Empty(t, srv.requests(), "nothing sent")
}
