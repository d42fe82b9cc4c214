package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/streams"
)

// Tests over the real engine and format: SQL in, JSON records in, JSON rows out.

const filterSQL = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), price REAL, change REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, price, change FROM "SOURCE_SQL_STREAM_001" WHERE change > 0;`

const tumblingSQL = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), n BIGINT, total REAL, avg_price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*), SUM(price), AVG(price) FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`

const slidingSQL = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), avg_price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, AVG(price) OVER W1 FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);`

var tickerColumns = []format.Column{
	{Name: "TICKER_SYMBOL", SQLType: "VARCHAR(8)", Mapping: "$.ticker_symbol"},
	{Name: "SECTOR", SQLType: "VARCHAR(16)", Mapping: "$.sector"},
	{Name: "CHANGE", SQLType: "REAL", Mapping: "$.change"},
	{Name: "PRICE", SQLType: "REAL", Mapping: "$.price"},
}

// tick is a ~100-byte JSON record.
func tick(i, keys int) []byte {
	return fmt.Appendf(nil, `{"ticker_symbol":"K%d","sector":"TECHNOLOGY","change":%d,"price":%d.25,"ts":"2026-11-22T10:00:00"}`,
		i*7919%keys, i%13-6, i%1000)
}

func (e *env) sqlConfig(dir, code, start, out string) Config {
	return Config{Name: "app", ARN: "arn:aws:kinesisanalytics:us-east-1:000000000000:application/app", Code: code,
		Dir: dir, Created: time.Unix(1, 0),
		Inputs: []Input{{NamePrefix: "SOURCE_SQL_STREAM", Parallelism: 1, Scope: sc, Ref: streams.StreamRef{Name: "src"},
			Format: format.RecordFormat{Type: "JSON", RecordRowPath: "$"}, Columns: tickerColumns, Start: start}},
		Outputs: []Output{{Name: "DESTINATION_SQL_STREAM", Format: "JSON", Scope: sc, Ref: streams.StreamRef{Name: out}}},
	}
}

func (e *env) startSQL(cfg Config) *Run {
	e.t.Helper()
	r, err := Start(context.Background(), e.store, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// putTicks writes ticks [from, to) over 3 shards, 3 per put, 400 ms apart.
func (e *env) putTicks(from, to, keys int) {
	for i := from; i < to; i += 3 {
		var batch []streams.PutEntry
		for j := i; j < min(i+3, to); j++ {
			batch = append(batch, toShard(j%3, 3, string(tick(j, keys))))
		}
		e.put("src", batch...)
		e.clock.Advance(400 * time.Millisecond)
	}
}

func TestSQLFilter(t *testing.T) {
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	r := e.startSQL(e.sqlConfig(t.TempDir(), filterSQL, StartNow, "out"))
	defer r.Stop()
	e.putTicks(0, 30, 5)
	// change > 0: i%13 > 6.
	var want []string
	for _, rec := range e.expectedRowsRaw() {
		var t struct {
			Sym    string  `json:"ticker_symbol"`
			Change int     `json:"change"`
			Price  float64 `json:"price"`
		}
		if err := json.Unmarshal([]byte(rec), &t); err != nil {
			panic(err)
		}
		if t.Change > 0 {
			want = append(want, fmt.Sprintf(`{"TICKER":"%s","PRICE":%g,"CHANGE":%d.0}`, t.Sym, t.Price, t.Change))
		}
	}
	if got := datas(e.waitRecords("out", len(want))); !slices.Equal(got, want) {
		t.Fatalf("rows\n got %v\nwant %v", got, want)
	}
}

// expectedRowsRaw is src's records in merge order (one in-app stream).
func (e *env) expectedRowsRaw() []string {
	var out []string
	for _, s := range e.expectedRows(1) {
		out = append(out, s[strings.IndexByte(s, ':')+1:])
	}
	return out
}

func TestSQLTumblingRestartAndReplay(t *testing.T) {
	defer func(d time.Duration) { checkpointInterval = d }(checkpointInterval)
	checkpointInterval = time.Hour
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	e.create("replay", 1)
	dir := t.TempDir()

	r := e.startSQL(e.sqlConfig(dir, tumblingSQL, StartNow, "out"))
	e.putTicks(0, 60, 4) // 8 s of records
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	r = e.startSQL(e.sqlConfig(dir, tumblingSQL, StartLastStoppedPoint, "out"))
	e.putTicks(60, 150, 4) // 12 s more: the first window closes
	e.waitRecords("out", 1)
	r.stopCrash()
	r = e.startSQL(e.sqlConfig(dir, tumblingSQL, StartLastStoppedPoint, "out"))
	e.putTicks(150, 240, 4)
	e.clock.Advance(30 * time.Second)
	// 4 keys, windows of 10 s over 32 s of records: windows close once the clock passes them.
	first := e.readAll("src")[0].arrival
	last := e.readAll("src")
	lastArrival := slices.MaxFunc(last, func(a, b record) int { return int(a.arrival - b.arrival) }).arrival
	windows := int((lastArrival-lastArrival%10000)-(first-first%10000))/10000 + 1
	got := datas(e.waitRecords("out", 4*windows))
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if len(e.readAll("out")) != 4*windows {
		t.Fatalf("%d rows, want %d (4 keys x %d windows): %v", len(e.readAll("out")), 4*windows, windows, got)
	}
	// Replay from TRIM_HORIZON: the same rows.
	r = e.startSQL(e.sqlConfig(t.TempDir(), tumblingSQL, StartTrimHorizon, "replay"))
	defer r.Stop()
	replayed := datas(e.waitRecords("replay", len(got)))
	if !slices.Equal(replayed, got) {
		t.Fatalf("replay\n got %v\nwant %v", replayed, got)
	}
}

func TestSQLSlidingRestartAndReplay(t *testing.T) {
	// A row per record, each over the last minute of its key: after a crash the restored windows give
	// the same averages, each row once, and a replay gives the same rows.
	defer func(d time.Duration) { checkpointInterval = d }(checkpointInterval)
	checkpointInterval = time.Hour
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	e.create("replay", 1)
	dir := t.TempDir()
	r := e.startSQL(e.sqlConfig(dir, slidingSQL, StartNow, "out"))
	e.putTicks(0, 45, 3)
	e.waitRecords("out", 45)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	r = e.startSQL(e.sqlConfig(dir, slidingSQL, StartLastStoppedPoint, "out"))
	e.putTicks(45, 90, 3)
	e.waitRecords("out", 60)
	r.stopCrash()
	r = e.startSQL(e.sqlConfig(dir, slidingSQL, StartLastStoppedPoint, "out"))
	e.putTicks(90, 120, 3)
	got := datas(e.waitRecords("out", 120))
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(e.readAll("out")); n != 120 {
		t.Fatalf("%d rows, want 120", n)
	}
	r = e.startSQL(e.sqlConfig(t.TempDir(), slidingSQL, StartTrimHorizon, "replay"))
	defer r.Stop()
	if replayed := datas(e.waitRecords("replay", 120)); !slices.Equal(replayed, got) {
		t.Fatalf("replay\n got %v\nwant %v", replayed, got)
	}
}

// With InputParallelism 2 the source's shards feed SOURCE_SQL_STREAM_001 and _002 (shard index modulo 2),
// and the application reads both, as aws_doc_27 does: two pumps into one stream.
func TestSQLInputParallelism(t *testing.T) {
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (src VARCHAR(8), ticker VARCHAR(8), n BIGINT);
CREATE OR REPLACE PUMP pump001 AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM 'ONE', ticker_symbol, COUNT(*) FROM source_sql_stream_001
GROUP BY STEP(source_sql_stream_001.rowtime BY INTERVAL '60' SECOND), ticker_symbol;
CREATE OR REPLACE PUMP pump002 AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM 'TWO', ticker_symbol, COUNT(*) FROM source_sql_stream_002
GROUP BY STEP(source_sql_stream_002.rowtime BY INTERVAL '60' SECOND), ticker_symbol;`
	cfg := e.sqlConfig(t.TempDir(), code, StartNow, "out")
	cfg.Inputs[0].Parallelism = 2
	r := e.startSQL(cfg)
	defer r.Stop()
	e.putTicks(0, 30, 1) // shards 0 and 2 -> _001 (20 records), shard 1 -> _002 (10 records)
	e.clock.Advance(2 * time.Minute)
	got := datas(e.waitRecords("out", 2))
	slices.Sort(got)
	want := []string{`{"SRC":"ONE","TICKER":"K0","N":20}`, `{"SRC":"TWO","TICKER":"K0","N":10}`}
	if !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
}
