package sinks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
	"time"
)

func TestBudgetBlocksUntilReleased(t *testing.T) {
	b := NewBudget(3 * chunkSize)
	ctx := context.Background()
	r1, err := b.reserve(ctx, 2*chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *reservation)
	go func() {
		r, err := b.reserve(ctx, 2*chunkSize)
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("a reservation beyond the budget did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	r1.chunk()
	r1.shrink() // gives back the chunk it did not take: now 1 of 3 used, 2 free
	r2 := <-got
	r2.release()
	r1.release()
	r1.release() // twice is harmless

	if _, err := b.reserve(ctx, 4*chunkSize); !errors.Is(err, ErrInvalid) {
		t.Fatalf("reservation larger than the budget = %v, want ErrInvalid", err)
	}
	full, _ := b.reserve(ctx, 3*chunkSize)
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := b.reserve(cctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reserve on a full budget = %v, want the context's error", err)
	}
	full.release()
}

func TestBudgetReusesChunks(t *testing.T) {
	b := NewBudget(8 * chunkSize)
	ctx := context.Background()
	cycle := func() {
		r, err := b.reserve(ctx, 8*chunkSize)
		if err != nil {
			t.Fatal(err)
		}
		for range 8 {
			r.chunk()
		}
		r.release()
	}
	cycle()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20 {
		cycle()
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > chunkSize {
		t.Fatalf("20 reserve/fill/release cycles allocated %d bytes: the chunks were not reused", n)
	}
}

func TestPartFillAndRead(t *testing.T) {
	src := make([]byte, 3*chunkSize+12345)
	for i := range src {
		src[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		name string
		r    func() io.Reader
	}{
		{"plain", func() io.Reader { return bytes.NewReader(src) }},
		{"one byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(src[:chunkSize+3])) }},
		{"data with EOF", func() io.Reader { return iotest.DataErrReader(bytes.NewReader(src)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := src
			if tc.name == "one byte at a time" {
				want = src[:chunkSize+3]
			}
			b := NewBudget(8 * chunkSize)
			r, _ := b.reserve(context.Background(), 2*chunkSize)
			p := &part{res: r}
			lr := &lookahead{r: tc.r()}
			if err := p.fill(lr, 2*chunkSize); err != nil {
				t.Fatal(err)
			}
			n := min(len(want), 2*chunkSize)
			if p.n != int64(n) {
				t.Fatalf("filled %d bytes, want %d", p.n, n)
			}
			more, err := lr.more()
			if err != nil || more != (len(want) > n) {
				t.Fatalf("more = %v, %v", more, err)
			}
			if err := iotest.TestReader(p.reader(), want[:n]); err != nil {
				t.Fatal(err)
			}
			// The rest of the body, after the byte read ahead, is intact.
			rest, err := io.ReadAll(lr)
			if err != nil || !bytes.Equal(rest, want[n:]) {
				t.Fatalf("rest: %d bytes, %v; want %d", len(rest), err, len(want)-n)
			}
			if lr.n != int64(len(want)) || lr.crc != crc32c(want) {
				t.Fatalf("lookahead counted %d bytes, crc %08x; want %d, %08x", lr.n, lr.crc, len(want), crc32c(want))
			}
			if p.crc != crc32c(want[:n]) {
				t.Fatalf("part crc %08x, want %08x", p.crc, crc32c(want[:n]))
			}
			r.release()
		})
	}
}

func TestLookaheadReadError(t *testing.T) {
	boom := errors.New("boom")
	lr := &lookahead{r: iotest.ErrReader(boom)}
	if _, err := lr.more(); !errors.Is(err, boom) {
		t.Fatalf("more = %v", err)
	}
	b := NewBudget(chunkSize)
	r, _ := b.reserve(context.Background(), chunkSize)
	p := &part{res: r}
	if err := p.fill(iotest.ErrReader(boom), chunkSize); !errors.Is(err, boom) {
		t.Fatalf("fill = %v", err)
	}
}
