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

// benchRun times code over benchRecords records with keys distinct keys, gap apart in arrival time for
// each batch of 500 records.
func benchRun(b *testing.B, code string, keys int, gap time.Duration) {
	opts := streams.Options{Dir: b.TempDir(), Sync: streams.SyncInterval, SweepInterval: time.Hour}
	c := &clock{t: time.Now().Add(-300 * time.Second)}
	if gap > 0 {
		// Arrivals from a clock moved gap after each batch, and once more after the last, so that the log's
		// floor passes every record (a frozen clock would hold the last ones back forever). Without a gap
		// the store keeps the real clock.
		opts.Now = c.Now
	}
	s, err := streams.Open(opts)
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
		c.Advance(gap)
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

func BenchmarkFilterProject(b *testing.B) { benchRun(b, filterSQL, 100, 0) }

// The records arrive within one 10-second window, so the 10,000 keys' rows come out once, at the end: one
// output row for every ten records, far more than a long run at this rate writes (a window then takes
// millions of records).
func BenchmarkTumbling10kKeys(b *testing.B) { benchRun(b, tumblingSQL, 10_000, 0) }

// The records span 200 seconds of arrivals (a batch of 500 a second), so the 1-minute window is full,
// dropping a row for every row it takes, for the last 70% of them, as in a long run.
func BenchmarkSliding1MinAvg(b *testing.B) { benchRun(b, slidingSQL, 1_000, time.Second) }

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
