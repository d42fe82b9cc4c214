package buffer

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func cut(id uint64, shard int, from, to uint64) Cut {
	return Cut{ID: id, Oldest: int64(1_763_800_000_000 + id), Ranges: []Range{{Shard: shard, From: from, To: to}}}
}

func openJournal(t *testing.T, path string) *Journal {
	t.Helper()
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func TestJournalReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cuts.log")
	j := openJournal(t, path)
	if _, ok := j.Cursor(0); ok || j.NextID() != 1 {
		t.Fatal("fresh journal has a cursor")
	}
	for i := uint64(1); i <= 5; i++ {
		if err := j.Plan(cut(i, 0, (i-1)*10, i*10)); err != nil {
			t.Fatal(err)
		}
	}
	j.Delivered(1)
	j.Delivered(2)
	j.Delivered(4)
	if err := j.Plan(cut(3, 0, 0, 1)); err == nil {
		t.Fatal("planned a cut id that is not increasing")
	}
	j.Close()

	j2 := openJournal(t, path)
	var ids []uint64
	for _, c := range j2.Pending() {
		ids = append(ids, c.ID)
	}
	if !reflect.DeepEqual(ids, []uint64{3, 5}) {
		t.Fatalf("pending %v, want [3 5]", ids)
	}
	if pos, ok := j2.Cursor(0); !ok || pos != 50 || j2.NextID() != 6 {
		t.Fatalf("cursor %d %v, next id %d", pos, ok, j2.NextID())
	}
}

// TestJournalRecoveryTable applies one kind of damage per row and states what survives.
func TestJournalRecoveryTable(t *testing.T) {
	build := func(t *testing.T) (string, []int64) {
		path := filepath.Join(t.TempDir(), "cuts.log")
		j, err := OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		var ends []int64
		for i := uint64(1); i <= 4; i++ {
			j.Plan(cut(i, 1, i*100, i*100+50))
			fi, _ := os.Stat(path)
			ends = append(ends, fi.Size())
		}
		j.Close()
		return path, ends
	}
	for _, tc := range []struct {
		name    string
		damage  func(b []byte, ends []int64) []byte
		planned int // cuts that survive
		corrupt bool
	}{
		{"intact", func(b []byte, _ []int64) []byte { return b }, 4, false},
		{"torn last frame", func(b []byte, e []int64) []byte { return b[:e[3]-5] }, 3, false},
		{"torn length field", func(b []byte, e []int64) []byte { return b[:e[2]+2] }, 3, false},
		{"zero-filled tail", func(b []byte, _ []int64) []byte { return append(b, make([]byte, 4096)...) }, 4, false},
		{"bad CRC in last frame", func(b []byte, e []int64) []byte { b[e[3]-1] ^= 0xff; return b }, 3, false},
		{"bad CRC in the middle", func(b []byte, e []int64) []byte { b[e[1]-1] ^= 0xff; return b }, 0, true},
		{"bad length in the middle", func(b []byte, e []int64) []byte { b[e[0]] = 0xff; return b }, 0, true},
		{"empty file", func([]byte, []int64) []byte { return nil }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, ends := build(t)
			b, _ := os.ReadFile(path)
			os.WriteFile(path, tc.damage(b, ends), 0o644)
			j, err := OpenJournal(path)
			var je *JournalError
			if tc.corrupt {
				if !errors.As(err, &je) {
					t.Fatalf("got %v, want *JournalError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			if got := len(j.Pending()); got != tc.planned {
				t.Fatalf("%d cuts survive, want %d", got, tc.planned)
			}
			// The journal takes new cuts after repair, and they survive a reopen.
			if err := j.Plan(cut(10, 1, 0, 1)); err != nil {
				t.Fatal(err)
			}
			j.Close()
			j2 := openJournal(t, path)
			if got := len(j2.Pending()); got != tc.planned+1 {
				t.Fatalf("after repair and a new cut: %d pending, want %d", got, tc.planned+1)
			}
		})
	}
}

func TestJournalCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cuts.log")
	j := openJournal(t, path)
	ranges := make([]Range, 100)
	for i := range ranges {
		ranges[i] = Range{Shard: i, From: 1, To: 2}
	}
	var id uint64
	for size := int64(0); size < 3*compactAt; size += int64(journalHeader + len(ranges)*journalRange) {
		id++
		if err := j.Plan(Cut{ID: id, Ranges: ranges}); err != nil {
			t.Fatal(err)
		}
		if id%7 != 0 { // leave some undelivered
			if err := j.Delivered(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	fi, _ := os.Stat(path)
	if fi.Size() > 2*compactAt {
		t.Fatalf("journal is %d bytes: not compacted", fi.Size())
	}
	want := j.Pending()
	j.Close()
	j2 := openJournal(t, path)
	if !reflect.DeepEqual(j2.Pending(), want) {
		t.Fatal("pending cuts changed across compaction and reopen")
	}
	if j2.NextID() != id+1 {
		t.Fatalf("next id %d after compaction, want %d", j2.NextID(), id+1)
	}
	for i := range ranges {
		if pos, ok := j2.Cursor(i); !ok || pos != 2 {
			t.Fatalf("shard %d cursor %d %v after compaction", i, pos, ok)
		}
	}
}

func FuzzJournalOpen(f *testing.F) {
	f.Add(appendFrame(appendFrame(nil, kindPlanned, cut(1, 0, 0, 5)), kindDelivered, Cut{ID: 1}))
	f.Add([]byte{})
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "cuts.log")
		os.WriteFile(path, b, 0o644)
		j, err := OpenJournal(path)
		if err != nil {
			var je *JournalError
			if !errors.As(err, &je) {
				t.Fatalf("error %v is not a *JournalError", err)
			}
			return
		}
		defer j.Close()
		for _, c := range j.Pending() {
			for _, r := range c.Ranges {
				if r.To < r.From {
					t.Fatalf("range %+v", r)
				}
			}
		}
	})
}

func TestJournalSourceResets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cuts.log")
	j := openJournal(t, path)
	if err := j.SetSource(1000); err != nil {
		t.Fatal(err)
	}
	j.Plan(cut(1, 0, 0, 10))
	j.Plan(cut(2, 0, 10, 20))
	j.Delivered(1)
	if err := j.SetSource(1000); err != nil { // the same stream: nothing changes
		t.Fatal(err)
	}
	if pos, _ := j.Cursor(0); pos != 20 || len(j.Pending()) != 1 {
		t.Fatalf("cursor %d, %d pending after the same source", pos, len(j.Pending()))
	}
	if err := j.SetSource(2000); err != nil { // created again
		t.Fatal(err)
	}
	if _, ok := j.Cursor(0); ok || len(j.Pending()) != 0 || j.NextID() != 3 {
		t.Fatalf("a new source kept the old positions: pending %d, next id %d", len(j.Pending()), j.NextID())
	}
	j.Plan(cut(3, 0, 0, 5))
	j.Close()
	j2 := openJournal(t, path)
	if pos, _ := j2.Cursor(0); pos != 5 || j2.Source() != 2000 || len(j2.Pending()) != 1 {
		t.Fatalf("after reopen: cursor %d, source %d, %d pending", pos, j2.Source(), len(j2.Pending()))
	}
}
