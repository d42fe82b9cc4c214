package streams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
)

// clock is an injectable clock for store tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var sc = Scope{Account: "000000000000", Region: "us-east-1"}

func openStore(t *testing.T, dir string, c *clock, mod ...func(*Options)) *Store {
	t.Helper()
	o := Options{Dir: dir, Now: c.Now, SweepInterval: time.Hour}
	for _, f := range mod {
		f(&o)
	}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustKind(t *testing.T, err error, k ErrorKind) {
	t.Helper()
	if KindOf(err) != k {
		t.Fatalf("got error %v (kind %d), want kind %d", err, KindOf(err), k)
	}
}

func put(t *testing.T, s *Store, name string, recs ...PutEntry) []PutResult {
	t.Helper()
	res, _, err := s.PutRecords(context.Background(), sc, StreamRef{Name: name}, recs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func storeReadAll(t *testing.T, s *Store, name, shard string) []Record {
	t.Helper()
	it, err := s.GetShardIterator(sc, StreamRef{Name: name}, shard, IteratorTrimHorizon, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	for it != "" {
		res, err := s.GetRecords(context.Background(), sc, it, 10000, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			r.Data = bytes.Clone(r.Data)
			out = append(out, r)
		}
		it = res.NextIterator
		res.Release()
		if len(res.Records) == 0 {
			break
		}
	}
	return out
}

func TestCreateDescribeRoute(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	if err := s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	mustKind(t, s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 2}), KindInUse)
	info, err := s.DescribeStream(sc, StreamRef{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != StatusActive || len(info.Shards) != 2 || info.RetentionHours != 24 ||
		info.ARN != "arn:aws:kinesis:us-east-1:000000000000:stream/s" {
		t.Fatalf("info %+v", info)
	}
	if got := info.Shards[0].Hash.End.String(); got != "170141183460469231731687303715884105727" {
		t.Fatalf("shard 0 end %s", got)
	}
	// The ARN addresses the same stream; a mismatched name is refused.
	if _, err := s.DescribeStream(Scope{Account: "1", Region: "x"}, StreamRef{ARN: info.ARN}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DescribeStream(sc, StreamRef{ARN: info.ARN, Name: "other"})
	mustKind(t, err, KindInvalidArgument)
	// Another region does not see it.
	_, err = s.DescribeStream(Scope{Account: sc.Account, Region: "eu-west-1"}, StreamRef{Name: "s"})
	mustKind(t, err, KindNotFound)

	var recs []PutEntry
	for i := 0; i < 200; i++ {
		recs = append(recs, PutEntry{PartitionKey: fmt.Sprintf("key-%d", i), Data: []byte(fmt.Sprintf("data-%d", i))})
	}
	res := put(t, s, "s", recs...)
	half := new(big.Int).Lsh(big.NewInt(1), 127)
	for i, r := range res {
		want := "shardId-000000000000"
		if new(big.Int).SetBytes(func() []byte { b := PartitionHash(recs[i].PartitionKey).Bytes(); return b[:] }()).Cmp(half) >= 0 {
			want = "shardId-000000000001"
		}
		if r.ShardID != want {
			t.Fatalf("record %d went to %s, want %s", i, r.ShardID, want)
		}
	}
	// Read back: each shard's records in put order, with the sequence numbers PutRecords returned.
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001"} {
		got := storeReadAll(t, s, "s", shard)
		var want []int
		for i, r := range res {
			if r.ShardID == shard {
				want = append(want, i)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d records, want %d", shard, len(got), len(want))
		}
		prev := new(big.Int)
		for j, i := range want {
			if string(got[j].Data) != string(recs[i].Data) || got[j].SequenceNumber != res[i].SequenceNumber {
				t.Fatalf("%s[%d] = %q %s, want %q %s", shard, j, got[j].Data, got[j].SequenceNumber, recs[i].Data, res[i].SequenceNumber)
			}
			n, _ := new(big.Int).SetString(got[j].SequenceNumber, 10)
			if n.Cmp(prev) <= 0 {
				t.Fatal("sequence numbers not increasing")
			}
			prev = n
		}
	}
	// An explicit hash key overrides the partition key.
	r := put(t, s, "s", PutEntry{PartitionKey: "a", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("x")})
	if r[0].ShardID != "shardId-000000000001" {
		t.Fatalf("explicit hash key went to %s", r[0].ShardID)
	}
	_, _, err = s.PutRecords(context.Background(), sc, StreamRef{Name: "s"},
		[]PutEntry{{PartitionKey: "a", ExplicitHashKey: "340282366920938463463374607431768211456"}})
	mustKind(t, err, KindInvalidArgument)
}

func TestIterators(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	if err := s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	const shard = "shardId-000000000000"
	var res []PutResult
	for i := 0; i < 5; i++ {
		res = append(res, put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte{byte('a' + i)}})...)
		c.Advance(time.Second)
	}
	read := func(typ, seq string, ts *time.Time) string {
		it, err := s.GetShardIterator(sc, StreamRef{Name: "s"}, shard, typ, seq, ts)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		r, err := s.GetRecords(context.Background(), sc, it, 100, "")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Release()
		var b []byte
		for _, x := range r.Records {
			b = append(b, x.Data...)
		}
		return string(b)
	}
	if got := read(IteratorTrimHorizon, "", nil); got != "abcde" {
		t.Fatalf("TRIM_HORIZON read %q", got)
	}
	if got := read(IteratorLatest, "", nil); got != "" {
		t.Fatalf("LATEST read %q", got)
	}
	if got := read(IteratorAtSeq, res[2].SequenceNumber, nil); got != "cde" {
		t.Fatalf("AT read %q", got)
	}
	if got := read(IteratorAfterSeq, res[2].SequenceNumber, nil); got != "de" {
		t.Fatalf("AFTER read %q", got)
	}
	ts := c.Now().Add(-3 * time.Second)
	if got := read(IteratorAtTimestamp, "", &ts); got != "cde" {
		t.Fatalf("AT_TIMESTAMP read %q", got)
	}
	future := c.Now().Add(time.Hour)
	_, err := s.GetShardIterator(sc, StreamRef{Name: "s"}, shard, IteratorAtTimestamp, "", &future)
	mustKind(t, err, KindInvalidArgument)
	_, err = s.GetShardIterator(sc, StreamRef{Name: "s"}, shard, IteratorLatest, res[0].SequenceNumber, nil)
	mustKind(t, err, KindInvalidArgument)
	_, err = s.GetShardIterator(sc, StreamRef{Name: "s"}, "shardId-000000000009", IteratorLatest, "", nil)
	mustKind(t, err, KindNotFound)

	// Iterators expire after five minutes, and a forged or edited one is refused.
	it, _ := s.GetShardIterator(sc, StreamRef{Name: "s"}, shard, IteratorTrimHorizon, "", nil)
	c.Advance(IteratorTTL + time.Millisecond)
	_, err = s.GetRecords(context.Background(), sc, it, 10, "")
	mustKind(t, err, KindExpiredIterator)
	it, _ = s.GetShardIterator(sc, StreamRef{Name: "s"}, shard, IteratorTrimHorizon, "", nil)
	b := []byte(it)
	b[10] ^= 1
	_, err = s.GetRecords(context.Background(), sc, string(b), 10, "")
	mustKind(t, err, KindInvalidArgument)
	_, err = s.GetRecords(context.Background(), sc, "AAAA", 10, "")
	mustKind(t, err, KindInvalidArgument)

	// An iterator of a deleted and re-created stream does not read the new one.
	if err := s.DeleteStream(sc, StreamRef{Name: "s"}, false); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Millisecond) // the new stream's creation time differs from the old one's
	if err := s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetRecords(context.Background(), sc, it, 10, "")
	mustKind(t, err, KindNotFound)
}

func TestReshardLineage(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	ref := StreamRef{Name: "s"}
	if err := s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	put(t, s, "s", PutEntry{PartitionKey: "a", Data: []byte("before")})
	mid := "170141183460469231731687303715884105728"
	mustKind(t, s.SplitShard(sc, ref, "shardId-000000000000", "1"), KindInvalidArgument)
	if err := s.SplitShard(sc, ref, "shardId-000000000000", mid); err != nil {
		t.Fatal(err)
	}
	mustKind(t, s.SplitShard(sc, ref, "shardId-000000000000", mid), KindInvalidArgument) // already split
	info, _ := s.DescribeStream(sc, ref)
	if len(info.Shards) != 3 || info.Shards[0].EndingSeq == "" || info.Shards[1].ParentID != "shardId-000000000000" ||
		info.Shards[2].Hash.Start.String() != mid || info.OpenShards != 2 {
		t.Fatalf("after split: %+v", info.Shards)
	}
	after := put(t, s, "s", PutEntry{PartitionKey: "a", Data: []byte("after")})
	if after[0].ShardID == "shardId-000000000000" {
		t.Fatal("record written to a closed shard")
	}
	// Reading the parent ends with ChildShards and no next iterator.
	it, _ := s.GetShardIterator(sc, ref, "shardId-000000000000", IteratorTrimHorizon, "", nil)
	r, err := s.GetRecords(context.Background(), sc, it, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 1 || r.NextIterator != "" || len(r.ChildShards) != 2 {
		t.Fatalf("parent read: %d records, next %q, children %+v", len(r.Records), r.NextIterator, r.ChildShards)
	}
	r.Release()
	mustKind(t, s.MergeShards(sc, ref, "shardId-000000000001", "shardId-000000000000"), KindInvalidArgument)
	if err := s.MergeShards(sc, ref, "shardId-000000000002", "shardId-000000000001"); err != nil {
		t.Fatal(err)
	}
	info, _ = s.DescribeStream(sc, ref)
	last := info.Shards[len(info.Shards)-1]
	if last.ParentID != "shardId-000000000002" || last.AdjacentParentID != "shardId-000000000001" ||
		last.Hash.Start.String() != "0" || last.Hash.End != MaxHashKey {
		t.Fatalf("merged shard %+v", last)
	}
	// ListShards filters.
	_, open, _ := s.ListShards(sc, ref, ShardFilter{Type: "AT_LATEST"}, time.Time{})
	if len(open) != 1 || open[0].ID != last.ID {
		t.Fatalf("AT_LATEST: %+v", open)
	}
	_, afterID, _ := s.ListShards(sc, ref, ShardFilter{Type: "AFTER_SHARD_ID", ShardID: "shardId-000000000001"}, time.Time{})
	if len(afterID) != 2 {
		t.Fatalf("AFTER_SHARD_ID: %+v", afterID)
	}
}

func TestUpdateShardCountUniform(t *testing.T) {
	for _, tc := range []struct{ from, to int }{{1, 2}, {2, 3}, {3, 2}, {5, 3}, {4, 8}, {8, 4}, {3, 5}, {7, 7}} {
		t.Run(fmt.Sprintf("%d-%d", tc.from, tc.to), func(t *testing.T) {
			c := newClock()
			s := openStore(t, t.TempDir(), c)
			ref := StreamRef{Name: "s"}
			if err := s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: tc.from}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateShardCount(sc, ref, tc.to); err != nil {
				t.Fatal(err)
			}
			_, open, _ := s.ListShards(sc, ref, ShardFilter{Type: "AT_LATEST"}, time.Time{})
			if len(open) != tc.to {
				t.Fatalf("%d open shards, want %d", len(open), tc.to)
			}
			sort.Slice(open, func(i, j int) bool { return open[i].Hash.Start.Less(open[j].Hash.Start) })
			for i, sh := range open {
				if want := splitHashSpace(i, tc.to); sh.Hash != want {
					t.Fatalf("shard %d range %v, want %v", i, sh.Hash, want)
				}
			}
			// Every shard has at most two parents and every parent exists in the listing.
			info, _ := s.DescribeStream(sc, ref)
			ids := map[string]bool{}
			for _, sh := range info.Shards {
				ids[sh.ID] = true
			}
			for _, sh := range info.Shards {
				for _, p := range []string{sh.ParentID, sh.AdjacentParentID} {
					if p != "" && !ids[p] {
						t.Fatalf("%s has unknown parent %s", sh.ID, p)
					}
				}
			}
		})
	}
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 2})
	_, err := s.UpdateShardCount(sc, StreamRef{Name: "s"}, 5)
	mustKind(t, err, KindLimitExceeded)
	s.CreateStream(sc, CreateStreamInput{Name: "od", Mode: ModeOnDemand})
	_, err = s.UpdateShardCount(sc, StreamRef{Name: "od"}, 5)
	mustKind(t, err, KindValidation)
}

