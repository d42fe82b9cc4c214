package streams

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// A shard whose log fails (a disk error) fails only its own records: a PutRecords that spans shards
// answers them InternalFailure, per record, and writes the others once, so that a client retrying the
// failed records (as the SDKs and the analytics writer do) writes nothing twice. A request whose every
// record failed is an error, as PutRecord's must be.
func TestPutPartialShardFailure(t *testing.T) {
	fs := newFaultFS()
	s := openStore(t, t.TempDir(), newClock(), func(o *Options) {
		o.openFile = func(name string, flag int, perm os.FileMode) (logFile, error) {
			if strings.Contains(name, "shardId-000000000001") {
				return fs.open(name, flag, perm)
			}
			return openOSFile(name, flag, perm)
		}
	})
	if err := s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	const low, high = "0", "340282366920938463463374607431768211455" // shard 0's and shard 1's
	fs.failWrite.Store(true)
	entries := []PutEntry{
		{PartitionKey: "a", ExplicitHashKey: low, Data: []byte("a0")},
		{PartitionKey: "b", ExplicitHashKey: high, Data: []byte("b0")},
		{PartitionKey: "a", ExplicitHashKey: low, Data: []byte("a1")},
	}
	res, _, err := s.PutRecords(context.Background(), sc, StreamRef{Name: "s"}, entries)
	if err != nil {
		t.Fatalf("PutRecords: %v, want per-record results", err)
	}
	for i, want := range []string{"shardId-000000000000", "", "shardId-000000000000"} {
		r := res[i]
		switch {
		case want == "" && (r.ErrorCode != "InternalFailure" || r.ErrorMessage != "Internal service failure." || r.SequenceNumber != ""):
			t.Fatalf("record %d: %+v, want InternalFailure", i, r)
		case want != "" && (r.ErrorCode != "" || r.ShardID != want || r.SequenceNumber == ""):
			t.Fatalf("record %d: %+v, want written to %s", i, r, want)
		}
	}
	// Only the failed shard's records are in error: shard 0 holds a0 and a1 once.
	got := storeReadAll(t, s, "s", "shardId-000000000000")
	if len(got) != 2 || string(got[0].Data) != "a0" || string(got[1].Data) != "a1" {
		t.Fatalf("shard 0 holds %d records", len(got))
	}
	// Everything on the failed shard: the request fails as a whole.
	if _, _, err := s.PutRecord(context.Background(), sc, StreamRef{Name: "s"}, entries[1], ""); !errors.Is(err, errInjected) {
		t.Fatalf("PutRecord to the failed shard: %v, want the write error", err)
	}
	results := make([]PutResult, 1)
	if err := s.Write(context.Background(), sc, StreamRef{Name: "s"}, entries[1:2], results); !errors.Is(err, errInjected) {
		t.Fatalf("Write to the failed shard: %v, want the write error", err)
	}
}
