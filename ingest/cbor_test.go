package ingest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// typedCBOR runs a CBOR body through the generic path up to the typed tree.
func typedCBOR(t testing.TB, m *model, op string, body []byte) (*value, *Error) {
	t.Helper()
	n, ok := parseCBOR(body)
	if !ok {
		return nil, &Error{Code: ErrSerialization}
	}
	return typeCheck(n, m.ops[op].input)
}

func typedJSON(t testing.TB, m *model, op string, body []byte) (*value, *Error) {
	t.Helper()
	n, ok := parseJSON(body)
	if !ok {
		return nil, &Error{Code: ErrSerialization}
	}
	return typeCheck(n, m.ops[op].input)
}

var t0 = time.UnixMilli(1506440188749).UTC()

// The same request in JSON and in CBOR types to the same value: the pipeline after decoding is shared.
func TestCBORDecodeAgreesWithJSON(t *testing.T) {
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op  string
		req any
	}{
		{"PutRecords", obj{{"Records", []any{obj{{"Data", blob("hello")}, {"PartitionKey", "k"}}, nil,
			obj{{"Data", blob{}}, {"PartitionKey", "日本語"}, {"ExplicitHashKey", "42"}}}}, {"StreamName", "s"}}},
		{"PutRecord", obj{{"StreamName", "s"}, {"Data", blob{0xff}}, {"PartitionKey", "p"}, {"SequenceNumberForOrdering", "1"}}},
		{"CreateStream", obj{{"StreamName", "s"}, {"ShardCount", 3}, {"StreamModeDetails", obj{{"StreamMode", "PROVISIONED"}}},
			{"Tags", obj{{"a", "1"}, {"b", "2"}, {"a", "3"}}}, {"Unknown", obj{{"x", []any{1, 2.5, true}}}}}},
		{"ListShards", obj{{"StreamName", "s"}, {"ShardFilter", obj{{"Type", "AT_TIMESTAMP"}, {"Timestamp", stamp(t0)}}},
			{"StreamCreationTimestamp", stamp(t0.Add(-time.Hour))}, {"MaxResults", 7}}},
		{"GetShardIterator", obj{{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "AT_TIMESTAMP"},
			{"Timestamp", stamp(t0)}}},
		{"DeleteStream", obj{{"StreamName", "s"}, {"EnforceConsumerDeletion", false}}},
		{"DeleteStream", obj{{"StreamName", "s"}, {"EnforceConsumerDeletion", "yes"}}},
		{"DescribeStream", obj{{"StreamName", "s"}, {"Limit", 2.9}}},
		{"DescribeStream", obj{{"StreamName", "s"}, {"Limit", int64(math.MaxInt64)}}},
		{"DescribeStream", obj{{"StreamName", nil}, {"Limit", -5}}},
		{"EnableEnhancedMonitoring", obj{{"StreamName", "s"}, {"ShardLevelMetrics", []any{"ALL", "IncomingBytes"}}}},
		{"SubscribeToShard", obj{{"ConsumerARN", "arn"}, {"ShardId", "x"}, {"StartingPosition", obj{{"Type", "AT_TIMESTAMP"}, {"Timestamp", stamp(t0)}}}}},
		{"DescribeLimits", obj{}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			js, cb := toJSON(tc.req), toJackson(tc.req)
			want, we := typedJSON(t, m, tc.op, js)
			got, ge := typedCBOR(t, m, tc.op, cb)
			if !reflect.DeepEqual(we, ge) || !reflect.DeepEqual(want, got) {
				t.Fatalf("%s\nJSON %s: %+v %v\nCBOR %x: %+v %v", tc.op, js, want, we, cb, got, ge)
			}
		})
	}
}

