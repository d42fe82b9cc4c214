package ingest

import (
	"bytes"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/hydrantio/hydrant/buffer"
	"github.com/hydrantio/hydrant/streams"
)

// Wire-level round trips of all 12 Firehose operations with the AWS SDK for Go v2 against a real
// server, on a real store and delivery stream manager.

type fhTest struct {
	t      *testing.T
	clock  *testClock
	store  *streams.Store
	m      *buffer.Manager
	client *firehose.Client
}

func newFirehoseTest(t *testing.T, delay time.Duration) *fhTest {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	store := openStore(t, streams.Options{Dir: dir, Now: clock.Now, TransitionDelay: delay, Logger: slog.New(slog.DiscardHandler)})
	m, err := buffer.Open(buffer.Options{Dir: filepath.Join(dir, "firehose"), Store: store, Now: clock.Now, TransitionDelay: delay})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() }) // before the store's Close, registered earlier
	srv := NewServer(Config{Logger: slog.New(slog.DiscardHandler), Now: clock.Now, Firehose: m}, store)
	url := startServer(t, srv)
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	client := firehose.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  hc,
		Retryer:     connectionRetryer,
	}, func(o *firehose.Options) { o.BaseEndpoint = aws.String(url) })
	return &fhTest{t: t, clock: clock, store: store, m: m, client: client}
}

func s3Dest(prefix, errorPrefix string) *types.ExtendedS3DestinationConfiguration {
	d := &types.ExtendedS3DestinationConfiguration{
		BucketARN:         aws.String("arn:aws:s3:::lake"),
		RoleARN:           aws.String("arn:aws:iam::000000000000:role/firehose"),
		BufferingHints:    &types.BufferingHints{SizeInMBs: aws.Int32(64), IntervalInSeconds: aws.Int32(60)},
		CompressionFormat: types.CompressionFormatGzip,
	}
	if prefix != "" {
		d.Prefix = aws.String(prefix)
	}
	if errorPrefix != "" {
		d.ErrorOutputPrefix = aws.String(errorPrefix)
	}
	return d
}

func (ft *fhTest) create(name string, dest *types.ExtendedS3DestinationConfiguration) {
	ft.t.Helper()
	if _, err := ft.client.CreateDeliveryStream(bg, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name), ExtendedS3DestinationConfiguration: dest}); err != nil {
		ft.t.Fatal(err)
	}
}

func (ft *fhTest) describe(name string) *types.DeliveryStreamDescription {
	ft.t.Helper()
	out, err := ft.client.DescribeDeliveryStream(bg, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		ft.t.Fatal(err)
	}
	return out.DeliveryStreamDescription
}

func (ft *fhTest) update(name, version string, u *types.ExtendedS3DestinationUpdate) error {
	_, err := ft.client.UpdateDestination(bg, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String(name),
		CurrentDeliveryStreamVersionId: aws.String(version), DestinationId: aws.String(buffer.DestinationID),
		ExtendedS3DestinationUpdate: u})
	return err
}