func TestRetentionDeletesData(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := openStore(t, dir, c, func(o *Options) { o.SegmentBytes = 4096 })
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1})
	payload := bytes.Repeat([]byte("x"), 1000)
	for i := 0; i < 50; i++ {
		put(t, s, "s", PutEntry{PartitionKey: "k", Data: payload})
	}
	c.Advance(2 * time.Hour)
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("new")})
	shardDir := filepath.Join(dir, "streams", sc.Account, sc.Region, "s", "shardId-000000000000")
	before := dirSize(t, shardDir)

	mustKind(t, s.DecreaseRetention(sc, ref, 23), KindInvalidArgument)
	mustKind(t, s.IncreaseRetention(sc, ref, 8761), KindInvalidArgument)
	mustKind(t, s.IncreaseRetention(sc, ref, 12), KindInvalidArgument)
	c.Advance(23 * time.Hour) // the old records are now 25 h old, the new one 23 h
	s.sweep()
	got := storeReadAll(t, s, "s", "shardId-000000000000")
	if len(got) != 1 || string(got[0].Data) != "new" {
		t.Fatalf("after retention: %d records", len(got))
	}
	if after := dirSize(t, shardDir); after >= before/2 {
		t.Fatalf("disk not freed: %d bytes before, %d after", before, after)
	}
	// Deleting the stream frees its directory.
	if err := s.DeleteStream(sc, ref, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(shardDir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stream dir still there: %v", err)
	}
}

