package engine

import (
	"strconv"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// The engine's share of the figures: rows already mapped, pushed through one pump into an output.
// The runtime's benchmarks measure the whole path (log read, JSON mapping, encoding, append).

type discard struct{ n int }

func (d *discard) Emit(int, Row)  { d.n++ }
func (d *discard) Error(ErrorRow) {}

func benchRows(n, keys int) []Row {
	rows := make([]Row, n)
	syms := make([]value.Value, keys)
	for i := range syms {
		syms[i] = value.NewString("K" + strconv.Itoa(i))
	}
	for i := range rows {
		rows[i] = Row{Time: 1_500_000_000_000 + int64(i)/100, Cols: []value.Value{syms[i*7919%keys],
			value.NewString("TECH"), value.NewDouble(float64(i%13) - 6), value.NewDouble(float64(i % 1000))}}
	}
	return rows
}

func benchApp(b *testing.B, code string, keys int) {
	p, err := Compile(code, Config{Inputs: []Input{tickerInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		b.Fatal(err)
	}
	rows := benchRows(1<<16, keys)
	d := &discard{}
	in := p.Start(d)
	base := int64(0)
	i := 0
	push := func() {
		r := rows[i&(len(rows)-1)]
		if i&(len(rows)-1) == 0 && i > 0 {
			base += 1000
		}
		r.Time += base
		in.Push(0, r)
		i++
	}
	// Measure the steady state: first fill the windows, so that a sliding window drops a row for every row
	// it takes (65,536 rows a second of ROWTIME: 70 seconds is past the longest window here).
	for range 70 << 16 {
		push()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		push()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFilterProject(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price REAL, change REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, price, change FROM "SOURCE_SQL_STREAM_001" WHERE change > 0;`, 100)
}

func BenchmarkTumbling10kKeys(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), n BIGINT, total REAL, avg_price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*), SUM(price), AVG(price) FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`, 10_000)
}

func BenchmarkSliding1MinAvg(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), avg_price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, AVG(price) OVER W1 FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);`, 1_000)
}

// The other sliding aggregates, over the same full 1-minute windows (about 3,900 rows per key).
func BenchmarkSliding1MinMinMax(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), lo REAL, hi REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, MIN(price) OVER W1, MAX(price) OVER W1 FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);`, 1_000)
}

func BenchmarkSliding1MinStddevFirstLast(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), sd DOUBLE, f REAL, l REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, STDDEV_SAMP(price) OVER W1, FIRST_VALUE(price) OVER W1, LAST_VALUE(price) OVER W1
FROM "SOURCE_SQL_STREAM_001" WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);`, 1_000)
}

func BenchmarkSliding1MinLagExpAvg(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), prev REAL, e DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, LAG(price, 1) IGNORE NULLS OVER W1, EXP_AVG(price, INTERVAL '10' SECOND) OVER W1
FROM "SOURCE_SQL_STREAM_001" WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);`, 1_000)
}
