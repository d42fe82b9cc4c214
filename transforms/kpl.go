package transforms

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
)

// KPL aggregated records: the Kinesis Producer Library packs many user records into one Kinesis
// record, and Firehose unpacks them when it reads from a Kinesis stream (FIREHOSE.md §3, §4.2).
// The format (amazon-kinesis-producer's aggregation-format.md):
//
//	+-------------+----------------------------------------+----------------------------+
//	| magic       | protobuf AggregatedRecord              | MD5 of the protobuf bytes  |
//	| F3 89 9A C2 |                                        | 16 bytes                   |
//	+-------------+----------------------------------------+----------------------------+
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;  // ignored
//	}

// kplMagic opens every KPL aggregated record.
var kplMagic = []byte{0xF3, 0x89, 0x9A, 0xC2}

// Errors of Deaggregate, wrapped with detail. A record that fails goes to the error output; the
// others go on.
var (
	// ErrKPLChecksum: the record has the KPL magic but its MD5 does not match its protobuf bytes.
	ErrKPLChecksum = errors.New("KPL aggregated record: MD5 mismatch")
	// ErrKPLMalformed: the record has the KPL magic and a good MD5, but the protobuf inside is bad.
	ErrKPLMalformed = errors.New("KPL aggregated record: malformed")
)

// A UserRecord is one record packed in a KPL aggregated record.
type UserRecord struct {
	PartitionKey    string
	ExplicitHashKey string // "" when the record has none
	Data            []byte
}

// IsAggregated reports whether data is a KPL aggregated record: it starts with the KPL magic and is
// long enough for the magic and the MD5. That is the KCL's test too; anything else is an ordinary
// record.
func IsAggregated(data []byte) bool {
	return len(data) >= len(kplMagic)+md5.Size && bytes.HasPrefix(data, kplMagic)
}

// Deaggregate appends to dst the user records packed in data and returns the extended slice. Their
// Data alias data. A record that is not aggregated (see IsAggregated) passes through unchanged: it
// is appended as the one user record {Data: data}, with empty keys (its keys are the Kinesis
// record's own). An aggregated record whose MD5 does not match (ErrKPLChecksum) or whose protobuf is
// malformed (ErrKPLMalformed: a bad field, a key index out of its table, a record without its key
// index or data) is an error, and dst comes back as it was given: all of the record goes to the
// error output, not part of it. (The KCL instead passes a record with a bad MD5 through whole, as
// one opaque user record; for a delivery stream an error the user can see is the safer reading.)
func Deaggregate(dst []UserRecord, data []byte) ([]UserRecord, error) {
	if !IsAggregated(data) {
		return append(dst, UserRecord{Data: data}), nil
	}
	msg := data[len(kplMagic) : len(data)-md5.Size]
	if sum := md5.Sum(msg); !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return dst, ErrKPLChecksum
	}
	// First pass: the key tables, which protobuf allows anywhere in the message.
	var pks, ehks []string
	nrec := 0
	for b := msg; len(b) > 0; {
		num, typ, _, payload, n, err := consumeField(b)
		if err != nil {
			return dst, fmt.Errorf("%w: %v", ErrKPLMalformed, err)
		}
		b = b[n:]
		if num <= 3 && typ != wireLen {
			return dst, fmt.Errorf("%w: field %d has wire type %d", ErrKPLMalformed, num, typ)
		}
		switch num {
		case 1:
			pks = append(pks, string(payload))
		case 2:
			ehks = append(ehks, string(payload))
		case 3:
			nrec++
		}
	}
	// Second pass: the records.
	start := len(dst)
	dst = growUserRecords(dst, nrec)
	for b := msg; len(b) > 0; {
		num, _, _, payload, n, _ := consumeField(b)
		b = b[n:]
		if num != 3 {
			continue
		}
		r, err := decodeKPLRecord(payload, pks, ehks)
		if err != nil {
			clear(dst[start:])
			return dst[:start], fmt.Errorf("%w: record %d: %v", ErrKPLMalformed, len(dst)-start, err)
		}
		dst = append(dst, r)
	}
	return dst, nil
}

func growUserRecords(s []UserRecord, n int) []UserRecord {
	if cap(s)-len(s) >= n {
		return s
	}
	g := make([]UserRecord, len(s), len(s)+n)
	copy(g, s)
	return g
}

func decodeKPLRecord(b []byte, pks, ehks []string) (UserRecord, error) {
	var r UserRecord
	var havePK, haveData bool
	for len(b) > 0 {
		num, typ, v, payload, n, err := consumeField(b)
		if err != nil {
			return r, err
		}
		b = b[n:]
		switch {
		case num == 1 && typ == wireVarint:
			if v >= uint64(len(pks)) {
				return r, fmt.Errorf("partition key index %d out of a table of %d", v, len(pks))
			}
			r.PartitionKey, havePK = pks[v], true
		case num == 2 && typ == wireVarint:
			if v >= uint64(len(ehks)) {
				return r, fmt.Errorf("explicit hash key index %d out of a table of %d", v, len(ehks))
			}
			r.ExplicitHashKey = ehks[v]
		case num == 3 && typ == wireLen:
			r.Data, haveData = payload, true
		case num <= 3:
			return r, fmt.Errorf("field %d has wire type %d", num, typ)
		}
	}
	if !havePK {
		return r, errors.New("no partition key index")
	}
	if !haveData {
		return r, errors.New("no data")
	}
	return r, nil
}

// AppendAggregated appends to dst one KPL aggregated record holding recs, with deduplicated key
// tables, as the KPL writes them. Hydrant delivers de-aggregated records and never needs to
// aggregate; this is for tests and load generators that play a KPL producer.
func AppendAggregated(dst []byte, recs []UserRecord) []byte {
	pkIndex := make(map[string]uint64)
	ehkIndex := make(map[string]uint64)
	var pks, ehks []string
	for _, r := range recs {
		if _, ok := pkIndex[r.PartitionKey]; !ok {
			pkIndex[r.PartitionKey] = uint64(len(pks))
			pks = append(pks, r.PartitionKey)
		}
		if _, ok := ehkIndex[r.ExplicitHashKey]; r.ExplicitHashKey != "" && !ok {
			ehkIndex[r.ExplicitHashKey] = uint64(len(ehks))
			ehks = append(ehks, r.ExplicitHashKey)
		}
	}
	dst = append(dst, kplMagic...)
	start := len(dst)
	for _, k := range pks {
		dst = appendStringField(dst, 1, k)
	}
	for _, k := range ehks {
		dst = appendStringField(dst, 2, k)
	}
	for _, r := range recs {
		pk := pkIndex[r.PartitionKey]
		size := 1 + varintLen(pk) + 1 + varintLen(uint64(len(r.Data))) + len(r.Data)
		if r.ExplicitHashKey != "" {
			size += 1 + varintLen(ehkIndex[r.ExplicitHashKey])
		}
		dst = appendTag(dst, 3, wireLen)
		dst = appendVarint(dst, uint64(size))
		dst = appendVarintField(dst, 1, pk)
		if r.ExplicitHashKey != "" {
			dst = appendVarintField(dst, 2, ehkIndex[r.ExplicitHashKey])
		}
		dst = appendBytesField(dst, 3, r.Data)
	}
	sum := md5.Sum(dst[start:])
	return append(dst, sum[:]...)
}
