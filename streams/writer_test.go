package streams

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errInjected = errors.New("injected fault")

// faultFS makes the segment files of a log fail or stall on demand.
type faultFS struct {
	failWrite  atomic.Bool // WriteAt writes half and fails
	failSync   atomic.Bool // Sync fails (after passing the gate)
	gate       atomic.Pointer[chan struct{}]
	syncing    chan struct{} // gets a value as each Sync starts, if there is room
	beforeOpen atomic.Pointer[func(name string, flag int)]
}

func newFaultFS() *faultFS { return &faultFS{syncing: make(chan struct{}, 1000)} }

func (fs *faultFS) open(name string, flag int, perm os.FileMode) (logFile, error) {
	if fn := fs.beforeOpen.Load(); fn != nil {
		(*fn)(name, flag)
	}
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return faultFile{File: f, fs: fs}, nil
}

// hold makes every Sync wait until the returned function is called.
func (fs *faultFS) hold() (release func()) {
	ch := make(chan struct{})
	fs.gate.Store(&ch)
	var once sync.Once
	return func() {
		once.Do(func() {
			fs.gate.Store(nil)
			close(ch)
		})
	}
}

type faultFile struct {
	*os.File
	fs *faultFS
}

func (f faultFile) WriteAt(b []byte, off int64) (int, error) {
	if f.fs.failWrite.Load() {
		n, _ := f.File.WriteAt(b[:len(b)/2], off)
		return n, errInjected
	}
	return f.File.WriteAt(b, off)
}

func (f faultFile) Sync() error {
	select {
	case f.fs.syncing <- struct{}{}:
	default:
	}
	if g := f.fs.gate.Load(); g != nil {
		<-*g
	}
	if f.fs.failSync.Load() {
		return errInjected
	}
	return f.File.Sync()
}

func openFaultLog(t testing.TB, opts LogOptions) (*Log, *faultFS) {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	fs := newFaultFS()
	l, err := openLog(opts, logHooks{openFile: fs.open})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	// Forget the syncs of opening.
	for len(fs.syncing) > 0 {
		<-fs.syncing
	}
	return l, fs
}

func mustQueue(t testing.TB, l *Log, recs ...Entry) Pending {
	t.Helper()
	p, err := l.Append(recs)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return p
}

