package streams

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// Subscriptions (SubscribeToShard). A subscription pushes a shard's records to one consumer as they
// become durable: Next blocks on the shard log's commit notification (Log.Changed), never on a poll,
// and returns the records committed since the last event. Like AWS's:
//
//   - it lasts SubscriptionLifetime, then Next returns io.EOF and the client subscribes again from the
//     last ContinuationSequenceNumber;
//   - Next returns an event at least every SubscriptionHeartbeat, records or not, so that a client can
//     checkpoint and tell a quiet shard from a dead connection; the first event comes at once;
//   - at the end of a closed shard the last event carries ChildShards and no ContinuationSequenceNumber
//     (the KCL reads that pair as "shard end"), and the subscription ends;
//   - one consumer has at most one subscription per shard: subscribing again within
//     SubscriptionTakeover of the live subscription's start is refused (KindInUse); later, the new
//     subscription takes over and the old one's Next fails with KindInUse;
//   - deregistering the consumer or deleting the stream ends it with KindNotFound.
//
// Times come from Options.Now; the waits between events use real timers for the difference, so tests
// drive them under testing/synctest. Next and Close belong to the subscription's owner (one goroutine);
// takeovers and deregistrations end a subscription from other goroutines through its stop channel.

// Subscription timing, as in AWS.
const (
	SubscriptionLifetime  = 5 * time.Minute
	SubscriptionHeartbeat = 5 * time.Second
	SubscriptionTakeover  = 5 * time.Second
)

// An event holds at most this much: a record larger than maxEventBytes still goes, alone.
const (
	maxEventRecords = 10000
	maxEventBytes   = 1 << 20 // partition keys and data
)

// subKey identifies a subscription slot: a consumer (by name and creation, so that a consumer
// registered again is another one) on a shard.
type subKey struct {
	consumer        string
	consumerCreated int64 // Unix ms
	shard           int
}

// Subscription is a consumer's live subscription to a shard. Call Next until it returns an error, then
// (or to give up early) Close.
type Subscription struct {
	s       *Store
	st      *stream
	sh      *shard
	key     subKey
	arn     string    // the consumer's, for messages
	started time.Time // by the store's clock

	// The owner's state: only Next and Close touch it.
	pos       uint64    // the log Seq to read next
	cont      string    // ContinuationSequenceNumber of pos once known: the last record delivered's
	lastEvent time.Time // when Next last returned an event; zero before the first
	done      error     // set once Next has returned a final error (io.EOF included)
	timer     *time.Timer

	stop chan struct{} // closed by end
	mu   struct {
		sync.Mutex
		err   error // why stop was closed
		ended bool
	}
}

// SubscribeEvent is one batch of a subscription. Call Release when done with Records.
type SubscribeEvent struct {
	Records []Record
	// ContinuationSequenceNumber is where to subscribe again (AFTER_SEQUENCE_NUMBER): the number of the
	// last record delivered so far. It is "" in the last event of a closed shard, which has ChildShards.
	ContinuationSequenceNumber string
	MillisBehindLatest         int64
	ChildShards                []ChildShard
	release                    func()
}

// Release returns the event's buffers to the store for reuse. Records must not be used afterwards.
func (e *SubscribeEvent) Release() {
	if e.release != nil {
		e.release()
		e.release = nil
	}
}

