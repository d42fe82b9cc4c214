package streams

import (
	"time"
)

// Retention: every SweepInterval the store trims each shard log to the stream's retention period
// (whole segments are deleted; records older than the period become unreadable at once) and drops
// closed shards whose every record has expired, deleting their logs. Streams whose DELETING period is
// over are forgotten.

func (s *Store) sweepLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sweep()
		}
	}
}

func (s *Store) sweep() {
	now := s.now()
	s.mu.RLock()
	sts := make([]*stream, 0, len(s.mu.streams))
	for _, st := range s.mu.streams {
		sts = append(sts, st)
	}
	s.mu.RUnlock()
	for _, st := range sts {
		if st.gone(now) {
			s.forget(st)
			continue
		}
		st.enforceRetention(now)
	}
}

func (st *stream) enforceRetention(now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mu.deleted {
		return
	}
	cutoff := now.Add(-st.retention()).UnixMilli()
	for _, sh := range append([]*shard(nil), st.mu.shards...) {
		if sh.meta.Closed != 0 && sh.meta.Closed < cutoff {
			if err := st.removeShardLocked(sh); err != nil {
				st.s.logger.Error("remove expired shard", "stream", st.key.name, "shard", sh.id, "err", err)
			}
			continue
		}
		if err := sh.log.Trim(cutoff); err != nil {
			st.s.logger.Error("trim shard log", "stream", st.key.name, "shard", sh.id, "err", err)
		}
	}
}
