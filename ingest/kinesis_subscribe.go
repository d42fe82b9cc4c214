package ingest

import (
	"context"
	"encoding/base64"
	"errors"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// SubscribeToShard answers with an event stream (eventstream.go): status 200 and Content-Type
// application/vnd.amazon.eventstream, then
//
//	:message-type=event      :event-type=initial-response        payload {}
//	:message-type=event      :event-type=SubscribeToShardEvent   payload {"Records":[...],
//	                                                             "ContinuationSequenceNumber":...,
//	                                                             "MillisBehindLatest":...,"ChildShards":[...]}
//	...
//	:message-type=exception  :exception-type=<Code>              payload {"message":...}   (if it fails)
//
// each written and flushed as soon as the store's subscription yields it (HTTP/1.1 chunked for boto3;
// HTTP/2, h2c included, for the Java and JavaScript SDKs). The initial-response must come first: boto3
// and the SDKs read it as the operation's output before any event. Refusals before the stream starts
// (unknown consumer, consumer not ACTIVE, too soon after another subscription) are ordinary JSON errors.
// The stream ends after the subscription's five minutes, after the ChildShards event of a closed shard,
// or with an exception event when the subscription is taken over (ResourceInUseException), its consumer
// or stream is gone (ResourceNotFoundException) or the store fails (InternalFailureException).

type subscribeToShardInput struct {
	ConsumerARN      string
	ShardId          string
	StartingPosition startingPosition
}

type startingPosition struct {
	Type           string
	SequenceNumber string
	Timestamp      *time.Time
}

func (k *kinesisAPI) subscribeToShard(_ context.Context, rc *reqCtx, in *subscribeToShardInput) (any, error) {
	sub, err := k.store.Subscribe(rc.scope, in.ConsumerARN, in.ShardId, streams.StartingPosition{
		Type: in.StartingPosition.Type, SequenceNumber: in.StartingPosition.SequenceNumber, Timestamp: in.StartingPosition.Timestamp})
	if err != nil {
		return nil, err
	}
	payload := jsonEventPayload
	if rc.proto == protoCBOR {
		payload = cborEventPayload // cbor_subscribe.go
	}
	return &eventStreamOutput{sub: sub, payload: payload}, nil
}

// eventPayload is how an event stream encodes its payloads: the content type it declares in each
// message, and the encoders of a SubscribeToShardEvent and of an exception.
type eventPayload struct {
	contentType esHeader
	initial     string // the initial-response payload: an empty structure
	event       func(dst []byte, ev *streams.SubscribeEvent) []byte
	exception   func(dst []byte, e *Error) []byte
}

// jsonEventPayload encodes payloads as AWS JSON 1.1 does.
var jsonEventPayload = &eventPayload{
	contentType: esStringHeader(":content-type", "application/json"),
	initial:     "{}",
	event:       appendSubscribeEventJSON,
	exception: func(dst []byte, e *Error) []byte {
		dst = append(dst, `{"message":`...)
		dst = jsontext.AppendString(dst, e.Message)
		return append(dst, '}')
	},
}

// The headers of the messages of a SubscribeToShard stream.
var (
	esEventMessage     = esStringHeader(":message-type", "event")
	esExceptionMessage = esStringHeader(":message-type", "exception")
	esInitialResponse  = esStringHeader(":event-type", "initial-response")
	esSubscribeEvent   = esStringHeader(":event-type", "SubscribeToShardEvent")
)

// eventWriteTimeout bounds the write of one message: a client that stops reading for this long loses
// its subscription rather than holding it open.
const eventWriteTimeout = 30 * time.Second

// eventStreamOutput is SubscribeToShard's answer: a subscription, streamed (see streamer).
type eventStreamOutput struct {
	sub     *streams.Subscription
	payload *eventPayload
}

// release ends the subscription if the answer is never streamed.
func (o *eventStreamOutput) release() { o.sub.Close() }

func (o *eventStreamOutput) stream(ctx context.Context, w http.ResponseWriter) error {
	defer o.sub.Close()
	w.Header().Set("Content-Type", contentTypeEventStream)
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// Each message is built in a pooled buffer that goes back before the next wait, so an idle
	// subscription holds no buffer.
	send := func(hint int, build func(dst []byte) []byte) error {
		buf := getBuffer(hint)
		defer putBuffer(buf)
		*buf = build((*buf)[:0])
		_ = rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout)) // not every writer has deadlines
		if _, err := w.Write(*buf); err != nil {
			return err
		}
		return rc.Flush()
	}
	err := send(256, func(dst []byte) []byte {
		dst, start := beginESMessage(dst, esEventMessage, esInitialResponse, o.payload.contentType)
		return finishESMessage(append(dst, o.payload.initial...), start)
	})
	if err != nil {
		return err
	}
	for {
		ev, err := o.sub.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return err // the client went away, or the server is shutting down
			}
			e := toError(err, kindCodes)
			name := e.Code.Name
			if e.Code == ErrInternalFailure {
				name = "InternalFailureException" // the member of SubscribeToShardEventStream
			}
			if werr := send(512, func(dst []byte) []byte {
				dst, start := beginESMessage(dst, esExceptionMessage, esStringHeader(":exception-type", name), o.payload.contentType)
				return finishESMessage(o.payload.exception(dst, e), start)
			}); werr != nil {
				return werr
			}
			return err
		}
		err = send(eventSizeHint(&ev), func(dst []byte) []byte {
			dst, start := beginESMessage(dst, esEventMessage, esSubscribeEvent, o.payload.contentType)
			return finishESMessage(o.payload.event(dst, &ev), start)
		})
		ev.Release()
		if err != nil {
			return err
		}
	}
}

