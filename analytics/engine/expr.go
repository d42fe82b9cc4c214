package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hydrantio/hydrant/analytics/funcs"
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Expressions compile to closures over an env: the row being processed, its ROWTIME, and, after an
// aggregation, the group's key values and aggregate results. Compiling once per plan and calling a
// closure per row is what keeps evaluation free of interpretation overhead and allocations.

type env struct {
	cols []value.Value
	time int64
	keys []value.Value // GROUP BY key values (post-aggregation expressions)
	aggs []value.Value // aggregate results, by aggSpec index
}

type evalFn func(e *env) (value.Value, error)

type cexpr struct {
	eval  evalFn
	typ   value.Type
	konst *value.Value // the value, when the expression is constant
	// rowtimeOnly is set when the expression depends on ROWTIME and constants only (a window key).
	rowtimeOnly bool
	usesTime    bool
	isTime      bool // the expression is the row's ROWTIME itself
}

func constExpr(v value.Value, t value.Type) *cexpr {
	return &cexpr{eval: func(*env) (value.Value, error) { return v, nil }, typ: t, konst: &v}
}

// exprMode says what names mean where an expression is compiled.
type exprMode int

const (
	rowMode   exprMode = iota // names are columns of the input row
	groupMode                 // after GROUP BY: keys and aggregates only
)

// compiler compiles the expressions of one SELECT.
type compiler struct {
	p        *planner
	sc       *scope
	mode     exprMode
	keyNodes []sql.Expr // the GROUP BY expressions
	keyExpr  []*cexpr
	aggs     []*aggSpec
	windows  map[string]*sql.WindowSpec // the SELECT's named windows
	params   map[string]int             // a UDF body's parameters -> slot
	inAgg    bool                       // compiling an aggregate's argument
	noAggs   bool                       // aggregates are not allowed here (WHERE, GROUP BY)
}

func (c *compiler) expr(x sql.Expr) *cexpr {
	if c.mode == groupMode && !c.inAgg && len(c.keyNodes) > 0 {
		// After aggregation a GROUP BY expression, however written, reads the group's key value.
		if _, lit := x.(*sql.NumberLit); !lit {
			if k := c.keyIndex(x); k >= 0 {
				return c.keyRef(k)
			}
		}
	}
	ce := c.expr1(x)
	if ce.konst == nil && ce.eval != nil && isFoldable(x) {
		// Fold constant subexpressions once: a literal interval or timestamp, arithmetic on literals.
		if v, err := ce.eval(&env{}); err == nil {
			ce2 := constExpr(v, ce.typ)
			return ce2
		}
	}
	return ce
}

// isFoldable reports whether x has no column references, aggregates or per-row functions.
func isFoldable(x sql.Expr) bool {
	ok := true
	walkExpr(x, func(n sql.Expr) bool {
		switch n := n.(type) {
		case *sql.ColumnRef, *sql.Star, *sql.Subquery, *sql.Exists, *sql.Cursor, *sql.TableArg:
			ok = false
		case *sql.In:
			ok = n.Query == nil // a subquery may read the outer row through names walkExpr does not see
		case *sql.FuncCall:
			switch n.Name.Name {
			case "CURRENT_TIMESTAMP", "CURRENT_ROW_TIMESTAMP", "LOCALTIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
				"LOCALTIME", "RANDOM", "RAND":
				ok = false
			}
			if isAggregate(n) {
				ok = false
			}
			if len(n.Args) == 0 {
				ok = false // a niladic call may be a bare column name or a clock
			}
		}
		return ok
	})
	return ok
}

func (c *compiler) expr1(x sql.Expr) *cexpr {
	switch x := x.(type) {
	case *sql.NumberLit:
		return numberLit(x)
	case *sql.StringLit:
		return constExpr(value.NewString(x.Value), value.Varchar(len(x.Value)))
	case *sql.BoolLit:
		return constExpr(value.NewBool(x.Value), value.BooleanType)
	case *sql.NullLit:
		return constExpr(value.Value{}, value.NullType)
	case *sql.IntervalLit:
		v, t := intervalLit(x)
		return constExpr(v, t)
	case *sql.TypedLit:
		return typedLit(x)
	case *sql.ParenExpr:
		return c.expr(x.X)
	case *sql.ColumnRef:
		return c.column(x)
	case *sql.Star:
		errorf(x, "* is only allowed in a select list or COUNT(*)")
	case *sql.UnaryExpr:
		return c.unary(x)
	case *sql.BinaryExpr:
		return c.binary(x)
	case *sql.IntervalCast:
		inner := c.expr(x.X)
		if inner.typ.Base != value.TInterval && inner.typ.Base != value.TIntervalMonth && inner.typ.Base != value.TNull {
			errorf(x, "(%s) %s needs a datetime difference, not %s", sql.Format(x.X.X), x.Unit, inner.typ)
		}
		// The value stays the difference; the qualifier is its type's, which is how it prints.
		return c.derive(inner, inner.eval, inner.typ.Qualified(x.Unit, x.ToUnit))
	case *sql.Is:
		return c.is(x)
	case *sql.Like:
		return c.like(x)
	case *sql.In:
		return c.in(x)
	case *sql.Between:
		return c.between(x)
	case *sql.Case:
		return c.caseExpr(x)
	case *sql.Cast:
		return c.cast(x)
	case *sql.FuncCall:
		return c.call(x)
	case *sql.Step:
		return c.step(x)
	case *sql.FloorTo:
		return c.floorTo(x)
	case *sql.Extract:
		return c.builtin(x, "EXTRACT", []*cexpr{constExpr(value.NewString(x.Unit), value.VarcharType), c.expr(x.X)})
	case *sql.Position:
		return c.builtin(x, "POSITION", []*cexpr{c.expr(x.Sub), c.expr(x.S)})
	case *sql.Substring:
		args := []*cexpr{c.expr(x.S), c.expr(x.From)}
		if x.For != nil {
			args = append(args, c.expr(x.For))
		}
		if x.Similar {
			return c.builtin(x, "SUBSTRING_SIMILAR", args)
		}
		return c.builtin(x, "SUBSTRING", args)
	case *sql.Overlay:
		args := []*cexpr{c.expr(x.S), c.expr(x.With), c.expr(x.From)}
		if x.For != nil {
			args = append(args, c.expr(x.For))
		}
		return c.builtin(x, "OVERLAY", args)
	case *sql.Trim:
		where := x.Where
		if where == "" {
			where = "BOTH"
		}
		chars := constExpr(value.NewString(" "), value.Varchar(1))
		if x.Chars != nil {
			chars = c.expr(x.Chars)
		}
		return c.builtin(x, "TRIM", []*cexpr{constExpr(value.NewString(where), value.VarcharType), chars, c.expr(x.S)})
	case *sql.Subquery:
		return c.scalarSubquery(x)
	case *sql.Exists:
		return c.exists(x)
	case *sql.Cursor:
		errorf(x, "CURSOR is only allowed as an argument of a table function in FROM")
	case *sql.TableArg:
		errorf(x, "TABLE is only allowed as an argument of a table function")
	}
	errorf(x, "unsupported expression %s", sql.Format(x))
	return nil
}