func TestFirehoseLifecycle(t *testing.T) {
	ft := newFirehoseTest(t, 0)
	c := ft.client
	out, err := c.CreateDeliveryStream(bg, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("clicks"),
		ExtendedS3DestinationConfiguration: s3Dest("clicks/!{timestamp:yyyy/MM/dd}/", "errors/!{firehose:error-output-type}/"),
		Tags:                               []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(out.DeliveryStreamARN); arn != "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks" {
		t.Fatalf("ARN %s", arn)
	}
	_, err = c.CreateDeliveryStream(bg, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: s3Dest("", "")})
	wantError(t, err, "ResourceInUseException", "Firehose clicks under accountId 000000000000 already exists")

	// DescribeDeliveryStream: both descriptions of the one S3 destination, with Firehose's defaults.
	d := ft.describe("clicks")
	if d.DeliveryStreamStatus != types.DeliveryStreamStatusActive || aws.ToString(d.VersionId) != "1" ||
		d.DeliveryStreamType != types.DeliveryStreamTypeDirectPut || !d.CreateTimestamp.Equal(ft.clock.Now()) ||
		d.LastUpdateTimestamp != nil || aws.ToBool(d.HasMoreDestinations) || d.Source != nil {
		t.Fatalf("description %+v", d)
	}
	if e := d.DeliveryStreamEncryptionConfiguration; e == nil || e.Status != types.DeliveryStreamEncryptionStatusDisabled {
		t.Fatalf("encryption %+v", e)
	}
	if len(d.Destinations) != 1 || aws.ToString(d.Destinations[0].DestinationId) != "destinationId-000000000001" {
		t.Fatalf("destinations %+v", d.Destinations)
	}
	ext, s3 := d.Destinations[0].ExtendedS3DestinationDescription, d.Destinations[0].S3DestinationDescription
	if ext == nil || s3 == nil {
		t.Fatal("want ExtendedS3DestinationDescription and S3DestinationDescription")
	}
	if aws.ToString(ext.BucketARN) != "arn:aws:s3:::lake" || aws.ToString(ext.Prefix) != "clicks/!{timestamp:yyyy/MM/dd}/" ||
		aws.ToInt32(ext.BufferingHints.SizeInMBs) != 64 || aws.ToInt32(ext.BufferingHints.IntervalInSeconds) != 60 ||
		ext.CompressionFormat != types.CompressionFormatGzip || ext.EncryptionConfiguration.NoEncryptionConfig != types.NoEncryptionConfigNoEncryption ||
		ext.S3BackupMode != types.S3BackupModeDisabled || aws.ToBool(ext.CloudWatchLoggingOptions.Enabled) {
		t.Fatalf("extended S3 description %+v", ext)
	}
	if aws.ToString(s3.ErrorOutputPrefix) != "errors/!{firehose:error-output-type}/" || s3.CompressionFormat != types.CompressionFormatGzip {
		t.Fatalf("S3 description %+v", s3)
	}
	page, err := c.DescribeDeliveryStream(bg, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"),
		ExclusiveStartDestinationId: aws.String("destinationId-000000000001"), Limit: aws.Int32(1)})
	if err != nil || len(page.DeliveryStreamDescription.Destinations) != 0 {
		t.Fatalf("the page after the only destination: %+v, %v", page, err)
	}

	// PutRecord and PutRecordBatch: record ids of the durable log, in order.
	pr, err := c.PutRecord(bg, &firehose.PutRecordInput{DeliveryStreamName: aws.String("clicks"),
		Record: &types.Record{Data: []byte("one\n")}})
	if err != nil || len(aws.ToString(pr.RecordId)) != 56 || aws.ToBool(pr.Encrypted) {
		t.Fatalf("PutRecord: %+v, %v", pr, err)
	}
	batch, err := c.PutRecordBatch(bg, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"),
		Records: []types.Record{{Data: []byte("two\n")}, {Data: []byte("three\n")}, {Data: []byte{}}}})
	if err != nil || aws.ToInt32(batch.FailedPutCount) != 0 || len(batch.RequestResponses) != 3 {
		t.Fatalf("PutRecordBatch: %+v, %v", batch, err)
	}
	last := aws.ToString(pr.RecordId)
	for _, r := range batch.RequestResponses {
		if id := aws.ToString(r.RecordId); id <= last || r.ErrorCode != nil {
			t.Fatalf("record id %s after %s (%v)", id, last, aws.ToString(r.ErrorCode))
		}
		last = aws.ToString(r.RecordId)
	}

	// ListDeliveryStreams, paged and filtered.
	ft.create("alpha", s3Dest("", ""))
	ft.create("zulu", s3Dest("", ""))
	l, err := c.ListDeliveryStreams(bg, &firehose.ListDeliveryStreamsInput{})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "alpha,clicks,zulu" || aws.ToBool(l.HasMoreDeliveryStreams) {
		t.Fatalf("list %+v, %v", l, err)
	}
	l, err = c.ListDeliveryStreams(bg, &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(1), ExclusiveStartDeliveryStreamName: aws.String("alpha")})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "clicks" || !aws.ToBool(l.HasMoreDeliveryStreams) {
		t.Fatalf("page %+v, %v", l, err)
	}
	l, err = c.ListDeliveryStreams(bg, &firehose.ListDeliveryStreamsInput{DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource})
	if err != nil || len(l.DeliveryStreamNames) != 0 {
		t.Fatalf("Kinesis-sourced %+v, %v", l, err)
	}

	// UpdateDestination merges member by member; ProcessingConfiguration is replaced whole.
	ft.clock.Advance(time.Minute)
	if err := ft.update("clicks", "1", &types.ExtendedS3DestinationUpdate{
		Prefix:            aws.String("v2/!{timestamp:yyyy}/"),
		CompressionFormat: types.CompressionFormatSnappy,
		ProcessingConfiguration: &types.ProcessingConfiguration{Enabled: aws.Bool(true),
			Processors: []types.Processor{{Type: types.ProcessorTypeAppendDelimiterToRecord}}},
	}); err != nil {
		t.Fatal(err)
	}
	d = ft.describe("clicks")
	ext = d.Destinations[0].ExtendedS3DestinationDescription
	if aws.ToString(d.VersionId) != "2" || !d.LastUpdateTimestamp.Equal(ft.clock.Now()) ||
		aws.ToString(ext.Prefix) != "v2/!{timestamp:yyyy}/" || ext.CompressionFormat != types.CompressionFormatSnappy ||
		aws.ToString(ext.ErrorOutputPrefix) != "errors/!{firehose:error-output-type}/" || aws.ToInt32(ext.BufferingHints.SizeInMBs) != 64 ||
		len(ext.ProcessingConfiguration.Processors) != 1 {
		t.Fatalf("after update: %+v %+v", d, ext)
	}
	if err := ft.update("clicks", "2", &types.ExtendedS3DestinationUpdate{
		ProcessingConfiguration: &types.ProcessingConfiguration{Enabled: aws.Bool(false)},
		BufferingHints:          &types.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
	}); err != nil {
		t.Fatal(err)
	}
	ext = ft.describe("clicks").Destinations[0].ExtendedS3DestinationDescription
	if pc := ext.ProcessingConfiguration; aws.ToBool(pc.Enabled) || len(pc.Processors) != 0 ||
		aws.ToInt32(ext.BufferingHints.SizeInMBs) != 1 || aws.ToInt32(ext.BufferingHints.IntervalInSeconds) != 0 {
		t.Fatalf("ProcessingConfiguration not replaced whole: %+v", ext)
	}
	// The deprecated S3DestinationUpdate updates the same destination.
	if _, err := c.UpdateDestination(bg, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("clicks"),
		CurrentDeliveryStreamVersionId: aws.String("3"), DestinationId: aws.String(buffer.DestinationID),
		S3DestinationUpdate: &types.S3DestinationUpdate{BucketARN: aws.String("arn:aws:s3:::other")}}); err != nil {
		t.Fatal(err)
	}
	d = ft.describe("clicks")
	if ext := d.Destinations[0].ExtendedS3DestinationDescription; aws.ToString(d.VersionId) != "4" ||
		aws.ToString(ext.BucketARN) != "arn:aws:s3:::other" || aws.ToString(ext.Prefix) != "v2/!{timestamp:yyyy}/" {
		t.Fatalf("after S3DestinationUpdate: %+v", ext)
	}
	wantError(t, ft.update("clicks", "1", &types.ExtendedS3DestinationUpdate{}), "ConcurrentModificationException",
		"Cannot update firehose: clicks since the current version id: 4 and specified version id: 1 do not match")
	_, err = c.UpdateDestination(bg, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("clicks"),
		CurrentDeliveryStreamVersionId: aws.String("4"), DestinationId: aws.String("destinationId-000000000002")})
	wantError(t, err, "InvalidArgumentException", "Destination Id destinationId-000000000002 not found")
	_, err = c.UpdateDestination(bg, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("clicks"),
		CurrentDeliveryStreamVersionId: aws.String("4"), DestinationId: aws.String(buffer.DestinationID),
		HttpEndpointDestinationUpdate: &types.HttpEndpointDestinationUpdate{RoleARN: aws.String("arn:aws:iam::000000000000:role/x")}})
	wantError(t, err, "InvalidArgumentException", "Hydrant supports S3 destinations only")
	wantError(t, ft.update("clicks", "4", &types.ExtendedS3DestinationUpdate{ErrorOutputPrefix: aws.String("e/!{timestamp:yyyy}/")}),
		"InvalidArgumentException", "ErrorOutputPrefix must contain at least one occurrence of !{firehose:error-output-type}")
	wantError(t, ft.update("nope", "1", &types.ExtendedS3DestinationUpdate{}), "ResourceNotFoundException", "Firehose nope under account 000000000000 not found.")

	// Tags.
	if _, err := c.TagDeliveryStream(bg, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("app"), Value: aws.String("")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForDeliveryStream(bg, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"), Limit: aws.Int32(2)})
	if err != nil || len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "app" || aws.ToString(tags.Tags[1].Key) != "env" || !aws.ToBool(tags.HasMoreTags) {
		t.Fatalf("tags %+v, %v", tags, err)
	}
	tags, err = c.ListTagsForDeliveryStream(bg, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"), ExclusiveStartTagKey: aws.String("env")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "web" || aws.ToBool(tags.HasMoreTags) {
		t.Fatalf("tags after env: %+v, %v", tags, err)
	}
	if _, err := c.UntagDeliveryStream(bg, &firehose.UntagDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"), TagKeys: []string{"app", "team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err = c.ListTagsForDeliveryStream(bg, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("tags after untag: %+v, %v", tags, err)
	}
	_, err = c.TagDeliveryStream(bg, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"),
		Tags: []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("x")}}})
	wantError(t, err, "ValidationException", "1 validation error detected: Value 'aws:owner' at 'tags.1.member.key' failed to satisfy constraint")
	_, err = c.ListTagsForDeliveryStream(bg, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("nope")})
	wantError(t, err, "ResourceNotFoundException", "Firehose nope under account 000000000000 not found.")

	// Server-side encryption.
	if _, err := c.StartDeliveryStreamEncryption(bg, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("clicks"),
		DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{
			KeyType: types.KeyTypeCustomerManagedCmk, KeyARN: aws.String("arn:aws:kms:us-east-1:000000000000:key/k")}}); err != nil {
		t.Fatal(err)
	}
	if e := ft.describe("clicks").DeliveryStreamEncryptionConfiguration; e.Status != types.DeliveryStreamEncryptionStatusEnabled ||
		e.KeyType != types.KeyTypeCustomerManagedCmk || aws.ToString(e.KeyARN) != "arn:aws:kms:us-east-1:000000000000:key/k" {
		t.Fatalf("encryption %+v", e)
	}
	pr, err = c.PutRecord(bg, &firehose.PutRecordInput{DeliveryStreamName: aws.String("clicks"), Record: &types.Record{Data: []byte("x")}})
	if err != nil || !aws.ToBool(pr.Encrypted) {
		t.Fatalf("PutRecord while encrypted: %+v, %v", pr, err)
	}
	_, err = c.StartDeliveryStreamEncryption(bg, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("clicks"),
		DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeCustomerManagedCmk}})
	wantError(t, err, "InvalidArgumentException", "KeyARN has to be specified when KeyType is CUSTOMER_MANAGED_CMK")
	if _, err := c.StopDeliveryStreamEncryption(bg, &firehose.StopDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("clicks")}); err != nil {
		t.Fatal(err)
	}
	if e := ft.describe("clicks").DeliveryStreamEncryptionConfiguration; e.Status != types.DeliveryStreamEncryptionStatusDisabled {
		t.Fatalf("encryption %+v", e)
	}

	// DeleteDeliveryStream.
	if _, err := c.DeleteDeliveryStream(bg, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeDeliveryStream(bg, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
	wantError(t, err, "ResourceNotFoundException", "Firehose clicks under account 000000000000 not found.")
	_, err = c.DeleteDeliveryStream(bg, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
	wantError(t, err, "ResourceNotFoundException", "not found")
	_, err = c.PutRecord(bg, &firehose.PutRecordInput{DeliveryStreamName: aws.String("clicks"), Record: &types.Record{Data: []byte("x")}})
	wantError(t, err, "ResourceNotFoundException", "Firehose clicks under account 000000000000 not found.")
}

func TestFirehoseCreateErrors(t *testing.T) {
	ft := newFirehoseTest(t, 0)
	c := ft.client
	create := func(in *firehose.CreateDeliveryStreamInput) error {
		in.DeliveryStreamName = aws.String("s")
		_, err := c.CreateDeliveryStream(bg, in)
		return err
	}
	splunk := &types.SplunkDestinationConfiguration{HECEndpoint: aws.String("https://splunk"), HECEndpointType: types.HECEndpointTypeRaw,
		HECToken: aws.String("t"), S3Configuration: &types.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::b"),
			RoleARN: aws.String("arn:aws:iam::000000000000:role/x")}}
	for _, tc := range []struct {
		name      string
		in        *firehose.CreateDeliveryStreamInput
		code, msg string
	}{
		{"no destination", &firehose.CreateDeliveryStreamInput{}, "InvalidArgumentException",
			"Exactly one destination configuration is supported for a Firehose"},
		{"two destinations", &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: s3Dest("", ""),
			SplunkDestinationConfiguration: splunk}, "InvalidArgumentException", "Exactly one destination configuration is supported for a Firehose"},
		{"Splunk", &firehose.CreateDeliveryStreamInput{SplunkDestinationConfiguration: splunk}, "InvalidArgumentException",
			"Hydrant supports S3 destinations only: give an ExtendedS3DestinationConfiguration (or the deprecated " +
				"S3DestinationConfiguration), not a SplunkDestinationConfiguration."},
		{"prefix without error prefix", &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: s3Dest("!{timestamp:yyyy}/", "")},
			"InvalidArgumentException", "Ths supplied prefix(es) do not satisfy the following constraint: " +
				"ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"},
		{"bad namespace", &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: s3Dest("!{time:yyyy}/", "e/!{firehose:error-output-type}")},
			"InvalidArgumentException", "Namespace to the left of colon (time) is an invalid keyword!"},
		{"half the buffering hints", &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
			BufferingHints: &types.BufferingHints{SizeInMBs: aws.Int32(10)}}},
			"InvalidArgumentException", "if you specify a value for SizeInMBs, you must also specify a value for IntervalInSeconds"},
		{"SNAPPY is not Snappy", &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"), CompressionFormat: "SNAPPY"}},
			"ValidationException", "Member must satisfy enum value set"},
		{"Lambda", &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x"),
			ProcessingConfiguration: &types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{{Type: types.ProcessorTypeLambda,
				Parameters: []types.ProcessorParameter{{ParameterName: types.ProcessorParameterNameLambdaArn, ParameterValue: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")}}}}}}},
			"InvalidArgumentException", "Hydrant does not run Lambda functions"},
		{"MSK", &firehose.CreateDeliveryStreamInput{DeliveryStreamType: types.DeliveryStreamTypeMSKAsSource, ExtendedS3DestinationConfiguration: s3Dest("", "")},
			"InvalidArgumentException", "Hydrant supports the DirectPut and KinesisStreamAsSource delivery stream types only"},
		{"key without ARN", &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: s3Dest("", ""),
			DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeCustomerManagedCmk}},
			"InvalidArgumentException", "KeyARN has to be specified when KeyType is CUSTOMER_MANAGED_CMK"},
		{"missing source stream", &firehose.CreateDeliveryStreamInput{DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource,
			KinesisStreamSourceConfiguration: &types.KinesisStreamSourceConfiguration{
				KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/missing"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x")},
			ExtendedS3DestinationConfiguration: s3Dest("", "")},
			"InvalidArgumentException", "Firehose cannot read the source stream arn:aws:kinesis:us-east-1:000000000000:stream/missing"},
		{"bad name", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("a b"), ExtendedS3DestinationConfiguration: s3Dest("", "")},
			"ValidationException", "deliveryStreamName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.in.DeliveryStreamName != nil { // the case is about the name
				_, err = c.CreateDeliveryStream(bg, tc.in)
			} else {
				err = create(tc.in)
			}
			wantError(t, err, tc.code, tc.msg)
		})
	}
	if l, _ := c.ListDeliveryStreams(bg, &firehose.ListDeliveryStreamsInput{}); len(l.DeliveryStreamNames) != 0 {
		t.Fatalf("refused creates left %v", l.DeliveryStreamNames)
	}
	// The deprecated S3DestinationConfiguration creates the same S3 destination.
	if err := create(&firehose.CreateDeliveryStreamInput{S3DestinationConfiguration: &types.S3DestinationConfiguration{
		BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/x")}}); err != nil {
		t.Fatal(err)
	}
	d := ft.describe("s").Destinations[0]
	if d.ExtendedS3DestinationDescription == nil || aws.ToInt32(d.S3DestinationDescription.BufferingHints.SizeInMBs) != 5 ||
		aws.ToInt32(d.S3DestinationDescription.BufferingHints.IntervalInSeconds) != 300 ||
		d.S3DestinationDescription.CompressionFormat != types.CompressionFormatUncompressed {
		t.Fatalf("%+v", d)
	}
}

func TestFirehoseRecordLimits(t *testing.T) {
	ft := newFirehoseTest(t, 0)
	c := ft.client
	ft.create("s", s3Dest("", ""))
	put := func(recs ...[]byte) error {
		in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("s")}
		for _, r := range recs {
			in.Records = append(in.Records, types.Record{Data: r})
		}
		_, err := c.PutRecordBatch(bg, in)
		return err
	}
	max := bytes.Repeat([]byte("x"), 1_024_000)
	if err := put(max, max, max, max); err != nil {
		t.Fatalf("4 records of 1,000 KiB: %v", err)
	}
	wantError(t, put(max, max, max, max, max[:200_000]), "InvalidArgumentException", "Records size exceeds 4 MB limit")
	wantError(t, put(append(max, 'x')), "ValidationException", "Member must have length less than or equal to 1024000")
	many := make([][]byte, 501)
	for i := range many {
		many[i] = []byte("r")
	}
	wantError(t, put(many...), "ValidationException", "Member must have length less than or equal to 500")
	if err := put(many[:500]...); err != nil {
		t.Fatalf("500 records: %v", err)
	}
	_, err := c.PutRecord(bg, &firehose.PutRecordInput{DeliveryStreamName: aws.String("nope"), Record: &types.Record{Data: []byte("x")}})
	wantError(t, err, "ResourceNotFoundException", "Firehose nope under account 000000000000 not found.")
}

