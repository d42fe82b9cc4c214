package transforms

import (
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zip"
)

// zipWriter writes a ZIP archive of one deflated entry, as Firehose does (FIREHOSE.md §5.3). The
// entry streams: its local header has the "data descriptor" flag, and the sizes and CRC follow the
// data, so the archive never needs seeking back (unzip, python's zipfile and Java read it from its
// central directory as usual). Past 4 GiB the archive writer switches to ZIP64 by itself.
type zipWriter struct {
	zw    *zip.Writer
	entry io.Writer
}

var flatePool sync.Pool // of *flate.Writer at gzipLevel

// pooledFlate returns its compressor to flatePool once the ZIP writer closes the entry.
type pooledFlate struct{ fw *flate.Writer }

func (p *pooledFlate) Write(b []byte) (int, error) { return p.fw.Write(b) }

func (p *pooledFlate) Close() error {
	err := p.fw.Close()
	p.fw.Reset(io.Discard)
	flatePool.Put(p.fw)
	p.fw = nil
	return err
}

func newDeflater(dst io.Writer) (io.WriteCloser, error) {
	fw, _ := flatePool.Get().(*flate.Writer)
	if fw == nil {
		var err error
		if fw, err = flate.NewWriter(dst, gzipLevel); err != nil {
			return nil, err
		}
	} else {
		fw.Reset(dst)
	}
	return &pooledFlate{fw: fw}, nil
}

func newZIPWriter(dst io.Writer, o *writerOptions) (io.WriteCloser, error) {
	zw := zip.NewWriter(dst)
	zw.RegisterCompressor(zip.Deflate, newDeflater)
	fh := &zip.FileHeader{Name: o.entryName, Method: zip.Deflate}
	if !o.modTime.IsZero() {
		fh.Modified = o.modTime.UTC()
	}
	entry, err := zw.CreateHeader(fh)
	if err != nil {
		return nil, err
	}
	return &zipWriter{zw: zw, entry: entry}, nil
}

func (w *zipWriter) Write(p []byte) (int, error) {
	if w.zw == nil {
		return 0, errClosed
	}
	return w.entry.Write(p)
}

// Close ends the entry and writes the central directory.
func (w *zipWriter) Close() error {
	if w.zw == nil {
		return nil
	}
	err := w.zw.Close()
	w.zw, w.entry = nil, nil
	return err
}
