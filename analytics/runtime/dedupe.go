package runtime

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hydrantio/hydrant/streams"
)

// Exactly-once output without an fsync per batch: rows emitted after the last checkpoint may already be
// in the destination when the run restarts (written, then a crash before the next checkpoint). The
// engine, restored from the checkpoint and fed the same records, emits the same rows with the same
// sequence numbers again, and the run drops those the destination already holds. It finds them by
// scanning the destination from the shard tips the checkpoint recorded for the partition keys this
// application writes.
//
// A batch is written by one PutRecords call, and a throttled record is retried after later ones of
// its batch have landed, so what is durable past the checkpoint need not be a prefix of the sequence:
// the scan keeps every sequence number it finds, as sorted ranges.

// seqRange is a run [lo, hi] of sequence numbers present in a destination.
type seqRange struct{ lo, hi uint64 }

// seqSet is the sorted, disjoint ranges of sequence numbers already written to one output, consumed in
// increasing order as the restored engine emits its rows again.
type seqSet struct {
	ranges []seqRange
}

// newSeqSet builds the set from sequence numbers found in any order.
func newSeqSet(seqs []uint64) seqSet {
	slices.Sort(seqs)
	var s seqSet
	for _, q := range seqs {
		if n := len(s.ranges); n > 0 && q <= s.ranges[n-1].hi+1 {
			s.ranges[n-1].hi = max(s.ranges[n-1].hi, q)
			continue
		}
		s.ranges = append(s.ranges, seqRange{q, q})
	}
	return s
}

// has reports whether seq was already written. Calls come with increasing seq: ranges behind it are
// dropped as it passes them.
func (s *seqSet) has(seq uint64) bool {
	for len(s.ranges) > 0 && s.ranges[0].hi < seq {
		s.ranges = s.ranges[1:]
	}
	return len(s.ranges) > 0 && s.ranges[0].lo <= seq
}

// last is the highest sequence number in the set, 0 if it is empty.
func (s *seqSet) last() uint64 {
	if len(s.ranges) == 0 {
		return 0
	}
	return s.ranges[len(s.ranges)-1].hi
}

// keyPrefix is the start of the partition key of every row of output k: the key is the prefix and the
// row's sequence number in decimal.
func keyPrefix(runID string, k int) string { return runID + "-" + strconv.Itoa(k) + "-" }

// parseKey returns the sequence number in a partition key that starts with prefix.
func parseKey(key, prefix string) (uint64, bool) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return 0, false
	}
	q, err := strconv.ParseUint(rest, 10, 64)
	return q, err == nil
}

// scanDestination collects the sequence numbers above after of the rows of output k in dest: from
// each shard's recorded tip, or from its first record for shards the checkpoint did not know.
func scanDestination(store *streams.Store, d destination, tips []shardTip, prefix string, after uint64) ([]uint64, error) {
	_, shards, err := store.ListShards(d.scope, d.ref, streams.ShardFilter{}, timeZero)
	if err != nil {
		return nil, err
	}
	from := make(map[int]uint64, len(tips))
	for _, t := range tips {
		from[t.Index] = t.Tip
	}
	var seqs []uint64
	var buf []byte
	for _, sh := range shards {
		idx, err := shardIndex(sh.ID)
		if err != nil {
			return nil, err
		}
		pos, ok := from[idx]
		if !ok {
			if pos, err = store.ShardPosition(d.scope, d.ref, sh.ID, streams.IteratorTrimHorizon, timeZero); err != nil {
				return nil, err
			}
		}
		for {
			var b streams.ShardBatch
			b, buf, err = store.ReadShard(d.scope, d.ref, sh.ID, pos, 10000, 4<<20, buf[:0])
			if err != nil {
				return nil, err
			}
			for i := range b.Entries {
				if q, ok := parseKey(string(b.Entries[i].PartitionKey), prefix); ok && q > after {
					seqs = append(seqs, q)
				}
			}
			pos = b.Next
			if len(b.Entries) == 0 || pos >= b.Tip {
				break
			}
		}
	}
	return seqs, nil
}
