package indexingjobstest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine of the fake, of a
// delayed answer or of a client outlives them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
