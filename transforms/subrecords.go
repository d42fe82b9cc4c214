package transforms

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
)

// The JSON and DELIMITED kinds of Firehose's RecordDeAggregation processor (SubRecordType), which
// split one PutRecord blob into several records before dynamic partitioning (FIREHOSE.md §4.2, the
// "dynamic-partitioning-multirecord-deaggergation" page of the developer guide): JSON objects back
// to back ({"a":1}{"a":2}) or one per line (JSONL), not a JSON array; or pieces between a
// delimiter given in base64 (IyMjIw== for ####). At most 500 sub-records per record.

// MaxSubRecords is how many sub-records one record may split into.
const MaxSubRecords = 500

// ErrSubRecords is the error of SplitJSON and SplitDelimited, wrapped with detail: the record goes
// to the error output whole.
var ErrSubRecords = errors.New("record de-aggregation failed")

// SplitJSON appends to dst the JSON objects record holds, back to back or separated by white space
// (JSONL), each exactly as its bytes stand in the record, and returns the extended slice. A record
// that holds anything else (an array, a scalar, bad JSON), no object at all, or more than
// MaxSubRecords objects is an error, and dst comes back as given.
func SplitJSON(dst [][]byte, record []byte) ([][]byte, error) {
	start := len(dst)
	p := jsonParser{s: string(record)} // the copy is for the scanner; results slice record itself
	for {
		p.skipSpace()
		if p.i == len(p.s) {
			break
		}
		if p.s[p.i] != '{' {
			return dst[:start], fmt.Errorf("%w: a JSON object expected at offset %d", ErrSubRecords, p.i)
		}
		if len(dst)-start == MaxSubRecords {
			return dst[:start], fmt.Errorf("%w: more than %d JSON objects", ErrSubRecords, MaxSubRecords)
		}
		from := p.i
		if err := p.skip(0); err != nil {
			return dst[:start], fmt.Errorf("%w: %v", ErrSubRecords, err)
		}
		dst = append(dst, record[from:p.i:p.i])
	}
	if len(dst) == start {
		return dst, fmt.Errorf("%w: no JSON object", ErrSubRecords)
	}
	return dst, nil
}

// SplitDelimited appends to dst the pieces of record between occurrences of delimiter and returns
// the extended slice. A delimiter at the very end ends the last piece rather than opening an empty
// one ("a##b##" is "a", "b"); an empty piece elsewhere is a record ("a####b" with "##" is "a", "",
// "b"). An empty record is one empty piece. More than MaxSubRecords pieces is an error, and dst
// comes back as given.
func SplitDelimited(dst [][]byte, record, delimiter []byte) ([][]byte, error) {
	if len(delimiter) == 0 {
		return dst, fmt.Errorf("%w: empty delimiter", ErrSubRecords)
	}
	start := len(dst)
	for {
		if len(dst)-start == MaxSubRecords {
			return dst[:start], fmt.Errorf("%w: more than %d delimited records", ErrSubRecords, MaxSubRecords)
		}
		i := bytes.Index(record, delimiter)
		if i < 0 {
			return append(dst, record), nil
		}
		dst = append(dst, record[:i:i])
		record = record[i+len(delimiter):]
		if len(record) == 0 {
			return dst, nil
		}
	}
}

// DecodeDelimiter decodes the Delimiter parameter of RecordDeAggregation, which Firehose takes in
// base64 (standard alphabet, padded).
func DecodeDelimiter(param string) ([]byte, error) {
	d, err := base64.StdEncoding.DecodeString(param)
	if err != nil {
		return nil, fmt.Errorf("parameter Delimiter %q is not base64: %w", param, err)
	}
	if len(d) == 0 {
		return nil, errors.New("parameter Delimiter must not be empty")
	}
	return d, nil
}
