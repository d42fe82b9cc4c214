package engine

import (
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// JOIN ... USING (columns) and NATURAL <join-type> JOIN, from the FROM clause page's grammar: planned as the
// ON of the key equalities, with each key once in SELECT * (keys first, then the left side's other columns,
// then the right side's), as standard SQL has it.

// tickerTable is a reference table T: a company name and a sector label per ticker.
func tickerTable() Table {
	return Table{Name: "T", Columns: []value.Column{
		{Name: "NAME", Type: value.Varchar(10)},
		{Name: "TICKER_SYMBOL", Type: value.Varchar(4)},
	}, Rows: [][]value.Value{
		{value.NewString("Apple"), value.NewString("AAPL")},
		{value.NewString("Intl"), value.NewString("IBM")},
	}}
}

// runQuery runs a query as `hydrant sql` does, on the ticker input and T, and returns its column names and
// rows (without the output index).
func runQuery(t *testing.T, query string, rows []Row, tables ...Table) (string, []string) {
	t.Helper()
	p, err := CompileQuery(query, Config{Inputs: []Input{tickerInput()}, Tables: tables})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var names []string
	for _, c := range p.OutputColumns()[0] {
		names = append(names, c.Name)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range rows {
		in.Push(0, r)
	}
	in.Advance(1_500_000_100_000)
	if len(c.errors) > 0 {
		t.Errorf("error rows: %+v", c.errors)
	}
	var out []string
	for _, r := range c.rows {
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(r, "0 "), "2017-07-14 02:40:0"))
	}
	return strings.Join(names, ","), out
}

