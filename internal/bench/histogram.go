package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram is log-linear, in the manner of HdrHistogram: values below
// 2^(subBits+1) have a bucket each, and every power of two above that is split
// into 2^subBits equal buckets. A bucket's width is at most 1/2^subBits of its
// lower bound, so reporting the bucket's midpoint is within 1/2^(subBits+1)
// (0.4% for subBits = 7) of every value that fell into it.
const (
	subBits    = 7
	subCount   = 1 << subBits
	histBucket = (64-subBits-1)*subCount + 2*subCount // enough for any non-negative int64
)

// Histogram records non-negative int64 values (latencies in nanoseconds) and
// answers percentile queries to within 1%.
//
// Record is safe for concurrent use and lock-free; Quantile, Max and friends may
// run concurrently with Record and see a consistent-enough recent view, which is
// what the progress line needs.
type Histogram struct {
	counts [histBucket]atomic.Uint64
	total  atomic.Uint64
	max    atomic.Int64
	min    atomic.Int64 // stored as value+1 so that zero means "none yet"
	sum    atomic.Int64
}

// bucketOf returns the index of the bucket that holds v (v >= 0).
func bucketOf(v int64) int {
	u := uint64(v)
	n := bits.Len64(u)
	if n <= subBits+1 {
		return int(u)
	}
	shift := n - subBits - 1
	return shift*subCount + int(u>>shift)
}

// bucketRange returns the lowest value of bucket i and its width.
func bucketRange(i int) (low, width int64) {
	if i < 2*subCount {
		return int64(i), 1
	}
	shift := i/subCount - 1
	m := int64(i - shift*subCount)
	return m << shift, 1 << shift
}

// Record adds one value. Negative values count as zero.
func (h *Histogram) Record(v int64) {
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)].Add(1)
	h.total.Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			break
		}
	}
	for {
		m := h.min.Load()
		if (m != 0 && v+1 >= m) || h.min.CompareAndSwap(m, v+1) {
			break
		}
	}
}

// RecordDuration adds one latency.
func (h *Histogram) RecordDuration(d time.Duration) { h.Record(int64(d)) }

// Count returns the number of values recorded.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Max returns the largest value recorded, exactly, or 0 when empty.
func (h *Histogram) Max() int64 { return h.max.Load() }

// Min returns the smallest value recorded, exactly, or 0 when empty.
func (h *Histogram) Min() int64 {
	if m := h.min.Load(); m > 0 {
		return m - 1
	}
	return 0
}

// Mean returns the arithmetic mean of the values recorded.
func (h *Histogram) Mean() float64 {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	return float64(h.sum.Load()) / float64(n)
}

// Quantile returns the value at quantile q (0 < q <= 1) by the nearest-rank
// method: the smallest recorded value such that at least q of all values are
// less than or equal to it, to within 1%. It returns 0 when empty.
func (h *Histogram) Quantile(q float64) int64 {
	var total uint64
	// Sum the buckets rather than trusting total: Record may be running.
	for i := range h.counts {
		total += h.counts[i].Load()
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	rank = min(rank, total)
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if cum >= rank {
			low, width := bucketRange(i)
			v := low + (width-1)/2
			// The exact extremes are known; stay within them.
			if mx := h.Max(); v > mx {
				v = mx
			}
			if mn := h.Min(); v < mn {
				v = mn
			}
			return v
		}
	}
	return h.Max()
}

// Merge adds every value recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c != 0 {
			h.counts[i].Add(c)
		}
	}
	h.total.Add(o.total.Load())
	h.sum.Add(o.sum.Load())
	if n := o.total.Load(); n > 0 {
		omax, omin := o.Max(), o.Min()
		for {
			m := h.max.Load()
			if omax <= m || h.max.CompareAndSwap(m, omax) {
				break
			}
		}
		for {
			m := h.min.Load()
			if (m != 0 && omin+1 >= m) || h.min.CompareAndSwap(m, omin+1) {
				break
			}
		}
	}
}
