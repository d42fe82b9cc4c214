package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/minio/minio-go/v7"
)

// startWithMinIO starts a MinIO server with a bucket "lake" and hydrant serve delivering to it.
func startWithMinIO(t *testing.T) (*miniotest.Server, *server, string) {
	t.Helper()
	mio := miniotest.Start(t)
	mio.CreateBucket("lake")
	t.Setenv("AWS_ACCESS_KEY_ID", miniotest.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", miniotest.SecretKey)
	t.Setenv("AWS_REGION", miniotest.Region)
	addr, dir := freeAddr(t), t.TempDir()
	srv := startServer(t, addr, dir, "--s3-endpoint", mio.Endpoint())
	return mio, srv, dir
}

func firehoseClient(endpoint string) *firehose.Client {
	return firehose.New(firehose.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

func createDelivery(t *testing.T, c *firehose.Client, name string, interval int32) {
	t.Helper()
	_, err := c.CreateDeliveryStream(context.Background(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
			Prefix:            aws.String(name + "/"),
			BufferingHints:    &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(interval)},
			CompressionFormat: fhtypes.CompressionFormatGzip,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// lakeRecords reads every object under prefix with minio-go, gunzips it with the standard library
// and returns how many times each line appears.
func lakeRecords(t *testing.T, mio *miniotest.Server, prefix string) map[string]int {
	t.Helper()
	ctx := context.Background()
	c := mio.Client()
	out := map[string]int{}
	for obj := range c.ListObjects(ctx, "lake", minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		r, err := c.GetObject(ctx, "lake", obj.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", obj.Key, err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", obj.Key, err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
			if line != "" {
				out[line]++
			}
		}
	}
	return out
}

// TestClickstreamExample runs the clickstream example against hydrant serve delivering to MinIO.
func TestClickstreamExample(t *testing.T) {
	mio, srv, _ := startWithMinIO(t)
	cmd := exec.Command("python3", "../examples/clickstream-lake/clickstream.py", srv.endpoint(), mio.Endpoint())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("clickstream example: %v\n%s\nserver log:\n%s", err, out, srv.log())
	}
	t.Logf("%s", out)
}

// TestFirehoseCrashKill9 kills hydrant serve with SIGKILL at random moments while producers send
// PutRecordBatch and delivery writes to MinIO, restarts it, and checks that the bucket ends with
// every acknowledged record exactly once (and no record twice).
func TestFirehoseCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs real processes")
	}
	mio, srv, dir := startWithMinIO(t)
	addr := srv.addr
	c := firehoseClient(srv.endpoint())
	createDelivery(t, c, "crash", 1)
	const rounds, writers = 4, 4
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	var mu sync.Mutex
	acked := map[string]bool{}
	next := make([]int, writers)
	for round := 0; round < rounds; round++ {
		if round > 0 {
			srv = startServer(t, addr, dir, "--s3-endpoint", mio.Endpoint())
			c = firehoseClient(srv.endpoint())
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					first, n := next[w], 1+rand.IntN(100)
					next[w] = first + n // never resent: a batch of unknown fate is skipped
					var recs []fhtypes.Record
					var lines []string
					for i := 0; i < n; i++ {
						line := hex.EncodeToString(payload(w, first+i))
						lines = append(lines, line)
						recs = append(recs, fhtypes.Record{Data: []byte(line + "\n")})
					}
					out, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("crash"), Records: recs})
					if err != nil {
						return
					}
					mu.Lock()
					for i, r := range out.RequestResponses {
						if r.ErrorCode == nil {
							acked[lines[i]] = true
						}
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
		srv.kill()
		cancel()
		wg.Wait()
	}
	srv = startServer(t, addr, dir, "--s3-endpoint", mio.Endpoint())
	var got map[string]int
	deadline := time.Now().Add(90 * time.Second)
	for {
		got = lakeRecords(t, mio, "crash/")
		missing := 0
		for line := range acked {
			if got[line] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged records never reached the bucket\nserver log:\n%s", missing, len(acked), srv.log())
		}
		time.Sleep(time.Second)
	}
	for line, n := range got {
		if n != 1 {
			t.Fatalf("record %s… is in the bucket %d times", line[:16], n)
		}
		b, err := hex.DecodeString(line)
		if err != nil {
			t.Fatalf("bad line in the bucket: %q", line)
		}
		if _, _, err := parsePayload(b); err != nil {
			t.Fatalf("corrupt record in the bucket: %v", err)
		}
	}
	t.Logf("%d rounds: %d records acknowledged, %d in the bucket, each once", rounds, len(acked), len(got))
	if len(acked) < 1000 {
		t.Fatalf("only %d records acknowledged: the test did not load the server", len(acked))
	}
}

// TestFirehoseDestinationDown stops MinIO for a minute while records wait for delivery, and checks
// that delivery resumes when it is back, losing and repeating nothing.
func TestFirehoseDestinationDown(t *testing.T) {
	mio, srv, _ := startWithMinIO(t)
	c := firehoseClient(srv.endpoint())
	createDelivery(t, c, "down", 1)
	put := func(from, to int) {
		var recs []fhtypes.Record
		for i := from; i < to; i++ {
			recs = append(recs, fhtypes.Record{Data: []byte(fmt.Sprintf("record-%05d\n", i))})
		}
		out, err := c.PutRecordBatch(context.Background(), &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("down"), Records: recs})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
			t.Fatalf("put: %v", err)
		}
	}
	waitFor := func(n int) map[string]int {
		deadline := time.Now().Add(90 * time.Second)
		for {
			got := lakeRecords(t, mio, "down/")
			if len(got) >= n || time.Now().After(deadline) {
				return got
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	put(0, 100)
	if got := waitFor(100); len(got) != 100 {
		t.Fatalf("%d records delivered before the outage, want 100", len(got))
	}
	mio.Stop()
	put(100, 300)
	time.Sleep(time.Minute) // the outage: delivery fails and backs off meanwhile
	// The outage shows: the oldest record waiting is as old as the outage.
	freshness := metric(t, srv, `hydrant_firehose_delivery_to_s3_data_freshness_seconds{account="000000000000",delivery_stream="down",region="us-east-1"}`)
	if freshness < 55 {
		t.Fatalf("data freshness %.1fs during a one-minute outage", freshness)
	}
	mio.Restart()
	got := waitFor(300)
	if len(got) != 300 {
		t.Fatalf("%d records delivered after the outage, want 300\nserver log:\n%s", len(got), srv.log())
	}
	for line, n := range got {
		if n != 1 {
			t.Fatalf("%s delivered %d times", line, n)
		}
	}
	if f := metric(t, srv, `hydrant_firehose_delivery_to_s3_data_freshness_seconds{account="000000000000",delivery_stream="down",region="us-east-1"}`); f != 0 {
		t.Fatalf("data freshness %.1fs once everything is delivered", f)
	}
}

// metric scrapes hydrant's /metrics and returns one sample's value.
func metric(t *testing.T, srv *server, sample string) float64 {
	t.Helper()
	resp, err := http.Get(srv.endpoint() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	t.Fatalf("no sample %s in /metrics", sample)
	return 0
}
