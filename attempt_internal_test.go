package indexingjobs

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// afterFuncer is what the context package looks for on a parent that is
// not one of its own: net/http then derives a request's context from the
// attempt's without a children map (attempt.go, try).
type afterFuncer interface {
	AfterFunc(func()) func() bool
}

func ended(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-time.After(5 * time.Second):
		return false
	}
}

// TestAnAttemptEndsWhatIsDerivedFromIt: net/http's transport derives the
// request's context from the attempt's; ending the attempt (its timeout,
// too many sends) must end that context, before or after it is derived,
// and the attempt keeps the cause it ended for.
func TestAnAttemptEndsWhatIsDerivedFromIt(t *testing.T) {
	var tr any = &try{}
	_, ok := tr.(afterFuncer)
	require.True(t, ok, "the attempt's context has no AfterFunc: the context package would take each request's context into a map")

	cause := errors.New("the attempt timed out after 1s")
	a := &try{Context: context.Background()}
	derived, cancel := context.WithCancelCause(a)
	defer cancel(nil)
	second, cancel2 := context.WithCancel(a) // a redirect's, or a caller transport's second send
	defer cancel2()
	assert.NoError(t, a.Err())
	assert.NoError(t, derived.Err())

	a.stop(cause)
	require.True(t, ended(derived), "the request's context outlived its attempt")
	require.True(t, ended(second))
	require.True(t, ended(a))
	assert.ErrorIs(t, derived.Err(), context.Canceled)
	assert.ErrorIs(t, a.Err(), context.Canceled)
	assert.Equal(t, cause, a.why())

	a.stop(errResent) // the first end counts
	assert.Equal(t, cause, a.why())

	late, cancel3 := context.WithCancel(a)
	defer cancel3()
	assert.True(t, ended(late), "a context derived from an ended attempt is ended")
}

// TestAnAttemptEndsWithTheCallersContext: the caller's context ending ends
// the attempt with its error, its values reach the transport, and an
// attempt that finished no longer follows it.
func TestAnAttemptEndsWithTheCallersContext(t *testing.T) {
	type key struct{}
	caller, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), 50*time.Millisecond)
	defer cancel()
	a := newTry(caller)
	derived, cancel2 := context.WithCancel(a)
	defer cancel2()
	require.True(t, ended(derived))
	assert.ErrorIs(t, a.Err(), context.DeadlineExceeded)
	assert.ErrorIs(t, a.why(), context.DeadlineExceeded)
	assert.Equal(t, "v", a.Value(key{}))
	assert.Same(t, a, a.Value(tryKey{}))

}

// TestFinishedAttemptsLeaveNothingOnTheCallersContext: a program that
// makes every call with one long-lived context (a server's, a signal's)
// does not keep a registration on it for each attempt made.
func TestFinishedAttemptsLeaveNothingOnTheCallersContext(t *testing.T) {
	caller, cancel := context.WithCancel(context.Background())
	defer cancel()
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for range 20000 {
		newTry(caller).finish()
	}
	grew := int64(heap()) - int64(before)
	assert.Less(t, grew, int64(1<<20), "20,000 finished attempts left %d bytes on the caller's context", grew)
}
