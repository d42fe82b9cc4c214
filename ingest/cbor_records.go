package ingest

import (
	"math"

	"github.com/hydrantio/hydrant/streams"
)

// CBOR encoders of the data plane's answers, the twins of the JSON ones in kinesis_records.go: same
// members in the same order, blobs as byte strings, timestamps as tag 1 and epoch milliseconds.

func (o putRecordOutput) appendCBOR(dst []byte) []byte {
	n := uint64(2)
	if o.EncryptionType != "" {
		n++
	}
	dst = appendCBORHead(dst, cborMap, n)
	dst = appendCBORText(dst, "ShardId")
	dst = appendCBORText(dst, o.ShardId)
	dst = appendCBORText(dst, "SequenceNumber")
	dst = appendCBORText(dst, o.SequenceNumber)
	if o.EncryptionType != "" {
		dst = appendCBORText(dst, "EncryptionType")
		dst = appendCBORText(dst, o.EncryptionType)
	}
	return dst
}

func (o *putRecordsOutput) appendCBOR(dst []byte) []byte {
	failed := 0
	for i := range o.results {
		if o.results[i].ErrorCode != "" {
			failed++
		}
	}
	n := uint64(2)
	if o.encryption != "" {
		n++
	}
	dst = appendCBORHead(dst, cborMap, n)
	dst = appendCBORText(dst, "FailedRecordCount")
	dst = appendCBORInt(dst, int64(failed))
	dst = appendCBORText(dst, "Records")
	dst = appendCBORHead(dst, cborArray, uint64(len(o.results)))
	for i := range o.results {
		r := &o.results[i]
		dst = appendCBORHead(dst, cborMap, 2)
		if r.ErrorCode != "" {
			dst = appendCBORText(dst, "ErrorCode")
			dst = appendCBORText(dst, r.ErrorCode)
			dst = appendCBORText(dst, "ErrorMessage")
			dst = appendCBORText(dst, r.ErrorMessage)
		} else {
			dst = appendCBORText(dst, "SequenceNumber")
			dst = appendCBORText(dst, r.SequenceNumber)
			dst = appendCBORText(dst, "ShardId")
			dst = appendCBORText(dst, r.ShardID)
		}
	}
	if o.encryption != "" {
		dst = appendCBORText(dst, "EncryptionType")
		dst = appendCBORText(dst, o.encryption)
	}
	return dst
}

// The fixed parts of a GetRecords record's CBOR encoding, shared by the encoder and cborLen.
var (
	cborRecordSeq     = appendCBORText(nil, "SequenceNumber")
	cborRecordArrival = appendCBORText(nil, "ApproximateArrivalTimestamp")
	cborRecordData    = appendCBORText(nil, "Data")
	cborRecordKey     = appendCBORText(nil, "PartitionKey")
	cborRecordKMS     = appendCBORText(appendCBORText(nil, "EncryptionType"), streams.EncryptionKMS)
	cborRecordsKey    = appendCBORText(nil, "Records")
)

// cborRecordLen is the encoded length of one record.
func cborRecordLen(r *streams.Record) int {
	n := 1 + len(cborRecordSeq) + len(cborRecordArrival) + len(cborRecordData) + len(cborRecordKey)
	n += cborTextLen(r.SequenceNumber) + cborTimeLen(r.Arrival)
	n += cborHeadLen(uint64(len(r.Data))) + len(r.Data) + cborTextLen(r.PartitionKey)
	if r.Encrypted {
		n += len(cborRecordKMS)
	}
	return n
}

// cborMembers is the number of members of the answer's map.
func (o *getRecordsOutput) cborMembers() uint64 {
	n := uint64(2) // Records, MillisBehindLatest
	if o.res.NextIterator != "" {
		n++
	}
	if len(o.res.ChildShards) > 0 {
		n++
	}
	return n
}

func (o *getRecordsOutput) cborLen() int {
	recs := o.res.Records
	n := cborHeadLen(o.cborMembers()) + len(cborRecordsKey) + cborHeadLen(uint64(len(recs)))
	for i := range recs {
		n += cborRecordLen(&recs[i])
	}
	o.scratch = o.appendCBORTail(o.scratch[:0])
	return n + len(o.scratch)
}

