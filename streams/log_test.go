package streams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// testClock is a clock that tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.UnixMilli(1_700_000_000_000)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testEntry returns the i'th entry of a fixed sequence that covers the cases of the format: explicit
// hash keys, empty data, empty and longest partition keys, the encrypted flag.
func testEntry(i int) Entry {
	e := Entry{PartitionKey: fmt.Appendf(nil, "pk-%d", i), Data: testPayload(i, (i*37)%300)}
	switch i % 7 {
	case 0:
		e.Data = nil
	case 1:
		e.Flags = FlagHashKey
		for j := range e.HashKey {
			e.HashKey[j] = byte(i + j)
		}
	case 2:
		e.PartitionKey = bytes.Repeat([]byte{byte('a' + i%26)}, frameMaxKey)
	case 3:
		e.Flags = FlagEncrypted | FlagHashKey
		e.HashKey[15] = byte(i)
	case 4:
		e.PartitionKey = nil
	}
	return e
}

func testPayload(seed, n int) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// sameEntry reports whether got holds what want was appended with.
func sameEntry(got, want Entry) bool {
	return got.Seq == want.Seq && got.Arrival == want.Arrival && got.Flags == want.Flags &&
		got.HashKey == want.HashKey && bytes.Equal(got.PartitionKey, want.PartitionKey) && bytes.Equal(got.Data, want.Data)
}

