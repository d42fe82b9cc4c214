package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// collect is a Sink that keeps what an instance emits, as text lines: "output time col,col,...".
type collect struct {
	rows   []string
	errors []ErrorRow
}

func (c *collect) Emit(output int, r Row) {
	parts := make([]string, len(r.Cols))
	for i, v := range r.Cols {
		if v.K == value.Null {
			parts[i] = "NULL"
		} else {
			parts[i] = v.String()
		}
	}
	c.rows = append(c.rows, fmt.Sprintf("%d %s %s", output, value.NewTimestamp(r.Time), strings.Join(parts, ",")))
}

func (c *collect) Error(e ErrorRow) { c.errors = append(c.errors, e) }

func tickerInput() Input {
	return Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{
		{Name: "TICKER_SYMBOL", Type: value.Varchar(4)},
		{Name: "SECTOR", Type: value.Varchar(16)},
		{Name: "CHANGE", Type: value.Type{Base: value.TReal}},
		{Name: "PRICE", Type: value.Type{Base: value.TReal}},
	}}
}

func tick(sec float64, sym, sector string, change, price float64) Row {
	return Row{Time: int64(sec*1000) + 1_500_000_000_000, Cols: []value.Value{value.NewString(sym), value.NewString(sector),
		value.NewDouble(change), value.NewDouble(price)}}
}

func run(t *testing.T, code string, rows []Row, end float64) *collect {
	t.Helper()
	p, err := Compile(code, Config{Inputs: []Input{tickerInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range rows {
		in.Push(0, r)
	}
	in.Advance(int64(end*1000) + 1_500_000_000_000)
	return c
}

func TestFilterProject(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price REAL, up BOOLEAN);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, price * 2, change > 0 FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'TECH';`,
		[]Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", -1, 5), tick(2, "MSFT", "TECH", -0.5, 20.25)}, 3)
	want := []string{"0 2017-07-14 02:40:00.000 AAPL,20.0,true", "0 2017-07-14 02:40:02.000 MSFT,40.5,false"}
	if strings.Join(c.rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(c.rows, "\n"), strings.Join(want, "\n"))
	}
}

func TestTumbling(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER, avg_price REAL, w TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*), AVG(price), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND)
FROM "SOURCE_SQL_STREAM_001" GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`,
		[]Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", -1, 5), tick(2, "AAPL", "TECH", -0.5, 20),
			tick(11, "AAPL", "TECH", 1, 7)}, 30)
	want := []string{
		"0 2017-07-14 02:40:10.000 AAPL,2,15.0,2017-07-14 02:40:00.000",
		"0 2017-07-14 02:40:10.000 XOM,1,5.0,2017-07-14 02:40:00.000",
		"0 2017-07-14 02:40:20.000 AAPL,1,7.0,2017-07-14 02:40:10.000",
	}
	if strings.Join(c.rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(c.rows, "\n"), strings.Join(want, "\n"))
	}
}

func TestSliding(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), avg_price REAL, n INTEGER, prev REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, AVG(price) OVER W1, COUNT(*) OVER W1, LAG(price, 1) OVER W1
FROM "SOURCE_SQL_STREAM_001" WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING);`,
		[]Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", -1, 5), tick(2, "AAPL", "TECH", -0.5, 20),
			tick(11, "AAPL", "TECH", 1, 7)}, 30)
	want := []string{
		"0 2017-07-14 02:40:00.000 AAPL,10.0,1,NULL",
		"0 2017-07-14 02:40:01.000 XOM,5.0,1,NULL",
		"0 2017-07-14 02:40:02.000 AAPL,15.0,2,10.0",
		"0 2017-07-14 02:40:11.000 AAPL,13.5,2,20.0",
	}
	if strings.Join(c.rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(c.rows, "\n"), strings.Join(want, "\n"))
	}
}

func TestStagger(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND);`,
		[]Row{tick(3, "AAPL", "TECH", 1, 10), tick(5, "XOM", "ENERGY", -1, 5), tick(12, "AAPL", "TECH", -0.5, 20),
			tick(14, "AAPL", "TECH", 1, 7)}, 40)
	want := []string{
		"0 2017-07-14 02:40:13.000 AAPL,2",
		"0 2017-07-14 02:40:15.000 XOM,1",
		"0 2017-07-14 02:40:24.000 AAPL,1",
	}
	if strings.Join(c.rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(c.rows, "\n"), strings.Join(want, "\n"))
	}
}

// A row whose aggregate argument fails goes to error_stream and counts in no aggregate of its window.
func TestFailedArgumentCountsNowhere(t *testing.T) {
	for _, window := range []string{
		`GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND)`,
		`WINDOWED BY STAGGER (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND)`,
	} {
		c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER, s INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, COUNT(*), SUM(CAST(10 AS INTEGER) / CAST(price AS INTEGER)) FROM "SOURCE_SQL_STREAM_001" `+window+`;`,
			[]Row{tick(0, "AAPL", "TECH", 1, 5), tick(1, "AAPL", "TECH", 1, 0), tick(2, "AAPL", "TECH", 1, 2)}, 30)
		if len(c.rows) != 1 || !strings.HasSuffix(c.rows[0], "AAPL,2,7") || len(c.errors) != 1 || c.errors[0].Name != "Division_by_zero" {
			t.Errorf("%s: rows %q, errors %+v", window, c.rows, c.errors)
		}
	}
}

// A stream that no pump fills still lets time pass for what reads it: a LEFT JOIN's windowed rows leave
// and are emitted with NULLs.
func TestIdleStreamAdvances(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "NEVER" (ticker VARCHAR(4), note VARCHAR(8));
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), note VARCHAR(8));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM s.ticker_symbol, n.note
FROM "SOURCE_SQL_STREAM_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS s
LEFT JOIN "NEVER" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS n ON s.ticker_symbol = n.ticker;`,
		[]Row{tick(0, "AAPL", "TECH", 1, 5)}, 30)
	if len(c.rows) != 1 || !strings.HasSuffix(c.rows[0], "AAPL,NULL") {
		t.Errorf("rows %q", c.rows)
	}
}

func TestTableJoinRefusesWindow(t *testing.T) {
	_, err := Compile(`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM s.ticker_symbol FROM "SOURCE_SQL_STREAM_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS s
JOIN "REF" AS r ON s.ticker_symbol = r.ticker;`, Config{Inputs: []Input{tickerInput()},
		Tables:  []Table{{Name: "REF", Columns: []value.Column{{Name: "TICKER", Type: value.Varchar(4)}}}},
		Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err == nil || !strings.HasPrefix(err.Error(), "3:") || !strings.Contains(err.Error(), "takes no window") {
		t.Errorf("err = %v", err)
	}
}
