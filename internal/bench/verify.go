package bench

import (
	"bytes"
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
)

// Ledger is what the writers of one run know about the records they sent. Each
// worker's entry is owned by that worker while the put phases run and is read
// only afterwards.
type Ledger struct {
	Run        uint32
	RecordSize int
	Workers    []WorkerLedger
}

// WorkerLedger is one writer's account. Counters [0, Issued) were generated;
// each was acknowledged by the server unless it is in Maybe or Dropped.
type WorkerLedger struct {
	Issued uint64
	// Maybe holds records whose request failed with an unknown outcome (a
	// transport error or a 5xx): they may have been written, once at most,
	// because the bench never resends them.
	Maybe map[uint64]struct{}
	// Dropped holds records the server refused and the bench gave up resending
	// when the phase ended: they must not appear.
	Dropped map[uint64]struct{}
	// Retried holds records resent after a partial PutRecords failure. Kinesis
	// lets them land after records that were sent later, so they are exempt from
	// the order check (but not from the exactly-once check).
	Retried map[uint64]struct{}
	// ShardAcked counts acknowledged records per shard index.
	ShardAcked []int64
}

func newLedger(run uint32, recordSize, workers, shards int) *Ledger {
	l := &Ledger{Run: run, RecordSize: recordSize, Workers: make([]WorkerLedger, workers)}
	for i := range l.Workers {
		l.Workers[i].ShardAcked = make([]int64, shards)
	}
	return l
}

func (w *WorkerLedger) mark(set *map[uint64]struct{}, counter uint64) {
	if *set == nil {
		*set = make(map[uint64]struct{})
	}
	(*set)[counter] = struct{}{}
}

func (w *WorkerLedger) acked() int64 {
	return int64(w.Issued) - int64(len(w.Maybe)) - int64(len(w.Dropped))
}

// shardAcked returns the number of acknowledged records of the run in shard i.
func (l *Ledger) shardAcked(i int) int64 {
	var n int64
	for w := range l.Workers {
		if i < len(l.Workers[w].ShardAcked) {
			n += l.Workers[w].ShardAcked[i]
		}
	}
	return n
}

// Verification is the outcome of checking what was read back against the
// ledger. Every count but Read, ReadBytes, Expected, ExpectedBytes, Foreign
// and the Uncertain pair is a failure when nonzero.
type Verification struct {
	Expected       int64    `json:"expected"`       // records acknowledged to the writers
	ExpectedBytes  int64    `json:"expected_bytes"` // their payload bytes
	Read           int64    `json:"read"`           // distinct records of this run read back
	ReadBytes      int64    `json:"read_bytes"`
	Missing        int64    `json:"missing"`         // acknowledged but never read
	Duplicated     int64    `json:"duplicated"`      // read more than once
	Corrupted      int64    `json:"corrupted"`       // bad checksum, length or partition key
	Reordered      int64    `json:"reordered"`       // a worker's records out of order in a shard
	Misrouted      int64    `json:"misrouted"`       // in a shard that does not own the key's hash
	SequenceErrors int64    `json:"sequence_errors"` // sequence numbers not increasing in a shard
	Unexpected     int64    `json:"unexpected"`      // never sent, refused, or foreign data in a fresh stream
	Foreign        int64    `json:"foreign"`         // records not written by this run
	UncertainSent  int64    `json:"uncertain_sent"`  // records whose write had an unknown outcome
	UncertainRead  int64    `json:"uncertain_read"`  // of those, how many were read back
	Problems       []string `json:"problems,omitempty"`

	recordSize int64
}

// OK reports whether every record acknowledged in the run was read back exactly
// once, intact, in order and in the right shard.
func (v *Verification) OK() bool {
	return v.Missing == 0 && v.Duplicated == 0 && v.Corrupted == 0 && v.Reordered == 0 &&
		v.Misrouted == 0 && v.SequenceErrors == 0 && v.Unexpected == 0 &&
		v.Read == v.Expected+v.UncertainRead && v.ReadBytes == v.Read*v.recordSize
}

const maxProblems = 20

// Checker verifies records read back against a Ledger. Its methods are safe for
// concurrent use by readers of different shards; each shard's reader owns a
// shardCheck.
type Checker struct {
	ledger *Ledger
	topo   *topology
	fresh  bool // the stream was created by this run: every record in it must be ours

	seen [][]atomic.Uint64 // per worker, one bit per counter

	read, readBytes                  atomic.Int64
	duplicated, corrupted, reordered atomic.Int64
	misrouted, sequence, unexpected  atomic.Int64
	foreign                          atomic.Int64

	mu struct {
		sync.Mutex
		problems []string
	}
}

func newChecker(l *Ledger, topo *topology, fresh bool) *Checker {
	c := &Checker{ledger: l, topo: topo, fresh: fresh}
	c.seen = make([][]atomic.Uint64, len(l.Workers))
	for w := range l.Workers {
		c.seen[w] = make([]atomic.Uint64, (l.Workers[w].Issued+63)/64)
	}
	return c
}

func (c *Checker) problem(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.mu.problems) < maxProblems {
		c.mu.problems = append(c.mu.problems, fmt.Sprintf(format, args...))
	}
}

func (c *Checker) problemsFull() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mu.problems) >= maxProblems
}

// shardCheck is the per-shard state of the check, owned by the shard's reader.
type shardCheck struct {
	c       *Checker
	shard   int // index into topo.shards
	last    []int64
	lastSeq []byte
}

