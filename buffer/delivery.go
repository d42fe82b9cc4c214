package buffer

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
	"github.com/hydrantio/hydrant/transforms"
	"golang.org/x/sync/semaphore"
)

// Processor turns one source record into zero or more output records, each with its partition (the
// zero Partition without dynamic partitioning), by calling emit. It must be a pure function of data:
// a cut is processed again when its delivery is retried or replayed. An error sends the source record
// to the error output; a *ProcessingError says how it is reported.
type Processor func(data []byte, emit func(Partition, []byte)) error

// ProcessingError is a record a Processor refused.
type ProcessingError struct {
	OutputType string // the !{firehose:error-output-type} of the error object: "processing-failed"...
	Code       string // the errorCode in the error record
	Message    string
}

func (e *ProcessingError) Error() string { return e.Code + ": " + e.Message }

// KeyInput is what an object's key is made of. Every field is a function of the cut, so a delivery
// repeated after a crash writes the same key.
type KeyInput struct {
	Oldest    time.Time // arrival of the oldest record in the cut
	ID        string    // derived from the delivery, the cut's range, the partition and the error type
	Partition Partition
	ErrorType string // set for error objects
}

// Output says how a cut's records become objects.
type Output struct {
	Objects     sinks.Sink // idempotent puts: an identical object already there is success
	Bucket      string
	Codec       transforms.Codec
	ContentType string    // default application/octet-stream, as Firehose writes
	Process     Processor // nil: records are delivered as they are
	// Key returns the key of a records object. An error (a partition whose evaluated prefix is too
	// long, say) sends the partition's records to the error output as processing-failed.
	Key      func(KeyInput) (string, error)
	ErrorKey func(KeyInput) (string, error) // the key of an error object
	// OpenObjects is how many objects of one cut are written at once (one pass over the cut's
	// records each), default 8. Slots, shared by every delivery of a sink, bounds the objects being
	// written at once in all: a delivery takes the slots of a whole group before it starts, so that
	// groups never wait on each other half-open; size it to the concurrent Puts the sink's budget
	// serves. Nil: no bound beyond OpenObjects.
	OpenObjects int
	Slots       *semaphore.Weighted
}

// DeliveryConfig configures one delivery stream's delivery.
type DeliveryConfig struct {
	Name string // the delivery stream's name, part of every object id
	// Identity tells this delivery stream from every other that may write under the same keys: one
	// of the same name in another account or region, or one deleted and made again (its log starts
	// again at position 0). Part of every object id; the Manager gives the ARN and the creation time.
	Identity string
	Store    *streams.Store
	Scope    streams.Scope
	Source   streams.StreamRef
	// StartAt is where a shard with no cursor yet begins: streams.IteratorTrimHorizon, or
	// streams.IteratorLatest meaning the records that arrived from DeliveryStart on.
	StartAt       string
	DeliveryStart time.Time
	Journal       string // path of the journal of cuts
	Rules         Rules
	Output        Output
	Now           func() time.Time
	Logger        *slog.Logger
}

// Delivery runs a delivery stream's delivery: one lane per source shard, each planning cuts over its
// shard's log and delivering them, a child shard's lane starting once its parents' are finished so
// that records of one partition key reach the destination in order.
type Delivery struct {
	cfg     DeliveryConfig
	journal *Journal
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	done    chan struct{}

	mu struct {
		sync.Mutex
		stats    DeliveryStats
		err      error
		lanes    map[string]laneState
		inflight map[uint64]int64 // cuts being delivered: their oldest arrival
	}
}

// laneState is what a lane has not delivered yet, for the freshness and backlog metrics.
type laneState struct {
	oldest  int64 // arrival of the oldest record not yet delivered, Unix ms; 0 if none
	backlog int64 // records in the log not yet delivered
}