func TestFirehoseKinesisSource(t *testing.T) {
	ft := newFirehoseTest(t, 0)
	c := ft.client
	if err := ft.store.CreateStream(streams.Scope{Account: "000000000000", Region: "us-east-1"}, streams.CreateStreamInput{Name: "events", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/events"
	source := &types.KinesisStreamSourceConfiguration{KinesisStreamARN: aws.String(arn), RoleARN: aws.String("arn:aws:iam::000000000000:role/x")}
	if _, err := c.CreateDeliveryStream(bg, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("k"),
		DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource, KinesisStreamSourceConfiguration: source,
		ExtendedS3DestinationConfiguration: s3Dest("", "")}); err != nil {
		t.Fatal(err)
	}
	d := ft.describe("k")
	ks := d.Source.KinesisStreamSourceDescription
	if d.DeliveryStreamType != types.DeliveryStreamTypeKinesisStreamAsSource || aws.ToString(ks.KinesisStreamARN) != arn ||
		!ks.DeliveryStartTimestamp.Equal(ft.clock.Now()) || aws.ToString(ks.RoleARN) != "arn:aws:iam::000000000000:role/x" {
		t.Fatalf("source %+v", ks)
	}
	_, err := c.PutRecord(bg, &firehose.PutRecordInput{DeliveryStreamName: aws.String("k"), Record: &types.Record{Data: []byte("x")}})
	wantError(t, err, "InvalidArgumentException", "This operation is not permitted on KinesisStreamAsSource delivery stream type.")
	_, err = c.PutRecordBatch(bg, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("k"), Records: []types.Record{{Data: []byte("x")}}})
	wantError(t, err, "InvalidArgumentException", "This operation is not permitted on KinesisStreamAsSource delivery stream type.")
	_, err = c.StartDeliveryStreamEncryption(bg, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("k")})
	wantError(t, err, "InvalidArgumentException", "Server side encryption from firehose is only allowed for direct put delivery streams")
	l, err := c.ListDeliveryStreams(bg, &firehose.ListDeliveryStreamsInput{DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "k" {
		t.Fatalf("%+v, %v", l, err)
	}
	// The Hydrant extension: a tag chooses TRIM_HORIZON.
	if _, err := c.CreateDeliveryStream(bg, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("k2"),
		DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource, KinesisStreamSourceConfiguration: source,
		ExtendedS3DestinationConfiguration: s3Dest("", ""),
		Tags:                               []types.Tag{{Key: aws.String("hydrant:starting-position"), Value: aws.String("TRIM_HORIZON")}}}); err != nil {
		t.Fatal(err)
	}
	md, err := ft.m.Describe(streams.Scope{Account: "000000000000", Region: "us-east-1"}, "k2")
	if err != nil || md.Config.Source.StartingPosition != streams.IteratorTrimHorizon {
		t.Fatalf("%+v, %v", md.Config.Source, err)
	}
	_, err = c.CreateDeliveryStream(bg, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("k3"),
		DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource, KinesisStreamSourceConfiguration: source,
		ExtendedS3DestinationConfiguration: s3Dest("", ""),
		Tags:                               []types.Tag{{Key: aws.String("hydrant:starting-position"), Value: aws.String("AT_TIMESTAMP")}}})
	wantError(t, err, "InvalidArgumentException", "Tag hydrant:starting-position must be LATEST or TRIM_HORIZON")
}

