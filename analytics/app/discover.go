package app

import (
	"bytes"
	"context"

	"github.com/hydrantio/hydrant/streams"
)

// MaxDiscoverRecords is how many records DiscoverInputSchema samples.
const MaxDiscoverRecords = 100

// DiscoverInput is DiscoverInputSchema's request: a stream (ResourceARN, a Kinesis stream or a
// Firehose delivery stream, with a starting position) or an S3 object (reference data).
type DiscoverInput struct {
	ResourceARN      string
	StartingPosition string // TRIM_HORIZON samples the oldest records; NOW, LAST_STOPPED_POINT or "" the newest
	BucketARN        string // S3Configuration
	FileKey          string
	Processing       bool // an InputProcessingConfiguration was given
}

// Discovered is DiscoverInputSchema's answer.
type Discovered struct {
	Schema Schema
	Parsed [][]string // ParsedInputRecords
	Raw    []string   // RawInputRecords
}

// Discover infers the schema of a stream's records, or of an S3 object's lines, from up to
// MaxDiscoverRecords of them. No records, or none the format package can read, is
// KindUnableToDetectSchema.
func (m *Manager) Discover(ctx context.Context, in DiscoverInput) (Discovered, error) {
	if in.Processing {
		return Discovered{}, invalidArg("Hydrant does not invoke AWS Lambda: discover the schema without an " +
			"InputProcessingConfiguration.")
	}
	var records [][]byte
	switch {
	case in.ResourceARN != "" && in.BucketARN != "":
		return Discovered{}, invalidArg("Give either ResourceARN or S3Configuration, not both.")
	case in.ResourceARN != "":
		var err error
		if records, err = m.sampleStream(in.ResourceARN, in.StartingPosition); err != nil {
			return Discovered{}, err
		}
		if len(records) == 0 {
			return Discovered{}, kindErr(KindUnableToDetectSchema, "No data was found in the stream %s to discover a "+
				"schema from: put records into it first, or read from TRIM_HORIZON.", in.ResourceARN)
		}
	case in.BucketARN != "":
		data, err := m.readObject(ctx, in.BucketARN, in.FileKey)
		if err != nil {
			if streams.KindOf(err) != 0 {
				return Discovered{}, err
			}
			return Discovered{}, invalidArg("S3 object %s cannot be read: %v", in.FileKey, err)
		}
		for line := range bytes.Lines(data) {
			if line = bytes.TrimRight(line, "\r\n"); len(line) > 0 {
				records = append(records, line)
			}
			if len(records) == MaxDiscoverRecords {
				break
			}
		}
		if len(records) == 0 {
			return Discovered{}, kindErr(KindUnableToDetectSchema, "No data was found in the S3 object %s to discover "+
				"a schema from.", in.FileKey)
		}
	default:
		return Discovered{}, invalidArg("Either ResourceARN or S3Configuration is required.")
	}
	d, err := discoverSchema(records)
	if err != nil {
		raw := make([]string, len(records))
		for i, r := range records {
			raw[i] = string(r)
		}
		return Discovered{}, &SchemaError{Err: kindErr(KindUnableToDetectSchema, "Unable to detect a schema: %v", err),
			Raw: raw, Processed: raw}
	}
	return d, nil
}

// sampleStream reads up to MaxDiscoverRecords records spread over the stream's shards: the oldest
// ones for TRIM_HORIZON, else the newest.
func (m *Manager) sampleStream(arn, position string) ([][]byte, error) {
	r := Resource{Type: KinesisStreams, ARN: arn}
	if _, _, _, ok := parseARN(arn, "firehose", "deliverystream/"); ok {
		r.Type = KinesisFirehose
	}
	sc, ref, err := m.resolve(r)
	if err != nil {
		if streams.KindOf(err) == KindInvalidConfiguration {
			return nil, invalidArg("%s", err.Error())
		}
		return nil, err
	}
	info, err := m.opts.Store.DescribeStream(sc, ref)
	if err != nil {
		return nil, invalidArg("%s", err.Error())
	}
	if len(info.Shards) == 0 {
		return nil, nil
	}
	per := (MaxDiscoverRecords + len(info.Shards) - 1) / len(info.Shards)
	var records [][]byte
	var buf []byte
	for _, sh := range info.Shards {
		first, err := m.opts.Store.ShardPosition(sc, ref, sh.ID, streams.IteratorTrimHorizon, m.now())
		if err != nil {
			return nil, err
		}
		from := first
		if position != StartTrimHorizon {
			tip, err := m.opts.Store.ShardPosition(sc, ref, sh.ID, streams.IteratorLatest, m.now())
			if err != nil {
				return nil, err
			}
			if tip > first+uint64(per) {
				from = tip - uint64(per)
			}
		}
		var batch streams.ShardBatch
		batch, buf, err = m.opts.Store.ReadShard(sc, ref, sh.ID, from, per, 1<<20, buf)
		if err != nil {
			return nil, err
		}
		for _, e := range batch.Entries {
			records = append(records, bytes.Clone(e.Data))
		}
		if len(records) >= MaxDiscoverRecords {
			break
		}
	}
	return records[:min(len(records), MaxDiscoverRecords)], nil
}
