package streams

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// stream is one stream: its metadata and its shards. mu guards both; appends hold it for reading
// while they route and queue records, control operations hold it for writing.
type stream struct {
	s     *Store
	key   streamKey
	dir   string
	stats streamStats // counters read by Store.Metrics; atomic, off the stream lock

	// othersOpen is the open shards of the other streams of the scope, counted by reshard before it
	// takes mu and set under it, for checkQuotaLocked. Guarded by mu.
	othersOpen int

	mu struct {
		sync.RWMutex
		meta         *streamMeta
		shards       []*shard // every unexpired shard, by index
		routes       []*shard // open shards, by starting hash key
		deleted      bool
		deletedUntil time.Time
	}

	// subs holds the live subscriptions of the stream's consumers and the batches of records they
	// share (subscribe.go). It is taken after mu, never before.
	subs struct {
		sync.Mutex
		m       map[subKey]*Subscription
		batches map[int]*batch // by shard index: the batch being shared at its position, if any
	}
}

// shard is one shard's metadata, log and rate limiters.
type shard struct {
	meta  *shardMeta
	id    string
	hash  HashRange
	log   *Log
	limit *shardLimiter // nil unless Options.ShardLimits
}

func openStream(s *Store, k streamKey, dir string, m *streamMeta) (*stream, error) {
	st := &stream{s: s, key: k, dir: dir}
	st.mu.meta = m
	for _, sm := range m.Shards {
		sh, err := st.openShard(sm)
		if err != nil {
			st.close()
			return nil, err
		}
		st.mu.shards = append(st.mu.shards, sh)
	}
	st.rebuildRoutesLocked()
	return st, nil
}

func (st *stream) shardDir(index int) string { return filepath.Join(st.dir, shardID(index)) }

func (st *stream) openShard(sm *shardMeta) (*shard, error) {
	start, ok1 := ParseHashKey(sm.Start)
	end, ok2 := ParseHashKey(sm.End)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("shard %d: bad hash key range %q..%q", sm.Index, sm.Start, sm.End)
	}
	o := st.s.opts
	hooks := logHooks{openFile: openOSFile}
	if o.openFile != nil {
		hooks.openFile = o.openFile
	}
	l, err := openLog(LogOptions{Dir: st.shardDir(sm.Index), Sync: o.Sync, SyncInterval: o.SyncInterval,
		SegmentBytes: o.SegmentBytes, Now: o.Now}, hooks)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", shardID(sm.Index), err)
	}
	if sm.Closed != 0 {
		l.sealAt(sm.Closed)
	}
	sh := &shard{meta: sm, id: shardID(sm.Index), hash: HashRange{start, end}, log: l}
	if o.ShardLimits {
		sh.limit = newShardLimiter(o.Now)
	}
	return sh, nil
}

func (st *stream) rebuildRoutesLocked() {
	st.mu.routes = st.mu.routes[:0]
	for _, sh := range st.mu.shards {
		if sh.meta.Closed == 0 {
			st.mu.routes = append(st.mu.routes, sh)
		}
	}
	sort.Slice(st.mu.routes, func(i, j int) bool { return st.mu.routes[i].hash.Start.Less(st.mu.routes[j].hash.Start) })
}

// routeLocked returns the open shard whose hash key range holds k.
func (st *stream) routeLocked(k HashKey) *shard {
	r := st.mu.routes
	i := sort.Search(len(r), func(i int) bool { return k.Less(r[i].hash.Start) }) - 1
	if i < 0 {
		return nil
	}
	return r[i]
}

func (st *stream) shardLocked(id string) *shard {
	idx, ok := parseShardID(id)
	if !ok {
		return nil
	}
	return st.shardByIndexLocked(idx)
}

func (st *stream) shardByIndexLocked(idx int) *shard {
	sh := st.mu.shards
	i := sort.Search(len(sh), func(i int) bool { return sh[i].meta.Index >= idx })
	if i < len(sh) && sh[i].meta.Index == idx {
		return sh[i]
	}
	return nil
}

func (st *stream) close() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	var errs []error
	for _, sh := range st.mu.shards {
		if sh.log != nil {
			errs = append(errs, sh.log.Close())
		}
	}
	return errors.Join(errs...)
}

// gone reports whether the stream has been deleted and its DELETING period is over.
func (st *stream) gone(now time.Time) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.mu.deleted && !now.Before(st.mu.deletedUntil)
}

// statusLocked computes the status: transitions end by the clock, so no goroutine flips them.
func (st *stream) statusLocked(now time.Time) string {
	if st.mu.deleted {
		return StatusDeleting
	}
	m := st.mu.meta
	if m.Transition != "" && now.UnixMilli() < m.TransitionEnd {
		return m.Transition
	}
	return StatusActive
}

// beginUpdateLocked checks the stream is ACTIVE and starts an UPDATING transition.
func (st *stream) beginUpdateLocked(now time.Time) error {
	if status := st.statusLocked(now); status != StatusActive {
		return errorf(KindInUse, "Stream %s under account %s not ACTIVE, instead in state %s", st.key.name, st.key.account, status)
	}
	if d := st.s.opts.TransitionDelay; d > 0 {
		st.mu.meta.Transition = StatusUpdating
		st.mu.meta.TransitionEnd = now.Add(d).UnixMilli()
	}
	return nil
}

