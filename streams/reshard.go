package streams

import (
	"time"
)

// Resharding closes shards and opens children in one metadata change under the stream's write lock,
// so no append is in flight: a parent's last record is durable before its children take writes (its
// Seal lets queued appends commit), and readers move from parent to children through ChildShards.

// SplitShard splits an open shard at newStartingHashKey.
func (s *Store) SplitShard(sc Scope, ref StreamRef, id, newStartingHashKey string) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	key, ok := ParseHashKey(newStartingHashKey)
	if !ok {
		return errorf(KindInvalidArgument, "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s "+
			"is not a valid hash key.", newStartingHashKey, id, st.key.name, st.key.account)
	}
	return st.reshard(func(now time.Time) error {
		sh, err := st.openShardForReshardLocked(id)
		if err != nil {
			return err
		}
		if !sh.hash.Start.Add(1).Less(key) || !key.Less(sh.hash.End) {
			return errorf(KindInvalidArgument, "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under "+
				"account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's "+
				"EndingHashKey %s.", newStartingHashKey, id, st.key.name, st.key.account, sh.hash.Start, sh.hash.End)
		}
		if err := st.checkQuotaLocked(1); err != nil {
			return err
		}
		return st.splitLocked(sh, key, now)
	})
}

// MergeShards merges two adjacent open shards.
func (s *Store) MergeShards(sc Scope, ref StreamRef, id, adjacentID string) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	return st.reshard(func(now time.Time) error {
		a, err := st.openShardForReshardLocked(id)
		if err != nil {
			return err
		}
		b, err := st.openShardForReshardLocked(adjacentID)
		if err != nil {
			return err
		}
		if a.hash.End.Add(1) != b.hash.Start && b.hash.End.Add(1) != a.hash.Start {
			return errorf(KindInvalidArgument, "Shards %s and %s in stream %s under account %s are not an adjacent pair of "+
				"shards eligible for merging", id, adjacentID, st.key.name, st.key.account)
		}
		_, err = st.mergeLocked(a, b, now)
		return err
	})
}

// UpdateShardCount reshards to target open shards of equal hash ranges and returns the info before the
// change. Like AWS it gets there by splits and merges, so lineage stays a tree of at most two parents
// per shard; the intermediate shards close at once and hold no records.
func (s *Store) UpdateShardCount(sc Scope, ref StreamRef, target int) (StreamInfo, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return StreamInfo{}, err
	}
	before := st.info(s.now(), false)
	err = st.reshard(func(now time.Time) error {
		open := len(st.mu.routes)
		if target > 2*open {
			return errorf(KindLimitExceeded, "UpdateShardCount cannot scale up over double your current open shard count. "+
				"Current open shard count: %d Target shard count: %d", open, target)
		}
		if 2*target < open {
			return errorf(KindLimitExceeded, "UpdateShardCount cannot scale down below half your current open shard count. "+
				"Current open shard count: %d Target shard count: %d", open, target)
		}
		m := st.mu.meta
		recent := m.Scalings[:0]
		for _, t := range m.Scalings {
			if now.UnixMilli()-t < (24 * time.Hour).Milliseconds() {
				recent = append(recent, t)
			}
		}
		m.Scalings = recent
		if len(recent) >= 10 {
			return errorf(KindLimitExceeded, "Exceeded the limit of 10 UpdateShardCount calls per rolling 24 hours for "+
				"stream %s under account %s.", st.key.name, st.key.account)
		}
		if err := st.checkQuotaLocked(target - open); err != nil {
			return err
		}
		m.Scalings = append(append([]int64{}, recent...), now.UnixMilli())
		return st.scaleLocked(target, now)
	})
	return before, err
}

// reshard runs fn under the write lock on an ACTIVE provisioned stream, then starts UPDATING and saves.
// fn validates before it changes anything, so an error from it leaves the stream as it was.
//
// The shards the other streams of the scope hold open are counted before the lock is taken: the store
// lock comes before any stream's lock (CreateStream holds it while it reads streams), so a stream's
// write lock must never wait for it. Two reshards racing in one scope may therefore both fit under
// the quota when together they do not, overshooting it by one request's shards; the quota is a guard
// against runaway scaling, not an accounting boundary.
func (st *stream) reshard(fn func(now time.Time) error) error {
	now := st.s.now()
	others := st.s.openShardsExcept(st)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.othersOpen = others
	if st.mu.deleted {
		return notFound(st.key)
	}
	if st.mu.meta.Mode == ModeOnDemand {
		return errorf(KindValidation, "Resharding is not supported for stream %s under account %s because it is in "+
			"ON_DEMAND capacity mode.", st.key.name, st.key.account)
	}
	if status := st.statusLocked(now); status != StatusActive {
		return errorf(KindInUse, "Stream %s under account %s not ACTIVE, instead in state %s", st.key.name, st.key.account, status)
	}
	saved := *st.mu.meta
	if err := fn(now); err != nil {
		*st.mu.meta = saved
		return err
	}
	st.rebuildRoutesLocked()
	if err := st.beginUpdateLocked(now); err != nil {
		return err
	}
	return st.saveLocked()
}

