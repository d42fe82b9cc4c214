package engine

import (
	"strings"
	"testing"
)

// queryRows runs one query (CompileQuery) over rows and returns what it emits and the error rows' names.
func queryRows(t *testing.T, query string, rows []Row, end float64) ([]string, []string) {
	t.Helper()
	p, err := CompileQuery(query, Config{Inputs: []Input{tickerInput()}})
	if err != nil {
		t.Fatalf("compile %s: %v", query, err)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range rows {
		in.Push(0, r)
	}
	in.Advance(int64(end*1000) + 1_500_000_000_000)
	var errs []string
	for _, e := range c.errors {
		errs = append(errs, e.Name)
	}
	return c.rows, errs
}

// A datetime compared with text reads the text as a datetime wherever values are compared, not only in
// the comparison operators: value.Compare orders different kinds by kind, so without the cast every such
// test was silently false.
func TestDatetimeComparedWithText(t *testing.T) {
	rows := []Row{tick(0, "AAPL", "TECH", 1, 10), tick(2, "AAPL", "TECH", 1, 10)}
	for _, tc := range []struct {
		expr string
		want string // per row
	}{
		{`ROWTIME = '2017-07-14 02:40:00'`, "true false"},
		{`ROWTIME BETWEEN '2017-07-14 02:40:00' AND '2017-07-14 02:40:01'`, "true false"},
		{`ROWTIME NOT BETWEEN '2017-07-14 02:40:00' AND '2017-07-14 02:40:01'`, "false true"},
		{`ROWTIME IN ('2017-07-14 02:40:02', '2017-07-14 02:40:05')`, "false true"},
		{`'2017-07-14 02:40:02' IN (ROWTIME)`, "false true"},
		{`CASE ROWTIME WHEN '2017-07-14 02:40:00' THEN 'first' ELSE 'other' END`, "first other"},
		{`ROWTIME IS DISTINCT FROM '2017-07-14 02:40:00'`, "false true"},
	} {
		got, errs := queryRows(t, `SELECT STREAM `+tc.expr+` FROM "SOURCE_SQL_STREAM_001"`, rows, 10)
		var vals []string
		for _, r := range got {
			vals = append(vals, r[strings.LastIndexByte(r, ' ')+1:])
		}
		if strings.Join(vals, " ") != tc.want || len(errs) > 0 {
			t.Errorf("%s: got %q (errors %v), want %s", tc.expr, vals, errs, tc.want)
		}
	}
}

// STEP's width must be positive for every operand type: a zero interval width divided by zero at run
// time and panicked the engine.
func TestStepWidthMustBePositive(t *testing.T) {
	for _, x := range []string{
		`STEP(ROWTIME BY INTERVAL '0' SECOND)`,
		`STEP((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND BY INTERVAL '0' SECOND)`,
		`STEP((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND BY -INTERVAL '1' SECOND)`,
		`STEP(CAST(price AS INTEGER) BY 0)`,
	} {
		_, err := CompileQuery(`SELECT STREAM `+x+` FROM "SOURCE_SQL_STREAM_001"`, Config{Inputs: []Input{tickerInput()}})
		if err == nil || !strings.Contains(err.Error(), "must be positive") {
			t.Errorf("%s: err = %v", x, err)
		}
	}
}

// Division and remainder by zero on exact numbers go to error_stream; on DOUBLE they follow IEEE 754.
func TestDivisionByZero(t *testing.T) {
	rows := []Row{tick(0, "AAPL", "TECH", 1, 10)}
	for _, tc := range []struct {
		expr, want, err string
	}{
		{`CAST(price AS INTEGER) / 0`, "", "Division_by_zero"},
		{`CAST(price AS INTEGER) % 0`, "", "Division_by_zero"},
		{`CAST(price AS DECIMAL(5,2)) / 0`, "", "Division_by_zero"},
		{`CAST(price AS DECIMAL(5,2)) % 0`, "", "Division_by_zero"},
		{`CAST(price AS DOUBLE) / 0`, "Infinity", ""},
	} {
		got, errs := queryRows(t, `SELECT STREAM `+tc.expr+` FROM "SOURCE_SQL_STREAM_001"`, rows, 10)
		gotVal := ""
		if len(got) == 1 {
			gotVal = got[0][strings.LastIndexByte(got[0], ' ')+1:]
		}
		if gotVal != tc.want || strings.Join(errs, ",") != tc.err {
			t.Errorf("%s: got %q errors %v, want %q %q", tc.expr, got, errs, tc.want, tc.err)
		}
	}
}

// SELECT STREAM DISTINCT over a window of ROWTIME (not ROWTIME itself) drops the duplicates of the whole
// window: it used to forget what it had seen at every new ROWTIME, so rows a second apart in one minute
// both passed.
func TestDistinctOverTimeWindow(t *testing.T) {
	rows := []Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "MSFT", "TECH", 1, 10), tick(2, "AAPL", "TECH", 2, 11),
		tick(61, "AAPL", "TECH", 1, 10)}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{`SELECT STREAM DISTINCT FLOOR(ROWTIME TO MINUTE), ticker_symbol FROM "SOURCE_SQL_STREAM_001"`, []string{
			"0 2017-07-14 02:40:00.000 2017-07-14 02:40:00.000,AAPL",
			"0 2017-07-14 02:40:01.000 2017-07-14 02:40:00.000,MSFT",
			"0 2017-07-14 02:41:01.000 2017-07-14 02:41:00.000,AAPL",
		}},
		{`SELECT STREAM DISTINCT ROWTIME, ticker_symbol FROM "SOURCE_SQL_STREAM_001"`, []string{
			"0 2017-07-14 02:40:00.000 2017-07-14 02:40:00.000,AAPL",
			"0 2017-07-14 02:40:01.000 2017-07-14 02:40:01.000,MSFT",
			"0 2017-07-14 02:40:02.000 2017-07-14 02:40:02.000,AAPL",
			"0 2017-07-14 02:41:01.000 2017-07-14 02:41:01.000,AAPL",
		}},
	} {
		got, _ := queryRows(t, tc.query, rows, 100)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.query, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// A RANGE window's partitions are forgotten once their rows have left the window, even when the
// application advances every second (as the runtime does) and the window is longer than that: the sweep
// used to wait for a whole window span since the last sweep, which per-second advances never reached.
func TestSlidingForgetsIdlePartitions(t *testing.T) {
	p, err := CompileQuery(`SELECT STREAM ticker_symbol, COUNT(*) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)
FROM "SOURCE_SQL_STREAM_001"`, Config{Inputs: []Input{tickerInput()}})
	if err != nil {
		t.Fatal(err)
	}
	in := p.Start(&collect{})
	for i := range 100 {
		in.Push(0, tick(0, string(rune('A'+i%26))+string(rune('A'+i/26)), "TECH", 1, 10))
	}
	for sec := 1; sec <= 300; sec++ {
		in.Advance(tick(float64(sec), "", "", 0, 0).Time)
	}
	s := in.stateful[0].(*slidingOp)
	if n := len(s.parts[0]); n != 0 {
		t.Errorf("%d partitions kept four minutes after their rows left a one-minute window", n)
	}
}

// A sliding SUM over DOUBLE gives the same rows whether or not a sweep deleted an emptied partition
// before its next row: sweeps follow the application's advances, which are the wall clock in a live run
// and the input in a replay. What the removals left in the float sum (0.1 + 0.2 - 0.1 - 0.2 is not 0)
// used to reach the next window's sums only when no sweep had come between.
func TestSlidingSumIndependentOfAdvances(t *testing.T) {
	p, err := CompileQuery(`SELECT STREAM ticker_symbol, SUM(change) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING)
FROM "SOURCE_SQL_STREAM_001"`, Config{Inputs: []Input{tickerInput()}})
	if err != nil {
		t.Fatal(err)
	}
	var last [2]string
	for i := range last {
		c := &collect{}
		in := p.Start(c)
		in.Push(0, tick(0, "B", "T", 1, 0)) // the first sweep
		in.Push(0, tick(0.1, "A", "T", 0.1, 0))
		in.Push(0, tick(0.5, "A", "T", 0.2, 0))
		if i == 0 {
			in.Push(0, tick(10.4, "B", "T", 1, 0)) // sweeps A's first row only
		} else {
			in.Advance(tick(10.55, "", "", 0, 0).Time) // sweeps both: A is deleted
		}
		in.Push(0, tick(10.6, "A", "T", 0, 0))
		last[i] = c.rows[len(c.rows)-1]
	}
	if last[0] != last[1] || !strings.HasSuffix(last[0], " A,0.0") {
		t.Errorf("last row %q without the sweep, %q with it; want A,0.0", last[0], last[1])
	}
}

// A DISTINCT restored from a snapshot taken inside a window still drops that window's duplicates.
func TestDistinctSnapshot(t *testing.T) {
	p, err := CompileQuery(`SELECT STREAM DISTINCT FLOOR(ROWTIME TO MINUTE), ticker_symbol FROM "SOURCE_SQL_STREAM_001"`,
		Config{Inputs: []Input{tickerInput()}})
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "MSFT", "TECH", 1, 10), tick(2, "AAPL", "TECH", 2, 11),
		tick(3, "MSFT", "TECH", 1, 10), tick(61, "AAPL", "TECH", 1, 10)}
	whole := &collect{}
	in := p.Start(whole)
	for _, r := range rows {
		in.Push(0, r)
	}
	for at := range len(rows) {
		c := &collect{}
		in := p.Start(c)
		for i, r := range rows {
			if i == at {
				snap, err := in.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if in, err = p.Restore(snap, c); err != nil {
					t.Fatal(err)
				}
			}
			in.Push(0, r)
		}
		if strings.Join(c.rows, "\n") != strings.Join(whole.rows, "\n") {
			t.Errorf("restored before row %d:\n%s\nwant\n%s", at, strings.Join(c.rows, "\n"), strings.Join(whole.rows, "\n"))
		}
	}
}

