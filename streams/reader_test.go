package streams

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// filledLog returns a log of n test entries over many segments, the clock moving by step between
// appends of batches of up to 4 entries, and the entries.
func filledLog(t testing.TB, n int, step time.Duration) (*Log, []Entry) {
	t.Helper()
	clock := newTestClock()
	l := openTestLog(t, LogOptions{SegmentBytes: 8 << 10, Now: clock.Now})
	var want []Entry
	for i := 0; i < n; {
		k := min(1+i%4, n-i)
		var batch []Entry
		for j := range k {
			batch = append(batch, testEntry(i+j))
		}
		want = append(want, mustAppend(t, l, batch...)...)
		i += k
		clock.Advance(step)
	}
	return l, want
}

func TestReadAtArbitraryPositions(t *testing.T) {
	checkLogGoroutines(t)
	l, want := filledLog(t, 1500, time.Millisecond)
	if n := len(l.mu.segs); n < 10 {
		t.Fatalf("%d segments, want many", n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	for range 500 {
		from := rng.IntN(len(want) + 5)
		maxRecords := 1 + rng.IntN(300)
		maxBytes := rng.IntN(20000)
		var got []Entry
		var next uint64
		var err error
		got, next, buf, err = l.Read(uint64(from), maxRecords, maxBytes, buf)
		if err != nil {
			t.Fatal(err)
		}
		if from >= len(want) {
			if len(got) != 0 || next != uint64(from) {
				t.Fatalf("Read(%d) past the end: %d entries, next %d", from, len(got), next)
			}
			continue
		}
		// The expected batch: as many as fit, but at least one.
		n, bytes := 0, 0
		for from+n < len(want) && n < maxRecords {
			size := len(want[from+n].PartitionKey) + len(want[from+n].Data)
			if n > 0 && bytes+size > maxBytes {
				break
			}
			bytes += size
			n++
		}
		checkEntries(t, got, want[from:from+n])
		if next != uint64(from+n) {
			t.Fatalf("Read(%d, %d, %d): next %d, want %d", from, maxRecords, maxBytes, next, from+n)
		}
	}
}

func TestReadLargeBatch(t *testing.T) {
	checkLogGoroutines(t)
	l, want := filledLog(t, 3000, time.Millisecond)
	got, next, _, err := l.Read(0, 10000, 10<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, got, want)
	if next != uint64(len(want)) {
		t.Fatalf("next %d, want %d", next, len(want))
	}
}

func TestReadOversizedFirstEntry(t *testing.T) {
	checkLogGoroutines(t)
	l := openTestLog(t, LogOptions{})
	want := mustAppend(t, l, Entry{Data: testPayload(1, 3<<20)}, Entry{Data: testPayload(2, 10)})
	small := make([]byte, 0, 100)
	got, next, buf, err := l.Read(0, 10, 1000, small)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, got, want[:1])
	if next != 1 || cap(buf) < 3<<20 {
		t.Fatalf("next %d, buffer %d bytes", next, cap(buf))
	}
	got, next, _, err = l.Read(next, 10, 1000, buf)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, got, want[1:])
	if next != 2 {
		t.Fatalf("next %d, want 2", next)
	}
}

func TestSeekTime(t *testing.T) {
	checkLogGoroutines(t)
	l, want := filledLog(t, 2000, 3*time.Millisecond)
	first, last := want[0].Arrival, want[len(want)-1].Arrival
	check := func(ms int64) {
		t.Helper()
		expect := uint64(len(want))
		for i, e := range want {
			if e.Arrival >= ms {
				expect = uint64(i)
				break
			}
		}
		if got := l.SeekTime(ms); got != expect {
			t.Fatalf("SeekTime(%d) = %d, want %d", ms, got, expect)
		}
	}
	for ms := first - 5; ms <= last+5; ms++ {
		check(ms)
	}
	check(0)
	check(-1 << 62)
	check(1 << 62)

	if err := l.Trim(want[500].Arrival); err != nil {
		t.Fatal(err)
	}
	trimmed := uint64(500)
	for trimmed > 0 && want[trimmed-1].Arrival == want[500].Arrival {
		trimmed--
	}
	if got := l.FirstSeq(); got != trimmed {
		t.Fatalf("FirstSeq after Trim = %d, want %d", got, trimmed)
	}
	if got := l.SeekTime(first); got != trimmed {
		t.Fatalf("SeekTime before FirstSeq = %d, want %d", got, trimmed)
	}
	check(want[1000].Arrival)
}

