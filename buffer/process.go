package buffer

import (
	"context"
	"errors"
	"time"

	"github.com/hydrantio/hydrant/transforms"
)

// maxQueryTime bounds one record's metadata extraction, so a query that runs away cannot stall a
// delivery: the record goes to the error output instead.
const maxQueryTime = time.Second

// newProcessor builds a delivery stream's record pipeline in Firehose's order: KPL de-aggregation
// (always, for a Kinesis source), RecordDeAggregation, MetadataExtraction (the partition keys), then
// AppendDelimiterToRecord. A source record is all or nothing: if any of its sub-records fails, the
// whole record goes to the error output and none of it to the objects. It returns nil when there is
// nothing to do, so records pass through untouched.
func newProcessor(c *Config) (Processor, error) {
	p := c.Destination.Processors
	kinesis := c.Type == TypeKinesisStreamAsSource
	var query *transforms.MetadataQuery
	if p.MetadataExtraction != nil {
		q, err := transforms.CompileMetadataQuery(p.MetadataExtraction.Query)
		if err != nil {
			return nil, invalid("Invalid MetadataExtractionQuery: %v", err)
		}
		query = q
	}
	if !kinesis && p.DeAggregation == nil && query == nil && !p.AppendDelimiter {
		return nil, nil
	}
	de := p.DeAggregation
	return func(data []byte, emit func(Partition, []byte)) error {
		recs := [][]byte{data}
		if kinesis && transforms.IsAggregated(data) {
			users, err := transforms.Deaggregate(nil, data)
			if err != nil {
				return &ProcessingError{OutputType: "processing-failed", Code: "Kinesis.DeaggregationFailed", Message: err.Error()}
			}
			recs = recs[:0]
			for _, u := range users {
				recs = append(recs, u.Data)
			}
		}
		if de != nil {
			var split [][]byte
			for _, r := range recs {
				var err error
				if de.SubRecordType == SubRecordJSON {
					split, err = transforms.SplitJSON(split, r)
				} else {
					split, err = transforms.SplitDelimited(split, r, de.Delimiter)
				}
				if err != nil {
					return &ProcessingError{OutputType: "processing-failed", Code: "RecordDeAggregation.Failed", Message: err.Error()}
				}
			}
			recs = split
		}
		parts := make([]Partition, len(recs))
		if query != nil {
			for i, r := range recs {
				ctx, cancel := context.WithTimeout(context.Background(), maxQueryTime)
				keys, err := query.PartitionKeys(ctx, r)
				cancel()
				if err != nil {
					code := "DynamicPartitioning.MetadataExtractionFailed"
					if errors.Is(err, transforms.ErrNotJSON) {
						code = "DynamicPartitioning.InvalidJSON"
					}
					return &ProcessingError{OutputType: "processing-failed", Code: code, Message: err.Error()}
				}
				parts[i] = NewPartition(keys)
			}
		}
		for i, r := range recs {
			if p.AppendDelimiter {
				r = transforms.AppendDelimiter(make([]byte, 0, len(r)+1), r)
			}
			emit(parts[i], r)
		}
		return nil
	}, nil
}
