package streams

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Read decodes committed entries starting at Seq from, at most maxRecords entries and at most maxBytes
// of partition key plus data (always at least one entry if one exists), into buf's backing storage
// (growing it if needed). It returns the entries and the Seq to read next. Reading below FirstSeq
// starts at FirstSeq.
//
// Every frame returned has passed its checksum. A damaged frame is reported as a *CorruptionError by
// the Read that would have returned it first; the entries before it come back without error from the
// Reads before. The entries alias newBuf (or, when buf had to grow, an earlier array) and are valid
// until newBuf is passed to another Read.
func (l *Log) Read(from uint64, maxRecords, maxBytes int, buf []byte) (entries []Entry, next uint64, newBuf []byte, err error) {
	return l.ReadInto(from, maxRecords, maxBytes, nil, buf)
}

// ReadInto is Read appending the entries to dst[:0], so that a reader polling in a loop reuses one slice
// of entries as it reuses buf.
func (l *Log) ReadInto(from uint64, maxRecords, maxBytes int, dst []Entry, buf []byte) (entries []Entry, next uint64, newBuf []byte, err error) {
	r := logReader{maxRecords: max(maxRecords, 1), maxBytes: max(maxBytes, 0), buf: buf[:0], next: from}
	if cap(dst) > 0 {
		r.entries = dst[:0]
	}
	for !r.full {
		l.mu.Lock()
		if l.mu.closed {
			l.mu.Unlock()
			return nil, from, buf, ErrClosed
		}
		if r.next < l.mu.firstSeq {
			if len(r.entries) > 0 {
				// Trimmed under our feet: a batch has no gaps.
				l.mu.Unlock()
				break
			}
			r.next = l.mu.firstSeq
		}
		committed := l.mu.committed
		s := l.segmentForLocked(r.next)
		if r.next >= committed || s == nil {
			l.mu.Unlock()
			break
		}
		if r.entries == nil {
			r.entries = make([]Entry, 0, s.estimateEntries(committed-r.next, r.maxRecords, r.maxBytes))
		}
		off, seq := s.seekSeq(r.next)
		end, segNext := s.size, s.next
		r.avgFrame = (s.size - segHeaderSize) / int64(s.next-s.first)
		f := s.pinLocked()
		l.mu.Unlock()

		var err error
		if f == nil {
			f, err = l.openPinned(s)
		}
		if err == nil {
			err = r.readSegment(s, f, off, end, seq, segNext)
		}
		l.unpin(s)
		if err != nil && errors.Is(err, os.ErrNotExist) && l.removedSegment(s) {
			continue // trimmed meanwhile: go on from the new FirstSeq
		}
		if err != nil {
			if len(r.entries) > 0 {
				break
			}
			return nil, r.next, r.buf, err
		}
	}
	return r.entries, r.next, r.buf, nil
}

// logReader is the state of one Read.
type logReader struct {
	maxRecords int
	maxBytes   int
	bytes      int // partition key and data bytes in entries
	entries    []Entry
	buf        []byte // bytes of frames read; entries alias buf[:p] of the current segment's reads
	next       uint64 // Seq of the next entry to return
	full       bool   // a limit is reached
	avgFrame   int64  // average frame size in the segment being read
}

// chunk is how much to read at once: enough for the rest of the budget in one read if frames
// carry at most 64 bytes besides key and data, or if they are not much larger than the segment's
// average, and enough for the frames before the wanted one that the index makes us skip.
func (r *logReader) chunk() int {
	recs := min(int64(r.maxRecords-len(r.entries)), 1<<20)
	c := min(int64(r.maxBytes-r.bytes), 16<<20) + recs*64
	if r.avgFrame > 0 {
		c = min(c, recs*(r.avgFrame+r.avgFrame/4))
	}
	return int(min(max(c+indexInterval, 64<<10), 16<<20))
}

