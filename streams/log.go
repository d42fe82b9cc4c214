package streams

import (
	"context"
	"time"
)

// Entry is one record as the log stores it.
//
// Seq is the shard-local ordinal the log assigns on Append: dense, starting at 0 for the first record a
// shard ever held, never reused. Arrival is the log's arrival time in Unix milliseconds, assigned on
// Append and never lower than the previous record's. The full AWS sequence number is derived from
// (shard, Seq, Arrival) by the stream layer; the log knows nothing of it.
//
// On Read, PartitionKey and Data alias the caller's buffer.
type Entry struct {
	Seq          uint64
	Arrival      int64
	Flags        uint8 // FlagEncrypted, FlagHashKey
	HashKey      [16]byte
	PartitionKey []byte
	Data         []byte
}

// Entry flags.
const (
	FlagHashKey   uint8 = 1 << 0 // HashKey holds an explicit hash key given by the producer
	FlagEncrypted uint8 = 1 << 1 // Data is sealed with the stream's key (see crypt.go)
)

// SyncMode says when an append counts as durable.
type SyncMode int

const (
	// SyncAlways acknowledges an append only after fsync; concurrent appenders share one fsync
	// (group commit). The default.
	SyncAlways SyncMode = iota
	// SyncInterval acknowledges after write(2) and fsyncs every LogOptions.SyncInterval: a crash of the
	// machine (not of the process) can lose up to that interval.
	SyncInterval
)

// LogOptions configure a shard log. Zero values take the documented defaults.
type LogOptions struct {
	Dir          string        // the shard's directory; created if missing
	SegmentBytes int64         // roll to a new segment past this size; default 64 MiB
	SegmentAge   time.Duration // roll a segment whose first record is older than this; default 1h
	Sync         SyncMode      // default SyncAlways
	SyncInterval time.Duration // for SyncInterval; default 200ms
	MaxPending   int64         // bytes queued but not yet written before Append blocks; default 32 MiB
	Now          func() time.Time
}

// Log is one shard's segmented, append-only, durable log. It is safe for concurrent use.
type Log struct{}

// OpenLog opens (creating if needed) the log in opts.Dir. It truncates a torn tail of the last segment
// and returns a *CorruptionError for damage anywhere else.
func OpenLog(opts LogOptions) (*Log, error) { panic("TODO") }

// Append assigns Seq and Arrival to each entry in order (writing them into recs), queues the batch for
// the next group commit and returns at once. Wait on the returned Pending for durability. Append
// blocks while more than MaxPending bytes are queued. After Seal it returns ErrSealed; after a write
// error it returns that error forever.
func (l *Log) Append(recs []Entry) (Pending, error) { panic("TODO") }

// Pending is a queued append.
type Pending struct{}

// Wait blocks until the append is durable (per SyncMode) or failed, or ctx is done.
func (p Pending) Wait(ctx context.Context) error { panic("TODO") }

// Seal refuses further appends and returns the Seq the next record would have had. Queued appends
// still commit.
func (l *Log) Seal() uint64 { panic("TODO") }

// Read decodes committed entries starting at Seq from, at most maxRecords entries and at most maxBytes
// of partition key plus data (always at least one entry if one exists), into buf's backing storage
// (growing it if needed). It returns the entries and the Seq to read next. Reading below FirstSeq
// starts at FirstSeq.
func (l *Log) Read(from uint64, maxRecords, maxBytes int, buf []byte) (entries []Entry, next uint64, newBuf []byte, err error) {
	panic("TODO")
}

// FirstSeq is the first Seq still readable (after retention trimming).
func (l *Log) FirstSeq() uint64 { panic("TODO") }

// NextSeq is one past the last committed (durable, readable) Seq.
func (l *Log) NextSeq() uint64 { panic("TODO") }

// LastArrival is the Arrival of the last committed entry, or 0 if none.
func (l *Log) LastArrival() int64 { panic("TODO") }

// SeekTime returns the first Seq with Arrival >= ms (NextSeq if none), found through the sparse index.
func (l *Log) SeekTime(ms int64) uint64 { panic("TODO") }

// Changed returns a channel closed the next time committed entries are added (or the log is sealed or
// closed). Take a new channel after each wake-up.
func (l *Log) Changed() <-chan struct{} { panic("TODO") }

// Trim makes entries with Arrival < beforeMs unreadable and deletes every segment that holds only
// such entries (rolling the active segment first if it is one of them).
func (l *Log) Trim(beforeMs int64) error { panic("TODO") }

// Size is the bytes the log occupies on disk.
func (l *Log) Size() int64 { panic("TODO") }

// Close stops the log's goroutines after committing queued appends and closes its files.
func (l *Log) Close() error { panic("TODO") }