// derive makes an expression computed from others, carrying their time dependence.
func (c *compiler) derive(from *cexpr, fn evalFn, t value.Type, more ...*cexpr) *cexpr {
	ce := &cexpr{eval: fn, typ: t, usesTime: from.usesTime, rowtimeOnly: from.rowtimeOnly || from.konst != nil}
	for _, m := range more {
		ce.usesTime = ce.usesTime || m.usesTime
		ce.rowtimeOnly = ce.rowtimeOnly && (m.rowtimeOnly || m.konst != nil)
	}
	if !ce.usesTime {
		ce.rowtimeOnly = false
	}
	return ce
}

func numberLit(x *sql.NumberLit) *cexpr {
	t := x.Text
	if !strings.ContainsAny(t, ".eE") {
		if i, err := strconv.ParseInt(t, 10, 64); err == nil {
			typ := value.IntegerType
			if i > math.MaxInt32 {
				typ = value.BigintType
			}
			return constExpr(value.NewInt(i), typ)
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		errorf(x, "bad number %s", t)
	}
	if strings.ContainsAny(t, "eE") {
		return constExpr(value.NewDouble(f), value.DoubleType)
	}
	scale := 0
	if i := strings.IndexByte(t, '.'); i >= 0 {
		scale = len(t) - i - 1
	}
	return constExpr(value.NewDecimal(f), value.Type{Base: value.TDecimal, Len: max(len(t)-1, scale+1), Scale: scale})
}

var unitMillis = map[string]int64{
	"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000, "WEEK": 7 * 86_400_000,
}

// intervalLit evaluates INTERVAL 'v' unit [TO unit]: '10' SECOND, '1' MINUTE, '1:30' HOUR TO MINUTE,
// '2 10:00:00' DAY TO SECOND, '1-6' YEAR TO MONTH.
func intervalLit(x *sql.IntervalLit) (value.Value, value.Type) {
	v, t, err := parseInterval(x.Value, x.Minus, x.Unit, x.ToUnit)
	if err != nil {
		errorf(x, "%v", err)
	}
	return v, t.Qualified(x.Unit, x.ToUnit)
}

// parseInterval reads the text of an interval literal in its qualifier (unit [TO unit]); minus is a sign
// written before the quotes. CAST(text AS INTERVAL unit) reads its text the same way.
func parseInterval(text string, minus bool, unit, toUnit string) (value.Value, value.Type, error) {
	s := strings.TrimSpace(text)
	neg := minus
	// A sign inside the quotes, as the reference writes results: INTERVAL '+4 04' DAY TO HOUR.
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	sign := int64(1)
	if neg {
		sign = -1
	}
	if unit == "YEAR" || unit == "MONTH" {
		var months int64
		if toUnit == "MONTH" && unit == "YEAR" {
			y, m, ok := strings.Cut(s, "-")
			yi, err1 := strconv.ParseInt(y, 10, 64)
			mi, err2 := strconv.ParseInt(m, 10, 64)
			if !ok || err1 != nil || err2 != nil {
				return value.Value{}, value.Type{}, fmt.Errorf("bad interval literal '%s' YEAR TO MONTH", text)
			}
			months = yi*12 + mi
		} else {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return value.Value{}, value.Type{}, fmt.Errorf("bad interval literal '%s' %s", text, unit)
			}
			months = n
			if unit == "YEAR" {
				months *= 12
			}
		}
		return value.NewMonths(sign * months), value.Type{Base: value.TIntervalMonth}, nil
	}
	if toUnit == "" {
		f, err := strconv.ParseFloat(s, 64)
		ms, ok := unitMillis[unit]
		if err != nil || !ok {
			return value.Value{}, value.Type{}, fmt.Errorf("bad interval literal '%s' %s", text, unit)
		}
		return value.NewInterval(sign * int64(math.Round(f*float64(ms)))), value.IntervalType, nil
	}
	// Multi-field: split on space, ':' and '.', from the leading unit down.
	order := []string{"DAY", "HOUR", "MINUTE", "SECOND"}
	start := -1
	for i, u := range order {
		if u == unit {
			start = i
		}
	}
	if start < 0 {
		return value.Value{}, value.Type{}, fmt.Errorf("bad interval unit %s", unit)
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' })
	var total int64
	for i, f := range fields {
		if start+i >= len(order) {
			return value.Value{}, value.Type{}, fmt.Errorf("bad interval literal '%s'", text)
		}
		u := order[start+i]
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return value.Value{}, value.Type{}, fmt.Errorf("bad interval literal '%s'", text)
		}
		total += int64(math.Round(v * float64(unitMillis[u])))
	}
	return value.NewInterval(sign * total), value.IntervalType, nil
}

