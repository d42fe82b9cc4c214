package streams

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// Sizes and bounds of the on-disk format (drawn in logdoc.go).
// Format identifiers of the shard log; the format itself is drawn in the package doc (doc.go).
const (
	logFormatVersion = 1
	segMagic         = "HYDRLOG1"
	idxMagic         = "HYDRIDX1"
	trimMagic        = "HYDRTRM1"
)

const (
	segHeaderSize   = 24
	frameHeaderSize = 27
	frameMaxKey     = 256
	frameMaxData    = 10 << 20
	frameMaxLen     = frameHeaderSize + 16 + frameMaxKey + frameMaxData
	frameKnownFlags = FlagHashKey | FlagEncrypted

	// indexInterval is the spacing, in bytes of frames, of sparse index entries: a lookup reads at
	// most about this much before the frame it wants. The index of every segment stays in memory, so
	// the spacing sets its cost: 24 bytes per 64 KiB of log, 0.04% (4 MiB for 10 GiB stored), while a
	// lookup decodes at most 64 KiB, a few microseconds.
	indexInterval = 64 << 10

	idxHeaderSize = 56
	idxEntrySize  = 24
	trimFileSize  = 20
)

var logCRC = crc32.MakeTable(crc32.Castagnoli)

var logOrder = binary.LittleEndian

// frameSize is the encoded size of e.
func frameSize(e *Entry) int {
	n := frameHeaderSize + len(e.PartitionKey) + len(e.Data)
	if e.Flags&FlagHashKey != 0 {
		n += 16
	}
	return n
}

// checkEntry reports whether e can be encoded.
func checkEntry(e *Entry) error {
	if len(e.PartitionKey) > frameMaxKey || len(e.Data) > frameMaxData {
		return fmt.Errorf("%w: key %d bytes, data %d bytes", ErrEntryTooLarge, len(e.PartitionKey), len(e.Data))
	}
	if e.Flags&^frameKnownFlags != 0 {
		return fmt.Errorf("unknown flags %#x", e.Flags)
	}
	return nil
}

// appendFrame appends e's frame to dst. e must pass checkEntry.
func appendFrame(dst []byte, e *Entry) []byte {
	n := frameSize(e)
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	f := dst[start:]
	logOrder.PutUint32(f[0:], uint32(n))
	logOrder.PutUint64(f[8:], e.Seq)
	logOrder.PutUint64(f[16:], uint64(e.Arrival))
	f[24] = e.Flags
	logOrder.PutUint16(f[25:], uint16(len(e.PartitionKey)))
	p := frameHeaderSize
	if e.Flags&FlagHashKey != 0 {
		p += copy(f[p:], e.HashKey[:])
	}
	p += copy(f[p:], e.PartitionKey)
	copy(f[p:], e.Data)
	logOrder.PutUint32(f[4:], crc32.Checksum(f[8:], logCRC))
	return dst
}

// frameLen returns the length of the frame starting b, which must hold at least 4 bytes, after
// checking it against the format's bounds.
func frameLen(b []byte) (int, error) {
	n := logOrder.Uint32(b)
	if n < frameHeaderSize || n > frameMaxLen {
		return 0, errFrameLength
	}
	return int(n), nil
}

// decodeFrame decodes the frame starting b into e, whose PartitionKey and Data then alias b, and
// returns the frame's length. It returns io.ErrUnexpectedEOF if b holds only part of a frame, and one
// of the errFrame causes if the frame is bad.
func decodeFrame(b []byte, e *Entry) (int, error) {
	if len(b) < 4 {
		return 0, io.ErrUnexpectedEOF
	}
	n, err := frameLen(b)
	if err != nil {
		return 0, err
	}
	if len(b) < n {
		return 0, io.ErrUnexpectedEOF
	}
	f := b[:n]
	if crc32.Checksum(f[8:], logCRC) != logOrder.Uint32(f[4:]) {
		return 0, errFrameChecksum
	}
	flags := f[24]
	if flags&^frameKnownFlags != 0 {
		return 0, errFrameFlags
	}
	p := frameHeaderSize
	keyLen := int(logOrder.Uint16(f[25:]))
	if flags&FlagHashKey != 0 {
		p += 16
	}
	if keyLen > frameMaxKey || p+keyLen > n || n-p-keyLen > frameMaxData {
		return 0, errFrameLength
	}
	e.Seq = logOrder.Uint64(f[8:])
	e.Arrival = int64(logOrder.Uint64(f[16:]))
	e.Flags = flags
	if flags&FlagHashKey != 0 {
		copy(e.HashKey[:], f[frameHeaderSize:p])
	} else {
		e.HashKey = [16]byte{}
	}
	e.PartitionKey = f[p : p+keyLen : p+keyLen]
	e.Data = f[p+keyLen : n : n]
	return n, nil
}

// appendSegHeader appends the header of a segment whose first entry is first.
func appendSegHeader(dst []byte, first uint64) []byte {
	start := len(dst)
	dst = append(dst, segMagic...)
	dst = logOrder.AppendUint32(dst, logFormatVersion)
	dst = logOrder.AppendUint64(dst, first)
	return logOrder.AppendUint32(dst, crc32.Checksum(dst[start:], logCRC))
}