// A row that fails in any of a query's sliding windows goes to error_stream and counts in none of them:
// it used to stay in the windows planned before the one that failed.
func TestSlidingFailedRowCountsNowhere(t *testing.T) {
	got, errs := queryRows(t, `SELECT STREAM COUNT(*) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING),
  COUNT(*) OVER (PARTITION BY 10 / CAST(price AS INTEGER) RANGE INTERVAL '1' MINUTE PRECEDING)
FROM "SOURCE_SQL_STREAM_001"`, []Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "AAPL", "TECH", 1, 0), tick(2, "AAPL", "TECH", 1, 10)}, 10)
	want := []string{"0 2017-07-14 02:40:00.000 1,1", "0 2017-07-14 02:40:02.000 2,2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || strings.Join(errs, ",") != "Division_by_zero" {
		t.Errorf("got %q errors %v, want %q and one Division_by_zero", got, errs, want)
	}
}

// Integer arithmetic that leaves its type's range is an error row (SQL's "numeric value out of range"),
// never a wrong value in an INTEGER column.
func TestIntegerOverflow(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (n INTEGER, b BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM CAST(2147483600 AS INTEGER) + CAST(price AS INTEGER), CAST(9223372036854775800 AS BIGINT) + CAST(price AS BIGINT)
FROM "SOURCE_SQL_STREAM_001";`,
		[]Row{tick(0, "AAPL", "TECH", 1, 5), tick(1, "AAPL", "TECH", 1, 50)}, 3)
	if len(c.rows) != 1 || !strings.HasSuffix(c.rows[0], "2147483605,9223372036854775805") {
		t.Errorf("rows %q", c.rows)
	}
	if len(c.errors) != 1 || c.errors[0].Name != "Numeric_value_out_of_range" {
		t.Errorf("errors %+v", c.errors)
	}
}

// CURRENT_TIMESTAMP is written without parentheses: it is the row's ROWTIME, not a column.
func TestCurrentTimestampWithoutParentheses(t *testing.T) {
	c := run(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (a TIMESTAMP, d DATE, b TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_ROW_TIMESTAMP() FROM "SOURCE_SQL_STREAM_001";`,
		[]Row{tick(1.5, "AAPL", "TECH", 1, 5)}, 3)
	want := "0 2017-07-14 02:40:01.500 2017-07-14 02:40:01.500,2017-07-14,2017-07-14 02:40:01.500"
	if len(c.rows) != 1 || c.rows[0] != want {
		t.Errorf("rows %q, want %q", c.rows, want)
	}
}

