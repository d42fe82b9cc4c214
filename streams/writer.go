package streams

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hydrantio/hydrant/internal/atomicfile"
)

// maxSpareBuf is the largest pending buffer the flusher hands back to Append for reuse: a burst that
// grew one past it does not pin that memory for the life of the log.
const maxSpareBuf = 8 << 20

// commitGroup is the batch of appends that one flush commits: all their Pendings wait on done.
type commitGroup struct {
	done chan struct{}
	err  error // set before done is closed
}

func newCommitGroup() *commitGroup { return &commitGroup{done: make(chan struct{})} }

func (g *commitGroup) finish(err error) {
	g.err = err
	close(g.done)
}

// Append assigns Seq and Arrival to each entry in order (writing them into recs), queues the batch for
// the next group commit and returns at once. Wait on the returned Pending for durability. Append
// blocks while more than MaxPending bytes are queued. After Seal it returns ErrSealed; after a write
// error it returns that error forever.
//
// All entries of one call get the same Arrival: the clock's, or the previous entry's if the clock went
// back.
func (l *Log) Append(recs []Entry) (Pending, error) {
	var need int64
	for i := range recs {
		if err := checkEntry(&recs[i]); err != nil {
			return Pending{}, fmt.Errorf("append entry %d: %w", i, err)
		}
		need += int64(frameSize(&recs[i]))
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if err := l.appendableLocked(); err != nil {
			return Pending{}, err
		}
		// A batch larger than MaxPending goes through alone rather than never.
		if l.mu.queued == 0 || l.mu.queued+need <= l.opts.MaxPending {
			break
		}
		l.space.Wait()
	}
	if len(recs) == 0 {
		return Pending{}, nil
	}
	now := max(l.opts.Now().UnixMilli(), l.mu.lastArrival)
	l.mu.lastArrival = now
	for i := range recs {
		e := &recs[i]
		e.Seq = l.mu.next
		e.Arrival = now
		l.mu.next++
		l.mu.buf = appendFrame(l.mu.buf, e)
	}
	l.mu.queued += need
	select {
	case l.kick <- struct{}{}:
	default: // the flusher has been kicked already and has not swapped the buffer yet
	}
	return Pending{g: l.mu.group}, nil
}

// Tip returns one past the last committed Seq and a floor: every entry at or after that Seq, already
// appended or appended later, has Arrival >= floor. Positioned readers that merge shards by arrival use
// it to know, when they are caught up, that nothing earlier can still come.
//
// With appends in flight (assigned but not committed), the floor is the last committed Arrival, since
// Append never assigns less than the previous Arrival. With none, it is max(clock, last Arrival), and
// the log remembers it as its last Arrival so that a clock going back cannot break the promise. Once
// sealed, it is the time of the seal: the children's records come after it.
func (l *Log) Tip() (tip uint64, floor int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mu.next != l.mu.committed {
		return l.mu.committed, l.mu.committedArrival
	}
	if l.mu.sealed {
		// Nothing follows in this log, but a reader that merges by arrival must not pass the records
		// of the children, which arrive from the seal on.
		return l.mu.committed, l.mu.sealedAt
	}
	floor = max(l.opts.Now().UnixMilli(), l.mu.lastArrival)
	l.mu.lastArrival = floor
	return l.mu.committed, floor
}

func (l *Log) appendableLocked() error {
	switch {
	case l.mu.err != nil:
		return l.mu.err
	case l.mu.closing:
		return ErrClosed
	case l.mu.sealed:
		return ErrSealed
	}
	return nil
}

// run is the flusher goroutine: the only writer of segment files.
func (l *Log) run() {
	defer close(l.done)
	for {
		select {
		case <-l.kick:
			l.flush()
		case reply := <-l.rollCh:
			reply <- l.rollRequested()
		case <-l.quit:
			// Close has stopped Append: drain what is queued.
			for l.flush() {
			}
			if l.w.dirty && l.healthy() {
				if err := l.syncActive(); err != nil {
					l.fail(err)
				}
			}
			return
		}
	}
}

func (l *Log) healthy() bool { return l.stickyErr() == nil }

func (l *Log) stickyErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.err
}

// flush writes and commits the queued frames, if any, and reports whether there were any.
func (l *Log) flush() bool {
	l.mu.Lock()
	if len(l.mu.buf) == 0 || l.mu.err != nil {
		l.mu.Unlock()
		return false
	}
	b := l.mu.buf
	l.mu.buf, l.mu.spare = l.mu.spare[:0], nil
	g := l.mu.group
	l.mu.group = newCommitGroup()
	l.mu.Unlock()

	if err := l.writeBatch(b); err != nil {
		g.finish(l.fail(err))
		return false
	}

	l.mu.Lock()
	if l.mu.err != nil {
		// The syncer failed meanwhile (SyncInterval): these waiters get its error too.
		err := l.mu.err
		l.mu.Unlock()
		g.finish(err)
		return false
	}
	l.w.seg.segMeta = l.w.meta
	l.mu.committed = l.w.meta.next
	l.mu.committedArrival = l.w.meta.lastArrival
	l.mu.queued -= int64(len(b))
	if cap(b) <= maxSpareBuf {
		l.mu.spare = b[:0]
	}
	l.space.Broadcast()
	l.notifyLocked()
	l.mu.Unlock()
	g.finish(nil)
	return true
}

