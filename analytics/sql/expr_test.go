package sql

import (
	"strings"
	"testing"
)

// tree writes e with every operator node in explicit brackets, so that tests can state precedence and
// associativity; leaves are written in their canonical form.
func tree(e Expr) string {
	switch e := e.(type) {
	case *BinaryExpr:
		return "[" + tree(e.L) + " " + e.Op + " " + tree(e.R) + "]"
	case *UnaryExpr:
		return "[" + e.Op + " " + tree(e.X) + "]"
	case *ParenExpr:
		return "(" + tree(e.X) + ")"
	case *Is:
		not := ""
		if e.Not {
			not = "NOT "
		}
		if e.Y != nil {
			return "[" + tree(e.X) + " IS " + not + e.What + " " + tree(e.Y) + "]"
		}
		return "[" + tree(e.X) + " IS " + not + e.What + "]"
	case *Like:
		op := " LIKE "
		if e.Similar {
			op = " SIMILAR TO "
		}
		if e.Not {
			op = " NOT" + op
		}
		return "[" + tree(e.X) + op + tree(e.Pattern) + "]"
	case *Between:
		return "[" + tree(e.X) + " BETWEEN " + tree(e.Lo) + " AND " + tree(e.Hi) + "]"
	case *In:
		var items []string
		for _, x := range e.List {
			items = append(items, tree(x))
		}
		return "[" + tree(e.X) + " IN " + strings.Join(items, ",") + "]"
	case *IntervalCast:
		return "[" + tree(e.X) + " " + e.Unit + "]"
	case *FloorTo:
		return "[" + e.Name + " " + tree(e.X) + " TO " + e.Unit + "]"
	case *Cast:
		return "[CAST " + tree(e.X) + " " + e.Type.Name + "]"
	}
	return Format(e)
}

func TestExpressions(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a OR b AND c", "[A OR [B AND C]]"},
		{"a AND b OR c", "[[A AND B] OR C]"},
		{"NOT a = b AND c", "[[NOT [A = B]] AND C]"},
		{"a + b * c - d", "[[A + [B * C]] - D]"},
		{"a - b - c", "[[A - B] - C]"},
		{"a / b / c", "[[A / B] / C]"},
		{"-a * b", "[[- A] * B]"},
		{"- -a", "[- [- A]]"},
		{"a || b || c", "[[A || B] || C]"},
		{"a || b = c", "[[A || B] = C]"},
		{"a + 1 > b * 2", "[[A + 1] > [B * 2]]"},
		{"a <> b", "[A <> B]"},
		{"a != b", "[A != B]"},
		{"a IS NULL OR b IS NOT NULL", "[[A IS NULL] OR [B IS NOT NULL]]"},
		{"a IS TRUE AND b IS NOT UNKNOWN", "[[A IS TRUE] AND [B IS NOT UNKNOWN]]"},
		{"a IS NOT DISTINCT FROM b + 1 OR c", "[[A IS NOT DISTINCT FROM [B + 1]] OR C]"},
		{"x BETWEEN a + 1 AND b AND c", "[[X BETWEEN [A + 1] AND B] AND C]"},
		{"x NOT LIKE 'a%' AND y SIMILAR TO '%AMZN%'", "[[X NOT LIKE 'a%'] AND [Y SIMILAR TO '%AMZN%']]"},
		{"x IN (1, 2, 3)", "[X IN 1,2,3]"},
		{"(ABS(change / (price - change)) * 100) > 1", "[([ABS(CHANGE / (PRICE - CHANGE)) * 100]) > 1]"},
		{"FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)",
			"[FLOOR [[([ROWTIME - TIMESTAMP '1970-01-01 00:00:00']) SECOND] / 10] TO SECOND]"},
		{"event_time - INTERVAL '5' MINUTE", "[EVENT_TIME - INTERVAL '5' MINUTE]"},
		{"a::INTEGER + 1", "[[CAST A INTEGER] + 1]"},
		{"CAST(x AS VARCHAR(10)) || 'a'", "[[CAST X VARCHAR] || 'a']"},
		{"CAST('5' AS INTERVAL MINUTE)", "[CAST '5' INTERVAL MINUTE]"},
		{"CAST(s AS INTERVAL DAY TO SECOND) + INTERVAL '1' SECOND", "[[CAST S INTERVAL DAY TO SECOND] + INTERVAL '1' SECOND]"},
		{"x::INTERVAL hour", "[CAST X INTERVAL HOUR]"},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.src)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		if got := tree(e); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

