//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"os"
	"syscall"
	"unsafe"
)

// isTerminalInput reports whether f is a terminal a person can answer
// on: its settings read as a terminal's. A character device is not
// enough: /dev/null is one.
func isTerminalInput(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(getTermios), uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
