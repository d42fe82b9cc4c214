package streams

import (
	"errors"
	"time"
)

// Positioned reads, for Hydrant's own consumers (Firehose delivery, SQL analytics): they keep a
// position per shard (the log Seq of the next record) instead of iterators, and wait for more records
// on a channel instead of polling.

// ShardBatch is what ReadShard returns. Entries alias the buffer ReadShard was given; encrypted
// records are already decrypted.
type ShardBatch struct {
	Entries []Entry
	Next    uint64          // the position to read next
	End     bool            // the shard is closed and fully read: no record will ever follow
	Tip     uint64          // one past the last committed record
	Floor   int64           // every record at or after Tip will have Arrival >= Floor (Unix ms)
	Changed <-chan struct{} // closed when records are committed after this read (or the shard seals)
}

// ShardPosition resolves a starting position on a shard: IteratorTrimHorizon, IteratorLatest or
// IteratorAtTimestamp (with ts).
func (s *Store) ShardPosition(sc Scope, ref StreamRef, id, typ string, ts time.Time) (uint64, error) {
	_, sh, err := s.shardForRead(sc, ref, id)
	if err != nil {
		return 0, err
	}
	switch typ {
	case IteratorTrimHorizon:
		return sh.log.FirstSeq(), nil
	case IteratorLatest:
		return sh.log.NextSeq(), nil
	case IteratorAtTimestamp:
		return sh.log.SeekTime(ts.UnixMilli()), nil
	}
	return 0, errorf(KindInvalidArgument, "Invalid starting position type %s.", typ)
}

// ReadShard reads up to maxRecords committed records (and about maxBytes) of a shard from position
// from, into buf's storage.
func (s *Store) ReadShard(sc Scope, ref StreamRef, id string, from uint64, maxRecords, maxBytes int, buf []byte) (ShardBatch, []byte, error) {
	return s.ReadShardInto(sc, ref, id, from, maxRecords, maxBytes, nil, buf)
}

// ReadShardInto is ReadShard reusing entries' storage for the batch's Entries, as it reuses buf's.
func (s *Store) ReadShardInto(sc Scope, ref StreamRef, id string, from uint64, maxRecords, maxBytes int, entries []Entry, buf []byte) (ShardBatch, []byte, error) {
	st, sh, err := s.shardForRead(sc, ref, id)
	if err != nil {
		return ShardBatch{}, buf, err
	}
	st.mu.RLock()
	closed, endSeq := sh.meta.Closed != 0, sh.meta.EndSeq
	st.mu.RUnlock()
	// Take the channel before reading, so a commit that lands during the read wakes the caller.
	changed := sh.log.Changed()
	entries, next, buf, err := sh.log.ReadInto(from, maxRecords, maxBytes, entries, buf)
	if err != nil {
		if errors.Is(err, ErrClosed) {
			return ShardBatch{}, buf, notFound(st.key)
		}
		return ShardBatch{}, buf, err
	}
	for i := range entries {
		if entries[i].Flags&FlagEncrypted != 0 {
			if entries[i].Data, err = s.crypt.open(entries[i].Data); err != nil {
				return ShardBatch{}, buf, err
			}
			entries[i].Flags &^= FlagEncrypted
		}
	}
	if len(entries) == 0 {
		next = max(from, sh.log.FirstSeq())
	}
	tip, floor := sh.log.Tip()
	return ShardBatch{Entries: entries, Next: next, End: closed && next >= endSeq, Tip: tip, Floor: floor,
		Changed: changed}, buf, nil
}

func (s *Store) shardForRead(sc Scope, ref StreamRef, id string) (*stream, *shard, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return nil, nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	if err := st.writableLocked(s.now()); err != nil {
		return nil, nil, err
	}
	sh := st.shardLocked(id)
	if sh == nil {
		return nil, nil, st.shardNotFound(id)
	}
	return st, sh, nil
}
