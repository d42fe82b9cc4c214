package transforms

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// benchObject is the input of one benchmarked object: 8 MiB of ~1 KiB JSON clickstream records.
var benchObject = clickstream(8 << 20)

// cpuTime returns the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// writeRecords writes data as delivery does: one record (line) at a time.
func writeRecords(b *testing.B, w io.Writer, data []byte) {
	for len(data) > 0 {
		n := 1024
		if n > len(data) {
			n = len(data)
		}
		if _, err := w.Write(data[:n]); err != nil {
			b.Fatal(err)
		}
		data = data[n:]
	}
}

// reportCPU adds the metrics the delivery targets are stated in: CPU time per MB of input
// (user+system of the whole process, GC included) and the compressed size in percent of the input.
func reportCPU(b *testing.B, cpu0 time.Duration, in, out int64) {
	mb := float64(in) / 1e6
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/mb, "cpu-ms/MB")
	if out > 0 {
		b.ReportMetric(100*float64(out)/float64(in), "%size")
	}
}

// BenchmarkCodecs compresses an 8 MiB object of JSON records, written record by record, with every
// codec: MB/s of input on one core, CPU per MB, and the compressed size.
func BenchmarkCodecs(b *testing.B) {
	for _, c := range Codecs() {
		b.Run(c.Name(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(benchObject)))
			var in, out int64
			cpu0 := cpuTime()
			for b.Loop() {
				cw := &countWriter{}
				w, err := c.NewWriter(cw)
				if err != nil {
					b.Fatal(err)
				}
				writeRecords(b, w, benchObject)
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				in += int64(len(benchObject))
				out += cw.n
			}
			reportCPU(b, cpu0, in, out)
		})
	}
}

// BenchmarkCodecsToFile is BenchmarkCodecs into a real file (no fsync: the sink decides that), as
// the delivery into local files does.
func BenchmarkCodecsToFile(b *testing.B) {
	dir := b.TempDir()
	for _, c := range Codecs() {
		b.Run(c.Name(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(benchObject)))
			var in int64
			cpu0 := cpuTime()
			path := filepath.Join(dir, "object"+c.Extension())
			for b.Loop() {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				w, err := c.NewWriter(f)
				if err != nil {
					b.Fatal(err)
				}
				writeRecords(b, w, benchObject)
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
				in += int64(len(benchObject))
			}
			reportCPU(b, cpu0, in, 0)
		})
	}
}

// BenchmarkCodecsParallel runs one object per goroutine on every core: the aggregate throughput
// of a delivery that compresses several objects at once.
func BenchmarkCodecsParallel(b *testing.B) {
	for _, c := range Codecs() {
		b.Run(c.Name(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(benchObject)))
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w, err := c.NewWriter(io.Discard)
					if err != nil {
						b.Error(err)
						return
					}
					for p := benchObject; len(p) > 0; p = p[min(1024, len(p)):] {
						w.Write(p[:min(1024, len(p))])
					}
					w.Close()
				}
			})
			reportCPU(b, cpu0, int64(b.N)*int64(len(benchObject)), 0)
		})
	}
}

// BenchmarkGZIPLevels is the evidence for gzipLevel: speed and size of klauspost's deflate levels
// on the same input (-2 is Huffman only, -3 constant-time "stateless" compression).
func BenchmarkGZIPLevels(b *testing.B) {
	for _, level := range []int{kgzip.HuffmanOnly, kgzip.StatelessCompression, 1, 2, 3, 4, 5, 6} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			b.SetBytes(int64(len(benchObject)))
			var in, out int64
			cpu0 := cpuTime()
			for b.Loop() {
				cw := &countWriter{}
				zw, _ := kgzip.NewWriterLevel(cw, level)
				writeRecords(b, zw, benchObject)
				zw.Close()
				in += int64(len(benchObject))
				out += cw.n
			}
			reportCPU(b, cpu0, in, out)
		})
	}
}

// BenchmarkZSTDLevels is the evidence for zstdOptions: klauspost's zstd levels, with the window
// Hydrant uses and with each level's default window.
func BenchmarkZSTDLevels(b *testing.B) {
	for _, level := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression} {
		for _, window := range []int{1 << 20, 0} {
			b.Run(fmt.Sprintf("%v/window=%d", level, window), func(b *testing.B) {
				b.SetBytes(int64(len(benchObject)))
				opts := []zstd.EOption{zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1)}
				if window > 0 {
					opts = append(opts, zstd.WithWindowSize(window))
				}
				var in, out int64
				cpu0 := cpuTime()
				for b.Loop() {
					cw := &countWriter{}
					zw, _ := zstd.NewWriter(cw, opts...)
					writeRecords(b, zw, benchObject)
					zw.Close()
					in += int64(len(benchObject))
					out += cw.n
				}
				reportCPU(b, cpu0, in, out)
			})
		}
	}
}

// BenchmarkSmallObject is the fixed cost of an object: open a writer, write one 1 KiB record,
// close. Writers are pooled, so this is mostly the format's header and trailer.
func BenchmarkSmallObject(b *testing.B) {
	rec := benchObject[:1024]
	for _, c := range Codecs() {
		b.Run(c.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w, _ := c.NewWriter(io.Discard)
				w.Write(rec)
				w.Close()
			}
		})
	}
}

// BenchmarkOpenWriterMemory measures the heap an open writer holds once it has compressed some
// data: what a delivery pays per object it keeps open (per dynamic partition, say). Two GCs first
// empty the writer pools, so every writer measured is a new one.
func BenchmarkOpenWriterMemory(b *testing.B) {
	const open = 64
	for _, c := range Codecs() {
		b.Run(c.Name(), func(b *testing.B) {
			var perWriter float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.GC()
				runtime.ReadMemStats(&before)
				ws := make([]io.WriteCloser, open)
				for i := range ws {
					ws[i], _ = c.NewWriter(io.Discard)
					ws[i].Write(benchObject[:256<<10])
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perWriter = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / open
				for _, w := range ws {
					w.Close()
				}
			}
			b.ReportMetric(perWriter/1024, "KiB/open-writer")
		})
	}
}

var benchQuery = `{customer_id: .customer_id, year: (.event_time / 1000 | strftime("%Y"))}`

// BenchmarkMetadataQuery runs the Firehose-documented query shape on 1 KiB JSON records, one record
// per op: JSON parsing plus the jq query.
func BenchmarkMetadataQuery(b *testing.B) {
	q, err := CompileMetadataQuery(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	recs := splitLines(benchObject[:1<<20])
	b.ReportAllocs()
	b.SetBytes(int64(len(recs[0]) + 1))
	ctx := context.Background()
	cpu0 := cpuTime()
	var in int64
	i := 0
	for b.Loop() {
		r := recs[i%len(recs)]
		i++
		if _, err := q.PartitionKeys(ctx, r); err != nil {
			b.Fatal(err)
		}
		in += int64(len(r) + 1)
	}
	reportCPU(b, cpu0, in, 0)
}

// BenchmarkMetadataQueryParts splits BenchmarkMetadataQuery into its JSON parsing and its query.
func BenchmarkMetadataQueryParts(b *testing.B) {
	rec := splitLines(benchObject[:4096])[0]
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(rec)))
		for b.Loop() {
			if _, err := parseJSON(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("query", func(b *testing.B) {
		q, _ := CompileMetadataQuery(benchQuery)
		v, _ := parseJSON(rec)
		b.ReportAllocs()
		for b.Loop() {
			it := q.code.Run(v)
			if out, _ := it.Next(); out == nil {
				b.Fatal("no result")
			}
		}
	})
}
