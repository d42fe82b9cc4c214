package transforms

import (
	"encoding/binary"
	"io"
	"sync"

	"github.com/klauspost/compress/s2"
)

// snappyBlockSize is how much input goes into one Snappy block in both Snappy framings: 32 KiB, the
// default block of snappy-java's SnappyOutputStream and SnappyHadoopCompatibleOutputStream, which
// reproduce real Firehose objects byte for byte (FIREHOSE.md §9; the Hadoop header AWS writes starts
// 00008000). Blocks are cut every 32 KiB of input whatever the sizes of the writes, so the output is
// a pure function of the input. 32 KiB is far below Hadoop's default 256 KiB codec buffer
// (io.compression.codec.snappy.buffersize), which bounds the block a Hadoop reader accepts.
const snappyBlockSize = 32 << 10

// snappyBlockWriter cuts its input into snappyBlockSize blocks, compresses each with raw Snappy and
// frames it. The two framings differ only in the block header:
//
//	xerial (Snappy):        [BE uint32 compressed length][Snappy block]
//	Hadoop (HADOOP_SNAPPY): [BE uint32 uncompressed length][BE uint32 compressed length][Snappy block]
//
// and in the xerial stream header written before the first block.
type snappyBlockWriter struct {
	dst     io.Writer
	hadoop  bool
	header  []byte // written before the first block (xerial), or nil; nil again once written
	bufs    *snappyBufs
	err     error // sticky: after a failed write to dst every call fails
	written bool
}

// snappyBufs are a writer's buffers: pending input and one framed block. They are pooled because
// a delivery cuts many objects.
type snappyBufs struct {
	in  []byte // pending input, fewer than snappyBlockSize bytes between calls
	out []byte // a framed block: 8 bytes of header room, then the Snappy block
}

var snappyBufPool = sync.Pool{New: func() any {
	return &snappyBufs{
		in:  make([]byte, 0, snappyBlockSize),
		out: make([]byte, 8+s2.MaxEncodedLen(snappyBlockSize)),
	}
}}

func newSnappyBlockWriter(dst io.Writer, hadoop bool, header []byte) *snappyBlockWriter {
	return &snappyBlockWriter{dst: dst, hadoop: hadoop, header: header, bufs: snappyBufPool.Get().(*snappyBufs)}
}

func (w *snappyBlockWriter) Write(p []byte) (int, error) {
	if w.bufs == nil {
		return 0, errClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	b := w.bufs
	if len(b.in) > 0 {
		k := min(len(p), snappyBlockSize-len(b.in))
		b.in = append(b.in, p[:k]...)
		p = p[k:]
		if len(b.in) < snappyBlockSize {
			return n, nil
		}
		if err := w.writeBlock(b.in); err != nil {
			return 0, err
		}
		b.in = b.in[:0]
	}
	// Whole blocks straight from p, without a copy.
	for len(p) >= snappyBlockSize {
		if err := w.writeBlock(p[:snappyBlockSize]); err != nil {
			return 0, err
		}
		p = p[snappyBlockSize:]
	}
	b.in = append(b.in, p...)
	return n, nil
}

func (w *snappyBlockWriter) writeBlock(block []byte) error {
	if w.header != nil {
		if _, err := w.dst.Write(w.header); err != nil {
			w.err = err
			return err
		}
		w.header = nil
	}
	out := w.bufs.out
	hdr := 4
	if w.hadoop {
		hdr = 8
		binary.BigEndian.PutUint32(out[0:4], uint32(len(block)))
	}
	enc := s2.EncodeSnappy(out[hdr:], block)
	binary.BigEndian.PutUint32(out[hdr-4:hdr], uint32(len(enc)))
	if _, err := w.dst.Write(out[:hdr+len(enc)]); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Close writes the last, short block (and the xerial header if no block came before) and returns
// the buffers to the pool.
func (w *snappyBlockWriter) Close() error {
	b := w.bufs
	if b == nil {
		return nil
	}
	err := w.err
	if err == nil && len(b.in) > 0 {
		err = w.writeBlock(b.in)
	}
	if err == nil && w.header != nil {
		_, err = w.dst.Write(w.header)
	}
	b.in = b.in[:0]
	snappyBufPool.Put(b)
	w.bufs = nil
	return err
}
