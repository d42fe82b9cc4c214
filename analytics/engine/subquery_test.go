package engine

import (
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Subqueries in expressions over reference tables (audit B11): IN, NOT IN, EXISTS and scalar subqueries
// are lookups in the static table, with SQL's three-valued results.

// subqueryTables are T (tickerTable), N (one column K holding 'AAPL' and a NULL) and D (two AAPL rows, one
// IBM row, with a limit price).
func subqueryTables() []Table {
	return []Table{tickerTable(),
		{Name: "N", Columns: []value.Column{{Name: "K", Type: value.Varchar(4)}}, Rows: [][]value.Value{
			{value.NewString("AAPL")}, {{}},
		}},
		{Name: "D", Columns: []value.Column{
			{Name: "TICKER_SYMBOL", Type: value.Varchar(4)},
			{Name: "LIMIT_PRICE", Type: value.IntegerType},
		}, Rows: [][]value.Value{
			{value.NewString("AAPL"), value.NewInt(5)},
			{value.NewString("AAPL"), value.NewInt(15)},
			{value.NewString("IBM"), value.NewInt(25)},
		}},
	}
}

// subqueryRows are AAPL at 10, XYZ at 20, IBM at 30 and a row whose ticker is NULL, at 40.
func subqueryRows() []Row {
	null := tick(4, "", "TECH", 4, 40)
	null.Cols[0] = value.Value{}
	return []Row{tick(1, "AAPL", "TECH", 1, 10), tick(2, "XYZ", "TECH", 2, 20), tick(3, "IBM", "TECH", 3, 30), null}
}

func TestSubqueryOverTable(t *testing.T) {
	const from = ` FROM "SOURCE_SQL_STREAM_001" AS s`
	tests := []struct {
		name, query string
		want        []string
	}{
		{"in, the inner name first",
			`SELECT STREAM ticker_symbol, price` + from + ` WHERE ticker_symbol IN (SELECT ticker_symbol FROM T)`,
			[]string{"1.000 AAPL,10.0", "3.000 IBM,30.0"}},
		{"not in: NULL is not selected",
			`SELECT STREAM ticker_symbol` + from + ` WHERE ticker_symbol NOT IN (SELECT ticker_symbol FROM T)`,
			[]string{"2.000 XYZ"}},
		{"in with a NULL in the set",
			`SELECT STREAM ticker_symbol, ticker_symbol IN (SELECT k FROM N), ticker_symbol NOT IN (SELECT k FROM N)` + from,
			[]string{"1.000 AAPL,true,false", "2.000 XYZ,NULL,NULL", "3.000 IBM,NULL,NULL", "4.000 NULL,NULL,NULL"}},
		{"in, an empty set",
			`SELECT STREAM ticker_symbol, ticker_symbol IN (SELECT k FROM N WHERE k = 'none'), ticker_symbol NOT IN (SELECT k FROM N WHERE k = 'none')` + from,
			[]string{"1.000 AAPL,false,true", "2.000 XYZ,false,true", "3.000 IBM,false,true", "4.000 NULL,false,true"}},
		{"in with a WHERE",
			`SELECT STREAM ticker_symbol` + from + ` WHERE ticker_symbol IN (SELECT ticker_symbol FROM T WHERE name = 'Intl')`,
			[]string{"3.000 IBM"}},
		{"in, correlated",
			`SELECT STREAM ticker_symbol, ticker_symbol IN (SELECT d.ticker_symbol FROM D AS d WHERE d.limit_price > s.price)` + from,
			[]string{"1.000 AAPL,true", "2.000 XYZ,false", "3.000 IBM,false", "4.000 NULL,false"}},
		{"in, select star of a one-column table",
			`SELECT STREAM ticker_symbol` + from + ` WHERE ticker_symbol IN (SELECT * FROM N)`,
			[]string{"1.000 AAPL"}},
		{"exists, correlated",
			`SELECT STREAM ticker_symbol` + from + ` WHERE EXISTS (SELECT * FROM T WHERE T.ticker_symbol = s.ticker_symbol)`,
			[]string{"1.000 AAPL", "3.000 IBM"}},
		{"not exists",
			`SELECT STREAM ticker_symbol` + from + ` WHERE NOT EXISTS (SELECT 1 FROM T AS t WHERE t.ticker_symbol = s.ticker_symbol)`,
			[]string{"2.000 XYZ", "4.000 NULL"}},
		{"exists, an unqualified outer name",
			`SELECT STREAM ticker_symbol` + from + ` WHERE EXISTS (SELECT 1 FROM D WHERE limit_price > price)`,
			[]string{"1.000 AAPL", "2.000 XYZ"}},
		{"exists in CASE",
			`SELECT STREAM ticker_symbol, CASE WHEN EXISTS (SELECT 1 FROM D WHERE D.ticker_symbol = s.ticker_symbol AND limit_price < price) THEN 'below' ELSE 'no' END` + from,
			[]string{"1.000 AAPL,below", "2.000 XYZ,no", "3.000 IBM,below", "4.000 NULL,no"}},
		{"scalar",
			`SELECT STREAM ticker_symbol, (SELECT name FROM T WHERE T.ticker_symbol = s.ticker_symbol) AS name` + from,
			[]string{"1.000 AAPL,Apple", "2.000 XYZ,NULL", "3.000 IBM,Intl", "4.000 NULL,NULL"}},
		{"after GROUP BY: the outer names are the group's keys",
			`SELECT STREAM ticker_symbol, ticker_symbol IN (SELECT k FROM N) AS known, COUNT(*) AS n` + from + ` GROUP BY ticker_symbol, STEP(s.ROWTIME BY INTERVAL '1' MINUTE) HAVING EXISTS (SELECT 1 FROM T WHERE T.ticker_symbol = s.ticker_symbol)`,
			[]string{"2017-07-14 02:41:00.000 AAPL,true,1", "2017-07-14 02:41:00.000 IBM,NULL,1"}},
		{"nested: a subquery in a subquery's WHERE reads the outermost row",
			`SELECT STREAM ticker_symbol` + from + ` WHERE EXISTS (SELECT 1 FROM T WHERE name = 'Apple' AND ticker_symbol IN (SELECT k FROM N WHERE k = s.ticker_symbol))`,
			[]string{"1.000 AAPL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := runQuery(t, tt.query, subqueryRows(), subqueryTables()...)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestScalarSubqueryManyRows: a scalar subquery that selects two rows puts the row on the error stream.
func TestScalarSubqueryManyRows(t *testing.T) {
	p, err := CompileQuery(`SELECT STREAM ticker_symbol, (SELECT limit_price FROM D WHERE D.ticker_symbol = s.ticker_symbol) FROM "SOURCE_SQL_STREAM_001" AS s`,
		Config{Inputs: []Input{tickerInput()}, Tables: subqueryTables()})
	if err != nil {
		t.Fatal(err)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range subqueryRows() {
		in.Push(0, r)
	}
	in.Advance(1_500_000_100_000)
	want := "0 2017-07-14 02:40:02.000 XYZ,NULL\n0 2017-07-14 02:40:03.000 IBM,25\n0 2017-07-14 02:40:04.000 NULL,NULL"
	if got := strings.Join(c.rows, "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if len(c.errors) != 1 || c.errors[0].Name != "Cardinality_violation" {
		t.Errorf("errors: %+v", c.errors)
	}
}

// TestSubqueryIndexed: the equalities of WHERE, and IN's x = c, are served from an index.
func TestSubqueryIndexed(t *testing.T) {
	q, err := sql.ParseQuery(`SELECT STREAM 1 FROM "SOURCE_SQL_STREAM_001" AS s WHERE ticker_symbol IN (SELECT d.ticker_symbol FROM D AS d WHERE d.limit_price = s.change AND d.limit_price < price)`)
	if err != nil {
		t.Fatal(err)
	}
	sel := q.(*sql.Select)
	p := newPlanner(Config{Inputs: []Input{tickerInput()}, Tables: subqueryTables()}, &Instance{})
	c := &compiler{p: p, sc: p.from(sel.From).sc}
	in := sel.Where.(*sql.In)
	s := c.subquery(in, in.Query, "")
	if l := s.lookup(s.sel.Where); len(l.idx.probe) != 1 || len(l.idx.index) != 3 {
		t.Errorf("WHERE: %d probes, index %v", len(l.idx.probe), l.idx.index)
	}
}

func TestSubqueryErrors(t *testing.T) {
	const from = ` FROM "SOURCE_SQL_STREAM_001" AS s`
	tests := []struct{ query, want string }{
		{`SELECT STREAM ticker_symbol` + from + ` WHERE ticker_symbol IN (SELECT ticker_symbol FROM "SOURCE_SQL_STREAM_001")`,
			`1:69: IN (subquery) is not supported in streaming queries`},
		{`SELECT STREAM ticker_symbol` + from + ` WHERE EXISTS (SELECT 1 FROM "SOURCE_SQL_STREAM_001")`,
			`1:69: subqueries in expressions are not supported in streaming queries`},
		{`SELECT STREAM (SELECT ticker_symbol FROM "SOURCE_SQL_STREAM_001" AS x, T)` + from,
			`1:15: subqueries in expressions are not supported in streaming queries`},
		{`SELECT STREAM ticker_symbol` + from + ` WHERE ticker_symbol IN (SELECT ticker_symbol, name FROM T)`,
			`1:69: this subquery must select one column, not 2`},
		{`SELECT STREAM ticker_symbol` + from + ` WHERE price IN (SELECT name FROM T)`,
			`1:69: cannot compare REAL with VARCHAR(10)`},
		{`SELECT STREAM ticker_symbol` + from + ` WHERE EXISTS (SELECT 1 FROM T WHERE nope = 1)`,
			`1:99: column "NOPE" not found`},
		{`SELECT STREAM ticker_symbol` + from + ` WHERE EXISTS (SELECT COUNT(*) FROM T)`,
			`1:84: aggregate function COUNT is not allowed here`},
	}
	for _, tt := range tests {
		_, err := CompileQuery(tt.query, Config{Inputs: []Input{tickerInput()}, Tables: subqueryTables()})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.query, err, tt.want)
		}
	}
}
