package buffer

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
)

// Delivery stream types (DeliveryStreamType).
const (
	TypeDirectPut             = "DirectPut"
	TypeKinesisStreamAsSource = "KinesisStreamAsSource"
)

// DestinationID is the id of a delivery stream's one destination, as Firehose names it.
const DestinationID = "destinationId-000000000001"

// Compression formats (CompressionFormat); ZSTD is a Hydrant extension.
const (
	CompressionNone         = "UNCOMPRESSED"
	CompressionGzip         = "GZIP"
	CompressionZip          = "ZIP"
	CompressionSnappy       = "Snappy"
	CompressionHadoopSnappy = "HADOOP_SNAPPY"
	CompressionZstd         = "ZSTD"
)

// Config is a delivery stream's configuration as the delivery engine consumes it: typed, and free of
// any wire protocol. The ingest layer derives it from the API's shapes and keeps the API's own form
// in API.
type Config struct {
	Type        string      `json:"type"`            // TypeDirectPut or TypeKinesisStreamAsSource
	Source      Source      `json:"source,omitzero"` // KinesisStreamAsSource only
	Destination Destination `json:"destination"`
	// API is the destination configuration as the API knows it (ExtendedS3DestinationConfiguration's
	// JSON), opaque to this package: the ingest layer stores it here, merges updates into it and
	// describes it.
	API json.RawMessage `json:"api,omitempty"`
}

// Source is a KinesisStreamAsSource delivery stream's source.
type Source struct {
	StreamARN string `json:"streamArn"`
	RoleARN   string `json:"roleArn,omitempty"`
	// StartingPosition is where the delivery starts reading: streams.IteratorLatest (Firehose's only
	// choice: records that arrive from the delivery stream's creation on) or, a Hydrant extension,
	// streams.IteratorTrimHorizon (every record the stream still holds).
	StartingPosition string `json:"startingPosition"`
}

// Destination is the S3 destination.
type Destination struct {
	BucketARN         string `json:"bucketArn"`
	RoleARN           string `json:"roleArn,omitempty"`
	Prefix            string `json:"prefix,omitempty"`
	ErrorOutputPrefix string `json:"errorOutputPrefix,omitempty"`
	Rules             Rules  `json:"rules"`                    // BufferingHints
	Compression       string `json:"compression"`              // one of the Compression constants
	FileExtension     string `json:"fileExtension,omitempty"`  // replaces the compression's extension
	CustomTimeZone    string `json:"customTimeZone,omitempty"` // IANA name; "" is UTC
	// KMSKeyARN asks for SSE-KMS on the delivered objects (EncryptionConfiguration); "" for none.
	KMSKeyARN           string     `json:"kmsKeyArn,omitempty"`
	Processors          Processors `json:"processors,omitzero"`
	DynamicPartitioning bool       `json:"dynamicPartitioning,omitempty"`
}

// Bucket is the bucket name of BucketARN (arn:aws:s3:::<bucket>).
func (d *Destination) Bucket() string {
	_, b, _ := strings.Cut(d.BucketARN, ":::")
	return b
}

// Keys parses the destination's prefixes and time zone into the namer of its objects.
func (d *Destination) Keys() (*sinks.Keys, error) {
	return sinks.NewKeys(sinks.KeyConfig{Prefix: d.Prefix, ErrorOutputPrefix: d.ErrorOutputPrefix,
		DynamicPartitioning: d.DynamicPartitioning, CustomTimeZone: d.CustomTimeZone})
}

// Processors are the record processors of ProcessingConfiguration that Hydrant runs, applied in
// Firehose's order: de-aggregation, metadata extraction, then the delimiter.
type Processors struct {
	DeAggregation      *DeAggregation      `json:"deAggregation,omitempty"`
	MetadataExtraction *MetadataExtraction `json:"metadataExtraction,omitempty"`
	AppendDelimiter    bool                `json:"appendDelimiter,omitempty"` // AppendDelimiterToRecord: a '\n' after each record
}

// Sub-record types of RecordDeAggregation.
const (
	SubRecordJSON      = "JSON"
	SubRecordDelimited = "DELIMITED"
)

// DeAggregation is the RecordDeAggregation processor: it splits a record into the JSON objects it
// holds one after the other, or into the pieces between delimiters.
type DeAggregation struct {
	SubRecordType string `json:"subRecordType"`       // SubRecordJSON or SubRecordDelimited
	Delimiter     []byte `json:"delimiter,omitempty"` // DELIMITED: the delimiter's bytes (the API sends base64)
}

