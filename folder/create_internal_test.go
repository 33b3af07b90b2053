package folder

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParallelIsBounded: a Parallel far beyond what uploads gain from (a
// careless --parallel 1000000) is MaxParallel: work starts a goroutine
// for each, which at a million is gigabytes of stacks before the first
// upload; ≤ 0 is the default.
func TestParallelIsBounded(t *testing.T) {
	for give, want := range map[int]int{-1: DefaultParallel, 0: DefaultParallel, 1: 1, MaxParallel: MaxParallel, MaxParallel + 1: MaxParallel, 1_000_000: MaxParallel} {
		assert.Equal(t, want, (&RunOptions{Parallel: give}).parallel(), "Parallel %d", give)
	}
}
