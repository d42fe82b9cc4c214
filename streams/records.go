package streams

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
	"unsafe"
)

const (
	maxPutRecordsBytes = 10 << 20 // a PutRecords request's data and partition keys
	maxGetRecordsBytes = 10 << 20 // one GetRecords response's data
	maxGetRecords      = 10000
)

// PutRecords writes entries (routing each by hash key to its open shard, keeping the order of entries
// bound for the same shard) and returns after they are durable. The results keep the entries' order.
func (s *Store) PutRecords(ctx context.Context, sc Scope, ref StreamRef, entries []PutEntry) (results []PutResult, encryption string, err error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return nil, "", err
	}
	results = make([]PutResult, len(entries))
	enc, err := st.put(ctx, entries, results)
	if err != nil {
		return nil, "", err
	}
	return results, enc, nil
}

// Write is PutRecords for Hydrant's own writers (SQL applications' outputs), which need to know which
// entries were refused but not their sequence numbers: results, one per entry, get ShardID and, for a
// refused entry, ErrorCode and ErrorMessage; SequenceNumber stays empty, which saves formatting a
// 56-digit number per record.
func (s *Store) Write(ctx context.Context, sc Scope, ref StreamRef, entries []PutEntry, results []PutResult) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	_, err = st.putWith(ctx, entries, results, false)
	return err
}

// PutRecord writes one entry. sequenceNumberForOrdering needs no work here: records of one partition
// key go to one shard, where numbers strictly increase, so the new number is always greater.
func (s *Store) PutRecord(ctx context.Context, sc Scope, ref StreamRef, e PutEntry, sequenceNumberForOrdering string) (PutResult, string, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return PutResult{}, "", err
	}
	var res [1]PutResult
	enc, err := st.put(ctx, []PutEntry{e}, res[:])
	if err != nil {
		return PutResult{}, "", err
	}
	if res[0].ErrorCode != "" {
		return PutResult{}, "", errorf(KindThroughputExceeded, "%s", res[0].ErrorMessage)
	}
	return res[0], enc, nil
}

// putGroup is the part of one request bound for one shard.
type putGroup struct {
	sh      *shard
	entries []Entry
	index   []int // index into the request of each entry
	pending Pending
	err     error // the shard log refused or failed the append
}

// putScratch is put's working storage, pooled: Append encodes the entries into the log's buffer at
// once, so nothing of it outlives the call.
type putScratch struct {
	hashes []HashKey
	gi     []int
	all    []Entry
	groups []putGroup
}

var putScratches = sync.Pool{New: func() any { return new(putScratch) }}

func (st *stream) put(ctx context.Context, in []PutEntry, results []PutResult) (string, error) {
	return st.putWith(ctx, in, results, true)
}