func TestUsingTableJoin(t *testing.T) {
	rows := []Row{tick(1, "AAPL", "TECH", 1, 10), tick(2, "XYZ", "TECH", 2, 20), tick(3, "IBM", "TECH", 3, 30)}
	tests := []struct {
		name, query, cols string
		want              []string
	}{
		{
			// The audit's case: the key, unqualified, is not ambiguous.
			name:  "using",
			query: `SELECT STREAM ticker_symbol, t.name FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (ticker_symbol)`,
			cols:  "TICKER_SYMBOL,NAME",
			want:  []string{"1.000 AAPL,Apple", "3.000 IBM,Intl"},
		},
		{
			// SELECT *: the key once, first; then the stream's other columns, then the table's.
			name:  "using, select star",
			query: `SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (ticker_symbol)`,
			cols:  "TICKER_SYMBOL,SECTOR,CHANGE,PRICE,NAME",
			want:  []string{"1.000 AAPL,TECH,1.0,10.0,Apple", "3.000 IBM,TECH,3.0,30.0,Intl"},
		},
		{
			// NATURAL JOIN: the columns both sides share (TICKER_SYMBOL) are the keys.
			name:  "natural",
			query: `SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" NATURAL JOIN T`,
			cols:  "TICKER_SYMBOL,SECTOR,CHANGE,PRICE,NAME",
			want:  []string{"1.000 AAPL,TECH,1.0,10.0,Apple", "3.000 IBM,TECH,3.0,30.0,Intl"},
		},
		{
			// The table on the left: its columns come first after the key, and the key is still the
			// stream's value (equal to the table's for an inner join).
			name:  "natural, table on the left",
			query: `SELECT STREAM * FROM T NATURAL INNER JOIN "SOURCE_SQL_STREAM_001"`,
			cols:  "TICKER_SYMBOL,NAME,SECTOR,CHANGE,PRICE",
			want:  []string{"1.000 AAPL,Apple,TECH,1.0,10.0", "3.000 IBM,Intl,TECH,3.0,30.0"},
		},
		{
			// LEFT JOIN preserving the stream: XYZ has no match; its key is the stream's, its name NULL.
			name:  "left join using",
			query: `SELECT STREAM ticker_symbol, s.ticker_symbol, t.ticker_symbol, name FROM "SOURCE_SQL_STREAM_001" AS s LEFT OUTER JOIN T AS t USING (ticker_symbol)`,
			cols:  "TICKER_SYMBOL,TICKER_SYMBOL,TICKER_SYMBOL,NAME",
			want:  []string{"1.000 AAPL,AAPL,AAPL,Apple", "2.000 XYZ,XYZ,NULL,NULL", "3.000 IBM,IBM,IBM,Intl"},
		},
		{
			// RIGHT JOIN preserving the stream on the right: the key is the right side's.
			name:  "natural right join",
			query: `SELECT STREAM ticker_symbol, name FROM T NATURAL RIGHT JOIN "SOURCE_SQL_STREAM_001"`,
			cols:  "TICKER_SYMBOL,NAME",
			want:  []string{"1.000 AAPL,Apple", "2.000 XYZ,NULL", "3.000 IBM,Intl"},
		},
		{
			// A qualified star keeps the side's own key.
			name:  "qualified star",
			query: `SELECT STREAM t.* FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (ticker_symbol)`,
			cols:  "NAME,TICKER_SYMBOL",
			want:  []string{"1.000 Apple,AAPL", "3.000 Intl,IBM"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, got := runQuery(t, tt.query, rows, tickerTable())
			if cols != tt.cols {
				t.Errorf("columns %s, want %s", cols, tt.cols)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestNaturalNoCommonColumn: sides that share no column make a NATURAL JOIN a cross join, as in SQL.
func TestNaturalNoCommonColumn(t *testing.T) {
	tb := Table{Name: "R", Columns: []value.Column{{Name: "K", Type: value.Varchar(4)}},
		Rows: [][]value.Value{{value.NewString("a")}, {value.NewString("b")}}}
	cols, got := runQuery(t, `SELECT STREAM ticker_symbol, k FROM "SOURCE_SQL_STREAM_001" NATURAL JOIN R`,
		[]Row{tick(1, "AAPL", "TECH", 1, 10)}, tb)
	if want := "1.000 AAPL,a\n1.000 AAPL,b"; cols != "TICKER_SYMBOL,K" || strings.Join(got, "\n") != want {
		t.Errorf("%s: %q, want %q", cols, got, want)
	}
}

// TestUsingStreamJoin runs the JOIN clause page's orders and shipments with USING ("orderid") and NATURAL:
// the same rows as the ON form, the key once.
func TestUsingStreamJoin(t *testing.T) {
	tests := []struct{ name, code, want string }{
		{
			// Example 2 of the reference (windows on both sides), written with USING.
			name: "inner, using",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("orderid" int, "shipmenttime" timestamp, "ordertime" timestamp);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM "orderid", s.ROWTIME, o.ROWTIME
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s USING ("orderid");`,
			want: "10:00:45 104,10:00:45,10:00:40\n10:00:45 100,10:00:00,10:00:45\n",
		},
		{
			// FULL OUTER: the key is the order's id, or the shipment's when there is no order (105).
			name: "full join, using",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("id" int, "sid" int, "oid" int);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM "orderid", s."orderid", o."orderid"
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      FULL OUTER JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s USING ("orderid");`,
			want: "10:00:45 104,104,104\n10:00:45 100,100,100\n" +
				"10:01:00 101,NULL,101\n10:01:20 102,NULL,102\n10:01:30 103,NULL,103\n10:01:50 105,105,NULL\n",
		},
		{
			// SELECT * of a NATURAL FULL JOIN through a view: "orderid" (merged), the order's time, the
			// shipment's time. The streams share only "orderid".
			name: "natural full join, select star",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("id" int, "ot" timestamp, "st" timestamp);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM *
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING)
      NATURAL FULL JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING);`,
			want: "10:00:45 104,10:00:40,10:00:45\n10:00:45 100,10:00:45,10:00:00\n" +
				"10:01:00 101,10:00:00,NULL\n10:01:20 102,10:00:20,NULL\n10:01:30 103,10:00:30,NULL\n10:01:50 105,NULL,10:00:50\n",
		},
		{
			// RIGHT JOIN: every shipment as it comes, the key from the shipment even when no order matched.
			name: "right join, using",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("id" int, "ordertime" timestamp);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM "orderid", o.ROWTIME
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      RIGHT JOIN SHIPMENTS_STREAM AS s USING ("orderid");`,
			want: "10:00:00 100,NULL\n10:00:45 104,10:00:40\n10:00:50 105,NULL\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := runRef(t, tt.code, refRows(), "10:05:00")
			if got := short(c.rows); got != tt.want {
				t.Errorf("got\n%swant\n%s", got, tt.want)
			}
			if len(c.errors) > 0 {
				t.Errorf("error rows: %+v", c.errors)
			}
		})
	}
}

func TestUsingErrors(t *testing.T) {
	tests := []struct{ query, want string }{
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (sector)`,
			`1:70: column "SECTOR" of USING is not a column of the join's right side`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (name)`,
			`1:70: column "NAME" of USING is not a column of the join's left side`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (ticker_symbol, ticker_symbol)`,
			`1:85: column "TICKER_SYMBOL" appears twice in USING`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" AS s JOIN R USING (k)`,
			`1:65: cannot compare VARCHAR(4) with INTEGER`},
		// Each side's key is still its own column: qualified, s.ticker_symbol names the stream's.
		{`SELECT STREAM s.name FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (ticker_symbol)`,
			`1:15: column "NAME" not found in "S"`},
		// Joined twice on the same name, the left side has the key twice unless the first join merged it.
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t ON s.ticker_symbol = t.ticker_symbol JOIN T AS u USING (ticker_symbol)`,
			`1:119: column "TICKER_SYMBOL" of USING is ambiguous on the left side of the join`},
	}
	r := Table{Name: "R", Columns: []value.Column{{Name: "K", Type: value.Type{Base: value.TInteger}}}}
	in := tickerInput()
	in.Columns = append(in.Columns, value.Column{Name: "K", Type: value.Varchar(4)})
	for _, tt := range tests {
		_, err := CompileQuery(tt.query, Config{Inputs: []Input{in}, Tables: []Table{tickerTable(), r}})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.query, err, tt.want)
		}
	}
	// Merged by a first USING, the key joins again without ambiguity.
	_, err := CompileQuery(`SELECT STREAM ticker_symbol, t.name, u.name FROM "SOURCE_SQL_STREAM_001" AS s JOIN T AS t USING (ticker_symbol) JOIN T AS u USING (ticker_symbol)`,
		Config{Inputs: []Input{tickerInput()}, Tables: []Table{tickerTable()}})
	if err != nil {
		t.Errorf("chained USING: %v", err)
	}
}

// TestUsingOpenInputs: `hydrant sql check` without schemas names the key on each side as it names any
// column, and a NATURAL JOIN of sides whose columns are unknown is a cross join of them.
func TestUsingOpenInputs(t *testing.T) {
	cfg := Config{Inputs: []Input{{Name: "S", Open: true}}, Tables: []Table{{Name: "T", Open: true}}}
	for _, q := range []string{
		`SELECT STREAM k, s.v, t.w FROM S AS s JOIN T AS t USING (k)`,
		`SELECT STREAM s.v, t.w FROM S AS s NATURAL JOIN T AS t`,
	} {
		if _, err := CompileQuery(q, cfg); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
