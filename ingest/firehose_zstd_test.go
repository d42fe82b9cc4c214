package ingest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestFirehoseZstd: ZSTD, Hydrant's extension, passes the model's validation of CompressionFormat in
// CreateDeliveryStream and UpdateDestination (the model's enum lists Firehose's five formats only),
// and other values are still refused, with ZSTD among the values the message lists.
func TestFirehoseZstd(t *testing.T) {
	ft := newFirehoseTest(t, 0)
	dest := s3Dest("", "")
	dest.CompressionFormat = "ZSTD"
	ft.create("z", dest)
	if f := ft.describe("z").Destinations[0].ExtendedS3DestinationDescription.CompressionFormat; f != "ZSTD" {
		t.Fatalf("CompressionFormat %s", f)
	}
	ft.create("g", s3Dest("", ""))
	if err := ft.update("g", "1", &types.ExtendedS3DestinationUpdate{CompressionFormat: "ZSTD"}); err != nil {
		t.Fatal(err)
	}
	if f := ft.describe("g").Destinations[0].S3DestinationDescription.CompressionFormat; f != "ZSTD" {
		t.Fatalf("CompressionFormat after UpdateDestination %s", f)
	}
	err := ft.update("g", "2", &types.ExtendedS3DestinationUpdate{CompressionFormat: "zstd", Prefix: aws.String("p/")})
	wantError(t, err, "ValidationException", "Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY, ZSTD]")
}
