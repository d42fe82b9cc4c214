package ingest

import "sync"

// Buffer pools for the hot path: request bodies, decoded record data and encoded responses run to
// megabytes per PutRecords/GetRecords call, and allocating them anew would make the garbage collector
// the bottleneck. Buffers come in size classes (powers of two from 4 KiB to 64 MiB) so that a request
// that needs 10 MiB neither takes and drops a pooled 4 KiB buffer nor holds four times what it needs.
// Larger buffers are not pooled.

const (
	minBufClass = 12 // 4 KiB
	maxBufClass = 26 // 64 MiB
)

var bufPools [maxBufClass - minBufClass + 1]sync.Pool // of *[]byte with cap == 1<<(minBufClass+i)

// bufClass returns the index of the smallest class holding size bytes, or -1 if none does.
func bufClass(size int) int {
	for i := range bufPools {
		if size <= 1<<(minBufClass+i) {
			return i
		}
	}
	return -1
}

// getBuffer returns an empty buffer with room for at least size bytes. Return it with putBuffer.
func getBuffer(size int) *[]byte {
	i := bufClass(size)
	if i < 0 {
		b := make([]byte, 0, size)
		return &b
	}
	if p, ok := bufPools[i].Get().(*[]byte); ok {
		*p = (*p)[:0]
		return p
	}
	b := make([]byte, 0, 1<<(minBufClass+i))
	return &b
}

// putBuffer returns a buffer to the largest class it fills (append may have grown it past its own).
// Buffers smaller than the smallest class or larger than the largest are left to the GC.
func putBuffer(p *[]byte) {
	if p == nil {
		return
	}
	c := cap(*p)
	if c < 1<<minBufClass || c > 1<<maxBufClass {
		return
	}
	i := len(bufPools) - 1
	for c < 1<<(minBufClass+i) {
		i--
	}
	*p = (*p)[: 0 : 1<<(minBufClass+i)]
	bufPools[i].Put(p)
}