func typedLit(x *sql.TypedLit) *cexpr {
	var t value.Type
	switch x.Type {
	case "TIMESTAMP":
		t = value.TimestampType
	case "DATE":
		t = value.DateType
	case "TIME":
		t = value.TimeType
	default:
		errorf(x, "unsupported literal type %s", x.Type)
	}
	v, err := parseDatetime(x.Value, t.Base)
	if err != nil {
		errorf(x, "bad %s literal '%s'", x.Type, x.Value)
	}
	return constExpr(v, t)
}

// parseDatetime reads SQL's datetime text: 2006-01-02 15:04:05[.fff], 2006-01-02, 15:04:05[.fff].
func parseDatetime(s string, b value.Base) (value.Value, error) {
	s = strings.TrimSpace(s)
	switch b {
	case value.TDate:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return value.Value{}, err
		}
		return value.NewDate(t.UnixMilli()), nil
	case value.TTime:
		t, err := time.Parse("15:04:05.999999999", s)
		if err != nil {
			if t, err = time.Parse("15:04", s); err != nil {
				return value.Value{}, err
			}
		}
		return value.NewTime(int64(t.Hour())*3_600_000 + int64(t.Minute())*60_000 + int64(t.Second())*1000 + int64(t.Nanosecond()/1e6)), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return value.NewTimestamp(t.UnixMilli()), nil
		}
	}
	_, err := time.Parse("2006-01-02 15:04:05", s)
	return value.Value{}, err
}

func (c *compiler) column(x *sql.ColumnRef) *cexpr {
	// CURRENT_TIMESTAMP and its kin are written without parentheses, so they parse as names; a column
	// of that name, if there is one, wins.
	if id := x.Parts[0]; len(x.Parts) == 1 && !id.Quoted && niladic[id.Name] && c.sc.find("", id.Name) < 0 {
		return c.niladic(x, id.Name)
	}
	if c.params != nil && len(x.Parts) == 1 {
		if slot, ok := c.params[x.Parts[0].Name]; ok {
			return &cexpr{eval: func(e *env) (value.Value, error) { return e.cols[slot], nil }, typ: c.sc.cols[slot].typ}
		}
	}
	if c.mode == groupMode && !c.inAgg {
		if k := c.keyIndex(x); k >= 0 {
			return c.keyRef(k)
		}
		r := c.sc.resolve(x) // reports an unknown column first
		if r.slot == -1 && len(r.fields) == 0 {
			// ROWTIME of an aggregate row: its window's end.
			return &cexpr{eval: func(e *env) (value.Value, error) { return value.NewTimestamp(e.time), nil },
				typ: value.TimestampType, usesTime: true, rowtimeOnly: true}
		}
		errorf(x, "column %s must appear in the GROUP BY clause or be used in an aggregate function", sql.Format(x))
	}
	r := c.sc.resolve(x)
	if r.slot == -1 {
		return &cexpr{eval: func(e *env) (value.Value, error) { return value.NewTimestamp(e.time), nil },
			typ: value.TimestampType, usesTime: true, rowtimeOnly: true, isTime: true}
	}
	slot := r.slot
	if len(r.fields) == 0 {
		return &cexpr{eval: func(e *env) (value.Value, error) { return e.cols[slot], nil }, typ: r.typ}
	}
	path := r.fields
	return &cexpr{eval: func(e *env) (value.Value, error) {
		v := e.cols[slot]
		for _, f := range path {
			if v.K != value.Row || f >= len(v.R) {
				return value.Value{}, nil
			}
			v = v.R[f]
		}
		return v, nil
	}, typ: r.typ}
}

// keyIndex finds x among the GROUP BY expressions.
func (c *compiler) keyIndex(x sql.Expr) int {
	for i, k := range c.keyNodes {
		if c.sameExpr(x, k) {
			return i
		}
	}
	return -1
}

func (c *compiler) keyRef(k int) *cexpr {
	ke := c.keyExpr[k]
	return &cexpr{eval: func(e *env) (value.Value, error) { return e.keys[k], nil }, typ: ke.typ}
}

func (c *compiler) unary(x *sql.UnaryExpr) *cexpr {
	a := c.expr(x.X)
	switch x.Op {
	case "NOT":
		c.wantBool(x.X, a)
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			if err != nil || v.K == value.Null {
				return value.Value{}, err
			}
			return value.NewBool(v.I == 0), nil
		}, value.BooleanType)
	case "+":
		return a
	case "-":
		switch a.typ.Kind() {
		case value.Int, value.Decimal, value.Double, value.Interval, value.Months, value.Null:
		default:
			errorf(x, "cannot negate %s", a.typ)
		}
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			if err != nil {
				return v, err
			}
			switch v.K {
			case value.Int, value.Interval, value.Months:
				v.I = -v.I
			case value.Decimal, value.Double:
				v.F = -v.F
			}
			return v, nil
		}, a.typ)
	}
	errorf(x, "unknown operator %s", x.Op)
	return nil
}

