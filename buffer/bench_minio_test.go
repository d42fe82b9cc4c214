package buffer

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
	"github.com/hydrantio/hydrant/transforms"
)

// BenchmarkDeliveryToMinIO measures delivery from the log into a real MinIO server through the S3
// sink (its defaults: 8 MiB parts, a budget of 8), MinIO sharing the machine's cores: 128 MiB of 1 KiB
// JSON records already in a one-shard log, cut into objects of the size hint, compressed and
// uploaded. MB/s counts input records. cpu-ms/MB is this process's CPU per MB of input, minio-cpu-ms/MB
// MinIO's, total-cpu-ms/MB both. It skips without HYDRANT_MINIO_BIN (see internal/miniotest).
func BenchmarkDeliveryToMinIO(b *testing.B) {
	srv := miniotest.Start(b)
	srv.CreateBucket("lake")
	s3, err := sinks.NewS3(context.Background(), sinks.S3Options{Endpoint: srv.Endpoint(), Region: miniotest.Region,
		Credentials: credentials.NewStaticCredentialsProvider(miniotest.AccessKey, miniotest.SecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	defer s3.Close()
	dir := b.TempDir()
	store, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sc := streams.Scope{Account: "000000000000", Region: "us-east-1", Namespace: "bench"}
	total := fillLog(b, store, sc, "d", 128*mib, 1000)
	run := 0
	for _, codec := range []string{"GZIP", "ZSTD"} {
		for _, size := range []int64{8 * mib, 64 * mib} {
			b.Run(fmt.Sprintf("%s/%dMiB", codec, size/mib), func(b *testing.B) {
				c, _ := transforms.Lookup(codec)
				b.SetBytes(total)
				b.ReportAllocs()
				var cpu, minioCPU time.Duration
				var objects, stored int64
				for b.Loop() {
					run++
					prefix := fmt.Sprintf("run-%d/", run)
					before, minioBefore := cpuTime(), procCPU(srv.Pid())
					d, err := StartDelivery(DeliveryConfig{Name: "d", Store: store, Scope: sc, Source: streams.StreamRef{Name: "d"},
						StartAt: streams.IteratorTrimHorizon, Journal: filepath.Join(dir, fmt.Sprintf("cuts-%d.log", run)),
						Rules: Rules{Size: size}, Output: Output{Objects: s3, Bucket: "lake", Codec: c,
							Key:      func(k KeyInput) (string, error) { return prefix + "o/" + k.ID, nil },
							ErrorKey: func(k KeyInput) (string, error) { return prefix + "e/" + k.ID, nil }}})
					if err != nil {
						b.Fatal(err)
					}
					waitDelivered(b, d, total, time.Minute)
					cpu += cpuTime() - before
					minioCPU += procCPU(srv.Pid()) - minioBefore
					st := d.Stats()
					objects += st.Objects
					stored += st.ObjectBytes
					if err := d.Stop(); err != nil {
						b.Fatal(err)
					}
				}
				mb := float64(b.N) * float64(total) / 1e6
				b.ReportMetric(float64(cpu.Milliseconds())/mb, "cpu-ms/MB")
				b.ReportMetric(float64(minioCPU.Milliseconds())/mb, "minio-cpu-ms/MB")
				b.ReportMetric(float64((cpu+minioCPU).Milliseconds())/mb, "total-cpu-ms/MB")
				b.ReportMetric(float64(objects)/float64(b.N), "objects/op")
				b.ReportMetric(float64(b.N)*float64(total)/float64(stored), "ratio")
			})
		}
	}
}
