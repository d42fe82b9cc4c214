package buffer

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
	"github.com/hydrantio/hydrant/transforms"
	"golang.org/x/sync/semaphore"
)

// BenchmarkDynamicPartitions measures memory and throughput while one 128 MiB cut (1 KiB JSON
// records already in the log) is delivered to many dynamic partitions: MetadataExtraction with the
// jq query {customer: .customer}, the prefix customer=!{partitionKeyFromQuery:customer}/, GZIP,
// SizeInMBs 128, and the engine as the Manager sets it up (8 objects open at once, shared slots).
// The engine writes a cut's partitions 8 at a time, one pass over the cut (jq included) per group:
// 1,000 partitions take 1 + 125 passes.
//
// It reports peak-heap-MiB (Go heap objects, sampled every 5 ms), peak-rss-MiB (the kernel's VmHWM,
// reset before the delivery, so it counts the delivery and the runtime's idle memory, not the
// loading of the log), MB/s of input records, cpu-ms/MB and objects/op. The minio cases skip
// without HYDRANT_MINIO_BIN.
func BenchmarkDynamicPartitions(b *testing.B) {
	const total = 128 << 20
	parent := b
	dir := b.TempDir()
	store, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	type source struct {
		name       string
		partitions int
		bytes      int64
	}
	var sources []source
	sc := streams.Scope{Account: "000000000000", Region: "us-east-1", Namespace: "bench"}
	source1 := func(partitions int) source {
		for _, s := range sources {
			if s.partitions == partitions {
				return s
			}
		}
		s := source{name: fmt.Sprintf("p%d", partitions), partitions: partitions}
		s.bytes = fillLog(b, store, sc, s.name, total, partitions)
		sources = append(sources, s)
		return s
	}
	var srv *miniotest.Server
	for _, sinkName := range []string{"files", "minio"} {
		for _, partitions := range []int{1, 100, 1000} {
			b.Run(fmt.Sprintf("%s/partitions=%d", sinkName, partitions), func(b *testing.B) {
				var sink sinks.Sink
				if sinkName == "files" {
					f, err := sinks.NewFiles(filepath.Join(dir, "s3"), sinks.FilesOptions{})
					if err != nil {
						b.Fatal(err)
					}
					if err := f.CreateBucket("lake"); err != nil {
						b.Fatal(err)
					}
					sink = f
				} else {
					if srv == nil { // one server for the minio cases, living as long as the parent
						miniotest.Bin(b) // skips this case, not the parent, without a binary
						srv = miniotest.Start(parent)
						srv.CreateBucket("lake")
					}
					s3, err := sinks.NewS3(context.Background(), sinks.S3Options{Endpoint: srv.Endpoint(), Region: miniotest.Region,
						Credentials: credentials.NewStaticCredentialsProvider(miniotest.AccessKey, miniotest.SecretKey, "")})
					if err != nil {
						b.Fatal(err)
					}
					defer s3.Close()
					sink = s3
				}
				src := source1(partitions)
				b.SetBytes(src.bytes)
				b.ReportAllocs()
				var cpu time.Duration
				var objects int64
				var heap, rss, sampledRSS uint64
				for b.Loop() {
					name := fmt.Sprintf("%s-%s-%d", sinkName, src.name, time.Now().UnixNano())
					cfg := Config{Type: TypeDirectPut, Destination: Destination{BucketARN: "arn:aws:s3:::lake",
						Prefix:            name + "/customer=!{partitionKeyFromQuery:customer}/",
						ErrorOutputPrefix: name + "-errors/!{firehose:error-output-type}/",
						Rules:             Rules{Size: 128 << 20, Interval: 300 * time.Second}, Compression: CompressionGzip,
						DynamicPartitioning: true,
						Processors: Processors{MetadataExtraction: &MetadataExtraction{Query: "{customer: .customer}",
							Engine: "JQ-1.6"}}}}
					if err := cfg.Validate(); err != nil {
						b.Fatal(err)
					}
					out := partitionedOutput(b, &cfg, name, sink)
					runtime.GC()
					debug.FreeOSMemory()
					resetPeakRSS()
					peaks := startMemPeaks()
					before := cpuTime()
					d, err := StartDelivery(DeliveryConfig{Name: name, Store: store, Scope: sc, Source: streams.StreamRef{Name: src.name},
						StartAt: streams.IteratorTrimHorizon, Journal: filepath.Join(dir, name+".log"),
						Rules: cfg.Destination.Rules, Output: out})
					if err != nil {
						b.Fatal(err)
					}
					waitDelivered(b, d, src.bytes, 30*time.Minute)
					cpu += cpuTime() - before
					peaks.Stop()
					st := d.Stats()
					if st.Errors > 0 || st.Cuts != 1 {
						b.Fatalf("%d cuts, %d records refused", st.Cuts, st.Errors)
					}
					objects += st.Objects
					heap, sampledRSS, rss = max(heap, peaks.heap), max(sampledRSS, peaks.rss), max(rss, peakRSS())
					if err := d.Stop(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(heap)/mib, "peak-heap-MiB")
				b.ReportMetric(float64(rss)/mib, "peak-rss-MiB")
				b.ReportMetric(float64(sampledRSS)/mib, "sampled-rss-MiB")
				b.ReportMetric(float64(cpu.Milliseconds())/(float64(b.N)*float64(src.bytes)/1e6), "cpu-ms/MB")
				b.ReportMetric(float64(objects)/float64(b.N), "objects/op")
			})
		}
	}
}

// partitionedOutput is the Output the Manager would build for cfg (engine.go's newDelivery), with
// its own slots.
func partitionedOutput(b *testing.B, cfg *Config, name string, sink sinks.Sink) Output {
	process, err := newProcessor(cfg)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := cfg.Destination.Keys()
	if err != nil {
		b.Fatal(err)
	}
	codec, _ := transforms.Lookup(cfg.Destination.Compression)
	objectName := func(k KeyInput) *sinks.ObjectName {
		o := &sinks.ObjectName{Stream: name, Version: 1, Oldest: k.Oldest, ID: k.ID, Extension: codec.Extension()}
		if !k.Partition.IsZero() {
			o.PartitionKey = k.Partition.Get
		}
		return o
	}
	return Output{Objects: sink, Bucket: cfg.Destination.Bucket(), Codec: codec, Process: process,
		Key:         func(k KeyInput) (string, error) { return keys.Key(objectName(k)) },
		ErrorKey:    func(k KeyInput) (string, error) { return keys.ErrorKey(objectName(k), k.ErrorType) },
		OpenObjects: openObjects, Slots: semaphore.NewWeighted(openObjects)}
}
