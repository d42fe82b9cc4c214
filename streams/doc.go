// Package streams is Hydrant's built-in sharded stream: the durable store every other part reads and
// writes through. It owns accounts' and regions' streams and their shards, the per-shard segmented logs
// on disk, sequence numbers, shard iterators, resharding, retention, encryption at rest and per-shard
// throttling. It knows nothing of wire protocols: it reports refusals as *Error values with a Kind and
// an AWS-worded message, and the ingest package maps kinds to each API's error types.
//
// # Concurrency
//
// Store.mu guards the map of streams. Each stream's mu guards its metadata and shard list: appends take
// it for reading only to route and queue records (Log.Append never waits for disk), control operations
// (resharding, retention, tags...) take it for writing. Each Log has one flusher goroutine, the only
// writer of its segment files, which commits queued appends with one write and one fsync (group commit)
// and wakes every writer the fsync covered. The store has one sweeper goroutine (retention). Close stops
// them all. Subscriptions (enhanced fan-out, subscribe.go) own no goroutine: Subscription.Next runs on
// its caller's and waits on the shard log's commit notification (Log.Changed); each stream's subs lock,
// taken after mu, holds the live subscription of every consumer and shard, and the batches of records
// that the subscriptions of a shard at the same position share (one read, one encoding, many consumers).
//
// # Data directory
//
//	<dir>/iterator.key                          HMAC key authenticating shard iterators (32 bytes)
//	<dir>/encryption.key                        AES-256-GCM key of streams with encryption on (32 bytes)
//	<dir>/accounts/<account>/<region>.json      account settings
//	<dir>/streams/<account>/<region>/<name>/stream.json      stream metadata and consumers, replaced atomically
//	<dir>/streams/<account>/<region>/<name>/shardId-.../     one shard's log, below
//	<dir>/trash/                                streams being deleted; emptied at start-up
//
// # Shard log on-disk format, version 1
//
// A shard's directory holds its log: a chain of segment files, each named by the Seq of its first
// entry in 20 decimal digits, a sparse index beside every sealed segment, and an optional trim marker.
//
//	shardId-000000000000/
//	    00000000000000000000.log    sealed segment: Seqs 0 .. 8191
//	    00000000000000000000.idx    its sparse index (derived: rebuilt from the segment when bad)
//	    00000000000000008192.log    active segment: the only one written, the only one repaired
//	    trim                        first readable Seq after retention (absent until the first Trim)
//
// All integers are little-endian. CRC is CRC-32C (Castagnoli).
//
// Segment file: a header, then frames back to back, their Seqs consecutive from the header's.
//
//	+----------+---------+-----------+--------+--------+--------+-----+
//	| magic    | version | first Seq | CRC    | frame  | frame  | ... |
//	| HYDRLOG1 | uint32  | uint64    | uint32 |        |        |     |
//	+----------+---------+-----------+--------+--------+--------+-----+
//	  8 bytes    4         8           4        <- CRC covers the 20 bytes before it
//
// Frame: a fixed 27-byte header, an optional hash key, the partition key, the data.
//
//	 0        4        8             16            24      25       27
//	+--------+--------+-------------+-------------+-------+--------+- - - - - - -+---------+------+
//	| length | CRC    | Seq         | Arrival ms  | flags | keyLen | hash key    | part.   | data |
//	| uint32 | uint32 | uint64      | int64       | uint8 | uint16 | 16 bytes if | key     |      |
//	|        |        |             |             |       |        | FlagHashKey |         |      |
//	+--------+--------+-------------+-------------+-------+--------+- - - - - - -+---------+------+
//	length:  the whole frame, these 4 bytes included: 27 <= length <= 27+16+256+10 MiB
//	CRC:     over everything after the CRC field (byte 8 to length)
//	keyLen:  <= 256; data length is what remains
//
// A torn write leaves at most one bad frame at the end of the active segment: a short frame, a zero
// or out-of-bounds length (a zero-filled tail), a CRC mismatch or a Seq out of order. OpenLog cuts the
// active segment at the first such frame. The same damage in a sealed segment is a *CorruptionError,
// as is a gap in the Seq chain between segments.
//
// Index file (<first Seq>.idx), written when its segment is sealed, never fsynced: it is derived
// state, checked against its CRC and the segment's size at open and rebuilt by a scan when wrong.
//
//	+----------+---------+-------+-------+--------+---------------+--------------+-------+---------+--------+
//	| magic    | version | first | next  | size   | first Arrival | last Arrival | count | entries | CRC    |
//	| HYDRIDX1 | uint32  | Seq   | Seq   | int64  | int64         | int64        | uint32| count*24| uint32 |
//	+----------+---------+-------+-------+--------+---------------+--------------+-------+---------+--------+
//	entry:   Seq uint64 | Arrival int64 | file offset int64, one about every 64 KiB of frames
//	CRC:     over everything before it
//
// Trim marker, replaced atomically (temporary file, fsync, rename, fsync of the directory):
//
//	+----------+-----------+--------+
//	| HYDRTRM1 | first Seq | CRC    |
//	+----------+-----------+--------+
package streams
