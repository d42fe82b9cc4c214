package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestFirehoseEmbeddedFiles: `hydrant serve` with no --s3-endpoint (and no AWS_ENDPOINT_URL_S3)
// writes a delivery stream's objects as files under <data-dir>/s3/<bucket>/<key>, with Firehose's key
// shape and gzip content that holds every record once.
func TestFirehoseEmbeddedFiles(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	dir := t.TempDir()
	srv := startServer(t, freeAddr(t), dir)
	c := firehoseClient(srv.endpoint())
	ctx := context.Background()
	if _, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
			Prefix:            aws.String("clicks/!{timestamp:yyyy/MM/dd}/"),
			ErrorOutputPrefix: aws.String("errors/!{firehose:error-output-type}/"),
			BufferingHints:    &fhtypes.BufferingHints{SizeInMBs: aws.Int32(64), IntervalInSeconds: aws.Int32(1)},
			CompressionFormat: fhtypes.CompressionFormatGzip,
		},
	}); err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC()
	var recs []fhtypes.Record
	var want []string
	for i := 0; i < 200; i++ {
		line := fmt.Sprintf(`{"user":%d}`, i)
		want = append(want, line)
		recs = append(recs, fhtypes.Record{Data: []byte(line + "\n")})
	}
	out, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"), Records: recs})
	if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
		t.Fatalf("PutRecordBatch: %v", err)
	}

	bucket := filepath.Join(dir, "s3", "lake")
	keyRE := regexp.MustCompile(`^clicks/(\d{4}/\d{2}/\d{2})/clicks-1-(\d{4}-\d{2}-\d{2})-\d{2}-\d{2}-\d{2}-[0-9a-f-]+\.gz$`)
	got := map[string]int{}
	deadline := time.Now().Add(20 * time.Second)
	for {
		clear(got)
		var keys []string
		err := filepath.WalkDir(bucket, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(bucket, path)
			keys = append(keys, filepath.ToSlash(rel))
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, key := range keys {
			m := keyRE.FindStringSubmatch(key)
			if m == nil {
				t.Fatalf("object %s under %s: not Firehose's key shape", key, bucket)
			}
			if d := strings.ReplaceAll(m[1], "/", "-"); d != m[2] || (d != day.Format("2006-01-02") && d != time.Now().UTC().Format("2006-01-02")) {
				t.Fatalf("object %s: date not the records' arrival day %s", key, day.Format("2006-01-02"))
			}
			raw, err := os.ReadFile(filepath.Join(bucket, filepath.FromSlash(key)))
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			body, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			for _, l := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
				got[l]++
			}
		}
		if len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(got) != len(want) {
		t.Fatalf("%d distinct records under %s, want %d\nserver log:\n%s", len(got), bucket, len(want), srv.log())
	}
	for _, l := range want {
		if got[l] != 1 {
			t.Fatalf("record %s is there %d times", l, got[l])
		}
	}
	// No temporary file is left once the objects are there.
	if ents, err := os.ReadDir(filepath.Join(dir, "s3", ".hydrant-tmp")); err != nil || len(ents) != 0 {
		t.Fatalf(".hydrant-tmp holds %v (%v)", ents, err)
	}
}
