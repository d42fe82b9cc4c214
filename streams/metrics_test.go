package streams

import "testing"

func TestMetricsCount(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 2})
	put(t, s, "s", PutEntry{PartitionKey: "a", Data: []byte("12345")}, PutEntry{PartitionKey: "b", Data: []byte("678")})
	storeReadAll(t, s, "s", "shardId-000000000000")
	storeReadAll(t, s, "s", "shardId-000000000001")
	ms := s.Metrics()
	if len(ms) != 1 {
		t.Fatalf("%d streams", len(ms))
	}
	m := ms[0]
	if m.Name != "s" || m.OpenShards != 2 || m.IncomingRecords != 2 || m.IncomingBytes != 8 ||
		m.OutgoingRecords != 2 || m.OutgoingBytes != 8 || m.DiskBytes == 0 {
		t.Fatalf("metrics %+v", m)
	}
}