func (st *stream) putWith(ctx context.Context, in []PutEntry, results []PutResult, numbered bool) (string, error) {
	n := len(in)
	ps := putScratches.Get().(*putScratch)
	defer func() {
		clear(ps.all)
		for i := range ps.groups {
			ps.groups[i] = putGroup{index: ps.groups[i].index[:0]}
		}
		putScratches.Put(ps)
	}()
	hashes := slices.Grow(ps.hashes[:0], n)[:n]
	ps.hashes = hashes
	total := 0
	for i := range in {
		e := &in[i]
		if e.ExplicitHashKey != "" {
			k, ok := ParseHashKey(e.ExplicitHashKey)
			if !ok {
				return "", errorf(KindInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "+
					"[0, 2^128-1]. Specified value was %s", e.ExplicitHashKey)
			}
			hashes[i] = k
		} else {
			hashes[i] = PartitionHash(e.PartitionKey)
		}
		total += len(e.Data) + len(e.PartitionKey)
	}
	if total > maxPutRecordsBytes {
		return "", errorf(KindInvalidArgument, "Records size exceeds %d bytes limit: request has %d bytes of data and partition keys.",
			maxPutRecordsBytes, total)
	}

	now := st.s.now()
	st.mu.RLock()
	if err := st.writableLocked(now); err != nil {
		st.mu.RUnlock()
		return "", err
	}
	m := st.mu.meta
	maxRecord := m.MaxRecordKiB << 10
	encrypted := m.Encryption == EncryptionKMS
	for i := range in {
		if size := len(in[i].Data) + len(in[i].PartitionKey); size > maxRecord {
			st.mu.RUnlock()
			return "", errorf(KindInvalidArgument, "Record size (data and partition key) of %d bytes exceeds the maximum "+
				"record size of %d KiB for stream %s under account %s.", size, m.MaxRecordKiB, st.key.name, st.key.account)
		}
	}

	// Route every entry, then lay the entries out shard by shard, each shard's in request order, so that
	// each shard gets a single append.
	groups := ps.groups[:0]
	gi := slices.Grow(ps.gi[:0], n)[:n]
	ps.gi = gi
	for i := range in {
		sh := st.routeLocked(hashes[i])
		if sh.limit != nil && !sh.limit.allowWrite(len(in[i].Data)+len(in[i].PartitionKey)) {
			results[i] = PutResult{ErrorCode: "ProvisionedThroughputExceededException",
				ErrorMessage: "Rate exceeded for shard " + sh.id + " in stream " + st.key.name + " under account " + st.key.account + "."}
			gi[i] = -1
			continue
		}
		g := -1
		for j := range groups {
			if groups[j].sh == sh {
				g = j
				break
			}
		}
		if g < 0 {
			g = len(groups)
			if g < cap(groups) {
				groups = groups[:g+1]
				groups[g].sh = sh // its index slice is kept from an earlier put, emptied
			} else {
				groups = append(groups, putGroup{sh: sh})
			}
			ps.groups = groups
		}
		gi[i] = g
		groups[g].index = append(groups[g].index, i)
	}
	all := slices.Grow(ps.all[:0], n)
	ps.all = all[:n]
	for j := range groups {
		g := &groups[j]
		start := len(all)
		for _, i := range g.index {
			// The key's bytes alias the caller's string: the log only reads them, and put returns only once
			// the append is done with them.
			e := Entry{PartitionKey: unsafe.Slice(unsafe.StringData(in[i].PartitionKey), len(in[i].PartitionKey)), Data: in[i].Data}
			if in[i].ExplicitHashKey != "" {
				e.Flags |= FlagHashKey
				e.HashKey = hashes[i].Bytes()
			}
			if encrypted {
				e.Flags |= FlagEncrypted
				e.Data = st.s.crypt.seal(e.Data)
			}
			all = append(all, e)
		}
		g.entries = all[start:len(all):len(all)]
		// A shard whose log fails (a disk error, sticky in that log) fails its own records only: the
		// other shards' appends go on, as Kinesis answers a partial failure per record.
		g.pending, g.err = g.sh.log.Append(g.entries)
	}
	st.mu.RUnlock()

	var firstErr error
	failed := 0
	for j := range groups {
		g := &groups[j]
		if g.err == nil {
			g.err = g.pending.Wait(ctx)
			if ctxErr := ctx.Err(); g.err != nil && ctxErr != nil && errors.Is(g.err, ctxErr) {
				// The caller gave up waiting: the records may yet commit, so no answer can say which did.
				return "", g.err
			}
		}
		if g.err != nil {
			failed += len(g.index)
			if firstErr == nil {
				firstErr = g.err
			}
		}
	}
	if firstErr != nil {
		refused := 0
		for i := range results {
			if gi[i] < 0 {
				refused++
			}
		}
		if failed+refused == n {
			return "", firstErr // nothing was written: the request fails, as PutRecord's must
		}
		st.s.logger.Error("put: shard log failed; its records are answered InternalFailure", "stream", st.key.name,
			"account", st.key.account, "records", failed, "err", firstErr)
	}
	var buf [64]byte
	var records, bytes int64
	for j := range groups {
		g := &groups[j]
		if g.err != nil {
			for _, i := range g.index {
				results[i] = PutResult{ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure."}
			}
			continue
		}
		for k, i := range g.index {
			e := &g.entries[k]
			results[i] = PutResult{ShardID: g.sh.id}
			if numbered {
				results[i].SequenceNumber = string(g.sh.appendSeq(buf[:0], e.Seq, e.Arrival))
			}
			records++
			bytes += int64(len(in[i].Data))
		}
	}
	st.stats.incomingRecords.Add(records)
	st.stats.incomingBytes.Add(bytes)
	if encrypted {
		return EncryptionKMS, nil
	}
	return EncryptionNone, nil
}

// GetShardIterator returns an opaque, authenticated iterator good for IteratorTTL.
func (s *Store) GetShardIterator(sc Scope, ref StreamRef, id, typ, startingSeq string, ts *time.Time) (string, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return "", err
	}
	now := s.now()
	st.mu.RLock()
	defer st.mu.RUnlock()
	if err := st.writableLocked(now); err != nil {
		return "", err
	}
	sh := st.shardLocked(id)
	if sh == nil {
		return "", st.shardNotFound(id)
	}
	pos, err := st.positionLocked(sh, "GetShardIterator", StartingPosition{Type: typ, SequenceNumber: startingSeq, Timestamp: ts}, now)
	if err != nil {
		return "", err
	}
	return s.encodeIterator(iterator{issued: now.UnixMilli(), created: st.mu.meta.Created, shard: sh.meta.Index,
		position: pos, key: st.key}), nil
}

