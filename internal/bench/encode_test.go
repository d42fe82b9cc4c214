package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"math/rand/v2"
	"strings"
	"testing"
)

// jsonString is the reference encoding of s: encoding/json without HTML
// escaping.
func jsonString(t testing.TB, s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var awkwardStrings = []string{
	"", "plain", "pk-123", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
	"<html> & stuff", "ünïcødé ✓ 🚀", "bad \xff utf8 \xc3", "line\u2028sep\u2029", "/slash/",
	strings.Repeat("x", 300),
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range awkwardStrings {
		got := string(jsontext.AppendString(nil, s))
		if want := jsonString(t, s); got != want {
			t.Errorf("jsontext.AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestAppendPutRecords(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var recs []record
	var want []struct {
		Data         []byte
		PartitionKey string
	}
	// Heads of every length mod 3, tails shorter than the bytes a head
	// borrows, empty parts.
	for i := range 60 {
		head := make([]byte, i%7)
		tail := make([]byte, []int{0, 1, 2, 3, 100, 1000}[i%6])
		for j := range head {
			head[j] = byte(rng.UintN(256))
		}
		for j := range tail {
			tail[j] = byte(rng.UintN(256))
		}
		key := awkwardStrings[i%len(awkwardStrings)]
		recs = append(recs, record{Key: key, Head: head, Tail: tail})
		want = append(want, struct {
			Data         []byte
			PartitionKey string
		}{append(bytes.Clone(head), tail...), key})
	}
	for _, stream := range []string{"s", `we"ird\stream`} {
		body := appendPutRecords([]byte("junk to keep"), stream, recs)
		body = bytes.TrimPrefix(body, []byte("junk to keep"))
		var got struct {
			StreamName string
			Records    []struct {
				Data         []byte
				PartitionKey string
			}
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("body does not decode: %v\n%s", err, body)
		}
		if got.StreamName != stream || len(got.Records) != len(want) {
			t.Fatalf("stream %q with %d records, want %q with %d", got.StreamName, len(got.Records), stream, len(want))
		}
		for i := range want {
			// Keys with invalid UTF-8 come back with U+FFFD, as from encoding/json.
			var wantKey string
			if err := json.Unmarshal([]byte(jsonString(t, want[i].PartitionKey)), &wantKey); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Records[i].Data, want[i].Data) || got.Records[i].PartitionKey != wantKey {
				t.Errorf("record %d = %x %q, want %x %q", i, got.Records[i].Data, got.Records[i].PartitionKey, want[i].Data, wantKey)
			}
		}
	}
}

func TestAppendPutRecordAndGetRecords(t *testing.T) {
	r := record{Key: "k\"1", Head: []byte("abcd"), Tail: []byte("efghij")}
	var put struct {
		StreamName, PartitionKey string
		Data                     []byte
	}
	if err := json.Unmarshal(appendPutRecord(nil, "st", r), &put); err != nil {
		t.Fatal(err)
	}
	if put.StreamName != "st" || put.PartitionKey != "k\"1" || string(put.Data) != "abcdefghij" {
		t.Errorf("PutRecord body decodes to %+v", put)
	}
	var get struct {
		ShardIterator string
		Limit         int
	}
	if err := json.Unmarshal(appendGetRecords(nil, "AAA/+==&<", 10000), &get); err != nil {
		t.Fatal(err)
	}
	if get.ShardIterator != "AAA/+==&<" || get.Limit != 10000 {
		t.Errorf("GetRecords body decodes to %+v", get)
	}
}

// benchBatch builds a PutRecords batch as a writer does.
func benchBatch(n, size int) []record {
	g := newGenerator(1, 0, size, 10000, [32]byte{})
	keys := partitionKeys(10000)
	heads := make([]byte, n*headerSize)
	recs := make([]record, n)
	for i := range recs {
		head := heads[i*headerSize : (i+1)*headerSize]
		tail, k := g.fill(head)
		recs[i] = record{Key: keys[k], Head: head, Tail: tail}
	}
	return recs
}

func BenchmarkAppendPutRecords(b *testing.B) {
	for _, size := range []int{100, 1024, 10240} {
		b.Run(fmt.Sprintf("500x%dB", size), func(b *testing.B) {
			recs := benchBatch(500, size)
			var buf []byte
			b.ReportAllocs()
			b.SetBytes(int64(500 * size))
			for b.Loop() {
				buf = appendPutRecords(buf[:0], "hydrant-bench-00000000", recs)
			}
		})
	}
}

// BenchmarkPutRecordsClient is what a writer spends per request before the
// network: generating the records, encoding, and the payload hash.
func BenchmarkPutRecordsClient(b *testing.B) {
	recs := benchBatch(500, 1024)
	g := newGenerator(1, 0, 1024, 10000, [32]byte{})
	keys := partitionKeys(10000)
	heads := make([]byte, 500*headerSize)
	var buf []byte
	b.ReportAllocs()
	b.SetBytes(500 * 1024)
	for b.Loop() {
		for i := range recs {
			head := heads[i*headerSize : (i+1)*headerSize]
			tail, k := g.fill(head)
			recs[i] = record{Key: keys[k], Head: head, Tail: tail}
		}
		buf = appendPutRecords(buf[:0], "hydrant-bench-00000000", recs)
		payloadHash(buf)
	}
}

func BenchmarkAppendPutRecord(b *testing.B) {
	recs := benchBatch(1, 1024)
	var buf []byte
	b.ReportAllocs()
	b.SetBytes(1024)
	for b.Loop() {
		buf = appendPutRecord(buf[:0], "hydrant-bench-00000000", recs[0])
	}
}
