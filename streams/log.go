package streams

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hydrantio/hydrant/internal/atomicfile"
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

func (o LogOptions) withDefaults() LogOptions {
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = 64 << 20
	}
	if o.SegmentAge <= 0 {
		o.SegmentAge = time.Hour
	}
	if o.SyncInterval <= 0 {
		o.SyncInterval = 200 * time.Millisecond
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 32 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Log is one shard's segmented, append-only, durable log. It is safe for concurrent use.
//
// Concurrency: Append encodes frames into a pending buffer under mu and returns; one flusher
// goroutine (run, owned by the Log, stopped by Close) swaps that buffer out, writes it to the active
// segment with one write, fsyncs once, and then, under mu again, advances the committed watermark and
// wakes the waiters of the whole batch (group commit). With SyncInterval the flusher does not fsync
// after a write: a second goroutine (syncLoop) fsyncs the active segment on a ticker. The flusher alone writes to files and creates
// segments; its own state is in w. Readers take mu only to find a segment and its committed extent
// and to pin it (segment.readers), and read the file with pread outside any lock; Trim may unlink a
// pinned segment, whose file the last reader then closes. Trim and Close are serialised by trimMu,
// which is taken before mu.
type Log struct {
	opts   LogOptions
	dir    string
	hooks  logHooks
	kick   chan struct{}   // capacity 1: frames are queued for the flusher
	rollCh chan chan error // Trim asks the flusher to roll the active segment
	quit   chan struct{}   // closed by Close: the flusher drains the queue and exits
	done   chan struct{}   // closed by the flusher when it exits

	// With SyncInterval, syncLoop fsyncs the active segment beside the flusher.
	syncQuit chan struct{} // closed by Close
	syncDone chan struct{} // closed by syncLoop when it exits (at once without SyncInterval)
	syncs    atomic.Int64  // fsyncs of segment data, for tests of group commit

	trimMu sync.Mutex // serialises Trim

	// w is the flusher's: nothing else touches it once run has started.
	w struct {
		seg   *segment // the active segment
		f     logFile  // seg.f, which does not change while seg is active
		meta  segMeta  // seg's contents as written: ahead of seg.segMeta until published under mu
		dirty bool     // written since the last fsync (SyncInterval)
	}

	space sync.Cond // signalled when queued bytes drain, or on Seal, Close and failure; L is &mu.Mutex

	mu struct {
		sync.Mutex

		// Append side.
		next        uint64 // Seq of the next entry appended
		lastArrival int64  // Arrival of the last entry appended
		buf         []byte // frames queued for the flusher
		spare       []byte // the buffer the flusher last wrote, recycled
		queued      int64  // bytes in buf plus bytes the flusher is writing
		group       *commitGroup
		sealed      bool
		sealedAt    int64 // max(clock, lastArrival) when sealed: a child shard's records arrive after
		closing     bool
		err         error // sticky: the first write or fsync failure

		// Commit side.
		committed        uint64 // one past the last committed Seq
		committedArrival int64
		synced           uint64 // committed when syncLoop last fsynced
		firstSeq         uint64
		segs             []*segment // in Seq order; the last one is active
		changed          chan struct{}
		closed           bool
	}
}

// logHooks let tests inject faults into a log's files.
type logHooks struct {
	openFile func(name string, flag int, perm os.FileMode) (logFile, error)
}

// OpenLog opens (creating if needed) the log in opts.Dir. It truncates a torn tail of the last segment
// and returns a *CorruptionError for damage anywhere else.
func OpenLog(opts LogOptions) (*Log, error) {
	return openLog(opts, logHooks{openFile: openOSFile})
}

// Seal refuses further appends and returns the Seq the next record would have had. Queued appends
// still commit.
func (l *Log) Seal() uint64 { return l.sealAt(l.opts.Now().UnixMilli()) }

// sealAt is Seal at time at (Unix ms): a closed shard's log, opened again, is sealed at the shard's
// close time, so that Tip's floor still bounds the children's records from below.
func (l *Log) sealAt(at int64) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.mu.sealed {
		l.mu.sealed = true
		l.mu.sealedAt = max(at, l.mu.lastArrival)
		l.space.Broadcast()
		l.notifyLocked()
	}
	return l.mu.next
}

// FirstSeq is the first Seq still readable (after retention trimming).
func (l *Log) FirstSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.firstSeq
}

// NextSeq is one past the last committed (durable, readable) Seq.
func (l *Log) NextSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.committed
}

// LastArrival is the Arrival of the last committed entry, or 0 if none.
func (l *Log) LastArrival() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.committedArrival
}

