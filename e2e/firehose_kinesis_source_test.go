package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/transforms"
	"github.com/minio/minio-go/v7"
)

// TestFirehoseKinesisSource runs two KinesisStreamAsSource delivery streams over one Kinesis stream of
// a real `hydrant serve`, delivering to MinIO: one starting at LATEST (Firehose's behaviour), one
// tagged hydrant:starting-position=TRIM_HORIZON. Producers use PutRecords with plain and KPL-aggregated
// records, and the source is resharded twice (2 → 3 → 2 shards) while records flow. Each bucket prefix
// must end with the de-aggregated user records exactly once: LATEST without the records put before the
// delivery stream existed, TRIM_HORIZON with them. PutRecord and PutRecordBatch on such a delivery
// stream are refused as Firehose refuses them. An aggregated record with a bad checksum goes to the
// error output in Firehose's shape, and blocks nothing.
func TestFirehoseKinesisSource(t *testing.T) {
	mio, srv, _ := startWithMinIO(t)
	ctx := context.Background()
	kc := kinesisClient(srv.endpoint())
	fc := firehoseClient(srv.endpoint())
	createStream(t, kc, "events", 2)
	d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := aws.ToString(d.StreamDescriptionSummary.StreamARN)

	// put sends n user records named phase-i: every third PutRecords entry is a KPL aggregated record
	// holding five user records, the others one plain record each. It returns the user records.
	seq := 0
	put := func(phase string, n int) []string {
		t.Helper()
		var lines []string
		var entries []types.PutRecordsRequestEntry
		flush := func() {
			if len(entries) == 0 {
				return
			}
			out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("events"), Records: entries})
			if err != nil {
				t.Fatalf("PutRecords: %v", err)
			}
			if aws.ToInt32(out.FailedRecordCount) != 0 {
				t.Fatalf("PutRecords: %d records failed", aws.ToInt32(out.FailedRecordCount))
			}
			entries = entries[:0]
		}
		for len(lines) < n {
			seq++
			key := fmt.Sprintf("pk-%d", seq)
			if seq%3 == 0 {
				var users []transforms.UserRecord
				for j := 0; j < 5 && len(lines) < n; j++ {
					line := fmt.Sprintf("%s-%05d", phase, len(lines))
					lines = append(lines, line)
					users = append(users, transforms.UserRecord{PartitionKey: fmt.Sprintf("user-%d", j), Data: []byte(line + "\n")})
				}
				entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: transforms.AppendAggregated(nil, users)})
			} else {
				line := fmt.Sprintf("%s-%05d", phase, len(lines))
				lines = append(lines, line)
				entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: []byte(line + "\n")})
			}
			if len(entries) == 100 {
				flush()
			}
		}
		flush()
		return lines
	}
	reshard := func(to int32) {
		t.Helper()
		if _, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("events"),
			TargetShardCount: aws.Int32(to), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
			t.Fatalf("UpdateShardCount %d: %v", to, err)
		}
		for i := 0; ; i++ {
			d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("events")})
			if err == nil && d.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive &&
				aws.ToInt32(d.StreamDescriptionSummary.OpenShardCount) == to {
				return
			}
			if i == 500 {
				t.Fatalf("stream not ACTIVE with %d open shards after UpdateShardCount: %+v, %v", to, d, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	before := put("before", 120)
	time.Sleep(50 * time.Millisecond) // LATEST starts at the delivery stream's creation, in milliseconds
	source := &fhtypes.KinesisStreamSourceConfiguration{KinesisStreamARN: aws.String(streamARN), RoleARN: aws.String("arn:aws:iam::000000000000:role/x")}
	for _, tc := range []struct {
		name string
		tags []fhtypes.Tag
	}{
		{"latest", nil},
		{"horizon", []fhtypes.Tag{{Key: aws.String("hydrant:starting-position"), Value: aws.String("TRIM_HORIZON")}}},
	} {
		if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
			DeliveryStreamName:               aws.String(tc.name),
			DeliveryStreamType:               fhtypes.DeliveryStreamTypeKinesisStreamAsSource,
			KinesisStreamSourceConfiguration: source,
			ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
				BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
				Prefix:            aws.String(tc.name + "/"),
				ErrorOutputPrefix: aws.String("errors/" + tc.name + "/!{firehose:error-output-type}/"),
				BufferingHints:    &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(1)},
				CompressionFormat: fhtypes.CompressionFormatGzip,
			},
			Tags: tc.tags,
		}); err != nil {
			t.Fatalf("create %s: %v", tc.name, err)
		}
	}
	desc, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("latest")})
	if err != nil {
		t.Fatal(err)
	}
	if dd := desc.DeliveryStreamDescription; dd.DeliveryStreamType != fhtypes.DeliveryStreamTypeKinesisStreamAsSource ||
		dd.Source == nil || aws.ToString(dd.Source.KinesisStreamSourceDescription.KinesisStreamARN) != streamARN {
		t.Fatalf("describe-delivery-stream: type %s, source %+v", dd.DeliveryStreamType, dd.Source)
	}

	// Firehose refuses direct puts on a delivery stream that reads a Kinesis stream.
	const refused = "This operation is not permitted on KinesisStreamAsSource delivery stream type."
	_, err = fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("latest"),
		Records: []fhtypes.Record{{Data: []byte("direct\n")}}})
	wantAPIError(t, err, "InvalidArgumentException", refused)
	_, err = fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("horizon"),
		Record: &fhtypes.Record{Data: []byte("direct\n")}})
	wantAPIError(t, err, "InvalidArgumentException", refused)

	after := put("a", 300)
	// A KPL aggregated record whose MD5 does not match goes whole to the error output; the others go on.
	corrupt := transforms.AppendAggregated(nil, []transforms.UserRecord{{PartitionKey: "k", Data: []byte("corrupt\n")}})
	corrupt[len(corrupt)-1] ^= 0xff
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("events"), PartitionKey: aws.String("k"), Data: corrupt}); err != nil {
		t.Fatal(err)
	}
	reshard(3)
	after = append(after, put("b", 300)...)
	reshard(2)
	after = append(after, put("c", 300)...)

	check := func(prefix string, want []string) {
		t.Helper()
		var got map[string]int
		deadline := time.Now().Add(25 * time.Second)
		for {
			got = lakeRecords(t, mio, prefix)
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
				t.Fatalf("%s: %d of %d records never reached the bucket\nserver log:\n%s", prefix, missing, len(want), srv.log())
			}
			time.Sleep(500 * time.Millisecond)
		}
		wanted := map[string]bool{}
		for _, l := range want {
			wanted[l] = true
		}
		for l, n := range got {
			switch {
			case !wanted[l]:
				t.Errorf("%s: unexpected record %q in the bucket (%d times)", prefix, l, n)
			case n != 1:
				t.Errorf("%s: record %q in the bucket %d times", prefix, l, n)
			}
		}
		t.Logf("%s: %d records, each once", prefix, len(got))
	}
	check("latest/", after)
	check("horizon/", append(append([]string(nil), before...), after...))
	for _, name := range []string{"latest", "horizon"} {
		var errs []string
		for line := range lakeRecords(t, mio, "errors/"+name+"/") {
			errs = append(errs, line)
		}
		if len(errs) != 1 {
			t.Fatalf("errors/%s/ holds %d records, want the corrupt one: %q", name, len(errs), errs)
		}
		var e struct {
			ErrorCode, RawData string
			AttemptsMade       int
		}
		if err := json.Unmarshal([]byte(errs[0]), &e); err != nil || e.ErrorCode != "Kinesis.DeaggregationFailed" ||
			e.RawData != base64.StdEncoding.EncodeToString(corrupt) || e.AttemptsMade != 1 {
			t.Fatalf("error record %s (%v)", errs[0], err)
		}
	}
	for _, k := range lakeKeys(t, mio, "") {
		if !strings.HasSuffix(k, ".gz") || (strings.HasPrefix(k, "errors/") && !strings.Contains(k, "/processing-failed/")) {
			t.Errorf("unexpected object %s", k)
		}
	}
}

