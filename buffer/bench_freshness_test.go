package buffer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
	"github.com/minio/minio-go/v7"
)

// freshnessLoad is how long records are put in one run of BenchmarkFreshness, at freshnessRate
// bytes per second in batches every freshnessTick.
const (
	freshnessLoad     = 30 * time.Second
	freshnessInterval = 2 * time.Second
	freshnessRate     = 2 << 20
	freshnessTick     = 10 * time.Millisecond
)

// BenchmarkFreshness measures data freshness on the real clock: 1 KiB records are put at a steady
// 2 MiB/s into a DirectPut delivery stream (a Manager, GZIP, IntervalInSeconds 2, SizeInMBs 128)
// for 30 s per run, while a watcher lists the destination every 20 ms. An object's freshness is
// the time from its oldest record's put (taken just before PutRecords, so a little before its
// arrival in the log: the figure errs on the slow side by the put's latency) to the first listing
// that shows it. It reports p50-ms, p99-ms and max-ms over every object of every run, against the
// target interval + 2 s (target-ms), and put-p99-ms, the producer's PutRecords latency. The minio
// case skips without HYDRANT_MINIO_BIN. Run it with -benchtime 1x (one 30 s run) or Nx for more
// objects.
func BenchmarkFreshness(b *testing.B) {
	b.Run("files", func(b *testing.B) {
		root := b.TempDir()
		files, err := sinks.NewFiles(root, sinks.FilesOptions{})
		if err != nil {
			b.Fatal(err)
		}
		benchFreshness(b, files, true, func(key string) (io.ReadCloser, error) {
			return os.Open(filepath.Join(root, "lake", key))
		})
	})
	b.Run("minio", func(b *testing.B) {
		srv := miniotest.Start(b)
		srv.CreateBucket("lake")
		s3, err := sinks.NewS3(context.Background(), sinks.S3Options{Endpoint: srv.Endpoint(), Region: miniotest.Region,
			Credentials: credentials.NewStaticCredentialsProvider(miniotest.AccessKey, miniotest.SecretKey, "")})
		if err != nil {
			b.Fatal(err)
		}
		defer s3.Close()
		mc := srv.Client()
		benchFreshness(b, s3, false, func(key string) (io.ReadCloser, error) {
			return mc.GetObject(context.Background(), "lake", key, minio.GetObjectOptions{})
		})
	})
}

func benchFreshness(b *testing.B, sink sinks.Sink, createBuckets bool, get func(key string) (io.ReadCloser, error)) {
	dir := b.TempDir()
	store, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	m, err := Open(Options{Dir: filepath.Join(dir, "firehose"), Store: store, Objects: sink, CreateBuckets: createBuckets})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	sc := streams.Scope{Account: "000000000000", Region: "us-east-1"}
	b.ReportAllocs()
	b.SetBytes(int64(freshnessLoad/time.Second) * freshnessRate)
	var fresh, puts []time.Duration
	run := 0
	for b.Loop() {
		run++
		name := fmt.Sprintf("fresh-%d", run)
		prefix := name + "/"
		cfg := Config{Type: TypeDirectPut, Destination: Destination{BucketARN: "arn:aws:s3:::lake", Prefix: prefix,
			Rules: Rules{Size: 128 << 20, Interval: freshnessInterval}, Compression: CompressionGzip}}
		if _, err := m.Create(sc, CreateInput{Name: name, Config: cfg}); err != nil {
			b.Fatal(err)
		}
		// The watcher: the first time each key is listed.
		ctx, stopWatch := context.WithCancel(context.Background())
		seen := map[string]time.Time{}
		var seenMu sync.Mutex
		var watch sync.WaitGroup
		watch.Go(func() {
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				for info, err := range sink.List(ctx, "lake", prefix) {
					if err != nil {
						break
					}
					now := time.Now()
					seenMu.Lock()
					if _, ok := seen[info.Key]; !ok {
						seen[info.Key] = now
					}
					seenMu.Unlock()
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})

		// The producer: a batch every tick, each record carrying the time it was put.
		perTick := int(freshnessRate / 1024 * int64(freshnessTick) / int64(time.Second))
		rng := rand.New(rand.NewPCG(3, 4))
		sent := 0
		tick := time.NewTicker(freshnessTick)
		for end := time.Now().Add(freshnessLoad); time.Now().Before(end); <-tick.C {
			batch := make([][]byte, perTick)
			start := time.Now()
			for i := range batch {
				rec := fmt.Appendf(nil, `{"t":%d,"n":%d,"pad":"`, start.UnixNano(), sent+i)
				for len(rec) < 1021 {
					rec = append(rec, words[rng.IntN(len(words))]...)
					rec = append(rec, ' ')
				}
				batch[i] = append(rec[:1021], "\"}\n"...)
			}
			res, err := m.PutRecords(context.Background(), sc, name, batch)
			if err != nil || res.Failed > 0 {
				b.Fatalf("put: %v, %d failed", err, res.Failed)
			}
			puts = append(puts, time.Since(start))
			sent += len(batch)
		}
		tick.Stop()

		// Wait for the last object (cut by the wall clock once the stream is quiet), then read every
		// object back: it must hold each record once, and gives each object's oldest put time.
		got := 0
		oldest := map[string]time.Time{}
		for deadline := time.Now().Add(freshnessInterval + 30*time.Second); got < sent; {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d records delivered", got, sent)
			}
			time.Sleep(100 * time.Millisecond)
			seenMu.Lock()
			keys := make([]string, 0, len(seen))
			for k := range seen {
				if _, ok := oldest[k]; !ok {
					keys = append(keys, k)
				}
			}
			seenMu.Unlock()
			for _, k := range keys {
				n, t := readFreshnessObject(b, get, k)
				got += n
				oldest[k] = t
			}
		}
		stopWatch()
		watch.Wait()
		if got != sent {
			b.Fatalf("%d records delivered, %d put", got, sent)
		}
		for k, t := range oldest {
			fresh = append(fresh, seen[k].Sub(t))
		}
	}
	slices.Sort(fresh)
	slices.Sort(puts)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(quantile(fresh, 0.50)), "p50-ms")
	b.ReportMetric(ms(quantile(fresh, 0.99)), "p99-ms")
	b.ReportMetric(ms(fresh[len(fresh)-1]), "max-ms")
	b.ReportMetric(ms(freshnessInterval+2*time.Second), "target-ms")
	b.ReportMetric(float64(len(fresh))/float64(b.N), "objects/op")
	b.ReportMetric(ms(quantile(puts, 0.99)), "put-p99-ms")
}

// quantile is the q-quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// readFreshnessObject reads a gzip object of BenchmarkFreshness's records and returns how many it
// holds and the earliest put time among them.
func readFreshnessObject(b *testing.B, get func(string) (io.ReadCloser, error), key string) (int, time.Time) {
	if !strings.HasSuffix(key, ".gz") {
		b.Fatalf("object %s: not a gzip object", key)
	}
	rc, err := get(key)
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		b.Fatalf("object %s: %v", key, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 4096), 1<<20)
	n := 0
	var first int64
	for sc.Scan() {
		var r struct{ T int64 }
		if err := json.NewDecoder(bytes.NewReader(sc.Bytes())).Decode(&r); err != nil {
			b.Fatalf("object %s, record %d: %v", key, n, err)
		}
		if n == 0 || r.T < first {
			first = r.T
		}
		n++
	}
	if err := sc.Err(); err != nil {
		b.Fatalf("object %s: %v", key, err)
	}
	return n, time.Unix(0, first)
}
