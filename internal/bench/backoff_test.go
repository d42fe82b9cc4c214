package bench

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := backoff{base: 10 * time.Millisecond, cap: 80 * time.Millisecond}
		ctx := context.Background()
		for i, ceiling := range []time.Duration{10, 20, 40, 80, 80, 80} {
			ceiling *= time.Millisecond
			start := time.Now()
			if err := b.wait(ctx); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d <= 0 || d > ceiling {
				t.Errorf("wait %d took %v, want (0, %v]", i, d, ceiling)
			}
		}
		b.reset()
		start := time.Now()
		_ = b.wait(ctx)
		if d := time.Since(start); d > 10*time.Millisecond {
			t.Errorf("after reset, wait took %v", d)
		}

		ctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(time.Millisecond, cancel)
		b = backoff{base: time.Hour, cap: time.Hour, attempt: 5}
		if err := b.wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("wait on a cancelled context: %v", err)
		}
	})
}
