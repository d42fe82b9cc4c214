package sql

import (
	"strings"
	"testing"
)

// VALUES (row), (row) ... is a query (the Query page's grammar): in FROM it is a derived table with an
// alias and column names, and it prints back as written.
func TestValuesTree(t *testing.T) {
	s := mustParse(t, `SELECT STREAM s.a, t.y FROM s JOIN (values (1, 'a'), (2 + 1, NULL)) AS t (x, y) ON s.a = t.x`)
	j := s.Stmts[0].(*QueryStmt).Query.(*Select).From.(*Join)
	d, ok := j.R.(*DerivedTable)
	if !ok {
		t.Fatalf("right side is %T", j.R)
	}
	v, ok := d.Query.(*Values)
	if !ok || len(v.Rows) != 2 || len(v.Rows[0]) != 2 || len(v.Rows[1]) != 2 || d.Alias.Name != "T" || len(d.ColAliases) != 2 {
		t.Fatalf("derived table: %#v", d)
	}
	if got := Format(v.Rows[1][0]); got != "2 + 1" {
		t.Errorf("second row's first value prints %q", got)
	}
	if got := s.String(); !strings.Contains(got, "VALUES (1, 'a'), (2 + 1, NULL)\n") || !strings.Contains(got, ") AS T(X, Y) ON") {
		t.Errorf("printed form:\n%s", got)
	}
	checkRoundTrip(t, s)
	// A VALUES query of its own, and one in parentheses: the planner decides where it may stand.
	for _, src := range []string{`VALUES (1)`, `(VALUES (1, 2), (3, 4))`, `SELECT * FROM (VALUES ('x')) v UNION ALL VALUES ('y')`} {
		q, err := ParseQuery(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		checkRoundTrip(t, &Script{Stmts: []Stmt{&QueryStmt{Query: q}}})
	}
	for _, tc := range []struct{ src, want string }{
		{`SELECT STREAM * FROM (VALUES 1) AS t`, `1:30: expected "(", found "1"`},
		{`SELECT STREAM * FROM (VALUES (1), ) AS t`, `1:35: expected "(", found ")"`},
		{`SELECT STREAM * FROM (VALUES ()) AS t`, `1:31: expected an expression, found ")"`},
	} {
		if _, err := Parse(tc.src); err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %s", tc.src, err, tc.want)
		}
	}
}
