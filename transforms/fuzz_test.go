package transforms

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unsafe"
)

// FuzzDeaggregate: Deaggregate never panics, its records alias the input, and what it decodes
// survives re-aggregation unchanged.
func FuzzDeaggregate(f *testing.F) {
	f.Add([]byte("plain record"))
	f.Add(AppendAggregated(nil, []UserRecord{{PartitionKey: "a", Data: []byte("x")}}))
	f.Add(AppendAggregated(nil, []UserRecord{
		{PartitionKey: "a", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte(`{"a":1}`)},
		{PartitionKey: "b", Data: nil},
		{PartitionKey: "a", Data: []byte("third")},
	}))
	f.Add(kplRecord(mustHex("1a0d" + "0800" + "1a0178" + "2206" + "0a016b" + "120176" + "0a0161")))
	f.Add(kplRecord(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Deaggregate(nil, data)
		if err != nil {
			if !errors.Is(err, ErrKPLChecksum) && !errors.Is(err, ErrKPLMalformed) {
				t.Fatalf("error %v wraps neither KPL error", err)
			}
			if len(recs) != 0 {
				t.Fatalf("%d records alongside an error", len(recs))
			}
			return
		}
		if !IsAggregated(data) {
			if len(recs) != 1 || !bytes.Equal(recs[0].Data, data) {
				t.Fatalf("a plain record did not pass through: %+v", recs)
			}
			return
		}
		for _, r := range recs {
			if len(r.Data) > 0 && !aliases(r.Data, data) {
				t.Fatal("a record's Data does not alias the input")
			}
		}
		again, err := Deaggregate(nil, AppendAggregated(nil, recs))
		if err != nil {
			t.Fatalf("re-aggregated records: %v", err)
		}
		if len(again) != len(recs) {
			t.Fatalf("re-aggregation gave %d records, want %d", len(again), len(recs))
		}
		for i := range recs {
			if again[i].PartitionKey != recs[i].PartitionKey || again[i].ExplicitHashKey != recs[i].ExplicitHashKey ||
				!bytes.Equal(again[i].Data, recs[i].Data) {
				t.Fatalf("record %d changed through re-aggregation", i)
			}
		}
	})
}

// aliases reports whether sub lies inside whole's memory.
func aliases(sub, whole []byte) bool {
	s, w := uintptr(unsafe.Pointer(unsafe.SliceData(sub))), uintptr(unsafe.Pointer(unsafe.SliceData(whole)))
	return s >= w && s+uintptr(len(sub)) <= w+uintptr(len(whole))
}

// FuzzCodecRoundTrip compresses arbitrary input with every codec, in writes split at an arbitrary
// size, and decompresses it with the reference readers (klauspost/compress's, archive/zip).
func FuzzCodecRoundTrip(f *testing.F) {
	f.Add([]byte{}, uint16(0))
	f.Add([]byte("x"), uint16(1))
	f.Add(clickstream(3000), uint16(1000))
	f.Add(incompressible(5000), uint16(777))
	f.Add(bytes.Repeat([]byte("abcd"), 20000), uint16(snappyBlockSize-1)) // crosses a Snappy block
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		for _, c := range Codecs() {
			obj := compress(t, c, data, int(chunk))
			got, err := decompress(c, obj)
			if err != nil {
				t.Fatalf("%v: %v", c, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%v: round trip gave %d bytes, want %d", c, len(got), len(data))
			}
			if whole := compress(t, c, data, 0); !bytes.Equal(whole, obj) {
				t.Fatalf("%v: the split of the writes changed the output", c)
			}
		}
	})
}

// FuzzParseJSON checks parseJSON against encoding/json: it fails where json.Valid fails, and
// otherwise gives what a Decoder with UseNumber gives; parseJSONFields and SplitJSON agree with it.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `null`, `true`, `false`, `0`, `-0.5e+3`, `"a"`, ` {"a" : [1, 2.5, "x", null, {"b": false}]} `,
		`{"a":1,"a":2}`, `{"a":{"x":[1,"y"]},"c":{"d":"\u0041\x"},"b":2}`, `{"c":[1,2,{"e":null}],"a":0}`, `"\u00e9\ud83d\ude00\n\"\\\/"`, `"\ud800"`, "\"\xff\xfe\"", `{"a":1}{"b":2}`, `01`, `1.`, `.5`,
		`-`, `1e`, `[1,]`, `{"a":1,}`, `{"a"}`, `"\x"`, `"\u12"`, "\"\x01\"", `tru`, `nul`, `[[[[[]]]]]`,
		string(clickstream(2000)[:969]),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// SplitJSON's pieces are JSON objects, and a record that is one object is one piece.
		if pieces, err := SplitJSON(nil, data); err == nil {
			for _, p := range pieces {
				if !validJSON(p) || p[0] != '{' {
					t.Fatalf("SplitJSON gave %q, not a JSON object", p)
				}
			}
		}
		if trimmed := bytes.TrimSpace(data); validJSON(data) && len(trimmed) > 0 && trimmed[0] == '{' {
			if pieces, err := SplitJSON(nil, data); err != nil || len(pieces) != 1 || !bytes.Equal(pieces[0], trimmed) {
				t.Fatalf("SplitJSON of one object = %q, %v", pieces, err)
			}
		}
		got, err := parseJSON(data)
		if valid := validJSON(data); valid != (err == nil) {
			t.Fatalf("parseJSON error %v, encoding/json valid %v", err, valid)
		}
		// parseJSONFields agrees: the same verdict, and the fields asked for of an object.
		fields := map[string]struct{}{"a": {}, "b": {}}
		proj, perr := parseJSONFields(data, fields)
		if (perr == nil) != (err == nil) {
			t.Fatalf("parseJSONFields error %v, parseJSON error %v", perr, err)
		}
		if obj, ok := got.(map[string]any); ok && err == nil {
			want := map[string]any{}
			for k := range fields {
				if v, ok := obj[k]; ok {
					want[k] = v
				}
			}
			if !reflect.DeepEqual(proj, want) {
				t.Fatalf("parseJSONFields = %#v, want %#v", proj, want)
			}
		} else if err == nil && !reflect.DeepEqual(proj, got) {
			t.Fatalf("parseJSONFields = %#v, parseJSON = %#v", proj, got)
		}
		if err != nil {
			if !errors.Is(err, ErrNotJSON) {
				t.Fatalf("error %v does not wrap ErrNotJSON", err)
			}
			return
		}
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseJSON = %#v, encoding/json = %#v", got, want)
		}
	})
}

// validJSON is encoding/json's verdict: one value that a Decoder decodes (json.Valid checks the
// syntax but not the nesting limit).
func validJSON(b []byte) bool {
	if !json.Valid(b) {
		return false
	}
	var v any
	return json.Unmarshal(b, &v) == nil
}
