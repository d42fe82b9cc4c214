package buffer

import (
	"context"
	"testing"

	"github.com/hydrantio/hydrant/streams"
)

func TestAnalyticsStreamsLog(t *testing.T) {
	e := newEnv(t, 0)
	e.create("direct", s3Config())
	if err := e.store.CreateStream(testScope, streams.CreateStreamInput{Name: "src", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	src := s3Config()
	src.Type = TypeKinesisStreamAsSource
	src.Source = Source{StreamARN: "arn:aws:kinesis:" + testScope.Region + ":" + testScope.Account + ":stream/src",
		StartingPosition: streams.IteratorTrimHorizon}
	e.create("fromkinesis", src)
	a := AnalyticsStreams{M: e.m}

	// A record written through the log is one PutRecordBatch would have written.
	sc, ref, err := a.Log(streams.Scope{Account: testScope.Account, Region: testScope.Region, Namespace: "ignored"}, "direct")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.PutRecords(context.Background(), sc, ref, []streams.PutEntry{{Data: []byte("x"), PartitionKey: "k"}}); err != nil {
		t.Fatal(err)
	}
	res, err := e.m.PutRecords(context.Background(), testScope, "direct", [][]byte{[]byte("y")})
	if err != nil || res.Failed != 0 {
		t.Fatal(res, err)
	}
	batch, _, err := e.store.ReadShard(sc, ref, "shardId-000000000000", 0, 10, 1<<20, nil)
	if err != nil || len(batch.Entries) != 2 || string(batch.Entries[0].Data) != "x" || string(batch.Entries[1].Data) != "y" {
		t.Fatalf("log holds %d entries, %v", len(batch.Entries), err)
	}

	_, _, err = a.Log(testScope, "fromkinesis")
	wantErr(t, err, streams.KindInvalidArgument, "Firehose fromkinesis under account "+testScope.Account+" is a "+
		"KinesisStreamAsSource delivery stream: only a DirectPut delivery stream can be read or written by an application.")
	_, _, err = a.Log(testScope, "nope")
	wantErr(t, err, streams.KindNotFound, "Firehose nope under account "+testScope.Account+" not found.")
	_, _, err = a.Log(streams.Scope{Account: testScope.Account, Region: "ap-south-1"}, "direct")
	wantErr(t, err, streams.KindNotFound, "not found")
}