// encodeCBORChunks encodes the answer into buf, calling flush whenever buf holds limit bytes or more,
// and once at the end. Data is copied in pieces, so that a 10 MiB record does not grow the buffer.
func (o *getRecordsOutput) encodeCBORChunks(buf []byte, limit int, flush func([]byte) error) error {
	buf = appendCBORHead(buf, cborMap, o.cborMembers())
	buf = append(buf, cborRecordsKey...)
	buf = appendCBORHead(buf, cborArray, uint64(len(o.res.Records)))
	for i := range o.res.Records {
		r := &o.res.Records[i]
		buf = appendCBORRecordHead(buf, r)
		for data := r.Data; len(data) > 0; {
			piece := data[:min(len(data), base64Piece)]
			data = data[len(piece):]
			buf = append(buf, piece...)
			if len(buf) >= limit {
				if err := flush(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		buf = appendCBORRecordTail(buf, r)
		if len(buf) >= limit {
			if err := flush(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return flush(o.appendCBORTail(buf))
}

// appendCBORTail appends the members that follow the records: the iterator, the lag and, at the end of
// a closed shard, its children.
func (o *getRecordsOutput) appendCBORTail(dst []byte) []byte {
	if o.res.NextIterator != "" {
		dst = appendCBORText(dst, "NextShardIterator")
		dst = appendCBORText(dst, o.res.NextIterator)
	}
	dst = appendCBORText(dst, "MillisBehindLatest")
	dst = appendCBORInt(dst, o.res.MillisBehindLatest)
	if len(o.res.ChildShards) > 0 {
		dst = appendCBORText(dst, "ChildShards")
		dst = appendCBORChildShards(dst, o.res.ChildShards)
	}
	return dst
}

// appendCBORRecordHead appends a record's map head and members up to the head of its Data, whose bytes
// the caller appends (in pieces, for GetRecords) before appendCBORRecordTail.
func appendCBORRecordHead(dst []byte, r *streams.Record) []byte {
	n := uint64(4)
	if r.Encrypted {
		n++
	}
	dst = appendCBORHead(dst, cborMap, n)
	dst = append(dst, cborRecordSeq...)
	dst = appendCBORText(dst, r.SequenceNumber)
	dst = append(dst, cborRecordArrival...)
	dst = appendCBORTime(dst, r.Arrival)
	dst = append(dst, cborRecordData...)
	return appendCBORHead(dst, cborBytes, uint64(len(r.Data)))
}

// appendCBORRecordTail appends the members of a record that follow its Data.
func appendCBORRecordTail(dst []byte, r *streams.Record) []byte {
	dst = append(dst, cborRecordKey...)
	dst = appendCBORText(dst, r.PartitionKey)
	if r.Encrypted {
		dst = append(dst, cborRecordKMS...)
	}
	return dst
}

// appendCBORChildShards appends a ChildShards list.
func appendCBORChildShards(dst []byte, children []streams.ChildShard) []byte {
	dst = appendCBORHead(dst, cborArray, uint64(len(children)))
	for _, c := range children {
		dst = appendCBORHead(dst, cborMap, 3)
		dst = appendCBORText(dst, "ShardId")
		dst = appendCBORText(dst, c.ShardID)
		dst = appendCBORText(dst, "ParentShards")
		dst = appendCBORHead(dst, cborArray, uint64(len(c.Parents)))
		for _, p := range c.Parents {
			dst = appendCBORText(dst, p)
		}
		dst = appendCBORText(dst, "HashKeyRange")
		dst = appendCBORHead(dst, cborMap, 2)
		dst = appendCBORText(dst, "StartingHashKey")
		dst = appendCBORText(dst, c.Hash.Start.String())
		dst = appendCBORText(dst, "EndingHashKey")
		dst = appendCBORText(dst, c.Hash.End.String())
	}
	return dst
}

// appendCBOR encodes the whole answer at once (for tests and benchmarks; the server streams it).
func (o *getRecordsOutput) appendCBOR(dst []byte) []byte {
	_ = o.encodeCBORChunks(dst, math.MaxInt, func(b []byte) error { dst = b; return nil })
	return dst
}
