package engine

import (
	"strings"
	"testing"
)

// SUBSTRING(s SIMILAR pattern ESCAPE e), SQL:2008's regular-expression substring. The first two cases are
// the SUBSTRING page's "Similar...Escape" table; the first of them does not match the whole of s, so the
// pattern is searched for, as the page's FROM regex form is.
func TestSubstringSimilar(t *testing.T) {
	rows := []Row{tick(0, "AAPL", `A#"P+#"L`, 1, 10)}
	for _, tc := range []struct{ expr, want string }{
		{`SUBSTRING('123456789' SIMILAR '23#"456#"78' ESCAPE '#')`, `456`},
		{`SUBSTRING('TECHNOLOGY' SIMILAR 'TECH%"NOLO%"GY' ESCAPE '%')`, `NOLO`},
		// The parts are SIMILAR TO patterns: % _ ( ) | * + and brackets.
		{`SUBSTRING('abcabc' SIMILAR 'a#"%#"c' ESCAPE '#')`, `bcab`},
		{`SUBSTRING('abcabc' SIMILAR '_#"%#"_' ESCAPE '#')`, `bcab`},
		{`SUBSTRING('abcabc' SIMILAR '#"(abc)*#"' ESCAPE '#')`, `abcabc`},
		{`SUBSTRING('x2024y' SIMILAR '%#"[0-9]+#"%' ESCAPE '#')`, `2024`},
		// The standard's choice within a match: the first part takes as little as it can, the middle as
		// much as it can.
		{`SUBSTRING('aXbXc' SIMILAR '%#"X%#"' ESCAPE '#')`, `XbXc`},
		// The first part's parentheses do not shift which part is returned.
		{`SUBSTRING('abccd' SIMILAR '(a|b)+#"c+#"' ESCAPE '#')`, `cc`},
		// An escaped character other than " is that character.
		{`SUBSTRING('50% off' SIMILAR '#"%#%#" %' ESCAPE '#')`, `50%`},
		// No match and NULL operands give NULL.
		{`SUBSTRING('TECHNOLOGY' SIMILAR '#"FOO#"' ESCAPE '#')`, `<nomatch>`},
		{`SUBSTRING(CAST(NULL AS VARCHAR(4)) SIMILAR '#"A#"' ESCAPE '#')`, `<nomatch>`},
		{`SUBSTRING('A' SIMILAR '#"A#"' ESCAPE CAST(NULL AS VARCHAR(1)))`, `<nomatch>`},
		// Columns: the source, and a pattern that is not a constant.
		{`SUBSTRING(ticker_symbol SIMILAR 'A#"%#"' ESCAPE '#')`, `APL`},
		{`SUBSTRING(ticker_symbol SIMILAR sector ESCAPE '#')`, `P`},
	} {
		got, errs := queryRows(t, `SELECT STREAM COALESCE(`+tc.expr+`, '<nomatch>') FROM "SOURCE_SQL_STREAM_001"`, rows, 10)
		if len(got) != 1 || len(errs) > 0 {
			t.Errorf("%s: rows %q, errors %v", tc.expr, got, errs)
			continue
		}
		if v := strings.TrimPrefix(got[0], "0 2017-07-14 02:40:00.000 "); v != tc.want {
			t.Errorf("%s = %s, want %s", tc.expr, v, tc.want)
		}
	}
}

// A constant pattern without exactly two escaped double quotes, or an escape that is not one character,
// is refused when the query is compiled; the same pattern from a column is an error row.
func TestSubstringSimilarErrors(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`SUBSTRING('abc' SIMILAR 'a#"bc' ESCAPE '#')`, `1:15: SUBSTRING: invalid pattern 'a#"bc': it must hold two #" around the part to return, not 1`},
		{`SUBSTRING('abc' SIMILAR '#"a#"b#"c' ESCAPE '#')`, `not 3`},
		{`SUBSTRING('abc' SIMILAR '#"a#"b' ESCAPE '##')`, `the escape must be one character`},
		{`SUBSTRING('abc' SIMILAR '#"a#"b' ESCAPE '')`, `the escape must be one character`},
		{`SUBSTRING('abc' SIMILAR '#"a#"b#' ESCAPE '#')`, `it ends with the escape character`},
		{`SUBSTRING(1 SIMILAR '#"a#"b' ESCAPE '#')`, `argument 1 must be a character string`},
	} {
		_, err := CompileQuery(`SELECT STREAM `+tc.expr+` FROM "SOURCE_SQL_STREAM_001"`, Config{Inputs: []Input{tickerInput()}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %s", tc.expr, err, tc.want)
		}
	}
	got, errs := queryRows(t, `SELECT STREAM SUBSTRING(ticker_symbol SIMILAR sector ESCAPE '#') FROM "SOURCE_SQL_STREAM_001"`,
		[]Row{tick(0, "AAPL", `A#"P`, 1, 10), tick(1, "AAPL", `A#"P+#"L`, 1, 10)}, 10)
	if len(got) != 1 || !strings.HasSuffix(got[0], " P") || strings.Join(errs, ",") != "Invalid_regex" {
		t.Errorf("rows %q, errors %v", got, errs)
	}
}
