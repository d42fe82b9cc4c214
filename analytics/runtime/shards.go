package runtime

import (
	"fmt"
	"strconv"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// Starting positions (Input.Start).
const (
	StartNow              = "NOW"
	StartTrimHorizon      = "TRIM_HORIZON"
	StartLastStoppedPoint = "LAST_STOPPED_POINT"
)

var timeZero time.Time

// source follows every shard of one input's stream across splits and merges: a shard is read once all
// of its parents still listed are read to their end, so that arrival times stay in order.
type source struct {
	idx     int // in Config.Inputs
	cfg     Input
	base    int // the engine input of NamePrefix_001
	n       int // parallelism
	created int64
	shards  map[int]*shardState // by shard index: shards being read or done
}

type shardState struct {
	cur  *cursor // nil once done
	pos  uint64  // where it starts, before a cursor exists
	done bool
}

// inApp is the rule that assigns shards to in-application streams: shard index modulo the parallelism.
// A shard's index never changes and children get new indexes, so the assignment is stable across
// restarts and reshards.
func (s *source) inApp(index int) int { return s.base + index%s.n }

func shardIndex(id string) (int, error) {
	const prefix = "shardId-"
	if len(id) <= len(prefix) || id[:len(prefix)] != prefix {
		return 0, fmt.Errorf("bad shard id %q", id)
	}
	return strconv.Atoi(id[len(prefix):])
}

// list returns the source's shards and its creation time.
func (s *source) list(store *streams.Store) (int64, []streams.ShardInfo, error) {
	info, shards, err := store.ListShards(s.cfg.Scope, s.cfg.Ref, streams.ShardFilter{}, timeZero)
	if err != nil {
		return 0, nil, fmt.Errorf("list shards of input %d: %w", s.idx, err)
	}
	return info.Created.UnixMilli(), shards, nil
}

// begin sets where a source starts without a checkpoint: at NOW, every open shard at its tip and the
// closed ones done; at TRIM_HORIZON, nothing yet (discover starts the oldest shards at their first
// record).
func (s *source) begin(store *streams.Store, start string) error {
	created, shards, err := s.list(store)
	if err != nil {
		return err
	}
	s.created = created
	s.shards = map[int]*shardState{}
	if start == StartTrimHorizon {
		return nil
	}
	for _, sh := range shards {
		idx, err := shardIndex(sh.ID)
		if err != nil {
			return err
		}
		if !sh.Open() {
			s.shards[idx] = &shardState{done: true}
			continue
		}
		pos, err := store.ShardPosition(s.cfg.Scope, s.cfg.Ref, sh.ID, streams.IteratorLatest, timeZero)
		if err != nil {
			return err
		}
		s.shards[idx] = &shardState{pos: pos}
	}
	return nil
}

// resume sets positions from a checkpoint.
func (s *source) resume(c inputCheckpoint) {
	s.created = c.Created
	s.shards = make(map[int]*shardState, len(c.Shards))
	for _, sh := range c.Shards {
		s.shards[sh.Index] = &shardState{pos: sh.Pos, done: sh.Done}
	}
}

// discover lists the shards and returns cursors for the ones to start reading: those with a position
// and no cursor yet, and new ones whose parents are done (from their first record). Shards gone from
// the listing (expired) are forgotten.
func (s *source) discover(store *streams.Store) ([]*cursor, error) {
	created, shards, err := s.list(store)
	if err != nil {
		return nil, err
	}
	if created != s.created {
		return nil, fmt.Errorf("input %d: the source stream was deleted and created again", s.idx)
	}
	listed := make(map[string]bool, len(shards))
	byIndex := make(map[int]bool, len(shards))
	for _, sh := range shards {
		listed[sh.ID] = true
		idx, err := shardIndex(sh.ID)
		if err != nil {
			return nil, err
		}
		byIndex[idx] = true
	}
	for idx := range s.shards {
		if !byIndex[idx] {
			delete(s.shards, idx)
		}
	}
	var out []*cursor
	for _, sh := range shards {
		idx, _ := shardIndex(sh.ID)
		st := s.shards[idx]
		if st == nil {
			ready := true
			for _, p := range []string{sh.ParentID, sh.AdjacentParentID} {
				if p == "" || !listed[p] {
					continue // a parent that expired has nothing left to read
				}
				pi, _ := shardIndex(p)
				if ps := s.shards[pi]; ps == nil || !ps.done {
					ready = false
				}
			}
			if !ready {
				continue
			}
			pos, err := store.ShardPosition(s.cfg.Scope, s.cfg.Ref, sh.ID, streams.IteratorTrimHorizon, timeZero)
			if err != nil {
				return nil, err
			}
			st = &shardState{pos: pos}
			s.shards[idx] = st
		}
		if st.done || st.cur != nil {
			continue
		}
		st.cur = &cursor{input: s.idx, inApp: s.inApp(idx), id: sh.ID, index: idx, pos: st.pos, slot: -1}
		out = append(out, st.cur)
	}
	return out, nil
}

// finish marks a shard read to its end.
func (s *source) finish(c *cursor) {
	if st := s.shards[c.index]; st != nil {
		st.done, st.cur, st.pos = true, nil, c.pos
	}
}

// checkpoint returns where the source stands: each shard's next record to push.
func (s *source) checkpoint() inputCheckpoint {
	c := inputCheckpoint{Created: s.created}
	for idx, st := range s.shards {
		pos := st.pos
		if st.cur != nil {
			pos = st.cur.pos
		}
		c.Shards = append(c.Shards, shardCheckpoint{Index: idx, Pos: pos, Done: st.done})
	}
	sortShards(c.Shards)
	return c
}
