package bench

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/hydrantio/hydrant/ingest"
	"github.com/hydrantio/hydrant/streams"
)

// The CBOR request bodies decode, with a reference decoder, to what the JSON ones say.
func TestAppendCBORBodies(t *testing.T) {
	recs := []record{{Key: "k1", Head: []byte("head"), Tail: []byte("tail")}, {Key: "日本", Head: []byte{0}, Tail: nil}}
	var put struct {
		StreamName string
		Records    []struct {
			Data         []byte
			PartitionKey string
		}
	}
	if err := cbor.Unmarshal(appendPutRecordsCBOR(nil, "st", recs), &put); err != nil {
		t.Fatal(err)
	}
	if put.StreamName != "st" || len(put.Records) != 2 || string(put.Records[0].Data) != "headtail" ||
		put.Records[1].PartitionKey != "日本" || !bytes.Equal(put.Records[1].Data, []byte{0}) {
		t.Errorf("PutRecords: %+v", put)
	}
	var one struct {
		StreamName, PartitionKey string
		Data                     []byte
	}
	if err := cbor.Unmarshal(appendPutRecordCBOR(nil, "st", recs[0]), &one); err != nil || one.StreamName != "st" ||
		one.PartitionKey != "k1" || string(one.Data) != "headtail" {
		t.Errorf("PutRecord: %+v %v", one, err)
	}
	var get struct {
		ShardIterator string
		Limit         int
	}
	if err := cbor.Unmarshal(appendGetRecordsCBOR(nil, "it", 10000), &get); err != nil || get.ShardIterator != "it" || get.Limit != 10000 {
		t.Errorf("GetRecords: %+v %v", get, err)
	}
}

// The fast CBOR decoder agrees with the reference one, and unusual answers take the fallback.
func TestDecodeGetRecordsCBOR(t *testing.T) {
	type rec struct {
		SequenceNumber              string
		ApproximateArrivalTimestamp cbor.Tag
		Data                        []byte
		PartitionKey                string
		EncryptionType              string `cbor:",omitempty"`
	}
	type answer struct {
		Records            []rec
		NextShardIterator  *string `cbor:",omitempty"`
		MillisBehindLatest int64
		ChildShards        []map[string]any `cbor:",omitempty"`
	}
	it := "AAAA"
	ts := cbor.Tag{Number: 1, Content: uint64(1506440188749)}
	for _, a := range []answer{
		{Records: []rec{{"1", ts, []byte("data"), "k", ""}, {"2", ts, []byte{}, "k2", "KMS"}}, NextShardIterator: &it, MillisBehindLatest: 5},
		{Records: []rec{}, MillisBehindLatest: 0, ChildShards: []map[string]any{{"ShardId": "s", "ParentShards": []string{"p"}}}},
	} {
		body, err := cbor.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var fast, slow getRecordsOutput
		if err := fast.decodeCBORFast(body); err != nil {
			t.Fatalf("fast decoder refused %x: %v", body, err)
		}
		if err := decodeGetRecordsCBOR(&slow, body); err != nil {
			t.Fatal(err)
		}
		if len(fast.Records) != len(a.Records) || fast.HasNext != (a.NextShardIterator != nil) ||
			fast.MillisBehindLatest != a.MillisBehindLatest || !reflect.DeepEqual(norm(fast.Records), norm(slow.Records)) {
			t.Errorf("fast %+v\nslow %+v", fast, slow)
		}
	}
	// A chunked string is left to the reference decoder.
	chunked := []byte("\xa2\x67Records\x81\xa1\x6cPartitionKey\x7f\x61k\xff\x72MillisBehindLatest\x00")
	var o getRecordsOutput
	if err := o.decodeCBORFast(chunked); err == nil {
		t.Error("fast decoder took a chunked string")
	}
	if err := decodeGetRecordsCBOR(&o, chunked); err != nil || len(o.Records) != 1 || string(o.Records[0].PartitionKey) != "k" {
		t.Errorf("fallback: %+v %v", o, err)
	}
}

func norm(rs []getRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r.SequenceNumber)+"|"+string(r.PartitionKey)+"|"+string(r.Data))
	}
	return out
}

// The whole bench in CBOR against a real Hydrant: every record written is read back and verified.
func TestRunCBORAgainstHydrant(t *testing.T) {
	store, err := streams.Open(streams.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := ingest.NewServer(ingest.Config{Logger: slog.New(slog.DiscardHandler)}, store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		srv.Shutdown(context.Background())
		if err := <-done; err != nil && err != http.ErrServerClosed {
			t.Error(err)
		}
	}()
	cfg := smallConfig("http://" + ln.Addr().String())
	cfg.Protocol = ProtocolCBOR
	cfg.Mode = "putrecords,putrecord,getrecords"
	cfg.Records = 600
	var progress strings.Builder
	rep, err := Run(context.Background(), cfg, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if v := rep.Verification; v == nil || !v.OK() || v.Read != 1200 || rep.Failed() {
		t.Fatalf("verification %+v", rep.Verification)
	}
	if rep.Protocol != ProtocolCBOR {
		t.Errorf("report protocol %q", rep.Protocol)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "(cbor)") {
		t.Errorf("text report: %s %v", text.String(), err)
	}
}

func TestProtocolFlag(t *testing.T) {
	cfg := smallConfig("http://127.0.0.1:1")
	cfg.Protocol = "xml"
	if err := cfg.check(); err == nil || !strings.Contains(err.Error(), "want json or cbor") {
		t.Errorf("protocol xml: %v", err)
	}
}