// eventSizeHint estimates an event message's size, so that its buffer comes from the right pool class.
func eventSizeHint(ev *streams.SubscribeEvent) int {
	n := 512
	for i := range ev.Records {
		r := &ev.Records[i]
		n += base64.StdEncoding.EncodedLen(len(r.Data)) + len(r.PartitionKey) + len(r.SequenceNumber) + 128
	}
	return n
}

// appendSubscribeEventJSON appends a SubscribeToShardEvent's JSON payload. Records are encoded as
// GetRecords encodes them, once for all the consumers that share them (streams.SubscribeEvent.Memo):
// base64 is most of a subscription's work.
func appendSubscribeEventJSON(dst []byte, ev *streams.SubscribeEvent) []byte {
	if len(ev.Records) == 0 {
		dst = appendRecordsJSON(dst, nil)
	} else {
		dst = append(dst, ev.Memo(jsonRecordsMemo, func() []byte {
			buf := getBuffer(eventSizeHint(ev))
			return appendRecordsJSON((*buf)[:0], ev.Records)
		}, func(b []byte) { putBuffer(&b) })...)
	}
	return appendEventTailJSON(dst, ev)
}

// appendEventTailJSON appends what follows an event's records: where to continue, the lag and, at the
// end of a closed shard, its children.
func appendEventTailJSON(dst []byte, ev *streams.SubscribeEvent) []byte {
	if ev.ContinuationSequenceNumber != "" {
		dst = append(dst, `,"ContinuationSequenceNumber":`...)
		dst = jsontext.AppendString(dst, ev.ContinuationSequenceNumber)
	}
	dst = append(dst, `,"MillisBehindLatest":`...)
	dst = strconv.AppendInt(dst, ev.MillisBehindLatest, 10)
	if len(ev.ChildShards) > 0 {
		dst = append(dst, `,"ChildShards":`...)
		dst = appendChildShardsJSON(dst, ev.ChildShards)
	}
	return append(dst, '}')
}

// jsonRecordsMemo keys the memo of a batch's JSON records.
type jsonRecordsMemoKey struct{}

var jsonRecordsMemo jsonRecordsMemoKey

// appendRecordsJSON appends `{"Records":[...]`: the records of an event, without the rest.
func appendRecordsJSON(dst []byte, records []streams.Record) []byte {
	dst = append(dst, recordsOpen...)
	for i := range records {
		r := &records[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, recordSeq...)
		dst = jsontext.AppendString(dst, r.SequenceNumber)
		dst = append(dst, recordArrival...)
		dst = appendEpoch(dst, r.Arrival)
		dst = append(dst, recordData...)
		dst = base64.StdEncoding.AppendEncode(dst, r.Data)
		dst = append(dst, recordKey...)
		dst = jsontext.AppendString(dst, r.PartitionKey)
		if r.Encrypted {
			dst = append(dst, recordKMS...)
		}
		dst = append(dst, recordClose...)
	}
	return append(dst, ']')
}
