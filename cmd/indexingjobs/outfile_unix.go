//go:build unix

package main

import (
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// sharedFile says why a regular file must be written in place rather
// than replaced, or "": it has other hard links, or another owner.
func sharedFile(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !ok:
		return ""
	case uint64(st.Nlink) > 1:
		return "it has " + strconv.FormatUint(uint64(st.Nlink), 10) + " hard links"
	case int(st.Uid) != os.Geteuid():
		return "another user owns it"
	}
	return ""
}

// writable reports whether the tool's user may write path (root may
// write any file that has a write permission).
func writable(path string) bool { return syscall.Access(path, 2 /* W_OK */) == nil }
