package runtime

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/streams"
)

func TestMergeOrder(t *testing.T) {
	// Three shards with interleaved arrivals, each read returning the next scripted batch; ties go by
	// in-app stream, then shard. Shard 2 is caught up at first with a floor of 15, then 22: records
	// after that wait until its floor passes them (its read of 50). A caught-up shard's low-water mark
	// is just below its floor.
	ent := func(seq uint64, at int64) streams.Entry {
		return streams.Entry{Seq: seq, Arrival: at, Data: []byte(fmt.Sprint(at))}
	}
	scripts := map[int][]streams.ShardBatch{
		0: {{Entries: []streams.Entry{ent(0, 10), ent(1, 20), ent(2, 30)}, Next: 3, Tip: 3, Floor: 30},
			{Next: 3, Tip: 3, End: true}},
		1: {{Entries: []streams.Entry{ent(0, 10), ent(1, 25)}, Next: 2, Tip: 2, Floor: 25},
			{Next: 2, Tip: 2, Floor: 40}, {Next: 2, Tip: 2, Floor: 40}},
		2: {{Next: 0, Tip: 0, Floor: 15},
			{Entries: []streams.Entry{ent(0, 20)}, Next: 1, Tip: 1, Floor: 20},
			{Next: 1, Tip: 1, Floor: 22}, {Next: 1, Tip: 1, Floor: 22}, {Next: 1, Tip: 1, Floor: 50}},
	}
	reads := map[int]int{}
	var m merger
	m.read = func(c *cursor) (streams.ShardBatch, error) {
		s := scripts[c.index]
		i := min(reads[c.index], len(s)-1)
		reads[c.index]++
		return s[i], nil
	}
	for i := range 3 {
		// Shards 0 and 2 feed in-app stream 0, shard 1 stream 1 (parallelism 2).
		m.add(&cursor{index: i, inApp: i % 2, id: fmt.Sprint(i), slot: -1})
	}
	var got []string
	for range 50 {
		st, err := m.next()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case st.rec != nil:
			got = append(got, fmt.Sprintf("%d@%d", st.from.index, st.rec.Arrival))
		case st.ended != nil:
			got = append(got, fmt.Sprintf("end%d", st.ended.index))
		case st.blocked != nil:
			w, _ := m.lowWater()
			got = append(got, fmt.Sprintf("blocked%d<%d", st.blocked.index, w))
		default:
			got = append(got, "empty")
		}
		if st.rec == nil && st.ended == nil && st.blocked == nil {
			break
		}
	}
	want := "0@10 1@10 0@20 2@20 blocked2<21 1@25 0@30 end0 blocked1<39 blocked1<39"
	if g := strings.Join(got, " "); !strings.HasPrefix(g, want) {
		t.Fatalf("merge order\n got %s\nwant %s...", g, want)
	}
}

func TestMergeWake(t *testing.T) {
	// A caught-up shard behind the earliest one has its commit channel fire: wake re-reads it (and only
	// it), so the run's wait does not spin on a closed channel.
	fired := make(chan struct{})
	close(fired)
	quiet := make(chan struct{})
	reads := map[int]int{}
	var m merger
	m.read = func(c *cursor) (streams.ShardBatch, error) {
		reads[c.index]++
		return streams.ShardBatch{Next: 0, Tip: 0, Floor: 100, Changed: quiet}, nil
	}
	a := &cursor{index: 0, floor: 10, changed: quiet, slot: -1}
	b := &cursor{index: 1, floor: 20, changed: fired, slot: -1}
	m.add(a)
	m.add(b)
	woke, err := m.wake()
	if err != nil || !woke || reads[1] != 1 || reads[0] != 0 {
		t.Fatalf("woke %v err %v reads %v", woke, err, reads)
	}
	if b.changed != quiet || b.floor != 100 {
		t.Fatalf("shard 1 not refreshed: %+v", b)
	}
	if woke, _ := m.wake(); woke {
		t.Fatal("woke again with no commit")
	}
}

func TestMergeFloorTie(t *testing.T) {
	// Shard 2 is caught up with a floor of 100: a record at 100 may still come from it or, once it is
	// split, from a child that sorts before shard 1 (in-application stream 0). Shard 1's record at 100
	// waits until shard 2's floor passes 100, so that a replay, which sees the split at once, pushes
	// the same sequence.
	floor := int64(100)
	var m merger
	m.read = func(c *cursor) (streams.ShardBatch, error) {
		if c.index == 1 {
			if c.pos > 0 {
				return streams.ShardBatch{Next: 1, Tip: 1, Floor: floor}, nil
			}
			return streams.ShardBatch{Entries: []streams.Entry{{Seq: 0, Arrival: 100}}, Next: 1, Tip: 1, Floor: 100}, nil
		}
		return streams.ShardBatch{Next: 0, Tip: 0, Floor: floor}, nil
	}
	m.add(&cursor{index: 1, inApp: 1, slot: -1})
	m.add(&cursor{index: 2, inApp: 2, slot: -1})
	st, err := m.next()
	if err != nil || st.blocked == nil || st.blocked.index != 2 {
		t.Fatalf("floor at the record's time: step %+v err %v, want blocked on shard 2", st, err)
	}
	floor = 101
	if st, err = m.next(); err != nil || st.rec == nil || st.from.index != 1 {
		t.Fatalf("floor past the record: step %+v err %v, want shard 1's record", st, err)
	}
}
