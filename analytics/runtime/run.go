package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/value"
	"github.com/hydrantio/hydrant/streams"
)

// Timing of the run goroutine.
const (
	advanceInterval = 200 * time.Millisecond // caught up: re-read floors, so windows close with the clock
	listInterval    = 2 * time.Second        // look for new shards (a reshard while a parent is still read)
	pushBudget      = 4096                   // records between looks at timers and Stop
)

// checkpointInterval is how often the run checkpoints when something changed since the last (a
// variable for tests, which take checkpoints when they choose).
var checkpointInterval = time.Second

// drainTimeout is how long Stop waits for the outputs to take the last rows before it gives up the
// final checkpoint (a variable for tests).
var drainTimeout = 30 * time.Second

var (
	errStopped   = errors.New("runtime: stopped")
	errThrottled = errors.New("records throttled")
)

// Run is one running application.
type Run struct {
	cfg     Config
	store   *streams.Store
	log     *slog.Logger
	plan    *plan
	proc    processor
	sources []*source
	merge   merger
	outs    []*output
	writers []*writer
	byOut   [][]int // engine output -> Config.Outputs indexes
	errOuts []int   // Config.Outputs indexes of error_stream
	ack     chan struct{}
	runID   string

	stop       context.CancelFunc // Stop: checkpoint and end
	stopCtx    context.Context
	hard       context.CancelCauseFunc // ends the writers and any wait at once
	hardCtx    context.Context
	wg         sync.WaitGroup // writers
	done       chan struct{}
	crash      bool // test hook: end without flushing or checkpointing, as a kill -9 would
	finalError error

	mu struct {
		sync.Mutex
		err error
	}

	// The run goroutine's.
	advanced  int64
	dirty     bool
	sinkErr   error
	ckBuf     []byte
	keyBuf    []byte
	rowBuf    []value.Value  // the row being pushed
	rec       *streams.Entry // the record being pushed
	recIn     int            // its in-application stream
	pushRow   func([]value.Value)
	mapError  func(*format.MapError)
	waitChans []<-chan struct{}

	pushed atomic.Int64 // records pushed to the engine, for Stats
}

// output is one Config.Output as the run writes it.
type output struct {
	cfg     Output
	enc     rowEncoder
	prefix  string
	dest    destination
	emitted uint64 // sequence number of its last row
	skip    seqSet // rows already in the destination, to drop when emitted again
}

// Start compiles cfg.Code against cfg's inputs and starts reading. It returns an error (with line and
// column for SQL errors) when the application cannot run. ctx bounds Start's own work only: the run
// lasts until Stop.
func Start(ctx context.Context, store *streams.Store, cfg Config) (*Run, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	p, err := compile(&cfg)
	if err != nil {
		return nil, err
	}
	return start(ctx, store, cfg, p)
}

