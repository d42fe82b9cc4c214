package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/streams"
)

// putSpread writes n records named prefix<i> over the shards of an nShards stream, a few per put,
// moving the clock between puts so that arrivals interleave across shards.
func (e *env) putSpread(prefix string, n, nShards int, step time.Duration) {
	e.t.Helper()
	for i := 0; i < n; i += 2 {
		batch := []streams.PutEntry{toShard((i*7)%nShards, nShards, prefix+strconv.Itoa(i))}
		if i+1 < n {
			batch = append(batch, toShard((i*7+1)%nShards, nShards, prefix+strconv.Itoa(i+1)))
		}
		e.put("src", batch...)
		e.clock.Advance(step)
	}
}

// expectedRows is what the fake engine's output 0 must hold for the records of src: every record in
// (arrival, in-app stream, shard, sequence) order, as "<in-app>:<data>".
func (e *env) expectedRows(parallelism int) []string {
	recs := e.readAll("src")
	idx := func(r record) int { i, _ := shardIndex(r.shard); return i }
	slices.SortStableFunc(recs, func(a, b record) int {
		return cmp.Or(cmp.Compare(a.arrival, b.arrival), cmp.Compare(idx(a)%parallelism, idx(b)%parallelism),
			cmp.Compare(idx(a), idx(b)), cmp.Compare(a.seq, b.seq))
	})
	var out []string
	for _, r := range recs {
		if strings.HasPrefix(r.data, "bad") {
			continue
		}
		out = append(out, fmt.Sprintf("%d:%s", idx(r)%parallelism, r.data))
	}
	return out
}

// expectedCounts is the fake engine's output 1 for src's records: per 10 s window, its count.
func (e *env) expectedCounts() []string {
	counts := map[int64]int{}
	for _, r := range e.readAll("src") {
		if !strings.HasPrefix(r.data, "bad") {
			counts[r.arrival-r.arrival%fakeWindow]++
		}
	}
	var ws []int64
	for w := range counts {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s|%d", time.UnixMilli(w).UTC().Format("2006-01-02 15:04:05.000"), counts[w]))
	}
	return out
}

func TestRunLiveAndReplay(t *testing.T) {
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	e.create("counts", 1)
	e.create("out2", 1)
	e.create("counts2", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 2, "out", "counts"))
	e.putSpread("a", 60, 3, 700*time.Millisecond)
	rows := e.expectedRows(2)
	if got := datas(e.waitRecords("out", len(rows))); !slices.Equal(got, rows) {
		t.Fatalf("rows\n got %v\nwant %v", got, rows)
	}
	// Windows close once every shard has moved past their end: here the clock does, input stopped.
	e.clock.Advance(20 * time.Second)
	counts := e.expectedCounts()
	if got := datas(e.waitRecords("counts", len(counts))); !slices.Equal(got, counts) {
		t.Fatalf("counts\n got %v\nwant %v", got, counts)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}

	// A replay from TRIM_HORIZON by another application gives the same rows.
	r2 := e.start(e.appConfig(t.TempDir(), StartTrimHorizon, 2, "out2", "counts2"))
	defer r2.Stop()
	if got := datas(e.waitRecords("out2", len(rows))); !slices.Equal(got, rows) {
		t.Fatalf("replayed rows\n got %v\nwant %v", got, rows)
	}
	if got := datas(e.waitRecords("counts2", len(counts))); !slices.Equal(got, counts) {
		t.Fatalf("replayed counts\n got %v\nwant %v", got, counts)
	}
}

