package ingest

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/fxamacker/cbor/v2"

	"github.com/hydrantio/hydrant/streams"
)

var update = flag.Bool("update", false, "rewrite the golden CBOR answers in testdata/cbor")

// javaRequests are the Java SDK v2 request fixtures (testdata/cbor/*.request.hex, written by hand from
// the SDK's and Jackson's source; see testdata/cbor/README.md) and the values they encode.
var javaRequests = []struct {
	file, op string
	value    any
	fast     bool // the CBOR fast path takes it
}{
	{"putrecords.request.hex", "PutRecords", obj{{"Records", []any{
		obj{{"Data", blob("hello")}, {"PartitionKey", "pk-1"}},
		obj{{"Data", blob{0, 0xff}}, {"ExplicitHashKey", "42"}, {"PartitionKey", "pk-2"}},
	}}, {"StreamName", "my-stream"}}, true},
	{"putrecord.request.hex", "PutRecord", obj{{"StreamName", "my-stream"}, {"Data", blob(make([]byte, 1000))},
		{"PartitionKey", "k"}, {"SequenceNumberForOrdering", "49590338271490256608559692538361571095921575989136588898"}}, true},
	{"getsharditerator-at-timestamp.request.hex", "GetShardIterator", obj{{"StreamName", "my-stream"},
		{"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "AT_TIMESTAMP"}, {"Timestamp", stamp(t0)}}, false},
	{"describelimits.request.hex", "DescribeLimits", obj{}, false},
}

// The fixtures are what the Java SDK sends; the test encoder (used by every other CBOR test) writes the
// same bytes, and the server decodes them to what the same request in JSON decodes to.
func TestCBORJavaSDKRequests(t *testing.T) {
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	fx := newCBORFastFixture(t)
	for _, tc := range javaRequests {
		t.Run(tc.file, func(t *testing.T) {
			body := hexFixture(t, filepath.Join("testdata", "cbor", tc.file))
			if enc := toJackson(tc.value); !bytes.Equal(enc, body) {
				t.Fatalf("the test encoder writes\n%x\nthe fixture is\n%x", enc, body)
			}
			want, we := typedJSON(t, m, tc.op, toJSON(tc.value))
			got, ge := typedCBOR(t, m, tc.op, body)
			if we != nil || ge != nil || !reflect.DeepEqual(want, got) {
				t.Fatalf("JSON types to %v %v, the fixture to %v %v", want, we, got, ge)
			}
			if tc.op == "PutRecords" || tc.op == "PutRecord" {
				if took := fx.checkAgree(t, tc.op, body); took != tc.fast {
					t.Errorf("fast path took the Java SDK's %s: %v", tc.op, took)
				}
			}
		})
	}

	// Against a server: records written by the fixture read back alike over JSON.
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "my-stream", 1)
	status, _, answer := it.post(t, protoCBOR, "PutRecords", hexFixture(t, "testdata/cbor/putrecords.request.hex"))
	if status != 200 {
		t.Fatalf("PutRecords: %d %v", status, decodeCBORAnswer(t, answer))
	}
	recs := it.readAll(t, "my-stream", "shardId-000000000000")
	if len(recs) != 2 || string(recs[0].Data) != "hello" || aws.ToString(recs[0].PartitionKey) != "pk-1" ||
		!bytes.Equal(recs[1].Data, []byte{0, 0xff}) || aws.ToString(recs[1].PartitionKey) != "pk-2" {
		t.Fatalf("read back: %+v", recs)
	}
	for _, tc := range []struct{ op, file string }{
		{"GetShardIterator", "getsharditerator-at-timestamp.request.hex"},
		{"DescribeLimits", "describelimits.request.hex"},
	} {
		if status, _, answer := it.post(t, protoCBOR, tc.op, hexFixture(t, "testdata/cbor/"+tc.file)); status != 200 {
			t.Errorf("%s: %d %v", tc.op, status, decodeCBORAnswer(t, answer))
		}
	}
}

// The answers Hydrant sends, byte for byte, and what the Java SDK's reader needs of them.
func TestCBORAnswers(t *testing.T) {
	arrival := time.UnixMilli(1506440188749)
	sum := describeStreamSummaryOutput{StreamDescriptionSummary: streamDescriptionSummary{
		StreamName: "my-stream", StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/my-stream",
		StreamStatus: "ACTIVE", StreamModeDetails: &streamModeDetails{StreamMode: "PROVISIONED"},
		RetentionPeriodHours: 24, StreamCreationTimestamp: epoch(arrival.Add(-time.Hour)),
		EnhancedMonitoring: []enhancedMetrics{{ShardLevelMetrics: []string{}}}, EncryptionType: "NONE",
		OpenShardCount: 2, MaxRecordSizeInKiB: 1024,
	}}
	summary, err := transcodeOutput(nil, sum, mustModel(t).ops["DescribeStreamSummary"].output)
	if err != nil {
		t.Fatal(err)
	}
	var kmax streams.HashKey
	getRecords := &getRecordsOutput{res: streams.GetRecordsResult{
		Records: []streams.Record{
			{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", Arrival: arrival,
				Data: []byte("hello"), PartitionKey: "pk-1"},
			{SequenceNumber: "49590338271490256608559692538361571095921575989136588899", Arrival: arrival.Add(time.Millisecond),
				Data: []byte{0, 0xff}, PartitionKey: "pk-2", Encrypted: true},
		},
		MillisBehindLatest: 1500,
		ChildShards: []streams.ChildShard{{ShardID: "shardId-000000000001", Parents: []string{"shardId-000000000000"},
			Hash: streams.HashRange{Start: kmax, End: kmax.Sub(1)}}},
	}}
	for _, tc := range []struct {
		file   string
		body   []byte
		checks []string // substrings of the diagnostic notation
	}{
		{"getrecords.response.hex", getRecords.appendCBOR(nil), []string{
			`"ApproximateArrivalTimestamp": 1(1506440188749)`, `"Data": h'68656c6c6f'`, `"MillisBehindLatest": 1500`,
			`"EncryptionType": "KMS"`, `"ChildShards": [{"ShardId": "shardId-000000000001"`}},
		{"putrecords.response.hex", (&putRecordsOutput{encryption: "NONE", results: []streams.PutResult{
			{ShardID: "shardId-000000000000", SequenceNumber: "49590338271490256608559692538361571095921575989136588898"},
			{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000000."},
		}}).appendCBOR(nil), []string{`"FailedRecordCount": 1`, `"EncryptionType": "NONE"`}},
		{"putrecord.response.hex", putRecordOutput{ShardId: "shardId-000000000000",
			SequenceNumber: "49590338271490256608559692538361571095921575989136588898", EncryptionType: "NONE"}.appendCBOR(nil),
			[]string{`"ShardId": "shardId-000000000000"`}},
		{"describestreamsummary.response.hex", summary, []string{
			`"StreamCreationTimestamp": 1(1506436588749)`, `"RetentionPeriodHours": 24`, `"EnhancedMonitoring": [{"ShardLevelMetrics": []}]`}},
		{"validation-error.response.hex", appendCBORError(nil, errorf(ErrValidation,
			"1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")),
			[]string{`"__type": "ValidationException", "message": "1 validation error detected`}},
		{"serialization-error.response.hex", appendCBORError(nil, serializationError("class java.lang.String can not be converted to an Integer")),
			[]string{`"Message": "class java.lang.String`}},
		{"internal-failure.response.hex", appendCBORError(nil, internal(fmt.Errorf("disk on fire"))),
			[]string{`{"__type": "InternalFailure"}`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			diag, err := cbor.Diagnose(tc.body)
			if err != nil {
				t.Fatalf("not CBOR: %v\n%x", err, tc.body)
			}
			for _, c := range tc.checks {
				if !strings.Contains(diag, c) {
					t.Errorf("diagnostic notation lacks %s:\n%s", c, diag)
				}
			}
			javaReadable(t, tc.body)
			path := filepath.Join("testdata", "cbor", tc.file)
			if *update {
				writeGolden(t, path, tc.body, diag)
				return
			}
			if want := hexFixture(t, path); !bytes.Equal(tc.body, want) {
				t.Errorf("answer changed (run with -update if on purpose):\ngot  %x\nwant %x\n%s", tc.body, want, diag)
			}
		})
	}
}

// javaReadable checks an answer against what the Java SDK v2's reader (Jackson's CBORParser under
// JsonUnmarshallingParser) needs: every timestamp member is tag 1 and an integer (its text goes through
// Long.parseLong), every tag is tag 1, and the body is one item.
func javaReadable(t *testing.T, b []byte) {
	t.Helper()
	r := cborReader{b: b}
	var walk func() bool
	walk = func() bool {
		if r.i >= len(b) {
			return false
		}
		major, arg, indef, ok := r.head()
		if !ok {
			return false
		}
		switch major {
		case cborBytes, cborText:
			if indef || arg > uint64(len(b)-r.i) {
				return false
			}
			r.i += int(arg)
		case cborArray, cborMap:
			n := arg
			if major == cborMap {
				n *= 2
			}
			for i := uint64(0); i < n; i++ {
				if !walk() {
					return false
				}
			}
		case cborTag:
			if arg != 1 || r.i >= len(b) || b[r.i]>>5 > cborNegint {
				t.Errorf("tag %d at %d is not tag 1 on an integer", arg, r.i)
				return false
			}
			return walk()
		}
		return true
	}
	if !walk() || r.i != len(b) {
		t.Errorf("answer is not one well-formed item the Java SDK reads: %x", b)
	}
}

// writeGolden writes an annotated hex golden file.
func writeGolden(t *testing.T, path string, body []byte, diag string) {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("# Golden CBOR answer (go test ./ingest -run TestCBORAnswers -update rewrites it). Diagnostic notation:\n")
	for _, line := range wrap(diag, 100) {
		sb.WriteString("#   " + line + "\n")
	}
	h := hex.EncodeToString(body)
	for i := 0; i < len(h); i += 64 {
		sb.WriteString(h[i:min(i+64, len(h))] + "\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wrap(s string, width int) []string {
	var out []string
	for len(s) > width {
		out = append(out, s[:width])
		s = s[width:]
	}
	return append(out, s)
}

func mustModel(t testing.TB) *model {
	t.Helper()
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A CBOR answer served over HTTP carries the CBOR content type, the length it announces, and request ids.
func TestCBORAnswerHeaders(t *testing.T) {
	s := newTestServer(t)
	w := httptest.NewRecorder()
	if err := writeCBOROutput(w, putRecordOutput{ShardId: "a", SequenceNumber: "1"}, nil); err != nil {
		t.Fatal(err)
	}
	if w.Header().Get("Content-Type") != contentTypeCBOR || w.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len()) {
		t.Errorf("headers %v for %d bytes", w.Header(), w.Body.Len())
	}
	w = httptest.NewRecorder()
	if err := writeCBOROutput(w, nil, nil); err != nil || w.Body.Len() != 0 || w.Code != 200 {
		t.Errorf("empty output: %d %x %v", w.Code, w.Body.Bytes(), err)
	}
	rw := serve(s, cborRequest("DescribeStream", toJackson(obj{})))
	checkRequestIDs(t, rw.Header())
}