func (cfg *Config) check() error {
	if len(cfg.Inputs) == 0 {
		return errors.New("runtime: no input")
	}
	for i, in := range cfg.Inputs {
		if in.Parallelism < 0 || in.Parallelism > 64 {
			return fmt.Errorf("runtime: input %d: parallelism %d out of 1..64", i, in.Parallelism)
		}
		switch in.Start {
		case "", StartNow, StartTrimHorizon, StartLastStoppedPoint:
		default:
			return fmt.Errorf("runtime: input %d: unknown starting position %q", i, in.Start)
		}
	}
	if cfg.Dir == "" {
		return errors.New("runtime: no directory")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

// runID is the application's fixed identity in output partition keys: a hash of its ARN (or name) and
// creation time.
func runID(cfg *Config) string {
	h := sha256.New()
	id := cfg.ARN
	if id == "" {
		id = cfg.Name
	}
	fmt.Fprintf(h, "%s\x00%d", id, cfg.Created.UnixMilli())
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// resumes reports whether the run continues from its checkpoint: every input starts at
// LAST_STOPPED_POINT. Without a checkpoint LAST_STOPPED_POINT starts at NOW.
func (cfg *Config) resumes() bool {
	for _, in := range cfg.Inputs {
		if in.Start != StartLastStoppedPoint {
			return false
		}
	}
	return true
}

func start(ctx context.Context, store *streams.Store, cfg Config, p *plan) (*Run, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	ck, err := loadCheckpoint(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	r := &Run{cfg: cfg, store: store, log: cfg.Log.With("application", cfg.Name), plan: p, ack: make(chan struct{}, 1), done: make(chan struct{}),
		runID: runID(&cfg)}
	r.merge.read = r.readShard
	r.pushRow, r.mapError = r.pushRowFunc(), r.mapErrorFunc()
	resume := ck != nil && cfg.resumes()
	if ck != nil {
		r.runID = ck.RunID
	}

	// Outputs, and what the destinations already hold.
	r.byOut = make([][]int, len(p.outputs))
	for k, o := range cfg.Outputs {
		out := &output{cfg: o, enc: p.encoders[k], prefix: keyPrefix(r.runID, k),
			dest: destination{scope: o.Scope, ref: o.Ref}}
		if o.Name == engine.ErrorStream {
			r.errOuts = append(r.errOuts, k)
		} else {
			e := indexOf(p.outputs, o.Name)
			r.byOut[e] = append(r.byOut[e], k)
		}
		if ck != nil {
			var oc outputCheckpoint
			if k < len(ck.Outputs) {
				oc = ck.Outputs[k]
			}
			tips := oc.Tips
			if info, err := store.DescribeStream(o.Scope, o.Ref); err == nil && info.Created.UnixMilli() != oc.Created {
				tips = nil // a new stream under the name: all of it is new
			}
			seqs, err := scanDestination(store, out.dest, tips, out.prefix, oc.Emitted)
			if err != nil {
				return nil, fmt.Errorf("runtime: scan output %d: %w", k, err)
			}
			out.emitted = oc.Emitted
			out.skip = newSeqSet(seqs)
			if !resume {
				// A fresh start: its rows are new ones, numbered after everything written before.
				out.emitted = max(out.emitted, out.skip.last())
				out.skip = seqSet{}
			}
		}
		r.outs = append(r.outs, out)
	}

	// Inputs: resumed from the checkpoint, or from their starting positions.
	base := 0
	for i, in := range cfg.Inputs {
		s := &source{idx: i, cfg: in, base: base, n: parallelism(in)}
		base += s.n
		r.sources = append(r.sources, s)
		created, _, err := s.list(store)
		if err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
		if resume && i < len(ck.Inputs) && ck.Inputs[i].Created == created {
			s.resume(ck.Inputs[i])
			continue
		}
		pos := in.Start
		if resume {
			pos = StartTrimHorizon // the source was made again since the checkpoint: all of it is new
		} else if pos == StartLastStoppedPoint || pos == "" {
			pos = StartNow
		}
		if err := s.begin(store, pos); err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
	}

	if resume && ck.Snapshot != nil {
		if proc, err := p.restore(ck.Snapshot, r); err == nil {
			r.proc, r.advanced = proc, ck.Advanced
		} else {
			// The application's code changed since the checkpoint (or its state cannot be read): as
			// KDA does after an update, read on from where it stopped, with fresh state. Its rows are
			// new ones, numbered after everything written before.
			r.log.Warn("analytics: engine state not restored: starting with fresh state",
				"err", err)
			for _, o := range r.outs {
				o.emitted = max(o.emitted, o.skip.last())
				o.skip = seqSet{}
			}
		}
	}
	if r.proc == nil {
		r.proc = p.start(r)
	}
	for _, s := range r.sources {
		curs, err := s.discover(store)
		if err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
		for _, c := range curs {
			r.merge.add(c)
		}
	}

	r.stopCtx, r.stop = context.WithCancel(context.WithoutCancel(ctx))
	r.hardCtx, r.hard = context.WithCancelCause(context.WithoutCancel(ctx))
	for _, out := range r.outs {
		w := newWriter(store, out.dest, out.cfg.Name, r.log, r.ack)
		r.writers = append(r.writers, w)
	}
	if !resume {
		// The new positions and state replace whatever an earlier run left, before anything is read.
		if err := r.checkpoint(ctx, nil); err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
	}
	for _, w := range r.writers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			w.run(r.hardCtx)
		}()
	}
	go r.loop()
	return r, nil
}

// Stop stops the run, checkpoints its position (for LAST_STOPPED_POINT) and waits for its goroutines.
// If the destinations cannot take the last rows within drainTimeout, it gives up the final checkpoint:
// the last periodic one stands, and the next run writes those rows.
func (r *Run) Stop() error {
	r.stop()
	t := time.AfterFunc(drainTimeout, func() {
		r.hard(fmt.Errorf("%w: the outputs did not take the last rows within %v", errStopped, drainTimeout))
	})
	<-r.done
	t.Stop()
	return r.finalError
}

// stopCrash ends the run as a crash would: no flush, no final checkpoint.
func (r *Run) stopCrash() {
	r.crash = true
	r.hard(errStopped)
	r.stop()
	<-r.done
}

// Done is closed when the run has ended: stopped, or failed by itself (Err says why).
func (r *Run) Done() <-chan struct{} { return r.done }

// Err is non-nil once the run has failed for good (it stops by itself then).
func (r *Run) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.err
}

func (r *Run) fail(err error) {
	r.log.Error("analytics: application stopped", "err", err)
	r.mu.Lock()
	if r.mu.err == nil {
		r.mu.err = err
	}
	r.mu.Unlock()
}

// loop is the run goroutine: it owns the merge, the engine instance and the checkpoints.
func (r *Run) loop() {
	defer close(r.done)
	defer r.wg.Wait()
	defer r.hard(errStopped)
	err := r.process()
	if r.crash {
		return
	}
	if errors.Is(err, errStopped) {
		// Stop gave up waiting for the destinations (the run was held by a full output, or was taking a
		// checkpoint): the last checkpoint stands, and Stop says so. The run did not fail.
		r.finalError = err
		r.log.Warn("analytics: final checkpoint", "err", err)
		return
	}
	if err != nil {
		r.fail(err)
		return
	}
	if r.sinkErr == nil {
		// Close what the inputs have passed, as an idle moment would have.
		if t, ok := r.merge.lowWater(); ok && t > r.advanced {
			r.advance(t)
		}
	}
	if r.sinkErr != nil {
		// The last advance could not hand its rows to a full output: the last checkpoint stands, and Stop
		// says so rather than returning nil.
		r.finalError = r.sinkErr
		r.log.Warn("analytics: final checkpoint", "err", r.sinkErr)
		return
	}
	if err := r.checkpoint(r.hardCtx, r.proc); err != nil {
		r.finalError = err
		r.log.Warn("analytics: final checkpoint", "err", err)
	}
}

// process merges, pushes and checkpoints until Stop. A nil error means stopped.
func (r *Run) process() error {
	ck := time.NewTicker(checkpointInterval)
	defer ck.Stop()
	adv := time.NewTicker(advanceInterval)
	defer adv.Stop()
	list := time.NewTicker(listInterval)
	defer list.Stop()
	for {
		if r.stopCtx.Err() != nil {
			return nil
		}
		idle, err := r.pump(pushBudget)
		if err != nil {
			return err
		}
		if !idle {
			// More to push: only look at the timers.
			select {
			case <-ck.C:
				if err := r.checkpointIfDirty(); err != nil {
					return err
				}
			case <-list.C:
				if err := r.discover(); err != nil {
					return err
				}
			default:
			}
			continue
		}
		// Nothing to push now: send what the outputs hold, close the windows the inputs have passed,
		// and wait for a commit on a caught-up shard, the clock, or Stop.
		for _, w := range r.writers {
			if err := w.flush(r.hardCtx); err != nil {
				return err
			}
		}
		if t, ok := r.merge.lowWater(); ok && t > r.advanced {
			r.advance(t)
			if r.sinkErr != nil {
				return r.sinkErr
			}
			continue // the windows' rows may fill a batch to flush
		}
		if woke, err := r.merge.wake(); err != nil {
			return err
		} else if woke {
			continue
		}
		cases := []reflect.SelectCase{
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(r.stopCtx.Done())},
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ck.C)},
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(list.C)},
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(adv.C)},
		}
		var soon *time.Timer
		if r.merge.anyBuffered() {
			// A record waits for another shard's floor, which the clock moves within a millisecond.
			soon = time.NewTimer(time.Millisecond)
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(soon.C)})
		}
		r.waitChans = r.merge.waiting(r.waitChans[:0])
		for _, ch := range r.waitChans {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
		}
		chosen, _, _ := reflect.Select(cases)
		if soon != nil {
			soon.Stop()
		}
		switch chosen {
		case 1:
			if err := r.checkpointIfDirty(); err != nil {
				return err
			}
		case 2:
			if err := r.discover(); err != nil {
				return err
			}
		}
	}
}

