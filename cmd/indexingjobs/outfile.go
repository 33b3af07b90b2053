package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// reportFile is where details --file writes. A regular file (or nothing
// yet) is written whole or not at all: into a temporary file beside it,
// renamed onto it once the download has succeeded. Anything else that
// can be written (a device such as /dev/null, a FIFO, a terminal) is
// written in place and never replaced: replacing /dev/null, as root, with
// a regular file would break the machine. So is a regular file that a
// rename would change: one with other hard links (they would keep the
// old report) or another owner (the new file would be the tool's user's);
// it is emptied when the report's first bytes come. A file without any
// write permission is refused, even for root. A symbolic link is
// followed: what it points to is written, the link kept.
type reportFile struct {
	path   string // as the user typed it: every error names it
	f      *os.File
	target string // the regular file the temporary file replaces; "" when written in place
	// terminal: f is a terminal, which is shown the report escaped, as
	// stdout is.
	terminal bool
	// inPlace says why a regular file is written in place ("it has 2
	// hard links"); it is emptied at the report's first byte (emptied).
	inPlace string
	emptied bool
}

// createReportFile opens path for the report, before anything is asked
// of the API, so that a path that cannot be written costs no download.
// Opening a FIFO waits for a reader, until ctx ends.
func createReportFile(ctx context.Context, path string) (*reportFile, error) {
	fi, err := os.Stat(path) // through symbolic links
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return nil, fmt.Errorf("cannot write the report to %s: it is a symbolic link to nothing", path)
		}
		return createBeside(path, path, nil) // a new file: its mode follows the umask
	case err != nil:
		return nil, fileError(path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("cannot write the report to %s: it is a directory", path)
	case fi.Mode()&fs.ModeSocket != 0:
		return nil, fmt.Errorf("cannot write the report to %s: it is a socket", path)
	case fi.Mode()&fs.ModeNamedPipe != 0:
		f, err := openFIFO(ctx, path)
		if err != nil {
			return nil, err
		}
		return &reportFile{path: path, f: f}, nil
	case !fi.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fileError(path, err)
		}
		return &reportFile{path: path, f: f, terminal: isTTY(f)}, nil
	case fi.Mode().Perm()&0o222 == 0:
		return nil, fmt.Errorf("cannot write the report to %s: it is read-only (no write permission): make it writable (chmod u+w) or name another file", path)
	}
	if why := sharedFile(fi); why != "" {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fileError(path, err)
		}
		return &reportFile{path: path, f: f, inPlace: why}, nil
	}
	if !writable(path) {
		return nil, fileError(path, fs.ErrPermission)
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	return createBeside(path, target, fi)
}

// openFIFO opens a FIFO for writing, which waits until someone opens it
// for reading, or until ctx ends: then the tool opens it for reading
// itself, to end the wait, and closes both.
func openFIFO(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, fileError(path, o.err)
		}
		return o.f, nil
	case <-ctx.Done():
	}
	if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		if o := <-done; o.f != nil {
			o.f.Close()
		}
		r.Close()
	}
	return nil, fmt.Errorf("cannot write the report to %s: it is a FIFO that nobody opened for reading", path)
}

// createBeside makes the temporary file that will replace target. It is
// made with mode 0666 less the umask, as a new file would be; then, if
// there is one, given the mode of the file it replaces.
func createBeside(path, target string, existing fs.FileInfo) (*reportFile, error) {
	dir, base := filepath.Split(target)
	for {
		temp := filepath.Join(dir, "."+base+"."+rand.Text()[:8]+".partial")
		f, err := os.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fileError(path, err)
		}
		if existing != nil {
			if err := f.Chmod(existing.Mode().Perm()); err != nil {
				f.Close()
				os.Remove(temp)
				return nil, fileError(path, err)
			}
		}
		return &reportFile{path: path, f: f, target: target}, nil
	}
}

// write writes the report with write, then puts the file in place. On an
// error a temporary file is removed, and what path was is left as it was.
func (r *reportFile) write(write func(io.Writer) (int64, error)) (n int64, err error) {
	if r.target == "" {
		w := io.Writer(r.f)
		if r.inPlace != "" {
			w = r
		}
		n, err = write(w)
		if cerr := r.f.Close(); err == nil && cerr != nil {
			err = fileError(r.path, cerr)
		}
		return n, err
	}
	defer func() {
		if err != nil {
			r.f.Close()
			os.Remove(r.f.Name())
		}
	}()
	if n, err = write(r.f); err != nil {
		return n, err
	}
	if err = r.f.Sync(); err != nil {
		return n, fileError(r.path, err)
	}
	if err = r.f.Close(); err != nil {
		return n, fileError(r.path, err)
	}
	if err = os.Rename(r.f.Name(), r.target); err != nil {
		return n, fileError(r.path, err)
	}
	return n, nil
}

// Write writes to a regular file written in place, emptied first: so a
// download that fails before its first byte leaves the file as it was.
func (r *reportFile) Write(p []byte) (int, error) {
	if !r.emptied {
		if err := r.f.Truncate(0); err != nil {
			return 0, fileError(r.path, err)
		}
		r.emptied = true
	}
	n, err := r.f.Write(p)
	if err != nil {
		err = fileError(r.path, err)
	}
	return n, err
}

// fileError names the path the user gave, not the temporary file or the
// target of a link: "cannot write the report to r.json: permission
// denied".
func fileError(path string, err error) error {
	var perr *fs.PathError
	if errors.As(err, &perr) {
		err = perr.Err
	}
	var lerr *os.LinkError
	if errors.As(err, &lerr) {
		err = lerr.Err
	}
	return fmt.Errorf("cannot write the report to %s: %w", path, err)
}