// MetadataExtraction is the MetadataExtraction processor: a jq query evaluated on each record (JSON)
// whose result, an object, gives the record's partition keys.
type MetadataExtraction struct {
	Query  string `json:"query"`
	Engine string `json:"engine"` // JsonParsingEngine: "JQ-1.6"
}

// Buffering limits of the API: SizeInMBs 1-128 (at least 64 with dynamic partitioning), IntervalInSeconds 0-900.
const (
	minSize   = 1 << 20
	maxSize   = 128 << 20
	minSizeDP = 64 << 20
	maxWait   = 900
)

// invalid is an InvalidArgumentException.
func invalid(format string, args ...any) *streams.Error {
	return &streams.Error{Kind: streams.KindInvalidArgument, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks a configuration as Firehose checks one at CreateDeliveryStream and
// UpdateDestination. Its refusals are *streams.Error (KindInvalidArgument), worded as Firehose words
// them where its wording is known.
func (c *Config) Validate() error {
	switch c.Type {
	case TypeDirectPut:
		if c.Source != (Source{}) {
			return invalid("KinesisStreamSourceConfiguration is only allowed for KinesisStreamAsSource delivery streams.")
		}
	case TypeKinesisStreamAsSource:
		if c.Source.StreamARN == "" {
			return invalid("KinesisStreamSourceConfiguration is required for KinesisStreamAsSource delivery streams.")
		}
		switch c.Source.StartingPosition {
		case streams.IteratorLatest, streams.IteratorTrimHorizon:
		default:
			return invalid("Invalid starting position %s: Hydrant reads a source stream from %s or %s.",
				c.Source.StartingPosition, streams.IteratorLatest, streams.IteratorTrimHorizon)
		}
	default:
		return invalid("Hydrant supports the %s and %s delivery stream types only, not %s.",
			TypeDirectPut, TypeKinesisStreamAsSource, c.Type)
	}
	d := &c.Destination
	if b := d.Bucket(); !strings.HasPrefix(d.BucketARN, "arn:") || b == "" || strings.Contains(b, "/") {
		return invalid("Invalid BucketARN %s: want arn:aws:s3:::<bucket>.", d.BucketARN)
	}
	switch d.Compression {
	case CompressionNone, CompressionGzip, CompressionZip, CompressionSnappy, CompressionHadoopSnappy, CompressionZstd:
	default:
		return invalid("Unknown CompressionFormat %s.", d.Compression)
	}
	if d.Rules.Size < minSize || d.Rules.Size > maxSize || d.Rules.Interval < 0 || d.Rules.Interval.Seconds() > maxWait {
		return invalid("BufferingHints must be between 1 and 128 MiB and between 0 and 900 seconds.")
	}
	if d.DynamicPartitioning && d.Rules.Size < minSizeDP {
		return invalid("BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.")
	}
	p := &d.Processors
	if p.DeAggregation != nil {
		if !d.DynamicPartitioning {
			return invalid("class com.amazonaws.services.firehose.internal.model.RecordDeAggregationProcessor can only " +
				"be present when Dynamic Partitioning is enabled.")
		}
		switch p.DeAggregation.SubRecordType {
		case SubRecordJSON:
		case SubRecordDelimited:
			if len(p.DeAggregation.Delimiter) == 0 {
				return invalid("Delimiter is required when SubRecordType is DELIMITED.")
			}
		default:
			return invalid("Invalid SubRecordType %s: it must be JSON or DELIMITED.", p.DeAggregation.SubRecordType)
		}
	}
	if _, err := d.Keys(); err != nil {
		return invalid("%s", err.Error())
	}
	if p.MetadataExtraction != nil {
		if !d.DynamicPartitioning {
			return invalid("class com.amazonaws.services.firehose.internal.model.MetadataExtractionProcessor can only " +
				"be present when Dynamic Partitioning is enabled.")
		}
		if p.MetadataExtraction.Query == "" {
			return invalid("MetadataExtractionQuery is required when MetadataExtraction processor is used.")
		}
		if p.MetadataExtraction.Engine != "JQ-1.6" {
			return invalid("Invalid JsonParsingEngine %s: it must be JQ-1.6.", p.MetadataExtraction.Engine)
		}
	}
	if d.DynamicPartitioning && p.MetadataExtraction == nil {
		// Hydrant runs no Lambda, so the query is the only source of partition keys.
		return invalid("Dynamic Partitioning needs a MetadataExtraction processor in Hydrant, which runs no Lambda " +
			"functions: add one whose query gives the keys of !{partitionKeyFromQuery:...}.")
	}
	return nil
}
