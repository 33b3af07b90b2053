package folder

import (
	"context"
	"sync"
)

// work runs produce in a goroutine of its own, and fn on every item it
// sends with n goroutines (at least one). The first error, of produce or
// of fn, ends the rest: their context is cancelled with it, and work
// returns it once they have returned. When ctx ends, work returns its
// cause. send reports false once the work is ending: produce should
// return then.
func work[T any](ctx context.Context, n int, produce func(ctx context.Context, send func(T) bool) error, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan T)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(ch)
		send := func(item T) bool {
			select {
			case ch <- item:
				return true
			case <-ctx.Done():
				return false
			}
		}
		if err := produce(ctx, send); err != nil {
			cancel(err)
		}
	})
	for range max(n, 1) {
		wg.Go(func() {
			for item := range ch {
				if ctx.Err() != nil {
					continue // drain: the producer may be sending
				}
				if err := fn(ctx, item); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// each is a producer of the items of list, in order.
func each[T any](list []T) func(context.Context, func(T) bool) error {
	return func(_ context.Context, send func(T) bool) error {
		for _, item := range list {
			if !send(item) {
				return nil
			}
		}
		return nil
	}
}
