package runtime

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"

	"github.com/hydrantio/hydrant/internal/atomicfile"
)

// checkpointFile is the checkpoint's name in Config.Dir.
const checkpointFile = "checkpoint"

const (
	checkpointMagic   = "HYDRKDA1"
	checkpointVersion = 1
	checkpointHeader  = 8 + 4 + 4 // magic, version, body length
	// maxCheckpoint bounds what a length field may claim before anything is allocated: an engine
	// snapshot is bounded by the engine's own memory bounds, well under this.
	maxCheckpoint = 1 << 30
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// checkpoint is a consistent cut of a run: where each source shard stands (the record after the last
// one pushed to the engine), the engine state those pushes produced, and how many rows each output has
// emitted, all of them durable in the destination whose shard tips are recorded.
type checkpoint struct {
	RunID    string
	Advanced int64 // the engine's last Advance: a restored engine is never moved back
	Inputs   []inputCheckpoint
	Outputs  []outputCheckpoint
	Snapshot []byte // nil when the engine has not been snapshotted (a checkpoint taken before any push)
}

type inputCheckpoint struct {
	Created int64 // the source stream's creation time (Unix ms): positions belong to that incarnation
	Shards  []shardCheckpoint
}

type shardCheckpoint struct {
	Index int    // shardId-<Index>
	Pos   uint64 // the log Seq of the next record to push
	Done  bool   // read to its end and pushed: its children may be read
}

type outputCheckpoint struct {
	Emitted uint64 // rows emitted since the application was created: the last row's sequence number
	Created int64  // the destination stream's creation time (Unix ms)
	Tips    []shardTip
}

type shardTip struct {
	Index int
	Tip   uint64
}

// CorruptionError reports a checkpoint file that fails its checks.
type CorruptionError struct {
	Path string
	Err  error
}

func (e *CorruptionError) Error() string { return "checkpoint " + e.Path + ": " + e.Err.Error() }
func (e *CorruptionError) Unwrap() error { return e.Err }

// appendCheckpoint encodes c in the format the package doc draws.
func appendCheckpoint(dst []byte, c *checkpoint) []byte {
	start := len(dst)
	dst = append(dst, checkpointMagic...)
	dst = binary.LittleEndian.AppendUint32(dst, checkpointVersion)
	dst = binary.LittleEndian.AppendUint32(dst, 0) // body length, filled in below
	body := len(dst)
	dst = appendString(dst, c.RunID)
	dst = binary.AppendVarint(dst, c.Advanced)
	dst = binary.AppendUvarint(dst, uint64(len(c.Inputs)))
	for _, in := range c.Inputs {
		dst = binary.AppendVarint(dst, in.Created)
		dst = binary.AppendUvarint(dst, uint64(len(in.Shards)))
		for _, s := range in.Shards {
			dst = binary.AppendUvarint(dst, uint64(s.Index))
			dst = binary.AppendUvarint(dst, s.Pos)
			done := byte(0)
			if s.Done {
				done = 1
			}
			dst = append(dst, done)
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(c.Outputs)))
	for _, o := range c.Outputs {
		dst = binary.AppendUvarint(dst, o.Emitted)
		dst = binary.AppendVarint(dst, o.Created)
		dst = binary.AppendUvarint(dst, uint64(len(o.Tips)))
		for _, t := range o.Tips {
			dst = binary.AppendUvarint(dst, uint64(t.Index))
			dst = binary.AppendUvarint(dst, t.Tip)
		}
	}
	hasSnap := byte(0)
	if c.Snapshot != nil {
		hasSnap = 1
	}
	dst = append(dst, hasSnap)
	dst = binary.AppendUvarint(dst, uint64(len(c.Snapshot)))
	dst = append(dst, c.Snapshot...) // not through appendString: a snapshot can be megabytes
	binary.LittleEndian.PutUint32(dst[body-4:], uint32(len(dst)-body))
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], crcTable))
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decodeCheckpoint parses a checkpoint file's bytes.
func decodeCheckpoint(b []byte) (*checkpoint, error) {
	if len(b) < checkpointHeader+4 {
		return nil, errors.New("short file")
	}
	if string(b[:8]) != checkpointMagic {
		return nil, errors.New("bad magic")
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != checkpointVersion {
		return nil, fmt.Errorf("unknown version %d", v)
	}
	n := binary.LittleEndian.Uint32(b[12:])
	if uint64(n) != uint64(len(b)-checkpointHeader-4) {
		return nil, fmt.Errorf("body length %d in a file of %d bytes", n, len(b))
	}
	end := len(b) - 4
	if got, want := crc32.Checksum(b[:end], crcTable), binary.LittleEndian.Uint32(b[end:]); got != want {
		return nil, fmt.Errorf("crc %08x, want %08x", got, want)
	}
	d := decoder{b: b[checkpointHeader:end]}
	c := &checkpoint{RunID: d.string(), Advanced: d.varint()}
	c.Inputs = make([]inputCheckpoint, d.count(2))
	for i := range c.Inputs {
		in := &c.Inputs[i]
		in.Created = d.varint()
		in.Shards = make([]shardCheckpoint, d.count(3))
		for j := range in.Shards {
			in.Shards[j] = shardCheckpoint{Index: d.index(), Pos: d.uvarint(), Done: d.byte() != 0}
		}
	}
	c.Outputs = make([]outputCheckpoint, d.count(3))
	for i := range c.Outputs {
		o := &c.Outputs[i]
		o.Emitted = d.uvarint()
		o.Created = d.varint()
		o.Tips = make([]shardTip, d.count(2))
		for j := range o.Tips {
			o.Tips[j] = shardTip{Index: d.index(), Tip: d.uvarint()}
		}
	}
	hasSnap := d.byte() != 0
	snap := d.string()
	if hasSnap {
		c.Snapshot = []byte(snap)
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes after the snapshot", len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}

// decoder reads the body's fields; the first error sticks and every later read returns zero.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("bad %s at %d bytes from the end", what, len(d.b))
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("byte")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// count reads a list length, each element taking at least min bytes: a length the rest of the body
// cannot hold is corruption, caught before allocating.
func (d *decoder) count(min int) int {
	v := d.uvarint()
	if v > uint64(len(d.b)/min) {
		d.fail("count")
		return 0
	}
	return int(v)
}

func (d *decoder) index() int {
	v := d.uvarint()
	if v > 1<<31 {
		d.fail("shard index")
		return 0
	}
	return int(v)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("length")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// loadCheckpoint reads dir's checkpoint: nil and no error when there is none.
func loadCheckpoint(dir string) (*checkpoint, error) {
	path := filepath.Join(dir, checkpointFile)
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	if fi.Size() > maxCheckpoint {
		return nil, &CorruptionError{Path: path, Err: fmt.Errorf("size %d", fi.Size())}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	c, err := decodeCheckpoint(b)
	if err != nil {
		return nil, &CorruptionError{Path: path, Err: err}
	}
	return c, nil
}

// saveCheckpoint replaces dir's checkpoint atomically (tmp, fsync, rename, fsync dir).
func saveCheckpoint(dir string, c *checkpoint, buf []byte) ([]byte, error) {
	buf = appendCheckpoint(buf[:0], c)
	if err := atomicfile.Write(dir+string(os.PathSeparator)+checkpointFile, buf, 0o644); err != nil {
		return buf, fmt.Errorf("save checkpoint: %w", err)
	}
	return buf, nil
}

func sortShards(s []shardCheckpoint) {
	slices.SortFunc(s, func(a, b shardCheckpoint) int { return cmp.Compare(a.Index, b.Index) })
}
