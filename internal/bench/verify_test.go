package bench

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

type testRec struct {
	seq  string
	key  string
	data []byte
}

// testStream is what a correct server holds after two workers wrote n records
// each, round-robin over 8 keys, into two shards.
type testStream struct {
	topo   *topology
	ledger *Ledger
	shards [][]testRec
}

const testRecordSize = 40

func newTestStream(t *testing.T, n int) *testStream {
	t.Helper()
	half, _ := parseHashKey("170141183460469231731687303715884105727")
	next, _ := parseHashKey("170141183460469231731687303715884105728")
	last, _ := parseHashKey("340282366920938463463374607431768211455")
	topo, err := newTopology(partitionKeys(8), []shardRange{
		{ID: "shard-0", End: half, Open: true},
		{ID: "shard-1", Start: next, End: last, Open: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testStream{topo: topo, ledger: newLedger(77, testRecordSize, 2, 2), shards: make([][]testRec, 2)}
	for c := range n {
		for w := range 2 {
			k := (c + w) % 8
			data := make([]byte, testRecordSize)
			for i := headerSize; i < len(data); i++ {
				data[i] = byte(c*7 + w + i)
			}
			putHeader(data, header{Run: 77, Worker: uint32(w), Counter: uint64(c), Key: uint32(k)}, data[headerSize:])
			s := topo.keyOpen[k]
			ts.shards[s] = append(ts.shards[s], testRec{key: topo.keys[k], data: data})
			ts.ledger.Workers[w].ShardAcked[s]++
		}
	}
	for w := range 2 {
		ts.ledger.Workers[w].Issued = uint64(n)
	}
	return ts
}

// find returns the shard and position of a worker's record.
func (ts *testStream) find(w int, c uint64) (int, int) {
	for s, recs := range ts.shards {
		for i, r := range recs {
			h, _ := parsePayload(r.data)
			if int(h.Worker) == w && h.Counter == c {
				return s, i
			}
		}
	}
	panic(fmt.Sprintf("no record %d/%d", w, c))
}

// check runs the records through a Checker, numbering those without a
// sequence number in the order they are in their shard.
func (ts *testStream) check(fresh bool) *Verification {
	c := newChecker(ts.ledger, ts.topo, fresh)
	for s, recs := range ts.shards {
		sc := c.shard(s)
		for i, r := range recs {
			seq := r.seq
			if seq == "" {
				seq = fmt.Sprintf("49%020d", i+1)
			}
			sc.check([]byte(seq), []byte(r.key), r.data)
		}
	}
	return c.Finish()
}

func TestVerify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(ts *testStream)
		fresh  bool
		ok     bool
		check  func(v *Verification) bool
	}{
		{"intact", func(*testStream) {}, true, true, func(v *Verification) bool {
			return v.Read == 200 && v.Expected == 200 && v.ReadBytes == 200*testRecordSize
		}},
		{"duplicated", func(ts *testStream) {
			s, i := ts.find(1, 40)
			ts.shards[s] = append(ts.shards[s], ts.shards[s][i])
		}, true, false, func(v *Verification) bool { return v.Duplicated == 1 && v.Missing == 0 }},
		{"duplicated in another shard", func(ts *testStream) {
			s, i := ts.find(0, 3)
			ts.shards[1-s] = append(ts.shards[1-s], ts.shards[s][i])
		}, true, false, func(v *Verification) bool { return v.Duplicated == 1 }},
		{"missing", func(ts *testStream) {
			s, i := ts.find(0, 99)
			ts.shards[s] = slices.Delete(ts.shards[s], i, i+1)
		}, true, false, func(v *Verification) bool {
			return v.Missing == 1 && v.Read == 199 && len(v.Problems) == 1
		}},
		{"reordered", func(ts *testStream) {
			s, i := ts.find(1, 10)
			_, j := ts.find(1, 18) // same key, so same shard
			ts.shards[s][i], ts.shards[s][j] = ts.shards[s][j], ts.shards[s][i]
		}, true, false, func(v *Verification) bool { return v.Reordered > 0 && v.Missing == 0 }},
		{"corrupted data", func(ts *testStream) {
			s, i := ts.find(0, 5)
			ts.shards[s][i].data = bytes.Clone(ts.shards[s][i].data)
			ts.shards[s][i].data[30] ^= 0x10
		}, true, false, func(v *Verification) bool { return v.Corrupted == 1 && v.Missing == 1 }},
		{"corrupted counter", func(ts *testStream) {
			s, i := ts.find(0, 5)
			ts.shards[s][i].data = bytes.Clone(ts.shards[s][i].data)
			ts.shards[s][i].data[8]++
		}, true, false, func(v *Verification) bool { return v.Corrupted == 1 }},
		{"truncated", func(ts *testStream) {
			s, i := ts.find(0, 6)
			ts.shards[s][i].data = ts.shards[s][i].data[:headerSize+3]
		}, true, false, func(v *Verification) bool { return v.Corrupted == 1 }},
		{"wrong partition key", func(ts *testStream) {
			s, i := ts.find(1, 6)
			ts.shards[s][i].key = "pk-other"
		}, true, false, func(v *Verification) bool { return v.Corrupted == 1 }},
		{"misrouted", func(ts *testStream) {
			s, i := ts.find(1, 7)
			r := ts.shards[s][i]
			ts.shards[s] = slices.Delete(ts.shards[s], i, i+1)
			ts.shards[1-s] = append(ts.shards[1-s], r)
		}, true, false, func(v *Verification) bool { return v.Misrouted == 1 && v.Missing == 0 }},
		{"sequence numbers out of order", func(ts *testStream) {
			for s := range ts.shards {
				for i := range ts.shards[s] {
					ts.shards[s][i].seq = fmt.Sprintf("%d", 1000+i)
				}
			}
			ts.shards[0][3].seq, ts.shards[0][4].seq = ts.shards[0][4].seq, ts.shards[0][3].seq
		}, true, false, func(v *Verification) bool { return v.SequenceErrors == 1 }},
		{"foreign record in a fresh stream", func(ts *testStream) {
			ts.shards[0] = append(ts.shards[0], testRec{key: "x", data: []byte("some other producer")})
		}, true, false, func(v *Verification) bool { return v.Unexpected == 1 && v.Foreign == 1 }},
		{"foreign record in an existing stream", func(ts *testStream) {
			other := bytes.Clone(ts.shards[0][0].data)
			other[0]++ // another run's id
			ts.shards[0] = append([]testRec{{key: "x", data: other}}, ts.shards[0]...)
		}, false, true, func(v *Verification) bool { return v.Foreign == 1 && v.Read == 200 }},
		{"never sent", func(ts *testStream) {
			ts.ledger.Workers[0].Issued = 90 // the stream holds records 90..99 too
		}, true, false, func(v *Verification) bool { return v.Unexpected == 10 }},
		{"refused yet present", func(ts *testStream) {
			ts.ledger.Workers[0].mark(&ts.ledger.Workers[0].Dropped, 12)
		}, true, false, func(v *Verification) bool { return v.Unexpected == 1 && v.Missing == 0 }},
		{"refused and absent", func(ts *testStream) {
			ts.ledger.Workers[0].mark(&ts.ledger.Workers[0].Dropped, 12)
			s, i := ts.find(0, 12)
			ts.shards[s] = slices.Delete(ts.shards[s], i, i+1)
		}, true, true, func(v *Verification) bool { return v.Expected == 199 && v.Read == 199 }},
		{"unknown outcome, absent", func(ts *testStream) {
			ts.ledger.Workers[1].mark(&ts.ledger.Workers[1].Maybe, 50)
			s, i := ts.find(1, 50)
			ts.shards[s] = slices.Delete(ts.shards[s], i, i+1)
		}, true, true, func(v *Verification) bool { return v.UncertainSent == 1 && v.UncertainRead == 0 }},
		{"unknown outcome, present", func(ts *testStream) {
			ts.ledger.Workers[1].mark(&ts.ledger.Workers[1].Maybe, 50)
		}, true, true, func(v *Verification) bool {
			return v.UncertainSent == 1 && v.UncertainRead == 1 && v.Read == 200 && v.Expected == 199
		}},
		{"resent after a partial failure lands late", func(ts *testStream) {
			s, i := ts.find(1, 10)
			r := ts.shards[s][i]
			ts.shards[s] = slices.Insert(slices.Delete(ts.shards[s], i, i+1), i+3, r)
			ts.ledger.Workers[1].mark(&ts.ledger.Workers[1].Retried, 10)
		}, true, true, func(v *Verification) bool { return v.Reordered == 0 }},
		{"late without having been resent", func(ts *testStream) {
			s, i := ts.find(1, 10)
			r := ts.shards[s][i]
			ts.shards[s] = slices.Insert(slices.Delete(ts.shards[s], i, i+1), i+3, r)
		}, true, false, func(v *Verification) bool { return v.Reordered == 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestStream(t, 100)
			tc.mutate(ts)
			v := ts.check(tc.fresh)
			if v.OK() != tc.ok || !tc.check(v) {
				t.Errorf("OK() = %v, want %v; %+v", v.OK(), tc.ok, v)
			}
		})
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	g := newGenerator(9, 3, 100, 50, [32]byte{1})
	seen := map[string]bool{}
	for i := range 1000 {
		p := make([]byte, 100)
		tail, k := g.fill(p[:headerSize])
		copy(p[headerSize:], tail)
		h, ok := parsePayload(p)
		if !ok || h != (header{Run: 9, Worker: 3, Counter: uint64(i), Key: uint32(k)}) || k >= 50 {
			t.Fatalf("record %d: header %+v ok %v key %d", i, h, ok, k)
		}
		if seen[string(p)] {
			t.Fatalf("record %d repeats an earlier payload", i)
		}
		seen[string(p)] = true
		p[len(p)-1] ^= 1
		if _, ok := parsePayload(p); ok {
			t.Fatal("a flipped bit passes the checksum")
		}
	}
	if _, ok := parsePayload(make([]byte, headerSize-1)); ok {
		t.Error("a short payload parses")
	}
}

func TestCompareSeq(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1", "2", -1}, {"10", "9", 1}, {"0010", "9", 1}, {"49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692538361571095921575989136588899", -1},
		{"5", "5", 0}, {"005", "5", 0},
	} {
		if got := compareSeq([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("compareSeq(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
