package engine

import "github.com/hydrantio/hydrant/analytics/sql"

// walkExpr calls fn on x and its subexpressions, depth first, while fn returns true. It does not enter
// subqueries.
func walkExpr(x sql.Expr, fn func(sql.Expr) bool) {
	if x == nil || !fn(x) {
		return
	}
	w := func(ys ...sql.Expr) {
		for _, y := range ys {
			if y != nil {
				walkExpr(y, fn)
			}
		}
	}
	switch x := x.(type) {
	case *sql.UnaryExpr:
		w(x.X)
	case *sql.BinaryExpr:
		w(x.L, x.R)
	case *sql.ParenExpr:
		w(x.X)
	case *sql.IntervalCast:
		w(x.X)
	case *sql.Is:
		w(x.X, x.Y)
	case *sql.Like:
		w(x.X, x.Pattern, x.Escape)
	case *sql.In:
		w(x.X)
		w(x.List...)
	case *sql.Between:
		w(x.X, x.Lo, x.Hi)
	case *sql.Case:
		w(x.Operand, x.Else)
		for _, wh := range x.Whens {
			w(wh.Cond, wh.Result)
		}
	case *sql.Cast:
		w(x.X)
	case *sql.FuncCall:
		w(x.Args...)
	case *sql.Step:
		w(x.X, x.Width)
	case *sql.FloorTo:
		w(x.X)
	case *sql.Extract:
		w(x.X)
	case *sql.Position:
		w(x.Sub, x.S)
	case *sql.Substring:
		w(x.S, x.From, x.For)
	case *sql.Overlay:
		w(x.S, x.With, x.From, x.For)
	case *sql.Trim:
		w(x.Chars, x.S)
	}
}
