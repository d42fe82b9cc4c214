package e2e

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestFirehoseUpdateUnderLoad changes the destination of a DirectPut and of a KinesisStreamAsSource
// delivery stream twice (a new prefix each time) while producers write to them. Every acknowledged
// record must land exactly once across the three prefixes, and each prefix's objects must carry the
// version id of the configuration that wrote them.
func TestFirehoseUpdateUnderLoad(t *testing.T) {
	mio, srv, _ := startWithMinIO(t)
	ctx := context.Background()
	kc, fc := kinesisClient(srv.endpoint()), firehoseClient(srv.endpoint())
	createStream(t, kc, "src", 2)
	dest := func(prefix string) *fhtypes.ExtendedS3DestinationConfiguration {
		return &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
			Prefix:            aws.String(prefix),
			BufferingHints:    &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(1)},
			CompressionFormat: fhtypes.CompressionFormatGzip,
		}
	}
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("direct"),
		ExtendedS3DestinationConfiguration: dest("direct/v1/")}); err != nil {
		t.Fatal(err)
	}
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("fromk"),
		DeliveryStreamType: fhtypes.DeliveryStreamTypeKinesisStreamAsSource,
		KinesisStreamSourceConfiguration: &fhtypes.KinesisStreamSourceConfiguration{
			KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/src"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x")},
		ExtendedS3DestinationConfiguration: dest("fromk/v1/")}); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	acked := map[string][]string{} // delivery stream → acknowledged records
	pctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // PutRecordBatch to "direct"
		defer wg.Done()
		for i := 0; pctx.Err() == nil; i++ {
			var recs []fhtypes.Record
			for j := 0; j < 20; j++ {
				recs = append(recs, fhtypes.Record{Data: fmt.Appendf(nil, "d-%05d-%02d\n", i, j)})
			}
			out, err := fc.PutRecordBatch(pctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("direct"), Records: recs})
			if err != nil {
				if pctx.Err() == nil {
					t.Errorf("PutRecordBatch: %v", err)
				}
				return
			}
			mu.Lock()
			for j, r := range out.RequestResponses {
				if r.ErrorCode == nil {
					acked["direct"] = append(acked["direct"], fmt.Sprintf("d-%05d-%02d", i, j))
				}
			}
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	}()
	go func() { // PutRecords to the source of "fromk"
		defer wg.Done()
		for i := 0; pctx.Err() == nil; i++ {
			var recs []types.PutRecordsRequestEntry
			for j := 0; j < 20; j++ {
				recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(j)), Data: fmt.Appendf(nil, "k-%05d-%02d\n", i, j)})
			}
			out, err := kc.PutRecords(pctx, &kinesis.PutRecordsInput{StreamName: aws.String("src"), Records: recs})
			if err != nil {
				if pctx.Err() == nil {
					t.Errorf("PutRecords: %v", err)
				}
				return
			}
			mu.Lock()
			for j, r := range out.Records {
				if r.ErrorCode == nil {
					acked["fromk"] = append(acked["fromk"], fmt.Sprintf("k-%05d-%02d", i, j))
				}
			}
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	}()
	for v := 1; v <= 2; v++ {
		time.Sleep(1500 * time.Millisecond)
		for _, name := range []string{"direct", "fromk"} {
			if _, err := fc.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String(name),
				CurrentDeliveryStreamVersionId: aws.String(fmt.Sprint(v)), DestinationId: aws.String("destinationId-000000000001"),
				ExtendedS3DestinationUpdate: &fhtypes.ExtendedS3DestinationUpdate{Prefix: aws.String(fmt.Sprintf("%s/v%d/", name, v+1))}}); err != nil {
				t.Fatalf("update %s to version %d: %v", name, v+1, err)
			}
		}
	}
	time.Sleep(1500 * time.Millisecond)
	stop()
	wg.Wait()

	for _, name := range []string{"direct", "fromk"} {
		want := acked[name]
		var got map[string]int
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			got = lakeRecords(t, mio, name+"/")
			missing := 0
			for _, l := range want {
				if got[l] == 0 {
					missing++
				}
			}
			if missing == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d acknowledged records never reached the bucket\nserver log:\n%s", name, missing, len(want), srv.log())
			}
		}
		for l, n := range got {
			if n != 1 {
				t.Fatalf("%s: record %s in the bucket %d times", name, l, n)
			}
		}
		perVersion := map[string]int{}
		for _, k := range lakeKeys(t, mio, name+"/") {
			m := regexp.MustCompile(`^` + name + `/v(\d)/\d{4}/\d{2}/\d{2}/\d{2}/` + name + `-(\d)-`).FindStringSubmatch(k)
			if m == nil || m[1] != m[2] {
				t.Fatalf("object %s: not under the prefix of the version that wrote it", k)
			}
			perVersion[m[1]]++
		}
		if len(perVersion) != 3 {
			t.Fatalf("%s: objects per version %v, want objects from all three", name, perVersion)
		}
		t.Logf("%s: %d records, each once; objects per version %v", name, len(got), perVersion)
	}
}
