package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

func tempStream() Input {
	return Input{Name: "TEMP_STREAM", Columns: []value.Column{
		{Name: "heartRate", Type: value.IntegerType},
		{Name: "rateType", Type: value.Varchar(20)},
		{Name: "ANOMALY_SCORE", Type: value.DoubleType},
	}}
}

func scored(ms int64, rate int64, typ string, score float64) Row {
	return Row{Time: tkBase + ms, Cols: []value.Value{value.NewInt(rate), value.NewString(typ), value.NewDouble(score)}}
}

// anomalyApp is the OUTPUT_PUMP of aws_doc_16 (and aws_doc_17), verbatim, reading TEMP_STREAM as an input.
const anomalyApp = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
	        "heartRate"        INTEGER,
	        "rateType"         varchar(20),
	        "ANOMALY_SCORE"    DOUBLE);

-- Sort records by descending anomaly score, insert into output stream
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM * FROM "TEMP_STREAM"
      ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;`

func TestOrderByAnomalyScore(t *testing.T) {
	_, in, c := startApp(t, anomalyApp, tempStream())
	for _, r := range []Row{
		scored(0, 60, "NORMAL", 0.7), scored(200, 180, "HIGH", 3.1), scored(400, 62, "NORMAL", 0.9),
		scored(999, 61, "NORMAL", 0.9), scored(1000, 59, "NORMAL", 0.6), scored(1500, 170, "HIGH", 2.5),
	} {
		in.Push(0, r)
	}
	// The second [1s, 2s) is still open: only the first second has been emitted, sorted, at its latest ROWTIME.
	// The two 0.9 scores keep their arrival order.
	expectRows(t, c.rows, []string{
		"0 2017-07-14 02:40:00.999 180,HIGH,3.1",
		"0 2017-07-14 02:40:00.999 62,NORMAL,0.9",
		"0 2017-07-14 02:40:00.999 61,NORMAL,0.9",
		"0 2017-07-14 02:40:00.999 60,NORMAL,0.7",
	})
	c.rows = nil
	in.Advance(tkBase + 1999)
	if len(c.rows) != 0 {
		t.Fatalf("second [1s,2s) closed at 1.999 s: %v", c.rows)
	}
	in.Advance(tkBase + 2000)
	expectRows(t, c.rows, []string{
		"0 2017-07-14 02:40:01.500 170,HIGH,2.5",
		"0 2017-07-14 02:40:01.500 59,NORMAL,0.6",
	})
}

// TestOrderByKeys resolves ORDER BY keys as aliases, positions, output names, select-item expressions and
// expressions over output columns.
func TestOrderByKeys(t *testing.T) {
	rows := []Row{
		tick(0, "AAPL", "TECH", 1, 10), tick(0.1, "XOM", "ENERGY", -1, 30), tick(0.2, "MSFT", "TECH", -0.5, 20),
		tick(0.3, "IBM", "TECH", 2, 20), tick(1.5, "AMZN", "TECH", 1, 5),
	}
	byPriceDesc := []string{
		"0 2017-07-14 02:40:00.300 XOM,60.0",
		"0 2017-07-14 02:40:00.300 IBM,40.0",
		"0 2017-07-14 02:40:00.300 MSFT,40.0",
		"0 2017-07-14 02:40:00.300 AAPL,20.0",
		"0 2017-07-14 02:40:01.500 AMZN,10.0",
	}
	for _, tc := range []struct {
		sel, order string
		want       []string
	}{
		{"ticker_symbol AS t, price * 2 AS p2", "FLOOR(ROWTIME TO SECOND), p2 DESC, t", byPriceDesc},
		{"ticker_symbol AS t, price * 2 AS p2", "FLOOR(ROWTIME TO SECOND), 2 DESC, 1 ASC", byPriceDesc},
		{"ticker_symbol, price * 2", "FLOOR(\"SOURCE_SQL_STREAM_001\".ROWTIME TO SECOND), price * 2 DESC, ticker_symbol", byPriceDesc},
		{"ticker_symbol, price * 2 AS p2", "FLOOR(ROWTIME TO SECOND), -p2, \"SOURCE_SQL_STREAM_001\".ticker_symbol", byPriceDesc},
		{"ticker_symbol, price * 2 AS p2, FLOOR(ROWTIME TO SECOND) AS s", "s, p2 DESC, ticker_symbol", nil},
		{"ticker_symbol AS t, price * 2 AS p2", "FLOOR(ROWTIME TO SECOND), t DESC", []string{
			"0 2017-07-14 02:40:00.300 XOM,60.0",
			"0 2017-07-14 02:40:00.300 MSFT,40.0",
			"0 2017-07-14 02:40:00.300 IBM,40.0",
			"0 2017-07-14 02:40:00.300 AAPL,20.0",
			"0 2017-07-14 02:40:01.500 AMZN,10.0",
		}},
	} {
		cols := "(t VARCHAR(4), p DOUBLE)"
		if strings.Contains(tc.sel, " AS s") {
			cols = "(t VARCHAR(4), p DOUBLE, s TIMESTAMP)"
		}
		code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ` + cols + `;
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ` + tc.sel + ` FROM "SOURCE_SQL_STREAM_001" ORDER BY ` + tc.order + `;`
		c := run(t, code, rows, 10)
		want := tc.want
		if want == nil {
			for _, w := range byPriceDesc {
				sec := "00"
				if strings.Contains(w, "AMZN") {
					sec = "01"
				}
				want = append(want, w+",2017-07-14 02:40:"+sec+".000")
			}
		}
		if strings.Join(c.rows, "\n") != strings.Join(want, "\n") {
			t.Errorf("ORDER BY %s:\ngot\n%s\nwant\n%s", tc.order, strings.Join(c.rows, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestOrderByAfterGroupBy sorts a tumbling window's rows: they share the window's end as ROWTIME, so
// ORDER BY ROWTIME, n DESC emits each window sorted, unshifted.
func TestOrderByAfterGroupBy(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*) AS n FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND)
ORDER BY ROWTIME, n DESC, ticker_symbol;`,
		[]Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", -1, 5), tick(2, "XOM", "ENERGY", -0.5, 20),
			tick(3, "IBM", "TECH", 1, 7), tick(4, "XOM", "TECH", 1, 7), tick(5, "IBM", "TECH", 1, 7)}, 30)
	expectRows(t, c.rows, []string{
		"0 2017-07-14 02:40:10.000 XOM,3",
		"0 2017-07-14 02:40:10.000 IBM,2",
		"0 2017-07-14 02:40:10.000 AAPL,1",
	})
}

func TestOrderByErrors(t *testing.T) {
	for _, tc := range []struct {
		order, at, want string
	}{
		{"price DESC", "price", "the first ORDER BY key of a streaming query must be monotonic in ROWTIME"},
		{"p2", "p2", "the first ORDER BY key of a streaming query must be monotonic in ROWTIME"},
		{"3", "3", "ORDER BY 3: the select list has 2 columns"},
		{"FLOOR(ROWTIME TO SECOND) DESC", "FLOOR", "the first ORDER BY key of a streaming query cannot be DESC"},
		{"FLOOR(ROWTIME TO SECOND), nope", "nope", `column "NOPE" not found`},
		{"1 + 1", "1 + 1", "the first ORDER BY key of a streaming query must be monotonic in ROWTIME"},
	} {
		line := `SELECT STREAM ticker_symbol, price * 2 AS p2 FROM "SOURCE_SQL_STREAM_001" ORDER BY ` + tc.order
		code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (t VARCHAR(4), p DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
` + line + ";"
		want := fmt.Sprintf("3:%d: %s", strings.LastIndex(line, tc.at)+1, tc.want)
		_, err := Compile(code, Config{Inputs: []Input{tickerInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
		var pe *Error
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ORDER BY %s:\n got %v\nwant %s...", tc.order, err, want)
		}
	}
}

// TestOrderBySnapshot: a checkpoint taken with a group open resumes to the rows of an uninterrupted run.
func TestOrderBySnapshot(t *testing.T) {
	row := func(i int) Row { return scored(int64(i)*170, int64(60+i), "NORMAL", float64(i*7%10)/10) }
	p, whole, want := startApp(t, anomalyApp, tempStream())
	for i := range 30 {
		whole.Push(0, row(i))
	}
	whole.Advance(tkBase + 10_000)

	_, a, got := startApp(t, anomalyApp, tempStream())
	for i := range 13 {
		a.Push(0, row(i))
	}
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Restore(snap, got)
	if err != nil {
		t.Fatal(err)
	}
	for i := 13; i < 30; i++ {
		b.Push(0, row(i))
	}
	b.Advance(tkBase + 10_000)
	if len(want.rows) != 30 {
		t.Fatalf("%d rows", len(want.rows))
	}
	expectRows(t, got.rows, want.rows)
}

// TestOrderByBoundedMemory: a closed group's rows are released; what is held is one group.
func TestOrderByBoundedMemory(t *testing.T) {
	_, in, c := startApp(t, anomalyApp, tempStream())
	var o *orderOp
	for _, s := range in.stateful {
		if x, ok := s.(*orderOp); ok {
			o = x
		}
	}
	for i := range 100_000 {
		in.Push(0, scored(int64(i)*10, 60, "NORMAL", float64(i%13)))
		if len(o.held) > 100 {
			t.Fatalf("%d rows held; a second holds 100", len(o.held))
		}
	}
	in.Advance(tkBase + 1_000_000)
	if len(c.rows) != 100_000 || len(o.held) != 0 {
		t.Fatalf("%d rows out, %d held", len(c.rows), len(o.held))
	}
}

func BenchmarkOrderBy(b *testing.B) {
	in := startBench(b, anomalyApp, tempStream())
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		in.Push(0, scored(i, 60, "NORMAL", float64(i%97)))
		i++
	}
}
