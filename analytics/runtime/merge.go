package runtime

import (
	"container/heap"
	"math"

	"github.com/hydrantio/hydrant/streams"
)

// Reading size of one shard read: it bounds the records a shard holds in the merge.
const (
	readRecords = 2000
	readBytes   = 1 << 20
)

// cursor is one source shard in the merge: the records read but not yet pushed, and where the shard
// stands.
type cursor struct {
	input int // index in Config.Inputs
	inApp int // the engine input (in-application stream) its records go to
	id    string
	index int // the shard's index, its id's number

	pos     uint64          // log Seq of the next record to push
	entries []streams.Entry // read, not yet pushed: entries[next:]
	next    int
	buf     []byte // entries' storage
	floor   int64  // when entries are exhausted: every later record arrives at or after it
	end     bool   // closed and read to its end
	changed <-chan struct{}
	slot    int // index in the merge heap
}

// lowWater is the earliest arrival the shard may still deliver: its next unread record's or, caught
// up, just below the log's floor. Below, because a record at the floor itself may still come, from
// the shard or from a child of a split that sorts before the others at that time: another shard's
// record at the floor waits until the floor passes it, as in a replay, which sees the split at once.
// A shard read to its end comes first of all, so that it leaves the merge and its children join
// before any other record is pushed: their records arrive from its seal on.
func (c *cursor) lowWater() int64 {
	if c.next < len(c.entries) {
		return c.entries[c.next].Arrival
	}
	if c.end {
		return math.MinInt64
	}
	return c.floor - 1
}

// buffered reports whether a record is read and waiting to be pushed.
func (c *cursor) buffered() bool { return c.next < len(c.entries) }

// before is the merge order: arrival time, then in-application stream, input, shard. Records of one
// shard keep their log order. The order depends on nothing but the logs, so a replay pushes the same
// sequence as the live run did.
func (c *cursor) before(o *cursor) bool {
	a, b := c.lowWater(), o.lowWater()
	if a != b {
		return a < b
	}
	if c.inApp != o.inApp {
		return c.inApp < o.inApp
	}
	if c.input != o.input {
		return c.input < o.input
	}
	return c.index < o.index
}

// mergeHeap holds the shards being read, earliest first.
type mergeHeap []*cursor

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return h[i].before(h[j]) }
func (h mergeHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].slot, h[j].slot = i, j
}
func (h *mergeHeap) Push(x any) {
	c := x.(*cursor)
	c.slot = len(*h)
	*h = append(*h, c)
}
func (h *mergeHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	c.slot = -1
	return c
}

// shardReader reads a cursor's shard: the store in a run, anything in tests.
type shardReader func(c *cursor) (streams.ShardBatch, error)

// merger orders the records of every shard being read into one sequence. It is the run goroutine's.
type merger struct {
	h    mergeHeap
	read shardReader
}

func (m *merger) add(c *cursor) { heap.Push(&m.h, c) }

// refill reads c's shard past what it holds, and reports whether its place in the order moved (new
// records, a higher floor, or its end).
func (m *merger) refill(c *cursor) (bool, error) {
	before, wasEnd := c.lowWater(), c.end
	b, err := m.read(c)
	if err != nil {
		return false, err
	}
	c.entries, c.next = b.Entries, 0
	c.changed = b.Changed
	c.end = b.End
	if len(b.Entries) > 0 {
		c.pos = b.Entries[0].Seq
	} else {
		c.pos = b.Next
	}
	if b.Next < b.Tip {
		// The floor holds from Tip on: records committed after the read, before Tip was taken, are
		// not bounded by it. Read again.
		return true, nil
	}
	c.floor = max(c.floor, b.Floor)
	return c.buffered() || c.end != wasEnd || c.lowWater() > before, nil
}

// step is one move of the merge: the next record in order (its cursor), or a shard that ended (taken
// out of the merge), or nothing when the earliest shard is caught up and may still deliver a record
// before every other's: then blocked is that shard, to wait on.
type step struct {
	rec     *streams.Entry
	from    *cursor
	ended   *cursor
	blocked *cursor
}

// next finds the next step. A record returned must be pushed before next is called again: it aliases
// the cursor's buffer.
func (m *merger) next() (step, error) {
	for len(m.h) > 0 {
		c := m.h[0]
		if c.buffered() {
			e := &c.entries[c.next]
			c.next++
			c.pos = e.Seq + 1
			heap.Fix(&m.h, 0)
			return step{rec: e, from: c}, nil
		}
		if c.end {
			heap.Pop(&m.h)
			return step{ended: c}, nil
		}
		moved, err := m.refill(c)
		if err != nil {
			return step{}, err
		}
		if !moved {
			return step{blocked: c}, nil
		}
		heap.Fix(&m.h, 0)
	}
	return step{}, nil
}

// lowWater is the time before which no record will follow: the earliest shard's low-water mark. ok is
// false when no shard is being read, or when a shard read to its end waits for next to take it out
// (its children, not yet in the merge, bound nothing).
func (m *merger) lowWater() (int64, bool) {
	if len(m.h) == 0 || m.h[0].lowWater() == math.MinInt64 {
		return 0, false
	}
	return m.h[0].lowWater(), true
}

// waiting returns the channels of the shards that are caught up: a commit on any of them may unblock
// the merge.
func (m *merger) waiting(dst []<-chan struct{}) []<-chan struct{} {
	for _, c := range m.h {
		if !c.buffered() && !c.end && c.changed != nil {
			dst = append(dst, c.changed)
		}
	}
	return dst
}

// anyBuffered reports whether some shard holds a record that waits only for the others' floors.
func (m *merger) anyBuffered() bool {
	for _, c := range m.h {
		if c.buffered() {
			return true
		}
	}
	return false
}

// wake re-reads the caught-up shards whose commit channel has fired, so that a wait does not return at
// once on a channel closed long ago, and reports whether any was re-read.
func (m *merger) wake() (bool, error) {
	var fired []*cursor
	for _, c := range m.h {
		if c.buffered() || c.end || c.changed == nil {
			continue
		}
		select {
		case <-c.changed:
			fired = append(fired, c)
		default:
		}
	}
	for _, c := range fired {
		if _, err := m.refill(c); err != nil {
			return false, err
		}
		heap.Fix(&m.h, c.slot)
	}
	return len(fired) > 0, nil
}
