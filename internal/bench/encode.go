package bench

import (
	"encoding/base64"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"strconv"
)

// The encoders below write Kinesis JSON 1.1 request bodies by appending to a
// caller's buffer, so that a writer reuses one buffer for every request.

// record is one record to put. Its data is Head followed by Tail: the split lets
// the tail alias a shared pool of random bytes without a copy.
type record struct {
	Key  string
	Head []byte
	Tail []byte
}

// appendPutRecords appends the body of a PutRecords request.
func appendPutRecords(dst []byte, stream string, recs []record) []byte {
	dst = append(dst, `{"StreamName":`...)
	dst = jsontext.AppendString(dst, stream)
	dst = append(dst, `,"Records":[`...)
	for i := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Data":"`...)
		dst = appendData(dst, recs[i].Head, recs[i].Tail)
		dst = append(dst, `","PartitionKey":`...)
		dst = jsontext.AppendString(dst, recs[i].Key)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}

// appendPutRecord appends the body of a PutRecord request.
func appendPutRecord(dst []byte, stream string, r record) []byte {
	dst = append(dst, `{"StreamName":`...)
	dst = jsontext.AppendString(dst, stream)
	dst = append(dst, `,"Data":"`...)
	dst = appendData(dst, r.Head, r.Tail)
	dst = append(dst, `","PartitionKey":`...)
	dst = jsontext.AppendString(dst, r.Key)
	return append(dst, '}')
}

// appendGetRecords appends the body of a GetRecords request.
func appendGetRecords(dst []byte, iterator string, limit int) []byte {
	dst = append(dst, `{"ShardIterator":`...)
	dst = jsontext.AppendString(dst, iterator)
	dst = append(dst, `,"Limit":`...)
	dst = strconv.AppendInt(dst, int64(limit), 10)
	return append(dst, '}')
}

// appendData appends the standard base64 of head followed by tail.
func appendData(dst, head, tail []byte) []byte {
	enc := base64.StdEncoding
	if r := len(head) % 3; r != 0 && len(tail) > 0 {
		// Base64 concatenates only at 3-byte boundaries: borrow from the tail.
		var join [3]byte
		n := copy(join[:], head[len(head)-r:])
		n += copy(join[n:], tail)
		dst = enc.AppendEncode(dst, head[:len(head)-r])
		dst = enc.AppendEncode(dst, join[:n])
		return enc.AppendEncode(dst, tail[n-r:])
	}
	dst = enc.AppendEncode(dst, head)
	return enc.AppendEncode(dst, tail)
}
