package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func TestBucketBounds(t *testing.T) {
	check := func(v int64) {
		t.Helper()
		i := bucketOf(v)
		low, width := bucketRange(i)
		if v < low || v-low >= width {
			t.Fatalf("value %d in bucket %d = [%d, %d+%d)", v, i, low, low, width)
		}
		if i >= histBucket {
			t.Fatalf("value %d: bucket %d out of %d", v, i, histBucket)
		}
		if low >= 2*subCount && float64(width)/float64(low) > 1.0/subCount {
			t.Fatalf("bucket %d = [%d, +%d) is wider than 1/%d of its base", i, low, width, subCount)
		}
	}
	for v := range int64(1 << 16) {
		check(v)
	}
	for e := range 63 {
		p := int64(1) << e
		for _, v := range []int64{p - 1, p, p + 1, p + p/3} {
			if v >= 0 {
				check(v)
			}
		}
	}
	check(math.MaxInt64)
	// Buckets tile the line: each starts where the previous one ended.
	for i := 1; i < histBucket; i++ {
		low, _ := bucketRange(i)
		plow, pwidth := bucketRange(i - 1)
		if plow+pwidth != low {
			t.Fatalf("bucket %d starts at %d, previous ends at %d", i, low, plow+pwidth)
		}
	}
}

// Percentiles agree with a sorted reference to within 1% on assorted
// distributions.
func TestHistogramQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() int64{
		"uniform-small": func() int64 { return rng.Int64N(300) },
		"uniform-wide":  func() int64 { return rng.Int64N(1e9) },
		"lognormal": func() int64 {
			return int64(math.Exp(rng.NormFloat64()*1.5 + 13)) // around 0.5ms, long tail
		},
		"exponential": func() int64 { return int64(rng.ExpFloat64() * 2e6) },
		"bimodal": func() int64 {
			if rng.IntN(100) == 0 {
				return 5e8 + rng.Int64N(1e8)
			}
			return 1e5 + rng.Int64N(1e4)
		},
		"constant": func() int64 { return 123456789 },
	}
	for name, gen := range dists {
		t.Run(name, func(t *testing.T) {
			var h Histogram
			vals := make([]int64, 100_000)
			for i := range vals {
				vals[i] = gen()
				h.Record(vals[i])
			}
			slices.Sort(vals)
			for _, q := range []float64{0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1} {
				want := vals[int(math.Ceil(q*float64(len(vals))))-1]
				got := h.Quantile(q)
				if math.Abs(float64(got-want)) > 0.01*float64(want) {
					t.Errorf("q%v = %d, want %d within 1%%", q, got, want)
				}
			}
			if h.Max() != vals[len(vals)-1] || h.Min() != vals[0] || h.Count() != uint64(len(vals)) {
				t.Errorf("max %d min %d count %d, want %d %d %d", h.Max(), h.Min(), h.Count(), vals[len(vals)-1], vals[0], len(vals))
			}
		})
	}
}

func TestHistogramEmptyAndNegative(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Max() != 0 || h.Min() != 0 || h.Mean() != 0 {
		t.Error("empty histogram is not all zero")
	}
	h.Record(-5)
	if h.Quantile(0.99) != 0 || h.Count() != 1 {
		t.Errorf("negative value: q99 %d count %d", h.Quantile(0.99), h.Count())
	}
}

func TestHistogramMergeAndConcurrency(t *testing.T) {
	var a, b, all Histogram
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 0))
			for range 10_000 {
				v := rng.Int64N(1e7)
				if w%2 == 0 {
					a.Record(v)
				} else {
					b.Record(v)
				}
				all.Record(v)
			}
		})
	}
	wg.Wait()
	var m Histogram
	m.Merge(&a)
	m.Merge(&b)
	if m.Count() != 40_000 || m.Count() != all.Count() || m.Max() != all.Max() || m.Min() != all.Min() {
		t.Fatalf("merged count %d max %d min %d, want %d %d %d", m.Count(), m.Max(), m.Min(), all.Count(), all.Max(), all.Min())
	}
	for _, q := range []float64{0.5, 0.99} {
		if m.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%v: merged %d, direct %d", q, m.Quantile(q), all.Quantile(q))
		}
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	v := int64(1)
	for b.Loop() {
		h.Record(v)
		v = v*7 + 3&(1<<30-1)
	}
}
