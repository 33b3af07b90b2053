//go:build !unix

package main

import "io/fs"

// sharedFile says why a regular file must be written in place rather
// than replaced; here, never.
func sharedFile(fs.FileInfo) string { return "" }

// writable reports whether the tool's user may write path; here, the
// open will tell.
func writable(string) bool { return true }
