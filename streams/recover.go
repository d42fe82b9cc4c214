package streams

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Recovery at open trusts sealed segments as far as cheap checks go (header, size against the saved
// index, the Seq chain) and reads only the active one whole:
//
//   - the active (last) segment is scanned frame by frame and cut at the first frame that is short,
//     out of bounds, fails its CRC or breaks the Seq order: that is a torn write, and nothing after it
//     was acknowledged. A header torn the same way (a file shorter than a header, or all zeros) is
//     rewritten.
//   - a sealed segment with a bad header, a size its index does not match and a scan does not explain,
//     or a gap in the Seq chain is a *CorruptionError: those segments were fsynced whole before the
//     next one was created, so no crash explains the damage. A bad frame in the body of a sealed
//     segment whose index is intact is found by the Read that reaches it.

// scanBufSize is the read size of the scans at open.
const scanBufSize = 1 << 20

func openLog(opts LogOptions, hooks logHooks) (*Log, error) {
	if opts.Dir == "" {
		return nil, errors.New("open log: no directory")
	}
	opts = opts.withDefaults()
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	l := &Log{
		opts:     opts,
		dir:      opts.Dir,
		hooks:    hooks,
		kick:     make(chan struct{}, 1),
		rollCh:   make(chan chan error),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		syncQuit: make(chan struct{}),
		syncDone: make(chan struct{}),
	}
	l.space.L = &l.mu.Mutex

	segs, err := l.recover()
	if err != nil {
		return nil, err
	}
	last := segs[len(segs)-1]
	l.mu.segs = segs
	l.mu.next = last.next
	l.mu.committed = last.next
	l.mu.lastArrival = last.lastArrival
	l.mu.committedArrival = last.lastArrival
	l.mu.group = newCommitGroup()
	l.mu.changed = make(chan struct{})
	l.w.seg, l.w.f = last, last.f
	l.w.meta = last.segMeta

	l.mu.firstSeq = segs[0].first
	if first, err := readTrimFile(l.dir); err == nil {
		// The marker may be past the end if a machine crash lost acknowledged entries (SyncInterval).
		l.mu.firstSeq = min(max(first, segs[0].first), last.next)
	}

	l.mu.synced = last.next
	go l.run()
	if opts.Sync == SyncInterval {
		go l.syncLoop()
	} else {
		close(l.syncDone)
	}
	return l, nil
}

// recover opens the segments in the log's directory, checks that they chain, repairs the tail of the
// last one and returns them in order. It creates the first segment of a new log.
func (l *Log) recover() (segs []*segment, err error) {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	var firsts []uint64
	var idxFiles []string
	for _, de := range ents {
		name := de.Name()
		first, ok := parseSegmentName(name)
		switch {
		case ok && de.Type().IsRegular():
			firsts = append(firsts, first)
		case strings.HasSuffix(name, ".idx"):
			idxFiles = append(idxFiles, name)
		case strings.HasSuffix(name, ".tmp") || strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp"):
			// Left by a crash while writing an index or the trim marker.
			os.Remove(filepath.Join(l.dir, name))
		}
	}
	slices.Sort(firsts)

	defer func() {
		if err != nil {
			for _, s := range segs {
				if s.f != nil {
					s.f.Close()
				}
			}
		}
	}()
	for i, first := range firsts {
		path := filepath.Join(l.dir, segmentName(first))
		var s *segment
		if i < len(firsts)-1 {
			s, err = l.openSealed(path, first)
		} else {
			s, err = l.openActive(path, first)
		}
		if err != nil {
			return segs, err
		}
		segs = append(segs, s)
		if i == 0 {
			if err := l.checkHead(s); err != nil {
				return segs, err
			}
			continue
		}
		prev := segs[i-1]
		if s.first != prev.next {
			return segs, s.corrupt(0, fmt.Errorf("%w: first seq %d, expected %d", errSegmentGap, s.first, prev.next))
		}
		if s.next == s.first {
			s.lastArrival = prev.lastArrival
		}
	}

	// An index is kept for sealed segments only.
	live := make(map[string]bool, len(segs))
	for _, s := range segs[:max(len(segs)-1, 0)] {
		live[filepath.Base(indexPath(s.path))] = true
	}
	for _, name := range idxFiles {
		if !live[name] {
			os.Remove(filepath.Join(l.dir, name))
		}
	}

	if len(segs) == 0 {
		first, _ := readTrimFile(l.dir)
		s, err := l.createSegment(first, 0)
		if err != nil {
			return nil, fmt.Errorf("open log: %w", err)
		}
		segs = append(segs, s)
	}
	return segs, nil
}

// checkHead reports a *CorruptionError if the oldest segment does not start where the log does: at 0,
// or at or before the trim marker's Seq, since Trim deletes only segments wholly before it.
func (l *Log) checkHead(s *segment) error {
	first, err := readTrimFile(l.dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		first = 0
	case err != nil:
		return nil // a damaged marker says nothing
	}
	if s.first > first {
		return s.corrupt(0, fmt.Errorf("%w: log starts at seq %d, expected at most %d", errSegmentGap, s.first, first))
	}
	return nil
}

// openSealed loads a sealed segment, from its saved index if that is good or else by scanning it, and
// leaves its file closed until a reader needs it.
func (l *Log) openSealed(path string, first uint64) (*segment, error) {
	f, err := l.hooks.openFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	defer f.Close()
	s := &segment{path: path, f: f}
	s.first = first
	if err := s.loadSealed(); err != nil {
		return nil, err
	}
	s.f = nil
	return s, nil
}

func (s *segment) loadSealed() error {
	size, err := s.readHeader()
	if err != nil {
		return err
	}
	if m, n, ok := readIndexFile(s.path, s.first, size); ok {
		s.segMeta, s.idxSize = m, n
		return nil
	}
	s.segMeta = segMeta{first: s.first, next: s.first, size: segHeaderSize}
	res, err := scanFrames(s.f, segHeaderSize, size, s.first, make([]byte, scanBufSize), func(e *Entry, off int64, n int) bool {
		s.track(e.Seq, e.Arrival, off, int64(n))
		return true
	})
	if err != nil {
		return fmt.Errorf("read segment %s: %w", s.path, err)
	}
	if res.bad != nil {
		return s.corrupt(res.end, res.bad)
	}
	// Derived state: if the index cannot be saved, the next open scans again.
	if n, err := writeIndexFile(s.path, &s.segMeta); err == nil {
		s.idxSize = n
	}
	return nil
}

// readHeader checks a sealed segment's header and returns the file's size.
func (s *segment) readHeader() (int64, error) {
	size, err := fileSize(s.f)
	if err != nil {
		return 0, err
	}
	hdr := make([]byte, min(size, segHeaderSize))
	if _, err := s.f.ReadAt(hdr, 0); err != nil {
		return 0, fmt.Errorf("read segment %s: %w", s.path, err)
	}
	if err := checkSegHeader(hdr, s.first); err != nil {
		return 0, s.corrupt(0, err)
	}
	return size, nil
}

// openActive opens the last segment for writing, cutting any torn tail.
func (l *Log) openActive(path string, first uint64) (*segment, error) {
	f, err := l.hooks.openFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	s := &segment{path: path, f: f, active: true}
	s.first = first
	if err := s.repair(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// repair scans the active segment and truncates it after its last good frame.
func (s *segment) repair() error {
	size, err := fileSize(s.f)
	if err != nil {
		return err
	}
	s.segMeta = segMeta{first: s.first, next: s.first, size: segHeaderSize}
	hdr := make([]byte, min(size, segHeaderSize))
	if _, err := s.f.ReadAt(hdr, 0); err != nil {
		return fmt.Errorf("read segment %s: %w", s.path, err)
	}
	if herr := checkSegHeader(hdr, s.first); herr != nil {
		// A crash between creating the file and fsyncing its header leaves it short or zeroed, and
		// no entry can have been acknowledged in it. A full header that is wrong over data is damage.
		zero, err := allZero(s.f, size)
		if err != nil {
			return fmt.Errorf("read segment %s: %w", s.path, err)
		}
		if size > segHeaderSize && !zero {
			return s.corrupt(0, herr)
		}
		if err := s.f.Truncate(0); err != nil {
			return fmt.Errorf("repair segment %s: %w", s.path, err)
		}
		if err := initSegment(s.f, s.first); err != nil {
			return fmt.Errorf("repair segment %s: %w", s.path, err)
		}
		return nil
	}

	res, err := scanFrames(s.f, segHeaderSize, size, s.first, make([]byte, scanBufSize), func(e *Entry, off int64, n int) bool {
		s.track(e.Seq, e.Arrival, off, int64(n))
		return true
	})
	if err != nil {
		return fmt.Errorf("read segment %s: %w", s.path, err)
	}
	if res.end < size {
		if err := s.f.Truncate(res.end); err != nil {
			return fmt.Errorf("repair segment %s: %w", s.path, err)
		}
		if err := s.f.Sync(); err != nil {
			return fmt.Errorf("repair segment %s: %w", s.path, err)
		}
	}
	return nil
}

func fileSize(f logFile) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat segment: %w", err)
	}
	return fi.Size(), nil
}

// allZero reports whether the first size bytes of f are all zero.
func allZero(f io.ReaderAt, size int64) (bool, error) {
	buf := make([]byte, min(size, 64<<10))
	for off := int64(0); off < size; {
		n := int(min(int64(len(buf)), size-off))
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return false, err
		}
		for _, c := range buf[:n] {
			if c != 0 {
				return false, nil
			}
		}
		off += int64(n)
	}
	return true, nil
}

// readTrimFile returns the first Seq saved by the last Trim.
func readTrimFile(dir string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, trimFileName))
	if err != nil {
		return 0, err
	}
	return decodeTrimFile(b)
}