// Every encoding a CBOR writer may choose for the same values types alike: definite or indefinite
// containers, chunked strings, heads wider than needed, tags (ignored, bignums read as numbers), and
// for timestamps tag 1 or none, integers or floats of milliseconds.
func TestCBORAcceptsEveryEncoding(t *testing.T) {
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	h := func(s string) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := toJackson(obj{{"StreamName", "s"}, {"Limit", 5}, {"ExclusiveStartShardId", "x"}})
	for _, tc := range []struct {
		name, op string
		want     []byte
		variants []string
	}{
		{"maps and strings", "DescribeStream", base, []string{
			// definite map, shortest heads
			"a3 6a 53747265616d4e616d65 61 73 65 4c696d6974 05 75 4578636c7573697665537461727453686172644964 61 78",
			// the name as a chunked text string, Limit with an 8-byte head, a key with a 2-byte head
			"bf 6a 53747265616d4e616d65 7f 60 61 73 ff 65 4c696d6974 1b 0000000000000005 79 0015 4578636c7573697665537461727453686172644964 78 01 78 ff",
			// self-describe tag on the body, a tag on a string, the Limit as a float and as a bignum
			"d9d9f7 a3 6a 53747265616d4e616d65 d8 20 61 73 65 4c696d6974 f9 4500 75 4578636c7573697665537461727453686172644964 61 78",
			"a3 6a 53747265616d4e616d65 61 73 65 4c696d6974 c2 41 05 75 4578636c7573697665537461727453686172644964 61 78",
		}},
		{"timestamps", "GetShardIterator",
			toJackson(obj{{"ShardId", "a"}, {"ShardIteratorType", "AT_TIMESTAMP"}, {"Timestamp", stamp(t0)}}), []string{
				// untagged integer of milliseconds
				"a3 67 53686172644964 61 61 71 53686172644974657261746f7254797065 6c 41545f54494d455354414d50 69 54696d657374616d70 1b 0000015ebed5134d",
				// tag 1 and a double of milliseconds
				"a3 67 53686172644964 61 61 71 53686172644974657261746f7254797065 6c 41545f54494d455354414d50 69 54696d657374616d70 c1 fb 4275ebed5134d000",
			}},
		{"blobs", "PutRecord", toJackson(obj{{"Data", blob("abc")}, {"PartitionKey", "k"}}), []string{
			// a chunked byte string
			"a2 64 44617461 5f 41 61 42 6263 ff 6c 506172746974696f6e4b6579 61 6b",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, e := typedCBOR(t, m, tc.op, tc.want)
			if e != nil {
				t.Fatal(e)
			}
			for _, v := range tc.variants {
				got, e := typedCBOR(t, m, tc.op, h(v))
				if e != nil || !reflect.DeepEqual(want, got) {
					t.Errorf("%s: got %+v %v, want %+v", v, got, e, want)
				}
			}
		})
	}
	// The timestamps above are milliseconds: 1506440188749 is 2017, not the year 49707.
	v, e := typedCBOR(t, m, "GetShardIterator", toJackson(obj{{"Timestamp", stamp(t0)}}))
	if e != nil || !v.field("Timestamp").t.Equal(t0) {
		t.Errorf("Timestamp %v %v, want %v", v.field("Timestamp").t, e, t0)
	}
}

