package transforms

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSplitJSON(t *testing.T) {
	tests := []struct {
		record string
		want   []string // nil: an error
	}{
		// The documentation's two correct inputs, and its incorrect one.
		{`{"a":1}{"a":2}`, []string{`{"a":1}`, `{"a":2}`}},
		{"{\"a\":1}\n{\"a\":2}", []string{`{"a":1}`, `{"a":2}`}},
		{`[{"a":1}, {"a":2}]`, nil},
		{`{"a":1}`, []string{`{"a":1}`}},
		{" {\"a\": {\"b\": [1, \"}\"]}} \r\n\t{ } \n", []string{`{"a": {"b": [1, "}"]}}`, `{ }`}},
		{`{"a":"\"}{\""}{"b":2}`, []string{`{"a":"\"}{\""}`, `{"b":2}`}},
		{``, nil},
		{"  \n", nil},
		{`{"a":1} 2`, nil},
		{`{"a":1}"x"`, nil},
		{`{"a":1`, nil},
		{`{"a":1}}`, nil},
		{`{"a":1},{"a":2}`, nil},
		{`{"a":tru}`, nil},
	}
	for _, tt := range tests {
		got, err := SplitJSON([][]byte{[]byte("before")}, []byte(tt.record))
		if tt.want == nil {
			if !errors.Is(err, ErrSubRecords) || len(got) != 1 {
				t.Errorf("SplitJSON(%q) = %q, %v; want an error and dst as given", tt.record, got, err)
			}
			continue
		}
		if err != nil || fmt.Sprintf("%q", got[1:]) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("SplitJSON(%q) = %q, %v; want %q", tt.record, got[1:], err, tt.want)
		}
	}
	var max, over bytes.Buffer
	for i := range MaxSubRecords + 1 {
		if i < MaxSubRecords {
			fmt.Fprintf(&max, `{"i":%d}`, i)
		}
		fmt.Fprintf(&over, `{"i":%d}`, i)
	}
	if got, err := SplitJSON(nil, max.Bytes()); err != nil || len(got) != MaxSubRecords {
		t.Errorf("%d objects: %d, %v", MaxSubRecords, len(got), err)
	}
	if _, err := SplitJSON(nil, over.Bytes()); !errors.Is(err, ErrSubRecords) {
		t.Errorf("%d objects: %v, want an error", MaxSubRecords+1, err)
	}
	// Sub-records are the record's own bytes, and appending to one cannot overwrite the next.
	rec := []byte(`{"a":1}{"b":2}`)
	got, _ := SplitJSON(nil, rec)
	_ = append(got[0], 'X')
	if string(got[1]) != `{"b":2}` {
		t.Errorf("appending to a sub-record changed the next: %q", got[1])
	}
}

func TestSplitDelimited(t *testing.T) {
	tests := []struct {
		record, delim string
		want          []string
	}{
		{"a####b####c", "####", []string{"a", "b", "c"}},
		{"a##b##", "##", []string{"a", "b"}},
		{"a####b", "##", []string{"a", "", "b"}},
		{"##a", "##", []string{"", "a"}},
		{"abc", "##", []string{"abc"}},
		{"", "##", []string{""}},
		{"##", "##", []string{""}},
		{"a\nb\n", "\n", []string{"a", "b"}},
	}
	for _, tt := range tests {
		got, err := SplitDelimited(nil, []byte(tt.record), []byte(tt.delim))
		if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("SplitDelimited(%q, %q) = %q, %v; want %q", tt.record, tt.delim, got, err, tt.want)
		}
	}
	if got, err := SplitDelimited(nil, []byte(strings.Repeat("x,", MaxSubRecords)), []byte(",")); err != nil || len(got) != MaxSubRecords {
		t.Errorf("%d pieces: %d, %v", MaxSubRecords, len(got), err)
	}
	if got, err := SplitDelimited([][]byte{nil}, []byte(strings.Repeat("x,", MaxSubRecords)+"x"), []byte(",")); !errors.Is(err, ErrSubRecords) || len(got) != 1 {
		t.Errorf("%d pieces: %d, %v; want an error", MaxSubRecords+1, len(got), err)
	}
	if _, err := SplitDelimited(nil, []byte("a"), nil); !errors.Is(err, ErrSubRecords) {
		t.Errorf("empty delimiter: %v", err)
	}
}

func TestDecodeDelimiter(t *testing.T) {
	if d, err := DecodeDelimiter("IyMjIw=="); err != nil || string(d) != "####" {
		t.Errorf("DecodeDelimiter(IyMjIw==) = %q, %v; want ####", d, err)
	}
	for _, bad := range []string{"", "####", "IyMjIw"} {
		if d, err := DecodeDelimiter(bad); err == nil {
			t.Errorf("DecodeDelimiter(%q) = %q, want an error", bad, d)
		}
	}
}

func BenchmarkSplitJSON(b *testing.B) {
	rec := clickstream(64 << 10) // about 65 JSONL records
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	var dst [][]byte
	for b.Loop() {
		var err error
		if dst, err = SplitJSON(dst[:0], rec[:bytes.LastIndexByte(rec, '\n')]); err != nil {
			b.Fatal(err)
		}
	}
}