func (c *compiler) wantBool(n sql.Node, a *cexpr) {
	if a.typ.Base != value.TBoolean && a.typ.Base != value.TNull {
		errorf(n, "%s is %s, not BOOLEAN", sql.Format(n), a.typ)
	}
}

func (c *compiler) binary(x *sql.BinaryExpr) *cexpr {
	l, r := c.expr(x.L), c.expr(x.R)
	switch x.Op {
	case "AND", "OR":
		c.wantBool(x.L, l)
		c.wantBool(x.R, r)
		and := x.Op == "AND"
		return c.derive(l, func(e *env) (value.Value, error) {
			a, err := l.eval(e)
			if err != nil {
				return a, err
			}
			if a.K != value.Null && (a.I != 0) != and {
				return a, nil // FALSE AND x, TRUE OR x
			}
			b, err := r.eval(e)
			if err != nil {
				return b, err
			}
			if b.K != value.Null && (b.I != 0) != and {
				return b, nil
			}
			if a.K == value.Null || b.K == value.Null {
				return value.Value{}, nil
			}
			return a, nil
		}, value.BooleanType, r)
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		return c.compare(x, x.Op, l, r)
	case "||":
		return c.derive(l, func(e *env) (value.Value, error) {
			a, err := l.eval(e)
			if err != nil || a.K == value.Null {
				return value.Value{}, err
			}
			b, err := r.eval(e)
			if err != nil || b.K == value.Null {
				return value.Value{}, err
			}
			return value.NewString(a.String() + b.String()), nil
		}, value.Varchar(l.typ.Len+r.typ.Len), r)
	case "+", "-", "*", "/", "%":
		return c.arith(x, l, r)
	}
	errorf(x, "unknown operator %s", x.Op)
	return nil
}

func comparable(a, b value.Type) bool {
	if a.Base == value.TNull || b.Base == value.TNull {
		return true
	}
	switch {
	case a.Numeric() && b.Numeric(), a.Textual() && b.Textual(), a.Kind() == b.Kind():
		return true
	case a.Datetime() && b.Textual(), a.Textual() && b.Datetime():
		return true // TIMESTAMP column compared with a text literal: the text is cast
	}
	return false
}