// errorCases are bad CBOR requests and the error each gets; where json is set, the same request in JSON
// must get the same error.
var cborErrorCases = []struct {
	name    string
	op      string
	body    []byte
	json    string
	status  int
	code    string
	message string
}{
	{"empty body", "ListStreams", nil, "", 400, "SerializationException", ""},
	{"truncated", "ListStreams", []byte{0xbf, 0x65, 'L', 'i'}, "{", 400, "SerializationException", ""},
	{"trailing data", "ListStreams", []byte{0xa0, 0xa0}, "{} {}", 400, "SerializationException", ""},
	{"not a map", "ListStreams", []byte{0x61, 'x'}, `"x"`, 400, "SerializationException", ""},
	{"a list", "ListStreams", []byte{0x80}, `[]`, 400, "SerializationException", "Start of list found where not expected"},
	{"integer key", "ListStreams", []byte{0xa1, 0x01, 0x02}, "", 400, "SerializationException", ""},
	{"reserved simple value", "ListStreams", []byte{0xa1, 0x61, 'x', 0xf0}, "", 400, "SerializationException", ""},
	{"invalid UTF-8", "DescribeStream", toJackson(obj{{"StreamName", rawCBOR{0x62, 0xc3, 0x28}}}), "", 400, "SerializationException", ""},
	{"unknown operation", "Nope", toJackson(obj{}), "{}", 400, "UnknownOperationException", ""},
	{"blob as text", "PutRecord", toJackson(obj{{"StreamName", "s"}, {"Data", "aGVsbG8="}, {"PartitionKey", "k"}}), "",
		400, "SerializationException", "class java.lang.String can not be converted to a Blob"},
	{"string as bytes", "DescribeStream", toJackson(obj{{"StreamName", blob("s")}}), "",
		400, "SerializationException", "class [B can not be converted to an String"},
	{"integer as text", "DescribeStream", toJackson(obj{{"StreamName", "s"}, {"Limit", "5"}}), `{"StreamName":"s","Limit":"5"}`,
		400, "SerializationException", "class java.lang.String can not be converted to an Integer"},
	{"integer as boolean", "DescribeStream", toJackson(obj{{"StreamName", "s"}, {"Limit", true}}), `{"StreamName":"s","Limit":true}`,
		400, "SerializationException", "class java.lang.Boolean can not be converted to an Integer"},
	{"boolean as bytes", "DeleteStream", toJackson(obj{{"StreamName", "s"}, {"EnforceConsumerDeletion", blob("1")}}), "",
		400, "SerializationException", "class [B can not be converted to an Boolean"},
	{"timestamp as text", "ListShards", toJackson(obj{{"StreamName", "s"}, {"StreamCreationTimestamp", "2017"}}),
		`{"StreamName":"s","StreamCreationTimestamp":"2017"}`,
		400, "SerializationException", "class java.lang.String can not be converted to milliseconds since epoch"},
	{"timestamp out of range", "ListShards", toJackson(obj{{"StreamName", "s"}, {"StreamCreationTimestamp", 1e300}}),
		`{"StreamName":"s","StreamCreationTimestamp":1e300}`,
		400, "SerializationException", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to milliseconds since epoch"},
	{"timestamp NaN", "ListShards", toJackson(obj{{"StreamName", "s"}, {"StreamCreationTimestamp", math.NaN()}}), "",
		400, "SerializationException", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to milliseconds since epoch"},
	{"structure as list", "CreateStream", toJackson(obj{{"StreamName", "s"}, {"StreamModeDetails", []any{}}}),
		`{"StreamName":"s","StreamModeDetails":[]}`, 400, "SerializationException", "Start of list found where not expected"},
	{"constraints", "DescribeStream", toJackson(obj{{"StreamName", "a b"}, {"Limit", 0}}), `{"StreamName":"a b","Limit":0}`,
		400, "ValidationException", "2 validation errors detected: Value 'a b' at 'streamName' failed to satisfy constraint: " +
			"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '0' at 'limit' failed to satisfy " +
			"constraint: Member must have value greater than or equal to 1"},
	{"blob constraints", "PutRecords", toJackson(obj{{"Records", []any{}}, {"StreamName", "s"}}), `{"Records":[],"StreamName":"s"}`,
		400, "ValidationException", "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: " +
			"Member must have length greater than or equal to 1"},
	{"handler error", "DescribeStream", toJackson(obj{}), `{}`, 400, "InvalidArgumentException", "StreamName or StreamARN is required."},
	{"store failure", "DescribeLimits", toJackson(obj{}), `{}`, 500, "InternalFailure", ""},
}

func TestCBORErrors(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range cborErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(s, cborRequest(tc.op, tc.body))
			if ct := w.Header().Get("Content-Type"); ct != contentTypeCBOR {
				t.Errorf("Content-Type %q", ct)
			}
			checkRequestIDs(t, w.Header())
			code, msg := decodeCBORError(t, w.Body.Bytes())
			if w.Code != tc.status || code != tc.code || msg != tc.message {
				t.Fatalf("got %d %s %q, want %d %s %q", w.Code, code, msg, tc.status, tc.code, tc.message)
			}
			if tc.json != "" {
				jw := serve(s, request(tc.op, tc.json))
				jcode, jmsg := decodeError(t, jw.Body.Bytes())
				if jw.Code != w.Code || jcode != code || jmsg != msg {
					t.Errorf("JSON gets %d %s %q", jw.Code, jcode, jmsg)
				}
			}
		})
	}
	// Request-level errors come in CBOR too.
	for _, tc := range []struct {
		name   string
		srv    *Server
		req    *http.Request
		status int
		code   string
	}{
		{"no auth", s, cborRequest("ListStreams", toJackson(obj{}), setHeader("Authorization", "")), 400, "MissingAuthenticationTokenException"},
		{"too large", NewServer(Config{Logger: slog.New(slog.DiscardHandler), MaxBodyBytes: 10}, nil),
			cborRequest("ListStreams", bytes.Repeat([]byte{0xa0}, 11)), 413, "SerializationException"},
		{"content type parameters", s, cborRequest("Nope", toJackson(obj{}), setHeader("Content-Type", "application/x-amz-cbor-1.1; charset=utf-8")),
			400, "UnknownOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(tc.srv, tc.req)
			code, _ := decodeCBORError(t, w.Body.Bytes())
			if w.Code != tc.status || code != tc.code || w.Header().Get("Content-Type") != contentTypeCBOR {
				t.Errorf("got %d %s %q", w.Code, code, w.Header().Get("Content-Type"))
			}
		})
	}
}

