package buffer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
	"github.com/hydrantio/hydrant/transforms"
)

// BenchmarkDeliveryToFiles measures delivery from the log into local files: records already in a
// delivery stream's log (1 KiB JSON, 64 MiB per run) are cut into 8 MiB objects, compressed and written, for each
// codec. MB/s counts input records; cpu-ms/MB is the process's CPU per MB of input.
func BenchmarkDeliveryToFiles(b *testing.B) {
	for _, codec := range []string{"GZIP", "ZSTD", "Snappy", "UNCOMPRESSED"} {
		b.Run(codec, func(b *testing.B) {
			const total = 64 << 20
			dir := b.TempDir()
			store, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			sc := streams.Scope{Account: "000000000000", Region: "us-east-1", Namespace: "bench"}
			store.CreateStream(sc, streams.CreateStreamInput{Name: "d", ShardCount: 1})
			rng := rand.New(rand.NewPCG(1, 2))
			var batch []streams.PutEntry
			rec := make([]byte, 0, 1024)
			for written := 0; written < total; {
				batch = batch[:0]
				for i := 0; i < 500; i++ {
					rec = fmt.Appendf(rec[:0], `{"user":%d,"page":"/products/%d","referrer":"https://example.com/%d","ts":%d,"pad":"`,
						written%9973, written%101, written%37, 1763800000000+written)
					for len(rec) < 1023 { // words from a small vocabulary: text that compresses like logs do
						rec = append(rec, words[rng.IntN(len(words))]...)
						rec = append(rec, ' ')
					}
					rec = rec[:1023]
					rec = append(rec, '\n')
					batch = append(batch, streams.PutEntry{PartitionKey: "k", Data: append([]byte(nil), rec...)})
					written += len(rec)
				}
				if _, _, err := store.PutRecords(context.Background(), sc, streams.StreamRef{Name: "d"}, batch); err != nil {
					b.Fatal(err)
				}
			}
			c, _ := transforms.Lookup(codec)
			b.SetBytes(total)
			b.ReportAllocs()
			var cpu time.Duration
			for i := 0; b.Loop(); i++ {
				root := filepath.Join(dir, fmt.Sprintf("s3-%d", i))
				os.MkdirAll(filepath.Join(root, "lake"), 0o755)
				files, _ := sinks.NewFiles(root, sinks.FilesOptions{})
				before := cpuTime()
				d, err := StartDelivery(DeliveryConfig{Name: "d", Store: store, Scope: sc, Source: streams.StreamRef{Name: "d"},
					StartAt: streams.IteratorTrimHorizon, Journal: filepath.Join(dir, fmt.Sprintf("cuts-%d.log", i)),
					Rules: Rules{Size: 8 << 20}, Output: Output{Objects: files, Bucket: "lake", Codec: c,
						Key:      func(k KeyInput) (string, error) { return "o/" + k.ID, nil },
						ErrorKey: func(k KeyInput) (string, error) { return "e/" + k.ID, nil }}})
				if err != nil {
					b.Fatal(err)
				}
				for d.Stats().Bytes < total {
					time.Sleep(time.Millisecond)
				}
				cpu += cpuTime() - before
				d.Stop()
			}
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N)/(total/1e6), "cpu-ms/MB")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var words = []string{"GET", "POST", "user", "session", "click", "view", "cart", "checkout", "product", "search",
	"mobile", "desktop", "chrome", "firefox", "safari", "200", "404", "302", "500", "home", "login", "logout",
	"banner", "campaign", "email", "social", "organic", "paid", "referral", "direct", "de", "en", "fr", "us",
	"eu", "asia", "price", "discount", "shipping", "return", "review", "rating", "size", "color", "red", "blue",
	"green", "small", "large", "medium", "shoes", "shirt", "hat", "bag", "watch", "phone", "laptop", "tablet",
	"api", "v1", "v2", "ok", "error", "timeout"}
