package streams

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkAppend measures Append plus Wait of one entry per operation: with one appender each
// operation pays a whole commit (an fsync with SyncAlways); with eight they share commits.
func BenchmarkAppend(b *testing.B) {
	for _, mode := range []struct {
		name string
		sync SyncMode
	}{{"always", SyncAlways}, {"interval", SyncInterval}} {
		for _, size := range []int{100, 1 << 10, 10 << 10} {
			for _, conc := range []int{1, 8} {
				b.Run(fmt.Sprintf("sync=%s/size=%d/conc=%d", mode.name, size, conc), func(b *testing.B) {
					l, err := OpenLog(LogOptions{Dir: b.TempDir(), Sync: mode.sync})
					if err != nil {
						b.Fatal(err)
					}
					defer l.Close()
					defer func() {
						if syncs := l.syncs.Load(); syncs > 0 && mode.sync == SyncAlways {
							b.ReportMetric(float64(l.NextSeq())/float64(syncs), "appends/fsync")
						}
					}()
					e := Entry{PartitionKey: []byte("partition-key"), Data: testPayload(1, size)}
					ctx := context.Background()
					b.ReportAllocs()
					b.SetBytes(int64(size))
					if conc == 1 {
						recs := make([]Entry, 1)
						for b.Loop() {
							recs[0] = e
							p, err := l.Append(recs)
							if err != nil {
								b.Fatal(err)
							}
							if err := p.Wait(ctx); err != nil {
								b.Fatal(err)
							}
						}
						return
					}
					b.SetParallelism(max(conc/runtime.GOMAXPROCS(0), 1))
					b.RunParallel(func(pb *testing.PB) {
						recs := make([]Entry, 1)
						for pb.Next() {
							recs[0] = e
							p, err := l.Append(recs)
							if err != nil {
								b.Error(err)
								return
							}
							if err := p.Wait(ctx); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			}
		}
	}
}

// BenchmarkRead measures Read of batches of 1 KiB entries from a 64 MB log of 8 MiB segments in the
// page cache.
func BenchmarkRead(b *testing.B) {
	const entries = 60000
	l, err := OpenLog(LogOptions{Dir: b.TempDir(), Sync: SyncInterval, SegmentBytes: 8 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := Entry{PartitionKey: []byte("partition-key"), Data: testPayload(1, 1<<10)}
	batch := make([]Entry, 1000)
	for i := 0; i < entries; i += len(batch) {
		for j := range batch {
			batch[j] = e
		}
		p, err := l.Append(batch)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			var buf []byte
			var next uint64
			b.ReportAllocs()
			b.SetBytes(int64(n * frameSize(&e)))
			for b.Loop() {
				var es []Entry
				var err error
				es, next, buf, err = l.Read(next, n, 10<<20, buf)
				if err != nil || len(es) != n {
					b.Fatalf("Read: %d entries, %v", len(es), err)
				}
				if next == entries {
					next = 0
				}
			}
		})
	}
}

// BenchmarkDecodeFrame measures decoding with its CRC check, without I/O.
func BenchmarkDecodeFrame(b *testing.B) {
	for _, size := range []int{100, 1 << 10, 10 << 10} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			e := Entry{PartitionKey: []byte("partition-key"), Data: testPayload(1, size)}
			frame := appendFrame(nil, &e)
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			var d Entry
			for b.Loop() {
				if _, err := decodeFrame(frame, &d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