// decodeCBORError reads an error body as the Java SDK does: __type, then message or Message. It fails
// unless the body is a CBOR map holding exactly those members.
func decodeCBORError(t *testing.T, body []byte) (code, msg string) {
	t.Helper()
	var e map[string]any
	if err := refDecMode.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %x is not a CBOR map: %v", body, err)
	}
	for k := range e {
		if k != "__type" && k != "message" && k != "Message" {
			t.Errorf("error body has member %q", k)
		}
	}
	code, _ = e["__type"].(string)
	if m, ok := e["message"].(string); ok {
		msg = m
	} else if m, ok := e["Message"].(string); ok {
		msg = m
	}
	return code, msg
}

// Hostile nesting neither crashes nor recurses without bound: tags nest without adding depth.
func TestCBORNesting(t *testing.T) {
	s := newTestServer(t)
	deepTags := append(bytes.Repeat([]byte{0xc6}, 1<<20), 0xa0)
	deepMaps := append(bytes.Repeat([]byte{0xa1, 0x61, 'x'}, 200), 0xa0)
	for _, body := range [][]byte{deepTags, deepMaps} {
		w := serve(s, cborRequest("ListStreams", body))
		if w.Code != 400 && w.Code != 500 {
			t.Errorf("%d %x", w.Code, w.Body.Bytes())
		}
	}
}

// The CBOR fast path agrees with the generic path on everything it accepts.
type cborFastFixture struct {
	model   *model
	records fastDecoder[putRecordsInput]
	record  fastDecoder[putRecordInput]
}

func newCBORFastFixture(t testing.TB) *cborFastFixture {
	t.Helper()
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := newCBORPutRecordsDecoder(m.ops["PutRecords"])
	if err != nil {
		t.Fatal(err)
	}
	r, err := newCBORPutRecordDecoder(m.ops["PutRecord"])
	if err != nil {
		t.Fatal(err)
	}
	return &cborFastFixture{model: m, records: rs, record: r}
}