func openTestLog(t testing.TB, opts LogOptions) *Log {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	l, err := OpenLog(opts)
	if err != nil {
		t.Fatalf("OpenLog: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// mustAppend appends recs, waits until they are durable and returns them with Seq and Arrival.
func mustAppend(t testing.TB, l *Log, recs ...Entry) []Entry {
	t.Helper()
	recs = slices.Clone(recs)
	p, err := l.Append(recs)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := p.Wait(context.Background()); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return recs
}

// appendTestEntries appends testEntry(from) .. testEntry(to-1), one Append each.
func appendTestEntries(t testing.TB, l *Log, from, to int) []Entry {
	t.Helper()
	var out []Entry
	for i := from; i < to; i++ {
		out = append(out, mustAppend(t, l, testEntry(i))...)
	}
	return out
}

// readAll reads every entry from FirstSeq to NextSeq in small batches and returns copies.
func readAll(t testing.TB, l *Log) []Entry {
	t.Helper()
	entries, err := readAllErr(l, 7, 1000)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return entries
}

// readAllErr reads like readAll and stops at the first error.
func readAllErr(l *Log, maxRecords, maxBytes int) ([]Entry, error) {
	var out []Entry
	var buf []byte
	next := l.FirstSeq()
	for next < l.NextSeq() {
		var es []Entry
		var err error
		es, next, buf, err = l.Read(next, maxRecords, maxBytes, buf)
		for _, e := range es {
			e.PartitionKey = bytes.Clone(e.PartitionKey)
			e.Data = bytes.Clone(e.Data)
			out = append(out, e)
		}
		if err != nil {
			return out, err
		}
		if len(es) == 0 {
			return out, fmt.Errorf("Read at %d below NextSeq %d returned nothing", next, l.NextSeq())
		}
	}
	return out, nil
}

func checkEntries(t testing.TB, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !sameEntry(got[i], want[i]) {
			t.Fatalf("entry %d: got seq %d arrival %d flags %d key %q data %d bytes; want seq %d arrival %d flags %d key %q data %d bytes",
				i, got[i].Seq, got[i].Arrival, got[i].Flags, got[i].PartitionKey, len(got[i].Data),
				want[i].Seq, want[i].Arrival, want[i].Flags, want[i].PartitionKey, len(want[i].Data))
		}
	}
}

func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

func TestLogRoundTrip(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	l := openTestLog(t, LogOptions{Dir: dir, SegmentBytes: 16 << 10})

	var want []Entry
	for i := 0; i < 600; {
		n := 1 + i%5
		var batch []Entry
		for j := range n {
			batch = append(batch, testEntry(i+j))
		}
		want = append(want, mustAppend(t, l, batch...)...)
		i += n
	}
	big := Entry{PartitionKey: []byte("big"), Data: testPayload(1, frameMaxData), Flags: FlagHashKey}
	want = append(want, mustAppend(t, l, big)...)
	want = append(want, mustAppend(t, l, Entry{})...)
	for i, e := range want {
		if e.Seq != uint64(i) {
			t.Fatalf("entry %d got Seq %d", i, e.Seq)
		}
		if i > 0 && e.Arrival < want[i-1].Arrival {
			t.Fatalf("arrival went back at %d", i)
		}
	}
	if got := l.NextSeq(); got != uint64(len(want)) {
		t.Fatalf("NextSeq %d, want %d", got, len(want))
	}
	if got := l.LastArrival(); got != want[len(want)-1].Arrival {
		t.Fatalf("LastArrival %d, want %d", got, want[len(want)-1].Arrival)
	}
	checkEntries(t, readAll(t, l), want)
	if n := len(segmentFiles(t, dir)); n < 5 {
		t.Fatalf("%d segments, want several", n)
	}

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openTestLog(t, LogOptions{Dir: dir, SegmentBytes: 16 << 10})
	checkEntries(t, readAll(t, l), want)
	if got := l.LastArrival(); got != want[len(want)-1].Arrival {
		t.Fatalf("LastArrival after reopen %d, want %d", got, want[len(want)-1].Arrival)
	}
	want = append(want, mustAppend(t, l, testEntry(1000))...)
	if want[len(want)-1].Seq != uint64(len(want)-1) {
		t.Fatalf("Seq after reopen %d, want %d", want[len(want)-1].Seq, len(want)-1)
	}
	checkEntries(t, readAll(t, l), want)
}

func TestLogAppendRejectsBadEntries(t *testing.T) {
	checkLogGoroutines(t)
	l := openTestLog(t, LogOptions{})
	for _, e := range []Entry{
		{PartitionKey: make([]byte, frameMaxKey+1)},
		{Data: make([]byte, frameMaxData+1)},
		{Flags: 1 << 7},
	} {
		if _, err := l.Append([]Entry{testEntry(1), e}); err == nil {
			t.Errorf("Append(key %d, data %d, flags %d) succeeded", len(e.PartitionKey), len(e.Data), e.Flags)
		}
	}
	if _, err := l.Append([]Entry{{Data: make([]byte, frameMaxData+1)}}); !errors.Is(err, ErrEntryTooLarge) {
		t.Errorf("Append of too much data: %v, want ErrEntryTooLarge", err)
	}
	p, err := l.Append(nil)
	if err != nil || p.Wait(context.Background()) != nil {
		t.Errorf("empty Append: %v", err)
	}
	if got := mustAppend(t, l, testEntry(1)); got[0].Seq != 0 {
		t.Errorf("first accepted entry has Seq %d, want 0", got[0].Seq)
	}
}

func TestLogConcurrentAppenders(t *testing.T) {
	checkLogGoroutines(t)
	l := openTestLog(t, LogOptions{SegmentBytes: 64 << 10})
	const appenders, batches = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, appenders)
	for g := range appenders {
		wg.Go(func() {
			var last uint64
			for i := range batches {
				recs := make([]Entry, 1+i%3)
				for j := range recs {
					recs[j] = Entry{PartitionKey: fmt.Appendf(nil, "%d", g), Data: fmt.Appendf(nil, "%d-%d-%d", g, i, j)}
				}
				p, err := l.Append(recs)
				if err != nil {
					errs <- err
					return
				}
				for j, e := range recs {
					if (i > 0 || j > 0) && e.Seq <= last {
						errs <- fmt.Errorf("appender %d: seq %d after %d", g, e.Seq, last)
						return
					}
					last = e.Seq
				}
				if i%10 == 0 {
					if err := p.Wait(context.Background()); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openTestLog(t, LogOptions{Dir: l.dir})
	got := readAll(t, l)
	prev := map[string]int{} // appender -> 10*batch+entry of its last entry seen
	count := 0
	for i, e := range got {
		if e.Seq != uint64(i) {
			t.Fatalf("entry %d has Seq %d", i, e.Seq)
		}
		var g, b, j int
		if _, err := fmt.Sscanf(string(e.Data), "%d-%d-%d", &g, &b, &j); err != nil {
			t.Fatal(err)
		}
		key := string(e.PartitionKey)
		cur := b*10 + j
		if p, ok := prev[key]; ok && cur <= p {
			t.Fatalf("appender %s: entry %d-%d out of order", key, b, j)
		}
		prev[key] = cur
		count++
	}
	want := 0
	for i := range batches {
		want += 1 + i%3
	}
	if count != appenders*want {
		t.Fatalf("%d entries, want %d", count, appenders*want)
	}
}

func TestLogRollBySize(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	l := openTestLog(t, LogOptions{Dir: dir, SegmentBytes: 2000})
	var want []Entry
	for i := range 100 {
		want = append(want, mustAppend(t, l, Entry{PartitionKey: []byte("k"), Data: testPayload(i, 100)})...)
	}
	files := segmentFiles(t, dir)
	if len(files) < 5 {
		t.Fatalf("%d segments, want at least 5", len(files))
	}
	var next uint64 // each frame is 128 bytes
	for i, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 2000 {
			t.Errorf("%s: %d bytes, more than SegmentBytes", f, fi.Size())
		}
		if first, _ := parseSegmentName(filepath.Base(f)); first != next {
			t.Errorf("%s: first seq %d, want %d", f, first, next)
		}
		next += uint64((fi.Size() - segHeaderSize) / (frameHeaderSize + 1 + 100))
		if i < len(files)-1 {
			if _, err := os.Stat(indexPath(f)); err != nil {
				t.Errorf("sealed segment without index: %v", err)
			}
		}
	}
	checkEntries(t, readAll(t, l), want)
	if size := l.Size(); size < 100*128 {
		t.Errorf("Size %d, want at least the frames' bytes", size)
	}
}

func TestLogRollByAge(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	clock := newTestClock()
	l := openTestLog(t, LogOptions{Dir: dir, SegmentAge: time.Minute, Now: clock.Now})
	mustAppend(t, l, testEntry(0))
	clock.Advance(30 * time.Second)
	mustAppend(t, l, testEntry(1))
	if n := len(segmentFiles(t, dir)); n != 1 {
		t.Fatalf("%d segments before SegmentAge, want 1", n)
	}
	clock.Advance(30 * time.Second)
	mustAppend(t, l, testEntry(2))
	files := segmentFiles(t, dir)
	if len(files) != 2 || filepath.Base(files[1]) != segmentName(2) {
		t.Fatalf("segments %v, want a second one starting at seq 2", files)
	}
	clock.Advance(59 * time.Second)
	mustAppend(t, l, testEntry(3))
	if n := len(segmentFiles(t, dir)); n != 2 {
		t.Fatalf("%d segments, want 2", n)
	}
}

func TestLogReopenWithoutClose(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	l := openTestLog(t, LogOptions{Dir: dir, SegmentBytes: 4096})
	want := appendTestEntries(t, l, 0, 80)

	// Every acknowledged entry is on disk while the log is still open: a copy of the directory is
	// what a crash of the process would leave. Add the torn start of a frame the crash cut.
	crashed := t.TempDir()
	copyDir(t, dir, crashed)
	files := segmentFiles(t, crashed)
	last := files[len(files)-1]
	torn := appendFrame(nil, &Entry{Seq: 80, Data: []byte("lost")})
	f, err := os.OpenFile(last, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(torn[:len(torn)-2])
	f.Close()

	l2 := openTestLog(t, LogOptions{Dir: crashed, SegmentBytes: 4096})
	checkEntries(t, readAll(t, l2), want)
	want = append(want, mustAppend(t, l2, testEntry(80))...)
	if want[80].Seq != 80 {
		t.Fatalf("seq after recovery %d, want 80", want[80].Seq)
	}
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
	l2 = openTestLog(t, LogOptions{Dir: crashed})
	checkEntries(t, readAll(t, l2), want)
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range ents {
		b, err := os.ReadFile(filepath.Join(from, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, de.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLogTrim(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	clock := newTestClock()
	opts := LogOptions{Dir: dir, SegmentBytes: 2048, Now: clock.Now}
	l := openTestLog(t, opts)
	var want []Entry
	for i := range 100 {
		want = append(want, mustAppend(t, l, testEntry(i))...)
		clock.Advance(time.Second)
	}
	segsBefore := segmentFiles(t, dir)
	sizeBefore := l.Size()

	// Nothing is older than the first entry.
	if err := l.Trim(want[0].Arrival); err != nil {
		t.Fatal(err)
	}
	if l.FirstSeq() != 0 || len(segmentFiles(t, dir)) != len(segsBefore) {
		t.Fatal("Trim before the first entry removed something")
	}

	cut := 37
	if err := l.Trim(want[cut].Arrival); err != nil {
		t.Fatal(err)
	}
	if got := l.FirstSeq(); got != uint64(cut) {
		t.Fatalf("FirstSeq %d, want %d", got, cut)
	}
	checkEntries(t, readAll(t, l), want[cut:])
	es, next, _, err := l.Read(0, 1, 1<<20, nil)
	if err != nil || len(es) != 1 || es[0].Seq != uint64(cut) || next != uint64(cut+1) {
		t.Fatalf("Read(0) after Trim: %d entries, next %d, %v", len(es), next, err)
	}
	segs := segmentFiles(t, dir)
	if len(segs) >= len(segsBefore) {
		t.Fatalf("Trim deleted no segment: %d before, %d after", len(segsBefore), len(segs))
	}
	first, _ := parseSegmentName(filepath.Base(segs[0]))
	if first > uint64(cut) {
		t.Fatalf("Trim deleted the segment holding %d (oldest left starts at %d)", cut, first)
	}
	if _, err := os.Stat(indexPath(segsBefore[0])); !os.IsNotExist(err) {
		t.Fatalf("index of a deleted segment is left: %v", err)
	}
	if l.Size() >= sizeBefore {
		t.Fatalf("Size %d not below %d after Trim", l.Size(), sizeBefore)
	}

	// FirstSeq survives a restart, whether or not Trim is called again.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openTestLog(t, opts)
	if got := l.FirstSeq(); got != uint64(cut) {
		t.Fatalf("FirstSeq after reopen %d, want %d", got, cut)
	}
	checkEntries(t, readAll(t, l), want[cut:])

	// Trimming everything rolls the active segment so that it can go too, and Seqs go on.
	clock.Advance(time.Hour)
	if err := l.Trim(clock.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if l.FirstSeq() != 100 || l.NextSeq() != 100 {
		t.Fatalf("after trimming all: FirstSeq %d NextSeq %d, want 100 100", l.FirstSeq(), l.NextSeq())
	}
	if segs := segmentFiles(t, dir); len(segs) != 1 || filepath.Base(segs[0]) != segmentName(100) {
		t.Fatalf("segments after trimming all: %v", segs)
	}
	if es, next, _, err := l.Read(0, 100, 1<<20, nil); len(es) != 0 || next != 100 || err != nil {
		t.Fatalf("Read of an empty log: %d entries, next %d, %v", len(es), next, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openTestLog(t, opts)
	if l.FirstSeq() != 100 || l.NextSeq() != 100 {
		t.Fatalf("after reopen: FirstSeq %d NextSeq %d, want 100 100", l.FirstSeq(), l.NextSeq())
	}
	got := mustAppend(t, l, testEntry(100))
	if got[0].Seq != 100 {
		t.Fatalf("Seq after trimming all %d, want 100", got[0].Seq)
	}
	checkEntries(t, readAll(t, l), got)
}

func TestLogChangedSealClose(t *testing.T) {
	checkLogGoroutines(t)
	l := openTestLog(t, LogOptions{})
	ch := l.Changed()
	select {
	case <-ch:
		t.Fatal("Changed closed before any change")
	default:
	}
	p, err := l.Append([]Entry{testEntry(0)})
	if err != nil {
		t.Fatal(err)
	}
	<-ch // closed when the entry commits
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l.NextSeq() != 1 {
		t.Fatalf("NextSeq %d after Changed, want 1", l.NextSeq())
	}

	ch = l.Changed()
	if next := l.Seal(); next != 1 {
		t.Fatalf("Seal returned %d, want 1", next)
	}
	<-ch
	if _, err := l.Append([]Entry{testEntry(1)}); !errors.Is(err, ErrSealed) {
		t.Fatalf("Append after Seal: %v, want ErrSealed", err)
	}
	if next := l.Seal(); next != 1 {
		t.Fatalf("second Seal returned %d, want 1", next)
	}

	ch = l.Changed()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	<-ch
	<-l.Changed()
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := l.Append([]Entry{testEntry(1)}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v, want ErrClosed", err)
	}
	if _, _, _, err := l.Read(0, 1, 1, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close: %v, want ErrClosed", err)
	}
	if err := l.Trim(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Trim after Close: %v, want ErrClosed", err)
	}
}

func TestLogCloseCommitsQueued(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	l := openTestLog(t, LogOptions{Dir: dir})
	var pending []Pending
	var want []Entry
	for i := range 50 {
		recs := []Entry{testEntry(i)}
		p, err := l.Append(recs)
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, p)
		want = append(want, recs...)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	l = openTestLog(t, LogOptions{Dir: dir})
	checkEntries(t, readAll(t, l), want)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := RemoveLog(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("log directory left: %v", err)
	}
}
