//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd

package main

import "os"

// isTTY reports whether f is a terminal; here, whether it is a character
// device.
func isTTY(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
