package sinks

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"golang.org/x/sync/semaphore"
)

// chunkSize is the unit of a Budget: part buffers are made of chunks, so that a small object holds
// one chunk, not a whole part, once its body has ended.
const chunkSize = 1 << 20

// Budget bounds the memory that uploads in flight hold for their bodies, across every Put of every
// sink that shares it. A Put reserves a whole part before reading it (so parts never wait for each
// other half-filled) and gives back what the part did not use when the body ends early. Buffers are
// kept for reuse: after a peak, the budget's memory stays allocated, and never grows past its size.
type Budget struct {
	size int64
	sem  *semaphore.Weighted
	mu   struct {
		sync.Mutex
		free [][]byte
	}
}

// NewBudget returns a budget of size bytes, rounded up to a whole MiB.
func NewBudget(size int64) *Budget {
	size = max(chunkSize, (size+chunkSize-1)/chunkSize*chunkSize)
	return &Budget{size: size, sem: semaphore.NewWeighted(size)}
}

// Size is the budget's size in bytes.
func (b *Budget) Size() int64 { return b.size }

// reserve waits until n bytes (rounded up to chunks) are free and reserves them.
func (b *Budget) reserve(ctx context.Context, n int64) (*reservation, error) {
	n = (n + chunkSize - 1) / chunkSize * chunkSize
	if n > b.size {
		return nil, errorf(ErrInvalid, "a part of %d bytes does not fit in a budget of %d", n, b.size)
	}
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return &reservation{b: b, n: n}, nil
}

func (b *Budget) get() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := len(b.mu.free); n > 0 {
		c := b.mu.free[n-1]
		b.mu.free = b.mu.free[:n-1]
		return c
	}
	return make([]byte, chunkSize)
}

func (b *Budget) put(chunks [][]byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mu.free = append(b.mu.free, chunks...)
}

// reservation is part of a budget, held by one Put, and the chunks it has taken so far.
type reservation struct {
	b      *Budget
	n      int64    // bytes reserved
	chunks [][]byte // taken, len(chunks)*chunkSize <= n
}

// chunk takes one more chunk of the reservation.
func (r *reservation) chunk() []byte {
	if int64(len(r.chunks)+1)*chunkSize > r.n {
		panic("sinks: reservation exceeded")
	}
	c := r.b.get()
	r.chunks = append(r.chunks, c)
	return c
}

// shrink gives back the reserved bytes that no chunk uses yet.
func (r *reservation) shrink() {
	used := int64(len(r.chunks)) * chunkSize
	if r.n > used {
		r.b.sem.Release(r.n - used)
		r.n = used
	}
}

// release gives everything back. The reservation must not be used afterwards.
func (r *reservation) release() {
	if r.b == nil {
		return
	}
	r.b.put(r.chunks)
	r.b.sem.Release(r.n)
	r.chunks, r.n, r.b = nil, 0, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// part is up to one part's worth of a body, in the chunks of a reservation.
type part struct {
	res *reservation
	n   int64  // bytes held
	crc uint32 // CRC-32C of those bytes
}

// fill reads from r until the part holds max bytes or r ends (io.EOF is not an error).
func (p *part) fill(r io.Reader, max int64) error {
	for p.n < max {
		off := int(p.n % chunkSize)
		if off == 0 && p.n/chunkSize == int64(len(p.res.chunks)) {
			p.res.chunk()
		}
		c := p.res.chunks[p.n/chunkSize]
		end := min(chunkSize, off+int(max-p.n))
		n, err := r.Read(c[off:end])
		p.crc = crc32.Update(p.crc, castagnoli, c[off:off+n])
		p.n += int64(n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read body: %w", err)
		}
	}
	return nil
}

// reader returns a reader of the part's bytes, which can seek so that an attempt can be repeated.
func (p *part) reader() *partReader { return &partReader{chunks: p.res.chunks, n: p.n} }

// partReader reads a part's chunks as one stream.
type partReader struct {
	chunks [][]byte
	n, off int64
}

func (r *partReader) Read(b []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	c := r.chunks[r.off/chunkSize][r.off%chunkSize:]
	c = c[:min(int64(len(c)), r.n-r.off)]
	n := copy(b, c)
	r.off += int64(n)
	return n, nil
}

func (r *partReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.n
	default:
		return 0, errors.New("seek: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative position")
	}
	r.off = offset
	return offset, nil
}

// Len is the number of unread bytes.
func (r *partReader) Len() int {
	if r.off >= r.n {
		return 0
	}
	return int(r.n - r.off)
}

// lookahead reads a body and tells whether more bytes remain, so that an object that ends exactly
// at a part boundary goes up in one PUT.
type lookahead struct {
	r    io.Reader
	n    int64  // bytes returned by Read
	crc  uint32 // their CRC-32C
	b    [1]byte
	has  bool // b holds a byte not read yet
	done bool // r returned io.EOF
}

func (l *lookahead) Read(p []byte) (n int, err error) {
	switch {
	case len(p) == 0:
		return 0, nil
	case l.has:
		p[0] = l.b[0]
		l.has = false
		n = 1
	case l.done:
		return 0, io.EOF
	default:
		n, err = l.r.Read(p)
		if errors.Is(err, io.EOF) {
			l.done = true
			if n > 0 {
				err = nil
			}
		}
	}
	l.n += int64(n)
	l.crc = crc32.Update(l.crc, castagnoli, p[:n])
	return n, err
}

// more reports whether the body has more bytes, reading one ahead if needed.
func (l *lookahead) more() (bool, error) {
	for !l.has && !l.done {
		n, err := l.r.Read(l.b[:])
		if n == 1 {
			l.has = true
		}
		if errors.Is(err, io.EOF) {
			l.done = true
		} else if err != nil {
			return false, fmt.Errorf("read body: %w", err)
		}
	}
	return l.has, nil
}
