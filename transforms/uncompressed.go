package transforms

import "io"

// plainWriter is the Uncompressed codec: the bytes as they are.
type plainWriter struct {
	dst    io.Writer
	closed bool
}

func newPlainWriter(dst io.Writer, _ *writerOptions) (io.WriteCloser, error) {
	return &plainWriter{dst: dst}, nil
}

func (w *plainWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errClosed
	}
	return w.dst.Write(p)
}

func (w *plainWriter) Close() error {
	w.closed = true
	return nil
}
