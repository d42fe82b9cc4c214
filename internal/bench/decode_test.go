package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// reference decodes body with encoding/json alone.
func reference(body []byte) (*getRecordsOutput, error) {
	var o getRecordsOutput
	return &o, o.decodeJSON(body)
}

func sameOutput(a, b *getRecordsOutput) string {
	if len(a.Records) != len(b.Records) {
		return fmt.Sprintf("%d records, want %d", len(a.Records), len(b.Records))
	}
	for i := range a.Records {
		ra, rb := a.Records[i], b.Records[i]
		if !bytes.Equal(ra.SequenceNumber, rb.SequenceNumber) || !bytes.Equal(ra.PartitionKey, rb.PartitionKey) ||
			!bytes.Equal(ra.Data, rb.Data) {
			return fmt.Sprintf("record %d = {%q %q %x}, want {%q %q %x}", i,
				ra.SequenceNumber, ra.PartitionKey, ra.Data, rb.SequenceNumber, rb.PartitionKey, rb.Data)
		}
	}
	if a.HasNext != b.HasNext || a.NextShardIterator != b.NextShardIterator || a.MillisBehindLatest != b.MillisBehindLatest {
		return fmt.Sprintf("next %v %q behind %d, want %v %q %d", a.HasNext, a.NextShardIterator, a.MillisBehindLatest,
			b.HasNext, b.NextShardIterator, b.MillisBehindLatest)
	}
	return ""
}

// getRecordsCases are GetRecords answers the fast decoder must take on itself.
var getRecordsCases = []string{
	`{"Records":[],"NextShardIterator":"AAAA","MillisBehindLatest":0}`,
	`{"Records":[],"MillisBehindLatest":0}`,
	`{"Records":[],"NextShardIterator":null,"ChildShards":[{"ShardId":"shardId-1","ParentShards":["a","b"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"9"}}]}`,
	`{}`,
	` { "Records" : [ { "Data" : "aGVsbG8=" , "PartitionKey" : "k" , "SequenceNumber" : "1" } ] , "MillisBehindLatest" : 12 } `,
	"{\n\t\"Records\":[{\"SequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\",\"ApproximateArrivalTimestamp\":1.7000000011E9,\"Data\":\"AAEC/w==\",\"PartitionKey\":\"pk-1\",\"EncryptionType\":\"NONE\"}],\r\n\"NextShardIterator\":\"AAAAAAAAAAF+/ab==\",\"MillisBehindLatest\":-0}",
	`{"Records":[{"Data":"","PartitionKey":"","SequenceNumber":""}],"MillisBehindLatest":9223372036854775807}`,
	`{"Records":[{"Data":"YQ=="},{"PartitionKey":"only key"},{}],"MillisBehindLatest":-9223372036854775808}`,
	`{"Records":[{"Data":null,"PartitionKey":null,"SequenceNumber":null}],"NextShardIterator":null,"MillisBehindLatest":null}`,
	`{"Records":null,"NextShardIterator":"x"}`,
	`{"Records":[{"Data":"YWJj\/w==","PartitionKey":"esc \"q\" \\ \/ \b\f\n\r\t \u00e9\u4e2d","SequenceNumber":"7"}]}`,
	`{"Records":[{"Data":"aGVs\nbG8=","PartitionKey":"x"}]}`, // encoding/base64 skips newlines
	`{"Records":[{"Data":"YWJj","PartitionKey":"ünïcødé ✓"}],"NextShardIterator":"it\u0026er\/ator"}`,
	`{"Extra":{"a":[1,-2.5e+3,true,false,null,"s\"\\"],"b":{}},"Records":[],"More":[[[]]],"Num":0.0}`,
}

func TestDecodeGetRecords(t *testing.T) {
	for _, body := range getRecordsCases {
		want, err := reference([]byte(body))
		if err != nil {
			t.Fatalf("reference rejects %s: %v", body, err)
		}
		var got getRecordsOutput
		if err := got.decodeFast([]byte(body)); err != nil {
			t.Errorf("fast decoder declines %s", body)
			continue
		}
		if diff := sameOutput(&got, want); diff != "" {
			t.Errorf("%s: %s", body, diff)
		}
	}
}

