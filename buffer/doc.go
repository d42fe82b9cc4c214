// Package buffer is Firehose's delivery engine: it turns a stream's log into objects. The log is the
// buffer: a delivery keeps no copy of the records, only a cursor over the log and a journal of cuts.
//
// A cut is a half-open range [From, To) of log positions on each source shard that becomes one object
// (with dynamic partitioning, one object per partition found in it). Delivery goes in three steps:
//
//  1. Plan: read records from the cursor, feeding a Cutter, until a rule ends the object: the size
//     hint, or the interval measured on the records' arrival times in the log. A quiet stream is cut
//     once the wall clock passes the oldest record's arrival plus the interval. The cut is appended to
//     the journal and fsynced before anything is uploaded.
//  2. Deliver: reread the range from the log, process and compress it, and upload each object under
//     a key that is a pure function of the range (its time from the oldest record's arrival, its id
//     derived from the ranges), with conditional or idempotent writes.
//  3. Done: append a "delivered" entry. It is not fsynced: losing it only repeats an idempotent upload.
//
// After a crash, every planned cut that is not marked delivered is delivered again, unchanged, before
// anything new is planned; each shard's cursor resumes at the end of its last planned cut. So the destination
// ends with every record exactly once, whenever the crash came.
//
// # Journal format
//
// The journal (cuts.log) is a sequence of frames; a torn tail is cut off at open, damage elsewhere is a
// *JournalError. All integers are little-endian; the CRC is CRC-32C.
//
//	+--------+--------+------+---------+--------------+--------+--------------------------------+
//	| length | CRC    | kind | cut id  | oldest ms    | shards | shards × (index u32, from u64, |
//	| uint32 | uint32 | u8   | uint64  | int64        | uint16 |            to u64)             |
//	+--------+--------+------+---------+--------------+--------+--------------------------------+
//	length: the whole frame; CRC: over everything after the CRC field; kind: 1 planned, 2 delivered
//	(the cut id only: shards = 0), 3 cursors (every shard's position, From = To, and the last id),
//	4 source (the source stream's creation time in "oldest"; a new one resets cursors and cuts).
//
// When the journal grows past a threshold it is compacted: rewritten atomically with the source frame,
// one cursors frame and the cuts not yet delivered.
package buffer
