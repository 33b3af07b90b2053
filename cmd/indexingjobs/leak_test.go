package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests if a command leaves a goroutine behind: the
// progress line's ticker, serve-fake's server or docs' server.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