func TestRunRestartExactlyOnce(t *testing.T) {
	defer func(d time.Duration) { checkpointInterval = d }(checkpointInterval)
	checkpointInterval = time.Hour // checkpoints only at start and Stop
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	e.create("counts", 1)
	dir := t.TempDir()

	// 1: a clean run and Stop (checkpoint).
	r := e.start(e.appConfig(dir, StartNow, 1, "out", "counts"))
	e.putSpread("a", 20, 3, 900*time.Millisecond)
	e.waitRecords("out", 20)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	// 2: resumed, then killed: its rows and windows are in the destinations, not in the checkpoint.
	r = e.start(e.appConfig(dir, StartLastStoppedPoint, 1, "out", "counts"))
	e.putSpread("b", 20, 3, 900*time.Millisecond)
	e.clock.Advance(15 * time.Second)
	e.waitRecords("out", 40)
	e.waitRecords("counts", 2)
	r.stopCrash()
	// 3: resumed from the checkpoint of 1: it reads b again and writes none of it twice.
	r = e.start(e.appConfig(dir, StartLastStoppedPoint, 1, "out", "counts"))
	e.putSpread("c", 20, 3, 900*time.Millisecond)
	e.clock.Advance(20 * time.Second)
	rows, counts := e.expectedRows(1), e.expectedCounts()
	gotRows := e.waitRecords("out", len(rows))
	gotCounts := e.waitRecords("counts", len(counts))
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := datas(gotRows); !slices.Equal(got, rows) {
		t.Fatalf("rows\n got %v\nwant %v", got, rows)
	}
	if got := datas(gotCounts); !slices.Equal(got, counts) {
		t.Fatalf("counts\n got %v\nwant %v", got, counts)
	}
	// Keys are the output's sequence numbers, 1 up, each once.
	for i, rec := range e.readAll("out") {
		if want := keyPrefix(r.runID, 0) + strconv.Itoa(i+1); rec.key != want {
			t.Fatalf("row %d key %q, want %q", i, rec.key, want)
		}
	}
	if n := len(e.readAll("out")); n != len(rows) {
		t.Fatalf("%d rows in out, want %d", n, len(rows))
	}
}

func TestRunReshard(t *testing.T) {
	e := newEnv(t)
	e.create("src", 2)
	e.create("out", 1)
	r := e.start(e.appConfig(t.TempDir(), StartTrimHorizon, 3, "out"))
	defer r.Stop()
	e.putSpread("a", 10, 2, 300*time.Millisecond)
	ref := streams.StreamRef{Name: "src"}
	if err := e.store.SplitShard(sc, ref, "shardId-000000000000", "85070591730234615865843651857942052864"); err != nil {
		t.Fatal(err)
	}
	// Children 2 and 3 take shard 0's range; shard 1 stays open.
	e.putSpread("b", 10, 4, 300*time.Millisecond)
	if err := e.store.MergeShards(sc, ref, "shardId-000000000002", "shardId-000000000003"); err != nil {
		t.Fatal(err)
	}
	e.putSpread("c", 10, 2, 300*time.Millisecond)
	rows := e.expectedRows(3)
	got := datas(e.waitRecords("out", len(rows)))
	// Across a reshard too, the order is by arrival, in-application stream and shard: children are read
	// once their parents are read to their end, and nothing later than their records goes first.
	if !slices.Equal(got, rows) {
		t.Fatalf("rows\n got %v\nwant %v", got, rows)
	}
	// A replay reads the closed shards first and pushes the same sequence.
	e.create("out2", 1)
	r2 := e.start(e.appConfig(t.TempDir(), StartTrimHorizon, 3, "out2"))
	defer r2.Stop()
	if got := datas(e.waitRecords("out2", len(rows))); !slices.Equal(got, rows) {
		t.Fatalf("replayed rows\n got %v\nwant %v", got, rows)
	}
}

func TestRunErrorStream(t *testing.T) {
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	e.create("errors", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 1, "out", "", "errors"))
	defer r.Stop()
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("good")}, streams.PutEntry{PartitionKey: "k", Data: []byte("bad one")})
	e.clock.Advance(time.Millisecond)
	errs := e.waitRecords("errors", 1)
	ts := time.UnixMilli(e.readAll("src")[1].arrival).UTC().Format("2006-01-02 15:04:05.000")
	want := ts + "|Error|Parse_error|bad record|" + ts + "|bad one|"
	if errs[0].data != want {
		t.Fatalf("error row %q, want %q", errs[0].data, want)
	}
	if got := datas(e.waitRecords("out", 1)); got[0] != "0:good" {
		t.Fatalf("rows %v", got)
	}
	_ = engine.ErrorStream
}

