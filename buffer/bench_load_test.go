package buffer

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// Helpers of the Firehose benchmarks (bench_minio_test.go, bench_freshness_test.go,
// bench_partitions_test.go): a load of JSON records in a log, CPU time of another process, and the
// peaks of the heap and the resident set.

// appendClick appends a clickstream record of size bytes (at least 128), valid JSON ending in '\n',
// whose "customer" field is one of customers values (c0000, c0001...). The padding is words from a
// small vocabulary, so it compresses as logs do.
func appendClick(dst []byte, rng *rand.Rand, n, customers, size int) []byte {
	start := len(dst)
	dst = fmt.Appendf(dst, `{"customer":"c%04d","user":%d,"page":"/products/%d","ts":%d,"pad":"`,
		n%customers, n%9973, n%101, 1763800000000+n)
	for len(dst)-start < size-3 {
		dst = append(dst, words[rng.IntN(len(words))]...)
		dst = append(dst, ' ')
	}
	dst = append(dst[:start+size-3], `"}`+"\n"...)
	return dst
}

// fillLog puts total bytes of appendClick records (1 KiB each; the last one shorter if total is not
// a multiple) into a one-shard stream of the store, in batches of up to 500, and returns the bytes put.
func fillLog(b *testing.B, store *streams.Store, sc streams.Scope, name string, total, customers int) int64 {
	b.Helper()
	if err := store.CreateStream(sc, streams.CreateStreamInput{Name: name, ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var written int64
	batch := make([]streams.PutEntry, 0, 500)
	for n := 0; written < int64(total); {
		batch = batch[:0]
		for range 500 {
			size := min(1024, int64(total)-written)
			if size <= 0 {
				break
			}
			rec := appendClick(nil, rng, n, customers, int(max(size, 128)))
			n++
			batch = append(batch, streams.PutEntry{PartitionKey: "k", Data: rec})
			written += int64(len(rec))
		}
		if _, _, err := store.PutRecords(context.Background(), sc, streams.StreamRef{Name: name}, batch); err != nil {
			b.Fatal(err)
		}
	}
	return written
}

// waitDelivered waits until d has delivered total source bytes, or fails after patience without
// progress (a delivered cut).
func waitDelivered(b *testing.B, d *Delivery, total int64, patience time.Duration) {
	b.Helper()
	last, since := int64(-1), time.Now()
	for {
		st := d.Stats()
		if st.Bytes >= total {
			return
		}
		if err := d.Err(); err != nil {
			b.Fatal(err)
		}
		if st.Bytes != last {
			last, since = st.Bytes, time.Now()
		} else if time.Since(since) > patience {
			b.Fatalf("delivery stuck at %d of %d bytes", st.Bytes, total)
		}
		time.Sleep(time.Millisecond)
	}
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux
// platform Go supports.
const clockTicks = 100

// procCPU returns the user and system CPU time a process has used, from /proc/<pid>/stat; 0 if it
// cannot be read (not Linux, or the process is gone).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces: count fields after its end.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state); utime and stime are fields 14, 15
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// memPeaks samples the Go heap (live and dead objects not yet swept, as runtime/metrics counts
// them) and the process's resident set every few milliseconds, and keeps their peaks.
type memPeaks struct {
	stop chan struct{}
	wg   sync.WaitGroup
	heap uint64 // bytes
	rss  uint64 // bytes, sampled; the kernel's own high-water mark is VmHWM (peakRSS)
}

func startMemPeaks() *memPeaks {
	m := &memPeaks{stop: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			m.heap = max(m.heap, s[0].Value.Uint64())
			m.rss = max(m.rss, currentRSS())
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// Stop ends the sampling; the peaks are then final.
func (m *memPeaks) Stop() {
	close(m.stop)
	m.wg.Wait()
}

// currentRSS is the process's resident set in bytes, from /proc/self/statm; 0 if unknown.
func currentRSS() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// resetPeakRSS resets the kernel's high-water mark of the resident set (VmHWM) to the current
// resident set, so that peakRSS measures from now; false if the kernel refuses.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the kernel's high-water mark of the process's resident set (VmHWM), in bytes.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

const mib = 1 << 20
