package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// The hot path's budget: 150 MB/s of PutRecords (500 × 1 KiB records a call) and 400 MB/s of GetRecords
// on a 2-core machine, client and server together. These measure the wire layer's share.

func BenchmarkDecodePutRecords(b *testing.B) {
	fx := newFastFixture(b)
	for _, size := range []int{100, 1024, 10 << 10} {
		body := putRecordsBody(500, size, "bench-stream")
		b.Run(fmt.Sprintf("fast/500x%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var in putRecordsInput
				release, ok := fx.records(body, &in)
				if !ok {
					b.Fatal("fast path refused the body")
				}
				release()
			}
		})
		b.Run(fmt.Sprintf("generic/500x%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, e := bindGeneric[putRecordsInput](b, fx.model.ops["PutRecords"], fx.model.javaPackage, body); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}

func BenchmarkEncodePutRecords(b *testing.B) {
	out := &putRecordsOutput{results: make([]streams.PutResult, 500), encryption: streams.EncryptionNone}
	for i := range out.results {
		out.results[i] = streams.PutResult{ShardID: "shardId-000000000003",
			SequenceNumber: "49590338271490256608559692538361571095921575989136588898"}
	}
	b.ReportAllocs()
	for b.Loop() {
		buf := getBuffer(out.sizeHint())
		*buf = out.appendJSON(*buf)
		putBuffer(buf)
	}
}

func BenchmarkEncodeGetRecords(b *testing.B) {
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
		b.Run(fmt.Sprintf("10000x%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n * size))
			buf := getBuffer(chunkSize + 64<<10)
			defer putBuffer(buf)
			for b.Loop() {
				// As writeOutput does it: measure, then encode in chunks (here written nowhere).
				total := out.encodedLen()
				err := out.encodeChunks((*buf)[:0], chunkSize, func(p []byte) error { total -= len(p); return nil })
				if err != nil || total != 0 {
					b.Fatal(err, total)
				}
			}
		})
	}
}
