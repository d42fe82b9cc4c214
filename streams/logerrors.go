package streams

import (
	"errors"
	"fmt"
)

// Errors a shard log returns.
var (
	// ErrSealed is returned by Append after Seal.
	ErrSealed = errors.New("log sealed")
	// ErrClosed is returned by every method of a closed log (Close itself excepted).
	ErrClosed = errors.New("log closed")
	// ErrCorrupt is what every *CorruptionError is (errors.Is(err, ErrCorrupt)).
	ErrCorrupt = errors.New("log corrupt")
	// ErrEntryTooLarge is returned by Append for an entry whose partition key or data exceeds the
	// bounds of the on-disk format (256 bytes, 10 MiB): the stream layer enforces the smaller AWS
	// limits before, so this is a programming error.
	ErrEntryTooLarge = errors.New("log entry too large")
)

// CorruptionError reports damage a shard log cannot repair: anything but a torn tail of the last
// segment at open, and any frame that fails its checksum on read.
type CorruptionError struct {
	Segment string // path of the damaged file
	Offset  int64  // byte offset of the damage in it
	Err     error  // what is wrong
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("corrupt log segment %s at offset %d: %v", e.Segment, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *CorruptionError) Unwrap() error { return e.Err }

// Is makes every corruption error match ErrCorrupt.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

// Causes of corruption, found in CorruptionError.Err or behind a torn tail.
var (
	errFrameLength    = errors.New("frame length out of bounds")
	errFrameChecksum  = errors.New("frame checksum mismatch")
	errFrameFlags     = errors.New("frame has unknown flags")
	errFrameSeq       = errors.New("frame seq out of order")
	errFrameTruncated = errors.New("frame truncated")
	errSegmentHeader  = errors.New("bad segment header")
	errSegmentGap     = errors.New("segment does not follow the previous one")
	errIndexFile      = errors.New("bad index file")
	errTrimFile       = errors.New("bad trim marker")
)