// Bodies the fast decoder leaves to encoding/json still decode right, and bad
// ones fail.
func TestDecodeGetRecordsFallback(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"records":[{"data":"YQ==","partitionkey":"k"}]}`, true},            // case-insensitive names
		{`{"Records":[{"ſequenceNumber":"1","Data":"YQ=="}]}`, true},          // Unicode folding
		{`{"Rec\u006frds":[{"Data":"YQ=="}]}`, true},                          // escaped key
		{`{"Records":[{"Data":"YQ==","PartitionKey":"\ud83d\ude80"}]}`, true}, // surrogate pair
		{`{"Records":[{"Data":"YQ==","PartitionKey":"\ud83d"}]}`, true},       // lone surrogate
		{`{"Records":[{"Data":"YQ==","Data":"Yg=="}]}`, true},                 // repeated key
		{`{"Records":null,"NextShardIterator":"x"}`, true},                    // null
		{`{"Records":[null]}`, true},                                          //
		{"{\"Records\":[{\"PartitionKey\":\"a\xffb\"}]}", true},               // invalid UTF-8
		{`null`, true},                                        //
		{`{"MillisBehindLatest":1.5}`, false},                 // not an integer
		{`{"MillisBehindLatest":9223372036854775808}`, false}, // overflow
		{`{"Records":[{"Data":"not base64!"}]}`, false},       //
		{`{"Records":[{"Data":"YQ="}]}`, false},               // bad padding
		{`{"Records":[],}`, false},                            //
		{`{"Records":[]} x`, false},                           //
		{`{"Records":"x"}`, false},                            //
		{`{"Extra":01}`, false},                               //
		{`{"Extra":"\x"}`, false},                             //
		{"{\"Extra\":\"a\x01\"}", false},                      // control character
		{`{"Records":[`, false},                               //
		{``, false},                                           //
		{`[]`, false},                                         //
	} {
		want, werr := reference([]byte(tc.body))
		var got getRecordsOutput
		err := decodeGetRecords(&got, []byte(tc.body))
		if (err == nil) != tc.ok || (werr == nil) != tc.ok {
			t.Errorf("%s: error %v, reference error %v, want ok=%v", tc.body, err, werr, tc.ok)
			continue
		}
		if tc.ok {
			if diff := sameOutput(&got, want); diff != "" {
				t.Errorf("%s: %s", tc.body, diff)
			}
		}
	}
}

// A real-sized answer, encoded by encoding/json, takes the fast path.
func TestDecodeGetRecordsLarge(t *testing.T) {
	body, _ := getRecordsBody(2000, 300)
	want, err := reference(body)
	if err != nil {
		t.Fatal(err)
	}
	var got getRecordsOutput
	for range 2 { // the second time reuses buffers
		if err := got.decodeFast(body); err != nil {
			t.Fatal("fast decoder declines a json.Marshal body")
		}
		if diff := sameOutput(&got, want); diff != "" {
			t.Fatal(diff)
		}
	}
}

// getRecordsBody encodes an answer of n records of size bytes as AWS would.
func getRecordsBody(n, size int) ([]byte, int) {
	rng := rand.New(rand.NewPCG(5, 6))
	type rec struct {
		SequenceNumber              string
		ApproximateArrivalTimestamp float64
		Data                        []byte
		PartitionKey                string
		EncryptionType              string `json:",omitempty"`
	}
	out := struct {
		Records            []rec
		NextShardIterator  string
		MillisBehindLatest int64
	}{NextShardIterator: strings.Repeat("AAAAAAAAAAH+/abcdefghij", 10), MillisBehindLatest: 0}
	total := 0
	for i := range n {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(rng.UintN(256))
		}
		total += size
		out.Records = append(out.Records, rec{
			SequenceNumber:              fmt.Sprintf("4959033827149025660855969253836157109592157598913%07d", i),
			ApproximateArrivalTimestamp: 1.7e9 + float64(i)/1000,
			Data:                        data,
			PartitionKey:                fmt.Sprintf("pk-%d", rng.IntN(10000)),
		})
	}
	b, _ := json.Marshal(out)
	return b, total
}

func TestDecodePutRecordsResult(t *testing.T) {
	for _, tc := range []struct {
		body   string
		n      int
		failed int
		codes  []string
		err    bool
	}{
		{`{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"}]}`, 2, 0, nil, false},
		{`{"FailedRecordCount": 0 ,"Records":[]}`, 5, 0, nil, false}, // trusted on the fast path
		{`{"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"m"}]}`, 2, 1, []string{"", "ProvisionedThroughputExceededException"}, false},
		{`{"Records":[{"ErrorCode":"InternalFailure"},{"SequenceNumber":"2"}]}`, 2, 1, []string{"InternalFailure", ""}, false},
		{`{"FailedRecordCount":1,"Records":[{"ErrorCode":"X"}]}`, 2, 0, nil, true}, // wrong length
		{`{"FailedRecordCount":`, 2, 0, nil, true},
	} {
		failed, codes, err := decodePutRecordsResult([]byte(tc.body), tc.n, nil)
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v", tc.body, err)
			continue
		}
		if err != nil {
			continue
		}
		if failed != tc.failed || (tc.codes != nil && strings.Join(codes, ",") != strings.Join(tc.codes, ",")) {
			t.Errorf("%s: %d failed %q, want %d %q", tc.body, failed, codes, tc.failed, tc.codes)
		}
	}
}

