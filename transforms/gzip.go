package transforms

import (
	"io"
	"math"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// gzipLevel is the deflate level of GZIP objects (and of ZIP entries). Level 1 (BestSpeed) is
// klauspost/compress's fastest level that still finds matches: on 1 KiB JSON records it
// compresses at several times Firehose's 150 MB/s delivery target on one core, and its ratio
// is within a few percent of level 6 on such data (see BenchmarkCodecs and BenchmarkGZIPLevels).
// Level 1 is also deterministic whatever the sizes of the writes (klauspost/compress changelog,
// 2015-12-08), which the exactly-once objects need. An open writer holds about 800 KiB (its match
// tables and window; BenchmarkOpenWriterMemory): a delivery that keeps one
// open per dynamic partition must budget for it.
const gzipLevel = gzip.BestSpeed

var gzipPool sync.Pool // of *gzip.Writer, reset before use

// gzipWriter writes one gzip member. Its compressor goes back to the pool on Close.
type gzipWriter struct {
	zw *gzip.Writer
}

func newGZIPWriter(dst io.Writer, o *writerOptions) (io.WriteCloser, error) {
	zw, _ := gzipPool.Get().(*gzip.Writer)
	if zw == nil {
		var err error
		if zw, err = gzip.NewWriterLevel(dst, gzipLevel); err != nil {
			return nil, err
		}
	} else {
		zw.Reset(dst)
	}
	// Reset keeps the header of the member before: set every field we own. The library writes
	// ModTime.Unix() as it is, so "no time" (MTIME 0) must be the Unix epoch, not the zero Time.
	mtime := time.Unix(0, 0)
	if t := o.modTime.Unix(); t > 0 && t <= math.MaxUint32 {
		mtime = o.modTime
	}
	zw.Header = gzip.Header{ModTime: mtime, OS: 255}
	return &gzipWriter{zw: zw}, nil
}

func (w *gzipWriter) Write(p []byte) (int, error) {
	if w.zw == nil {
		return 0, errClosed
	}
	return w.zw.Write(p)
}

func (w *gzipWriter) Close() error {
	if w.zw == nil {
		return nil
	}
	err := w.zw.Close()
	zw := w.zw
	w.zw = nil
	zw.Reset(io.Discard) // drop the reference to dst before pooling
	gzipPool.Put(zw)
	return err
}