// setInflight records a cut being delivered (oldest > 0) or delivered (0).
func (d *Delivery) setInflight(id uint64, oldest int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mu.inflight == nil {
		d.mu.inflight = map[uint64]int64{}
	}
	if oldest > 0 {
		d.mu.inflight[id] = oldest
	} else {
		delete(d.mu.inflight, id)
	}
}

// setLane records a lane's oldest undelivered arrival and backlog; -1 leaves a field as it is.
func (d *Delivery) setLane(shardID string, oldest, backlog int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mu.lanes == nil {
		d.mu.lanes = map[string]laneState{}
	}
	l := d.mu.lanes[shardID]
	if oldest >= 0 {
		l.oldest = oldest
	}
	if backlog >= 0 {
		l.backlog = backlog
	}
	d.mu.lanes[shardID] = l
}

// DeliveryStats count what a delivery has done since it started.
type DeliveryStats struct {
	Cuts         int64
	Records      int64 // source records delivered (to objects or the error output)
	Objects      int64
	ObjectBytes  int64 // bytes of the objects stored (compressed)
	Bytes        int64 // source record bytes delivered
	Errors       int64 // source records sent to the error output
	LastOldestMs int64 // arrival of the oldest record of the last delivered cut
	LastDoneMs   int64 // when that cut was delivered
	// Backlog is the records in the source not yet delivered, and OldestUndeliveredMs the arrival of
	// the oldest of them (0 when there is none): DataFreshness is the time since.
	Backlog             int64
	OldestUndeliveredMs int64
}

// StartDelivery opens the journal and starts the delivery's goroutines. Stop stops them.
func StartDelivery(cfg DeliveryConfig) (*Delivery, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Output.OpenObjects <= 0 {
		cfg.Output.OpenObjects = 8
	}
	if cfg.Output.ContentType == "" {
		cfg.Output.ContentType = "application/octet-stream"
	}
	j, err := OpenJournal(cfg.Journal)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Delivery{cfg: cfg, journal: j, cancel: cancel, done: make(chan struct{})}
	go d.run(ctx)
	return d, nil
}

// Stop stops the delivery and waits for its goroutines. Work in progress is abandoned; the journal
// lets the next start finish it.
func (d *Delivery) Stop() error {
	d.cancel()
	<-d.done
	return d.journal.Close()
}

// Stats returns what the delivery has done so far, and what it has not done yet.
func (d *Delivery) Stats() DeliveryStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.mu.stats
	oldest := func(ms int64) {
		if ms > 0 && (st.OldestUndeliveredMs == 0 || ms < st.OldestUndeliveredMs) {
			st.OldestUndeliveredMs = ms
		}
	}
	for _, l := range d.mu.lanes {
		st.Backlog += l.backlog
		oldest(l.oldest)
	}
	for _, ms := range d.mu.inflight {
		oldest(ms)
	}
	return st
}

// Err returns the error that stopped the delivery, if one did (a broken journal).
func (d *Delivery) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mu.err
}

