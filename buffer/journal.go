package buffer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/hydrantio/hydrant/internal/atomicfile"
)

// Range is a half-open range [From, To) of log positions on one source shard.
type Range struct {
	Shard    int
	From, To uint64
}

// Cut is a planned object (or, with dynamic partitioning, a set of objects): the ranges it holds and
// the arrival of its oldest record, from which its key's time is taken.
type Cut struct {
	ID     uint64
	Oldest int64 // Unix ms
	Ranges []Range
}

// JournalError reports damage in a journal that is not a torn tail.
type JournalError struct {
	Path   string
	Offset int64
	Err    error
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("journal %s: offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *JournalError) Unwrap() error { return e.Err }

const (
	kindPlanned   = 1
	kindDelivered = 2
	kindCursors   = 3 // written by compaction: every shard's cursor (From = To = cursor), ID the last id
	kindSource    = 4 // the source stream's creation time (Oldest), ID the last id: a new one resets all

	journalHeader   = 4 + 4 + 1 + 8 + 8 + 2
	journalRange    = 4 + 8 + 8
	maxJournalFrame = journalHeader + 0xffff*journalRange

	// compactAt is the journal size past which it is rewritten with only what recovery needs.
	compactAt = 1 << 20
)

var (
	journalOrder = binary.LittleEndian
	journalCRC   = crc32.MakeTable(crc32.Castagnoli)

	errJournalFrame = errors.New("bad journal frame")
	// ErrJournalClosed is returned by a closed or failed journal.
	ErrJournalClosed = errors.New("journal closed")
)

// Journal records cuts durably. It is safe for concurrent use. After a failed write every call fails
// (sticky error): the caller must reopen it, which recovers what reached the disk.
type Journal struct {
	path string

	mu struct {
		sync.Mutex
		f       *os.File
		size    int64
		pending []Cut          // planned, not delivered, in plan order
		cursors map[int]uint64 // per shard, the end of its last planned cut: where planning resumes
		lastID  uint64         // the highest cut id planned
		source  int64          // the source stream's creation time, Unix ms; 0 if never recorded
		err     error
	}
}

// OpenJournal opens (creating if needed) the journal at path, cutting off a torn tail.
func OpenJournal(path string) (*Journal, error) {
	j := &Journal{path: path}
	j.mu.cursors = make(map[int]uint64)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	good, err := j.replay(b)
	if err != nil {
		f.Close()
		return nil, err
	}
	if good < int64(len(b)) {
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	if err := atomicfile.SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, err
	}
	j.mu.f, j.mu.size = f, good
	return j, nil
}

// replay applies every whole frame of b and returns the length of the good prefix. A bad frame
// followed only by zeros or a short remainder is a torn tail; a bad frame followed by a good one is
// damage.
func (j *Journal) replay(b []byte) (int64, error) {
	off := 0
	for off < len(b) {
		c, kind, n, err := decodeFrame(b[off:])
		if err != nil {
			if nextFrameAfter(b[off:]) {
				return 0, &JournalError{Path: j.path, Offset: int64(off), Err: err}
			}
			return int64(off), nil
		}
		j.applyLocked(c, kind)
		off += n
	}
	return int64(off), nil
}

// nextFrameAfter reports whether a valid frame starts somewhere after a bad one: then the bad frame
// is not a torn tail but damage in the middle.
func nextFrameAfter(b []byte) bool {
	for i := 1; i+journalHeader <= len(b); i++ {
		if _, _, _, err := decodeFrame(b[i:]); err == nil {
			return true
		}
	}
	return false
}

func (j *Journal) applyLocked(c Cut, kind byte) {
	switch kind {
	case kindPlanned:
		j.mu.pending = append(j.mu.pending, c)
		fallthrough
	case kindCursors:
		for _, r := range c.Ranges {
			j.mu.cursors[r.Shard] = max(j.mu.cursors[r.Shard], r.To)
		}
		j.mu.lastID = max(j.mu.lastID, c.ID)
	case kindSource:
		if c.Oldest != j.mu.source {
			// Another stream of the same name: the positions and planned cuts of the old one mean
			// nothing in it (its records are gone with it).
			if j.mu.source != 0 {
				clear(j.mu.cursors)
				j.mu.pending = nil
			}
			j.mu.source = c.Oldest
		}
		j.mu.lastID = max(j.mu.lastID, c.ID)
	case kindDelivered:
		for i := range j.mu.pending {
			if j.mu.pending[i].ID == c.ID {
				j.mu.pending = append(j.mu.pending[:i:i], j.mu.pending[i+1:]...)
				break
			}
		}
	}
}

func appendFrame(dst []byte, kind byte, c Cut) []byte {
	start := len(dst)
	n := journalHeader + len(c.Ranges)*journalRange
	dst = journalOrder.AppendUint32(dst, uint32(n))
	dst = journalOrder.AppendUint32(dst, 0) // CRC, below
	dst = append(dst, kind)
	dst = journalOrder.AppendUint64(dst, c.ID)
	dst = journalOrder.AppendUint64(dst, uint64(c.Oldest))
	dst = journalOrder.AppendUint16(dst, uint16(len(c.Ranges)))
	for _, r := range c.Ranges {
		dst = journalOrder.AppendUint32(dst, uint32(r.Shard))
		dst = journalOrder.AppendUint64(dst, r.From)
		dst = journalOrder.AppendUint64(dst, r.To)
	}
	journalOrder.PutUint32(dst[start+4:], crc32.Checksum(dst[start+8:], journalCRC))
	return dst
}

func decodeFrame(b []byte) (c Cut, kind byte, n int, err error) {
	if len(b) < journalHeader {
		return c, 0, 0, errJournalFrame
	}
	n = int(journalOrder.Uint32(b))
	if n < journalHeader || n > maxJournalFrame || n > len(b) || (n-journalHeader)%journalRange != 0 {
		return c, 0, 0, errJournalFrame
	}
	if crc32.Checksum(b[8:n], journalCRC) != journalOrder.Uint32(b[4:]) {
		return c, 0, 0, errJournalFrame
	}
	kind = b[8]
	c.ID = journalOrder.Uint64(b[9:])
	c.Oldest = int64(journalOrder.Uint64(b[17:]))
	count := int(journalOrder.Uint16(b[25:]))
	if count != (n-journalHeader)/journalRange || kind < kindPlanned || kind > kindSource {
		return c, 0, 0, errJournalFrame
	}
	p := b[journalHeader:n]
	for i := 0; i < count; i++ {
		r := Range{Shard: int(journalOrder.Uint32(p)), From: journalOrder.Uint64(p[4:]), To: journalOrder.Uint64(p[12:])}
		if r.To < r.From {
			return c, 0, 0, errJournalFrame
		}
		c.Ranges = append(c.Ranges, r)
		p = p[journalRange:]
	}
	return c, kind, n, nil
}

// Pending returns the planned cuts not yet delivered, oldest first.
func (j *Journal) Pending() []Cut {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Cut(nil), j.mu.pending...)
}

// Cursor returns where planning resumes on a shard: the end of its last planned cut. ok is false if
// no cut of the shard was ever planned.
func (j *Journal) Cursor(shard int) (pos uint64, ok bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	pos, ok = j.mu.cursors[shard]
	return pos, ok
}

// NextID returns an id above every planned cut's.
func (j *Journal) NextID() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.mu.lastID + 1
}

