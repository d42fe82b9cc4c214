package bench

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff waits exponentially longer, with full jitter, between attempts.
type backoff struct {
	base, cap time.Duration
	attempt   int
}

// wait sleeps before the next attempt, or returns ctx's error.
func (b *backoff) wait(ctx context.Context) error {
	d := min(b.cap, b.base<<min(b.attempt, 20))
	b.attempt++
	return sleep(ctx, rand.N(d)+1)
}

func (b *backoff) reset() { b.attempt = 0 }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
