//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package folder

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// noFollow opens a link itself, which fails, rather than what it leads
// to: a link planted where the journal goes would have its target
// truncated and written.
const noFollow = syscall.O_NOFOLLOW

// lockJournal takes f's exclusive lock without waiting for it:
// errJournalBusy when another run holds it. Closing f releases it.
func lockJournal(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB) }); err != nil {
		return err
	}
	if errors.Is(lerr, syscall.EWOULDBLOCK) {
		return errJournalBusy
	}
	// Any other failure is a file system without locks (some FUSE and
	// network ones): the run goes on unlocked, as it would where there
	// is no flock at all, rather than not at all.
	return nil
}

// hardLinked reports whether the file has other names than the journal's:
// a hard link planted there, whose other name is a file to keep.
func hardLinked(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}
