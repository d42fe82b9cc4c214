package engine

import (
	"strings"
	"testing"
)

// (VALUES (row), ...) AS t(columns) in FROM is a constant table: it joins a stream as a reference table
// does (the Query page makes VALUES a query; the audit found `expected SELECT, found "VALUES"`).
func TestValuesJoin(t *testing.T) {
	rows := []Row{tick(0, "AAPL", "TECH", 1, 10), tick(1, "XOM", "ENERGY", 1, 10), tick(2, "IBM", "TECH", 1, 10)}
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"inner join on a key",
			`SELECT STREAM s.ticker_symbol, t.name FROM "SOURCE_SQL_STREAM_001" AS s
			 JOIN (VALUES ('AAPL', 'Apple'), ('IBM', 'IBM Corp.')) AS t(k, name) ON s.ticker_symbol = t.k`,
			[]string{"0 2017-07-14 02:40:00.000 AAPL,Apple", "0 2017-07-14 02:40:02.000 IBM,IBM Corp."}},
		{"the stream preserved by a left join",
			`SELECT STREAM s.ticker_symbol, t.name FROM "SOURCE_SQL_STREAM_001" AS s
			 LEFT JOIN (VALUES ('AAPL', 'Apple')) AS t(k, name) ON s.ticker_symbol = t.k`,
			[]string{"0 2017-07-14 02:40:00.000 AAPL,Apple", "0 2017-07-14 02:40:01.000 XOM,NULL", "0 2017-07-14 02:40:02.000 IBM,NULL"}},
		{"the VALUES on the left, a comma join, and a column's common type",
			`SELECT STREAM t.x, t.y, s.ticker_symbol FROM (VALUES (1, 'a'), (2.5, 'bcd')) AS t(x, y), "SOURCE_SQL_STREAM_001" AS s
			 WHERE s.sector = 'ENERGY'`,
			[]string{"0 2017-07-14 02:40:01.000 1.0,a,XOM", "0 2017-07-14 02:40:01.000 2.5,bcd,XOM"}},
		{"unnamed columns, NULLs and folded constants",
			`SELECT STREAM v."EXPR$0", v."EXPR$1" FROM "SOURCE_SQL_STREAM_001" JOIN (VALUES (NULL, 1 + 1), ('x', -3)) v
			 ON ticker_symbol = 'IBM'`,
			[]string{"0 2017-07-14 02:40:02.000 NULL,2", "0 2017-07-14 02:40:02.000 x,-3"}},
		{"in parentheses",
			`SELECT STREAM n FROM "SOURCE_SQL_STREAM_001" JOIN ((VALUES (7))) AS t(n) ON ticker_symbol = 'AAPL'`,
			[]string{"0 2017-07-14 02:40:00.000 7"}},
	} {
		got, errs := queryRows(t, tc.query, rows, 10)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(errs) > 0 {
			t.Errorf("%s:\n got %q, errors %v\nwant %q", tc.name, got, errs, tc.want)
		}
	}
}

// Where a VALUES list would be a stream, or is not a table of constants, the query is refused.
func TestValuesRefused(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{`SELECT STREAM * FROM (VALUES (1)) AS t(n)`,
			`1:22: VALUES is a constant table, not a stream: a query reads a stream (join the VALUES to a stream)`},
		{`VALUES (1)`,
			`1:1: VALUES is a constant table, not a stream: join it to a stream in FROM, as (VALUES ...) AS t(columns)`},
		{`SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" UNION ALL VALUES ('x')`,
			`1:68: VALUES is a constant table, not a stream`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" RIGHT JOIN (VALUES (1)) AS t(n) ON TRUE`,
			`this outer join would preserve the reference table's rows, which a stream cannot emit`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" JOIN (VALUES (1), (2, 3)) AS t(n) ON TRUE`,
			`1:65: VALUES rows must have the same number of values: row 2 has 2, row 1 has 1`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" JOIN (VALUES (1, 2)) AS t(n) ON TRUE`,
			`1:72: VALUES has 2 columns, but its alias names 1`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" JOIN (VALUES (1), ('a')) AS t(n) ON TRUE`,
			`1:65: the values of VALUES column 1 have incompatible types INTEGER and VARCHAR(1)`},
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" JOIN (VALUES (CURRENT_ROW_TIMESTAMP)) AS t(n) ON TRUE`,
			`1:60: a VALUES row in FROM holds constants only`},
		// A FROM item does not see its neighbours' columns.
		{`SELECT STREAM * FROM "SOURCE_SQL_STREAM_001" JOIN (VALUES (ticker_symbol)) AS t(n) ON TRUE`,
			`1:60: column "TICKER_SYMBOL" not found`},
	} {
		_, err := CompileQuery(tc.query, Config{Inputs: []Input{tickerInput()}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n error %v\n want %s", tc.query, err, tc.want)
		}
	}
}