// run starts lanes as shards become eligible and waits for them. If the source stream is deleted and
// created again under its name, the lanes of the old one end and delivery starts over on the new one.
func (d *Delivery) run(ctx context.Context) {
	defer close(d.done)
	defer d.wg.Wait()
	started := map[string]bool{}
	finished := map[string]bool{}
	laneDone := make(chan string)
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	// A generation's lanes read one incarnation of the source stream; its context ends them.
	type generation struct {
		ctx  context.Context
		stop context.CancelFunc
	}
	newGeneration := func() generation {
		c, stop := context.WithCancel(ctx)
		return generation{c, stop}
	}
	gen := newGeneration()
	defer func() { gen.stop() }()
	for {
		info, shards, err := d.cfg.Store.ListShards(d.cfg.Scope, d.cfg.Source, streams.ShardFilter{}, time.Time{})
		if err != nil {
			d.cfg.Logger.Warn("delivery: list source shards", "delivery", d.cfg.Name, "err", err)
		} else if created := info.Created.UnixMilli(); created != d.journal.Source() {
			if d.journal.Source() != 0 {
				d.cfg.Logger.Warn("delivery: the source stream was created again: starting over on the new one",
					"delivery", d.cfg.Name, "stream", info.Name)
				gen.stop()
				d.wg.Wait()
				gen = newGeneration()
				clear(started)
				clear(finished)
			}
			if err := d.journal.SetSource(created); err != nil {
				d.fail(err)
				return
			}
		}
		listed := map[string]bool{}
		for _, sh := range shards {
			listed[sh.ID] = true
		}
		for _, sh := range shards {
			if started[sh.ID] {
				continue
			}
			ready := true
			for _, p := range []string{sh.ParentID, sh.AdjacentParentID} {
				// A parent that has expired from the listing has nothing left to deliver.
				if p != "" && listed[p] && !finished[p] {
					ready = false
				}
			}
			if !ready {
				continue
			}
			started[sh.ID] = true
			d.wg.Add(1)
			go func(gen context.Context) {
				defer d.wg.Done()
				err := d.lane(gen, sh.ID)
				if err != nil && gen.Err() == nil {
					d.fail(err)
				}
				select {
				case laneDone <- sh.ID:
				case <-gen.Done():
				}
			}(gen.ctx)
		}
		select {
		case <-ctx.Done():
			return
		case id := <-laneDone:
			finished[id] = true
		case <-tick.C:
		}
	}
}

func (d *Delivery) fail(err error) {
	d.cfg.Logger.Error("delivery stopped", "delivery", d.cfg.Name, "err", err)
	d.mu.Lock()
	if d.mu.err == nil {
		d.mu.err = err
	}
	d.mu.Unlock()
	d.cancel()
}

func shardIndex(id string) (int, error) {
	const prefix = "shardId-"
	if len(id) <= len(prefix) {
		return 0, fmt.Errorf("bad shard id %q", id)
	}
	return strconv.Atoi(id[len(prefix):])
}

