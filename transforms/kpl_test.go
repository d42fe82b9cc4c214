package transforms

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// kplRecord wraps a protobuf AggregatedRecord in the magic and its MD5.
func kplRecord(msg []byte) []byte {
	sum := md5.Sum(msg)
	return append(append(append([]byte{}, kplMagic...), msg...), sum[:]...)
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestKPLGolden pins the encoding, worked out by hand from the protobuf encoding rules, both ways.
func TestKPLGolden(t *testing.T) {
	recs := []UserRecord{
		{PartitionKey: "a", Data: []byte("x")},
		{PartitionKey: "b", ExplicitHashKey: "7", Data: []byte("yz")},
		{PartitionKey: "a", Data: []byte{}},
	}
	msg := "0a0161" + "0a0162" + // partition_key_table "a", "b"
		"120137" + // explicit_hash_key_table "7"
		"1a05" + "0800" + "1a0178" + // {pk 0, data "x"}
		"1a08" + "0801" + "1000" + "1a02797a" + // {pk 1, ehk 0, data "yz"}
		"1a04" + "0800" + "1a00" // {pk 0, data ""}
	want := kplRecord(mustHex(msg))
	if got := AppendAggregated(nil, recs); !bytes.Equal(got, want) {
		t.Errorf("AppendAggregated =\n%x, want\n%x", got, want)
	}
	got, err := Deaggregate(nil, want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("Deaggregate = %+v, want %+v", got, recs)
	}
}

func TestKPLRoundTrip(t *testing.T) {
	many := make([]UserRecord, 1000)
	for i := range many {
		many[i] = UserRecord{PartitionKey: fmt.Sprintf("pk-%d", i%37), Data: clickstream(100 + i%300)}
		if i%5 == 0 {
			many[i].ExplicitHashKey = fmt.Sprintf("%d", i*1234567)
		}
	}
	for _, recs := range [][]UserRecord{
		{{PartitionKey: "only", Data: []byte("one")}},
		{{PartitionKey: "", Data: nil}},
		{{PartitionKey: "k", Data: incompressible(300 << 10)}}, // 2- and 3-byte lengths
		many,
	} {
		agg := AppendAggregated([]byte("prefix"), recs)[len("prefix"):]
		if !IsAggregated(agg) {
			t.Fatal("IsAggregated = false for an aggregated record")
		}
		prior := []UserRecord{{PartitionKey: "before"}}
		got, err := Deaggregate(prior, agg)
		if err != nil {
			t.Fatalf("%d records: %v", len(recs), err)
		}
		if len(got) != len(recs)+1 || got[0].PartitionKey != "before" {
			t.Fatalf("%d records: got %d after the 1 given", len(recs), len(got)-1)
		}
		for i, r := range got[1:] {
			if r.PartitionKey != recs[i].PartitionKey || r.ExplicitHashKey != recs[i].ExplicitHashKey || !bytes.Equal(r.Data, recs[i].Data) {
				t.Fatalf("record %d = %q/%q/%d bytes, want %q/%q/%d bytes", i, r.PartitionKey, r.ExplicitHashKey, len(r.Data),
					recs[i].PartitionKey, recs[i].ExplicitHashKey, len(recs[i].Data))
			}
		}
	}
}

// TestKPLPassThrough: records that are not aggregated come out as they went in.
func TestKPLPassThrough(t *testing.T) {
	for _, data := range [][]byte{
		nil,
		[]byte("plain record"),
		[]byte(`{"a":1}`),
		kplMagic, // the magic alone: too short to be aggregated
		append(append([]byte{}, kplMagic...), make([]byte, 15)...), // one byte short of the MD5
		{0xF3, 0x89, 0x9A, 0xC3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17},
	} {
		got, err := Deaggregate(nil, data)
		if err != nil || len(got) != 1 || !bytes.Equal(got[0].Data, data) || got[0].PartitionKey != "" {
			t.Errorf("Deaggregate(%x) = %+v, %v; want the record unchanged", data, got, err)
		}
	}
	// Magic, an empty message and its MD5: aggregated, holding no user records.
	got, err := Deaggregate(nil, kplRecord(nil))
	if err != nil || len(got) != 0 {
		t.Errorf("empty aggregate: %+v, %v; want no records", got, err)
	}
}

// TestKPLUnknownFields: fields the format does not name (tags, future fields, fixed-width ones) are
// skipped, and the tables may come after the records.
func TestKPLUnknownFields(t *testing.T) {
	msg := "1a0d" + "0800" + "1a0178" + "2206" + "0a016b" + "1201" + "76" + "" + // record {pk 0, data "x", tag {key "k", value "v"}}
		"4801" + // field 9, varint
		"5504030201" + // field 10, fixed32
		"590807060504030201" + // field 11, fixed64
		"620161" + // field 12, bytes
		"0a0161" // partition_key_table "a", after the records
	got, err := Deaggregate(nil, kplRecord(mustHex(msg)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].PartitionKey != "a" || string(got[0].Data) != "x" {
		t.Errorf("got %+v, want one record a/x", got)
	}
}

func TestKPLCorrupt(t *testing.T) {
	good := AppendAggregated(nil, []UserRecord{{PartitionKey: "a", Data: []byte("x")}})
	badMD5 := bytes.Clone(good)
	badMD5[len(badMD5)-1] ^= 1
	flipped := bytes.Clone(good)
	flipped[6] ^= 0x40 // inside the protobuf: the MD5 catches it
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"md5 mismatch", badMD5, ErrKPLChecksum},
		{"payload bit flip", flipped, ErrKPLChecksum},
		{"truncated length", kplRecord(mustHex("0a05616263")), ErrKPLMalformed},
		{"truncated varint", kplRecord(mustHex("0a")), ErrKPLMalformed},
		{"varint over 64 bits", kplRecord(mustHex("08ffffffffffffffffff7f")), ErrKPLMalformed},
		{"varint of 11 bytes", kplRecord(mustHex("08ffffffffffffffffff8001")), ErrKPLMalformed},
		{"field number 0", kplRecord(mustHex("0001")), ErrKPLMalformed},
		{"group wire type", kplRecord(mustHex("0b0c")), ErrKPLMalformed},
		{"table as varint", kplRecord(mustHex("0801")), ErrKPLMalformed},
		{"records as varint", kplRecord(mustHex("1801")), ErrKPLMalformed},
		{"pk index out of range", kplRecord(mustHex("0a0161" + "1a05" + "0801" + "1a0178")), ErrKPLMalformed},
		{"no pk table", kplRecord(mustHex("1a05" + "0800" + "1a0178")), ErrKPLMalformed},
		{"ehk index out of range", kplRecord(mustHex("0a0161" + "1a07" + "0800" + "1000" + "1a0178")), ErrKPLMalformed},
		{"no pk index", kplRecord(mustHex("0a0161" + "1a03" + "1a0178")), ErrKPLMalformed},
		{"no data", kplRecord(mustHex("0a0161" + "1a02" + "0800")), ErrKPLMalformed},
		{"data as varint", kplRecord(mustHex("0a0161" + "1a04" + "0800" + "1801")), ErrKPLMalformed},
		{"pk index as bytes", kplRecord(mustHex("0a0161" + "1a06" + "0a0100" + "1a0178")), ErrKPLMalformed},
		{"bad record after good ones", kplRecord(mustHex("0a0161" + "1a05" + "0800" + "1a0178" + "1a05" + "0805" + "1a0178")), ErrKPLMalformed},
	}
	for _, tt := range tests {
		prior := []UserRecord{{PartitionKey: "before"}}
		got, err := Deaggregate(prior, tt.data)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if len(got) != 1 || got[0].PartitionKey != "before" {
			t.Errorf("%s: dst = %+v, want it as given", tt.name, got)
		}
	}
}

func BenchmarkDeaggregate(b *testing.B) {
	recs := make([]UserRecord, 100)
	for i := range recs {
		recs[i] = UserRecord{PartitionKey: fmt.Sprintf("customer-%d", i%10), Data: clickstream(1000)}
	}
	agg := AppendAggregated(nil, recs)
	b.ReportAllocs()
	b.SetBytes(int64(len(agg)))
	var dst []UserRecord
	for b.Loop() {
		var err error
		if dst, err = Deaggregate(dst[:0], agg); err != nil || len(dst) != len(recs) {
			b.Fatal(err)
		}
	}
}
