package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// phaseStats are the live counters of a phase, shared by its goroutines and
// read by the progress monitor.
type phaseStats struct {
	records   atomic.Int64 // records written (acknowledged) or read
	bytes     atomic.Int64 // their payload bytes
	requests  atomic.Int64 // requests answered 200
	errors    atomic.Int64 // requests that failed, throttled ones included
	throttled atomic.Int64 // requests refused, or PutRecords entries failed, for throughput
	retries   atomic.Int64 // records sent again
	latency   Histogram    // every request that got an answer
}

// Put-phase retry policy.
const (
	// maxConsecutiveErrors ends a phase whose worker sees this many requests
	// in a row fail with an unknown outcome: the endpoint is down.
	maxConsecutiveErrors = 10
	// attemptsAfterStop bounds how often records refused by the server are
	// resent once the phase's time or record budget is spent.
	attemptsAfterStop = 5
)

// putPhase is one PutRecords or PutRecord phase.
type putPhase struct {
	r      *runner
	single bool // PutRecord: one record per request
	batch  int
	st     *phaseStats
	stop   atomic.Bool  // set when the duration is over or the record budget spent
	budget atomic.Int64 // records left to claim when Config.Records is set
}

// runPut runs a put phase to completion.
func (r *runner) runPut(ctx context.Context, name string, st *phaseStats) error {
	p := &putPhase{r: r, single: name == PhasePutRecord, batch: r.cfg.Batch, st: st}
	if p.single {
		p.batch = 1
	}
	p.budget.Store(r.cfg.Records)
	if d := r.cfg.Duration; d > 0 {
		t := time.AfterFunc(d, func() { p.stop.Store(true) })
		defer t.Stop()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for w := range r.cfg.Workers {
		wg.Go(func() {
			if err := p.worker(ctx, w); err != nil {
				errOnce.Do(func() {
					firstErr = fmt.Errorf("%s worker %d: %w", name, w, err)
					p.stop.Store(true)
					cancel()
				})
			}
		})
	}
	wg.Wait()
	return firstErr
}

// claim returns how many of n records the worker may send next.
func (p *putPhase) claim(n int) int {
	if p.r.cfg.Records == 0 {
		return n
	}
	for {
		left := p.budget.Load()
		if left <= 0 {
			return 0
		}
		take := min(int64(n), left)
		if p.budget.CompareAndSwap(left, left-take) {
			return int(take)
		}
	}
}

// putWorker is the state of one writer, reused across its requests.
type putWorker struct {
	p       *putPhase
	gen     *generator
	ledger  *WorkerLedger
	heads   []byte
	recs    []record
	keys    []int    // key index of each record in recs
	ctrs    []uint64 // counter of each record in recs
	pending []int    // indices into recs still to be written
	sendBuf []record
	codes   []string
	x       exchange
	bo      backoff
	errRun  int // consecutive failures of unknown outcome
}

func (p *putPhase) worker(ctx context.Context, w int) error {
	pw := &putWorker{
		p:      p,
		gen:    p.r.gens[w],
		ledger: &p.r.ledger.Workers[w],
		heads:  make([]byte, p.batch*headerSize),
		recs:   make([]record, p.batch),
		keys:   make([]int, p.batch),
		ctrs:   make([]uint64, p.batch),
		bo:     backoff{base: 20 * time.Millisecond, cap: time.Second},
	}
	pw.x.cbor = p.r.cfg.Protocol == ProtocolCBOR
	for !p.stop.Load() {
		n := p.claim(p.batch)
		if n == 0 {
			return nil
		}
		pw.pending = pw.pending[:0]
		for i := range n {
			head := pw.heads[i*headerSize : (i+1)*headerSize]
			pw.ctrs[i] = pw.gen.next
			tail, k := pw.gen.fill(head)
			pw.recs[i] = record{Key: p.r.topo.keys[k], Head: head, Tail: tail}
			pw.keys[i] = k
			pw.pending = append(pw.pending, i)
		}
		pw.ledger.Issued = pw.gen.next
		if err := pw.write(ctx); err != nil {
			return err
		}
	}
	return nil
}

// write sends the pending records until every one is written, refused for
// good, or of unknown outcome.
func (pw *putWorker) write(ctx context.Context) error {
	p := pw.p
	st := p.st
	tries := 0 // attempts after the phase was told to stop
	for len(pw.pending) > 0 {
		if p.stop.Load() {
			if tries == attemptsAfterStop {
				for _, i := range pw.pending {
					pw.ledger.mark(&pw.ledger.Dropped, pw.ctrs[i])
				}
				return nil
			}
			tries++
		}
		op := "PutRecords"
		if p.single {
			op = "PutRecord"
			if pw.x.cbor {
				pw.x.body = appendPutRecordCBOR(pw.x.body[:0], p.r.stream, pw.recs[pw.pending[0]])
			} else {
				pw.x.body = appendPutRecord(pw.x.body[:0], p.r.stream, pw.recs[pw.pending[0]])
			}
		} else {
			pw.sendBuf = pw.sendBuf[:0]
			for _, i := range pw.pending {
				pw.sendBuf = append(pw.sendBuf, pw.recs[i])
			}
			if pw.x.cbor {
				pw.x.body = appendPutRecordsCBOR(pw.x.body[:0], p.r.stream, pw.sendBuf)
			} else {
				pw.x.body = appendPutRecords(pw.x.body[:0], p.r.stream, pw.sendBuf)
			}
		}
		lat, err := p.r.client.call(ctx, op, &pw.x)
		if lat > 0 {
			st.latency.RecordDuration(lat)
		}
		if err != nil {
			st.errors.Add(1)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			switch classify(err) {
			case kindThrottled:
				st.throttled.Add(1)
				st.retries.Add(int64(len(pw.pending)))
			case kindUnknown:
				// The server may have written any of the records: never
				// resend them, or a duplicate would be the bench's doing.
				for _, i := range pw.pending {
					pw.ledger.mark(&pw.ledger.Maybe, pw.ctrs[i])
				}
				pw.pending = pw.pending[:0]
				if pw.errRun++; pw.errRun >= maxConsecutiveErrors {
					return fmt.Errorf("%d requests in a row failed, the last: %w", pw.errRun, err)
				}
			default:
				return err
			}
			if err := pw.bo.wait(ctx); err != nil {
				return err
			}
			continue
		}
		pw.errRun = 0
		st.requests.Add(1)
		failed := 0
		if !p.single {
			if pw.x.cbor {
				failed, pw.codes, err = decodePutRecordsResultCBOR(pw.x.resp, len(pw.pending), pw.codes)
			} else {
				failed, pw.codes, err = decodePutRecordsResult(pw.x.resp, len(pw.pending), pw.codes)
			}
			if err != nil {
				return err
			}
		}
		acked := int64(len(pw.pending) - failed)
		st.records.Add(acked)
		st.bytes.Add(acked * int64(p.r.cfg.RecordSize))
		if failed == 0 {
			for _, i := range pw.pending {
				pw.ledger.ShardAcked[p.r.topo.keyOpen[pw.keys[i]]]++
			}
			pw.pending = pw.pending[:0]
			pw.bo.reset()
			return nil
		}
		// A partial failure: resend the failed entries. They may now land
		// after records sent later in the same shard, which Kinesis allows.
		left := pw.pending[:0]
		throttled := false
		for j, i := range pw.pending {
			code := pw.codes[j]
			if code == "" {
				pw.ledger.ShardAcked[p.r.topo.keyOpen[pw.keys[i]]]++
				continue
			}
			if entryKind(code) == kindFatal {
				return &APIError{Op: op, Status: 200, Code: code, Message: "record refused"}
			}
			throttled = true
			pw.ledger.mark(&pw.ledger.Retried, pw.ctrs[i])
			left = append(left, i)
		}
		pw.pending = left
		st.throttled.Add(int64(len(left)))
		st.retries.Add(int64(len(left)))
		if throttled {
			if err := pw.bo.wait(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}
