// Package runtime runs a Kinesis Data Analytics SQL application over Hydrant's streams: it reads every
// shard of the application's source, maps records to rows (analytics/format), pushes them through the
// compiled program (analytics/engine) in ROWTIME order, and appends the result rows to the destination
// streams. It owns the run's lifecycle, its checkpoints and exactly-once output; it does not own the
// management API (analytics/app) nor the SQL (analytics/engine).
//
// # Time
//
// ROWTIME is a record's arrival time in its shard log, assigned when it is appended (monotonic per
// shard), never the time the runtime reads it. All shards of all inputs are merged into one sequence
// ordered by (arrival, in-application stream, input, shard index), each shard in log order. A record is
// pushed only when every other shard being read is known to hold nothing earlier: each shard's
// low-water mark is the arrival of its next unread record or, when it is caught up, just below the
// store's floor (streams.ShardBatch.Floor: every record after the tip will arrive at or after it; a
// record at the floor itself may still come, from the shard or from a child of a split that sorts
// first, so another shard's record at that time waits for the floor to pass it). The engine is told
// Advance(t) before a record at t is pushed and, when the merge is idle, Advance(lowest low-water mark):
// windows close when every shard has passed them, or with the wall clock once the input stops. The
// order depends on nothing but the logs, so a replay from TRIM_HORIZON pushes what the live run pushed.
//
// # Shards
//
// A shard is read once all of its parents still listed are read to their end: a parent read to its end
// leaves the merge before any other record is pushed and its children are discovered at once, so they
// are not overtaken (and every two seconds). Until the end is seen, a sealed parent's floor is its seal
// time. A closed shard that retention drops before it is read to its end ends there, as a trimmed
// record is skipped. Shard i of input n goes to in-application stream
// NamePrefix_<(i mod Parallelism)+1>: shard indexes never change and children get new ones, so the rule
// holds across restarts and reshards. Starting positions: NOW is each open shard's tip at Start (closed
// shards are skipped, children read from their first record); TRIM_HORIZON the oldest record of every
// shard; LAST_STOPPED_POINT the checkpoint's positions, or NOW when there is no checkpoint (the AWS
// documentation says only "where the application last stopped reading").
//
// # Output
//
// Each output has a writer goroutine and at most three batches (500 records or 5 MiB, PutRecords'
// limits): one filling, the others being written or waiting. Throttled records and failed calls are
// retried with backoff (50 ms doubling to 5 s); while every batch of an output is taken the run pushes
// nothing (backpressure), so memory is bounded whatever the destination does. A row's partition key is
// "<run id>-<output index>-<n>": the run id is a hash of the application's ARN and creation time, n
// counts the rows emitted to that output since the application was created.
//
// # Checkpoints and exactly-once output
//
// About every second when something changed, and at Stop, the run hands every emitted row to its
// writer and waits until all are durable, then writes Dir/checkpoint atomically (internal/atomicfile):
// per source shard the position after the last record pushed (records read into the merge but not
// pushed are not counted), the engine's snapshot, each output's row count and each destination
// shard's tip. A restart (after Stop or a crash) with LAST_STOPPED_POINT restores the engine, reads
// from the positions, and first scans each destination from the recorded tips for keys with the
// application's prefix: rows emitted again with a number found there are dropped. Each row lands once,
// with no fsync per output batch (an output write in flight is never abandoned: its records would
// commit behind the scan's back). A start at NOW or TRIM_HORIZON begins anew and numbers its rows after
// every one found; so does a resume whose engine state does not restore (the code changed): it reads
// on from the positions with fresh state, as KDA does after an update.
//
// The checkpoint file (integers little-endian; uvarint and varint are encoding/binary's; a string or
// bytes is a uvarint length and the bytes; CRC-32C, Castagnoli, covers everything before it):
//
//	+----------+---------+-------------+------+--------+
//	| magic    | version | body length | body | CRC    |
//	| HYDRKDA1 | uint32  | uint32      |      | uint32 |
//	+----------+---------+-------------+------+--------+
//	  8 bytes    4         4
//
//	body:
//	  run id        string
//	  advanced      varint   the engine's last Advance (Unix ms)
//	  inputs        uvarint count, then per input:
//	    created     varint   the source stream's creation time (Unix ms)
//	    shards      uvarint count, then per shard:
//	      index     uvarint
//	      position  uvarint  log Seq of the next record to push
//	      done      byte     1: read to its end
//	  outputs       uvarint count, then per output:
//	    emitted     uvarint  rows emitted since the application was created
//	    created     varint   the destination stream's creation time (Unix ms)
//	    tips        uvarint count, then per destination shard: index uvarint, tip uvarint
//	  has snapshot  byte     0: no engine state yet (a checkpoint taken at Start)
//	  snapshot      bytes    engine.Instance.Snapshot
//
// # Concurrency
//
// Start starts one goroutine that owns the merge, the engine instance, the mappers and encoders and the
// checkpoints; it reads the shards itself with positioned reads and waits on their commit channels
// when caught up. Each output adds one writer goroutine. Stop ends them all and waits; Stats and Err are
// safe from any goroutine.
package runtime
