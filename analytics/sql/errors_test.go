package sql

import (
	"errors"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"CREATE STREAM s (a INTEGER);\nCREATE PUMP p AS INSERT INTO s\nSELECT STREAM a FORM src;", `3:17: expected FROM, found "FORM"`},
		{"SELECT STREAM a, b c d FROM s", `1:20: expected FROM, found "c"`},
		{"SELECT STREAM a FROM s WHRE a > 1", `1:24: expected ";" or end of input, found "WHRE"`},
		{"SELECT STREAM a FROM s GROUP a", `1:30: expected BY, found "a"`},
		{"CREATE STREAM s (a VARCHR(4))", `1:20: expected a data type, found "VARCHR"`},
		{"CREATE STREAM s (a VARCHAR(x))", `1:28: expected an integer, found "x"`},
		{"CREATE STREAM s a INTEGER", `1:17: expected "(", found "a"`},
		{"CREATE STRAEM s (a INTEGER)", `1:8: expected STREAM, PUMP, FUNCTION, TABLE or VIEW, found "STRAEM"`},
		{"CREATE OR s", `1:11: expected REPLACE, found "s"`},
		{"CREATE PUMP p AS SELECT STREAM * FROM s", `1:18: expected INSERT, found "SELECT"`},
		{"CREATE PUMP p INSERT INTO s SELECT 1", `1:15: expected AS, found "INSERT"`},
		{"CREATE PUMP p AS INSERT s SELECT 1", `1:25: expected INTO, found "s"`},
		{"CREATE PUMP p AS INSERT INTO s (a, b) VALUES (1, 2)", `1:39: expected SELECT, found "VALUES"`},
		{"DROP STREAM s", `1:1: expected CREATE, INSERT or SELECT, found "DROP"`},
		{"SELECT STREAM a FROM s;\nSELECT STREAM", `2:14: expected an expression, found end of input`},
		{"SELECT STREAM (a + b FROM s", `1:22: expected ")", found "FROM"`},
		{"SELECT STREAM a FROM s WHERE a = 'abc", `1:34: unterminated string literal`},
		{"SELECT STREAM \"abc FROM s", `1:15: unterminated quoted identifier`},
		{"SELECT STREAM a FROM s /* never closed", `1:24: unterminated /* comment`},
		{"SELECT STREAM a FROM s WHERE a = #", `1:34: unexpected character '#'`},
		{"SELECT STREAM \"\" FROM s", `1:15: empty quoted identifier`},
		{"SELECT STREAM a\n  FROM s\n  GROUP BY STEP(s.ROWTIME INTERVAL '1' MINUTE)", `3:27: expected BY, found "INTERVAL"`},
		{"SELECT STREAM a FROM s GROUP BY FLOOR(ROWTIME TO FORTNIGHT)", `1:50: expected a time unit, found "FORTNIGHT"`},
		{"SELECT STREAM a FROM s WHERE a > INTERVAL '1' MINUTES", `1:47: expected a time unit, found "MINUTES"`},
		{"SELECT STREAM a FROM s WINDOW w AS (PARTITION BY a RANGE INTERVAL '1' MINUTE PRECEDING", `1:87: expected ")", found end of input`},
		{"SELECT STREAM a FROM s WINDOW w AS (PARTITON BY a)", `1:46: expected PARTITION BY, ORDER BY, RANGE, ROWS or ")", found "BY"`},
		{"SELECT STREAM a FROM s WINDOWED BY STAGGER PARTITION BY a", `1:44: expected "(", found "PARTITION"`},
		{"SELECT STREAM a FROM s JOIN t", `1:30: expected ON or USING, found end of input`},
		{"SELECT STREAM a FROM s LEFT t ON x", `1:29: expected JOIN, found "t"`},
		{"SELECT STREAM a FROM s NATURAL CROSS JOIN t", `1:32: expected JOIN, INNER, LEFT, RIGHT or FULL, found "CROSS"`},
		{"SELECT STREAM a FROM s NATURAL JOIN t ON s.a = t.a", `1:39: expected ";" or end of input, found "ON"`},
		{"SELECT STREAM a FROM s NATURAL JOIN t USING (a)", `1:39: expected ";" or end of input, found "USING"`},
		{"SELECT STREAM a FROM (s)", `1:23: expected SELECT or VALUES, found "s"`},
		{"SELECT STREAM a FROM TABLE(x)", `1:28: expected a table function call, found "x"`},
		{"SELECT STREAM a FROM 42", `1:22: expected a stream name, a subquery or TABLE(...), found "42"`},
		{"SELECT STREAM CASE a END FROM s", `1:22: expected WHEN, found "END"`},
		{"SELECT STREAM CASE WHEN a THEN b FROM s", `1:34: expected END, found "FROM"`},
		{"SELECT STREAM CAST(a VARCHAR(4)) FROM s", `1:22: expected AS, found "VARCHAR"`},
		{"SELECT STREAM CAST(a AS INTERVAL) FROM s", `1:33: expected a time unit, found ")"`},
		{"SELECT STREAM CAST(a AS INTERVAL DAY TO WEEK) FROM s", `1:41: expected a time unit, found "WEEK"`},
		{"SELECT STREAM POSITION('a', b) FROM s", `1:27: expected IN, found ","`},
		{"SELECT STREAM a FROM s WHERE a IS 1", `1:35: expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM, found "1"`},
		{"SELECT STREAM a FROM s WHERE a SIMILAR '%x%'", `1:40: expected TO, found '%x%'`},
		{"SELECT STREAM SUBSTRING(a SIMILAR '%x%') FROM s", `1:40: expected ESCAPE, found ")"`},
		{"SELECT STREAM a \"Alias\" \"x\" FROM s", `1:17: expected FROM, found "Alias"`},
		{"SELECT STREAM a FROM s WHERE a = 1 'a long string literal that goes on and on'", `1:36: expected ";" or end of input, found 'a long string literal that goes on ...`},
		{"SELECT STREAM select FROM s", `1:15: expected an expression, found "select"`},
		{"SELECT STREAM a AS from FROM s", `1:20: expected identifier, found "from"`},
		{"SELECT STREAM a FROM s WHERE x = CURSOR(1)", `1:41: expected SELECT, found "1"`},
		{"CREATE FUNCTION f(x INTEGER) RETURNS INTEGER LANGUAGE SQL x * 2", `1:59: expected RETURN, found "x"`},
		{"CREATE STREAM s (a INTEGER) DESCRIPTION x", `1:41: expected a string literal, found "x"`},
		{"SELECT STREAM a, , b FROM s", `1:18: expected an expression, found ","`},
		{"SELECT STREAM \xff FROM s", `1:15: invalid UTF-8 byte 0xff`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		if err == nil {
			t.Errorf("%q: parsed, want error %s", tt.src, tt.want)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %T %v, want a *SyntaxError", tt.src, err, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.src, err, tt.want)
		}
	}
}

func TestDeepNesting(t *testing.T) {
	for _, src := range []string{
		"SELECT STREAM " + repeat("(", 10000) + "a" + repeat(")", 10000) + " FROM s",
		"SELECT STREAM " + repeat("-", 10000) + "a FROM s",
		"SELECT STREAM " + repeat("NOT ", 10000) + "a FROM s",
		repeat("SELECT STREAM a FROM (", 5000),
		"SELECT STREAM " + repeat("f(", 10000) + "a",
	} {
		_, err := Parse(src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("got %v, want a *SyntaxError", err)
		}
	}
	// Ordinary depth is fine.
	if _, err := Parse("SELECT STREAM " + repeat("(", 50) + "a" + repeat(")", 50) + " FROM s"); err != nil {
		t.Error(err)
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}