// writableLocked checks that records may be written or read: the stream is ACTIVE or UPDATING.
func (st *stream) writableLocked(now time.Time) error {
	switch st.statusLocked(now) {
	case StatusActive, StatusUpdating:
		return nil
	}
	return notFound(st.key)
}

func (st *stream) saveLocked() error {
	if err := writeMeta(st.dir, st.mu.meta); err != nil {
		return fmt.Errorf("save stream %s: %w", st.key.name, err)
	}
	return nil
}

// update runs fn under the write lock on an ACTIVE stream, starts an UPDATING transition and saves the
// metadata. fn returns an error to refuse the change; its changes to meta must then be undone by fn.
func (st *stream) update(fn func(m *streamMeta) error) error {
	now := st.s.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mu.deleted {
		return notFound(st.key)
	}
	if status := st.statusLocked(now); status != StatusActive {
		return errorf(KindInUse, "Stream %s under account %s not ACTIVE, instead in state %s", st.key.name, st.key.account, status)
	}
	saved := *st.mu.meta
	if err := fn(st.mu.meta); err != nil {
		*st.mu.meta = saved
		return err
	}
	if err := st.beginUpdateLocked(now); err != nil {
		return err
	}
	return st.saveLocked()
}

// modify is update without the UPDATING transition (tags, policies: AWS applies them at once and
// allows them in any state but DELETING).
func (st *stream) modify(fn func(m *streamMeta) error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mu.deleted {
		return notFound(st.key)
	}
	saved := *st.mu.meta
	if err := fn(st.mu.meta); err != nil {
		*st.mu.meta = saved
		return err
	}
	return st.saveLocked()
}

func (st *stream) retention() time.Duration {
	return time.Duration(st.mu.meta.RetentionHours) * time.Hour
}

// info snapshots the stream's description.
func (st *stream) info(now time.Time, withShards bool) StreamInfo {
	st.mu.RLock()
	defer st.mu.RUnlock()
	m := st.mu.meta
	in := StreamInfo{
		Name:             m.Name,
		ARN:              streamARN(st.key),
		ID:               m.ID,
		Status:           st.statusLocked(now),
		Mode:             m.Mode,
		RetentionHours:   m.RetentionHours,
		Created:          time.UnixMilli(m.Created),
		EncryptionType:   m.Encryption,
		KeyID:            m.KeyID,
		MaxRecordSizeKiB: m.MaxRecordKiB,
		ConsumerCount:    st.consumerCountLocked(now),
	}
	in.ShardLevelMetrics = append([]string{}, m.Metrics...)
	if m.Mode == ModeOnDemand {
		w := 0
		if m.WarmTarget != nil {
			w = *m.WarmTarget
		}
		in.WarmThroughput = &WarmThroughput{TargetMiBps: w, CurrentMiBps: w}
	}
	for _, sh := range st.mu.shards {
		if sh.meta.Closed == 0 {
			in.OpenShards++
		}
		if withShards {
			in.Shards = append(in.Shards, sh.infoLocked())
		}
	}
	return in
}

func (sh *shard) infoLocked() ShardInfo {
	si := ShardInfo{
		ID:          sh.id,
		Hash:        sh.hash,
		StartingSeq: sh.seq(0, sh.meta.Created/1000),
		Created:     time.UnixMilli(sh.meta.Created),
	}
	if sh.meta.Parent >= 0 {
		si.ParentID = shardID(sh.meta.Parent)
	}
	if sh.meta.AdjacentParent >= 0 {
		si.AdjacentParentID = shardID(sh.meta.AdjacentParent)
	}
	if sh.meta.Closed != 0 {
		si.EndingSeq = sh.seq(endSeqIndex, sh.meta.Closed/1000)
		si.Closed = time.UnixMilli(sh.meta.Closed)
	}
	return si
}

// seq formats the sequence number with the given index and arrival seconds in this shard.
func (sh *shard) seq(index uint64, arrivalSecs int64) string {
	return seqNum{shardCreateSecs: uint64(sh.meta.Created / 1000), shardIndex: uint32(sh.meta.Index),
		seqIndex: index, arrivalSecs: uint64(arrivalSecs)}.String()
}

// appendSeq appends the sequence number of the log entry with the given Seq and arrival.
func (sh *shard) appendSeq(dst []byte, seq uint64, arrivalMs int64) []byte {
	return appendSeqNum(dst, seqNum{shardCreateSecs: uint64(sh.meta.Created / 1000), shardIndex: uint32(sh.meta.Index),
		seqIndex: seq + 1, arrivalSecs: uint64(arrivalMs / 1000)})
}

// removeShardLocked drops an expired shard and deletes its log.
func (st *stream) removeShardLocked(sh *shard) error {
	for i, x := range st.mu.shards {
		if x == sh {
			st.mu.shards = append(st.mu.shards[:i], st.mu.shards[i+1:]...)
			break
		}
	}
	ms := st.mu.meta.Shards[:0]
	for _, m := range st.mu.meta.Shards {
		if m != sh.meta {
			ms = append(ms, m)
		}
	}
	st.mu.meta.Shards = ms
	if err := st.saveLocked(); err != nil {
		return err
	}
	if err := sh.log.Close(); err != nil {
		st.s.logger.Warn("close expired shard", "shard", sh.id, "err", err)
	}
	return os.RemoveAll(st.shardDir(sh.meta.Index))
}
