package ingest

import (
	"context"
	"encoding/base64"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"math"
	"strconv"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// Data-plane operations: PutRecord(s), GetShardIterator, GetRecords. PutRecord(s) have fast decoders
// (fastpath.go); PutRecords and GetRecords outputs encode themselves.

// getRecordsDefaultLimit is GetRecords' Limit when none is given.
const getRecordsDefaultLimit = 10000

type putRecordInput struct {
	streamAddr
	streams.PutEntry
	SequenceNumberForOrdering string
}

type putRecordOutput struct {
	ShardId        string
	SequenceNumber string
	EncryptionType string `json:",omitempty"`
}

func (o putRecordOutput) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"ShardId":`...)
	dst = jsontext.AppendString(dst, o.ShardId)
	dst = append(dst, `,"SequenceNumber":`...)
	dst = jsontext.AppendString(dst, o.SequenceNumber)
	if o.EncryptionType != "" {
		dst = append(dst, `,"EncryptionType":`...)
		dst = jsontext.AppendString(dst, o.EncryptionType)
	}
	return append(dst, '}')
}

func (k *kinesisAPI) putRecord(ctx context.Context, rc *reqCtx, in *putRecordInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	res, enc, err := k.store.PutRecord(ctx, rc.scope, ref, in.PutEntry, in.SequenceNumberForOrdering)
	if err != nil {
		return nil, err
	}
	return putRecordOutput{ShardId: res.ShardID, SequenceNumber: res.SequenceNumber, EncryptionType: enc}, nil
}

type putRecordsInput struct {
	streamAddr
	Records []streams.PutEntry
}

// putRecordsOutput encodes PutRecords' answer: per-record results in request order.
type putRecordsOutput struct {
	results    []streams.PutResult
	encryption string
}

func (o *putRecordsOutput) sizeHint() int { return 32 + len(o.results)*96 }

func (o *putRecordsOutput) appendJSON(dst []byte) []byte {
	failed := 0
	for i := range o.results {
		if o.results[i].ErrorCode != "" {
			failed++
		}
	}
	dst = append(dst, `{"FailedRecordCount":`...)
	dst = strconv.AppendInt(dst, int64(failed), 10)
	dst = append(dst, `,"Records":[`...)
	for i := range o.results {
		r := &o.results[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		if r.ErrorCode != "" {
			dst = append(dst, `{"ErrorCode":`...)
			dst = jsontext.AppendString(dst, r.ErrorCode)
			dst = append(dst, `,"ErrorMessage":`...)
			dst = jsontext.AppendString(dst, r.ErrorMessage)
		} else {
			dst = append(dst, `{"SequenceNumber":`...)
			dst = jsontext.AppendString(dst, r.SequenceNumber)
			dst = append(dst, `,"ShardId":`...)
			dst = jsontext.AppendString(dst, r.ShardID)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if o.encryption != "" {
		dst = append(dst, `,"EncryptionType":`...)
		dst = jsontext.AppendString(dst, o.encryption)
	}
	return append(dst, '}')
}

func (k *kinesisAPI) putRecords(ctx context.Context, rc *reqCtx, in *putRecordsInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	results, enc, err := k.store.PutRecords(ctx, rc.scope, ref, in.Records)
	if err != nil {
		return nil, err
	}
	return &putRecordsOutput{results: results, encryption: enc}, nil
}

type getShardIteratorInput struct {
	streamAddr
	ShardId                string
	ShardIteratorType      string
	StartingSequenceNumber string
	Timestamp              *time.Time
}

type getShardIteratorOutput struct {
	ShardIterator string
}

func (k *kinesisAPI) getShardIterator(_ context.Context, rc *reqCtx, in *getShardIteratorInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	it, err := k.store.GetShardIterator(rc.scope, ref, in.ShardId, in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if err != nil {
		return nil, err
	}
	return getShardIteratorOutput{ShardIterator: it}, nil
}

type getRecordsInput struct {
	ShardIterator string
	Limit         *int
	StreamARN     string
}

// getRecordsOutput encodes GetRecords' answer straight from the store's buffers, then releases them. An
// answer runs to 10 MiB of data (13.4 MiB in base64), so it is written in chunks (chunkEncoder) with its
// exact length computed up front, rather than built whole.
type getRecordsOutput struct {
	res     streams.GetRecordsResult
	scratch []byte // for measuring strings in encodedLen
}

func (o *getRecordsOutput) release() { o.res.Release() }

// The fixed parts of a record's encoding, shared by the encoder and encodedLen so they cannot disagree.
const (
	recordsOpen   = `{"Records":[`
	recordSeq     = `{"SequenceNumber":`
	recordArrival = `,"ApproximateArrivalTimestamp":`
	recordData    = `,"Data":"`
	recordKey     = `","PartitionKey":`
	recordKMS     = `,"EncryptionType":"KMS"`
	recordClose   = `}`
)

// base64Piece is how much data is encoded at a time: a multiple of 3, so that pieces encode to the
// same text as the whole.
const base64Piece = 3 << 16

func (o *getRecordsOutput) encodedLen() int {
	recs := o.res.Records
	n := len(recordsOpen)
	if len(recs) > 1 {
		n += len(recs) - 1 // commas
	}
	for i := range recs {
		r := &recs[i]
		n += len(recordSeq) + len(recordArrival) + len(recordData) + len(recordKey) + len(recordClose)
		o.scratch = jsontext.AppendString(o.scratch[:0], r.SequenceNumber)
		n += len(o.scratch)
		o.scratch = appendEpoch(o.scratch[:0], r.Arrival)
		n += len(o.scratch)
		n += base64.StdEncoding.EncodedLen(len(r.Data))
		o.scratch = jsontext.AppendString(o.scratch[:0], r.PartitionKey)
		n += len(o.scratch)
		if r.Encrypted {
			n += len(recordKMS)
		}
	}
	o.scratch = o.appendTail(o.scratch[:0])
	return n + len(o.scratch)
}

// encodeChunks encodes the answer into buf, calling flush whenever buf holds limit bytes or more, and
// once at the end.
func (o *getRecordsOutput) encodeChunks(buf []byte, limit int, flush func([]byte) error) error {
	buf = append(buf, recordsOpen...)
	for i := range o.res.Records {
		r := &o.res.Records[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, recordSeq...)
		buf = jsontext.AppendString(buf, r.SequenceNumber)
		buf = append(buf, recordArrival...)
		buf = appendEpoch(buf, r.Arrival)
		buf = append(buf, recordData...)
		for data := r.Data; len(data) > 0; {
			piece := data[:min(len(data), base64Piece)]
			data = data[len(piece):]
			buf = base64.StdEncoding.AppendEncode(buf, piece)
			if len(buf) >= limit {
				if err := flush(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		buf = append(buf, recordKey...)
		buf = jsontext.AppendString(buf, r.PartitionKey)
		if r.Encrypted {
			buf = append(buf, recordKMS...)
		}
		buf = append(buf, recordClose...)
		if len(buf) >= limit {
			if err := flush(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return flush(o.appendTail(buf))
}

// appendTail appends what follows the records: the end of the list, the iterator, the lag and, at the
// end of a closed shard, its children.
func (o *getRecordsOutput) appendTail(dst []byte) []byte {
	dst = append(dst, ']')
	if o.res.NextIterator != "" {
		dst = append(dst, `,"NextShardIterator":`...)
		dst = jsontext.AppendString(dst, o.res.NextIterator)
	}
	dst = append(dst, `,"MillisBehindLatest":`...)
	dst = strconv.AppendInt(dst, o.res.MillisBehindLatest, 10)
	if len(o.res.ChildShards) > 0 {
		dst = append(dst, `,"ChildShards":`...)
		dst = appendChildShardsJSON(dst, o.res.ChildShards)
	}
	return append(dst, '}')
}

// appendChildShardsJSON appends a ChildShards list.
func appendChildShardsJSON(dst []byte, children []streams.ChildShard) []byte {
	dst = append(dst, '[')
	for i, c := range children {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"ShardId":`...)
		dst = jsontext.AppendString(dst, c.ShardID)
		dst = append(dst, `,"ParentShards":[`...)
		for j, p := range c.Parents {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, p)
		}
		dst = append(dst, `],"HashKeyRange":{"StartingHashKey":"`...)
		dst = append(dst, c.Hash.Start.String()...)
		dst = append(dst, `","EndingHashKey":"`...)
		dst = append(dst, c.Hash.End.String()...)
		dst = append(dst, `"}}`...)
	}
	return append(dst, ']')
}

// appendJSON encodes the whole answer at once (for tests and benchmarks; the server streams it).
func (o *getRecordsOutput) appendJSON(dst []byte) []byte {
	_ = o.encodeChunks(dst, math.MaxInt, func(b []byte) error { dst = b; return nil })
	return dst
}

func (k *kinesisAPI) getRecords(ctx context.Context, rc *reqCtx, in *getRecordsInput) (any, error) {
	limit := getRecordsDefaultLimit
	if in.Limit != nil {
		limit = *in.Limit
	}
	res, err := k.store.GetRecords(ctx, rc.scope, in.ShardIterator, limit, in.StreamARN)
	if err != nil {
		return nil, err
	}
	return &getRecordsOutput{res: res}, nil
}