// pump pushes up to budget records in merge order. idle is true when it stopped because no record can
// be pushed yet.
func (r *Run) pump(budget int) (idle bool, err error) {
	n := 0
	defer func() { r.pushed.Add(int64(n)) }()
	for range budget {
		st, err := r.merge.next()
		if err != nil {
			return false, err
		}
		switch {
		case st.rec != nil:
			n++
			r.push(st.from, st.rec)
			if r.sinkErr != nil {
				return false, r.sinkErr
			}
		case st.ended != nil:
			r.sources[st.ended.input].finish(st.ended)
			r.dirty = true
			// Its children join the merge before any other record is pushed: theirs may be earlier.
			if err := r.discover(); err != nil {
				return false, err
			}
		default:
			return true, nil
		}
	}
	return false, nil
}

// discover adds the shards that became readable to the merge.
func (r *Run) discover() error {
	for _, s := range r.sources {
		curs, err := s.discover(r.store)
		if err != nil {
			return err
		}
		for _, c := range curs {
			r.merge.add(c)
		}
	}
	return nil
}

func (r *Run) readShard(c *cursor) (streams.ShardBatch, error) {
	in := &r.sources[c.input].cfg
	// The cursor's previous batch is consumed: its entries' and its bytes' storage are reused.
	b, buf, err := r.store.ReadShardInto(in.Scope, in.Ref, c.id, c.pos, readRecords, readBytes, c.entries[:0], c.buf[:0])
	c.buf = buf
	if err != nil {
		if streams.KindOf(err) == streams.KindNotFound && r.expired(c) {
			// A closed shard dropped by retention before the run read it to its end: what it held is gone,
			// as a trimmed record is. The run goes on to its children instead of failing for good.
			r.log.Warn("analytics: source shard expired before it was read to its end",
				"input", c.input, "shard", c.id, "position", c.pos)
			return streams.ShardBatch{Next: c.pos, End: true}, nil
		}
		return b, fmt.Errorf("read input %d %s: %w", c.input, c.id, err)
	}
	return b, nil
}