// StartingPosition is where a reader starts in a shard: GetShardIterator's type, sequence number and
// timestamp, and SubscribeToShard's StartingPosition. Type is one of the Iterator* constants.
type StartingPosition struct {
	Type           string
	SequenceNumber string     // AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER
	Timestamp      *time.Time // AT_TIMESTAMP
}

// positionLocked resolves a starting position in sh to the log Seq to read first. op names the
// operation in messages that AWS words with it.
func (st *stream) positionLocked(sh *shard, op string, p StartingPosition, now time.Time) (uint64, error) {
	typ, startingSeq, ts := p.Type, p.SequenceNumber, p.Timestamp
	switch typ {
	case IteratorTrimHorizon, IteratorLatest:
		if startingSeq != "" || ts != nil {
			return 0, errorf(KindInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "+
				"StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber or (3) AT_TIMESTAMP "+
				"and Timestamp. Request specified ShardIteratorType: %s and StartingSequenceNumber: %s", typ, orNull(startingSeq))
		}
		if typ == IteratorTrimHorizon {
			return sh.log.FirstSeq(), nil
		}
		return sh.log.NextSeq(), nil
	case IteratorAtSeq, IteratorAfterSeq:
		if startingSeq == "" {
			return 0, errorf(KindInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "+
				"StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber or (3) AT_TIMESTAMP "+
				"and Timestamp. Request specified ShardIteratorType: %s and StartingSequenceNumber: null", typ)
		}
		sn, ok := parseSeqNum(startingSeq)
		if !ok {
			return 0, errorf(KindInvalidArgument, "StartingSequenceNumber %s used in %s on shard %s in stream %s "+
				"under account %s is invalid.", startingSeq, op, sh.id, st.key.name, st.key.account)
		}
		if int(sn.shardIndex) != sh.meta.Index {
			return 0, errorf(KindInvalidArgument, "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call "+
				"to a shard with %s", shardID(int(sn.shardIndex)), sh.id)
		}
		switch {
		case sn.seqIndex == endSeqIndex:
			return sh.log.NextSeq(), nil
		case sn.seqIndex == 0:
			return 0, nil
		case typ == IteratorAtSeq:
			return sn.seqIndex - 1, nil
		default:
			return sn.seqIndex, nil
		}
	case IteratorAtTimestamp:
		if ts == nil {
			return 0, errorf(KindInvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "+
				"Current value: null")
		}
		if ts.After(now) {
			return 0, errorf(KindInvalidArgument, "The timestampInMillis parameter cannot be greater than the "+
				"currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", ts.UnixMilli(), now.UnixMilli())
		}
		return sh.log.SeekTime(ts.UnixMilli()), nil
	}
	return 0, errorf(KindInvalidArgument, "Invalid ShardIteratorType %s.", typ)
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

func (st *stream) shardNotFound(id string) *Error {
	return errorf(KindNotFound, "Shard %s in stream %s under account %s does not exist", id, st.key.name, st.key.account)
}

var readBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}