// readSegment decodes the frames of s, read from f, from off, where the frame holding seq starts, up to end (the
// committed size, where segNext starts), appending those from r.next on to r.entries until a limit is
// reached or the segment ends.
func (r *logReader) readSegment(s *segment, f logFile, off, end int64, seq, segNext uint64) error {
	p := len(r.buf) // decoding position; the bytes before it are aliased by entries
	pos := off      // file offset of r.buf[len(r.buf)]
	need := 4       // bytes missing at p for the next step
	var e Entry
	for {
		for len(r.buf)-p >= 4 {
			b := r.buf[p:]
			n, err := frameLen(b)
			if err != nil {
				return s.corrupt(pos-int64(len(b)), err)
			}
			if n > len(b) {
				need = n - len(b)
				break
			}
			if _, err := decodeFrame(b[:n], &e); err != nil {
				return s.corrupt(pos-int64(len(b)), err)
			}
			if e.Seq != seq {
				return s.corrupt(pos-int64(len(b)), fmt.Errorf("%w: %d, expected %d", errFrameSeq, e.Seq, seq))
			}
			seq++
			p += n
			if e.Seq < r.next {
				continue
			}
			size := len(e.PartitionKey) + len(e.Data)
			if len(r.entries) > 0 && r.bytes+size > r.maxBytes {
				r.full = true
				return nil
			}
			r.entries = append(r.entries, e)
			r.bytes += size
			r.next = seq
			if len(r.entries) >= r.maxRecords {
				r.full = true
				return nil
			}
			if seq == segNext {
				return nil
			}
		}
		if seq == segNext {
			return nil
		}
		if pos >= end {
			return s.corrupt(pos-int64(len(r.buf)-p), errFrameTruncated)
		}
		want := int(min(int64(max(r.chunk(), need)), end-pos))
		if cap(r.buf)-len(r.buf) < want {
			// Carry the partial frame over to a larger array: the entries already decoded keep
			// aliasing the old one.
			avail := len(r.buf) - p
			nb := make([]byte, avail, max(2*cap(r.buf), avail+want))
			copy(nb, r.buf[p:])
			r.buf, p = nb, 0
		}
		k, err := f.ReadAt(r.buf[len(r.buf):len(r.buf)+want], pos)
		if k < want {
			if err == nil || errors.Is(err, io.EOF) {
				return s.corrupt(pos+int64(k), errFrameTruncated)
			}
			return fmt.Errorf("read segment %s: %w", s.path, err)
		}
		r.buf = r.buf[:len(r.buf)+want]
		pos += int64(want)
		need = 4
	}
}

// SeekTime returns the first Seq with Arrival >= ms (NextSeq if none), found through the sparse index.
//
// If the frames it scans are damaged it returns the Seq it would have scanned from, which is not
// later than the answer: a Read from there reports the damage.
func (l *Log) SeekTime(ms int64) uint64 {
	l.mu.Lock()
	first, committed := l.mu.firstSeq, l.mu.committed
	s := l.segmentForTimeLocked(ms)
	if s == nil {
		l.mu.Unlock()
		return committed
	}
	x, ok := s.seekTime(ms)
	if !ok || s.next == s.first {
		l.mu.Unlock()
		return max(s.first, first)
	}
	end := s.size
	f := s.pinLocked()
	l.mu.Unlock()
	defer l.unpin(s)

	seq := x.seq
	var err error
	if f == nil {
		if f, err = l.openPinned(s); err != nil {
			return max(seq, first)
		}
	}
	res, err := scanFrames(f, x.off, end, x.seq, make([]byte, 2*indexInterval),
		func(e *Entry, _ int64, _ int) bool { return e.Arrival < ms })
	if err == nil && res.bad == nil {
		seq = res.next
	}
	return max(seq, first)
}

// estimateEntries guesses how many entries a Read will return, from the average frame size of s, so
// that the entries slice is allocated once.
func (s *segment) estimateEntries(left uint64, maxRecords, maxBytes int) int {
	n := min(left, uint64(maxRecords))
	if s.next > s.first {
		// Key and data bytes per entry, a little under: the budget counts those only.
		avg := max(uint64(s.size-segHeaderSize)/(s.next-s.first), frameHeaderSize+1) - frameHeaderSize
		n = min(n, uint64(maxBytes)/avg+1)
	}
	return int(min(n, 1<<16))
}

// removedSegment reports whether Trim has deleted s.
func (l *Log) removedSegment(s *segment) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return s.removed
}
