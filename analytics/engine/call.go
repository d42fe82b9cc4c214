package engine

import (
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// niladic are the functions written without parentheses. Their clock is the row's ROWTIME, not the
// wall clock: an application's output must not depend on when it ran (replays give the same rows).
var niladic = map[string]bool{
	"CURRENT_TIMESTAMP": true, "LOCALTIMESTAMP": true, "CURRENT_ROW_TIMESTAMP": true, "CURRENT_DATE": true,
	"CURRENT_TIME": true, "LOCALTIME": true,
}

func (c *compiler) niladic(n sql.Node, name string) *cexpr {
	fn := func(e *env) (value.Value, error) { return value.NewTimestamp(e.time), nil }
	t := value.TimestampType
	switch name {
	case "CURRENT_DATE":
		fn = func(e *env) (value.Value, error) {
			return value.NewDate(floorDiv(e.time, 86_400_000) * 86_400_000), nil
		}
		t = value.DateType
	case "CURRENT_TIME", "LOCALTIME":
		fn = func(e *env) (value.Value, error) {
			return value.NewTime(e.time - floorDiv(e.time, 86_400_000)*86_400_000), nil
		}
		t = value.TimeType
	}
	// After aggregation e.time is the window's end, so the same closure serves both modes.
	return &cexpr{eval: fn, typ: t, usesTime: true, rowtimeOnly: true}
}

func (c *compiler) call(x *sql.FuncCall) *cexpr {
	name := x.Name.Name
	if isAggregate(x) {
		return c.aggregate(x)
	}
	if x.Over != nil || x.OverName != nil {
		errorf(x, "%s is not an aggregate or analytic function: it cannot have OVER", name)
	}
	if niladic[name] && len(x.Args) == 0 {
		return c.niladic(x, name)
	}
	args := func() []*cexpr {
		out := make([]*cexpr, len(x.Args))
		for i, a := range x.Args {
			if _, ok := a.(*sql.Star); ok {
				errorf(a, "* is not an argument of %s", name)
			}
			out[i] = c.expr(a)
		}
		return out
	}
	switch name {
	case "MONOTONIC":
		if len(x.Args) != 1 {
			errorf(x, "MONOTONIC takes one argument")
		}
		return c.expr(x.Args[0])
	case "TRIM":
		if len(x.Args) == 1 {
			return c.builtin(x, "TRIM", []*cexpr{constExpr(value.NewString("BOTH"), value.VarcharType),
				constExpr(value.NewString(" "), value.Varchar(1)), c.expr(x.Args[0])})
		}
	case "CEILING":
		name = "CEIL"
	}
	if f := c.p.udfs[name]; f != nil {
		return c.udf(x, f, args())
	}
	return c.builtin(x, name, args())
}

// udf calls a SQL function of the application: its body is compiled against its parameters, and a call
// evaluates the arguments into a small row for it.
func (c *compiler) udf(x *sql.FuncCall, f *sql.CreateFunction, args []*cexpr) *cexpr {
	if len(args) != len(f.Params) {
		errorf(x, "function %s takes %d arguments, not %d", f.Name.Name, len(f.Params), len(args))
	}
	if c.p.udfDepth > 16 {
		errorf(x, "function %s calls itself", f.Name.Name)
	}
	c.p.udfDepth++
	defer func() { c.p.udfDepth-- }()
	sc := &scope{}
	params := map[string]int{}
	for i, p := range f.Params {
		t, err := value.FromSQL(p.Type)
		if err != nil {
			errorf(p.Type, "%v", err)
		}
		sc.cols = append(sc.cols, column{name: p.Name.Name, typ: t, slot: i})
		params[p.Name.Name] = i
		args[i] = c.castTo(x, args[i], t)
	}
	sc.width = len(f.Params)
	bc := &compiler{p: c.p, sc: sc, params: params, noAggs: true}
	body := bc.expr(f.Body)
	ret, err := value.FromSQL(f.Returns)
	if err != nil {
		errorf(f.Returns, "%v", err)
	}
	body = bc.castTo(f.Body, body, ret)
	n := len(args)
	// RETURNS NULL ON NULL INPUT: a NULL argument makes the call NULL, and the body is not run (it might
	// give a value, or fail, on NULL). CALLED ON NULL INPUT, the default, runs it.
	nullOnNull := false
	for _, o := range f.Options {
		switch o {
		case "RETURNS NULL ON NULL INPUT":
			nullOnNull = true
		case "CALLED ON NULL INPUT":
			nullOnNull = false
		}
	}
	// One call site's closure is never re-entered (a function's body is compiled anew at every call
	// site, and the engine is single-threaded), so its argument row is reused from call to call.
	var call env
	call.cols = make([]value.Value, n)
	fn := func(e *env) (value.Value, error) {
		for i, a := range args {
			v, err := a.eval(e)
			if err != nil {
				return v, err
			}
			if nullOnNull && v.K == value.Null {
				return value.Value{}, nil
			}
			call.cols[i] = v
		}
		call.time = e.time
		return body.eval(&call)
	}
	if n == 0 {
		return &cexpr{eval: fn, typ: ret}
	}
	return c.derive(args[0], fn, ret, args[1:]...)
}