// bindGenericCBOR decodes a CBOR body the generic way into In.
func bindGenericCBOR[In any](t testing.TB, op *opShape, javaPackage string, body []byte) (*In, *Error) {
	t.Helper()
	n, ok := parseCBOR(body)
	if !ok {
		return nil, &Error{Code: ErrSerialization}
	}
	v, e := typeCheck(n, op.input)
	if e != nil {
		return nil, e
	}
	if e := validate(v, op.input, javaPackage); e != nil {
		return nil, e
	}
	b, err := newBinder(op.input, reflect.TypeFor[In]())
	if err != nil {
		t.Fatal(err)
	}
	var in In
	b(v, reflect.ValueOf(&in).Elem())
	return &in, nil
}

func (f *cborFastFixture) checkAgree(t testing.TB, op string, body []byte) bool {
	t.Helper()
	switch op {
	case "PutRecords":
		var fast putRecordsInput
		release, ok := f.records(body, &fast)
		if !ok {
			if !reflect.DeepEqual(fast, putRecordsInput{}) {
				t.Fatalf("fast path gave up on %x but left %+v behind", body, fast)
			}
			return false
		}
		defer release()
		gen, e := bindGenericCBOR[putRecordsInput](t, f.model.ops[op], f.model.javaPackage, body)
		if e != nil {
			t.Fatalf("fast path accepted %x; generic path: %v", body, e)
		}
		if fast.streamAddr != gen.streamAddr || !entriesEqual(fast.Records, gen.Records) {
			t.Fatalf("paths disagree on %x:\nfast    %+v\ngeneric %+v", body, fast, *gen)
		}
	case "PutRecord":
		var fast putRecordInput
		release, ok := f.record(body, &fast)
		if !ok {
			if !reflect.DeepEqual(fast, putRecordInput{}) {
				t.Fatalf("fast path gave up on %x but left %+v behind", body, fast)
			}
			return false
		}
		defer release()
		gen, e := bindGenericCBOR[putRecordInput](t, f.model.ops[op], f.model.javaPackage, body)
		if e != nil {
			t.Fatalf("fast path accepted %x; generic path: %v", body, e)
		}
		if fast.streamAddr != gen.streamAddr || fast.SequenceNumberForOrdering != gen.SequenceNumberForOrdering ||
			!entriesEqual([]streams.PutEntry{fast.PutEntry}, []streams.PutEntry{gen.PutEntry}) {
			t.Fatalf("paths disagree on %x:\nfast    %+v\ngeneric %+v", body, fast, *gen)
		}
	}
	return true
}

func rec(data string, pk string, more ...kv) obj {
	return append(obj{{"Data", blob(data)}, {"PartitionKey", pk}}, more...)
}