// DecreaseStreamRetentionCheck keeps the table above readable.
func (s *Store) DecreaseStreamRetentionCheck(ref StreamRef, h int) error {
	return s.DecreaseRetention(sc, ref, h)
}

func dirSize(t *testing.T, dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func TestReopenKeepsEverything(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := openStore(t, dir, c)
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1, Tags: map[string]string{"team": "a"}})
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("one")})
	s.SplitShard(sc, ref, "shardId-000000000000", "170141183460469231731687303715884105728")
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("two")})
	it, _ := s.GetShardIterator(sc, ref, "shardId-000000000000", IteratorTrimHorizon, "", nil)
	before, _ := s.DescribeStream(sc, ref)
	s.Close()

	s2 := openStore(t, dir, c)
	after, err := s2.DescribeStream(sc, ref)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before.Shards) != fmt.Sprint(after.Shards) {
		t.Fatalf("shards changed across restart:\n%v\n%v", before.Shards, after.Shards)
	}
	tags, _ := s2.ListTags(sc, ref)
	if tags["team"] != "a" {
		t.Fatalf("tags %v", tags)
	}
	// Iterators survive a restart (their key is on disk).
	r, err := s2.GetRecords(context.Background(), sc, it, 10, "")
	if err != nil || len(r.Records) != 1 || string(r.Records[0].Data) != "one" {
		t.Fatalf("read after restart: %v %+v", err, r.Records)
	}
	r.Release()
}

