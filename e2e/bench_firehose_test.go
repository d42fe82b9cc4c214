package e2e

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/hydrantio/hydrant/internal/miniotest"
)

// BenchmarkFirehoseServerPartitions measures a real `hydrant serve` delivering to MinIO with dynamic
// partitioning to 1,000 partitions: a delivery stream (jq {customer: .customer}, prefix
// customer=!{partitionKeyFromQuery:customer}/, GZIP, SizeInMBs 128) takes 256 MiB of 1 KiB JSON
// records from 2 PutRecordBatch producers (500 records a batch), which make two 128 MiB cuts of
// 1,000 objects each. The server's memory is sampled from /proc/<pid>/status every 20 ms while it
// ingests and delivers.
//
// It reports server-peak-rss-MiB (the larger of the server's VmHWM and the sampled VmRSS),
// ingest-MB/s (PutRecordBatch acknowledged), delivered-MB/s (from the first put until the server's
// DeliveryToS3.Bytes counts every input byte) and server-cpu-ms/MB. It skips without
// HYDRANT_MINIO_BIN; run it with -benchtime 1x.
func BenchmarkFirehoseServerPartitions(b *testing.B) {
	const (
		total      = 256 << 20
		recordSize = 1024
		batchSize  = 500
		customers  = 1000
		producers  = 2
	)
	mio := miniotest.Start(b)
	mio.CreateBucket("lake")
	b.Setenv("AWS_ACCESS_KEY_ID", miniotest.AccessKey)
	b.Setenv("AWS_SECRET_ACCESS_KEY", miniotest.SecretKey)
	b.Setenv("AWS_REGION", miniotest.Region)
	srv := startServer(b, freeAddr(b), b.TempDir(), "--s3-endpoint", mio.Endpoint())
	pid := srv.cmd.Process.Pid
	fh := firehoseClient(srv.endpoint())
	ctx := context.Background()
	b.SetBytes(total)
	var rssPeak int64
	var cpuTotal, ingestTime, deliverTime time.Duration
	run := 0
	for b.Loop() {
		run++
		name := fmt.Sprintf("parts-%d", run)
		_, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
			DeliveryStreamName: aws.String(name),
			ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
				BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
				Prefix:                           aws.String(name + "/customer=!{partitionKeyFromQuery:customer}/"),
				ErrorOutputPrefix:                aws.String(name + "-errors/!{firehose:error-output-type}/"),
				BufferingHints:                   &fhtypes.BufferingHints{SizeInMBs: aws.Int32(128), IntervalInSeconds: aws.Int32(900)},
				CompressionFormat:                fhtypes.CompressionFormatGzip,
				DynamicPartitioningConfiguration: &fhtypes.DynamicPartitioningConfiguration{Enabled: aws.Bool(true)},
				ProcessingConfiguration: &fhtypes.ProcessingConfiguration{Enabled: aws.Bool(true),
					Processors: []fhtypes.Processor{{Type: fhtypes.ProcessorTypeMetadataExtraction,
						Parameters: []fhtypes.ProcessorParameter{
							{ParameterName: fhtypes.ProcessorParameterNameMetadataExtractionQuery, ParameterValue: aws.String("{customer: .customer}")},
							{ParameterName: fhtypes.ProcessorParameterNameJsonParsingEngine, ParameterValue: aws.String("JQ-1.6")},
						}}}},
			},
		})
		if err != nil {
			b.Fatal(err)
		}
		waitActive(b, fh, name)

		stop := make(chan struct{})
		var sampler sync.WaitGroup
		var sampled int64
		sampler.Go(func() {
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				if rss, _ := procStatus(pid); rss > sampled {
					sampled = rss
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		})
		cpuBefore := serverCPU(pid)
		start := time.Now()
		var producing sync.WaitGroup
		batches := make(chan int)
		errs := make(chan error, producers)
		for p := range producers {
			producing.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(p), 7))
				recs := make([]fhtypes.Record, batchSize)
				for first := range batches {
					// The last batch is cut short so that the log holds exactly total bytes and both
					// cuts end on the size hint.
					n := min(batchSize, total/recordSize-first)
					for i := range n {
						recs[i].Data = clickRecord(rng, first+i, customers, recordSize)
					}
					out, err := fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: recs[:n]})
					if err == nil && aws.ToInt32(out.FailedPutCount) > 0 {
						err = fmt.Errorf("%d records failed", aws.ToInt32(out.FailedPutCount))
					}
					if err != nil {
						errs <- err
						for range batches {
						}
						return
					}
				}
			})
		}
		for first := 0; first < total/recordSize; first += batchSize {
			batches <- first
		}
		close(batches)
		producing.Wait()
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		ingested := time.Since(start)
		deadline := time.Now().Add(20 * time.Minute)
		for deliveredBytes(b, srv, name) < total {
			if time.Now().After(deadline) {
				b.Fatalf("%.0f of %d bytes delivered after 20 minutes", deliveredBytes(b, srv, name), total)
			}
			time.Sleep(100 * time.Millisecond)
		}
		deliverTime += time.Since(start)
		close(stop)
		sampler.Wait()
		cpuTotal += serverCPU(pid) - cpuBefore
		ingestTime += ingested
		_, hwm := procStatus(pid)
		rssPeak = max(rssPeak, hwm, sampled)
	}
	mb := float64(b.N) * total / 1e6
	b.ReportMetric(float64(rssPeak)/(1<<20), "server-peak-rss-MiB")
	b.ReportMetric(mb/ingestTime.Seconds(), "ingest-MB/s")
	b.ReportMetric(mb/deliverTime.Seconds(), "delivered-MB/s")
	b.ReportMetric(float64(cpuTotal.Milliseconds())/mb, "server-cpu-ms/MB")
}