var cborFastPathCases = []struct {
	op   string
	body []byte
	fast bool // the fast path takes it
}{
	{"PutRecords", toJackson(obj{{"Records", []any{rec("hello", "k")}}, {"StreamName", "s"}}), true},
	{"PutRecords", toJackson(obj{{"StreamName", "s"}, {"Records", []any{rec("", "k"), rec("x", "日本", kv{"ExplicitHashKey", "7"})}},
		{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/s"}, {"StreamId", "abcdefghij0123456789-abc"}}), true},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", strings.Repeat("k", 256))}}}), true}, // no stream: the handler's error
	// definite lengths and wide heads: what a shortest-form encoder (not Jackson) writes
	{"PutRecords", []byte("\xa2\x67Records\x81\xa2\x64Data\x59\x00\x01z\x6cPartitionKey\x78\x01k\x6aStreamName\x61s"), true},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k", kv{"Extra", 1})}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", "s"}, {"Extra", 1}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", "s"}, {"StreamName", "t"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k", kv{"Data", blob("b")})}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", nil}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{obj{{"Data", "YQ=="}, {"PartitionKey", "k"}}}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "")}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", strings.Repeat("k", 257))}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k", kv{"ExplicitHashKey", "01"})}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{obj{{"Data", blob("a")}}}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", "a b"}}), false},
	{"PutRecords", append(toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", "s"}}), 0), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", 1}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k\xff")}}, {"StreamName", "s"}}), false},
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", rawCBOR("\xd8\x20\x61s")}}), false}, // tagged
	{"PutRecords", toJackson(obj{{"Records", []any{rec("a", "k")}}, {"StreamName", rawCBOR("\x7f\x61s\xff")}}), false}, // chunked
	{"PutRecords", toJackson(obj{}), false},
	{"PutRecords", []byte("\xa1\x67Records\x9f"), false},
	{"PutRecords", []byte("\xa1\x67Records\x9b\xff\xff\xff\xff\xff\xff\xff\xff"), false},
	{"PutRecords", []byte("\xa1\x67Records\x81\xa1\x64Data\x5b\xff\xff\xff\xff\xff\xff\xff\xff"), false},
	{"PutRecord", toJackson(obj{{"StreamName", "s"}, {"Data", blob("hello")}, {"PartitionKey", "k"}}), true},
	{"PutRecord", toJackson(obj{{"StreamName", "s"}, {"PartitionKey", "k"}, {"ExplicitHashKey", "7"},
		{"SequenceNumberForOrdering", "49590338271490256608559692538361571095921575989136588898"}, {"Data", blob("")}}), true},
	{"PutRecord", toJackson(obj{{"StreamName", "s"}, {"Data", blob("x")}, {"PartitionKey", "k"}, {"SequenceNumberForOrdering", "x"}}), false},
	{"PutRecord", toJackson(obj{{"StreamName", "s"}, {"Data", blob("x")}, {"PartitionKey", "k"}, {"Records", []any{}}}), false},
	{"PutRecord", toJackson(obj{{"StreamName", "s"}, {"Data", blob("x")}}), false},
}

func TestCBORFastPath(t *testing.T) {
	f := newCBORFastFixture(t)
	for i, tc := range cborFastPathCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if got := f.checkAgree(t, tc.op, tc.body); got != tc.fast {
				t.Errorf("%s %x: fast path took it: %v, want %v", tc.op, tc.body, got, tc.fast)
			}
		})
	}
	for _, n := range []int{500, 501} {
		if got := f.checkAgree(t, "PutRecords", putRecordsCBOR(n, 16, "s")); got != (n <= 500) {
			t.Errorf("%d records: fast path took it: %v", n, got)
		}
	}
}

// The fast path leaves every error to the generic path.
func TestCBORFastPathFallsBackWithGenericErrors(t *testing.T) {
	s := newTestServer(t)
	w := serve(s, cborRequest("PutRecords", toJackson(obj{{"Records", []any{rec("a", "")}}, {"StreamName", "s"}})))
	code, msg := decodeCBORError(t, w.Body.Bytes())
	if want := "1 validation error detected: Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: " +
		"Member must have length greater than or equal to 1"; code != "ValidationException" || msg != want {
		t.Errorf("got %s %q", code, msg)
	}
}

// putRecordsCBOR builds a PutRecords body of n records of size bytes each, as the Java SDK v2 writes it.
func putRecordsCBOR(n, size int, stream string) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	recs := make([]any, n)
	for i := range recs {
		recs[i] = obj{{"Data", blob(data)}, {"PartitionKey", fmt.Sprintf("partition-%d", i)}}
	}
	return toJackson(obj{{"Records", recs}, {"StreamName", stream}})
}

func FuzzCBORFastPathAgrees(f *testing.F) {
	for _, tc := range cborFastPathCases {
		f.Add(tc.op == "PutRecords", tc.body)
	}
	f.Add(true, putRecordsCBOR(3, 5, "s"))
	fx := newCBORFastFixture(f)
	f.Fuzz(func(t *testing.T, many bool, body []byte) {
		op := "PutRecord"
		if many {
			op = "PutRecords"
		}
		fx.checkAgree(t, op, body)
	})
}
