package streams

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// logFile is what a shard log needs of a segment file. It is *os.File but for tests, which wrap it to
// inject write and sync failures.
type logFile interface {
	io.ReaderAt
	io.WriterAt
	Sync() error
	Truncate(size int64) error
	Stat() (os.FileInfo, error)
	Close() error
}

func openOSFile(name string, flag int, perm os.FileMode) (logFile, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// segment is one segment file. Sealed segments are only read; the active (last) one is written by the
// flusher alone, at offsets no reader is allowed to reach before they are committed.
//
// The active segment's file stays open. A sealed segment's file is open only while readers use it,
// who share one handle: a log keeps months of segments, and one descriptor for each would run a
// server with many shards out of them.
type segment struct {
	path string

	// Guarded by Log.mu.
	f       logFile // nil while closed; stable while active or readers > 0
	segMeta         // for the active segment, its committed part
	idxSize int64   // bytes of the index file, 0 if none
	readers int     // readers using f
	active  bool    // the flusher writes to it
	removed bool    // deleted by Trim
}

// pinLocked registers a reader of s and returns s's file, nil if the reader must open it (openPinned).
func (s *segment) pinLocked() logFile {
	s.readers++
	return s.f
}

// openPinned opens the file of a segment pinned by the caller, or takes the one another reader opened
// meanwhile.
func (l *Log) openPinned(s *segment) (logFile, error) {
	f, err := l.hooks.openFile(s.path, os.O_RDONLY, 0)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	if s.f != nil {
		f.Close()
		return s.f, nil
	}
	s.f = f
	return f, nil
}

// unpin is the end of a reader's use of s: the last reader of a sealed segment closes its file.
func (l *Log) unpin(s *segment) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s.readers--
	s.closeIdleLocked()
}

// closeIdleLocked closes s's file if neither the flusher nor a reader uses it. A read-only file has
// nothing to report on close.
func (s *segment) closeIdleLocked() {
	if s.readers == 0 && !s.active && s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

func segmentName(first uint64) string { return fmt.Sprintf("%020d.log", first) }

// parseSegmentName returns the first Seq of a segment file's name.
func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, ".log")
	if !ok || len(digits) != 20 {
		return 0, false
	}
	first, err := strconv.ParseUint(digits, 10, 64)
	return first, err == nil
}

// indexPath is the path of a segment's index file.
func indexPath(segPath string) string { return strings.TrimSuffix(segPath, ".log") + ".idx" }

// corrupt returns a *CorruptionError for damage at off.
func (s *segment) corrupt(off int64, err error) *CorruptionError {
	return &CorruptionError{Segment: s.path, Offset: off, Err: err}
}

// scanResult says where a scan of frames stopped.
type scanResult struct {
	end  int64  // offset just past the last frame accepted
	next uint64 // Seq after the last frame accepted
	bad  error  // why the frame at end is bad; nil if the scan reached the end or was stopped
}

// scanFrames reads and verifies the frames of f from off, where a frame holding seq should start, up
// to size, and calls fn with each good frame (e aliases scratch space) until fn returns false; the
// frame fn refused is not counted in the result. buf is scratch space; a larger one is allocated for
// a frame that does not fit. Damage stops the scan and is described in scanResult.bad; the error
// returned is an I/O error.
func scanFrames(f io.ReaderAt, off, size int64, seq uint64, buf []byte, fn func(e *Entry, off int64, n int) bool) (scanResult, error) {
	r := scanResult{end: off, next: seq}
	if len(buf) < frameHeaderSize {
		buf = make([]byte, 64<<10)
	}
	var e Entry
	for r.end < size {
		// Every read starts at a frame boundary, so a frame that did not fit is read again whole.
		n := int(min(int64(len(buf)), size-r.end))
		if k, err := f.ReadAt(buf[:n], r.end); err != nil && !(errors.Is(err, io.EOF) && k == n) {
			if errors.Is(err, io.EOF) {
				// The file is shorter than it was said to be.
				r.bad = errFrameTruncated
				return r, nil
			}
			return r, err
		}
		b := buf[:n]
		for {
			if len(b) < 4 {
				if len(b) > 0 && r.end+int64(len(b)) == size {
					r.bad = errFrameTruncated
					return r, nil
				}
				break
			}
			fl, err := frameLen(b)
			if err != nil {
				r.bad = err
				return r, nil
			}
			if fl > len(b) {
				if r.end+int64(fl) > size {
					r.bad = errFrameTruncated
					return r, nil
				}
				if fl > len(buf) {
					buf = make([]byte, fl)
				}
				break
			}
			if _, err := decodeFrame(b[:fl], &e); err != nil {
				r.bad = err
				return r, nil
			}
			if e.Seq != r.next {
				r.bad = errFrameSeq
				return r, nil
			}
			if !fn(&e, r.end, fl) {
				return r, nil
			}
			b = b[fl:]
			r.end += int64(fl)
			r.next++
		}
	}
	return r, nil
}
