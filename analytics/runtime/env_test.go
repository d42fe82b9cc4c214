package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/value"
	"github.com/hydrantio/hydrant/streams"
)

var sc = streams.Scope{Account: "000000000000", Region: "us-east-1"}

// clock is the store's clock, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

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

// env is a real store on a temporary directory.
type env struct {
	t     *testing.T
	dir   string
	clock *clock
	store *streams.Store
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, dir: t.TempDir(), clock: &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}}
	s, err := streams.Open(streams.Options{Dir: e.dir + "/store", Now: e.clock.Now, SweepInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	e.store = s
	t.Cleanup(func() { s.Close() })
	return e
}

// reopen closes the store and opens it again on the same directory, as a restart of the server does.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.store.Close(); err != nil {
		e.t.Fatal(err)
	}
	s, err := streams.Open(streams.Options{Dir: e.dir + "/store", Now: e.clock.Now, SweepInterval: time.Hour})
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = s
	e.t.Cleanup(func() { s.Close() })
}

func (e *env) create(name string, shards int) {
	e.t.Helper()
	if err := e.store.CreateStream(sc, streams.CreateStreamInput{Name: name, ShardCount: shards}); err != nil {
		e.t.Fatal(err)
	}
}

// put writes one record per datum, to the shard given by the datum's partition key.
func (e *env) put(name string, recs ...streams.PutEntry) {
	e.t.Helper()
	res, _, err := e.store.PutRecords(context.Background(), sc, streams.StreamRef{Name: name}, recs)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range res {
		if r.ErrorCode != "" {
			e.t.Fatal(r.ErrorMessage)
		}
	}
}

// toShard is a record routed to shard i of an n-shard stream (made so) by an explicit hash key.
func toShard(i, n int, data string) streams.PutEntry {
	k := new(big.Int).Lsh(big.NewInt(1), 128)
	k.Div(k, big.NewInt(int64(n)))
	k.Mul(k, big.NewInt(int64(i)))
	k.Add(k, big.NewInt(1))
	return streams.PutEntry{PartitionKey: "k", Data: []byte(data), ExplicitHashKey: k.String()}
}

// record is a destination record, copied.
type record struct {
	key, data string
	shard     string
	seq       uint64
	arrival   int64
}

// readAll returns every record of a stream, shard by shard in shard order.
func (e *env) readAll(name string) []record {
	e.t.Helper()
	ref := streams.StreamRef{Name: name}
	_, shards, err := e.store.ListShards(sc, ref, streams.ShardFilter{}, time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []record
	for _, sh := range shards {
		var pos uint64
		for {
			b, _, err := e.store.ReadShard(sc, ref, sh.ID, pos, 10000, 1<<30, nil)
			if err != nil {
				e.t.Fatal(err)
			}
			for _, en := range b.Entries {
				out = append(out, record{key: string(en.PartitionKey), data: string(en.Data), shard: sh.ID,
					seq: en.Seq, arrival: en.Arrival})
			}
			pos = b.Next
			if len(b.Entries) == 0 || pos >= b.Tip {
				break
			}
		}
	}
	return out
}

// waitRecords waits until stream name (of one shard) holds at least n records, and returns them.
func (e *env) waitRecords(name string, n int) []record {
	e.t.Helper()
	ref := streams.StreamRef{Name: name}
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		b, _, err := e.store.ReadShard(sc, ref, "shardId-000000000000", 0, 1, 1<<20, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		if int(b.Tip) >= n {
			return e.readAll(name)
		}
		select {
		case <-b.Changed:
		case <-deadline.C:
			got := e.readAll(name)
			e.t.Fatalf("%s: %d records after 20 s, want %d: %v", name, len(got), n, got)
		}
	}
}

func datas(rs []record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.data
	}
	return out
}

// fakeMapper makes one row of one VARCHAR column of a record; a record starting with "bad" does not
// map.
type fakeMapper struct{}

func (fakeMapper) Map(rec []byte, emit func([]value.Value), onErr func(*format.MapError)) {
	if strings.HasPrefix(string(rec), "bad") {
		onErr(&format.MapError{Name: "Parse_error", Message: "bad record"})
		return
	}
	row := [1]value.Value{value.NewString(string(rec))}
	emit(row[:])
}

// fakeEncoder writes a row's columns' text joined by '|'.
type fakeEncoder struct{}

func (fakeEncoder) Append(dst []byte, row []value.Value) []byte {
	for i, v := range row {
		if i > 0 {
			dst = append(dst, '|')
		}
		dst = v.AppendText(dst)
	}
	return dst
}

