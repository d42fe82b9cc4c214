package ingest

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/streams"
)

// bindGeneric decodes body the generic way into In: parse, type, validate, bind.
func bindGeneric[In any](t testing.TB, op *opShape, javaPackage string, body []byte) (*In, *Error) {
	t.Helper()
	n, ok := parseJSON(body)
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

type fastFixture struct {
	model   *model
	records fastDecoder[putRecordsInput]
	record  fastDecoder[putRecordInput]
}

func newFastFixture(t testing.TB) *fastFixture {
	t.Helper()
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := newPutRecordsDecoder(m.ops["PutRecords"])
	if err != nil {
		t.Fatal(err)
	}
	r, err := newPutRecordDecoder(m.ops["PutRecord"])
	if err != nil {
		t.Fatal(err)
	}
	return &fastFixture{model: m, records: rs, record: r}
}

// checkAgree fails if the fast path accepts body and the generic path does not bind the same input.
// It reports whether the fast path accepted it.
func (f *fastFixture) checkAgree(t testing.TB, op string, body []byte) bool {
	t.Helper()
	switch op {
	case "PutRecords":
		var fast putRecordsInput
		release, ok := f.records(body, &fast)
		if !ok {
			if !reflect.DeepEqual(fast, putRecordsInput{}) {
				t.Fatalf("fast path gave up on %q but left %+v behind", body, fast)
			}
			return false
		}
		defer release()
		gen, e := bindGeneric[putRecordsInput](t, f.model.ops[op], f.model.javaPackage, body)
		if e != nil {
			t.Fatalf("fast path accepted %q; generic path: %v", body, e)
		}
		if fast.streamAddr != gen.streamAddr || !entriesEqual(fast.Records, gen.Records) {
			t.Fatalf("paths disagree on %q:\nfast    %+v\ngeneric %+v", body, fast, *gen)
		}
	case "PutRecord":
		var fast putRecordInput
		release, ok := f.record(body, &fast)
		if !ok {
			if !reflect.DeepEqual(fast, putRecordInput{}) {
				t.Fatalf("fast path gave up on %q but left %+v behind", body, fast)
			}
			return false
		}
		defer release()
		gen, e := bindGeneric[putRecordInput](t, f.model.ops[op], f.model.javaPackage, body)
		if e != nil {
			t.Fatalf("fast path accepted %q; generic path: %v", body, e)
		}
		if fast.streamAddr != gen.streamAddr || fast.SequenceNumberForOrdering != gen.SequenceNumberForOrdering ||
			!entriesEqual([]streams.PutEntry{fast.PutEntry}, []streams.PutEntry{gen.PutEntry}) {
			t.Fatalf("paths disagree on %q:\nfast    %+v\ngeneric %+v", body, fast, *gen)
		}
	}
	return true
}

func entriesEqual(a, b []streams.PutEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].PartitionKey != b[i].PartitionKey || a[i].ExplicitHashKey != b[i].ExplicitHashKey ||
			string(a[i].Data) != string(b[i].Data) {
			return false
		}
	}
	return true
}

var fastPathCases = []struct {
	op   string
	body string
	fast bool // the fast path takes it
}{
	{"PutRecords", `{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k"}],"StreamName":"s"}`, true},
	{"PutRecords", " {\n \"StreamName\" : \"s\" ,\t\"Records\" : [ { \"PartitionKey\" : \"k\" , \"Data\" : \"\" } ] } \n", true},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"日本","ExplicitHashKey":"340282366920938463463374607431768211455"},{"Data":"AAE=","PartitionKey":"b"}],"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StreamId":"abcdefghij0123456789-abc"}`, true},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}]}`, true}, // no stream: the handler's error, same on both paths
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"a\"b"}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"\u00e9"}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k","Extra":1}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}],"StreamName":"s","Extra":1}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}],"StreamName":"s","StreamName":"t"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","Data":"AA==","PartitionKey":"k"}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}],"StreamName":null}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA=","PartitionKey":"k"}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"+/+=","PartitionKey":"k"}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":""}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"` + strings.Repeat("k", 257) + `"}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k","ExplicitHashKey":"01"}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA=="}],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}],"StreamName":"a b"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}],"StreamName":"s"}x`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"},],"StreamName":"s"}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}],"StreamName":"s",}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k"}],"StreamName":1}`, false},
	{"PutRecords", `{"Records":[{"Data":"AA==","PartitionKey":"k\xff"}],"StreamName":"s"}`, false},
	{"PutRecords", `{}`, false},
	{"PutRecord", `{"Data":"aGVsbG8=","PartitionKey":"k","StreamName":"s"}`, true},
	{"PutRecord", `{"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"7","SequenceNumberForOrdering":"49590338271490256608559692538361571095921575989136588898","Data":""}`, true},
	{"PutRecord", `{"Data":"aGVsbG8=","PartitionKey":"k","StreamName":"s","SequenceNumberForOrdering":"x"}`, false},
	{"PutRecord", `{"Data":"aGVsbG8=","PartitionKey":"k","StreamName":"s","Records":[]}`, false},
	{"PutRecord", `{"Data":"aGVsbG8=","StreamName":"s"}`, false},
}

func TestFastPath(t *testing.T) {
	f := newFastFixture(t)
	for i, tc := range fastPathCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if got := f.checkAgree(t, tc.op, []byte(tc.body)); got != tc.fast {
				t.Errorf("%s %s: fast path took it: %v, want %v", tc.op, tc.body, got, tc.fast)
			}
		})
	}
}

func TestFastPathRecordLimit(t *testing.T) {
	f := newFastFixture(t)
	for _, n := range []int{500, 501} {
		body := putRecordsBody(n, 16, "s")
		if got := f.checkAgree(t, "PutRecords", body); got != (n <= 500) {
			t.Errorf("%d records: fast path took it: %v", n, got)
		}
	}
}

// The fast path must leave every error to the generic path: for a body it refuses, the handler's answer
// is the generic one.
func TestFastPathFallsBackWithGenericErrors(t *testing.T) {
	s := newTestServer(t)
	w := serve(s, request("PutRecords", `{"Records":[{"Data":"AA=","PartitionKey":"k"}],"StreamName":"s"}`))
	if want := `{"__type":"SerializationException","Message":"'AA=' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"}`; w.Body.String() != want {
		t.Errorf("got %s", w.Body)
	}
}

// putRecordsBody builds a plain PutRecords body of n records of size bytes each.
func putRecordsBody(n, size int, stream string) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Data":"%s","PartitionKey":"partition-%d"}`, enc, i)
	}
	b.WriteString(`],"StreamName":"` + stream + `"}`)
	return []byte(b.String())
}

func FuzzFastPathAgrees(f *testing.F) {
	for _, tc := range fastPathCases {
		f.Add(tc.op == "PutRecords", []byte(tc.body))
	}
	f.Add(true, putRecordsBody(3, 5, "s"))
	fx := newFastFixture(f)
	f.Fuzz(func(t *testing.T, many bool, body []byte) {
		op := "PutRecord"
		if many {
			op = "PutRecords"
		}
		fx.checkAgree(t, op, body)
	})
}
