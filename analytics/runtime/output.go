package runtime

import (
	"context"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// PutRecords' limits, and how much of an output may be in flight.
const (
	maxBatchRecords = 500
	maxBatchBytes   = 5 << 20
	maxRecordBytes  = 1 << 20 // a record's data and partition key; larger rows are dropped and logged
	// batchesPerOutput bounds an output's memory: one batch filling, the others written or waiting. When
	// all are taken the run stops pushing input until the destination catches up.
	batchesPerOutput = 3
	minBackoff       = 50 * time.Millisecond
	maxBackoff       = 5 * time.Second
)

// destination is a store stream rows are written to.
type destination struct {
	scope streams.Scope
	ref   streams.StreamRef
}

// outBatch is one PutRecords call in the making: the records' data back to back in buf.
type outBatch struct {
	buf     []byte
	ends    []int
	keys    []string
	size    int // data and keys, as PutRecords counts them
	entries []streams.PutEntry
}

func (b *outBatch) reset() {
	b.buf, b.ends, b.keys, b.size = b.buf[:0], b.ends[:0], b.keys[:0], 0
	clear(b.entries)
	b.entries = b.entries[:0]
}

// full reports whether the batch must go before another record: one more of the largest size could
// break PutRecords' limits.
func (b *outBatch) full() bool {
	return len(b.ends) >= maxBatchRecords || b.size > maxBatchBytes-maxRecordBytes-512
}

// writer sends one output's batches to its destination, in order, from its own goroutine, retrying
// throttled records and failed calls with backoff until they are durable. The run's goroutine fills
// batches (add, flush) and learns from acked how many rows are durable.
type writer struct {
	store *streams.Store
	dest  destination
	name  string
	log   *slog.Logger
	free  chan *outBatch // batches not in use
	full  chan *outBatch // batches to write, in order
	acked atomic.Uint64  // rows durable in the destination
	ack   chan struct{}  // shared by the run's writers: a batch became durable (capacity 1, never blocks)

	results []streams.PutResult // the writer goroutine's: Write's answers, reused

	// The run goroutine's.
	cur  *outBatch
	sent uint64 // rows handed to the goroutine
}

func newWriter(store *streams.Store, dest destination, name string, log *slog.Logger, ack chan struct{}) *writer {
	w := &writer{store: store, dest: dest, name: name, log: log, ack: ack,
		free: make(chan *outBatch, batchesPerOutput), full: make(chan *outBatch, batchesPerOutput)}
	for range batchesPerOutput {
		w.free <- &outBatch{}
	}
	return w
}

// batch returns the batch being filled, waiting for a free one if all are in flight (backpressure).
func (w *writer) batch(ctx context.Context) (*outBatch, error) {
	if w.cur != nil {
		return w.cur, nil
	}
	select {
	case b := <-w.free:
		b.reset()
		w.cur = b
		return b, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// commit ends the record appended to b.buf since start, under key, handing the batch over once full.
// A record is refused with its key counted, as PutRecords refuses it: one it refused would stall the
// output for ever, its batch retried.
func (w *writer) commit(ctx context.Context, b *outBatch, start int, key string) error {
	if n := len(b.buf) - start; n+len(key) > maxRecordBytes {
		w.log.Error("analytics: output row larger than a record, dropped", "output", w.name, "bytes", n, "key", key)
		b.buf = b.buf[:start]
		return nil
	}
	b.ends = append(b.ends, len(b.buf))
	b.keys = append(b.keys, key)
	b.size += len(b.buf) - start + len(key)
	if b.full() {
		return w.flush(ctx)
	}
	return nil
}

// flush hands the batch being filled, if any, to the goroutine.
func (w *writer) flush(ctx context.Context) error {
	b := w.cur
	if b == nil || len(b.ends) == 0 {
		return nil
	}
	start := 0
	for i, end := range b.ends {
		b.entries = append(b.entries, streams.PutEntry{Data: b.buf[start:end:end], PartitionKey: b.keys[i]})
		start = end
	}
	select {
	case w.full <- b:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	w.sent += uint64(len(b.ends))
	w.cur = nil
	return nil
}

// durable reports whether every row handed over is in the destination.
func (w *writer) durable() bool { return w.acked.Load() == w.sent }

// run writes batches until ctx ends.
func (w *writer) run(ctx context.Context) {
	for {
		select {
		case b := <-w.full:
			if !w.write(ctx, b.entries) {
				return
			}
			w.acked.Add(uint64(len(b.entries)))
			w.free <- b
			select {
			case w.ack <- struct{}{}:
			default:
			}
		case <-ctx.Done():
			return
		}
	}
}

// write puts entries until all are durable; false if ctx ended first.
func (w *writer) write(ctx context.Context, entries []streams.PutEntry) bool {
	backoff := minBackoff
	var retry []streams.PutEntry
	for len(entries) > 0 {
		// The call is not cancelled: once its records are queued in the log they commit anyway, and
		// the run must not end (and a new one scan the destination) before they have.
		w.results = slices.Grow(w.results[:0], len(entries))[:len(entries)]
		res := w.results
		err := w.store.Write(context.WithoutCancel(ctx), w.dest.scope, w.dest.ref, entries, res)
		if err == nil {
			retry = retry[:0]
			for i := range res {
				if res[i].ErrorCode != "" {
					retry = append(retry, entries[i])
				}
			}
			if len(retry) == 0 {
				return true
			}
			entries = append(entries[:0:0], retry...)
			err = errThrottled
		}
		if ctx.Err() != nil {
			return false
		}
		w.log.Debug("analytics: write output, retrying", "output", w.name, "records", len(entries), "err", err,
			"backoff", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
		backoff = min(2*backoff, maxBackoff)
	}
	return true
}