func TestRunBatches(t *testing.T) {
	// More rows than one PutRecords takes, arriving at once: they go in several calls, in order.
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 1, "out"))
	defer r.Stop()
	var recs []streams.PutEntry
	var want []string
	for i := range 1234 {
		recs = append(recs, streams.PutEntry{PartitionKey: "k", Data: []byte(strconv.Itoa(i))})
		want = append(want, "0:"+strconv.Itoa(i))
	}
	e.put("src", recs...)
	e.clock.Advance(time.Millisecond)
	if got := datas(e.waitRecords("out", len(want))); !slices.Equal(got, want) {
		t.Fatalf("got %d rows, want %d in order", len(got), len(want))
	}
}

func TestRunThrottledDestination(t *testing.T) {
	// The destination takes 1,000 records a second: the writer retries the throttled ones with backoff
	// and every row lands once.
	e := &env{t: t, clock: &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}}
	s, err := streams.Open(streams.Options{Dir: t.TempDir(), Now: e.clock.Now, SweepInterval: time.Hour, ShardLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e.store = s
	e.create("src", 2)
	e.create("out", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 1, "out"))
	defer r.Stop()
	const n = 2400
	for i := 0; i < n; i += 600 {
		var batch []streams.PutEntry
		for j := i; j < i+600; j++ {
			batch = append(batch, toShard(j%2, 2, strconv.Itoa(j)))
		}
		e.put("src", batch...)
		e.clock.Advance(time.Second)
	}
	ref := streams.StreamRef{Name: "out"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _, err := s.ReadShard(sc, ref, "shardId-000000000000", 0, 1, 1<<20, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b.Tip >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows after 30 s, want %d", b.Tip, n)
		}
		// The bucket refills with the store's clock: move it whenever the writer had to wait.
		tm := time.NewTimer(20 * time.Millisecond)
		select {
		case <-b.Changed:
		case <-tm.C:
		}
		tm.Stop()
		e.clock.Advance(time.Second)
	}
	seen := map[string]bool{}
	for _, rec := range e.readAll("out") {
		if seen[rec.data] {
			t.Fatalf("row %s twice", rec.data)
		}
		seen[rec.data] = true
	}
	if len(seen) != n {
		t.Fatalf("%d rows, want %d", len(seen), n)
	}
}

func TestRunLastStoppedPointWithoutCheckpoint(t *testing.T) {
	// No checkpoint: LAST_STOPPED_POINT starts at NOW, so records already there are not read.
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("old")})
	r := e.start(e.appConfig(t.TempDir(), StartLastStoppedPoint, 1, "out"))
	defer r.Stop()
	e.clock.Advance(time.Second)
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("new")})
	e.clock.Advance(time.Second)
	if got := datas(e.waitRecords("out", 1)); len(got) != 1 || got[0] != "0:new" {
		t.Fatalf("rows %v", got)
	}
}

func TestRunStopDestinationDown(t *testing.T) {
	// The destination is gone: Stop gives up the final checkpoint after drainTimeout and reports why,
	// leaving no goroutine behind.
	defer func(d time.Duration) { drainTimeout = d }(drainTimeout)
	drainTimeout = 50 * time.Millisecond
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 1, "out"))
	if err := e.store.DeleteStream(sc, streams.StreamRef{Name: "out"}, false); err != nil {
		t.Fatal(err)
	}
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("a")})
	e.clock.Advance(time.Second)
	if err := r.Stop(); err == nil {
		t.Fatal("Stop with the destination gone: no error")
	}
}