// lane plans and delivers the cuts of one shard until the shard is closed and delivered.
func (d *Delivery) lane(ctx context.Context, shardID string) error {
	idx, err := shardIndex(shardID)
	if err != nil {
		return err
	}
	for _, c := range d.journal.Pending() {
		if len(c.Ranges) == 1 && c.Ranges[0].Shard == idx && c.Ranges[0].From < c.Ranges[0].To {
			if err := d.deliverRetrying(ctx, shardID, c); err != nil {
				return err
			}
		}
	}
	pos, ok := d.journal.Cursor(idx)
	if !ok && d.cfg.StartAt == streams.IteratorLatest {
		// Records from DeliveryStart on: a shard born later starts at its first record.
		if pos, err = d.cfg.Store.ShardPosition(d.cfg.Scope, d.cfg.Source, shardID, streams.IteratorAtTimestamp,
			d.cfg.DeliveryStart); err != nil {
			return err
		}
	}
	cutter := NewCutter(d.cfg.Rules)
	objStart, scan := pos, pos
	// Up to two cuts of a lane are delivered at once, so that while one object is compressed and
	// uploaded the next is already on its way: a lane then keeps both cores busy.
	inflight := make(chan struct{}, 2)
	var wg sync.WaitGroup
	var failed error
	var failMu sync.Mutex
	defer wg.Wait()
	cut := func(to uint64) error {
		failMu.Lock()
		err := failed
		failMu.Unlock()
		if err != nil {
			return err
		}
		c, err := d.journal.PlanNext(Cut{Oldest: cutter.Oldest(), Ranges: []Range{{Shard: idx, From: objStart, To: to}}})
		if err != nil {
			return err
		}
		cutter.Reset()
		objStart = to
		d.setLane(shardID, 0, -1)
		d.setInflight(c.ID, c.Oldest)
		select {
		case inflight <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-inflight }()
			if err := d.deliverRetrying(ctx, shardID, c); err != nil {
				failMu.Lock()
				failed = err
				failMu.Unlock()
			}
			d.setInflight(c.ID, 0)
		}()
		return nil
	}
	var buf []byte
	for ctx.Err() == nil {
		var b streams.ShardBatch
		b, buf, err = d.cfg.Store.ReadShard(d.cfg.Scope, d.cfg.Source, shardID, scan, 10000, readBytes, buf[:0])
		if err != nil {
			if streams.KindOf(err) == streams.KindNotFound {
				return nil // the stream or shard is gone: nothing left to deliver
			}
			d.cfg.Logger.Warn("delivery: read source", "delivery", d.cfg.Name, "shard", shardID, "err", err)
			if !sleep(ctx, time.Second) {
				return nil
			}
			continue
		}
		if cutter.Empty() && len(b.Entries) > 0 {
			objStart = b.Entries[0].Seq // retention may have trimmed what lay between
		}
		for i := range b.Entries {
			e := &b.Entries[i]
			if !cutter.Empty() && !cutter.Fits(e.Arrival, len(e.Data)) {
				if err := cut(e.Seq); err != nil {
					return err
				}
			}
			if cutter.Empty() {
				objStart = e.Seq
			}
			if cutter.Empty() {
				d.setLane(shardID, e.Arrival, -1)
			}
			cutter.Add(e.Arrival, len(e.Data))
			if cutter.Full() {
				if err := cut(e.Seq + 1); err != nil {
					return err
				}
			}
		}
		scan = b.Next
		d.setLane(shardID, -1, int64(b.Tip-min(objStart, b.Tip)))
		if cutter.Empty() {
			objStart = scan
		}
		if b.End {
			if !cutter.Empty() {
				if err := cut(scan); err != nil {
					return err
				}
			}
			wg.Wait()
			return failed
		}
		if scan < b.Tip {
			continue // more to read at once
		}
		// Caught up: cut what is due, or wait for records or for the open object to come due.
		now := d.cfg.Now().UnixMilli()
		if cutter.Due(now) {
			if err := cut(scan); err != nil {
				return err
			}
			continue
		}
		var due <-chan time.Time
		var t *time.Timer
		if !cutter.Empty() {
			t = time.NewTimer(time.Duration(cutter.Oldest()+d.cfg.Rules.Interval.Milliseconds()-now) * time.Millisecond)
			due = t.C
		}
		select {
		case <-ctx.Done():
		case <-b.Changed:
		case <-due:
		}
		if t != nil {
			t.Stop()
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// deliverRetrying delivers a planned cut until it succeeds, backing off while the destination fails,
// then marks it delivered.
func (d *Delivery) deliverRetrying(ctx context.Context, shardID string, c Cut) error {
	backoff := 500 * time.Millisecond
	for {
		st, err := d.deliver(ctx, shardID, c)
		if err == nil {
			d.mu.Lock()
			s := &d.mu.stats
			s.Cuts++
			s.Records += st.Records
			s.Objects += st.Objects
			s.ObjectBytes += st.ObjectBytes
			s.Bytes += st.Bytes
			s.Errors += st.Errors
			s.LastOldestMs = c.Oldest
			s.LastDoneMs = d.cfg.Now().UnixMilli()
			d.mu.Unlock()
			return d.journal.Delivered(c.ID)
		}
		if ctx.Err() != nil {
			return nil
		}
		d.cfg.Logger.Warn("delivery: cut failed, retrying", "delivery", d.cfg.Name, "cut", c.ID, "err", err, "backoff", backoff)
		if !sleep(ctx, backoff+time.Duration(rand.Int64N(int64(backoff/2)))) {
			return nil
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// failedRecord is a source record the processor refused, kept by position for the error object.
type failedRecord struct {
	seq uint64
	err *ProcessingError
}

// deliver builds and uploads a cut's objects: first a pass that finds the partitions and the failed
// records, then passes that stream up to OpenObjects partitions each, then the error objects. Memory
// stays bounded whatever the number of partitions: only OpenObjects uploads are open at once.
func (d *Delivery) deliver(ctx context.Context, shardID string, c Cut) (DeliveryStats, error) {
	var st DeliveryStats
	r := c.Ranges[0]
	oldest := time.UnixMilli(c.Oldest)
	keys := map[Partition]string{}   // the key of every partition with records
	badKeys := map[Partition]error{} // partitions whose key cannot be made
	// memo remembers, for each record of the cut in scan order, the one partition all its outputs
	// went to (an index into order), memoMixed if they went to several, or memoNone if it has none
	// to deliver: the passes that write a group of partitions then run the processor only on the
	// records of that group, not on the whole cut again.
	var memo []int32
	partIdx := map[Partition]int32{}
	var order []Partition
	var failed []failedRecord
	err := d.scan(shardID, r, func(e *streams.Entry) error {
		st.Records++
		st.Bytes += int64(len(e.Data))
		refused := false
		m := int32(memoNone)
		return d.process(e.Data, func(p Partition, _ []byte) {
			if _, ok := keys[p]; !ok && badKeys[p] == nil {
				key, err := d.cfg.Output.Key(KeyInput{Oldest: oldest, ID: d.objectID(r, p, ""), Partition: p})
				if err != nil {
					badKeys[p] = err
				} else {
					keys[p] = key
					partIdx[p] = int32(len(order))
					order = append(order, p)
				}
			}
			if err := badKeys[p]; err != nil {
				if !refused {
					refused = true
					failed = append(failed, failedRecord{seq: e.Seq, err: &ProcessingError{OutputType: "processing-failed",
						Code: "S3.InvalidPrefix", Message: err.Error()}})
				}
				return
			}
			switch i := partIdx[p]; {
			case m == memoNone:
				m = i
			case m != i:
				m = memoMixed
			}
		}, func(pe *ProcessingError) {
			refused = true
			failed = append(failed, failedRecord{seq: e.Seq, err: pe})
		}, func() {
			if refused {
				m = memoNone // all or nothing: a refused record goes to the error output only
			}
			memo = append(memo, m)
		})
	})
	if err != nil {
		return st, err
	}
	// Objects go out in partition order, so a retried delivery groups them the same way.
	sorted := append([]Partition(nil), order...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].less(sorted[j]) })
	for len(sorted) > 0 {
		group := sorted[:min(len(sorted), d.cfg.Output.OpenObjects)]
		sorted = sorted[len(group):]
		in := make(map[int32]bool, len(group))
		for _, p := range group {
			in[partIdx[p]] = true
		}
		n, err := d.deliverGroup(ctx, shardID, r, oldest, group, keys, memo, in)
		if err != nil {
			return st, err
		}
		st.ObjectBytes += n
		st.Objects += int64(len(group))
	}
	if len(failed) > 0 {
		if err := d.deliverErrors(ctx, shardID, r, oldest, failed); err != nil {
			return st, err
		}
		st.Errors = int64(len(failed))
		st.Objects++
	}
	return st, nil
}

// deliverGroup writes the objects of a group of partitions in one pass over the cut's records.
func (d *Delivery) deliverGroup(ctx context.Context, shardID string, r Range, oldest time.Time, group []Partition,
	keys map[Partition]string, memo []int32, in map[int32]bool) (stored int64, err error) {
	if slots := d.cfg.Output.Slots; slots != nil {
		if err := slots.Acquire(ctx, int64(len(group))); err != nil {
			return 0, err
		}
		defer slots.Release(int64(len(group)))
	}
	objs := map[Partition]*upload{}
	for _, p := range group {
		u, err := d.startUpload(ctx, keys[p], oldest)
		if err != nil {
			abortAll(objs)
			return 0, err
		}
		objs[p] = u
	}
	i := 0
	werr := d.scan(shardID, r, func(e *streams.Entry) error {
		m := memo[i]
		i++
		if m == memoNone || m >= 0 && !in[m] {
			return nil // none of this record goes to this group's objects
		}
		var err error
		d.process(e.Data, func(p Partition, out []byte) {
			if u := objs[p]; u != nil && err == nil {
				_, err = u.w.Write(out)
			}
		}, func(*ProcessingError) {}, nil)
		return err
	})
	if werr != nil {
		abortAll(objs)
		return 0, werr
	}
	for _, p := range group {
		u := objs[p]
		delete(objs, p)
		if err := u.finish(); err != nil {
			abortAll(objs)
			return 0, err
		}
		stored += u.size
	}
	return stored, nil
}

// Memo values of a record with no single partition.
const (
	memoNone  = -1 // nothing to deliver (refused, or no output)
	memoMixed = -2 // outputs in several partitions
)

// process runs the processor (or passes the record through) and reports a refusal; done, when not
// nil, is called once the record's outputs have all been emitted.
func (d *Delivery) process(data []byte, emit func(Partition, []byte), refuse func(*ProcessingError), done func()) error {
	if done != nil {
		defer done()
	}
	if d.cfg.Output.Process == nil {
		emit(Partition{}, data)
		return nil
	}
	if err := d.cfg.Output.Process(data, emit); err != nil {
		var pe *ProcessingError
		if !errors.As(err, &pe) {
			pe = &ProcessingError{OutputType: "processing-failed", Code: "Processing.Failed", Message: err.Error()}
		}
		refuse(pe)
	}
	return nil
}

// scan reads the records of range r of a shard in order.
func (d *Delivery) scan(shardID string, r Range, fn func(*streams.Entry) error) error {
	var buf []byte
	for pos := r.From; pos < r.To; {
		b, nb, err := d.cfg.Store.ReadShard(d.cfg.Scope, d.cfg.Source, shardID, pos, 10000, readBytes, buf[:0])
		buf = nb
		if err != nil {
			return err
		}
		if len(b.Entries) == 0 {
			if b.Next >= r.To || b.End {
				return nil
			}
			return fmt.Errorf("shard %s: range [%d, %d) not readable at %d", shardID, r.From, r.To, pos)
		}
		for i := range b.Entries {
			if b.Entries[i].Seq >= r.To {
				return nil
			}
			if err := fn(&b.Entries[i]); err != nil {
				return err
			}
		}
		pos = b.Next
	}
	return nil
}

// objectID derives an object's id from what it holds, shaped like the UUID Firehose puts there.
func (d *Delivery) objectID(r Range, p Partition, errorType string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d\x00%s\x00%s", d.cfg.Name, r.Shard, r.From, r.To, p.enc, errorType)
	if d.cfg.Identity != "" {
		fmt.Fprintf(h, "\x00%s", d.cfg.Identity)
	}
	x := hex.EncodeToString(h.Sum(nil)[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// upload is one object on its way to the sink, in a pipeline of three goroutines so that a lane's
// two cores both work: the lane processes records and writes them, buffered, into raw; a compressor
// goroutine runs the codec from raw into enc; the sink's Put reads enc.
type upload struct {
	w      *bufio.Writer // the lane writes records here
	rawW   *io.PipeWriter
	encW   *io.PipeWriter
	comp   chan error // the compressor's outcome
	result chan error // the Put's outcome
	size   int64      // the stored object's size, once result has said nil
}

// readBytes is how much of the log a lane reads at once: small enough that its buffer is reused from
// read to read rather than regrown.
const readBytes = 1 << 20

// uploadBuffer is the size of the raw records buffer and of the compressor's reads.
const uploadBuffer = 256 << 10

func (d *Delivery) startUpload(ctx context.Context, key string, modTime time.Time) (*upload, error) {
	rawR, rawW := io.Pipe()
	encR, encW := io.Pipe()
	u := &upload{rawW: rawW, encW: encW, comp: make(chan error, 1), result: make(chan error, 1)}
	out := d.cfg.Output
	go func() {
		res, err := out.Objects.Put(ctx, sinks.Object{Bucket: out.Bucket, Key: key, ContentType: out.ContentType,
			ContentEncoding: out.Codec.ContentEncoding()}, encR)
		u.size = res.Size
		if err == nil {
			// A store that returns without reading everything must not make the writers hang.
			err2 := errors.New("object store returned before reading the whole object")
			if _, rerr := encR.Read(make([]byte, 1)); rerr == io.EOF {
				err2 = nil
			}
			err = err2
		}
		encR.CloseWithError(err)
		u.result <- err
	}()
	cw, err := out.Codec.NewWriter(encW, transforms.ModTime(modTime), transforms.EntryName(key))
	if err != nil {
		encW.CloseWithError(err)
		<-u.result
		return nil, err
	}
	go func() {
		_, err := io.CopyBuffer(cw, rawR, make([]byte, uploadBuffer))
		if err == nil {
			err = cw.Close()
		}
		if err != nil {
			encW.CloseWithError(err)
			rawR.CloseWithError(err)
		} else {
			encW.Close()
		}
		u.comp <- err
	}()
	u.w = bufio.NewWriterSize(rawW, uploadBuffer)
	return u, nil
}

// finish ends the object and waits until the sink has it.
func (u *upload) finish() error {
	if err := u.w.Flush(); err != nil {
		u.abort(err)
		return err
	}
	u.rawW.Close()
	cerr, perr := <-u.comp, <-u.result
	if cerr != nil {
		return cerr
	}
	return perr
}

// abort abandons the object: the sink sees its body fail and stores nothing.
func (u *upload) abort(err error) {
	u.rawW.CloseWithError(err)
	u.encW.CloseWithError(err)
	<-u.comp
	<-u.result
}

func abortAll(objs map[Partition]*upload) {
	for _, u := range objs {
		if u != nil {
			u.abort(errors.New("delivery aborted"))
		}
	}
}

// deliverErrors writes the cut's refused records, one error object per error output type, as JSON
// lines in Firehose's error record shape. Every field is a function of the record, so a repeated
// delivery writes the same bytes.
func (d *Delivery) deliverErrors(ctx context.Context, shardID string, r Range, oldest time.Time, failed []failedRecord) error {
	byType := map[string][]failedRecord{}
	for _, f := range failed {
		byType[f.err.OutputType] = append(byType[f.err.OutputType], f)
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, typ := range types {
		recs := byType[typ]
		key, err := d.cfg.Output.ErrorKey(KeyInput{Oldest: oldest, ID: d.objectID(r, Partition{}, typ), ErrorType: typ})
		if err != nil {
			return err
		}
		u, err := d.startUpload(ctx, key, oldest)
		if err != nil {
			return err
		}
		i := 0
		werr := d.scan(shardID, r, func(e *streams.Entry) error {
			if i >= len(recs) || e.Seq != recs[i].seq {
				return nil
			}
			line, _ := json.Marshal(errorRecord{AttemptsMade: 1, ArrivalTimestamp: e.Arrival, ErrorCode: recs[i].err.Code,
				ErrorMessage: recs[i].err.Message, AttemptEndingTimestamp: e.Arrival,
				RawData: base64.StdEncoding.EncodeToString(e.Data)})
			i++
			_, err := u.w.Write(append(line, '\n'))
			return err
		})
		if werr != nil {
			abortAll(map[Partition]*upload{{}: u})
			return werr
		}
		if err := u.finish(); err != nil {
			return err
		}
	}
	return nil
}

// errorRecord is Firehose's error output record.
type errorRecord struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                string `json:"rawData"`
}
