package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestFirehoseSameNameSameBucket: delivery streams of the same name in two regions, and one deleted
// and made again, write to the same bucket and prefix. Object ids are derived from what an object
// holds, not random; they must still tell these delivery streams apart, or two objects of the same
// second get the same key and the second one can never be written. Every record must land once.
func TestFirehoseSameNameSameBucket(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	dir := t.TempDir()
	srv := startServer(t, freeAddr(t), dir)
	ctx := context.Background()
	client := func(region string) *firehose.Client {
		return firehose.New(firehoseClient(srv.endpoint()).Options(), func(o *firehose.Options) { o.Region = region })
	}
	create := func(c *firehose.Client) {
		t.Helper()
		if _, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
			DeliveryStreamName: aws.String("clicks"),
			ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
				BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
				Prefix:            aws.String("clicks/"),
				BufferingHints:    &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
				CompressionFormat: fhtypes.CompressionFormatUncompressed,
			},
		}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(c *firehose.Client, line string) {
		t.Helper()
		out, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"),
			Records: []fhtypes.Record{{Data: []byte(line + "\n")}}})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
			t.Errorf("put %s: %v", line, err)
		}
	}
	bucket := filepath.Join(dir, "s3", "lake")
	read := func() map[string]int {
		got := map[string]int{}
		filepath.WalkDir(bucket, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(path)
			for _, l := range strings.Fields(string(b)) {
				got[l]++
			}
			return nil
		})
		return got
	}
	waitFor := func(want []string) {
		t.Helper()
		var got map[string]int
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			got = read()
			if len(got) >= len(want) {
				break
			}
		}
		for _, l := range want {
			if got[l] != 1 {
				t.Fatalf("record %s is in the bucket %d times (bucket: %v)\nserver log:\n%s", l, got[l], got, srv.log())
			}
		}
		if len(got) != len(want) {
			t.Fatalf("bucket holds %v, want %v", got, want)
		}
	}

	// Two regions, one name: their first objects hold the same range in the same second.
	us, eu := client("us-east-1"), client("eu-west-1")
	create(us)
	create(eu)
	var want []string
	for i := 0; i < 3; i++ {
		var wg sync.WaitGroup
		for _, c := range []struct {
			c    *firehose.Client
			line string
		}{{us, fmt.Sprintf("us-%d", i)}, {eu, fmt.Sprintf("eu-%d", i)}} {
			want = append(want, c.line)
			wg.Add(1)
			go func() { defer wg.Done(); put(c.c, c.line) }()
		}
		wg.Wait()
	}
	waitFor(want)

	// Deleted and made again: the new delivery stream's log starts again at position 0.
	if _, err := us.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")}); err != nil {
		t.Fatal(err)
	}
	create(us)
	for i := 0; i < 3; i++ {
		line := fmt.Sprintf("again-%d", i)
		want = append(want, line)
		put(us, line)
	}
	waitFor(want)
}