// TestFormatExpressions checks the canonical text of the special forms.
func TestFormatExpressions(t *testing.T) {
	tests := []struct{ src, want string }{
		{`"ticker"`, `"ticker"`},
		{`ticker`, `TICKER`},
		{`"a""b"`, `"a""b"`},
		{"`dateTime`", `"dateTime"`},
		{`'it''s'`, `'it''s'`},
		{`T.REC.COLUMN1`, `T.REC.COLUMN1`},
		{`COUNT(DISTINCT x)`, `COUNT(DISTINCT X)`},
		{`count(*)`, `COUNT(*)`},
		{`STEP("S".ROWTIME BY INTERVAL '60' SECOND)`, `STEP("S".ROWTIME BY INTERVAL '60' SECOND)`},
		{`floor(t to minute)`, `FLOOR(T TO MINUTE)`},
		{`ceil(t TO HOUR)`, `CEIL(T TO HOUR)`},
		{`FLOOR(x)`, `FLOOR(X)`},
		{`EXTRACT(SECOND FROM t)`, `EXTRACT(SECOND FROM T)`},
		{`POSITION('.com' IN "referrer")`, `POSITION('.com' IN "referrer")`},
		{`SUBSTRING(s FROM 2 FOR 3)`, `SUBSTRING(S FROM 2 FOR 3)`},
		{`SUBSTRING(s, 2, 3)`, `SUBSTRING(S, 2, 3)`},
		{`substring('123456789' similar '23#"456#"78' escape '#')`, `SUBSTRING('123456789' SIMILAR '23#"456#"78' ESCAPE '#')`},
		{`SUBSTRING(a || b SIMILAR p ESCAPE e)`, `SUBSTRING(A || B SIMILAR P ESCAPE E)`},
		{`SUBSTRING(s SIMILAR TO 'x' SIMILAR 'TECH%"NOLO%"GY' ESCAPE '%')`, `SUBSTRING(S SIMILAR TO 'x' SIMILAR 'TECH%"NOLO%"GY' ESCAPE '%')`},
		{`TRIM(LEADING 'x' FROM s)`, `TRIM(LEADING 'x' FROM S)`},
		{`TRIM(s)`, `TRIM(S)`},
		{`overlay(s placing 'x' from 2 for 1)`, `OVERLAY(S PLACING 'x' FROM 2 FOR 1)`},
		{`CASE WHEN a = 0 THEN 'x' WHEN a = 1 THEN 'y' ELSE 'z' END`, `CASE WHEN A = 0 THEN 'x' WHEN A = 1 THEN 'y' ELSE 'z' END`},
		{`case k when 1 then 'one' end`, `CASE K WHEN 1 THEN 'one' END`},
		{`LAG(x, 1) IGNORE NULLS OVER w`, `LAG(X, 1) IGNORE NULLS OVER W`},
		{`NTH_VALUE(x, 2) FROM LAST IGNORE NULL OVER w`, `NTH_VALUE(X, 2) FROM LAST IGNORE NULLS OVER W`},
		{`nth_value(x, 2) from first respect nulls over w`, `NTH_VALUE(X, 2) RESPECT NULLS OVER W`},
		{`INTERVAL '1:30' MINUTE TO SECOND`, `INTERVAL '1:30' MINUTE TO SECOND`},
		{`DATE '2024-01-01'`, `DATE '2024-01-01'`},
		{`cast('5' as interval minute)`, `CAST('5' AS INTERVAL MINUTE)`},
		{`CAST(s AS INTERVAL DAY TO SECOND(3))`, `CAST(S AS INTERVAL DAY TO SECOND(3))`},
		{`CAST(s AS INTERVAL HOUR(4))`, `CAST(S AS INTERVAL HOUR(4))`},
		{`true AND NOT false OR NULL`, `TRUE AND NOT FALSE OR NULL`},
		{`1.5e-3 + .5 + 10`, `1.5e-3 + .5 + 10`},
		{`x IN (SELECT y FROM t)`, `X IN (SELECT Y FROM T)`},
		{`EXISTS (SELECT 1 FROM t)`, `EXISTS(SELECT 1 FROM T)`},
		{`MONOTONIC(CHAR_TO_TIMESTAMP('dd/MMM/yyyy:HH:mm:ss z', "datetime"))`, `MONOTONIC(CHAR_TO_TIMESTAMP('dd/MMM/yyyy:HH:mm:ss z', "datetime"))`},
		{`- -1`, `- -1`},
		{`CURRENT_TIMESTAMP`, `CURRENT_TIMESTAMP`},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.src)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		got := Format(e)
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.src, got, tt.want)
		}
		e2, err := ParseExpr(got)
		if err != nil {
			t.Errorf("%s: reparse %s: %v", tt.src, got, err)
		} else if !sameTree(e, e2) {
			t.Errorf("%s: reparse of %s gives another tree", tt.src, got)
		}
	}
}

func TestLexer(t *testing.T) {
	src := "SELECT \"Mixed\"\"q\" , x_1 -- line\n/* block\n */ // slashes\n'a''b' 1.5E+3 .25 || :: <> != <= >= `bt`"
	toks, err := Tokenize(src)
	if err != nil {
		t.Fatal(err)
	}
	type tk struct {
		kind TokenKind
		text string
		pos  string
	}
	want := []tk{
		{TokIdent, "SELECT", "1:1"}, {TokQuotedIdent, `Mixed"q`, "1:8"}, {TokOp, ",", "1:19"},
		{TokIdent, "X_1", "1:21"}, {TokString, "a'b", "4:1"}, {TokNumber, "1.5E+3", "4:8"},
		{TokNumber, ".25", "4:15"}, {TokOp, "||", "4:19"}, {TokOp, "::", "4:22"}, {TokOp, "<>", "4:25"},
		{TokOp, "!=", "4:28"}, {TokOp, "<=", "4:31"}, {TokOp, ">=", "4:34"}, {TokQuotedIdent, "bt", "4:37"},
		{TokEOF, "", "4:41"},
	}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens, want %d: %+v", len(toks), len(want), toks)
	}
	for i, w := range want {
		g := toks[i]
		if g.Kind != w.kind || g.Text != w.text || g.Pos.String() != w.pos {
			t.Errorf("token %d: got %v %q at %v, want %v %q at %s", i, g.Kind, g.Text, g.Pos, w.kind, w.text, w.pos)
		}
	}
	if toks[1].Raw != `"Mixed""q"` || toks[1].Pos.Offset != 7 {
		t.Errorf("raw %q at offset %d", toks[1].Raw, toks[1].Pos.Offset)
	}
}
