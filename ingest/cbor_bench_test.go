package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// CBOR against JSON on the hot paths. Throughput (SetBytes) counts record data, not body bytes, so that
// the figures compare what a producer or consumer gets through: a JSON body is a third larger (base64).

func BenchmarkDecodePutRecordsByProtocol(b *testing.B) {
	fx := newFastFixture(b)
	cfx := newCBORFastFixture(b)
	for _, size := range []int{100, 1024, 10 << 10} {
		bodies := map[string][]byte{"json": putRecordsBody(500, size, "bench-stream"), "cbor": putRecordsCBOR(500, size, "bench-stream")}
		for _, proto := range []string{"json", "cbor"} {
			body := bodies[proto]
			dec := fx.records
			if proto == "cbor" {
				dec = cfx.records
			}
			b.Run(fmt.Sprintf("%s/fast/500x%d", proto, size), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(500 * size))
				for b.Loop() {
					var in putRecordsInput
					release, ok := dec(body, &in)
					if !ok {
						b.Fatal("fast path refused the body")
					}
					release()
				}
			})
			b.Run(fmt.Sprintf("%s/generic/500x%d", proto, size), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(500 * size))
				op := fx.model.ops["PutRecords"]
				for b.Loop() {
					var e *Error
					if proto == "cbor" {
						_, e = bindGenericCBOR[putRecordsInput](b, op, fx.model.javaPackage, body)
					} else {
						_, e = bindGeneric[putRecordsInput](b, op, fx.model.javaPackage, body)
					}
					if e != nil {
						b.Fatal(e)
					}
				}
			})
		}
	}
}

func BenchmarkEncodePutRecordsByProtocol(b *testing.B) {
	out := &putRecordsOutput{results: make([]streams.PutResult, 500), encryption: streams.EncryptionNone}
	for i := range out.results {
		out.results[i] = streams.PutResult{ShardID: "shardId-000000000003",
			SequenceNumber: "49590338271490256608559692538361571095921575989136588898"}
	}
	for _, proto := range []string{"json", "cbor"} {
		b.Run(proto, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf := getBuffer(out.sizeHint())
				if proto == "cbor" {
					*buf = out.appendCBOR(*buf)
				} else {
					*buf = out.appendJSON(*buf)
				}
				putBuffer(buf)
			}
		})
	}
}

func BenchmarkEncodeGetRecordsByProtocol(b *testing.B) {
	for _, size := range []int{100, 1024} {
		const n = 10000
		res := streams.GetRecordsResult{Records: make([]streams.Record, n), NextIterator: "AAAAAAAAAAFq" + string(make([]byte, 200))}
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i)
		}
		arrival := time.UnixMilli(1506440188749)
		for i := range res.Records {
			res.Records[i] = streams.Record{
				SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
				Arrival:        arrival,
				Data:           data,
				PartitionKey:   fmt.Sprintf("partition-%d", i),
			}
		}
		out := &getRecordsOutput{res: res}
		for _, proto := range []string{"json", "cbor"} {
			b.Run(fmt.Sprintf("%s/10000x%d", proto, size), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(n * size))
				buf := getBuffer(chunkSize + 64<<10)
				defer putBuffer(buf)
				for b.Loop() {
					// As the writers do it: measure, then encode in chunks (here written nowhere).
					var total int
					var err error
					if proto == "cbor" {
						total = out.cborLen()
						err = out.encodeCBORChunks((*buf)[:0], chunkSize, func(p []byte) error { total -= len(p); return nil })
					} else {
						total = out.encodedLen()
						err = out.encodeChunks((*buf)[:0], chunkSize, func(p []byte) error { total -= len(p); return nil })
					}
					if err != nil || total != 0 {
						b.Fatal(err, total)
					}
				}
			})
		}
	}
}

// End to end over loopback HTTP/1.1, client and server in one process: PutRecords of 500 × 1 KiB and
// GetRecords of 10,000 × 1 KiB, in each protocol.
func BenchmarkIntegrationPutRecordsByProtocol(b *testing.B) {
	for _, proto := range []protocol{protoJSON, protoCBOR} {
		b.Run(proto.name(), func(b *testing.B) {
			it := newBenchIntegration(b)
			body := putRecordsBody(500, 1024, "bench")
			if proto == protoCBOR {
				body = putRecordsCBOR(500, 1024, "bench")
			}
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			defer c.CloseIdleConnections()
			b.SetBytes(500 * 1024)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if code, n := benchPostProto(c, it.url, proto, "PutRecords", body); code != 200 {
						b.Errorf("%d %d", code, n)
						return
					}
				}
			})
		})
	}
}

func BenchmarkIntegrationGetRecordsByProtocol(b *testing.B) {
	for _, proto := range []protocol{protoJSON, protoCBOR} {
		b.Run(proto.name(), func(b *testing.B) {
			it := newBenchIntegration(b)
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			defer c.CloseIdleConnections()
			put := putRecordsBody(500, 1024, "bench")
			for range 20 {
				if code, resp := benchPost(c, it.url, "PutRecords", put); code != 200 {
					b.Fatalf("%d %s", code, resp)
				}
			}
			_, resp := benchPost(c, it.url, "GetShardIterator", []byte(`{"StreamName":"bench","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`))
			var out struct{ ShardIterator string }
			if err := json.Unmarshal(resp, &out); err != nil {
				b.Fatal(err)
			}
			get := toJSON(obj{{"ShardIterator", out.ShardIterator}})
			if proto == protoCBOR {
				get = toJackson(obj{{"ShardIterator", out.ShardIterator}})
			}
			b.SetBytes(10000 * 1024)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if code, n := benchPostProto(c, it.url, proto, "GetRecords", get); code != 200 || n < 10000*1024 {
						b.Errorf("%d %d bytes", code, n)
						return
					}
				}
			})
		})
	}
}

func (p protocol) name() string {
	if p == protoCBOR {
		return "cbor"
	}
	return "json"
}

// benchPostProto posts in the given protocol and counts the answer's bytes without keeping them.
func benchPostProto(c *http.Client, url string, p protocol, op string, body []byte) (int, int64) {
	req, _ := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	ct := contentTypeJSON11
	if p == protoCBOR {
		ct = contentTypeCBOR
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", testAuth)
	req.Header.Set("X-Amz-Date", "20261122T000000Z")
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n
}