// lakeKeys lists the keys of bucket lake under prefix.
func lakeKeys(t *testing.T, mio *miniotest.Server, prefix string) []string {
	t.Helper()
	var keys []string
	for obj := range mio.Client().ListObjects(context.Background(), "lake", minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	return keys
}

// wantAPIError checks that err is the AWS error code with a message containing msg.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %s: %s, want %s: %s", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// TestFirehoseKinesisSourceKill9 kills hydrant serve with SIGKILL at random moments while a producer
// sends PutRecords (plain and KPL-aggregated) to the source of a KinesisStreamAsSource delivery stream,
// and reshards the source between two rounds. After the last restart the bucket must hold every user
// record of every acknowledged PutRecords entry exactly once, and no record twice.
func TestFirehoseKinesisSourceKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs real processes")
	}
	mio, srv, dir := startWithMinIO(t)
	addr, ctx := srv.addr, context.Background()
	kc := kinesisClient(srv.endpoint())
	createStream(t, kc, "events", 2)
	fc := firehoseClient(srv.endpoint())
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("ks"),
		DeliveryStreamType: fhtypes.DeliveryStreamTypeKinesisStreamAsSource,
		KinesisStreamSourceConfiguration: &fhtypes.KinesisStreamSourceConfiguration{
			KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/events"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x")},
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
			Prefix:            aws.String("ks/"),
			BufferingHints:    &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(1)},
			CompressionFormat: fhtypes.CompressionFormatGzip,
		},
	}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	acked := map[string]bool{}
	n := 0
	const rounds = 3
	for round := 0; round < rounds; round++ {
		if round > 0 {
			srv = startServer(t, addr, dir, "--s3-endpoint", mio.Endpoint())
			kc = kinesisClient(srv.endpoint())
		}
		if round == 1 {
			if _, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("events"),
				TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
				t.Fatal(err)
			}
		}
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for pctx.Err() == nil {
				var entries []types.PutRecordsRequestEntry
				var users [][]string
				for i := 0; i < 50; i++ {
					var lines []string
					var data []byte
					if i%3 == 0 {
						var recs []transforms.UserRecord
						for j := 0; j < 5; j++ {
							n++
							lines = append(lines, fmt.Sprintf("k-%07d", n))
							recs = append(recs, transforms.UserRecord{PartitionKey: "u", Data: []byte(lines[j] + "\n")})
						}
						data = transforms.AppendAggregated(nil, recs)
					} else {
						n++
						lines = append(lines, fmt.Sprintf("k-%07d", n))
						data = []byte(lines[0] + "\n")
					}
					users = append(users, lines)
					entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(n)), Data: data})
				}
				out, err := kc.PutRecords(pctx, &kinesis.PutRecordsInput{StreamName: aws.String("events"), Records: entries})
				if err != nil {
					return
				}
				for i, r := range out.Records {
					if r.ErrorCode == nil {
						for _, l := range users[i] {
							acked[l] = true
						}
					}
				}
			}
		}()
		time.Sleep(time.Duration(500+rng.IntN(1000)) * time.Millisecond)
		srv.kill()
		cancel()
		<-done
	}
	srv = startServer(t, addr, dir, "--s3-endpoint", mio.Endpoint())
	var got map[string]int
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = lakeRecords(t, mio, "ks/")
		missing := 0
		for l := range acked {
			if got[l] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged records never reached the bucket\nserver log:\n%s", missing, len(acked), srv.log())
		}
		time.Sleep(500 * time.Millisecond)
	}
	for l, c := range got {
		if c != 1 {
			t.Fatalf("record %s is in the bucket %d times", l, c)
		}
	}
	t.Logf("%d rounds: %d user records acknowledged, %d in the bucket, each once", rounds, len(acked), len(got))
	if len(acked) < 1000 {
		t.Fatalf("only %d records acknowledged: the test did not load the server", len(acked))
	}
}