// fakeEngine stands in for the engine: output 0 gets every row ("<in-app index>:<data>"); output 1,
// when there is one, gets per 10-second tumbling window of ROWTIME the count of rows, when Advance
// passes the window's end.
type fakeEngine struct {
	sink    engine.Sink
	counts  bool            // output 1 exists
	windows map[int64]int64 // window start -> rows
	last    int64
}

const fakeWindow = 10_000

func (f *fakeEngine) Push(input int, r engine.Row) {
	if r.Time < f.last {
		panic(fmt.Sprintf("row at %d after %d", r.Time, f.last))
	}
	f.last = r.Time
	f.sink.Emit(0, engine.Row{Time: r.Time, Cols: []value.Value{value.NewString(strconv.Itoa(input) + ":" + r.Cols[0].S)}})
	f.windows[r.Time-r.Time%fakeWindow]++
}

func (f *fakeEngine) Advance(t int64) {
	if t < f.last {
		panic(fmt.Sprintf("advance to %d after a row at %d", t, f.last))
	}
	f.last = t
	var ends []int64
	for w := range f.windows {
		if w+fakeWindow <= t {
			ends = append(ends, w)
		}
	}
	slices.Sort(ends)
	for _, w := range ends {
		if !f.counts {
			delete(f.windows, w)
			continue
		}
		f.sink.Emit(1, engine.Row{Time: w + fakeWindow, Cols: []value.Value{value.NewTimestamp(w), value.NewInt(f.windows[w])}})
		delete(f.windows, w)
	}
}

func (f *fakeEngine) Snapshot() ([]byte, error) {
	b := binary.AppendVarint(nil, f.last)
	ws := make([]int64, 0, len(f.windows))
	for w := range f.windows {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	for _, w := range ws {
		b = binary.AppendVarint(b, w)
		b = binary.AppendVarint(b, f.windows[w])
	}
	return b, nil
}

func restoreFake(snap []byte, s engine.Sink) (processor, error) {
	f := &fakeEngine{sink: s, windows: map[int64]int64{}}
	v, n := binary.Varint(snap)
	if n <= 0 {
		return nil, errors.New("bad snapshot")
	}
	f.last, snap = v, snap[n:]
	for len(snap) > 0 {
		w, n := binary.Varint(snap)
		c, m := binary.Varint(snap[n:])
		if n <= 0 || m <= 0 {
			return nil, errors.New("bad snapshot")
		}
		f.windows[w] = c
		snap = snap[n+m:]
	}
	return f, nil
}

// fakePlan runs the fake engine over inputs and outputs of cfg.
func fakePlan(cfg *Config) *plan {
	p := &plan{outputs: engineOutputs(cfg.Outputs)}
	for range cfg.Inputs {
		p.mappers = append(p.mappers, fakeMapper{})
	}
	for range cfg.Outputs {
		p.encoders = append(p.encoders, fakeEncoder{})
	}
	counts := len(p.outputs) > 1
	p.start = func(s engine.Sink) processor { return &fakeEngine{sink: s, windows: map[int64]int64{}, counts: counts} }
	p.restore = func(snap []byte, s engine.Sink) (processor, error) {
		f, err := restoreFake(snap, s)
		if err == nil {
			f.(*fakeEngine).counts = counts
		}
		return f, err
	}
	return p
}

// appConfig reads stream "src" and writes the fake engine's output 0 ("ROWS") to "out" and output 1
// ("COUNTS") to "counts" when it exists.
func (e *env) appConfig(dir, start string, parallelism int, outs ...string) Config {
	cfg := Config{Name: "app", ARN: "arn:aws:kinesisanalytics:us-east-1:000000000000:application/app",
		Dir: dir, Created: time.Unix(1, 0)}
	cfg.Inputs = []Input{{NamePrefix: "SOURCE_SQL_STREAM", Parallelism: parallelism, Scope: sc,
		Ref: streams.StreamRef{Name: "src"}, Start: start}}
	names := []string{"ROWS", "COUNTS", engine.ErrorStream}
	for i, o := range outs {
		if o == "" {
			continue
		}
		cfg.Outputs = append(cfg.Outputs, Output{Name: names[i], Format: "JSON", Scope: sc, Ref: streams.StreamRef{Name: o}})
	}
	return cfg
}

func (e *env) start(cfg Config) *Run {
	e.t.Helper()
	r, err := start(context.Background(), e.store, cfg, fakePlan(&cfg))
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}
