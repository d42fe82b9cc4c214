package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// The CBOR protocol (Config.Protocol "cbor"): the data plane — PutRecords, PutRecord, GetRecords — in
// Kinesis's CBOR flavour of JSON 1.1 (Content-Type application/x-amz-cbor-1.1), as the AWS SDK for
// Java sends it: blobs as byte strings instead of base64. Control-plane calls stay JSON. Request bodies
// are written as Jackson's CBORGenerator writes them for the SDK (indefinite-length maps and arrays,
// definite strings, shortest heads); answers are read by a hand-written decoder that falls back to
// fxamacker/cbor for anything it does not take on, as the JSON decoder falls back to encoding/json.

// Protocols, the values of Config.Protocol.
const (
	ProtocolJSON = "json"
	ProtocolCBOR = "cbor"
)

const contentTypeCBOR = "application/x-amz-cbor-1.1"

const (
	cborIndefMap   = 0xbf
	cborIndefArray = 0x9f
	cborBreak      = 0xff
)

func appendCBORHead(dst []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(dst, m|byte(n))
	case n <= math.MaxUint8:
		return append(dst, m|24, byte(n))
	case n <= math.MaxUint16:
		return append(dst, m|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(dst, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
		byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendCBORText(dst []byte, s string) []byte {
	return append(appendCBORHead(dst, 3, uint64(len(s))), s...)
}

// appendCBORData appends head followed by tail as one byte string.
func appendCBORData(dst, head, tail []byte) []byte {
	dst = appendCBORHead(dst, 2, uint64(len(head)+len(tail)))
	return append(append(dst, head...), tail...)
}

// appendPutRecordsCBOR appends the CBOR body of a PutRecords request.
func appendPutRecordsCBOR(dst []byte, stream string, recs []record) []byte {
	dst = append(dst, cborIndefMap)
	dst = appendCBORText(dst, "Records")
	dst = append(dst, cborIndefArray)
	for i := range recs {
		dst = append(dst, cborIndefMap)
		dst = appendCBORText(dst, "Data")
		dst = appendCBORData(dst, recs[i].Head, recs[i].Tail)
		dst = appendCBORText(dst, "PartitionKey")
		dst = appendCBORText(dst, recs[i].Key)
		dst = append(dst, cborBreak)
	}
	dst = append(dst, cborBreak)
	dst = appendCBORText(dst, "StreamName")
	dst = appendCBORText(dst, stream)
	return append(dst, cborBreak)
}

// appendPutRecordCBOR appends the CBOR body of a PutRecord request.
func appendPutRecordCBOR(dst []byte, stream string, r record) []byte {
	dst = append(dst, cborIndefMap)
	dst = appendCBORText(dst, "StreamName")
	dst = appendCBORText(dst, stream)
	dst = appendCBORText(dst, "Data")
	dst = appendCBORData(dst, r.Head, r.Tail)
	dst = appendCBORText(dst, "PartitionKey")
	dst = appendCBORText(dst, r.Key)
	return append(dst, cborBreak)
}

// appendGetRecordsCBOR appends the CBOR body of a GetRecords request.
func appendGetRecordsCBOR(dst []byte, iterator string, limit int) []byte {
	dst = append(dst, cborIndefMap)
	dst = appendCBORText(dst, "ShardIterator")
	dst = appendCBORText(dst, iterator)
	dst = appendCBORText(dst, "Limit")
	dst = appendCBORHead(dst, 0, uint64(limit))
	return append(dst, cborBreak)
}

// getRecordsCBOR is the shape fxamacker/cbor decodes; the reference the fast decoder must agree with.
type getRecordsCBOR struct {
	Records []struct {
		SequenceNumber string
		Data           []byte
		PartitionKey   string
	}
	NextShardIterator  *string
	MillisBehindLatest int64
}

// decodeGetRecordsCBOR decodes a CBOR GetRecords answer into o.
func decodeGetRecordsCBOR(o *getRecordsOutput, body []byte) error {
	if err := o.decodeCBORFast(body); err == nil {
		return nil
	}
	var r getRecordsCBOR
	if err := cbor.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("decode GetRecords response: %w", err)
	}
	o.reset(0)
	for _, rec := range r.Records {
		o.Records = append(o.Records, getRecord{
			SequenceNumber: []byte(rec.SequenceNumber),
			PartitionKey:   []byte(rec.PartitionKey),
			Data:           rec.Data,
		})
	}
	if r.NextShardIterator != nil {
		o.NextShardIterator, o.HasNext = *r.NextShardIterator, true
	}
	o.MillisBehindLatest = r.MillisBehindLatest
	return nil
}

// cborScanner reads the plain subset of CBOR an answer is made of: definite strings, definite or
// indefinite maps and arrays, integers, tags, simple values. Anything else is errSlow.
type cborScanner struct {
	b []byte
	i int
}

func (s *cborScanner) head() (major byte, arg uint64, indef bool, err error) {
	if s.i >= len(s.b) {
		return 0, 0, false, errSlow
	}
	c := s.b[s.i]
	s.i++
	major, ai := c>>5, c&0x1f
	switch {
	case ai < 24:
		return major, uint64(ai), false, nil
	case ai == 31:
		return major, 0, true, nil
	case ai > 27:
		return 0, 0, false, errSlow
	}
	n := 1 << (ai - 24)
	if len(s.b)-s.i < n {
		return 0, 0, false, errSlow
	}
	for _, x := range s.b[s.i : s.i+n] {
		arg = arg<<8 | uint64(x)
	}
	s.i += n
	return major, arg, false, nil
}

// str reads a definite string of the given major type.
func (s *cborScanner) str(major byte) ([]byte, error) {
	m, n, indef, err := s.head()
	if err != nil || m != major || indef || n > uint64(len(s.b)-s.i) {
		return nil, errSlow
	}
	v := s.b[s.i : s.i+int(n)]
	s.i += int(n)
	return v, nil
}

// container calls item for each element of a map (with its key) or array (with a nil key).
func (s *cborScanner) container(major byte, item func(key []byte) error) error {
	m, n, indef, err := s.head()
	if err != nil || m != major {
		return errSlow
	}
	for i := uint64(0); indef || i < n; i++ {
		if indef {
			if s.i >= len(s.b) {
				return errSlow
			}
			if s.b[s.i] == cborBreak {
				s.i++
				break
			}
		}
		var key []byte
		if major == 5 {
			if key, err = s.str(3); err != nil {
				return err
			}
		}
		if err := item(key); err != nil {
			return err
		}
	}
	return nil
}

// skip skips one item.
func (s *cborScanner) skip(depth int) error {
	if depth > maxSkipDepth || s.i >= len(s.b) {
		return errSlow
	}
	switch major := s.b[s.i] >> 5; major {
	case 2, 3:
		_, err := s.str(major)
		return err
	case 4, 5:
		return s.container(major, func([]byte) error { return s.skip(depth + 1) })
	case 6:
		if _, _, _, err := s.head(); err != nil {
			return err
		}
		return s.skip(depth + 1)
	}
	_, _, indef, err := s.head() // integers and simple values (floats read their bits as the argument)
	if indef {
		return errSlow
	}
	return err
}

// decodeCBORFast decodes body without allocating once o's buffers have grown: strings and data are
// slices of the body (the response buffer, valid until the next call, as the JSON decoder's are).
func (o *getRecordsOutput) decodeCBORFast(body []byte) error {
	o.reset(0)
	s := &cborScanner{b: body}
	err := s.container(5, func(key []byte) error {
		switch string(key) {
		case "Records":
			return s.container(4, func([]byte) error {
				var r getRecord
				err := s.container(5, func(key []byte) error {
					var err error
					switch string(key) {
					case "SequenceNumber":
						r.SequenceNumber, err = s.str(3)
					case "PartitionKey":
						r.PartitionKey, err = s.str(3)
						if err == nil && !utf8.Valid(r.PartitionKey) {
							err = errSlow
						}
					case "Data":
						r.Data, err = s.str(2)
					default:
						err = s.skip(0)
					}
					return err
				})
				o.Records = append(o.Records, r)
				return err
			})
		case "NextShardIterator":
			if s.i < len(s.b) && s.b[s.i] == 0xf6 {
				s.i++
				return nil
			}
			it, err := s.str(3)
			o.NextShardIterator, o.HasNext = string(it), true
			return err
		case "MillisBehindLatest":
			m, v, _, err := s.head()
			if err != nil || m != 0 || v > math.MaxInt64 {
				return errSlow
			}
			o.MillisBehindLatest = int64(v)
			return nil
		}
		return s.skip(0)
	})
	if err == nil && s.i != len(body) {
		err = errSlow
	}
	return err
}

// decodePutRecordsResultCBOR is decodePutRecordsResult for a CBOR answer.
func decodePutRecordsResultCBOR(body []byte, n int, codes []string) (failed int, _ []string, err error) {
	var count struct{ FailedRecordCount int }
	if err := cbor.Unmarshal(body, &count); err != nil {
		return 0, codes[:0], fmt.Errorf("decode PutRecords response: %w", err)
	}
	if count.FailedRecordCount == 0 {
		return 0, codes[:0], nil
	}
	var r struct {
		Records []struct {
			ErrorCode    string
			ErrorMessage string
		}
	}
	if err := cbor.Unmarshal(body, &r); err != nil {
		return 0, codes[:0], fmt.Errorf("decode PutRecords response: %w", err)
	}
	if len(r.Records) != n {
		return 0, codes[:0], fmt.Errorf("PutRecords response has %d results for %d records", len(r.Records), n)
	}
	codes = codes[:0]
	for _, e := range r.Records {
		codes = append(codes, e.ErrorCode)
		if e.ErrorCode != "" {
			failed++
		}
	}
	return failed, codes, nil
}

// cborErrorAsJSON turns a CBOR error body into the JSON one parseAPIError reads; anything else is
// returned as it is.
func cborErrorAsJSON(body []byte) []byte {
	var e map[string]any
	if cbor.Unmarshal(body, &e) != nil {
		return body
	}
	js, err := json.Marshal(e)
	if err != nil {
		return body
	}
	return js
}

// checkProtocol validates Config.Protocol.
func checkProtocol(p string) error {
	switch p {
	case ProtocolJSON, ProtocolCBOR:
		return nil
	}
	return errors.New("protocol " + strconv.Quote(p) + ": want json or cbor")
}
