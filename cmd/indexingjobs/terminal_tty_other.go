//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd

package main

import "os"

// isTTY reports whether f is a terminal; here, a character device other
// than the null device.
func isTTY(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && !os.SameFile(fi, null)
}