func TestEncryptionAtRest(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := openStore(t, dir, c)
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1})
	put(t, s, "s", PutEntry{PartitionKey: "k", Data: []byte("plain-before")})
	if err := s.StartEncryption(sc, ref, "alias/aws/kinesis"); err != nil {
		t.Fatal(err)
	}
	_, enc, _ := s.PutRecords(context.Background(), sc, ref, []PutEntry{{PartitionKey: "k", Data: []byte("SECRET-PAYLOAD")}})
	if enc != EncryptionKMS {
		t.Fatalf("encryption %q", enc)
	}
	info, _ := s.DescribeStream(sc, ref)
	if info.EncryptionType != EncryptionKMS || info.KeyID != "alias/aws/kinesis" {
		t.Fatalf("info %+v", info)
	}
	got := storeReadAll(t, s, "s", "shardId-000000000000")
	if len(got) != 2 || string(got[1].Data) != "SECRET-PAYLOAD" || !got[1].Encrypted || got[0].Encrypted {
		t.Fatalf("read %+v", got)
	}
	s.Close()
	filepath.Walk(filepath.Join(dir, "streams"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte("SECRET-PAYLOAD")) {
				t.Errorf("%s holds the plaintext", p)
			}
		}
		return nil
	})
}

func TestTransitionsWithDelay(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c, func(o *Options) { o.TransitionDelay = 500 * time.Millisecond })
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1})
	info, _ := s.DescribeStream(sc, ref)
	if info.Status != StatusCreating {
		t.Fatalf("status %s", info.Status)
	}
	_, _, err := s.PutRecords(context.Background(), sc, ref, []PutEntry{{PartitionKey: "k"}})
	mustKind(t, err, KindNotFound)
	c.Advance(time.Second)
	if info, _ = s.DescribeStream(sc, ref); info.Status != StatusActive {
		t.Fatalf("status %s", info.Status)
	}
	if err := s.IncreaseRetention(sc, ref, 48); err != nil {
		t.Fatal(err)
	}
	if info, _ = s.DescribeStream(sc, ref); info.Status != StatusUpdating {
		t.Fatalf("status %s", info.Status)
	}
	mustKind(t, s.IncreaseRetention(sc, ref, 72), KindInUse)
	c.Advance(time.Second)
	if err := s.DeleteStream(sc, ref, false); err != nil {
		t.Fatal(err)
	}
	if info, _ = s.DescribeStream(sc, ref); info.Status != StatusDeleting {
		t.Fatalf("status %s", info.Status)
	}
	c.Advance(time.Second)
	_, err = s.DescribeStream(sc, ref)
	mustKind(t, err, KindNotFound)
}