func (st *stream) openShardForReshardLocked(id string) (*shard, error) {
	sh := st.shardLocked(id)
	if sh == nil {
		return nil, st.shardNotFound(id)
	}
	if sh.meta.Closed != 0 {
		return nil, errorf(KindInvalidArgument, "Shard %s in stream %s under account %s has already been merged or split, "+
			"and thus is not eligible for merging or splitting.", id, st.key.name, st.key.account)
	}
	return sh, nil
}

// openShardsExcept counts the open shards of st's scope outside st. It takes the store lock, then
// each other stream's, one at a time: never call it holding a stream lock.
func (s *Store) openShardsExcept(st *stream) int {
	sc := st.key.scope()
	open := 0
	s.mu.RLock()
	defer s.mu.RUnlock()
	for k, o := range s.mu.streams {
		if o == st || k.scope() != sc {
			continue
		}
		o.mu.RLock()
		open += len(o.mu.routes)
		o.mu.RUnlock()
	}
	return open
}

// checkQuotaLocked refuses extra shards beyond the scope's quota, with st.othersOpen counted by reshard.
func (st *stream) checkQuotaLocked(extra int) error {
	if extra <= 0 {
		return nil
	}
	sc := st.key.scope()
	open := len(st.mu.routes) + st.othersOpen
	if quota := st.s.opts.ShardQuota; open+extra > quota {
		return errorf(KindLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Current shard "+
			"count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. "+
			"Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "+
			"current limits and how to request higher limits.", sc.Account, sc.Region, open, quota, extra)
	}
	return nil
}

// closeLocked seals a shard's log and records where it ends.
func (st *stream) closeLocked(sh *shard, now time.Time) {
	sh.meta.EndSeq = sh.log.Seal()
	sh.meta.Closed = now.UnixMilli()
}

// newShardLocked creates and opens a shard.
func (st *stream) newShardLocked(parent, adjacent int, r HashRange, now time.Time) (*shard, error) {
	m := st.mu.meta
	sm := &shardMeta{Index: m.NextShardIndex, Parent: parent, AdjacentParent: adjacent,
		Start: r.Start.String(), End: r.End.String(), Created: now.UnixMilli()}
	sh, err := st.openShard(sm)
	if err != nil {
		return nil, err
	}
	m.NextShardIndex++
	m.Shards = append(m.Shards, sm)
	st.mu.shards = append(st.mu.shards, sh)
	return sh, nil
}

func (st *stream) splitLocked(sh *shard, key HashKey, now time.Time) error {
	st.closeLocked(sh, now)
	if _, err := st.newShardLocked(sh.meta.Index, -1, HashRange{sh.hash.Start, key.Sub(1)}, now); err != nil {
		return err
	}
	_, err := st.newShardLocked(sh.meta.Index, -1, HashRange{key, sh.hash.End}, now)
	return err
}

func (st *stream) mergeLocked(a, b *shard, now time.Time) (*shard, error) {
	lo, hi := a, b
	if b.hash.Start.Less(a.hash.Start) {
		lo, hi = b, a
	}
	st.closeLocked(a, now)
	st.closeLocked(b, now)
	return st.newShardLocked(a.meta.Index, b.meta.Index, HashRange{lo.hash.Start, hi.hash.End}, now)
}

// scaleLocked reshapes the open shards into target equal ranges: first split every open shard at each
// target boundary inside it, then merge neighbouring pieces that fall in the same target range.
func (st *stream) scaleLocked(target int, now time.Time) error {
	bounds := make([]HashRange, target)
	for i := range bounds {
		bounds[i] = splitHashSpace(i, target)
	}
	rangeOf := func(k HashKey) int { // the target range holding k
		lo, hi := 0, target-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if k.Less(bounds[mid].Start) {
				hi = mid - 1
			} else {
				lo = mid
			}
		}
		return lo
	}
	open := append([]*shard(nil), st.mu.routes...)
	var pieces []*shard
	for _, sh := range open {
		cur := sh
		for i := rangeOf(cur.hash.Start) + 1; i < target && !cur.hash.End.Less(bounds[i].Start); i++ {
			if err := st.splitLocked(cur, bounds[i].Start, now); err != nil {
				return err
			}
			n := len(st.mu.shards)
			pieces = append(pieces, st.mu.shards[n-2])
			cur = st.mu.shards[n-1]
		}
		pieces = append(pieces, cur)
	}
	for i := 0; i < len(pieces); {
		j := i + 1
		merged := pieces[i]
		for j < len(pieces) && rangeOf(pieces[j].hash.Start) == rangeOf(merged.hash.Start) {
			var err error
			if merged, err = st.mergeLocked(merged, pieces[j], now); err != nil {
				return err
			}
			j++
		}
		i = j
	}
	return nil
}