// TestFirehoseStatuses: CREATING, DELETING and the encryption transitions, on the injected clock.
func TestFirehoseStatuses(t *testing.T) {
	ft := newFirehoseTest(t, 5*time.Second)
	c := ft.client
	ft.create("s", s3Dest("", ""))
	if st := ft.describe("s").DeliveryStreamStatus; st != types.DeliveryStreamStatusCreating {
		t.Fatalf("status %s", st)
	}
	_, err := c.PutRecord(bg, &firehose.PutRecordInput{DeliveryStreamName: aws.String("s"), Record: &types.Record{Data: []byte("x")}})
	wantError(t, err, "ResourceNotFoundException", "not found")
	_, err = c.DeleteDeliveryStream(bg, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("s")})
	wantError(t, err, "ResourceInUseException", "CREATING")
	wantError(t, ft.update("s", "1", &types.ExtendedS3DestinationUpdate{}), "ResourceInUseException", "CREATING")
	ft.clock.Advance(5 * time.Second)
	if st := ft.describe("s").DeliveryStreamStatus; st != types.DeliveryStreamStatusActive {
		t.Fatalf("status %s", st)
	}
	if _, err := c.StartDeliveryStreamEncryption(bg, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if e := ft.describe("s").DeliveryStreamEncryptionConfiguration; e.Status != types.DeliveryStreamEncryptionStatusEnabling || e.KeyType != types.KeyTypeAwsOwnedCmk {
		t.Fatalf("encryption %+v", e)
	}
	_, err = c.StopDeliveryStreamEncryption(bg, &firehose.StopDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("s")})
	wantError(t, err, "ResourceInUseException", "ENABLING")
	ft.clock.Advance(5 * time.Second)
	if e := ft.describe("s").DeliveryStreamEncryptionConfiguration; e.Status != types.DeliveryStreamEncryptionStatusEnabled {
		t.Fatalf("encryption %+v", e)
	}
	if _, err := c.DeleteDeliveryStream(bg, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if st := ft.describe("s").DeliveryStreamStatus; st != types.DeliveryStreamStatusDeleting {
		t.Fatalf("status %s", st)
	}
	ft.clock.Advance(5 * time.Second)
	_, err = c.DescribeDeliveryStream(bg, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("s")})
	wantError(t, err, "ResourceNotFoundException", "not found")
}

// TestFirehoseWithoutManager: a server without delivery streams does not know the Firehose targets.
func TestFirehoseWithoutManager(t *testing.T) {
	srv := NewServer(Config{Logger: slog.New(slog.DiscardHandler)}, nil)
	if _, ok := srv.reg["Firehose_20150804"]; ok {
		t.Fatal("Firehose served without a Manager")
	}
}
