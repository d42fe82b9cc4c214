package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// tkBase is 2017-07-14 02:40:00 UTC, a whole minute, as tick uses.
const tkBase = 1_500_000_000_000

func tickerOnly() Input {
	return Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{{Name: "TICKER", Type: value.Varchar(4)}}}
}

func tkTicker(sec float64, s string) Row {
	return Row{Time: tkBase + int64(sec*1000), Cols: []value.Value{value.NewString(s)}}
}

// start compiles code against one input and starts it into a collecting sink.
func startApp(t testing.TB, code string, input Input) (*Program, *Instance, *collect) {
	t.Helper()
	p, err := Compile(code, Config{Inputs: []Input{input}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	c := &collect{}
	return p, p.Start(c), c
}

// tkDiscard is a Sink for benchmarks: it drops what it gets, so the figures are the engine's own.
type tkDiscard struct{}

func (tkDiscard) Emit(int, Row)  {}
func (tkDiscard) Error(ErrorRow) {}

func startBench(b *testing.B, code string, input Input) *Instance {
	b.Helper()
	p, err := Compile(code, Config{Inputs: []Input{input}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		b.Fatalf("compile: %v", err)
	}
	return p.Start(tkDiscard{})
}

func expectRows(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// topKApp is aws_doc_11 (the developer guide's TOP_K_ITEMS_TUMBLING example), with k = 3 and a 10 s window.
const topKApp = `CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
  "TICKER" VARCHAR(4),
  "MOST_FREQUENT_VALUES" BIGINT
);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM *
        FROM TABLE (TOP_K_ITEMS_TUMBLING(
            CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
            'TICKER',         -- name of column in single quotes
            3,                -- number of the most frequently occurring values
            10                -- tumbling window size in seconds
            )
        );`

func TestTopKItemsTumbling(t *testing.T) {
	_, in, c := startApp(t, topKApp, tickerOnly())
	for _, r := range []Row{
		tkTicker(0, "TBV"), tkTicker(1, "INTC"), tkTicker(2, "MSFT"), tkTicker(3, "AMZN"), tkTicker(4, "INTC"), tkTicker(5, "MSFT"),
		tkTicker(6, "AAPL"), tkTicker(7, "AAPL"), tkTicker(8, "INTC"), tkTicker(9.999, "TBV"),
	} {
		in.Push(0, r)
	}
	// Nothing before the window's end: a row at 9.999 s may still be followed by more of the window.
	in.Advance(tkBase + 9_999)
	if len(c.rows) != 0 {
		t.Fatalf("emitted before the window closed: %v", c.rows)
	}
	in.Advance(tkBase + 10_000)
	// INTC 3; AAPL, MSFT and TBV tie at 2 and order by value; AMZN falls out of the top 3.
	expectRows(t, c.rows, []string{
		"0 2017-07-14 02:40:10.000 INTC,3",
		"0 2017-07-14 02:40:10.000 AAPL,2",
		"0 2017-07-14 02:40:10.000 MSFT,2",
	})
	// The next window starts empty; a row after a gap opens the window it falls in.
	c.rows = nil
	in.Push(0, tkTicker(35, "AMZN"))
	in.Advance(tkBase + 39_000)
	if len(c.rows) != 0 {
		t.Fatalf("window [30s,40s) closed early: %v", c.rows)
	}
	in.Advance(tkBase + 60_000)
	expectRows(t, c.rows, []string{"0 2017-07-14 02:40:40.000 AMZN,1"})
}

// TestTopKClosesOnPush: a row of a later window closes the open one first, so its rows come before the new
// row's effects even without an explicit Advance.
func TestTopKClosesOnPush(t *testing.T) {
	_, in, c := startApp(t, topKApp, tickerOnly())
	in.Push(0, tkTicker(1, "A"))
	in.Push(0, tkTicker(12, "B"))
	expectRows(t, c.rows, []string{"0 2017-07-14 02:40:10.000 A,1"})
}

// countDistinctApp is sqlref_05, the SQL reference's COUNT_DISTINCT_ITEMS_TUMBLING example, verbatim but for
// a 10 s window.
const countDistinctApp = `CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
    NUMBER_OF_DISTINCT_ITEMS BIGINT);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM *
      FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
          CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),  -- pointer to the data stream
            'TICKER_SYMBOL',                                     -- name of column in single quotes
            10                                                   -- tumbling window size in seconds
      )
);`

func TestCountDistinctItemsTumbling(t *testing.T) {
	c := run(t, countDistinctApp, []Row{
		tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", -1, 5), tick(2, "AAPL", "TECH", -0.5, 20),
		tick(5, "MSFT", "TECH", 1, 7), tick(11, "AAPL", "TECH", 1, 7), tick(12, "AAPL", "TECH", 1, 8),
		tick(35, "XOM", "ENERGY", 1, 8),
	}, 60)
	expectRows(t, c.rows, []string{
		"0 2017-07-14 02:40:10.000 3",
		"0 2017-07-14 02:40:20.000 1",
		"0 2017-07-14 02:40:40.000 1",
	})
}

// topKTemplate is the console's "Approximate Top-K items" template (developer guide, top-k-example), with
// 'TICKER_SYMBOL' and 3 as the guide says to set, and a 10 s window. The guide: "The DESTINATION_SQL_STREAM
// displays three columns (ROWTIME, ITEM, and ITEM_COUNT). The query emits results every one minute."
// The pump here names the function's columns instead of using *.
const topKTemplate = `CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
             ITEM VARCHAR(1024),
             ITEM_COUNT DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ITEM, ITEM_COUNT
      FROM TABLE(TOP_K_ITEMS_TUMBLING(
                       CURSOR(SELECT STREAM * FROM    "SOURCE_SQL_STREAM_001"),
                       'TICKER_SYMBOL', -- name of column in single quote.
                       3,          -- number of top items.
                       10           -- tumbling window size in seconds
                       )
                  );`

func TestTopKTemplate(t *testing.T) {
	p, err := Compile(topKTemplate, Config{Inputs: []Input{tickerInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatal(err)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range []Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", -1, 5), tick(2, "AAPL", "TECH", -0.5, 20),
		tick(3, "MSFT", "TECH", 1, 7), tick(4, "IBM", "TECH", 1, 7), tick(5, "XOM", "TECH", 1, 7), tick(6, "AAPL", "TECH", 1, 7)} {
		in.Push(0, r)
	}
	in.Advance(tkBase + 10_000)
	expectRows(t, c.rows, []string{
		"0 2017-07-14 02:40:10.000 AAPL,3.0",
		"0 2017-07-14 02:40:10.000 XOM,2.0",
		"0 2017-07-14 02:40:10.000 IBM,1.0",
	})
}

// TestTableFuncSelectList reads the function's columns by name, with an alias, a WHERE and a column list.
func TestTableFuncSelectList(t *testing.T) {
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), n BIGINT, w TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM t.item, t.n, t.ROWTIME FROM TABLE(TOP_K_ITEMS_TUMBLING(
  CURSOR(SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'TECH'), 'TICKER_SYMBOL', 2, 5 * 2)) AS t (item, n)
WHERE t.n > 1;`
	c := run(t, code, []Row{
		tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", -1, 5), tick(2, "XOM", "ENERGY", -0.5, 20),
		tick(3, "AAPL", "TECH", 1, 7), tick(4, "MSFT", "TECH", 1, 7),
	}, 20)
	expectRows(t, c.rows, []string{"0 2017-07-14 02:40:10.000 AAPL,2,2017-07-14 02:40:10.000"})
}

func TestTableFuncErrors(t *testing.T) {
	cursor := `CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")`
	for _, tc := range []struct {
		call, suffix, at, want string // at: the text the error must point at
	}{
		{`TOP_K_ITEMS_TUMBLING(` + cursor + `, 'TICKER_SYMBOL', 0, 60)`, "", "0, 60", "K of TOP_K_ITEMS_TUMBLING must be between 1 and 100000, not 0"},
		{`TOP_K_ITEMS_TUMBLING(` + cursor + `, 'TICKER_SYMBOL', 3, 3601)`, "", "3601", "the window size (seconds) of TOP_K_ITEMS_TUMBLING must be between 1 and 3600, not 3601"},
		{`TOP_K_ITEMS_TUMBLING(` + cursor + `, 'TICKER_SYMBOL', 3)`, "", "TOP_K", "TOP_K_ITEMS_TUMBLING takes 4 arguments"},
		{`TOP_K_ITEMS_TUMBLING(` + cursor + `, TICKER_SYMBOL, 3, 60)`, "", "TICKER_SYMBOL", "the second argument of TOP_K_ITEMS_TUMBLING must be a column name"},
		{`TOP_K_ITEMS_TUMBLING(` + cursor + `, 'NOPE', 3, 60)`, "", "'NOPE'", `the cursor of TOP_K_ITEMS_TUMBLING has no column "NOPE"`},
		{`TOP_K_ITEMS_TUMBLING("SOURCE_SQL_STREAM_001", 'TICKER_SYMBOL', 3, 60)`, "", `"SOURCE`, "the first argument of TOP_K_ITEMS_TUMBLING must be CURSOR"},
		{`COUNT_DISTINCT_ITEMS_TUMBLING(` + cursor + `, 'TICKER_SYMBOL', 1.5)`, "", "1.5", "the window size (seconds) of COUNT_DISTINCT_ITEMS_TUMBLING must be an integer constant"},
		{`TOP_K_ITEMS_TUMBLING(` + cursor + `, 'TICKER_SYMBOL', 3, 60)`, " AS t (a, b, c)", "c)", "TOP_K_ITEMS_TUMBLING yields 2 columns, not 3"},
	} {
		const prefix = "SELECT STREAM * FROM TABLE("
		line := prefix + tc.call + ")" + tc.suffix
		code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (a VARCHAR(4), b BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
` + line + ";"
		want := fmt.Sprintf("3:%d: %s", strings.LastIndex(line, tc.at)+1, tc.want)
		if tc.at == "TOP_K" {
			want = fmt.Sprintf("3:%d: %s", len(prefix)+1, tc.want)
		}
		_, err := Compile(code, Config{Inputs: []Input{tickerInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
		var pe *Error
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %s...", line, err, want)
		}
	}
}

// itemsOpOf finds the table function's operator of a running instance.
func itemsOpOf(t testing.TB, in *Instance) *itemsOp {
	t.Helper()
	for _, s := range in.stateful {
		if o, ok := s.(*itemsOp); ok {
			return o
		}
	}
	t.Fatal("no itemsOp")
	return nil
}

// TestTopKBoundedMemory: past the exact limit, TOP_K keeps limit counters (Space-Saving) and still finds the
// heavy hitters, the same way on every run.
func TestTopKBoundedMemory(t *testing.T) {
	runOnce := func() []string {
		_, in, c := startApp(t, topKApp, tickerOnly())
		o := itemsOpOf(t, in)
		o.limit = 50
		for i := range 5000 {
			s := fmt.Sprintf("%d", i) // 5,000 distinct values seen once each
			if i%10 == 0 {
				s = []string{"A", "B", "C"}[i/10%3]
			}
			in.Push(0, Row{Time: tkBase + int64(i), Cols: []value.Value{value.NewString(s)}})
			if len(o.items) > o.limit || len(o.index) > o.limit {
				t.Fatalf("%d items tracked, limit %d", len(o.items), o.limit)
			}
		}
		in.Advance(tkBase + 10_000)
		return c.rows
	}
	got := runOnce()
	if len(got) != 3 {
		t.Fatalf("got %v", got)
	}
	for i, s := range []string{"A", "B", "C"} {
		if !strings.Contains(got[i], " "+s+",") {
			t.Errorf("row %d = %q, want heavy hitter %s", i, got[i], s)
		}
	}
	expectRows(t, runOnce(), got)
}

// TestCountDistinctHyperLogLog: past the exact limit the count is a HyperLogLog estimate, close and
// reproducible; at or under the limit it is exact.
func TestCountDistinctHyperLogLog(t *testing.T) {
	for _, tc := range []struct {
		distinct int
		exact    bool
	}{{1000, true}, {200_000, false}} {
		p, err := Compile(countDistinctApp, Config{Inputs: []Input{tickerInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
		if err != nil {
			t.Fatal(err)
		}
		var first string
		for range 2 {
			c := &collect{}
			in := p.Start(c)
			o := itemsOpOf(t, in)
			o.limit = 1000
			for i := range tc.distinct {
				in.Push(0, Row{Time: tkBase + int64(i)*9_000/int64(tc.distinct), Cols: []value.Value{
					value.NewString(fmt.Sprintf("s%d", i)), {}, {}, {}}})
				in.Push(0, Row{Time: tkBase + int64(i)*9_000/int64(tc.distinct), Cols: []value.Value{
					value.NewString(fmt.Sprintf("s%d", i/2)), {}, {}, {}}})
			}
			if len(o.items) > o.limit {
				t.Fatalf("%d items kept, limit %d", len(o.items), o.limit)
			}
			in.Advance(tkBase + 10_000)
			if len(c.rows) != 1 {
				t.Fatalf("got %v", c.rows)
			}
			var n int64
			fmt.Sscanf(c.rows[0][len("0 2017-07-14 02:40:10.000 "):], "%d", &n)
			if tc.exact && n != int64(tc.distinct) {
				t.Errorf("%d distinct: got %d, want exact", tc.distinct, n)
			}
			if rel := float64(n)/float64(tc.distinct) - 1; rel > 0.03 || rel < -0.03 {
				t.Errorf("%d distinct: estimate %d is off by %.1f%%", tc.distinct, n, rel*100)
			}
			if first == "" {
				first = c.rows[0]
			} else if c.rows[0] != first {
				t.Errorf("not reproducible: %s then %s", first, c.rows[0])
			}
		}
	}
}

// TestTopKSnapshot: a checkpoint taken mid-window resumes to the same rows as an uninterrupted run, in both
// the exact and the bounded modes.
func TestTopKSnapshot(t *testing.T) {
	for _, app := range []string{topKApp, countDistinctApp} {
		for _, limit := range []int{exactLimit, 4} {
			input := tickerOnly()
			if app == countDistinctApp {
				input = tickerInput()
			}
			row := func(i int) Row {
				cols := make([]value.Value, len(input.Columns))
				cols[0] = value.NewString(string(rune('A' + i*7%11)))
				return Row{Time: tkBase + int64(i)*700, Cols: cols}
			}
			p, whole, want := startApp(t, app, input)
			itemsOpOf(t, whole).limit = limit
			for i := range 40 {
				whole.Push(0, row(i))
			}
			whole.Advance(tkBase + 60_000)

			_, a, got := startApp(t, app, input)
			itemsOpOf(t, a).limit = limit
			for i := range 23 {
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
			itemsOpOf(t, b).limit = limit
			for i := 23; i < 40; i++ {
				b.Push(0, row(i))
			}
			b.Advance(tkBase + 60_000)
			if len(want.rows) == 0 {
				t.Fatal("no rows")
			}
			expectRows(t, got.rows, want.rows)
		}
	}
}

func BenchmarkTopKItems(b *testing.B) {
	for _, distinct := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("distinct=%d", distinct), func(b *testing.B) {
			in := startBench(b, topKApp, tickerOnly())
			vals := make([]value.Value, distinct)
			for i := range vals {
				vals[i] = value.NewString(fmt.Sprintf("%04d", i))
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				in.Push(0, Row{Time: tkBase + int64(i), Cols: []value.Value{vals[i*7919%distinct]}})
				i++
			}
		})
	}
}

func BenchmarkCountDistinctItems(b *testing.B) {
	input := tickerInput()
	in := startBench(b, countDistinctApp, input)
	vals := make([]value.Value, 1000)
	for i := range vals {
		vals[i] = value.NewString(fmt.Sprintf("%04d", i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		in.Push(0, Row{Time: tkBase + int64(i), Cols: []value.Value{vals[i%len(vals)], {}, {}, {}}})
		i++
	}
}
