package funcs

import (
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Shorthands for test values.
var null = value.Value{}

func str(s string) value.Value         { return value.NewString(s) }
func num(i int64) value.Value          { return value.NewInt(i) }
func dbl(f float64) value.Value        { return value.NewDouble(f) }
func dec(f float64) value.Value        { return value.NewDecimal(f) }
func ival(ms int64) value.Value        { return value.NewInterval(ms) }
func boolean(b bool) value.Value       { return value.NewBool(b) }
func row(v ...value.Value) value.Value { return value.NewRow(v) }

// ts parses SQL timestamp text in UTC.
func ts(s string) value.Value {
	t, err := time.Parse(value.TimestampLayout, s)
	if err != nil {
		t, err = time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			panic(err)
		}
	}
	return value.NewTimestamp(t.UnixMilli())
}

func date(s string) value.Value {
	t, err := time.Parse(value.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return value.NewDate(t.UnixMilli())
}

func tm(s string) value.Value {
	t, err := time.Parse(value.TimeLayout, s)
	if err != nil {
		panic(err)
	}
	return value.NewTime(t.UnixMilli() - time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
}

// typeOf is the type the planner would give a literal of v's kind.
func typeOf(v value.Value) value.Type {
	switch v.K {
	case value.Null:
		return value.NullType
	case value.Bool:
		return value.BooleanType
	case value.Int:
		return value.BigintType
	case value.Decimal:
		return value.Type{Base: value.TDecimal, Len: 19, Scale: 3}
	case value.Double:
		return value.DoubleType
	case value.String:
		return value.VarcharType
	case value.Binary:
		return value.Type{Base: value.TVarbinary}
	case value.Timestamp:
		return value.TimestampType
	case value.Date:
		return value.DateType
	case value.Time:
		return value.TimeType
	case value.Interval:
		return value.IntervalType
	case value.Months:
		return value.Type{Base: value.TIntervalMonth}
	}
	return value.Type{Base: value.TRow}
}

// bind binds name with args; constant says which arguments are literals (all when nil).
func bind(t testing.TB, name string, args []value.Value, constant func(i int) bool) (Impl, value.Type, error) {
	t.Helper()
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("function %s is not registered", name)
	}
	as := make([]Arg, len(args))
	for i := range args {
		as[i].Type = typeOf(args[i])
		if constant == nil || constant(i) {
			v := args[i]
			as[i].Const = &v
		}
	}
	return f.Bind(as)
}

// call binds name with every argument a literal and evaluates it once.
func call(t testing.TB, name string, args ...value.Value) (value.Value, error) {
	t.Helper()
	impl, _, err := bind(t, name, args, nil)
	if err != nil {
		return value.Value{}, err
	}
	return impl(args)
}

// callVar binds name with the arguments listed in vars as columns (not literals) and evaluates it.
func callVar(t testing.TB, name string, vars []int, args ...value.Value) (value.Value, error) {
	t.Helper()
	impl, _, err := bind(t, name, args, func(i int) bool {
		for _, v := range vars {
			if v == i {
				return false
			}
		}
		return true
	})
	if err != nil {
		return value.Value{}, err
	}
	return impl(args)
}

// same compares values exactly, including kind (NULLs are the same).
func same(a, b value.Value) bool {
	if a.K != b.K {
		return false
	}
	if a.K == value.Row {
		if len(a.R) != len(b.R) {
			return false
		}
		for i := range a.R {
			if !same(a.R[i], b.R[i]) {
				return false
			}
		}
		return true
	}
	if a.K == value.Double || a.K == value.Decimal {
		return a.F == b.F || a.F != a.F && b.F != b.F
	}
	return a.I == b.I && a.S == b.S
}

func show(v value.Value) string {
	if v.K == value.Null {
		return "NULL"
	}
	return v.K.String() + " " + v.String()
}

// evalCase is one row of a table test: a call and its result, or the error name it must give (an
// *Error's Name, or "bind" for a Bind error).
type evalCase struct {
	name string
	args []value.Value
	want value.Value
	err  string
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		got, err := call(t, c.name, c.args...)
		label := c.name + "(" + showArgs(c.args) + ")"
		switch {
		case c.err != "":
			if err == nil {
				t.Errorf("%s = %s, want error %s", label, show(got), c.err)
				continue
			}
			e, ok := err.(*Error)
			if c.err == "bind" && ok || c.err != "bind" && (!ok || e.Name != c.err) {
				t.Errorf("%s: error %v, want %s", label, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", label, err)
		case !same(got, c.want):
			t.Errorf("%s = %s, want %s", label, show(got), show(c.want))
		}
	}
}

func showArgs(args []value.Value) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += ", "
		}
		if a.K == value.String {
			s += "'" + a.S + "'"
		} else {
			s += show(a)
		}
	}
	return s
}
