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

// SubscribeEvent is one event of a subscription. Call Release when done with Records.
type SubscribeEvent struct {
	Records []Record
	// ContinuationSequenceNumber is where to subscribe again (AFTER_SEQUENCE_NUMBER): the number of the
	// last record delivered so far. It is "" in the last event of a closed shard, which has ChildShards.
	ContinuationSequenceNumber string
	MillisBehindLatest         int64
	ChildShards                []ChildShard
	batch                      *batch // holding Records, which other subscriptions may share
}

// Release gives back the event's records; they must not be used afterwards. Records are shared with
// other subscriptions of the shard: never modify them.
func (e *SubscribeEvent) Release() {
	if e.batch != nil {
		e.batch.release()
		e.batch = nil
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
			if errors.Is(err, ErrClosed) { // the stream was deleted, or the shard expired
				st.mu.RLock()
				deleted := st.mu.deleted
				st.mu.RUnlock()
				if err = st.shardNotFound(sh.id); deleted {
					err = notFound(st.key)
				}
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

// eventBufs are a batch's pooled buffers: the frames read and the records that alias them.
type eventBufs struct {
	data []byte
	recs []Record
}

var eventPool = sync.Pool{New: func() any { return &eventBufs{data: make([]byte, 0, 64<<10)} }}

// batch is a run of a shard's committed records as one read decoded them. The shard's subscriptions at
// the same position share it (the consumers that one commit wakes read the same records), so that the
// read, the checksums, the decryption and the sequence numbers are done once per batch instead of
// once per consumer, and so is what SubscribeEvent.Memo derives from the records (their encoding).
// The first subscription to reach a position loads the batch; the others wait for the load and take
// a reference. A batch is shared only while someone holds it, and only with records in it: a
// subscription that finds none reads for itself, so it never sleeps on a stale answer. The last
// release returns the buffers.
type batch struct {
	st          *stream
	shard       int
	from, next  uint64
	recs        []Record
	lastArrival int64
	bufs        *eventBufs
	err         error
	loaded      chan struct{} // closed when the fields above are set
	refs        int           // guarded by st.subs

	memo struct {
		sync.Mutex
		keys  []any
		vals  [][]byte
		frees []func([]byte)
	}
}

// acquireBatch returns the batch of records at sub.pos: a shared one if another subscription of the
// shard has just read there, else one it reads (and shares).
func (sub *Subscription) acquireBatch() *batch {
	st, idx := sub.st, sub.sh.meta.Index
	st.subs.Lock()
	if b := st.subs.batches[idx]; b != nil && b.from == sub.pos {
		b.refs++
		st.subs.Unlock()
		<-b.loaded
		if b.err == nil && len(b.recs) > 0 {
			return b
		}
		b.release()
		b = sub.newBatch()
		b.load(sub)
		return b
	}
	// Claim the position in the same critical section, so that the others wait for this load.
	b := sub.newBatch()
	if st.subs.batches == nil {
		st.subs.batches = make(map[int]*batch)
	}
	st.subs.batches[idx] = b
	st.subs.Unlock()
	b.load(sub)
	return b
}

func (sub *Subscription) newBatch() *batch {
	return &batch{st: sub.st, shard: sub.sh.meta.Index, from: sub.pos, loaded: make(chan struct{}), refs: 1}
}

// load reads the batch, then lets waiters have it.
func (b *batch) load(sub *Subscription) {
	defer close(b.loaded)
	sh := sub.sh
	bufs := eventPool.Get().(*eventBufs)
	entries, next, data, err := sh.log.Read(b.from, maxEventRecords, maxEventBytes, bufs.data[:0])
	bufs.data = data
	if err != nil || len(entries) == 0 {
		eventPool.Put(bufs)
		b.err = err
		return
	}
	recs := bufs.recs[:0]
	var seqBuf [64]byte
	for i := range entries {
		e := &entries[i]
		d := e.Data
		if e.Flags&FlagEncrypted != 0 {
			if d, err = sub.s.crypt.open(d); err != nil {
				bufs.recs = recs
				clear(recs)
				eventPool.Put(bufs)
				b.err = err
				return
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
	bufs.recs = recs
	b.bufs, b.recs, b.next, b.lastArrival = bufs, recs, next, entries[len(entries)-1].Arrival
}

// release drops a reference; the last one returns the batch's buffers.
func (b *batch) release() {
	st := b.st
	st.subs.Lock()
	b.refs--
	last := b.refs == 0
	if last && st.subs.batches[b.shard] == b {
		delete(st.subs.batches, b.shard)
	}
	st.subs.Unlock()
	if !last {
		return
	}
	for i, free := range b.memo.frees {
		if free != nil {
			free(b.memo.vals[i])
		}
	}
	if b.bufs != nil {
		clear(b.bufs.recs) // drop the references to data and strings
		eventPool.Put(b.bufs)
		b.bufs, b.recs = nil, nil
	}
}

// Memo returns build's result for key, built once for all the subscriptions that share the event's
// records and kept as long as they do; then free, if not nil, gets it back (to return it to a pool).
// build must derive its result from Records alone (an encoding of them, say); it runs under a lock, so
// that the others wait for it rather than repeat it.
func (e *SubscribeEvent) Memo(key any, build func() []byte, free func([]byte)) []byte {
	if e.batch == nil {
		return build()
	}
	m := &e.batch.memo
	m.Lock()
	defer m.Unlock()
	for i, k := range m.keys {
		if k == key {
			return m.vals[i]
		}
	}
	v := build()
	m.keys, m.vals, m.frees = append(m.keys, key), append(m.vals, v), append(m.frees, free)
	return v
}

// read takes the batch at sub.pos and advances past it. n is the number of records; with none, the
// event holds nothing.
func (sub *Subscription) read(now time.Time) (ev SubscribeEvent, n int, err error) {
	b := sub.acquireBatch()
	if b.err != nil || len(b.recs) == 0 {
		err := b.err
		b.release()
		return SubscribeEvent{}, 0, err
	}
	ev = SubscribeEvent{Records: b.recs, batch: b}
	if b.next < sub.sh.log.NextSeq() {
		ev.MillisBehindLatest = max(0, now.UnixMilli()-b.lastArrival)
	}
	sub.pos = b.next
	sub.cont = b.recs[len(b.recs)-1].SequenceNumber
	return ev, len(b.recs), nil
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