func TestRunSourceDeleted(t *testing.T) {
	// The source is deleted under the run: it fails for good, and Err says so.
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 1, "out"))
	if err := e.store.DeleteStream(sc, streams.StreamRef{Name: "src"}, false); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not stop")
	}
	if err := r.Err(); err == nil || streams.KindOf(err) != streams.KindNotFound {
		t.Fatalf("Err %v, want a not-found error", err)
	}
	r.Stop()
}

func TestRunRestoreFails(t *testing.T) {
	// State that does not restore (new code): the run reads on from the checkpoint's positions with
	// fresh state, numbering its rows after those already written.
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	dir := t.TempDir()
	r := e.start(e.appConfig(dir, StartNow, 1, "out"))
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("a")})
	e.clock.Advance(time.Second)
	e.waitRecords("out", 1)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	cfg := e.appConfig(dir, StartLastStoppedPoint, 1, "out")
	p := fakePlan(&cfg)
	p.restore = func([]byte, engine.Sink) (processor, error) { return nil, errors.New("another program") }
	r, err := start(context.Background(), e.store, cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("b")})
	e.clock.Advance(time.Second)
	got := e.waitRecords("out", 2)
	if datas(got)[1] != "0:b" || got[1].key != keyPrefix(r.runID, 0)+"2" {
		t.Fatalf("rows %+v", got)
	}
}

func TestRunReshardReplayAfterRestart(t *testing.T) {
	// A split, then a server restart: replayed from TRIM_HORIZON, the split shard's children join the
	// merge as soon as it is read to its end, not when the others reach the restart (a closed shard's
	// log is sealed again when it is opened), so their records keep their place by arrival.
	e := newEnv(t)
	e.create("src", 2)
	e.create("out", 1)
	e.put("src", toShard(0, 2, "a0"), toShard(1, 2, "a1"))
	e.clock.Advance(time.Second)
	if err := e.store.SplitShard(sc, streams.StreamRef{Name: "src"}, "shardId-000000000000",
		"85070591730234615865843651857942052864"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	e.put("src", toShard(0, 4, "b2")) // child shardId-000000000002
	e.clock.Advance(time.Second)
	e.put("src", toShard(2, 4, "c1")) // shardId-000000000001, after b2
	e.clock.Advance(time.Minute)
	e.reopen()

	r := e.start(e.appConfig(t.TempDir(), StartTrimHorizon, 1, "out"))
	defer r.Stop()
	rows := e.expectedRows(1)
	if want := []string{"0:a0", "0:a1", "0:b2", "0:c1"}; !slices.Equal(rows, want) {
		t.Fatalf("expected rows %v, want %v", rows, want)
	}
	if got := datas(e.waitRecords("out", len(rows))); !slices.Equal(got, rows) {
		t.Fatalf("rows\n got %v\nwant %v", got, rows)
	}
}

func TestRunRowTooLargeWithItsKey(t *testing.T) {
	// A row whose data fits a record but not with its partition key: PutRecords would refuse its whole
	// batch, for ever. It is dropped, and the rows after it land.
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 1, "out"))
	defer r.Stop()
	// The row is "0:" and the data: 1 MiB - 1, which leaves less than the key's length.
	big := strings.Repeat("x", 1<<20-3)
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte(big)})
	e.clock.Advance(time.Millisecond)
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("after")})
	e.clock.Advance(time.Millisecond)
	if got := datas(e.waitRecords("out", 1)); !slices.Equal(got, []string{"0:after"}) {
		t.Fatalf("rows %.40q", got)
	}
}