// checkSegHeader reports whether b starts with a valid header for a segment whose first entry is
// first.
func checkSegHeader(b []byte, first uint64) error {
	if len(b) < segHeaderSize {
		return fmt.Errorf("%w: %d bytes", errSegmentHeader, len(b))
	}
	h := b[:segHeaderSize]
	switch {
	case string(h[:8]) != segMagic:
		return fmt.Errorf("%w: magic %q", errSegmentHeader, h[:8])
	case crc32.Checksum(h[:20], logCRC) != logOrder.Uint32(h[20:]):
		return fmt.Errorf("%w: checksum mismatch", errSegmentHeader)
	case logOrder.Uint32(h[8:]) != logFormatVersion:
		return fmt.Errorf("%w: version %d", errSegmentHeader, logOrder.Uint32(h[8:]))
	case logOrder.Uint64(h[12:]) != first:
		return fmt.Errorf("%w: first seq %d, name says %d", errSegmentHeader, logOrder.Uint64(h[12:]), first)
	}
	return nil
}

// indexEntry locates one frame of a segment.
type indexEntry struct {
	seq     uint64
	arrival int64
	off     int64
}

// segMeta is what the log knows of a segment's contents: its range of Seqs and arrivals, its size and
// a sparse index of its frames. For the active segment it covers committed frames only.
type segMeta struct {
	first        uint64 // Seq of the first entry (the file's name)
	next         uint64 // one past the last entry; first if empty
	size         int64  // bytes: header plus whole frames
	firstArrival int64  // Arrival of the first entry; valid when next > first
	lastArrival  int64  // Arrival of the last entry, or of the previous segment's last if empty
	index        []indexEntry
}

// track accounts for the frame of n bytes holding seq at off, the next one in the segment.
func (m *segMeta) track(seq uint64, arrival int64, off, n int64) {
	if m.next == m.first {
		m.firstArrival = arrival
	}
	if len(m.index) == 0 || off-m.index[len(m.index)-1].off >= indexInterval {
		m.index = append(m.index, indexEntry{seq: seq, arrival: arrival, off: off})
	}
	m.next = seq + 1
	m.lastArrival = arrival
	m.size = off + n
}

// appendIndexFile appends the index file of a sealed segment.
func appendIndexFile(dst []byte, m *segMeta) []byte {
	start := len(dst)
	dst = append(dst, idxMagic...)
	dst = logOrder.AppendUint32(dst, logFormatVersion)
	dst = logOrder.AppendUint64(dst, m.first)
	dst = logOrder.AppendUint64(dst, m.next)
	dst = logOrder.AppendUint64(dst, uint64(m.size))
	dst = logOrder.AppendUint64(dst, uint64(m.firstArrival))
	dst = logOrder.AppendUint64(dst, uint64(m.lastArrival))
	dst = logOrder.AppendUint32(dst, uint32(len(m.index)))
	for _, x := range m.index {
		dst = logOrder.AppendUint64(dst, x.seq)
		dst = logOrder.AppendUint64(dst, uint64(x.arrival))
		dst = logOrder.AppendUint64(dst, uint64(x.off))
	}
	return logOrder.AppendUint32(dst, crc32.Checksum(dst[start:], logCRC))
}

// decodeIndexFile decodes an index file and checks it is consistent: entries in order, inside the
// segment, the first one at the first frame.
func decodeIndexFile(b []byte) (segMeta, error) {
	var m segMeta
	if len(b) < idxHeaderSize+4 || string(b[:8]) != idxMagic {
		return m, errIndexFile
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, logCRC) != logOrder.Uint32(b[len(body):]) || logOrder.Uint32(b[8:]) != logFormatVersion {
		return m, errIndexFile
	}
	m.first = logOrder.Uint64(b[12:])
	m.next = logOrder.Uint64(b[20:])
	m.size = int64(logOrder.Uint64(b[28:]))
	m.firstArrival = int64(logOrder.Uint64(b[36:]))
	m.lastArrival = int64(logOrder.Uint64(b[44:]))
	count := int(logOrder.Uint32(b[52:]))
	if len(body) != idxHeaderSize+count*idxEntrySize || m.next < m.first || m.size < segHeaderSize ||
		(count == 0) != (m.next == m.first) {
		return m, errIndexFile
	}
	m.index = make([]indexEntry, count)
	p := body[idxHeaderSize:]
	for i := range m.index {
		x := indexEntry{seq: logOrder.Uint64(p), arrival: int64(logOrder.Uint64(p[8:])), off: int64(logOrder.Uint64(p[16:]))}
		p = p[idxEntrySize:]
		if i == 0 && (x.seq != m.first || x.off != segHeaderSize || x.arrival != m.firstArrival) {
			return m, errIndexFile
		}
		if i > 0 {
			prev := m.index[i-1]
			if x.seq <= prev.seq || x.off <= prev.off || x.arrival < prev.arrival {
				return m, errIndexFile
			}
		}
		if x.seq >= m.next || x.off >= m.size || x.arrival > m.lastArrival {
			return m, errIndexFile
		}
		m.index[i] = x
	}
	return m, nil
}

// appendTrimFile appends the trim marker saying first is the first readable Seq.
func appendTrimFile(dst []byte, first uint64) []byte {
	start := len(dst)
	dst = append(dst, trimMagic...)
	dst = logOrder.AppendUint64(dst, first)
	return logOrder.AppendUint32(dst, crc32.Checksum(dst[start:], logCRC))
}

// decodeTrimFile decodes a trim marker.
func decodeTrimFile(b []byte) (uint64, error) {
	if len(b) != trimFileSize || string(b[:8]) != trimMagic || crc32.Checksum(b[:16], logCRC) != logOrder.Uint32(b[16:]) {
		return 0, errTrimFile
	}
	return logOrder.Uint64(b[8:]), nil
}
