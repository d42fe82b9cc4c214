package ingest

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/sync/semaphore"
)

// memoryBudget bounds the memory that requests in flight hold at once, whatever clients send: before
// it reads a body, a request reserves the body's size (its Content-Length, or the body cap when the
// length is not announced) plus, for GetRecords, the largest batch of records it may read. Requests
// beyond the budget wait for earlier ones to finish (backpressure) rather than grow the heap.
type memoryBudget struct {
	sem *semaphore.Weighted
	max int64
}

// getRecordsReserve is what a GetRecords call may hold besides its body: the store's read buffer of up
// to 10 MiB of records and their frames. The response itself is written in small chunks.
const getRecordsReserve = 11 << 20

func newMemoryBudget(max int64) *memoryBudget {
	return &memoryBudget{sem: semaphore.NewWeighted(max), max: max}
}

// reservation is the bytes request r reserves, with bodyCap the largest body accepted.
func reservation(r *http.Request, bodyCap int64) int64 {
	n := r.ContentLength
	if n < 0 || n > bodyCap {
		n = bodyCap
	}
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetRecords") {
		n += getRecordsReserve
	}
	return n
}

// acquire reserves n bytes (at most the whole budget), waiting until they are free or ctx is done,
// and returns the function that gives them back.
func (b *memoryBudget) acquire(ctx context.Context, n int64) (release func(), err error) {
	n = min(max(n, 1), b.max)
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { b.sem.Release(n) }, nil
}
