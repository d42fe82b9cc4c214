// Package bench is the `hydrant bench` load generator. It drives any Kinesis
// endpoint, Hydrant or AWS, over the Kinesis JSON 1.1 protocol with SigV4 (or,
// with -protocol cbor, its data plane in CBOR as the AWS SDK for Java sends it;
// see cbor.go), and measures what the endpoint sustains: records/s, MB/s, request latency
// percentiles, errors, and the CPU time of the client and (given its pid) the
// server. It then reads everything back and checks that each record written
// was stored exactly once, intact, in order and in the shard its key routes to.
//
// It owns the wire client it needs (net/http, hand-written encoders and a
// GetRecords decoder, so that the client is not what limits the figures) and
// nothing of the server: it knows Hydrant only as an endpoint.
//
// # Phases
//
// A run creates a stream (or uses a named one), lists its shards, and runs any
// of, in this order:
//
//   - putrecords: Config.Workers writers send PutRecords batches until the
//     duration or the record budget is spent. Failed entries of a batch are
//     resent with backoff before the next batch; throttled requests likewise.
//   - putrecord: the same with one record per PutRecord request.
//   - getrecords: min(workers, shards) readers read every shard from
//     TRIM_HORIZON until it is caught up, and check each record.
//
// Latency is measured per request, from sending it to having read its whole
// answer, into a log-linear histogram good to 1%. Request signing, including
// the SHA-256 of the payload that real Kinesis requires, and the encoding are
// client CPU and outside the latency.
//
// # Payload format
//
// Every record's data is self-describing, so the read-back can verify it
// without a copy of what was sent. Fields are little-endian:
//
//	0        4        8                 16       20       24
//	+--------+--------+-----------------+--------+--------+----------------------+
//	|  run   | worker |     counter     |  key   | crc32c | filler (random bytes) |
//	+--------+--------+-----------------+--------+--------+----------------------+
//	                                                       \__ record-size - 24 __/
//
// run is random per run and tells its records from older ones in the stream.
// worker and counter name the record: each writer numbers its records densely
// from 0 across put phases. key is the index of the partition key it was sent
// with. crc32c (Castagnoli) covers bytes [0,20) and the filler. The filler is
// a window at a random offset into the writer's pool of random bytes, so the
// data does not compress.
//
// # What the check proves
//
// The writers keep a Ledger: how many records each issued, which were refused
// for good, which had an unknown outcome (a transport error or a 5xx, never
// resent so as not to create duplicates), and which were resent after a
// partial PutRecords failure. Reading back, a record of the run must have a
// valid checksum and length, the partition key it was sent with, a hash key in
// its shard's range, and must not have been seen before; within a shard, each
// writer's records must appear in increasing counter order, except those that
// were resent (Kinesis lets them land after later records), and sequence
// numbers must increase. Every acknowledged record must be found; records of
// unknown outcome may be found once or not at all. In a stream the run
// created, any other record is an error too.
//
// # Concurrency
//
// Each writer and reader goroutine owns its buffers, generator and ledger
// entry; the phase's counters and latency histogram are atomics shared with the
// progress monitor, and the Checker's seen-bitsets are updated with atomic ORs
// by readers of different shards. Run owns every goroutine it starts and waits
// for them before it returns.
package bench
