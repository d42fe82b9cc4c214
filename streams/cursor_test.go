package streams

import (
	"testing"
	"time"
)

func TestReadShardPositions(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1})
	s.StartEncryption(sc, ref, "k")
	const shard = "shardId-000000000000"
	for i := 0; i < 3; i++ {
		put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte{'a' + byte(i)}})
		c.Advance(time.Second)
	}
	from, err := s.ShardPosition(sc, ref, shard, IteratorTrimHorizon, time.Time{})
	if err != nil || from != 0 {
		t.Fatalf("trim horizon %d %v", from, err)
	}
	b, _, err := s.ReadShard(sc, ref, shard, from, 10, 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries) != 3 || string(b.Entries[2].Data) != "c" || b.Next != 3 || b.Tip != 3 || b.End {
		t.Fatalf("batch %+v", b)
	}
	// Nothing more: the changed channel fires when a record is committed.
	b, _, _ = s.ReadShard(sc, ref, shard, b.Next, 10, 1<<20, nil)
	select {
	case <-b.Changed:
		t.Fatal("changed before any write")
	default:
	}
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("d")})
	select {
	case <-b.Changed:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up after a commit")
	}
	latest, _ := s.ShardPosition(sc, ref, shard, IteratorLatest, time.Time{})
	at, _ := s.ShardPosition(sc, ref, shard, IteratorAtTimestamp, c.Now().Add(-1500*time.Millisecond))
	if latest != 4 || at != 2 {
		t.Fatalf("latest %d, at timestamp %d", latest, at)
	}
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("e")})
	// A closed shard reports End once read to its end.
	s.SplitShard(sc, ref, shard, "170141183460469231731687303715884105728")
	b, _, _ = s.ReadShard(sc, ref, shard, 5, 10, 1<<20, nil)
	if !b.End {
		t.Fatalf("closed shard read to its end: %+v", b)
	}
}
