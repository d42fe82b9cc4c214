package runtime

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// The runtime's share of the figures: records already in the source log (3 shards, ~100-byte
// JSON) to result rows appended to the output stream, through the real format and engine. The store
// syncs on an interval, so the disk's fsync rate does not set the figure.

const benchRecords = 100_000

// benchBatchGap is the arrival time between two batches of 500 records: the 100,000 records span 200
// seconds, so the 1-minute sliding window is full (drops a row for every row it takes) for the last 70%
// of them, as in a long run.
const benchBatchGap = time.Second

func benchRun(b *testing.B, code string, keys int) {
	c := &clock{t: time.Now().Add(-300 * time.Second)}
	s, err := streams.Open(streams.Options{Dir: b.TempDir(), Sync: streams.SyncInterval, SweepInterval: time.Hour, Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"src", "out"} {
		if err := s.CreateStream(sc, streams.CreateStreamInput{Name: name, ShardCount: map[string]int{"src": 3, "out": 1}[name]}); err != nil {
			b.Fatal(err)
		}
	}
	var size int64
	for i := 0; i < benchRecords; i += 500 {
		batch := make([]streams.PutEntry, 0, 500)
		for j := i; j < i+500; j++ {
			rec := tick(j, keys)
			size += int64(len(rec))
			batch = append(batch, streams.PutEntry{PartitionKey: strconv.Itoa(j), Data: rec})
		}
		if _, _, err := s.PutRecords(context.Background(), sc, streams.StreamRef{Name: "src"}, batch); err != nil {
			b.Fatal(err)
		}
		c.Advance(benchBatchGap)
	}
	e := &env{store: s}
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		r, err := Start(context.Background(), s, e.sqlConfig(b.TempDir(), code, StartTrimHorizon, "out"))
		if err != nil {
			b.Fatal(err)
		}
		for r.Stats().Records < benchRecords {
			time.Sleep(time.Millisecond) // a benchmark's poll, not a test's wait
		}
		if err := r.Stop(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*benchRecords/b.Elapsed().Seconds(), "records/s")
	// The figures are per core: records over the CPU time the whole process spent (the run's loop,
	// its output writer, the store's flusher, and this benchmark's polling).
	b.ReportMetric(float64(b.N)*benchRecords/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
}

func BenchmarkFilterProject(b *testing.B) { benchRun(b, filterSQL, 100) }

func BenchmarkTumbling10kKeys(b *testing.B) { benchRun(b, tumblingSQL, 10_000) }

func BenchmarkSliding1MinAvg(b *testing.B) { benchRun(b, slidingSQL, 1_000) }

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