func TestRunStopDestinationDownBackpressure(t *testing.T) {
	// The destination is gone and every batch of the output is taken: the run waits for a free one when
	// Stop comes. Stop still gives up after drainTimeout and says that it did.
	defer func(d time.Duration) { drainTimeout = d }(drainTimeout)
	drainTimeout = 50 * time.Millisecond
	e := newEnv(t)
	e.create("src", 1)
	e.create("out", 1)
	r := e.start(e.appConfig(t.TempDir(), StartNow, 1, "out"))
	if err := e.store.DeleteStream(sc, streams.StreamRef{Name: "out"}, false); err != nil {
		t.Fatal(err)
	}
	var recs []streams.PutEntry
	for i := range (batchesPerOutput + 1) * maxBatchRecords {
		recs = append(recs, streams.PutEntry{PartitionKey: "k", Data: []byte(strconv.Itoa(i))})
	}
	e.put("src", recs...)
	e.clock.Advance(time.Second)
	// Once all the output's batches are taken, the run is bound to wait for one: 2000 rows need four.
	for len(r.writers[0].free) > 0 {
		select {
		case <-r.done:
			t.Fatalf("the run ended: %v", r.Err())
		default:
		}
		runtime.Gosched()
	}
	if err := r.Stop(); err == nil {
		t.Fatal("Stop with the destination gone: no error")
	}
}

func TestRunServerKilledExactlyOnce(t *testing.T) {
	// kill -9 of the server: the run ends without a checkpoint and the store is opened again (its logs
	// recovered, floors from the last arrivals). The resumed run writes each row and window once.
	defer func(d time.Duration) { checkpointInterval = d }(checkpointInterval)
	checkpointInterval = time.Hour
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	e.create("counts", 1)
	dir := t.TempDir()
	r := e.start(e.appConfig(dir, StartTrimHorizon, 2, "out", "counts"))
	e.putSpread("a", 30, 3, 700*time.Millisecond)
	e.clock.Advance(11 * time.Second)
	e.waitRecords("out", 30)
	e.waitRecords("counts", 1)
	r.stopCrash()
	e.reopen()
	r = e.start(e.appConfig(dir, StartLastStoppedPoint, 2, "out", "counts"))
	e.putSpread("b", 30, 3, 700*time.Millisecond)
	e.clock.Advance(20 * time.Second)
	rows, counts := e.expectedRows(2), e.expectedCounts()
	gotRows := datas(e.waitRecords("out", len(rows)))
	gotCounts := datas(e.waitRecords("counts", len(counts)))
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotRows, rows) || len(e.readAll("out")) != len(rows) {
		t.Fatalf("rows\n got %v\nwant %v", gotRows, rows)
	}
	if !slices.Equal(gotCounts, counts) || len(e.readAll("counts")) != len(counts) {
		t.Fatalf("counts\n got %v\nwant %v", gotCounts, counts)
	}
}

func TestReadShardExpired(t *testing.T) {
	// A closed shard expires (retention) while the run still reads it: the run goes on as if it had
	// ended, its children next, instead of failing for good on the shard it can no longer find.
	c := &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	s, err := streams.Open(streams.Options{Dir: t.TempDir(), Now: c.Now, SweepInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := &env{t: t, clock: c, store: s}
	e.create("src", 1)
	e.put("src", streams.PutEntry{PartitionKey: "k", Data: []byte("a")})
	ref := streams.StreamRef{Name: "src"}
	if err := s.SplitShard(sc, ref, "shardId-000000000000", "85070591730234615865843651857942052864"); err != nil {
		t.Fatal(err)
	}
	c.Advance(25 * time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, shards, err := s.ListShards(sc, ref, streams.ShardFilter{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if shards[0].ID != "shardId-000000000000" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("shard 0 not expired after 10 s")
		}
		runtime.Gosched()
	}
	r := &Run{store: s, log: slog.New(slog.DiscardHandler), sources: []*source{{cfg: Input{Scope: sc, Ref: ref}}}}
	b, err := r.readShard(&cursor{id: "shardId-000000000000", pos: 1})
	if err != nil || !b.End || b.Next != 1 {
		t.Fatalf("read of the expired shard: %+v, %v; want its end at 1", b, err)
	}
	// A source that is gone is still an error.
	if err := s.DeleteStream(sc, ref, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.readShard(&cursor{id: "shardId-000000000001"}); err == nil {
		t.Fatal("read of a deleted source: no error")
	}
}