func (c *Checker) shard(i int) *shardCheck {
	s := &shardCheck{c: c, shard: i, last: make([]int64, len(c.ledger.Workers))}
	for w := range s.last {
		s.last[w] = -1
	}
	return s
}

// check verifies one record read from the shard. It reports whether the record
// is one of the run's, seen for the first time.
func (s *shardCheck) check(seq, key, data []byte) (ours bool) {
	c := s.c
	id := c.topo.shards[s.shard].ID
	if s.lastSeq != nil && compareSeq(seq, s.lastSeq) <= 0 {
		c.sequence.Add(1)
		c.problem("shard %s: sequence number %s after %s", id, seq, s.lastSeq)
	}
	s.lastSeq = append(s.lastSeq[:0], seq...)

	h, sumOK := parsePayload(data)
	if len(data) < headerSize || h.Run != c.ledger.Run {
		c.foreign.Add(1)
		if c.fresh {
			c.unexpected.Add(1)
			c.problem("shard %s: record %s was not written by this run", id, seq)
		}
		return false
	}
	if !sumOK || len(data) != c.ledger.RecordSize {
		c.corrupted.Add(1)
		c.problem("shard %s: record %s: bad checksum or length %d", id, seq, len(data))
		return false
	}
	if int(h.Worker) >= len(c.ledger.Workers) || h.Counter >= c.ledger.Workers[h.Worker].Issued {
		c.unexpected.Add(1)
		c.problem("shard %s: record %s claims worker %d record %d, which was never sent", id, seq, h.Worker, h.Counter)
		return false
	}
	if int(h.Key) >= len(c.topo.keys) || string(key) != c.topo.keys[h.Key] {
		c.corrupted.Add(1)
		c.problem("shard %s: record %s: partition key %q does not match the one sent", id, seq, key)
		return false
	}
	wl := &c.ledger.Workers[h.Worker]
	bit := uint64(1) << (h.Counter % 64)
	if old := c.seen[h.Worker][h.Counter/64].Or(bit); old&bit != 0 {
		c.duplicated.Add(1)
		c.problem("shard %s: worker %d record %d read more than once", id, h.Worker, h.Counter)
		return false
	}
	if _, ok := wl.Dropped[h.Counter]; ok {
		c.unexpected.Add(1)
		c.problem("shard %s: worker %d record %d was refused by the server but is in the stream", id, h.Worker, h.Counter)
	}
	c.read.Add(1)
	c.readBytes.Add(int64(len(data)))
	if !c.topo.owns(s.shard, int(h.Key)) {
		c.misrouted.Add(1)
		c.problem("shard %s: worker %d record %d has key %q, whose hash the shard does not own", id, h.Worker, h.Counter, key)
	}
	ctr := int64(h.Counter)
	if ctr < s.last[h.Worker] {
		_, retried := wl.Retried[h.Counter]
		_, maybe := wl.Maybe[h.Counter]
		if !retried && !maybe {
			c.reordered.Add(1)
			c.problem("shard %s: worker %d record %d after record %d", id, h.Worker, h.Counter, s.last[h.Worker])
		}
		return true
	}
	s.last[h.Worker] = ctr
	return true
}

// compareSeq compares two decimal sequence numbers.
func compareSeq(a, b []byte) int {
	a, b = bytes.TrimLeft(a, "0"), bytes.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return bytes.Compare(a, b)
}

// Finish tallies the check once every reader is done.
func (c *Checker) Finish() *Verification {
	v := &Verification{
		Read:           c.read.Load(),
		ReadBytes:      c.readBytes.Load(),
		Duplicated:     c.duplicated.Load(),
		Corrupted:      c.corrupted.Load(),
		Reordered:      c.reordered.Load(),
		Misrouted:      c.misrouted.Load(),
		SequenceErrors: c.sequence.Load(),
		Unexpected:     c.unexpected.Load(),
		Foreign:        c.foreign.Load(),
		recordSize:     int64(c.ledger.RecordSize),
	}
	for w := range c.ledger.Workers {
		wl := &c.ledger.Workers[w]
		seen := c.seen[w]
		isSeen := func(ctr uint64) bool { return seen[ctr/64].Load()&(1<<(ctr%64)) != 0 }
		var seenAll int64
		for i := range seen {
			seenAll += int64(bits.OnesCount64(seen[i].Load()))
		}
		seenOther := int64(0)
		for ctr := range wl.Maybe {
			v.UncertainSent++
			if isSeen(ctr) {
				v.UncertainRead++
				seenOther++
			}
		}
		for ctr := range wl.Dropped {
			if isSeen(ctr) {
				seenOther++
			}
		}
		acked := wl.acked()
		v.Expected += acked
		missing := acked - (seenAll - seenOther)
		v.Missing += missing
		if missing > 0 {
			for ctr := uint64(0); ctr < wl.Issued && missing > 0; ctr++ {
				if isSeen(ctr) {
					continue
				}
				_, maybe := wl.Maybe[ctr]
				_, dropped := wl.Dropped[ctr]
				if !maybe && !dropped {
					c.problem("worker %d record %d was acknowledged but not read back", w, ctr)
					missing--
					if c.problemsFull() {
						break
					}
				}
			}
		}
	}
	v.ExpectedBytes = v.Expected * v.recordSize
	c.mu.Lock()
	v.Problems = append([]string(nil), c.mu.problems...)
	c.mu.Unlock()
	return v
}