func TestGroupCommitSharesFsync(t *testing.T) {
	checkLogGoroutines(t)
	l, fs := openFaultLog(t, LogOptions{})
	release := fs.hold()
	defer release()

	first := mustQueue(t, l, testEntry(0))
	<-fs.syncing // the flusher has written entry 0 and waits in fsync
	var rest []Pending
	for i := 1; i <= 100; i++ {
		rest = append(rest, mustQueue(t, l, testEntry(i)))
	}
	if got := l.NextSeq(); got != 0 {
		t.Fatalf("NextSeq %d before the fsync finished, want 0", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := rest[0].Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait before the fsync: %v, want the context's error", err)
	}
	release()
	for _, p := range append(rest, first) {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := l.syncs.Load(); got != 2 {
		t.Fatalf("%d fsyncs for 101 appends queued behind one fsync, want 2", got)
	}
	if got := l.NextSeq(); got != 101 {
		t.Fatalf("NextSeq %d, want 101", got)
	}
}

func TestGroupCommitConcurrent(t *testing.T) {
	checkLogGoroutines(t)
	l := openTestLog(t, LogOptions{})
	const appenders, each = 16, 100
	var wg sync.WaitGroup
	for range appenders {
		wg.Go(func() {
			for i := range each {
				recs := []Entry{testEntry(i)}
				p, err := l.Append(recs)
				if err != nil {
					t.Error(err)
					return
				}
				if err := p.Wait(context.Background()); err != nil {
					t.Error(err)
					return
				}
				// Acknowledged means committed: readable.
				if l.NextSeq() <= recs[0].Seq {
					t.Errorf("Wait returned before entry %d was committed", recs[0].Seq)
					return
				}
			}
		})
	}
	wg.Wait()
	syncs := l.syncs.Load()
	t.Logf("%d appends, %d fsyncs", appenders*each, syncs)
	if syncs >= appenders*each {
		t.Fatalf("%d fsyncs for %d concurrent appends: no group commit", syncs, appenders*each)
	}
}

func TestBackpressure(t *testing.T) {
	checkLogGoroutines(t)
	l, fs := openFaultLog(t, LogOptions{MaxPending: 4096})
	release := fs.hold()
	defer release()

	big := Entry{Data: make([]byte, 1500)}
	mustQueue(t, l, big) // being written: counts until it is committed
	<-fs.syncing
	mustQueue(t, l, big)
	blocked := make(chan error, 1)
	go func() {
		_, err := l.Append([]Entry{big}) // would make 4.5 KiB queued
		blocked <- err
	}()
	select {
	case err := <-blocked:
		t.Fatalf("Append past MaxPending returned (%v) instead of blocking", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}

	// A batch larger than MaxPending goes through when nothing else is queued.
	mustAppend(t, l, Entry{Data: make([]byte, 10000)})
}

func TestBackpressureUnblockedByClose(t *testing.T) {
	checkLogGoroutines(t)
	l, fs := openFaultLog(t, LogOptions{MaxPending: 4096})
	release := fs.hold()
	big := Entry{Data: make([]byte, 3000)}
	p := mustQueue(t, l, big)
	<-fs.syncing
	blocked := make(chan error, 1)
	go func() {
		_, err := l.Append([]Entry{big})
		blocked <- err
	}()
	closed := make(chan error, 1)
	go func() { closed <- l.Close() }()
	for closing := false; !closing; {
		time.Sleep(time.Millisecond)
		l.mu.Lock()
		closing = l.mu.closing
		l.mu.Unlock()
	}
	release()
	if err := <-blocked; !errors.Is(err, ErrClosed) {
		t.Fatalf("blocked Append when closed: %v, want ErrClosed", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(context.Background()); err != nil {
		t.Fatalf("queued append after Close: %v", err)
	}
}

func TestStickyWriteError(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	l, fs := openFaultLog(t, LogOptions{Dir: dir})
	want := mustAppend(t, l, testEntry(0), testEntry(1))

	fs.failWrite.Store(true)
	p := mustQueue(t, l, testEntry(2))
	if err := p.Wait(context.Background()); !errors.Is(err, errInjected) {
		t.Fatalf("Wait after a failed write: %v, want the write error", err)
	}
	fs.failWrite.Store(false)
	for range 3 {
		if _, err := l.Append([]Entry{testEntry(3)}); !errors.Is(err, errInjected) {
			t.Fatalf("Append after a failed write: %v, want the write error", err)
		}
	}
	if err := l.Trim(0); !errors.Is(err, errInjected) && err != nil {
		t.Fatalf("Trim: %v", err)
	}
	checkEntries(t, readAll(t, l), want)
	if err := l.Close(); !errors.Is(err, errInjected) {
		t.Fatalf("Close after a failed write: %v, want the write error", err)
	}

	// The half-written frame is a torn tail.
	l = openTestLog(t, LogOptions{Dir: dir})
	checkEntries(t, readAll(t, l), want)
	if got := mustAppend(t, l, testEntry(5)); got[0].Seq != 2 {
		t.Fatalf("Seq after recovery %d, want 2", got[0].Seq)
	}
}

func TestStickySyncError(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	l, fs := openFaultLog(t, LogOptions{Dir: dir})
	mustAppend(t, l, testEntry(0))

	release := fs.hold()
	first := mustQueue(t, l, testEntry(1))
	<-fs.syncing
	queued := []Pending{mustQueue(t, l, testEntry(2)), mustQueue(t, l, testEntry(3))}
	fs.failSync.Store(true)
	release()
	for i, p := range append(queued, first) {
		if err := p.Wait(context.Background()); !errors.Is(err, errInjected) {
			t.Fatalf("waiter %d after a failed fsync: %v, want the fsync error", i, err)
		}
	}
	if _, err := l.Append([]Entry{testEntry(4)}); !errors.Is(err, errInjected) {
		t.Fatalf("Append after a failed fsync: %v, want the fsync error", err)
	}
	if got := l.NextSeq(); got != 1 {
		t.Fatalf("NextSeq %d, want 1: an entry whose fsync failed is not committed", got)
	}
	if err := l.Close(); !errors.Is(err, errInjected) {
		t.Fatalf("Close: %v, want the fsync error", err)
	}
}

func TestSyncInterval(t *testing.T) {
	checkLogGoroutines(t)
	dir := t.TempDir()
	// The ticker does not fire during the test: appends are acknowledged after write(2) alone.
	l := openTestLog(t, LogOptions{Dir: dir, Sync: SyncInterval, SyncInterval: time.Hour})
	var want []Entry
	for i := range 20 {
		want = append(want, mustAppend(t, l, testEntry(i))...)
	}
	if got := l.syncs.Load(); got != 0 {
		t.Fatalf("%d fsyncs with SyncInterval of an hour, want 0", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := l.syncs.Load(); got != 1 {
		t.Fatalf("%d fsyncs at Close, want 1", got)
	}
	l = openTestLog(t, LogOptions{Dir: dir, Sync: SyncInterval, SyncInterval: 5 * time.Millisecond})
	checkEntries(t, readAll(t, l), want)

	// The ticker fsyncs what was written.
	mustAppend(t, l, testEntry(20))
	deadline := time.Now().Add(10 * time.Second)
	for l.syncs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if l.syncs.Load() == 0 {
		t.Fatal("no fsync on the ticker")
	}
}

func TestStickySyncErrorInterval(t *testing.T) {
	checkLogGoroutines(t)
	l, fs := openFaultLog(t, LogOptions{Sync: SyncInterval, SyncInterval: time.Millisecond})
	mustAppend(t, l, testEntry(0))
	fs.failSync.Store(true)
	// Entry 1 is acknowledged after its write and its fsync fails later, unless the 1 ms ticker's
	// failing fsync (of entry 0) comes first: then its append already gets the sticky error.
	if p, err := l.Append([]Entry{testEntry(1)}); err == nil {
		if err := p.Wait(context.Background()); err != nil && !errors.Is(err, errInjected) {
			t.Fatalf("Wait: %v, want nil or the fsync error", err)
		}
	} else if !errors.Is(err, errInjected) {
		t.Fatalf("Append: %v, want nil or the fsync error", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := l.Append([]Entry{testEntry(2)})
		if errors.Is(err, errInjected) {
			break
		}
		if err != nil {
			t.Fatalf("Append: %v, want nil or the fsync error", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the ticker's failed fsync did not stop the log")
		}
		time.Sleep(time.Millisecond)
	}
	if err := l.Close(); !errors.Is(err, errInjected) {
		t.Fatalf("Close: %v, want the fsync error", err)
	}
}