// Subscribe starts a subscription of the consumer arn names to a shard, from pos. It fails
// NotFound for an unknown stream, consumer or shard, InUse while the consumer is not ACTIVE or when the
// consumer's subscription to the shard is younger than SubscriptionTakeover, InvalidArgument for a bad
// position.
func (s *Store) Subscribe(sc Scope, arn, shardID string, pos StartingPosition) (*Subscription, error) {
	ck, err := parseConsumerARN(arn)
	if err != nil {
		return nil, err
	}
	st, err := s.lookupKey(ck.stream)
	if err != nil {
		return nil, err
	}
	now := s.now()
	st.mu.RLock()
	defer st.mu.RUnlock() // held while registering, so that a deregistration sees the subscription
	if err := st.writableLocked(now); err != nil {
		return nil, err
	}
	c := st.consumerLocked(ck, now)
	if c == nil {
		return nil, consumerNotFound(ck)
	}
	arn = consumerARN(st.key, c.Name, c.Created)
	if status := c.status(now); status != StatusActive {
		return nil, errorf(KindInUse, "Consumer %s under account %s not ACTIVE, instead in state %s", arn, st.key.account, status)
	}
	sh := st.shardLocked(shardID)
	if sh == nil {
		return nil, st.shardNotFound(shardID)
	}
	p, err := st.positionLocked(sh, "SubscribeToShard", pos, now)
	if err != nil {
		return nil, err
	}
	sub := &Subscription{s: s, st: st, sh: sh, key: subKey{c.Name, c.Created, sh.meta.Index}, arn: arn, started: now,
		pos: p, stop: make(chan struct{})}
	if pos.Type == IteratorAfterSeq {
		if sn, ok := parseSeqNum(pos.SequenceNumber); ok && sn.seqIndex == p {
			sub.cont = pos.SequenceNumber // the client's own number: where it is, exactly
		}
	}

	st.subs.Lock()
	defer st.subs.Unlock()
	if old := st.subs.m[sub.key]; old != nil {
		if now.Sub(old.started) < SubscriptionTakeover {
			return nil, errorf(KindInUse, "Another active subscription exists for consumer %s on shard %s.", arn, sh.id)
		}
		old.end(errorf(KindInUse, "The subscription of consumer %s to shard %s was taken over by a newer SubscribeToShard call.",
			arn, sh.id))
	}
	if st.subs.m == nil {
		st.subs.m = make(map[subKey]*Subscription)
	}
	st.subs.m[sub.key] = sub
	return sub, nil
}

// end stops the subscription from any goroutine: its Next returns err.
func (sub *Subscription) end(err error) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if !sub.mu.ended {
		sub.mu.ended, sub.mu.err = true, err
		close(sub.stop)
	}
}

// endSubscriptions ends the stream's subscriptions whose keys match with err.
func (st *stream) endSubscriptions(match func(subKey) bool, err error) {
	st.subs.Lock()
	defer st.subs.Unlock()
	for k, sub := range st.subs.m {
		if match(k) {
			sub.end(err)
			delete(st.subs.m, k)
		}
	}
}

// Close ends the subscription and frees its slot. It is safe to call more than once.
func (sub *Subscription) Close() {
	sub.end(io.EOF)
	st := sub.st
	st.subs.Lock()
	if st.subs.m[sub.key] == sub {
		delete(st.subs.m, sub.key)
	}
	st.subs.Unlock()
	if sub.timer != nil {
		sub.timer.Stop()
	}
}

// finish ends the subscription and makes err Next's answer from now on.
func (sub *Subscription) finish(err error) (SubscribeEvent, error) {
	sub.Close()
	sub.done = err
	return SubscribeEvent{}, err
}

// Next blocks until there is an event to deliver: records as soon as they are durable, the end of a
// closed shard, or a heartbeat. It returns io.EOF once the subscription's lifetime is over or after the
// last event of a closed shard, a *Error when the subscription was taken over (KindInUse) or its
// consumer or stream is gone (KindNotFound), or ctx's error. The event is valid until Release.
func (sub *Subscription) Next(ctx context.Context) (SubscribeEvent, error) {
	if sub.done != nil {
		return SubscribeEvent{}, sub.done
	}
	s, st, sh := sub.s, sub.st, sub.sh
	end := sub.started.Add(SubscriptionLifetime)
	for {
		// Take the notification channel before looking, so that a commit after the read wakes us.
		changed := sh.log.Changed()
		select {
		case <-sub.stop:
			sub.mu.Lock()
			err := sub.mu.err
			sub.mu.Unlock()
			return sub.finish(err)
		default:
		}
		now := s.now()
		if !now.Before(end) {
			return sub.finish(io.EOF)
		}
		st.mu.RLock()
		deleted := st.mu.deleted
		closed, endSeq := sh.meta.Closed != 0, sh.meta.EndSeq
		var children []ChildShard
		if closed {
			children = st.childrenLocked(sh.meta.Index)
		}
		st.mu.RUnlock()
		if deleted {
			return sub.finish(notFound(st.key))
		}

		ev, n, err := sub.read(now)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				err = notFound(st.key)
			}
			return sub.finish(err)
		}
		atEnd := closed && sub.pos >= endSeq
		if n > 0 || atEnd || sub.lastEvent.IsZero() || now.Sub(sub.lastEvent) >= SubscriptionHeartbeat {
			if atEnd {
				ev.ContinuationSequenceNumber, ev.ChildShards = "", children
				sub.Close()
				sub.done = io.EOF // the last event: the next call reports the end
			} else if ev.ContinuationSequenceNumber, err = sub.continuation(); err != nil {
				ev.Release()
				return sub.finish(err)
			}
			sub.lastEvent = now
			return ev, nil
		}

		wait := min(sub.lastEvent.Add(SubscriptionHeartbeat).Sub(now), end.Sub(now))
		if sub.timer == nil {
			sub.timer = time.NewTimer(wait)
		} else {
			sub.timer.Reset(wait)
		}
		select {
		case <-changed:
		case <-sub.stop:
		case <-sub.timer.C:
		case <-ctx.Done():
			return sub.finish(ctx.Err())
		}
	}
}