func (c *compiler) compare(n sql.Node, op string, l, r *cexpr) *cexpr {
	if !comparable(l.typ, r.typ) {
		errorf(n, "cannot compare %s with %s", l.typ, r.typ)
	}
	l, r = c.alignDatetime(n, l, r)
	var test func(int) bool
	switch op {
	case "=":
		test = func(c int) bool { return c == 0 }
	case "<>", "!=":
		test = func(c int) bool { return c != 0 }
	case "<":
		test = func(c int) bool { return c < 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	case ">=":
		test = func(c int) bool { return c >= 0 }
	}
	return c.derive(l, func(e *env) (value.Value, error) {
		a, err := l.eval(e)
		if err != nil || a.K == value.Null {
			return value.Value{}, err
		}
		b, err := r.eval(e)
		if err != nil || b.K == value.Null {
			return value.Value{}, err
		}
		return value.NewBool(test(value.Compare(a, b))), nil
	}, value.BooleanType, r)
}

// alignDatetime casts the text side of a datetime compared with text to the datetime's type (once if
// it is constant, else per row), as value.Compare orders values of different kinds by kind only:
// ROWTIME BETWEEN '2017-07-14 02:40:00' AND ... must compare instants, not a timestamp with a string.
func (c *compiler) alignDatetime(n sql.Node, l, r *cexpr) (*cexpr, *cexpr) {
	if l.typ.Datetime() && r.typ.Textual() {
		r = c.castTo(n, r, l.typ)
	} else if r.typ.Datetime() && l.typ.Textual() {
		l = c.castTo(n, l, r.typ)
	}
	return l, r
}

func (c *compiler) castTo(n sql.Node, a *cexpr, t value.Type) *cexpr {
	from := a.typ
	if a.konst != nil {
		v, err := funcs.CastFrom(*a.konst, from, t)
		if err != nil {
			errorf(n, "cannot cast %s to %s: %v", a.konst.String(), t, err)
		}
		return constExpr(v, t)
	}
	return c.derive(a, func(e *env) (value.Value, error) {
		v, err := a.eval(e)
		if err != nil {
			return v, err
		}
		return funcs.CastFrom(v, from, t)
	}, t)
}

// arith types and evaluates + - * / % on numbers, datetimes and intervals.
func (c *compiler) arith(x *sql.BinaryExpr, l, r *cexpr) *cexpr {
	lt, rt := l.typ, r.typ
	if lt.Base == value.TNull || rt.Base == value.TNull {
		// NULL, or a column of unknown type: the result's type is unknown too.
		return c.derive(l, func(e *env) (value.Value, error) {
			a, err := l.eval(e)
			if err != nil || a.K == value.Null {
				return value.Value{}, err
			}
			b, err := r.eval(e)
			if err != nil || b.K == value.Null {
				return value.Value{}, err
			}
			return value.Value{}, nil
		}, value.NullType, r)
	}
	lk, rk := lt.Kind(), rt.Kind()
	var t value.Type
	switch {
	case lt.Numeric() && rt.Numeric():
		t = numericResult(x.Op, lt, rt)
	case x.Op == "-" && lt.Datetime() && rt.Datetime():
		t = value.IntervalType
	case (x.Op == "+" || x.Op == "-") && lt.Datetime() && (rk == value.Interval || rk == value.Months):
		t = lt
	case x.Op == "+" && (lk == value.Interval || lk == value.Months) && rt.Datetime():
		t = rt
	case (x.Op == "+" || x.Op == "-") && lk == rk && (lk == value.Interval || lk == value.Months):
		t = value.JoinIntervals(lt, rt)
	case (x.Op == "*" || x.Op == "/") && (lk == value.Interval || lk == value.Months) && rt.Numeric():
		t = lt
	case x.Op == "*" && lt.Numeric() && (rk == value.Interval || rk == value.Months):
		t = rt
	case lk == value.Null && rk == value.Null:
		t = value.NullType
	default:
		errorf(x, "cannot apply %s to %s and %s", x.Op, l.typ, r.typ)
	}
	op := x.Op
	return c.derive(l, func(e *env) (value.Value, error) {
		a, err := l.eval(e)
		if err != nil || a.K == value.Null {
			return value.Value{}, err
		}
		b, err := r.eval(e)
		if err != nil || b.K == value.Null {
			return value.Value{}, err
		}
		return arith(op, a, b, t)
	}, t, r)
}

func numericResult(op string, a, b value.Type) value.Type {
	ak, bk := a.Kind(), b.Kind()
	switch {
	case ak == value.Double || bk == value.Double:
		return value.DoubleType
	case ak == value.Decimal || bk == value.Decimal:
		if op == "/" {
			return value.DoubleType
		}
		s := max(a.Scale, b.Scale)
		if op == "*" {
			s = a.Scale + b.Scale
		}
		return value.Type{Base: value.TDecimal, Len: 19, Scale: s}
	case a.Base == value.TBigint || b.Base == value.TBigint:
		return value.BigintType
	}
	return value.IntegerType
}

// exact reports whether neither operand is approximate (DOUBLE, REAL): dividing exact numbers by zero is
// an error, as in SQL, even where the quotient is typed DOUBLE (DECIMAL / INTEGER); approximate numbers
// follow IEEE 754 (Infinity, NaN), as Java's double does in KDA.
func exact(a, b value.Value) bool { return a.K != value.Double && b.K != value.Double }

func arith(op string, a, b value.Value, t value.Type) (value.Value, error) {
	switch t.Kind() {
	case value.Int:
		x, y := a.I, b.I
		switch op {
		case "+":
			r := x + y
			return intResult(r, (x^r)&(y^r) < 0, t)
		case "-":
			r := x - y
			return intResult(r, (x^y)&(x^r) < 0, t)
		case "*":
			r := x * y
			return intResult(r, x != 0 && (r/x != y || (x == -1 && y == math.MinInt64)), t)
		case "/":
			if y == 0 {
				return value.Value{}, &evalError{"Division_by_zero", "division by zero"}
			}
			return value.NewInt(x / y), nil
		case "%":
			if y == 0 {
				return value.Value{}, &evalError{"Division_by_zero", "division by zero"}
			}
			return value.NewInt(x % y), nil
		}
	case value.Decimal, value.Double:
		x, y := a.Float(), b.Float()
		var f float64
		switch op {
		case "+":
			f = x + y
		case "-":
			f = x - y
		case "*":
			f = x * y
		case "/":
			if y == 0 && exact(a, b) {
				return value.Value{}, &evalError{"Division_by_zero", "division by zero"}
			}
			f = x / y
		case "%":
			if y == 0 && exact(a, b) {
				return value.Value{}, &evalError{"Division_by_zero", "division by zero"}
			}
			f = math.Mod(x, y)
		}
		if t.Kind() == value.Decimal {
			// Exact decimals of the result's scale: 0.1 + 0.2 = 0.3 holds (see value.RoundDecimal).
			f = value.RoundDecimal(f, t.Scale)
		}
		return value.Value{K: t.Kind(), F: f}, nil
	case value.Interval, value.Months:
		switch {
		case a.K == t.Kind() && b.K == t.Kind():
			if op == "-" {
				return value.Value{K: t.Kind(), I: a.I - b.I}, nil
			}
			return value.Value{K: t.Kind(), I: a.I + b.I}, nil
		case a.K == t.Kind():
			f := b.Float()
			if op == "/" {
				if f == 0 {
					return value.Value{}, &evalError{"Division_by_zero", "division by zero"}
				}
				return value.Value{K: t.Kind(), I: int64(math.Floor(float64(a.I) / f))}, nil
			}
			return value.Value{K: t.Kind(), I: int64(math.Round(float64(a.I) * f))}, nil
		case b.K == t.Kind() && a.Numeric():
			return value.Value{K: t.Kind(), I: int64(math.Round(float64(b.I) * a.Float()))}, nil
		default: // datetime - datetime
			return value.NewInterval(a.I - b.I), nil
		}
	case value.Timestamp, value.Date, value.Time:
		dt, iv := a, b
		if a.K == value.Interval || a.K == value.Months {
			dt, iv = b, a
		}
		sign := int64(1)
		if op == "-" {
			sign = -1
		}
		if iv.K == value.Months {
			return value.Value{K: dt.K, I: addMonths(dt.I, int(sign*iv.I))}, nil
		}
		r := dt.I + sign*iv.I
		if dt.K == value.Time {
			r = ((r % 86_400_000) + 86_400_000) % 86_400_000
		}
		return value.Value{K: dt.K, I: r}, nil
	}
	return value.Value{}, nil
}

// intResult checks an integer result against its type's range, as SQL does: a result that does not fit
// (2147483647 + 1 typed INTEGER) is an error row, not a silently wrong value.
func intResult(r int64, overflow bool, t value.Type) (value.Value, error) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch t.Base {
	case value.TInteger:
		lo, hi = math.MinInt32, math.MaxInt32
	case value.TSmallint:
		lo, hi = math.MinInt16, math.MaxInt16
	case value.TTinyint:
		lo, hi = math.MinInt8, math.MaxInt8
	}
	if overflow || r < lo || r > hi {
		return value.Value{}, &evalError{funcs.NumericOverflow, "integer overflow: the result does not fit " + t.String()}
	}
	return value.NewInt(r), nil
}

