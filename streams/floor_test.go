package streams

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// gatedFile holds writes while its gate is set, so that appends stay in flight.
type gatedFile struct {
	logFile
	gate *atomic.Pointer[chan struct{}]
}

func (f *gatedFile) WriteAt(b []byte, off int64) (int, error) {
	if g := f.gate.Load(); g != nil {
		<-*g
	}
	return f.logFile.WriteAt(b, off)
}

func TestTipFloor(t *testing.T) {
	c := newClock()
	l := openTestLog(t, LogOptions{Now: c.Now})
	t0 := c.Now().UnixMilli()
	steps := []struct {
		name          string
		do            func()
		tip           uint64
		floor         int64
		nextAtOrAfter int64 // the Arrival the next append must at least get
	}{
		{"empty log: the clock", func() {}, 0, t0, t0},
		{"after an append, the clock moves on", func() {
			mustAppend(t, l, Entry{Data: []byte("a")})
			c.Advance(time.Second)
		}, 1, t0 + 1000, t0 + 1000},
		{"clock went back: the floor holds", func() { c.Advance(-10 * time.Second) }, 1, t0 + 1000, t0 + 1000},
	}
	for _, s := range steps {
		s.do()
		tip, floor := l.Tip()
		if tip != s.tip || floor != s.floor {
			t.Fatalf("%s: tip %d floor %d, want %d %d", s.name, tip, floor, s.tip, s.floor)
		}
	}
	// The promise: whatever is appended from here on arrives at or after the floor.
	_, floor := l.Tip()
	got := mustAppend(t, l, Entry{Data: []byte("b")})
	if got[0].Arrival < floor {
		t.Fatalf("appended after the floor %d with Arrival %d", floor, got[0].Arrival)
	}
}

func TestTipFloorInFlight(t *testing.T) {
	c := newClock()
	var gate atomic.Pointer[chan struct{}]
	open := func(name string, flag int, perm os.FileMode) (logFile, error) {
		f, err := openOSFile(name, flag, perm)
		if err != nil {
			return nil, err
		}
		return &gatedFile{logFile: f, gate: &gate}, nil
	}
	l, err := openLog(LogOptions{Dir: t.TempDir(), Now: c.Now}, logHooks{openFile: open})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	mustAppend(t, l, Entry{Data: []byte("a")})
	first := c.Now().UnixMilli()

	// Hold the next write: the append is assigned but not committed.
	hold := make(chan struct{})
	gate.Store(&hold)
	c.Advance(5 * time.Second)
	p, err := l.Append([]Entry{{Data: []byte("b")}})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(5 * time.Second)
	tip, floor := l.Tip()
	if tip != 1 || floor != first {
		t.Fatalf("in flight: tip %d floor %d, want 1 %d (the committed arrival)", tip, floor, first)
	}
	gate.Store(nil)
	close(hold)
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	tip, floor = l.Tip()
	if want := c.Now().UnixMilli(); tip != 2 || floor != want {
		t.Fatalf("committed: tip %d floor %d, want 2 %d", tip, floor, want)
	}
}

func TestReadShardFloor(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1})
	const shard = "shardId-000000000000"
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("a")})
	c.Advance(3 * time.Second)
	b, _, err := s.ReadShard(sc, ref, shard, 0, 10, 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Tip != 1 || b.Floor != c.Now().UnixMilli() {
		t.Fatalf("batch tip %d floor %d, want 1 %d", b.Tip, b.Floor, c.Now().UnixMilli())
	}
	if b.Floor < b.Entries[0].Arrival {
		t.Fatalf("floor %d below the last arrival %d", b.Floor, b.Entries[0].Arrival)
	}
}

func TestTipFloorSealed(t *testing.T) {
	// A sealed log's floor stays at the seal: its children's records arrive from then on, and a reader
	// merging by arrival must not be told that nothing earlier can come.
	c := newClock()
	l := openTestLog(t, LogOptions{Now: c.Now})
	mustAppend(t, l, Entry{Data: []byte("a")})
	c.Advance(time.Second)
	sealed := c.Now().UnixMilli()
	l.Seal()
	c.Advance(time.Minute)
	if tip, floor := l.Tip(); tip != 1 || floor != sealed {
		t.Fatalf("sealed: tip %d floor %d, want 1 %d", tip, floor, sealed)
	}
}

func TestReadShardFloorClosedAfterRestart(t *testing.T) {
	// A closed shard's floor is its close time after a restart too, not the moment the store reopened
	// its log: the children's records arrived from the close on.
	c := newClock()
	dir := t.TempDir()
	s := openStore(t, dir, c)
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1})
	const parent = "shardId-000000000000"
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("a")})
	c.Advance(time.Second)
	closed := c.Now().UnixMilli()
	if err := s.SplitShard(sc, ref, parent, "85070591730234615865843651857942052864"); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	s.Close()
	s = openStore(t, dir, c)
	b, _, err := s.ReadShard(sc, ref, parent, 1, 10, 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !b.End || b.Floor != closed {
		t.Fatalf("after restart: end %v floor %d, want true %d (the close)", b.End, b.Floor, closed)
	}
}