// PlanNext gives the cut the next id and plans it.
func (j *Journal) PlanNext(c Cut) (Cut, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	c.ID = j.mu.lastID + 1
	return c, j.planLocked(c)
}

// Source returns the creation time (Unix ms) of the source stream the cursors belong to, 0 if none
// was recorded.
func (j *Journal) Source() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.mu.source
}

// SetSource durably records the source stream's creation time. A different one than recorded means
// the stream was deleted and created again: every cursor and planned cut is forgotten.
func (j *Journal) SetSource(createdMs int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	c := Cut{ID: j.mu.lastID, Oldest: createdMs}
	if err := j.writeLocked(appendFrame(nil, kindSource, c), true); err != nil {
		return err
	}
	j.applyLocked(c, kindSource)
	return nil
}

// Plan durably records a cut (fsync) before anything of it is uploaded. Its ID must be above every
// planned cut's.
func (j *Journal) Plan(c Cut) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.planLocked(c)
}

func (j *Journal) planLocked(c Cut) error {
	if c.ID <= j.mu.lastID {
		return fmt.Errorf("plan cut %d: not above the last planned cut %d", c.ID, j.mu.lastID)
	}
	if len(c.Ranges) > 0xffff {
		return fmt.Errorf("plan cut %d: %d ranges", c.ID, len(c.Ranges))
	}
	if err := j.writeLocked(appendFrame(nil, kindPlanned, c), true); err != nil {
		return err
	}
	j.applyLocked(c, kindPlanned)
	return nil
}

// Delivered records that every object of a cut is in the destination. It is not fsynced: if the
// record is lost, recovery delivers the cut again, which is idempotent.
func (j *Journal) Delivered(id uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.writeLocked(appendFrame(nil, kindDelivered, Cut{ID: id}), false); err != nil {
		return err
	}
	j.applyLocked(Cut{ID: id}, kindDelivered)
	if j.mu.size > compactAt {
		return j.compactLocked()
	}
	return nil
}

func (j *Journal) writeLocked(frame []byte, sync bool) error {
	if j.mu.err != nil {
		return j.mu.err
	}
	if j.mu.f == nil {
		return ErrJournalClosed
	}
	if _, err := j.mu.f.Write(frame); err != nil {
		j.mu.err = fmt.Errorf("write journal %s: %w", j.path, err)
		return j.mu.err
	}
	if sync {
		if err := j.mu.f.Sync(); err != nil {
			j.mu.err = fmt.Errorf("sync journal %s: %w", j.path, err)
			return j.mu.err
		}
	}
	j.mu.size += int64(len(frame))
	return nil
}

// compactLocked rewrites the journal with what recovery needs: every shard's cursor and the last id in
// one frame, then every pending cut.
func (j *Journal) compactLocked() error {
	cur := Cut{ID: j.mu.lastID}
	for shard, pos := range j.mu.cursors {
		cur.Ranges = append(cur.Ranges, Range{Shard: shard, From: pos, To: pos})
	}
	sort.Slice(cur.Ranges, func(a, b int) bool { return cur.Ranges[a].Shard < cur.Ranges[b].Shard })
	var b []byte
	if j.mu.source != 0 {
		b = appendFrame(b, kindSource, Cut{ID: j.mu.lastID, Oldest: j.mu.source})
	}
	b = appendFrame(b, kindCursors, cur)
	for _, c := range j.mu.pending {
		b = appendFrame(b, kindPlanned, c)
	}
	if err := atomicfile.Write(j.path, b, 0o644); err != nil {
		j.mu.err = fmt.Errorf("compact journal %s: %w", j.path, err)
		return j.mu.err
	}
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		j.mu.err = fmt.Errorf("reopen journal %s: %w", j.path, err)
		return j.mu.err
	}
	j.mu.f.Close()
	j.mu.f, j.mu.size = f, int64(len(b))
	return nil
}

// Close closes the journal file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.mu.f == nil {
		return nil
	}
	err := j.mu.f.Close()
	j.mu.f = nil
	return err
}