func (c *compiler) is(x *sql.Is) *cexpr {
	a := c.expr(x.X)
	not := x.Not
	switch x.What {
	case "NULL":
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			return value.NewBool((v.K == value.Null) != not), err
		}, value.BooleanType)
	case "TRUE", "FALSE", "UNKNOWN":
		what := x.What
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			var r bool
			switch what {
			case "TRUE":
				r = v.K != value.Null && v.I != 0
			case "FALSE":
				r = v.K != value.Null && v.I == 0
			default:
				r = v.K == value.Null
			}
			return value.NewBool(r != not), err
		}, value.BooleanType)
	case "DISTINCT FROM":
		b := c.expr(x.Y)
		if !comparable(a.typ, b.typ) {
			errorf(x, "cannot compare %s with %s", a.typ, b.typ)
		}
		a, b := c.alignDatetime(x, a, b)
		return c.derive(a, func(e *env) (value.Value, error) {
			u, err := a.eval(e)
			if err != nil {
				return u, err
			}
			v, err := b.eval(e)
			return value.NewBool((value.Compare(u, v) != 0) != not), err
		}, value.BooleanType, b)
	}
	errorf(x, "unsupported IS %s", x.What)
	return nil
}

func (c *compiler) like(x *sql.Like) *cexpr {
	a, p := c.expr(x.X), c.expr(x.Pattern)
	esc := ""
	if x.Escape != nil {
		ec := c.expr(x.Escape)
		if ec.konst == nil {
			errorf(x.Escape, "ESCAPE must be a constant")
		}
		esc = ec.konst.S
	}
	not, similar := x.Not, x.Similar
	if p.konst != nil {
		if p.konst.K == value.Null {
			return constExpr(value.Value{}, value.BooleanType)
		}
		m, err := funcs.CompileLike(p.konst.S, esc, similar)
		if err != nil {
			errorf(x.Pattern, "%v", err)
		}
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			if err != nil || v.K == value.Null {
				return value.Value{}, err
			}
			return value.NewBool(m(v.String()) != not), nil
		}, value.BooleanType)
	}
	return c.derive(a, func(e *env) (value.Value, error) {
		v, err := a.eval(e)
		if err != nil || v.K == value.Null {
			return value.Value{}, err
		}
		pv, err := p.eval(e)
		if err != nil || pv.K == value.Null {
			return value.Value{}, err
		}
		m, err := funcs.CompileLike(pv.String(), esc, similar)
		if err != nil {
			return value.Value{}, &evalError{"Invalid_pattern", err.Error()}
		}
		return value.NewBool(m(v.String()) != not), nil
	}, value.BooleanType, p)
}

func (c *compiler) in(x *sql.In) *cexpr {
	if x.Query != nil {
		return c.inQuery(x)
	}
	a := c.expr(x.X)
	list := make([]*cexpr, len(x.List))
	for i, y := range x.List {
		list[i] = c.expr(y)
		if !comparable(a.typ, list[i].typ) {
			errorf(y, "cannot compare %s with %s", a.typ, list[i].typ)
		}
		if a.typ.Datetime() && list[i].typ.Textual() {
			list[i] = c.castTo(y, list[i], a.typ)
		}
	}
	if a.typ.Textual() {
		// Text IN (datetimes): the text is read as the datetime, as comparisons do.
		for _, y := range list {
			if y.typ.Datetime() {
				a = c.castTo(x.X, a, y.typ)
				break
			}
		}
	}
	not := x.Not
	return c.derive(a, func(e *env) (value.Value, error) {
		v, err := a.eval(e)
		if err != nil || v.K == value.Null {
			return value.Value{}, err
		}
		sawNull := false
		for _, y := range list {
			w, err := y.eval(e)
			if err != nil {
				return w, err
			}
			if w.K == value.Null {
				sawNull = true
				continue
			}
			if value.Compare(v, w) == 0 {
				return value.NewBool(!not), nil
			}
		}
		if sawNull {
			return value.Value{}, nil
		}
		return value.NewBool(not), nil
	}, value.BooleanType, list...)
}

func (c *compiler) between(x *sql.Between) *cexpr {
	a, lo, hi := c.expr(x.X), c.expr(x.Lo), c.expr(x.Hi)
	if !comparable(a.typ, lo.typ) || !comparable(a.typ, hi.typ) {
		errorf(x, "BETWEEN operands of types %s, %s and %s cannot be compared", a.typ, lo.typ, hi.typ)
	}
	a, lo = c.alignDatetime(x, a, lo)
	a, hi = c.alignDatetime(x, a, hi)
	not := x.Not
	return c.derive(a, func(e *env) (value.Value, error) {
		v, err := a.eval(e)
		if err != nil || v.K == value.Null {
			return value.Value{}, err
		}
		l, err := lo.eval(e)
		if err != nil {
			return l, err
		}
		h, err := hi.eval(e)
		if err != nil {
			return h, err
		}
		if l.K == value.Null || h.K == value.Null {
			return value.Value{}, nil
		}
		in := value.Compare(v, l) >= 0 && value.Compare(v, h) <= 0
		return value.NewBool(in != not), nil
	}, value.BooleanType, lo, hi)
}