// SQL functions of the application: a body over its parameters, functions calling functions, the
// same function at several call sites of one expression, and the result cast to the declared type.
func TestCreateFunction(t *testing.T) {
	c := run(t, `CREATE FUNCTION "HALF"(x DOUBLE) RETURNS DOUBLE LANGUAGE SQL CONTAINS SQL RETURN x / 2;
CREATE FUNCTION "LABEL"(s VARCHAR(4), p DOUBLE) RETURNS VARCHAR(16) LANGUAGE SQL CONTAINS SQL
    RETURN s || ':' || CAST("HALF"(p) AS VARCHAR(8));
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (l VARCHAR(16), q DOUBLE, n INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "LABEL"(ticker_symbol, price), "HALF"("HALF"(price)), "HALF"(change) FROM "SOURCE_SQL_STREAM_001";`,
		[]Row{tick(0, "AAPL", "TECH", 3, 10), tick(1, "MSFT", "TECH", -4, 2)}, 3)
	want := []string{"0 2017-07-14 02:40:00.000 AAPL:5.0,2.5,2", "0 2017-07-14 02:40:01.000 MSFT:1.0,0.5,-2"}
	if strings.Join(c.rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(c.rows, "\n"), strings.Join(want, "\n"))
	}
	if _, err := Compile(`CREATE FUNCTION "F"(x INTEGER) RETURNS INTEGER LANGUAGE SQL CONTAINS SQL RETURN "F"(x);`,
		Config{Inputs: []Input{tickerInput()}}); err == nil || !strings.Contains(err.Error(), "calls itself") {
		t.Errorf("a recursive function compiled: %v", err)
	}
}