// Changed returns a channel closed the next time committed entries are added (or the log is sealed or
// closed). Take a new channel after each wake-up.
func (l *Log) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.changed
}

// notifyLocked wakes the waiters on Changed. After Close the channel stays closed.
func (l *Log) notifyLocked() {
	if l.mu.closed {
		return
	}
	close(l.mu.changed)
	l.mu.changed = make(chan struct{})
}

// Trim makes entries with Arrival < beforeMs unreadable and deletes every segment that holds only
// such entries (rolling the active segment first if it is one of them).
//
// The new first Seq is saved in the trim marker file before any segment goes, so that a restart
// neither shows trimmed entries nor depends on the caller trimming again first. A marker that fails
// its checksum is ignored: the entries it hid are readable again until the next Trim, which is
// harmless, and no data is lost.
func (l *Log) Trim(beforeMs int64) error {
	l.trimMu.Lock()
	defer l.trimMu.Unlock()

	l.mu.Lock()
	closed, cur := l.mu.closing, l.mu.firstSeq
	l.mu.Unlock()
	if closed {
		return ErrClosed
	}
	first := l.SeekTime(beforeMs)
	if first > cur {
		if err := atomicfile.Write(filepath.Join(l.dir, trimFileName), appendTrimFile(nil, first), 0o644); err != nil {
			return fmt.Errorf("trim %s: %w", l.dir, err)
		}
		l.mu.Lock()
		l.mu.firstSeq = max(l.mu.firstSeq, first)
		l.mu.Unlock()
	}

	l.mu.Lock()
	active := l.mu.segs[len(l.mu.segs)-1]
	roll := active.next > active.first && active.next <= first
	l.mu.Unlock()
	if roll {
		if err := l.requestRoll(); err != nil {
			return fmt.Errorf("trim %s: %w", l.dir, err)
		}
	}

	l.mu.Lock()
	var dead []*segment
	for len(l.mu.segs) > 1 && l.mu.segs[0].next <= first {
		s := l.mu.segs[0]
		s.removed = true
		s.closeIdleLocked()
		dead = append(dead, s)
		l.mu.segs = slices.Delete(l.mu.segs, 0, 1)
	}
	l.mu.Unlock()
	if len(dead) == 0 {
		return nil
	}
	var errs []error
	for _, s := range dead {
		// Oldest first, so that a crash half way leaves a chain without gaps. A reader may still
		// use the file: Unix keeps it until the reader closes it.
		if err := os.Remove(s.path); err != nil {
			errs = append(errs, err)
		}
		if err := os.Remove(indexPath(s.path)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, atomicfile.SyncDir(l.dir))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("trim %s: %w", l.dir, err)
	}
	return nil
}

const trimFileName = "trim"

// Size is the bytes the log occupies on disk.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n int64
	for _, s := range l.mu.segs {
		n += s.size + s.idxSize
	}
	return n
}

// Close stops the log's goroutines after committing queued appends and closes its files. It returns
// the log's write error, if it ever had one. Appends blocked by MaxPending fail with ErrClosed.
func (l *Log) Close() error {
	// Holding trimMu keeps a running Trim from finding the segments gone.
	l.trimMu.Lock()
	defer l.trimMu.Unlock()
	l.mu.Lock()
	if l.mu.closing {
		l.mu.Unlock()
		<-l.done
		<-l.syncDone
		return nil
	}
	l.mu.closing = true
	l.space.Broadcast()
	l.mu.Unlock()

	close(l.quit)
	<-l.done
	close(l.syncQuit)
	<-l.syncDone

	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.mu.changed)
	l.mu.closed = true
	var errs []error
	if l.mu.err != nil {
		errs = append(errs, l.mu.err)
	}
	// Files in use by readers are closed by the last of them.
	for _, s := range l.mu.segs {
		if s.active && s.readers == 0 {
			if err := s.f.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close segment %s: %w", s.path, err))
			}
			s.f = nil
		}
		s.active = false
		s.closeIdleLocked()
	}
	l.mu.segs = nil
	return errors.Join(errs...)
}

// RemoveLog deletes a closed log's directory.
func RemoveLog(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove log %s: %w", dir, err)
	}
	return nil
}

// Pending is a queued append.
type Pending struct {
	g *commitGroup
}

// Wait blocks until the append is durable (per SyncMode) or failed, or ctx is done.
func (p Pending) Wait(ctx context.Context) error {
	if p.g == nil {
		return nil
	}
	select {
	case <-p.g.done:
		return p.g.err
	default:
	}
	select {
	case <-p.g.done:
		return p.g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