// clickRecord is a JSON clickstream record of size bytes ending in '\n', its customer one of
// customers values.
func clickRecord(rng *rand.Rand, n, customers, size int) []byte {
	words := []string{"GET", "POST", "user", "session", "click", "view", "cart", "checkout", "product", "search",
		"mobile", "desktop", "chrome", "firefox", "safari", "200", "404", "302", "500", "home", "login", "logout"}
	rec := fmt.Appendf(make([]byte, 0, size+16), `{"customer":"c%04d","user":%d,"page":"/products/%d","pad":"`,
		n%customers, n%9973, n%101)
	for len(rec) < size-3 {
		rec = append(rec, words[rng.IntN(len(words))]...)
		rec = append(rec, ' ')
	}
	return append(rec[:size-3], "\"}\n"...)
}

func waitActive(b *testing.B, fh *firehose.Client, name string) {
	b.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, err := fh.DescribeDeliveryStream(context.Background(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		if err != nil {
			b.Fatal(err)
		}
		if out.DeliveryStreamDescription.DeliveryStreamStatus == fhtypes.DeliveryStreamStatusActive {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s not ACTIVE after 30 s", name)
		}
	}
}

// deliveredBytes is the server's DeliveryToS3.Bytes of a delivery stream, from /metrics.
func deliveredBytes(b *testing.B, srv *server, name string) float64 {
	b.Helper()
	resp, err := http.Get(srv.endpoint() + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(body), "\n") {
		if strings.HasPrefix(line, "hydrant_firehose_delivery_to_s3_bytes_total{") &&
			strings.Contains(line, `delivery_stream="`+name+`"`) {
			f, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			return f
		}
	}
	return 0
}

// procStatus returns a process's VmRSS and VmHWM in bytes.
func procStatus(pid int) (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	kb := func(v string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		return n << 10
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = kb(v)
		} else if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			hwm = kb(v)
		}
	}
	return rss, hwm
}

// serverCPU is a process's user and system CPU time, from /proc/<pid>/stat (USER_HZ 100).
func serverCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / 100
}
