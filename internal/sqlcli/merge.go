package sqlcli

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// next returns the shard holding the next record in arrival order (ApproximateArrivalTimestamp, then
// shard id, then sequence number), or nil when no record can be ordered yet: a shard being read has
// nothing buffered and is not caught up, so its next record could still come first. A caught-up shard
// does not hold the merge back: what arrives in it later arrives after what is buffered now.
func (r *reader) next() *shard {
	var best *shard
	for _, s := range r.order {
		if len(s.buf) == 0 {
			if r.active(s) && (!s.started || !s.caughtUp) {
				return nil
			}
			continue
		}
		if best == nil || before(&s.buf[0], s.id, &best.buf[0], best.id) {
			best = s
		}
	}
	return best
}

// before orders two records by arrival, then shard id, then sequence number.
func before(a *types.Record, aShard string, b *types.Record, bShard string) bool {
	ta, tb := arrival(a), arrival(b)
	if ta != tb {
		return ta < tb
	}
	if aShard != bShard {
		return aShard < bShard
	}
	return lessSeq(aws.ToString(a.SequenceNumber), aws.ToString(b.SequenceNumber))
}

// arrival is a record's ApproximateArrivalTimestamp in Unix milliseconds: its ROWTIME.
func arrival(r *types.Record) int64 {
	if r.ApproximateArrivalTimestamp == nil {
		return 0
	}
	return r.ApproximateArrivalTimestamp.UnixMilli()
}

// lessSeq compares sequence numbers, decimal strings of any length.
func lessSeq(a, b string) bool {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// pop removes and returns the head record of s.
func (s *shard) pop() types.Record {
	rec := s.buf[0]
	s.buf[0] = types.Record{}
	s.buf = s.buf[1:]
	return rec
}
