package ingest

import (
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// kinesisModel is the embedded botocore model of the Kinesis Data Streams API.
const kinesisModel = "kinesis-2013-12-02.json.gz"

// kinesisAPI serves the Kinesis Data Streams API (X-Amz-Target Kinesis_20131202.*) from a streams.Store.
// Its handlers translate between the wire shapes and the store's API; the store owns every rule that
// needs state (existence, status, limits, sequence numbers), the handlers the ones a request alone
// decides (addressing, pagination, filters, tag characters).
type kinesisAPI struct {
	store  *streams.Store
	now    func() time.Time
	tokens *pageTokens
}

// newKinesis builds the Kinesis service.
func newKinesis(store *streams.Store, now func() time.Time) (*service, error) {
	m, err := loadModel(kinesisModel)
	if err != nil {
		return nil, err
	}
	k := &kinesisAPI{store: store, now: now, tokens: newPageTokens(now)}
	return newService("Kinesis", m, kindCodes, k.ops())
}

// ops defines every operation Hydrant implements: all of the model's.
func (k *kinesisAPI) ops() []opDef {
	return []opDef{
		// Streams (kinesis_streams.go).
		handle("CreateStream", k.createStream),
		handle("DeleteStream", k.deleteStream),
		handle("DescribeStream", k.describeStream),
		handle("DescribeStreamSummary", k.describeStreamSummary),
		handle("ListStreams", k.listStreams),
		handle("IncreaseStreamRetentionPeriod", k.increaseRetention),
		handle("DecreaseStreamRetentionPeriod", k.decreaseRetention),
		handle("UpdateStreamMode", k.updateStreamMode),
		handle("UpdateMaxRecordSize", k.updateMaxRecordSize),
		handle("UpdateStreamWarmThroughput", k.updateWarmThroughput),
		handle("StartStreamEncryption", k.startEncryption),
		handle("StopStreamEncryption", k.stopEncryption),
		handle("EnableEnhancedMonitoring", k.enableMonitoring),
		handle("DisableEnhancedMonitoring", k.disableMonitoring),
		// Records (kinesis_records.go).
		handleFast("PutRecord", k.putRecord, newPutRecordDecoder, newCBORPutRecordDecoder),
		handleFast("PutRecords", k.putRecords, newPutRecordsDecoder, newCBORPutRecordsDecoder),
		handle("GetShardIterator", k.getShardIterator),
		handle("GetRecords", k.getRecords),
		// Shards (kinesis_shards.go).
		handle("ListShards", k.listShards),
		handle("SplitShard", k.splitShard),
		handle("MergeShards", k.mergeShards),
		handle("UpdateShardCount", k.updateShardCount),
		// Tags (kinesis_tags.go).
		handle("AddTagsToStream", k.addTagsToStream),
		handle("RemoveTagsFromStream", k.removeTagsFromStream),
		handle("ListTagsForStream", k.listTagsForStream),
		handle("TagResource", k.tagResource),
		handle("UntagResource", k.untagResource),
		handle("ListTagsForResource", k.listTagsForResource),
		// Account (kinesis_account.go).
		handle("DescribeLimits", k.describeLimits),
		handle("DescribeAccountSettings", k.describeAccountSettings),
		handle("UpdateAccountSettings", k.updateAccountSettings),
		// Resource policies (kinesis_policies.go).
		handle("PutResourcePolicy", k.putResourcePolicy),
		handle("GetResourcePolicy", k.getResourcePolicy),
		handle("DeleteResourcePolicy", k.deleteResourcePolicy),
		// Enhanced fan-out (kinesis_consumers.go, kinesis_subscribe.go).
		handle("RegisterStreamConsumer", k.registerStreamConsumer),
		handle("DescribeStreamConsumer", k.describeStreamConsumer),
		handle("ListStreamConsumers", k.listStreamConsumers),
		handle("DeregisterStreamConsumer", k.deregisterStreamConsumer),
		handle("SubscribeToShard", k.subscribeToShard),
	}
}

// streamAddr is how most operations address a stream: by StreamName, StreamARN or both. The model
// requires neither (since StreamARN was added), so the rule is the handler's.
type streamAddr struct {
	StreamName string
	StreamARN  string
}

// ref returns the store's address for the stream. With neither member AWS's answer is unverified:
// kinesalite (written before StreamARN existed) gives a ValidationException for the null StreamName,
// kinesis-mock an InvalidArgumentException. Hydrant follows kinesis-mock: the request is well formed
// by the model, so it is an argument problem, not a constraint violation.
func (a streamAddr) ref() (streams.StreamRef, error) {
	if a.StreamName == "" && a.StreamARN == "" {
		return streams.StreamRef{}, errorf(ErrInvalidArgument, "StreamName or StreamARN is required.")
	}
	return streams.StreamRef{Name: a.StreamName, ARN: a.StreamARN}, nil
}

// arnRef addresses a stream by an ARN only, for the operations whose model has no StreamName.
func arnRef(arn string) (streams.StreamRef, error) {
	if arn == "" {
		return streams.StreamRef{}, errorf(ErrInvalidArgument, "StreamARN is required.")
	}
	return streams.StreamRef{ARN: arn}, nil
}

// streamModeDetails is the StreamModeDetails structure, in and out.
type streamModeDetails struct {
	StreamMode string
}
