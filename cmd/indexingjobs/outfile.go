package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// reportFile is where details --file writes. A regular file (or nothing
// yet) is written whole or not at all: into a temporary file beside it,
// renamed onto it once the download has succeeded. Anything else that
// can be written (a device such as /dev/null, a FIFO, a terminal) is
// written in place and never replaced: replacing /dev/null, as root, with
// a regular file would break the machine. A symbolic link is followed:
// what it points to is written, the link kept.
type reportFile struct {
	path   string // as the user typed it: every error names it
	f      *os.File
	target string // the regular file the temporary file replaces; "" when written in place
	// terminal: f is a terminal, which is shown the report escaped, as
	// stdout is.
	terminal bool
}

// createReportFile opens path for the report, before anything is asked
// of the API, so that a path that cannot be written costs no download.
func createReportFile(path string) (*reportFile, error) {
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
	case !fi.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fileError(path, err)
		}
		return &reportFile{path: path, f: f, terminal: isTTY(f)}, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	return createBeside(path, target, fi)
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
		n, err = write(r.f)
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
