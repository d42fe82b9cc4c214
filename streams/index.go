package streams

import (
	"os"
	"sort"
)

// The sparse index: each segment's segMeta.index holds a (Seq, Arrival, offset) entry about every
// indexInterval bytes of frames, the first frame always included. It is kept in memory for every
// segment, built by the flusher as it writes and by the scan at open, and saved beside a segment when
// the segment is sealed so that opening a log does not read sealed segments. Finding a Seq or a time
// is a binary search over the segments, then over one segment's index, then a forward scan of at
// most about indexInterval bytes.

// segmentForLocked returns the segment that holds seq if any does (the last one whose first Seq is
// at most seq), or nil if seq is below every segment.
func (l *Log) segmentForLocked(seq uint64) *segment {
	segs := l.mu.segs
	i := sort.Search(len(segs), func(i int) bool { return segs[i].first > seq })
	if i == 0 {
		return nil
	}
	return segs[i-1]
}

// segmentForTimeLocked returns the first segment holding an entry with Arrival >= ms, or nil if none
// does. It relies on arrivals never going backwards and on an empty segment reporting the previous
// one's last Arrival as its own.
func (l *Log) segmentForTimeLocked(ms int64) *segment {
	segs := l.mu.segs
	i := sort.Search(len(segs), func(i int) bool { return segs[i].lastArrival >= ms })
	if i == len(segs) {
		return nil
	}
	return segs[i]
}

// seekSeq returns where to start scanning for seq: the offset and Seq of the last index entry at or
// before it.
func (m *segMeta) seekSeq(seq uint64) (int64, uint64) {
	i := sort.Search(len(m.index), func(i int) bool { return m.index[i].seq > seq })
	if i == 0 {
		return segHeaderSize, m.first
	}
	return m.index[i-1].off, m.index[i-1].seq
}

// seekTime returns the last index entry with Arrival < ms, to scan from for the first entry with
// Arrival >= ms; ok is false if there is none, when the answer is the segment's first entry.
func (m *segMeta) seekTime(ms int64) (x indexEntry, ok bool) {
	i := sort.Search(len(m.index), func(i int) bool { return m.index[i].arrival >= ms })
	if i == 0 {
		return indexEntry{}, false
	}
	return m.index[i-1], true
}

// writeIndexFile saves the index of a sealed segment and returns its size. It is not fsynced, being
// derived state: an index torn or lost in a crash fails its checks at open and is rebuilt.
func writeIndexFile(segPath string, m *segMeta) (int64, error) {
	b := appendIndexFile(nil, m)
	path := indexPath(segPath)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return int64(len(b)), nil
}

// readIndexFile loads the saved index of the sealed segment at segPath, whose first Seq is first and
// whose file has size bytes. ok is false if it is missing or does not describe that segment.
func readIndexFile(segPath string, first uint64, size int64) (m segMeta, n int64, ok bool) {
	path := indexPath(segPath)
	fi, err := os.Stat(path)
	// Entries are at least indexInterval bytes of frames apart.
	if err != nil || fi.Size() > idxHeaderSize+4+(size/indexInterval+1)*idxEntrySize {
		return segMeta{}, 0, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return segMeta{}, 0, false
	}
	m, err = decodeIndexFile(b)
	if err != nil || m.first != first || m.size != size {
		return segMeta{}, 0, false
	}
	return m, int64(len(b)), true
}