func (c *compiler) caseExpr(x *sql.Case) *cexpr {
	var operand *cexpr
	if x.Operand != nil {
		operand = c.expr(x.Operand)
	}
	conds := make([]*cexpr, len(x.Whens))
	results := make([]*cexpr, len(x.Whens))
	var t value.Type
	for i, w := range x.Whens {
		conds[i] = c.expr(w.Cond)
		if operand == nil {
			c.wantBool(w.Cond, conds[i])
		} else if !comparable(operand.typ, conds[i].typ) {
			errorf(w.Cond, "cannot compare %s with %s", operand.typ, conds[i].typ)
		} else if operand.typ.Datetime() && conds[i].typ.Textual() {
			conds[i] = c.castTo(w.Cond, conds[i], operand.typ)
		}
		results[i] = c.expr(w.Result)
		t = unify(w.Result, t, results[i].typ)
	}
	var els *cexpr
	if x.Else != nil {
		els = c.expr(x.Else)
		t = unify(x.Else, t, els.typ)
	}
	all := append(append([]*cexpr{}, conds...), results...)
	if els != nil {
		all = append(all, els)
	}
	first := all[0]
	if operand != nil {
		first = operand
	}
	return c.derive(first, func(e *env) (value.Value, error) {
		var ov value.Value
		if operand != nil {
			var err error
			if ov, err = operand.eval(e); err != nil {
				return ov, err
			}
		}
		for i, cond := range conds {
			v, err := cond.eval(e)
			if err != nil {
				return v, err
			}
			hit := false
			if operand != nil {
				hit = ov.K != value.Null && v.K != value.Null && value.Compare(ov, v) == 0
			} else {
				hit = v.K == value.Bool && v.I != 0
			}
			if hit {
				return coerce(results[i].eval(e))(t)
			}
		}
		if els != nil {
			return coerce(els.eval(e))(t)
		}
		return value.Value{}, nil
	}, t, all...)
}

// coerce converts a CASE arm's number to the CASE's type, so that every arm yields the same kind.
func coerce(v value.Value, err error) func(value.Type) (value.Value, error) {
	return func(t value.Type) (value.Value, error) {
		if err != nil || v.K == value.Null {
			return v, err
		}
		switch {
		case t.Kind() == value.Double && v.K != value.Double && v.Numeric():
			return value.NewDouble(v.Float()), nil
		case t.Kind() == value.Decimal && v.K == value.Int:
			return value.NewDecimal(float64(v.I)), nil
		}
		return v, nil
	}
}

// unify finds the common type of two CASE arms.
func unify(n sql.Node, a, b value.Type) value.Type { return unifyAs(n, "CASE arms", a, b) }

// unifyAs finds the common type of two values of what: CASE arms, a VALUES column.
func unifyAs(n sql.Node, what string, a, b value.Type) value.Type {
	switch {
	case a.Base == value.TNull:
		return b
	case b.Base == value.TNull:
		return a
	case a.Numeric() && b.Numeric():
		return numericResult("+", a, b)
	case a.Textual() && b.Textual():
		return value.Varchar(max(a.Len, b.Len))
	case a.Kind() == b.Kind():
		return a
	}
	errorf(n, "%s have incompatible types %s and %s", what, a, b)
	return a
}

func (c *compiler) cast(x *sql.Cast) *cexpr {
	t, err := value.FromSQL(x.Type)
	if err != nil {
		errorf(x.Type, "%v", err)
	}
	a := c.expr(x.X)
	if t.Base == value.TInterval || t.Base == value.TIntervalMonth {
		return c.castInterval(x, a, t)
	}
	if a.konst != nil {
		v, err := funcs.CastFrom(*a.konst, a.typ, t)
		if err != nil {
			errorf(x, "cannot cast %s to %s: %v", sql.Format(x.X), t, err)
		}
		return constExpr(v, t)
	}
	ce := c.castTo(x, a, t)
	return ce
}

// castInterval is CAST(x AS INTERVAL unit [TO unit]). The CAST page's valid conversions give a DAY-TIME
// INTERVAL from VARCHAR/CHAR and from a day-time interval, and nothing else: a number, or a year-month
// target, is refused. The text is read as the quoted part of an interval literal in the target's
// qualifier, so CAST('5' AS INTERVAL MINUTE) is INTERVAL '5' MINUTE; text that does not read is an error
// row, as a failed CAST of text to a number is.
func (c *compiler) castInterval(x *sql.Cast, a *cexpr, t value.Type) *cexpr {
	name := x.Type.Name
	if t.Base == value.TIntervalMonth {
		errorf(x.Type, "cannot cast to %s: CAST gives only a day-time interval (its valid conversions list no year-month interval)", name)
	}
	// "INTERVAL DAY TO SECOND" -> DAY, SECOND; "INTERVAL MINUTE" -> MINUTE.
	unit, toUnit, _ := strings.Cut(strings.TrimPrefix(name, "INTERVAL "), " TO ")
	switch {
	case a.typ.Base == value.TInterval:
		return c.derive(a, a.eval, t)
	case a.typ.Base == value.TNull && a.konst != nil:
		return constExpr(value.Value{}, t)
	case !a.typ.Textual() && a.typ.Base != value.TNull: // NULL type: a column of an Open input, unknown
		errorf(x, "cannot cast %s to %s: CAST gives a day-time interval only from a character string or a day-time interval", a.typ, name)
	}
	if a.konst != nil {
		v, _, err := parseInterval(a.konst.S, false, unit, toUnit)
		if err != nil {
			errorf(x, "cannot cast %s to %s: %v", sql.Format(x.X), name, err)
		}
		return constExpr(v, t)
	}
	return c.derive(a, func(e *env) (value.Value, error) {
		v, err := a.eval(e)
		if err != nil || v.K == value.Null || v.K == value.Interval {
			return v, err
		}
		iv, _, err := parseInterval(v.S, false, unit, toUnit)
		if err != nil {
			s := v.String()
			if len(s) > 64 {
				s = s[:64] + "..."
			}
			return value.Value{}, &funcs.Error{Name: funcs.TypeConversionError, Message: fmt.Sprintf("cannot convert '%s' to %s", s, name)}
		}
		return iv, nil
	}, t)
}

