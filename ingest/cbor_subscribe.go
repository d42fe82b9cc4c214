package ingest

import "github.com/hydrantio/hydrant/streams"

// SubscribeToShard in CBOR. The Java SDK v2 (the KCL's KinesisAsyncClient) reads every payload of an
// event stream with the parser of the protocol it speaks — its AwsCborProtocolFactory builds the event
// unmarshallers, whatever a message's :content-type says — so a subscriber that asked in CBOR gets its
// initial-response, events and exceptions in CBOR, with the same members as the JSON ones: records as
// GetRecords encodes them (Data as byte strings, ApproximateArrivalTimestamp as tag 1 and epoch
// milliseconds).

// cborEventPayload encodes the payloads of a SubscribeToShard stream in CBOR.
var cborEventPayload = &eventPayload{
	contentType: esStringHeader(":content-type", contentTypeCBOR),
	initial:     "\xa0", // an empty map
	event:       appendSubscribeEventCBOR,
	exception: func(dst []byte, e *Error) []byte {
		dst = appendCBORHead(dst, cborMap, 1)
		dst = appendCBORText(dst, "message")
		return appendCBORText(dst, e.Message)
	},
}

// appendSubscribeEventCBOR appends a SubscribeToShardEvent's CBOR payload.
func appendSubscribeEventCBOR(dst []byte, ev *streams.SubscribeEvent) []byte {
	n := uint64(2) // Records, MillisBehindLatest
	if ev.ContinuationSequenceNumber != "" {
		n++
	}
	if len(ev.ChildShards) > 0 {
		n++
	}
	dst = appendCBORHead(dst, cborMap, n)
	dst = append(dst, cborRecordsKey...)
	dst = appendCBORHead(dst, cborArray, uint64(len(ev.Records)))
	for i := range ev.Records {
		r := &ev.Records[i]
		dst = appendCBORRecordHead(dst, r)
		dst = append(dst, r.Data...)
		dst = appendCBORRecordTail(dst, r)
	}
	if ev.ContinuationSequenceNumber != "" {
		dst = appendCBORText(dst, "ContinuationSequenceNumber")
		dst = appendCBORText(dst, ev.ContinuationSequenceNumber)
	}
	dst = appendCBORText(dst, "MillisBehindLatest")
	dst = appendCBORInt(dst, ev.MillisBehindLatest)
	if len(ev.ChildShards) > 0 {
		dst = appendCBORText(dst, "ChildShards")
		dst = appendCBORChildShards(dst, ev.ChildShards)
	}
	return dst
}
