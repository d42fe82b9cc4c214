package sql

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Each application in testdata/ is a copy of ../shared/sql (examples/ from the KDA documentation, nexmark/ from
// the Nexmark benchmark's Flink queries), so that the tests run on a clean clone.

// skipped lists the files that the parser does not take, with the construct that stops it. It is empty: every
// file parses.
var skipped = map[string]string{}

// substitutions stand in for the template parameters the Nexmark runner fills in before Flink sees the text.
var substitutions = map[string][2]string{
	"nexmark/ddl_views.sql": {"${NEXMARK_TABLE}", "datagen"},
}

type application struct {
	name string // examples/aws_doc_01_tumbling_rowtime_step.sql
	src  string
}

func applications(t testing.TB) []application {
	t.Helper()
	files, err := filepath.Glob("testdata/*/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var apps []application
	for _, f := range files {
		name := filepath.ToSlash(strings.TrimPrefix(f, "testdata"+string(filepath.Separator)))
		if skipped[name] != "" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if s, ok := substitutions[name]; ok {
			src = strings.ReplaceAll(src, s[0], s[1])
		}
		apps = append(apps, application{name, src})
	}
	if len(apps) < 34+13 {
		t.Fatalf("found %d applications under testdata, want the 34 KDA examples and 13 Nexmark files", len(apps))
	}
	return apps
}

// clearPositions zeroes every Pos in the tree under v, so that trees parsed from different texts compare equal
// when they differ only in layout.
func clearPositions(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearPositions(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			clearPositions(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Pos]() {
			if v.CanSet() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			clearPositions(v.Field(i))
		}
	}
}

func sameTree(a, b any) bool {
	clearPositions(reflect.ValueOf(a))
	clearPositions(reflect.ValueOf(b))
	return reflect.DeepEqual(a, b)
}

// checkRoundTrip parses the printed form of s and requires the same tree back and a printer fixed point.
func checkRoundTrip(t *testing.T, s *Script) string {
	t.Helper()
	out := s.String()
	s2, err := Parse(out)
	if err != nil {
		t.Fatalf("printed form does not parse: %v\n%s", err, out)
	}
	if out2 := s2.String(); out2 != out {
		t.Fatalf("printing is not a fixed point:\nfirst:\n%s\nsecond:\n%s", out, out2)
	}
	if !sameTree(s, s2) {
		t.Fatalf("print → parse changed the tree:\n%s", out)
	}
	return out
}

func TestParseApplications(t *testing.T) {
	for _, app := range applications(t) {
		t.Run(app.name, func(t *testing.T) {
			s, err := Parse(app.src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(s.Stmts) == 0 {
				t.Fatal("no statements")
			}
			out := checkRoundTrip(t, s)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(app.name, ".sql")+".sql")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("printed form differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", golden, out, want)
			}
		})
	}
}

// TestStatementKinds pins the shape of a few applications, so that a parser that accepts everything but builds
// the wrong tree fails.
func TestStatementKinds(t *testing.T) {
	kinds := func(s *Script) string {
		var ks []string
		for _, st := range s.Stmts {
			ks = append(ks, strings.TrimPrefix(reflect.TypeOf(st).String(), "*sql."))
		}
		return strings.Join(ks, " ")
	}
	tests := map[string]string{
		"examples/aws_doc_01_tumbling_rowtime_step.sql":        "CreateStream CreatePump",
		"examples/aws_doc_19_two_record_types.sql":             "CreateStream CreatePump CreateStream CreatePump CreateStream CreatePump",
		"examples/aws_doc_20_stream_to_stream_join.sql":        "QueryStmt QueryStmt QueryStmt",
		"examples/aws_doc_26_datetime_functions.sql":           "CreateStream CreatePump",
		"examples/sqlref_05_count_distinct_items_tumbling.sql": "CreateStream CreatePump",
		"nexmark/q12.sql":       "CreateTable CreateView Insert",
		"nexmark/ddl_views.sql": "CreateView CreateView CreateView",
	}
	apps := map[string]string{}
	for _, a := range applications(t) {
		apps[a.name] = a.src
	}
	for name, want := range tests {
		s, err := Parse(apps[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := kinds(s); got != want {
			t.Errorf("%s: statements %s, want %s", name, got, want)
		}
	}
}

func mustParse(t *testing.T, src string) *Script {
	t.Helper()
	s, err := Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	checkRoundTrip(t, s)
	return s
}

func TestCreateStreamTree(t *testing.T) {
	s := mustParse(t, `CREATE OR REPLACE STREAM "Dest" (ticker VARCHAR(4) NOT NULL, "Price" DECIMAL(10, 2),
		n DOUBLE PRECISION, t TIMESTAMP) DESCRIPTION 'it''s out';`)
	cs := s.Stmts[0].(*CreateStream)
	desc := "it's out"
	want := &CreateStream{OrReplace: true, Name: Ident{Name: "Dest", Quoted: true},
		Columns: []ColumnDef{
			{Name: Ident{Name: "TICKER"}, Type: &DataType{Name: "VARCHAR", Args: []string{"4"}}, NotNull: true},
			{Name: Ident{Name: "Price", Quoted: true}, Type: &DataType{Name: "DECIMAL", Args: []string{"10", "2"}}},
			{Name: Ident{Name: "N"}, Type: &DataType{Name: "DOUBLE PRECISION"}},
			{Name: Ident{Name: "T"}, Type: &DataType{Name: "TIMESTAMP"}},
		},
		Description: &desc}
	if !sameTree(cs, want) {
		t.Errorf("got %#v", cs)
	}
}

func TestPumpTree(t *testing.T) {
	s := mustParse(t, `CREATE PUMP p AS INSERT INTO "OUT" ("A", b)
SELECT STREAM a, COUNT(*) AS n FROM s
WHERE x SIMILAR TO '%AMZN%'
GROUP BY a, STEP(s.ROWTIME BY INTERVAL '60' SECOND)`)
	p := s.Stmts[0].(*CreatePump)
	if p.OrReplace || p.Name.Name != "P" || p.Insert.Into.Name != "OUT" || !p.Insert.Into.Quoted || len(p.Insert.Columns) != 2 {
		t.Fatalf("pump header: %+v %+v", p, p.Insert)
	}
	sel := p.Insert.Query.(*Select)
	if !sel.Stream || len(sel.Items) != 2 || sel.Items[1].Alias.Name != "N" {
		t.Fatalf("select list: %+v", sel)
	}
	if c := sel.Items[1].Expr.(*FuncCall); c.Name.Name != "COUNT" || len(c.Args) != 1 {
		t.Errorf("COUNT(*): %+v", c)
	} else if _, ok := c.Args[0].(*Star); !ok {
		t.Errorf("COUNT(*) argument is %T", c.Args[0])
	}
	if l, ok := sel.Where.(*Like); !ok || !l.Similar {
		t.Errorf("WHERE: %#v", sel.Where)
	}
	st, ok := sel.GroupBy[1].(*Step)
	if !ok {
		t.Fatalf("GROUP BY key is %T", sel.GroupBy[1])
	}
	if iv := st.Width.(*IntervalLit); iv.Value != "60" || iv.Unit != "SECOND" {
		t.Errorf("STEP width: %+v", iv)
	}
	if c := st.X.(*ColumnRef); len(c.Parts) != 2 || c.Parts[1].Name != "ROWTIME" {
		t.Errorf("STEP argument: %+v", c)
	}
}

func TestWindowTrees(t *testing.T) {
	s := mustParse(t, `SELECT STREAM AVG(p) OVER W1, SUM(p) OVER (PARTITION BY k ROWS 2 PRECEDING)
FROM o OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a LEFT OUTER JOIN t OVER w ON a.id = t.id
WINDOW W1 AS (PARTITION BY k RANGE INTERVAL '1' MINUTE PRECEDING)`)
	sel := s.Stmts[0].(*QueryStmt).Query.(*Select)
	if f := sel.Items[0].Expr.(*FuncCall); f.OverName == nil || f.OverName.Name != "W1" {
		t.Errorf("OVER W1: %+v", f)
	}
	f := sel.Items[1].Expr.(*FuncCall)
	if f.Over == nil || f.Over.Frame.Unit != "ROWS" || f.Over.Frame.Start.Kind != "PRECEDING" {
		t.Errorf("inline OVER: %+v", f.Over)
	}
	j := sel.From.(*Join)
	l, r := j.L.(*TableRef), j.R.(*TableRef)
	if j.Kind != LeftJoin || l.Over == nil || l.Alias.Name != "A" || r.OverName == nil {
		t.Errorf("windowed join: %+v %+v %+v", j, l, r)
	}
	w := sel.Windows[0]
	if w.Name.Name != "W1" || len(w.Spec.PartitionBy) != 1 || w.Spec.Frame.Unit != "RANGE" {
		t.Errorf("WINDOW: %+v", w)
	}

	s = mustParse(t, `SELECT STREAM k, COUNT(k) FROM s
WINDOWED BY STAGGER (PARTITION BY FLOOR(t TO MINUTE), k RANGE INTERVAL '1' MINUTE)`)
	sel = s.Stmts[0].(*QueryStmt).Query.(*Select)
	if sel.Stagger == nil || len(sel.Stagger.PartitionBy) != 2 || sel.Stagger.Frame.Start.Kind != "" {
		t.Fatalf("stagger: %+v", sel.Stagger)
	}
	if ft, ok := sel.Stagger.PartitionBy[0].(*FloorTo); !ok || ft.Unit != "MINUTE" {
		t.Errorf("FLOOR TO: %#v", sel.Stagger.PartitionBy[0])
	}
}

// TestJoinTrees pins the FROM clause page's joined-table forms: CROSS JOIN, NATURAL <join-type> JOIN (the join
// type may be left out) and <join-type> JOIN ... USING (columns).
func TestJoinTrees(t *testing.T) {
	tests := []struct {
		src     string
		kind    JoinKind
		natural bool
		using   string
	}{
		{"SELECT STREAM * FROM s JOIN t USING (a, \"b\")", InnerJoin, false, "A,b"},
		{"SELECT STREAM * FROM s LEFT OUTER JOIN t USING (a)", LeftJoin, false, "A"},
		{"SELECT STREAM * FROM s NATURAL JOIN t", InnerJoin, true, ""},
		{"SELECT STREAM * FROM s NATURAL INNER JOIN t", InnerJoin, true, ""},
		{"SELECT STREAM * FROM s AS x NATURAL LEFT OUTER JOIN t AS y", LeftJoin, true, ""},
		{"SELECT STREAM * FROM s NATURAL RIGHT JOIN t", RightJoin, true, ""},
		{"SELECT STREAM * FROM s OVER (RANGE INTERVAL '1' MINUTE PRECEDING) NATURAL FULL JOIN t", FullJoin, true, ""},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.src)
		j := s.Stmts[0].(*QueryStmt).Query.(*Select).From.(*Join)
		var using []string
		for _, id := range j.Using {
			using = append(using, id.Name)
		}
		if j.Kind != tt.kind || j.Natural != tt.natural || j.On != nil || strings.Join(using, ",") != tt.using {
			t.Errorf("%s: kind %d natural %v using %v on %v", tt.src, j.Kind, j.Natural, using, j.On)
		}
	}
	// A NATURAL join is one item of the FROM list: joins chain left to right after it.
	s := mustParse(t, "SELECT STREAM * FROM a NATURAL JOIN b JOIN c ON a.x = c.x")
	j := s.Stmts[0].(*QueryStmt).Query.(*Select).From.(*Join)
	if l, ok := j.L.(*Join); !ok || !l.Natural || j.Natural || j.On == nil {
		t.Errorf("chained joins: %#v", j)
	}
	if got := s.String(); !strings.Contains(got, "NATURAL JOIN B") {
		t.Errorf("printed form %q lacks NATURAL JOIN", got)
	}
}

func TestTableFunctionTree(t *testing.T) {
	s := mustParse(t, `SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "S"), 'TICKER', 5, 60))`)
	tf := s.Stmts[0].(*QueryStmt).Query.(*Select).From.(*TableFunc)
	if tf.Call.Name.Name != "TOP_K_ITEMS_TUMBLING" || len(tf.Call.Args) != 4 {
		t.Fatalf("table function: %+v", tf.Call)
	}
	c, ok := tf.Call.Args[0].(*Cursor)
	if !ok {
		t.Fatalf("first argument is %T", tf.Call.Args[0])
	}
	if ref := c.Query.(*Select).From.(*TableRef); ref.Name[0].Name != "S" || !ref.Name[0].Quoted {
		t.Errorf("cursor source: %+v", ref)
	}
}

func TestFunctionTree(t *testing.T) {
	s := mustParse(t, `CREATE OR REPLACE FUNCTION double_it(x INTEGER) RETURNS INTEGER
LANGUAGE SQL DETERMINISTIC CONTAINS SQL RETURNS NULL ON NULL INPUT
RETURN x * 2`)
	f := s.Stmts[0].(*CreateFunction)
	if f.Name.Name != "DOUBLE_IT" || len(f.Params) != 1 || f.Returns.Name != "INTEGER" {
		t.Fatalf("function: %+v", f)
	}
	if got := strings.Join(f.Options, ","); got != "LANGUAGE SQL,DETERMINISTIC,CONTAINS SQL,RETURNS NULL ON NULL INPUT" {
		t.Errorf("options %q", got)
	}
	if b, ok := f.Body.(*BinaryExpr); !ok || b.Op != "*" {
		t.Errorf("body %#v", f.Body)
	}
}

func TestPositions(t *testing.T) {
	src := "-- header\nCREATE STREAM s (a INTEGER);\n  CREATE PUMP \"p\" AS INSERT INTO s\n  SELECT STREAM \"é\", b FROM t;"
	s := mustParseNoRoundTrip(t, src)
	cs := s.Stmts[0].(*CreateStream)
	if cs.Pos != (Pos{Offset: 10, Line: 2, Col: 1}) {
		t.Errorf("CREATE STREAM at %+v", cs.Pos)
	}
	p := s.Stmts[1].(*CreatePump)
	if p.Pos.String() != "3:3" || p.Name.Pos.String() != "3:15" {
		t.Errorf("pump at %v, name at %v", p.Pos, p.Name.Pos)
	}
	sel := p.Insert.Query.(*Select)
	if sel.Pos.String() != "4:3" {
		t.Errorf("SELECT at %v", sel.Pos)
	}
	// Columns count runes: "é" is two bytes but one column.
	b := sel.Items[1].Expr.(*ColumnRef).Parts[0]
	if b.Pos.String() != "4:22" {
		t.Errorf("b at %v", b.Pos)
	}
}

func mustParseNoRoundTrip(t *testing.T, src string) *Script {
	t.Helper()
	s, err := Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return s
}

// TestTrailingComma: aws_doc_20 as published has a comma before FROM; KDA's documentation shows it, so the
// parser takes it and drops it.
func TestTrailingComma(t *testing.T) {
	a := mustParse(t, "SELECT STREAM a, b, FROM s")
	b := mustParse(t, "SELECT STREAM a, b FROM s")
	if !sameTree(a, b) {
		t.Error("a trailing comma changes the tree")
	}
}

func TestIdentifierCase(t *testing.T) {
	s := mustParse(t, `SELECT STREAM ticker_Symbol, "ticker_Symbol", "TICKER_SYMBOL", `+"`t`"+` FROM "src"`)
	items := s.Stmts[0].(*QueryStmt).Query.(*Select).Items
	want := []Ident{{Name: "TICKER_SYMBOL"}, {Name: "ticker_Symbol", Quoted: true}, {Name: "TICKER_SYMBOL", Quoted: true}, {Name: "t", Quoted: true}}
	for i, w := range want {
		got := items[i].Expr.(*ColumnRef).Parts[0]
		got.Pos = Pos{}
		if got != w {
			t.Errorf("item %d: %+v, want %+v", i, got, w)
		}
	}
}

func TestStart(t *testing.T) {
	q, err := ParseQuery("SELECT STREAM a.b + 1,\n  x::INTEGER, f(y) OVER w, c IS NULL\nFROM s JOIN t ON s.k = t.k;")
	if err != nil {
		t.Fatal(err)
	}
	sel := q.(*Select)
	tests := []struct {
		n    Node
		want string
	}{
		{sel, "1:1"},
		{sel.Items[0].Expr, "1:15"},
		{sel.Items[1].Expr, "2:3"},
		{sel.Items[2].Expr, "2:15"},
		{sel.Items[3].Expr, "2:28"},
		{sel.From, "3:6"},
		{sel.From.(*Join).On, "3:18"},
	}
	for i, tt := range tests {
		if got := Start(tt.n).String(); got != tt.want {
			t.Errorf("node %d (%T) starts at %s, want %s", i, tt.n, got, tt.want)
		}
	}
	if _, err := ParseQuery("SELECT STREAM a FROM s; SELECT STREAM b FROM t"); err == nil || err.Error() != `1:25: expected end of input, found "SELECT"` {
		t.Errorf("two queries: %v", err)
	}
	if _, err := ParseQuery("CREATE STREAM s (a INT)"); err == nil || err.Error() != `1:1: expected SELECT, found "CREATE"` {
		t.Errorf("a statement: %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	apps := applications(b)
	var size int64
	for _, a := range apps {
		size += int64(len(a.src))
	}
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		for _, a := range apps {
			if _, err := Parse(a.src); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestTestdataMatchesShared checks, where the shared corpus sits next to the repository (../shared/sql, as on the
// development machine; a clean clone does not have it), that testdata holds every application of it unchanged.
func TestTestdataMatchesShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "sql")
	files, _ := filepath.Glob(filepath.Join(shared, "*", "*.sql"))
	if len(files) == 0 {
		t.Skip("no shared corpus at " + shared)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(shared, f)
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("testdata", rel))
		if err != nil {
			t.Errorf("%s is not copied into testdata: %v", rel, err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("testdata/%s differs from %s", rel, f)
		}
	}
}