// FuzzDecodeGetRecords checks the fast decoder against encoding/json: whatever
// it accepts, encoding/json accepts and decodes to the same.
func FuzzDecodeGetRecords(f *testing.F) {
	for _, c := range getRecordsCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, werr := reference(body)
		var got getRecordsOutput
		if err := got.decodeFast(body); err == nil {
			if werr != nil {
				t.Fatalf("fast decoder accepts what encoding/json rejects (%v): %q", werr, body)
			}
			if diff := sameOutput(&got, want); diff != "" {
				t.Fatalf("%q: %s", body, diff)
			}
		}
		err := decodeGetRecords(&got, body)
		if (err == nil) != (werr == nil) {
			t.Fatalf("decodeGetRecords error %v, encoding/json %v", err, werr)
		}
		if err == nil {
			if diff := sameOutput(&got, want); diff != "" {
				t.Fatalf("%q: %s", body, diff)
			}
			// Round trip: what was decoded, encoded again, takes the fast path.
			again, _ := json.Marshal(toJSONShape(&got))
			var o getRecordsOutput
			if err := o.decodeFast(again); err != nil {
				t.Fatalf("fast decoder declines re-encoded %s", again)
			}
			if diff := sameOutput(&o, want); diff != "" && validUTF8(&got) {
				t.Fatalf("round trip of %q: %s", body, diff)
			}
		}
	})
}

func toJSONShape(o *getRecordsOutput) any {
	type rec struct {
		SequenceNumber string
		Data           []byte
		PartitionKey   string
	}
	out := struct {
		Records            []rec
		NextShardIterator  *string `json:",omitempty"`
		MillisBehindLatest int64
	}{Records: []rec{}, MillisBehindLatest: o.MillisBehindLatest}
	if o.HasNext {
		out.NextShardIterator = &o.NextShardIterator
	}
	for _, r := range o.Records {
		out.Records = append(out.Records, rec{string(r.SequenceNumber), r.Data, string(r.PartitionKey)})
	}
	return out
}

// validUTF8 reports whether o's strings survive a JSON round trip unchanged.
func validUTF8(o *getRecordsOutput) bool {
	ok := func(b []byte) bool { return bytes.Equal(bytes.ToValidUTF8(b, []byte("\ufffd")), b) }
	for _, r := range o.Records {
		if !ok(r.SequenceNumber) || !ok(r.PartitionKey) {
			return false
		}
	}
	return ok([]byte(o.NextShardIterator))
}

func BenchmarkDecodeGetRecords(b *testing.B) {
	for _, c := range []struct{ n, size int }{{10000, 100}, {10000, 1024}, {1000, 10240}} {
		body, payload := getRecordsBody(c.n, c.size)
		b.Run(fmt.Sprintf("%dx%dB", c.n, c.size), func(b *testing.B) {
			var o getRecordsOutput
			b.ReportAllocs()
			b.SetBytes(int64(payload))
			for b.Loop() {
				if err := o.decodeFast(body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dx%dB/encoding-json", c.n, c.size), func(b *testing.B) {
			var o getRecordsOutput
			b.ReportAllocs()
			b.SetBytes(int64(payload))
			for b.Loop() {
				if err := o.decodeJSON(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