func TestSeekTimeEmptyLog(t *testing.T) {
	checkLogGoroutines(t)
	l := openTestLog(t, LogOptions{})
	for _, ms := range []int64{-1, 0, 1, time.Now().UnixMilli()} {
		if got := l.SeekTime(ms); got != 0 {
			t.Fatalf("SeekTime(%d) on an empty log = %d", ms, got)
		}
	}
}

func TestReadWhileTrimming(t *testing.T) {
	checkLogGoroutines(t)
	l, want := filledLog(t, 3000, time.Millisecond)
	done := make(chan struct{})
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Go(func() {
			var buf []byte
			next := uint64(0)
			for {
				select {
				case <-done:
					return
				default:
				}
				var es []Entry
				var err error
				es, next, buf, err = l.Read(next, 50+r*100, 1<<20, buf)
				if err != nil {
					errs <- err
					return
				}
				for i, e := range es {
					if !sameEntry(e, want[e.Seq]) {
						errs <- fmt.Errorf("reader %d: entry %d differs", r, e.Seq)
						return
					}
					if i > 0 && e.Seq != es[i-1].Seq+1 {
						errs <- fmt.Errorf("reader %d: batch jumps from %d to %d", r, es[i-1].Seq, e.Seq)
						return
					}
				}
				if next >= uint64(len(want)) {
					next = 0 // starts again at FirstSeq
				}
			}
		})
	}
	for i := 0; i < len(want); i += 97 {
		if err := l.Trim(want[i].Arrival); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestSealedSegmentsHoldNoFile(t *testing.T) {
	checkLogGoroutines(t)
	before := openFDs()
	if before < 0 {
		t.Skip("cannot count open files here")
	}
	l, want := filledLog(t, 2000, time.Millisecond)
	if n := len(l.mu.segs); n < 20 {
		t.Fatalf("%d segments, want many", n)
	}
	checkEntries(t, readAll(t, l), want)
	if got := openFDs() - before; got > 2 {
		t.Fatalf("%d files open for a log of %d segments", got, len(l.mu.segs))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := openFDs() - before; got != 0 {
		t.Fatalf("%d files open after Close", got)
	}
}

// TestReadSegmentTrimmedBeforeOpen has Trim delete the segment a Read has chosen before the Read opens
// it: the Read goes on from the new FirstSeq.
func TestReadSegmentTrimmedBeforeOpen(t *testing.T) {
	checkLogGoroutines(t)
	clock := newTestClock()
	l, fs := openFaultLog(t, LogOptions{SegmentBytes: 2048, Now: clock.Now})
	var want []Entry
	for i := range 100 {
		want = append(want, mustAppend(t, l, testEntry(i))...)
		clock.Advance(time.Second)
	}
	var once sync.Once
	trimmed := false
	hook := func(name string, flag int) {
		if flag == os.O_RDONLY && strings.HasSuffix(name, segmentName(0)) {
			once.Do(func() {
				if err := l.Trim(want[50].Arrival); err != nil {
					t.Error(err)
				}
				trimmed = true
			})
		}
	}
	fs.beforeOpen.Store(&hook)
	got, next, _, err := l.Read(0, 10, 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !trimmed {
		t.Fatal("the Read did not open the first segment")
	}
	checkEntries(t, got, want[50:60])
	if next != 60 {
		t.Fatalf("next %d, want 60", next)
	}
}
