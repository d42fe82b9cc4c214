package ingest

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/hydrantio/hydrant/buffer"
	"github.com/hydrantio/hydrant/streams"
)

// firehoseModel is the embedded botocore model of the Amazon Data Firehose API.
const firehoseModel = "firehose-2015-08-04.json.gz"

// firehoseAPI serves the Firehose API (X-Amz-Target Firehose_20150804.*) from a buffer.Manager. The
// handlers translate between the wire shapes and the Manager's typed configuration, and keep the
// API's own form of the destination (its JSON) for DescribeDeliveryStream and UpdateDestination's
// merge; the Manager owns every rule that needs state (existence, statuses, version ids, limits).
// Hydrant delivers to S3 only: the other destination types are refused.
type firehoseAPI struct {
	m   *buffer.Manager
	now func() time.Time
}

// firehoseKinds maps the Manager's error kinds to the Firehose model's exceptions.
var firehoseKinds = map[streams.ErrorKind]*Code{
	streams.KindNotFound:           ErrResourceNotFound,
	streams.KindInUse:              ErrResourceInUse,
	streams.KindInvalidArgument:    ErrInvalidArgument,
	streams.KindLimitExceeded:      ErrLimitExceeded,
	streams.KindThroughputExceeded: ErrServiceUnavailable,
	streams.KindValidation:         ErrValidation,
	streams.KindConflict:           ErrConcurrentModification,
}

// newFirehose builds the Firehose service.
func newFirehose(m *buffer.Manager, now func() time.Time) (*service, error) {
	model, err := loadModel(firehoseModel)
	if err != nil {
		return nil, err
	}
	if err := allowZstd(model); err != nil {
		return nil, err
	}
	f := &firehoseAPI{m: m, now: now}
	return newService("Firehose", model, firehoseKinds, f.ops())
}

// allowZstd adds ZSTD, Hydrant's extension (buffer.CompressionZstd), to the model's CompressionFormat
// enum, which every destination configuration and update shares: without it, validation refuses
// ZSTD before the Manager sees it.
func allowZstd(m *model) error {
	op := m.ops["CreateDeliveryStream"]
	if op == nil || op.input == nil {
		return fmt.Errorf("firehose model: no CreateDeliveryStream input")
	}
	dest := op.input.byName["ExtendedS3DestinationConfiguration"]
	if dest == nil || dest.shape.byName["CompressionFormat"] == nil {
		return fmt.Errorf("firehose model: no ExtendedS3DestinationConfiguration.CompressionFormat")
	}
	cf := dest.shape.byName["CompressionFormat"].shape
	cf.enum = append(cf.enum[:len(cf.enum):len(cf.enum)], buffer.CompressionZstd)
	return nil
}

// ops defines all 12 operations of the model.
func (f *firehoseAPI) ops() []opDef {
	return []opDef{
		// Delivery streams (firehose_streams.go).
		handleRaw("CreateDeliveryStream", f.createDeliveryStream),
		handle("DeleteDeliveryStream", f.deleteDeliveryStream),
		handle("DescribeDeliveryStream", f.describeDeliveryStream),
		handle("ListDeliveryStreams", f.listDeliveryStreams),
		handleRaw("UpdateDestination", f.updateDestination),
		// Records (firehose_records.go).
		handle("PutRecord", f.putRecord),
		handle("PutRecordBatch", f.putRecordBatch),
		// Tags and encryption (firehose_tags.go).
		handle("TagDeliveryStream", f.tagDeliveryStream),
		handle("UntagDeliveryStream", f.untagDeliveryStream),
		handle("ListTagsForDeliveryStream", f.listTagsForDeliveryStream),
		handle("StartDeliveryStreamEncryption", f.startEncryption),
		handle("StopDeliveryStreamEncryption", f.stopEncryption),
	}
}

// handleRaw is handle for the operations that also need the validated value tree itself: those whose
// destination configuration is kept in its API form (see valueJSON).
func handleRaw[In any](name string, h func(ctx context.Context, rc *reqCtx, in *In, raw *value) (any, error)) opDef {
	return opDef{name: name, build: func(op *opShape) (runFunc, fastFunc, error) {
		var bind binder
		if op.input != nil {
			b, err := newBinder(op.input, reflect.TypeFor[In]())
			if err != nil {
				return nil, nil, fmt.Errorf("%s input: %w", op.name, err)
			}
			bind = b
		}
		return func(ctx context.Context, rc *reqCtx, v *value) (any, error) {
			var in In
			if bind != nil && v != nil {
				bind(v, reflect.ValueOf(&in).Elem())
			}
			return h(ctx, rc, &in, v)
		}, nil, nil
	}}
}