// writeBatch writes b, whole frames, to the active segment (rolling first if it is due) and, with
// SyncAlways, fsyncs it. It updates the flusher's view of the segment, w.meta; the caller publishes
// it.
func (l *Log) writeBatch(b []byte) error {
	if l.rollDue(len(b)) {
		if err := l.roll(); err != nil {
			return err
		}
	}
	w := &l.w
	if _, err := w.f.WriteAt(b, w.meta.size); err != nil {
		return fmt.Errorf("write segment %s: %w", w.seg.path, err)
	}
	// The index entries beyond the published length of the slice are read by nobody until the
	// caller publishes w.meta under mu.
	for p := 0; p < len(b); {
		n := int(logOrder.Uint32(b[p:]))
		w.meta.track(logOrder.Uint64(b[p+8:]), int64(logOrder.Uint64(b[p+16:])), w.meta.size, int64(n))
		p += n
	}
	if l.opts.Sync == SyncAlways {
		return l.syncActive()
	}
	w.dirty = true
	return nil
}

func (l *Log) syncActive() error {
	if err := l.w.f.Sync(); err != nil {
		return fmt.Errorf("sync segment %s: %w", l.w.seg.path, err)
	}
	l.syncs.Add(1)
	l.w.dirty = false
	return nil
}

// fail makes err the log's sticky error and returns it as waiters see it.
func (l *Log) fail(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failLocked(err)
	return l.mu.err
}

// failLocked makes err the log's sticky error: the queued frames are dropped and their waiters, like
// every later Append, get it. What a failed write left on disk is a torn tail for the next open.
func (l *Log) failLocked(err error) {
	if l.mu.err == nil {
		l.mu.err = fmt.Errorf("log failed: %w", err)
	}
	l.mu.buf = l.mu.buf[:0]
	l.mu.queued = 0
	l.mu.group.finish(l.mu.err)
	l.mu.group = newCommitGroup()
	l.space.Broadcast()
}

// rollDue reports whether the active segment must be sealed before n more bytes go into it. An empty
// segment is never sealed: a batch larger than SegmentBytes makes a larger segment.
func (l *Log) rollDue(n int) bool {
	m := &l.w.meta
	if m.next == m.first {
		return false
	}
	return m.size+int64(n) > l.opts.SegmentBytes ||
		l.opts.Now().UnixMilli()-m.firstArrival >= l.opts.SegmentAge.Milliseconds()
}

// rollRequested rolls a non-empty active segment for Trim.
func (l *Log) rollRequested() error {
	if err := l.stickyErr(); err != nil {
		return err
	}
	if l.w.meta.next == l.w.meta.first {
		return nil
	}
	if err := l.roll(); err != nil {
		return l.fail(err)
	}
	return nil
}

// requestRoll has the flusher roll the active segment if it is not empty.
func (l *Log) requestRoll() error {
	reply := make(chan error, 1)
	select {
	case l.rollCh <- reply:
		return <-reply
	case <-l.done:
		return ErrClosed
	}
}

// roll seals the active segment and starts the next one. The old segment is fsynced, then the new
// one is created with its header and the directory fsynced, so that a crash leaves a chain of
// segments without a gap.
func (l *Log) roll() error {
	old := l.w.seg
	if l.w.dirty {
		if err := l.syncActive(); err != nil {
			return err
		}
	}
	seg, err := l.createSegment(l.w.meta.next, l.w.meta.lastArrival)
	if err != nil {
		return err
	}
	sealed := l.w.meta
	l.mu.Lock()
	old.active = false
	old.closeIdleLocked()
	l.mu.segs = append(l.mu.segs, seg)
	l.mu.Unlock()
	l.w.seg, l.w.f = seg, seg.f
	l.w.meta = seg.segMeta

	// The index is derived state: if it cannot be written, the next open rebuilds it.
	if n, err := writeIndexFile(old.path, &sealed); err == nil {
		l.mu.Lock()
		old.idxSize = n
		l.mu.Unlock()
	}
	return nil
}

// createSegment creates the segment file for entries from first, durably: header fsynced, directory
// fsynced. lastArrival is the previous segment's, which an empty segment reports as its own.
func (l *Log) createSegment(first uint64, lastArrival int64) (*segment, error) {
	path := filepath.Join(l.dir, segmentName(first))
	f, err := l.hooks.openFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create segment: %w", err)
	}
	if err := initSegment(f, first); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create segment %s: %w", path, err)
	}
	if err := atomicfile.SyncDir(l.dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("create segment %s: %w", path, err)
	}
	s := &segment{path: path, f: f, active: true}
	s.first, s.next, s.size, s.lastArrival = first, first, segHeaderSize, lastArrival
	return s, nil
}

// initSegment writes the header of an empty segment and fsyncs it.
func initSegment(f logFile, first uint64) error {
	if _, err := f.WriteAt(appendSegHeader(nil, first), 0); err != nil {
		return err
	}
	return f.Sync()
}

// syncLoop is the fsyncer of SyncInterval, beside the flusher so that a slow fsync holds up neither
// writes nor acknowledgements.
func (l *Log) syncLoop() {
	defer close(l.syncDone)
	t := time.NewTicker(l.opts.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.syncCommitted()
		case <-l.syncQuit:
			return
		}
	}
}

// syncCommitted fsyncs the active segment if entries were committed since the last time. Entries in
// older segments were fsynced when their segment was sealed.
func (l *Log) syncCommitted() {
	l.mu.Lock()
	target := l.mu.committed
	if l.mu.err != nil || l.mu.closed || target == l.mu.synced {
		l.mu.Unlock()
		return
	}
	s := l.mu.segs[len(l.mu.segs)-1]
	f := s.pinLocked() // the active segment's file is open
	l.mu.Unlock()

	err := f.Sync()
	l.unpin(s)
	if err != nil {
		l.fail(fmt.Errorf("sync segment %s: %w", s.path, err))
		return
	}
	l.syncs.Add(1)
	l.mu.Lock()
	l.mu.synced = max(l.mu.synced, target)
	l.mu.Unlock()
}
