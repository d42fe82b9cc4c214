package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// tipPoll is the pause between GetRecords calls on a shard that is at its tip
// but still owes records. Real Kinesis allows five calls per shard per second.
const tipPoll = 200 * time.Millisecond

// runGet reads every shard from TRIM_HORIZON to its tip with min(workers,
// shards) readers, checking each record with chk when it is not nil.
func (r *runner) runGet(ctx context.Context, st *phaseStats, chk *Checker) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	shards := r.topo.shards
	for range min(r.cfg.Workers, len(shards)) {
		wg.Go(func() {
			var sr shardReader
			for {
				s := int(next.Add(1) - 1)
				if s >= len(shards) {
					return
				}
				if err := sr.read(ctx, r, s, st, chk); err != nil {
					errOnce.Do(func() {
						firstErr = fmt.Errorf("read shard %s: %w", shards[s].ID, err)
						cancel()
					})
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// shardReader is one reader's reusable state.
type shardReader struct {
	x   exchange
	out getRecordsOutput
}

// read reads shard s until it is caught up: a GetRecords answer with no
// records and MillisBehindLatest 0, once every record the writers had
// acknowledged in the shard has been seen (or after Config.ReadIdle at the tip
// without them), or the end of a closed shard.
func (sr *shardReader) read(ctx context.Context, r *runner, s int, st *phaseStats, chk *Checker) error {
	sr.x.cbor = r.cfg.Protocol == ProtocolCBOR
	id := r.topo.shards[s].ID
	var expected int64
	var sc *shardCheck
	if chk != nil {
		expected = chk.ledger.shardAcked(s)
		sc = chk.shard(s)
	}
	it, err := r.client.shardIterator(ctx, r.stream, id, "TRIM_HORIZON", "")
	if err != nil {
		return err
	}
	var (
		ours      int64
		lastSeq   string
		idleSince time.Time
		errRun    int
		bo        = backoff{base: 20 * time.Millisecond, cap: time.Second}
	)
	for {
		if sr.x.cbor {
			sr.x.body = appendGetRecordsCBOR(sr.x.body[:0], it, getRecordsLimit)
		} else {
			sr.x.body = appendGetRecords(sr.x.body[:0], it, getRecordsLimit)
		}
		lat, err := r.client.call(ctx, "GetRecords", &sr.x)
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
			case kindExpired:
				if errRun++; errRun >= maxConsecutiveErrors {
					return fmt.Errorf("%d requests in a row failed, the last: %w", errRun, err)
				}
				typ := "AFTER_SEQUENCE_NUMBER"
				if lastSeq == "" {
					typ = "TRIM_HORIZON"
				}
				if it, err = r.client.shardIterator(ctx, r.stream, id, typ, lastSeq); err != nil {
					return err
				}
				continue
			case kindUnknown:
				// GetRecords has no effect: the same iterator can be retried.
				if errRun++; errRun >= maxConsecutiveErrors {
					return fmt.Errorf("%d requests in a row failed, the last: %w", errRun, err)
				}
			default:
				return err
			}
			if err := bo.wait(ctx); err != nil {
				return err
			}
			continue
		}
		errRun = 0
		bo.reset()
		st.requests.Add(1)
		decode := decodeGetRecords
		if sr.x.cbor {
			decode = decodeGetRecordsCBOR
		}
		if err := decode(&sr.out, sr.x.resp); err != nil {
			return err
		}
		var n int64
		for i := range sr.out.Records {
			rec := &sr.out.Records[i]
			n += int64(len(rec.Data))
			if sc != nil && sc.check(rec.SequenceNumber, rec.PartitionKey, rec.Data) {
				ours++
			}
		}
		st.records.Add(int64(len(sr.out.Records)))
		st.bytes.Add(n)
		if k := len(sr.out.Records); k > 0 {
			lastSeq = string(sr.out.Records[k-1].SequenceNumber)
		}
		if !sr.out.HasNext {
			return nil // a closed shard, read to its end
		}
		it = sr.out.NextShardIterator
		if len(sr.out.Records) > 0 || sr.out.MillisBehindLatest > 0 {
			idleSince = time.Time{}
			continue
		}
		// At the tip.
		if ours >= expected {
			return nil
		}
		if idleSince.IsZero() {
			idleSince = time.Now()
		} else if time.Since(idleSince) > r.cfg.ReadIdle {
			return nil // the check reports what is missing
		}
		if err := sleep(ctx, tipPoll); err != nil {
			return err
		}
	}
}