// eventBufs are an event's pooled buffers: the frames read and the records that alias them.
type eventBufs struct {
	data []byte
	recs []Record
}

var eventPool = sync.Pool{New: func() any { return &eventBufs{data: make([]byte, 0, 64<<10)} }}

// read reads what is committed from sub.pos on (at most one event's worth) and advances sub.pos. n is
// the number of records read; with none, the event holds no buffers.
func (sub *Subscription) read(now time.Time) (ev SubscribeEvent, n int, err error) {
	sh := sub.sh
	b := eventPool.Get().(*eventBufs)
	entries, next, data, err := sh.log.Read(sub.pos, maxEventRecords, maxEventBytes, b.data[:0])
	b.data = data
	if err != nil || len(entries) == 0 {
		eventPool.Put(b)
		return SubscribeEvent{}, 0, err
	}
	recs := b.recs[:0]
	var seqBuf [64]byte
	for i := range entries {
		e := &entries[i]
		d := e.Data
		if e.Flags&FlagEncrypted != 0 {
			if d, err = sub.s.crypt.open(d); err != nil {
				b.recs = recs
				eventPool.Put(b)
				return SubscribeEvent{}, 0, err
			}
		}
		recs = append(recs, Record{
			SequenceNumber: string(sh.appendSeq(seqBuf[:0], e.Seq, e.Arrival)),
			Arrival:        time.UnixMilli(e.Arrival),
			Data:           d,
			PartitionKey:   string(e.PartitionKey),
			Encrypted:      e.Flags&FlagEncrypted != 0,
		})
	}
	b.recs = recs
	last := &entries[len(entries)-1]
	ev = SubscribeEvent{Records: recs, release: func() {
		clear(b.recs) // drop the references to data and strings
		eventPool.Put(b)
	}}
	if next < sh.log.NextSeq() {
		ev.MillisBehindLatest = max(0, now.UnixMilli()-last.Arrival)
	}
	sub.pos = next
	sub.cont = recs[len(recs)-1].SequenceNumber
	return ev, len(entries), nil
}

// continuation returns the ContinuationSequenceNumber of sub.pos: the number of the record before it,
// with which AFTER_SEQUENCE_NUMBER resumes at pos (the shard's starting number for pos 0).
func (sub *Subscription) continuation() (string, error) {
	if sub.cont != "" {
		return sub.cont, nil
	}
	sh := sub.sh
	if sub.pos == 0 {
		sub.cont = sh.seq(0, sh.meta.Created/1000)
		return sub.cont, nil
	}
	// Started mid-shard and nothing delivered yet: read the previous record for its arrival time,
	// which its number carries. If retention has trimmed it, its number is made with the shard's
	// creation time instead: it still resumes at the same place.
	arrival := sh.meta.Created
	entries, _, _, err := sh.log.Read(sub.pos-1, 1, 0, nil)
	if err != nil {
		return "", err
	}
	if len(entries) == 1 && entries[0].Seq == sub.pos-1 {
		arrival = entries[0].Arrival
	}
	sub.cont = string(sh.appendSeq(nil, sub.pos-1, arrival))
	return sub.cont, nil
}