// expired reports whether c's shard is no longer listed in a source that still exists.
func (r *Run) expired(c *cursor) bool {
	_, shards, err := r.sources[c.input].list(r.store)
	if err != nil {
		return false
	}
	for _, sh := range shards {
		if sh.ID == c.id {
			return false
		}
	}
	return true
}

// advance tells the engine that no row before t will follow.
func (r *Run) advance(t int64) {
	r.advanced = t
	r.dirty = true
	r.proc.Advance(t)
}

// push maps one record into rows of its in-application stream and pushes them, at its arrival time.
func (r *Run) push(c *cursor, e *streams.Entry) {
	r.dirty = true
	if e.Arrival > r.advanced {
		r.advance(e.Arrival)
	}
	r.rec, r.recIn = e, c.inApp
	r.plan.mappers[c.input].Map(e.Data, r.pushRow, r.mapError)
	r.rec = nil
}

// pushRow pushes a mapped row of the record being pushed (bound once: no closure per record).
func (r *Run) pushRowFunc() func([]value.Value) {
	return func(row []value.Value) {
		// The engine keeps nothing of a pushed row's slice (operators copy what they hold), so one
		// buffer serves every row.
		r.rowBuf = append(r.rowBuf[:0], row...)
		r.proc.Push(r.recIn, engine.Row{Time: r.rec.Arrival, Cols: r.rowBuf})
	}
}

// mapErrorFunc reports a record that does not map as a row of error_stream.
func (r *Run) mapErrorFunc() func(*format.MapError) {
	return func(m *format.MapError) {
		e := r.rec
		r.Error(engine.ErrorRow{Time: e.Arrival, Level: "Error", Name: m.Name, Message: m.Message,
			DataRowtime: e.Arrival, DataRow: e.Data})
	}
}