// TestFirehoseKinesisSourceReshardedBefore: the source was resharded (split, then merged) before the
// delivery streams were made, so its closed shards hold only old records. TRIM_HORIZON delivers every
// record of every shard once; LATEST only the records put after its creation, and it does not stall
// on the closed shards.
func TestFirehoseKinesisSourceReshardedBefore(t *testing.T) {
	mio, srv, _ := startWithMinIO(t)
	ctx := context.Background()
	kc, fc := kinesisClient(srv.endpoint()), firehoseClient(srv.endpoint())
	createStream(t, kc, "old", 1)
	put := func(from, to int) []string {
		t.Helper()
		var lines []string
		var entries []types.PutRecordsRequestEntry
		for i := from; i < to; i++ {
			lines = append(lines, fmt.Sprintf("old-%04d", i))
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(i)), Data: []byte(lines[len(lines)-1] + "\n")})
		}
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("old"), Records: entries})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords: %v", err)
		}
		return lines
	}
	reshard := func(to int32) {
		t.Helper()
		if _, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("old"),
			TargetShardCount: aws.Int32(to), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("old")})
			if err == nil && d.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive && aws.ToInt32(d.StreamDescriptionSummary.OpenShardCount) == to {
				return
			}
			if i == 500 {
				t.Fatalf("no %d open shards", to)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	before := put(0, 100)
	reshard(2)
	before = append(before, put(100, 200)...)
	reshard(1)
	before = append(before, put(200, 300)...)
	time.Sleep(50 * time.Millisecond)
	for _, tc := range []struct{ name, pos string }{{"late", "LATEST"}, {"trim", "TRIM_HORIZON"}} {
		if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
			DeliveryStreamName: aws.String(tc.name),
			DeliveryStreamType: fhtypes.DeliveryStreamTypeKinesisStreamAsSource,
			KinesisStreamSourceConfiguration: &fhtypes.KinesisStreamSourceConfiguration{
				KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/old"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x")},
			ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
				BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
				Prefix:            aws.String(tc.name + "/"),
				BufferingHints:    &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(1)},
				CompressionFormat: fhtypes.CompressionFormatGzip,
			},
			Tags: []fhtypes.Tag{{Key: aws.String("hydrant:starting-position"), Value: aws.String(tc.pos)}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	after := put(300, 400)
	for _, tc := range []struct {
		prefix string
		want   []string
	}{{"late/", after}, {"trim/", append(append([]string(nil), before...), after...)}} {
		var got map[string]int
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(300 * time.Millisecond) {
			got = lakeRecords(t, mio, tc.prefix)
			if len(got) >= len(tc.want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d records in the bucket\nserver log:\n%s", tc.prefix, len(got), len(tc.want), srv.log())
			}
		}
		for _, l := range tc.want {
			if got[l] != 1 {
				t.Fatalf("%s: record %s in the bucket %d times", tc.prefix, l, got[l])
			}
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d records in the bucket, want %d", tc.prefix, len(got), len(tc.want))
		}
	}
}