// builtin binds a function of the library to compiled arguments.
func (c *compiler) builtin(n sql.Node, name string, args []*cexpr) *cexpr {
	f, ok := funcs.Lookup(name)
	if !ok {
		errorf(n, "no function %s", name)
	}
	fargs := make([]funcs.Arg, len(args))
	for i, a := range args {
		fargs[i] = funcs.Arg{Type: a.typ, Const: a.konst}
	}
	impl, t, err := f.Bind(fargs)
	if err != nil {
		errorf(n, "%v", err)
	}
	allConst := true
	for _, a := range args {
		allConst = allConst && a.konst != nil
	}
	fn := func(e *env) (value.Value, error) {
		var buf [6]value.Value
		vals := buf[:0]
		if len(args) > len(buf) {
			vals = make([]value.Value, 0, len(args))
		}
		for _, a := range args {
			v, err := a.eval(e)
			if err != nil {
				return v, err
			}
			vals = append(vals, v)
		}
		return impl(vals)
	}
	if len(args) == 0 {
		return &cexpr{eval: fn, typ: t}
	}
	ce := c.derive(args[0], fn, t, args[1:]...)
	if allConst && len(args) > 0 {
		if v, err := fn(&env{}); err == nil {
			return constExpr(v, t)
		}
	}
	return ce
}

// step is STEP(x BY width): x rounded down to a multiple of width since the epoch (or zero).
func (c *compiler) step(x *sql.Step) *cexpr {
	a, w := c.expr(x.X), c.expr(x.Width)
	if w.konst == nil {
		errorf(x.Width, "the width of STEP must be a constant")
	}
	width := *w.konst
	switch {
	case a.typ.Datetime() && width.K == value.Interval:
		if width.I <= 0 {
			errorf(x.Width, "the width of STEP must be positive")
		}
		ms := width.I
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			if err != nil || v.K == value.Null {
				return value.Value{}, err
			}
			v.I = floorDiv(v.I, ms) * ms
			return v, nil
		}, a.typ)
	case a.typ.Kind() == value.Int && width.K == value.Int:
		if width.I <= 0 {
			errorf(x.Width, "the width of STEP must be positive")
		}
		n := width.I
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			if err != nil || v.K == value.Null {
				return value.Value{}, err
			}
			v.I = floorDiv(v.I, n) * n
			return v, nil
		}, a.typ)
	case (a.typ.Kind() == value.Interval) && width.K == value.Interval:
		if width.I <= 0 {
			errorf(x.Width, "the width of STEP must be positive")
		}
		ms := width.I
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			if err != nil || v.K == value.Null {
				return value.Value{}, err
			}
			v.I = floorDiv(v.I, ms) * ms
			return v, nil
		}, a.typ)
	}
	if a.typ.Base == value.TNull { // an input column of unknown type (hydrant sql check without a schema)
		return c.derive(a, func(e *env) (value.Value, error) { return value.Value{}, nil }, value.NullType)
	}
	errorf(x, "STEP(%s BY %s) needs a datetime and an interval, or two integers", a.typ, w.typ)
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// floorTo is FLOOR/CEIL(x TO unit). Datetimes go to the function library; intervals (the older
// FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND) idiom) and numbers are
// rounded here.
func (c *compiler) floorTo(x *sql.FloorTo) *cexpr {
	a := c.expr(x.X)
	ceil := x.Name == "CEIL" || x.Name == "CEILING"
	if a.typ.Kind() == value.Interval || a.typ.Numeric() {
		ms, ok := unitMillis[x.Unit]
		if !ok {
			errorf(x, "cannot round %s to %s", a.typ, x.Unit)
		}
		isNum := a.typ.Numeric()
		return c.derive(a, func(e *env) (value.Value, error) {
			v, err := a.eval(e)
			if err != nil || v.K == value.Null {
				return value.Value{}, err
			}
			if isNum {
				// A number of the unit (seconds for TO SECOND): whole units.
				f := math.Floor(v.Float())
				if ceil {
					f = math.Ceil(v.Float())
				}
				return value.NewInt(int64(f)), nil
			}
			q := floorDiv(v.I, ms)
			if ceil && v.I%ms != 0 {
				q++
			}
			return value.NewInterval(q * ms), nil
		}, map[bool]value.Type{true: value.BigintType, false: value.IntervalType}[isNum])
	}
	name := "FLOOR_TO"
	if ceil {
		name = "CEIL_TO"
	}
	return c.builtin(x, name, []*cexpr{a, constExpr(value.NewString(x.Unit), value.VarcharType)})
}

// addMonths adds n months to the Unix-ms datetime ms as Java's Calendar.add does, which KDA runs on: a day
// past the end of the new month becomes its last day (2017-01-31 + 1 month is 2017-02-28), where Go's
// AddDate would run on into the next month (2017-03-03).
func addMonths(ms int64, n int) int64 {
	t := time.UnixMilli(ms).UTC()
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1).UnixMilli()
}
