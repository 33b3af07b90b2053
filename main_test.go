package indexingjobs_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine is left running when
// they end: no call, retry, wait or fake server may leave one behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
