package buffer

import (
	"testing"

	"github.com/hydrantio/hydrant/streams"
)

func TestConfigValidate(t *testing.T) {
	dp := func(c *Config) {
		c.Destination.DynamicPartitioning = true
		c.Destination.Rules.Size = 64 << 20
		c.Destination.Prefix = "c=!{partitionKeyFromQuery:c}/"
		c.Destination.ErrorOutputPrefix = "e/!{firehose:error-output-type}/"
		c.Destination.Processors.MetadataExtraction = &MetadataExtraction{Query: "{c: .c}", Engine: "JQ-1.6"}
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		msg  string // "" when valid
	}{
		{"S3", func(*Config) {}, ""},
		{"zero buffering", func(c *Config) { c.Destination.Rules.Interval = 0 }, ""},
		{"bad type", func(c *Config) { c.Type = "MSKAsSource" }, "Hydrant supports the DirectPut and KinesisStreamAsSource delivery stream types only, not MSKAsSource."},
		{"source on DirectPut", func(c *Config) { c.Source.StreamARN = "arn:aws:kinesis:r:1:stream/s" }, "KinesisStreamSourceConfiguration is only allowed"},
		{"Kinesis without source", func(c *Config) { c.Type = TypeKinesisStreamAsSource }, "KinesisStreamSourceConfiguration is required"},
		{"bad start", func(c *Config) {
			c.Type = TypeKinesisStreamAsSource
			c.Source = Source{StreamARN: "arn:aws:kinesis:r:1:stream/s", StartingPosition: "AT_TIMESTAMP"}
		}, "Invalid starting position AT_TIMESTAMP"},
		{"bucket", func(c *Config) { c.Destination.BucketARN = "lake" }, "Invalid BucketARN lake"},
		{"compression", func(c *Config) { c.Destination.Compression = "LZ4" }, "Unknown CompressionFormat LZ4."},
		{"size", func(c *Config) { c.Destination.Rules.Size = 129 << 20 }, "BufferingHints must be between"},
		{"prefix", func(c *Config) { c.Destination.Prefix = "!{timestamp:yyyy}" }, "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"},
		{"time zone", func(c *Config) { c.Destination.CustomTimeZone = "Atlantis/Capital" }, "CustomTimeZone Atlantis/Capital"},
		{"dynamic partitioning", dp, ""},
		{"dynamic partitioning, small buffer", func(c *Config) { dp(c); c.Destination.Rules.Size = 63 << 20 },
			"BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled."},
		{"dynamic partitioning without a query", func(c *Config) { dp(c); c.Destination.Processors.MetadataExtraction = nil },
			"Dynamic Partitioning needs a MetadataExtraction processor"},
		{"query without dynamic partitioning", func(c *Config) {
			c.Destination.Processors.MetadataExtraction = &MetadataExtraction{Query: "{c: .c}", Engine: "JQ-1.6"}
		}, "MetadataExtractionProcessor can only be present when Dynamic Partitioning is enabled."},
		{"jq engine", func(c *Config) { dp(c); c.Destination.Processors.MetadataExtraction.Engine = "JQ-1.7" }, "Invalid JsonParsingEngine JQ-1.7"},
		{"de-aggregation without dynamic partitioning", func(c *Config) {
			c.Destination.Processors.DeAggregation = &DeAggregation{SubRecordType: SubRecordJSON}
		}, "RecordDeAggregationProcessor can only be present when Dynamic Partitioning is enabled."},
		{"de-aggregation", func(c *Config) {
			dp(c)
			c.Destination.Processors.DeAggregation = &DeAggregation{SubRecordType: SubRecordJSON}
		}, ""},
		{"delimited without delimiter", func(c *Config) {
			dp(c)
			c.Destination.Processors.DeAggregation = &DeAggregation{SubRecordType: SubRecordDelimited}
		}, "Delimiter is required when SubRecordType is DELIMITED."},
		{"append delimiter", func(c *Config) { c.Destination.Processors.AppendDelimiter = true }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s3Config()
			tc.edit(&c)
			err := c.Validate()
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, streams.KindInvalidArgument, tc.msg)
		})
	}
}

func TestBucket(t *testing.T) {
	d := Destination{BucketARN: "arn:aws:s3:::my-lake"}
	if d.Bucket() != "my-lake" {
		t.Fatal(d.Bucket())
	}
}