// Emit is the engine's sink: a row of an output stream, for every Config.Output naming it.
func (r *Run) Emit(o int, row engine.Row) {
	for _, k := range r.byOut[o] {
		r.write(k, row.Cols)
	}
}

// Error is the engine's sink for error rows (and the runtime's, for records that do not map).
func (r *Run) Error(e engine.ErrorRow) {
	if len(r.errOuts) == 0 {
		r.log.Debug("analytics: error row", "name", e.Name, "message", e.Message)
		return
	}
	row := [...]value.Value{value.NewTimestamp(e.Time), value.NewString(e.Level), value.NewString(e.Name),
		value.NewString(e.Message), value.NewTimestamp(e.DataRowtime), value.NewString(string(e.DataRow)),
		value.NewString(e.Pump)}
	for _, k := range r.errOuts {
		r.write(k, row[:])
	}
}

// write encodes a row of output k into its writer's batch under its deterministic key, unless the
// destination already has it. It waits while the output's batches are all in flight.
func (r *Run) write(k int, cols []value.Value) {
	if r.sinkErr != nil {
		return
	}
	o := r.outs[k]
	o.emitted++
	if o.skip.has(o.emitted) {
		return
	}
	w := r.writers[k]
	b, err := w.batch(r.hardCtx)
	if err != nil {
		r.sinkErr = err
		return
	}
	start := len(b.buf)
	b.buf = o.enc.Append(b.buf, cols)
	r.keyBuf = strconv.AppendUint(append(r.keyBuf[:0], o.prefix...), o.emitted, 10)
	if err := w.commit(r.hardCtx, b, start, string(r.keyBuf)); err != nil {
		r.sinkErr = err
	}
}

func (r *Run) checkpointIfDirty() error {
	if !r.dirty {
		return nil
	}
	return r.checkpoint(r.hardCtx, r.proc)
}

// checkpoint writes a consistent checkpoint: it hands every output row to its writer and waits until
// all are durable, then records the positions, the engine's state (proc's, nil for none yet), the
// output counters and the destinations' tips.
func (r *Run) checkpoint(ctx context.Context, proc processor) error {
	for _, w := range r.writers {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	for !r.durable() {
		select {
		case <-r.ack:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	c := &checkpoint{RunID: r.runID, Advanced: r.advanced}
	if proc != nil {
		snap, err := proc.Snapshot()
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		c.Snapshot = snap
		if c.Snapshot == nil {
			c.Snapshot = []byte{}
		}
	}
	for _, s := range r.sources {
		c.Inputs = append(c.Inputs, s.checkpoint())
	}
	for _, o := range r.outs {
		oc := outputCheckpoint{Emitted: o.emitted}
		info, shards, err := r.store.ListShards(o.dest.scope, o.dest.ref, streams.ShardFilter{}, timeZero)
		if err != nil {
			return fmt.Errorf("list output shards: %w", err)
		}
		oc.Created = info.Created.UnixMilli()
		for _, sh := range shards {
			idx, err := shardIndex(sh.ID)
			if err != nil {
				return err
			}
			tip, err := r.store.ShardPosition(o.dest.scope, o.dest.ref, sh.ID, streams.IteratorLatest, timeZero)
			if err != nil {
				return fmt.Errorf("output tip: %w", err)
			}
			oc.Tips = append(oc.Tips, shardTip{Index: idx, Tip: tip})
		}
		c.Outputs = append(c.Outputs, oc)
	}
	var err error
	if r.ckBuf, err = saveCheckpoint(r.cfg.Dir, c, r.ckBuf); err != nil {
		return err
	}
	r.dirty = false
	return nil
}

func (r *Run) durable() bool {
	for _, w := range r.writers {
		if !w.durable() {
			return false
		}
	}
	return true
}

// Stats are a run's counters.
type Stats struct {
	Records int64 // source records pushed to the engine
}

// Stats returns the run's counters. Safe to call from any goroutine.
func (r *Run) Stats() Stats { return Stats{Records: r.pushed.Load()} }
