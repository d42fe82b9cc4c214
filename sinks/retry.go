package sinks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff is how a sink waits between attempts while its destination is down: exponentially longer
// from Base up to Max, each wait drawn at random up to that bound ("full jitter"), so that many
// Puts waiting on one destination do not come back in step. Attempts go on until ctx ends.
type Backoff struct {
	Base time.Duration // first bound; default 100 ms
	Max  time.Duration // largest bound; default 10 s

	// OnRetry, if set, is called before each wait with the operation ("put part 3", "link"), the
	// error that will be retried, and the wait. It must not block.
	OnRetry func(op string, err error, wait time.Duration)
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = 100 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 10 * time.Second
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	return b
}

// wait returns the wait before retry number attempt (0 for the first retry).
func (b Backoff) wait(attempt int) time.Duration {
	bound := b.Max
	if attempt < 30 && b.Base<<attempt < b.Max {
		bound = b.Base << attempt
	}
	return rand.N(bound) + 1
}

// retry runs op until it succeeds, fails in a way classify calls permanent, or ctx ends. When ctx
// ends while op was failing, the error matches both ErrUnavailable and ctx's error, and carries the
// last attempt's.
func retry(ctx context.Context, b Backoff, name string, classify func(error) (kind error, retriable bool), op func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			if attempt == 0 && errors.Is(err, ctx.Err()) {
				return err
			}
			return unavailable(ctx, err)
		}
		if _, ok := classify(err); !ok {
			return err
		}
		d := b.wait(attempt)
		if b.OnRetry != nil {
			b.OnRetry(name, err, d)
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return unavailable(ctx, err)
		}
	}
}

func unavailable(ctx context.Context, last error) error {
	return withKind(ErrUnavailable, fmt.Errorf("%w; last attempt: %w", ctx.Err(), last))
}