func TestShardLimits(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c, func(o *Options) { o.ShardLimits = true })
	ref := StreamRef{Name: "s"}
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 1})
	var recs []PutEntry
	for i := 0; i < 500; i++ {
		recs = append(recs, PutEntry{PartitionKey: "k", Data: make([]byte, 1000)})
	}
	put(t, s, "s", recs...)
	put(t, s, "s", recs...)
	res := put(t, s, "s", recs...) // 1500 records in one second: 500 over the 1000/s limit
	failed := 0
	for _, r := range res {
		if r.ErrorCode == "ProvisionedThroughputExceededException" {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("no record throttled")
	}
	c.Advance(time.Second)
	if res := put(t, s, "s", recs[:10]...); res[0].ErrorCode != "" {
		t.Fatalf("still throttled after a second: %+v", res[0])
	}
	it, _ := s.GetShardIterator(sc, ref, "shardId-000000000000", IteratorTrimHorizon, "", nil)
	for i := 0; i < 5; i++ {
		r, err := s.GetRecords(context.Background(), sc, it, 1, "")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		r.Release()
	}
	_, err := s.GetRecords(context.Background(), sc, it, 1, "")
	mustKind(t, err, KindThroughputExceeded)
}

func TestConcurrentPutsKeepOrder(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 4})
	const workers, batches = 8, 30
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				var recs []PutEntry
				for i := 0; i < 50; i++ {
					recs = append(recs, PutEntry{PartitionKey: fmt.Sprintf("w%d-%d", w, i%7), Data: []byte(fmt.Sprintf("%d/%06d", w, b*50+i))})
				}
				if _, _, err := s.PutRecords(context.Background(), sc, StreamRef{Name: "s"}, recs); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for i := 0; i < 4; i++ {
		last := map[byte]string{}
		for _, r := range storeReadAll(t, s, "s", shardID(i)) {
			w := r.Data[0]
			if string(r.Data) <= last[w] {
				t.Fatalf("shard %d: %s after %s", i, r.Data, last[w])
			}
			last[w] = string(r.Data)
			total++
		}
	}
	if total != workers*batches*50 {
		t.Fatalf("read %d records, want %d", total, workers*batches*50)
	}
}

func TestNamespacedStreamsAreApart(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := openStore(t, dir, c, func(o *Options) { o.ShardQuota = 3 })
	internal := Scope{Account: sc.Account, Region: sc.Region, Namespace: "firehose"}
	if err := s.CreateStream(internal, CreateStreamInput{Name: "s", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	// The same name is free in the Kinesis namespace, and the internal shards do not count against
	// its quota.
	if err := s.CreateStream(sc, CreateStreamInput{Name: "s", ShardCount: 3}); err != nil {
		t.Fatal(err)
	}
	if got := s.ListStreams(sc); len(got) != 1 || len(s.ListStreams(internal)) != 1 {
		t.Fatalf("kinesis lists %d streams, internal %d", len(got), len(s.ListStreams(internal)))
	}
	if _, _, err := s.PutRecords(context.Background(), internal, StreamRef{Name: "s"}, []PutEntry{{PartitionKey: "k", Data: []byte("hidden")}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openStore(t, dir, c)
	var got []string
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001"} {
		for _, r := range storeReadAll(t, s2, "s", shard) {
			got = append(got, string(r.Data))
		}
	}
	if len(got) != 0 {
		t.Fatalf("the Kinesis stream reads %q from the internal one", got)
	}
	info, err := s2.DescribeStream(internal, StreamRef{Name: "s"})
	if err != nil || len(info.Shards) != 2 {
		t.Fatalf("internal stream after reopen: %+v %v", info, err)
	}
}

// TestConcurrentReshardsAndCreates used to deadlock: a reshard held its stream's lock while it took
// the store's, and CreateStream the reverse.
func TestConcurrentReshardsAndCreates(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	for i := 0; i < 4; i++ {
		s.CreateStream(sc, CreateStreamInput{Name: fmt.Sprintf("r%d", i), ShardCount: 1})
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			ref := StreamRef{Name: fmt.Sprintf("r%d", i)}
			for n := 0; n < 8; n++ {
				if _, err := s.UpdateShardCount(sc, ref, 1+n%2+1); err != nil && KindOf(err) != KindLimitExceeded {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for n := 0; n < 8; n++ {
				s.CreateStream(sc, CreateStreamInput{Name: fmt.Sprintf("c%d-%d", i, n), ShardCount: 1})
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("deadlock: reshards and creates did not finish")
	}
}