// EXP_AVG weighs a window's values by how many half-lives back they lie: in the reference page's
// example (a 30-second window, a 10-second half-life) the newest 10 seconds weigh twice the middle
// ones and four times the oldest. NULLs count for nothing.
func TestExpAvg(t *testing.T) {
	got, errs := queryRows(t, `SELECT STREAM ticker_symbol, EXP_AVG(price, INTERVAL '10' SECOND) OVER w,
  EXP_AVG(CASE WHEN price > 30 THEN NULL ELSE price END, INTERVAL '10' SECOND) OVER w
FROM "SOURCE_SQL_STREAM_001" WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '30' SECOND PRECEDING)`,
		[]Row{tick(0, "AAPL", "TECH", 1, 10), tick(15, "AAPL", "TECH", 1, 20), tick(25, "AAPL", "TECH", 1, 40),
			tick(26, "MSFT", "TECH", 1, 7), tick(40, "AAPL", "TECH", 1, 100), tick(80, "AAPL", "TECH", 1, 60)}, 90)
	want := []string{
		"0 2017-07-14 02:40:00.000 AAPL,10.0,10.0",
		"0 2017-07-14 02:40:15.000 AAPL,16.666666666666668,16.666666666666668", // (0.5×10 + 20) / 1.5
		"0 2017-07-14 02:40:25.000 AAPL,30.0,16.666666666666668",               // (0.25×10 + 0.5×20 + 40) / 1.75; (2.5 + 10) / 0.75 without 40
		"0 2017-07-14 02:40:26.000 MSFT,7.0,7.0",
		"0 2017-07-14 02:40:40.000 AAPL,71.42857142857143,20.0", // 10 has left: (0.25×20 + 0.5×40 + 100) / 1.75
		"0 2017-07-14 02:41:20.000 AAPL,60.0,NULL",              // alone in its window, and NULL there
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(errs) != 0 {
		t.Errorf("got\n%s\nwant\n%s\nerrors %v", strings.Join(got, "\n"), strings.Join(want, "\n"), errs)
	}
	for _, bad := range []string{
		`SELECT STREAM EXP_AVG(price, INTERVAL '10' SECOND) FROM "SOURCE_SQL_STREAM_001" GROUP BY STEP(ROWTIME BY INTERVAL '1' MINUTE)`,
		`SELECT STREAM EXP_AVG(price, 10) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) FROM "SOURCE_SQL_STREAM_001"`,
		`SELECT STREAM EXP_AVG(ticker_symbol, INTERVAL '1' SECOND) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) FROM "SOURCE_SQL_STREAM_001"`,
	} {
		if _, err := CompileQuery(bad, Config{Inputs: []Input{tickerInput()}}); err == nil {
			t.Errorf("compiled %s", bad)
		}
	}
}

// LAG reads the n-th row before the current one in its window, and gives its default when the window
// holds none (sql-reference-lag: "returned if the record queried ... falls outside the window"); IGNORE
// NULLS skips NULLs while counting, as in the reference's example. NTH_VALUE counts FROM FIRST or FROM
// LAST, and FIRST_VALUE skips NULLs under IGNORE NULLS too.
func TestLagWindowAndNulls(t *testing.T) {
	got, errs := queryRows(t, `SELECT STREAM ticker_symbol,
  LAG(NULLIF(price, 0), 1, 0) IGNORE NULLS OVER w, LAG(NULLIF(price, 0), 2, 0) IGNORE NULLS OVER w,
  LAG(NULLIF(price, 0)) OVER w, NTH_VALUE(NULLIF(price, 0), 1) FROM LAST IGNORE NULLS OVER w,
  NTH_VALUE(NULLIF(price, 0), 2) IGNORE NULLS OVER w, FIRST_VALUE(NULLIF(price, 0)) IGNORE NULLS OVER w
FROM "SOURCE_SQL_STREAM_001" WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)`,
		[]Row{tick(0, "AAPL", "TECH", 1, 10), tick(10, "AAPL", "TECH", 1, 0), tick(20, "AAPL", "TECH", 1, 30),
			tick(30, "MSFT", "TECH", 1, 5), tick(90, "AAPL", "TECH", 1, 40), tick(100, "AAPL", "TECH", 1, 50)}, 110)
	want := []string{
		"0 2017-07-14 02:40:00.000 AAPL,0.0,0.0,NULL,10.0,NULL,10.0",
		"0 2017-07-14 02:40:10.000 AAPL,10.0,0.0,10.0,10.0,NULL,10.0", // its own price is NULL
		"0 2017-07-14 02:40:20.000 AAPL,10.0,0.0,NULL,30.0,30.0,10.0", // the NULL before is skipped, or read
		"0 2017-07-14 02:40:30.000 MSFT,0.0,0.0,NULL,5.0,NULL,5.0",
		"0 2017-07-14 02:41:30.000 AAPL,0.0,0.0,NULL,40.0,NULL,40.0", // the earlier rows have left the minute
		"0 2017-07-14 02:41:40.000 AAPL,40.0,0.0,40.0,50.0,50.0,40.0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(errs) != 0 {
		t.Errorf("got\n%s\nwant\n%s\nerrors %v", strings.Join(got, "\n"), strings.Join(want, "\n"), errs)
	}
	// Without a frame LAG reads the partition's previous rows however old; ROWS n PRECEDING holds n of them.
	got, _ = queryRows(t, `SELECT STREAM LAG(price) OVER (PARTITION BY ticker_symbol), LAG(price, 2, -1) OVER (ROWS 1 PRECEDING)
FROM "SOURCE_SQL_STREAM_001"`, []Row{tick(0, "AAPL", "TECH", 1, 10), tick(600, "AAPL", "TECH", 1, 20), tick(1200, "AAPL", "TECH", 1, 30)}, 1300)
	want = []string{"0 2017-07-14 02:40:00.000 NULL,-1.0", "0 2017-07-14 02:50:00.000 10.0,-1.0", "0 2017-07-14 03:00:00.000 20.0,-1.0"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := CompileQuery(`SELECT STREAM LAG(price, 1) FROM LAST OVER (ROWS 2 PRECEDING) FROM "SOURCE_SQL_STREAM_001"`,
		Config{Inputs: []Input{tickerInput()}}); err == nil || !strings.Contains(err.Error(), "FROM LAST applies to NTH_VALUE only") {
		t.Errorf("LAG FROM LAST: %v", err)
	}
}