// GetRecords reads from an iterator: at most limit records (1..10000) and 10 MiB. streamARN, when
// given, must name the iterator's stream.
func (s *Store) GetRecords(ctx context.Context, sc Scope, tok string, limit int, streamARN string) (GetRecordsResult, error) {
	it, ok := s.decodeIterator(tok)
	if !ok {
		return GetRecordsResult{}, errorf(KindInvalidArgument, "Invalid ShardIterator.")
	}
	now := s.now()
	if now.UnixMilli()-it.issued > IteratorTTL.Milliseconds() {
		return GetRecordsResult{}, errorf(KindExpiredIterator, "Iterator expired. The iterator was created at time %s "+
			"while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			javaTime(time.UnixMilli(it.issued)), javaTime(now), IteratorTTL.Milliseconds())
	}
	if streamARN != "" {
		k, err := parseStreamARN(streamARN)
		if err != nil {
			return GetRecordsResult{}, err
		}
		if k != it.key {
			return GetRecordsResult{}, errorf(KindInvalidArgument, "Invalid ShardIterator. The iterator is not for stream %s.", streamARN)
		}
	}
	if limit <= 0 || limit > maxGetRecords {
		limit = maxGetRecords
	}
	st, err := s.lookupKey(it.key)
	if err != nil {
		return GetRecordsResult{}, err
	}
	st.mu.RLock()
	if err := st.writableLocked(now); err != nil || st.mu.meta.Created != it.created {
		st.mu.RUnlock()
		return GetRecordsResult{}, notFound(st.key)
	}
	sh := st.shardByIndexLocked(it.shard)
	if sh == nil {
		st.mu.RUnlock()
		return GetRecordsResult{}, st.shardNotFound(shardID(it.shard))
	}
	closed, endSeq := sh.meta.Closed != 0, sh.meta.EndSeq
	var children []ChildShard
	if closed {
		children = st.childrenLocked(sh.meta.Index)
	}
	st.mu.RUnlock()

	if sh.limit != nil && !sh.limit.allowRead() {
		return GetRecordsResult{}, errorf(KindThroughputExceeded, "Rate exceeded for shard %s in stream %s under account %s.",
			sh.id, st.key.name, st.key.account)
	}
	bp := readBufs.Get().(*[]byte)
	entries, next, buf, err := sh.log.Read(it.position, limit, maxGetRecordsBytes, (*bp)[:0])
	*bp = buf
	if err != nil {
		readBufs.Put(bp)
		if errors.Is(err, ErrClosed) {
			return GetRecordsResult{}, notFound(st.key)
		}
		return GetRecordsResult{}, err
	}
	res := GetRecordsResult{Records: make([]Record, len(entries)), release: func() { readBufs.Put(bp) }}
	var seqBuf [64]byte
	read := 0
	for i := range entries {
		e := &entries[i]
		data := e.Data
		if e.Flags&FlagEncrypted != 0 {
			if data, err = s.crypt.open(data); err != nil {
				res.Release()
				return GetRecordsResult{}, err
			}
		}
		read += len(data)
		res.Records[i] = Record{
			SequenceNumber: string(sh.appendSeq(seqBuf[:0], e.Seq, e.Arrival)),
			Arrival:        time.UnixMilli(e.Arrival),
			Data:           data,
			PartitionKey:   string(e.PartitionKey),
			Encrypted:      e.Flags&FlagEncrypted != 0,
		}
	}
	if sh.limit != nil {
		sh.limit.chargeRead(read)
	}
	st.stats.outgoingRecords.Add(int64(len(entries)))
	st.stats.outgoingBytes.Add(int64(read))
	if closed && next >= endSeq {
		res.ChildShards = children
	} else {
		res.NextIterator = s.encodeIterator(iterator{issued: now.UnixMilli(), created: it.created, shard: it.shard,
			position: next, key: it.key})
	}
	if len(entries) > 0 && next < sh.log.NextSeq() {
		res.MillisBehindLatest = max(0, now.UnixMilli()-entries[len(entries)-1].Arrival)
	}
	return res, nil
}

// childrenLocked lists the shards made from shard idx by a split or merge.
func (st *stream) childrenLocked(idx int) []ChildShard {
	var out []ChildShard
	for _, c := range st.mu.shards {
		if c.meta.Parent != idx && c.meta.AdjacentParent != idx {
			continue
		}
		cs := ChildShard{ShardID: c.id, Hash: c.hash, Parents: []string{shardID(c.meta.Parent)}}
		if c.meta.AdjacentParent >= 0 {
			cs.Parents = append(cs.Parents, shardID(c.meta.AdjacentParent))
		}
		out = append(out, cs)
	}
	return out
}
