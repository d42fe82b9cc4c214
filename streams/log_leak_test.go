package streams

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// checkLogGoroutines fails t if, once its cleanups have run, more goroutines of a shard log are alive
// than when it was called. Call it before opening logs, so that their Close cleanups run first.
func checkLogGoroutines(t testing.TB) {
	t.Helper()
	before := countLogGoroutines()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			n, stacks := countLogGoroutines(), ""
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				stacks = string(buf[:runtime.Stack(buf, true)])
				t.Errorf("%d shard log goroutines leaked (%d before, %d after):\n%s", n-before, before, n, stacks)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// countLogGoroutines counts the goroutines running a method of Log.
func countLogGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "streams.(*Log).") {
			count++
		}
	}
	return count
}

func TestLogGoroutineCheckCatchesLeak(t *testing.T) {
	before := countLogGoroutines()
	l, err := OpenLog(LogOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	waitLogGoroutines(before + 1)
	if got := countLogGoroutines(); got != before+1 {
		t.Errorf("with an open log: %d log goroutines, want %d", got, before+1)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// The flusher has signalled its exit when Close returns, but may still be on its way out.
	waitLogGoroutines(before)
	if got := countLogGoroutines(); got != before {
		t.Errorf("after Close: %d log goroutines, want %d", got, before)
	}
}

// waitLogGoroutines waits a little for the count of log goroutines to be n: a goroutine just started
// or just finished may not show yet.
func waitLogGoroutines(n int) {
	deadline := time.Now().Add(time.Second)
	for countLogGoroutines() != n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}
