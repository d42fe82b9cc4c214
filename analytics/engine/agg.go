package engine

import (
	"math"
	"strings"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Aggregates. A SELECT's aggregate calls are collected into aggSpecs while its expressions compile; the
// expression that uses one reads its result from env.aggs. Group state is one accState per aggregate:
// plain data, so that a checkpoint can encode it.

var aggregates = map[string]bool{
	"COUNT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true, "FIRST_VALUE": true, "LAST_VALUE": true,
	"LAG": true, "NTH_VALUE": true, "STDDEV": true, "STDDEV_POP": true, "STDDEV_SAMP": true, "VAR_POP": true,
	"VAR_SAMP": true, "VARIANCE": true, "EXP_AVG": true, "ANY": true, "SOME": true, "EVERY": true,
}

func isAggregate(x *sql.FuncCall) bool { return aggregates[x.Name.Name] && !x.Name.Quoted }

type aggSpec struct {
	name     string
	call     *sql.FuncCall
	arg      *cexpr // nil for COUNT(*)
	distinct bool
	typ      value.Type
	window   *windowDef // the sliding window of an OVER aggregate; nil in GROUP BY and STAGGER
	lag      int        // LAG's offset, NTH_VALUE's n
	lagDef   *cexpr     // LAG's default
	halfLife int64      // EXP_AVG's time interval, in milliseconds
	// IGNORE NULLS (LAG, NTH_VALUE, FIRST_VALUE, LAST_VALUE skip NULLs); FROM LAST (NTH_VALUE counts from
	// the newest row).
	ignoreNulls bool
	fromLast    bool
}

func (c *compiler) aggregate(x *sql.FuncCall) *cexpr {
	name := x.Name.Name
	if c.noAggs {
		errorf(x, "aggregate function %s is not allowed here", name)
	}
	if c.inAgg {
		errorf(x, "aggregate function %s cannot be nested in another aggregate", name)
	}
	spec := &aggSpec{name: name, call: x, distinct: x.Distinct, ignoreNulls: x.NullTreatment == "IGNORE NULLS",
		fromLast: x.FromLast}
	if x.FromLast && name != "NTH_VALUE" {
		errorf(x, "FROM LAST applies to NTH_VALUE only")
	}
	over := x.Over != nil || x.OverName != nil
	if over {
		spec.window = c.windowFor(x)
	} else if name == "LAG" || name == "NTH_VALUE" || name == "EXP_AVG" {
		errorf(x, "%s needs an OVER clause", name)
	} else if c.mode != groupMode {
		errorf(x, "aggregate function %s needs a GROUP BY (or an OVER window) in a streaming query", name)
	}
	saveMode := c.mode
	c.mode, c.inAgg = rowMode, true
	defer func() { c.mode, c.inAgg = saveMode, false }()
	nargs := len(x.Args)
	if nargs == 1 {
		if _, ok := x.Args[0].(*sql.Star); ok {
			if name != "COUNT" {
				errorf(x, "%s(*) is not allowed; only COUNT(*)", name)
			}
			nargs = 0
		}
	}
	switch name {
	case "COUNT":
		if nargs > 1 {
			errorf(x, "COUNT takes one argument")
		}
	case "LAG":
		if nargs < 1 || nargs > 3 {
			errorf(x, "LAG takes 1 to 3 arguments")
		}
	case "NTH_VALUE":
		if nargs != 2 {
			errorf(x, "NTH_VALUE takes 2 arguments")
		}
	case "EXP_AVG":
		if nargs != 2 {
			errorf(x, "EXP_AVG takes 2 arguments: a value and a time interval")
		}
	default:
		if nargs != 1 {
			errorf(x, "%s takes one argument", name)
		}
	}
	if nargs > 0 {
		spec.arg = c.expr(x.Args[0])
	}
	spec.lag = 1
	if name == "EXP_AVG" {
		h := c.expr(x.Args[1])
		if h.konst == nil || h.konst.K != value.Interval || h.konst.I <= 0 {
			errorf(x.Args[1], "the half-life of EXP_AVG must be a positive constant INTERVAL, such as INTERVAL '10' SECOND")
		}
		spec.halfLife = h.konst.I
	} else if nargs >= 2 {
		n := c.expr(x.Args[1])
		if n.konst == nil || n.konst.K != value.Int || n.konst.I < 0 {
			errorf(x.Args[1], "the offset of %s must be a non-negative integer constant", name)
		}
		spec.lag = int(n.konst.I)
	}
	if nargs == 3 {
		spec.lagDef = c.castTo(x.Args[2], c.expr(x.Args[2]), spec.arg.typ)
	}
	switch name {
	case "COUNT":
		spec.typ = value.BigintType
	case "SUM":
		c.wantNumeric(x, spec.arg)
		spec.typ = spec.arg.typ
		if spec.typ.Kind() == value.Int {
			spec.typ = value.BigintType
		}
	case "AVG":
		c.wantNumeric(x, spec.arg)
		spec.typ = spec.arg.typ
	case "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "VARIANCE", "EXP_AVG":
		c.wantNumeric(x, spec.arg)
		spec.typ = value.DoubleType
	case "ANY", "SOME", "EVERY":
		// The Boolean aggregates (sql-reference-any, -every): whether any, or every, non-NULL value is true.
		if b := spec.arg.typ.Base; b != value.TBoolean && b != value.TNull {
			errorf(x, "%s needs a BOOLEAN, not %s", name, spec.arg.typ)
		}
		spec.typ = value.BooleanType
	case "MIN", "MAX":
		if spec.arg.typ.Base == value.TRow {
			errorf(x, "%s of a ROW", name)
		}
		spec.typ = spec.arg.typ
	default:
		spec.typ = spec.arg.typ
	}
	if over && spec.distinct {
		errorf(x, "DISTINCT is not allowed in a windowed aggregate")
	}
	idx := len(c.aggs)
	c.aggs = append(c.aggs, spec)
	t := spec.typ
	return &cexpr{eval: func(e *env) (value.Value, error) { return e.aggs[idx], nil }, typ: t}
}

func (c *compiler) wantNumeric(x *sql.FuncCall, a *cexpr) {
	if !a.typ.Numeric() && a.typ.Base != value.TNull {
		errorf(x, "%s needs a number, not %s", x.Name.Name, a.typ)
	}
}

// accState is one aggregate's state in one group or window.
type accState struct {
	N   int64       // rows counted (non-NULL arguments, or every row for COUNT(*))
	I   int64       // integer sum
	F   float64     // float sum; the running mean for the variance family
	M2  float64     // sum of squared deviations (variance family)
	V   value.Value // MIN, MAX, FIRST_VALUE, LAST_VALUE
	Set bool
	D   map[string]int64 // DISTINCT: argument key -> occurrences
}

// add folds one argument value in. keyBuf is scratch for DISTINCT keys.
func (s *aggSpec) add(st *accState, v value.Value, keyBuf *[]byte) {
	if s.arg == nil { // COUNT(*)
		st.N++
		return
	}
	switch s.name {
	case "FIRST_VALUE", "LAST_VALUE":
		if s.ignoreNulls && v.K == value.Null {
			return
		}
	}
	switch s.name {
	case "FIRST_VALUE":
		if !st.Set {
			st.V, st.Set = v, true
		}
		return
	case "LAST_VALUE":
		st.V, st.Set = v, true
		return
	}
	if v.K == value.Null {
		return
	}
	if s.distinct {
		if st.D == nil {
			st.D = map[string]int64{}
		}
		*keyBuf = appendKey((*keyBuf)[:0], v)
		st.D[string(*keyBuf)]++
		if st.D[string(*keyBuf)] > 1 {
			return
		}
	}
	st.N++
	switch s.name {
	case "ANY", "SOME", "EVERY":
		st.I += v.I // the number of true values
	case "SUM", "AVG":
		if s.typ.Kind() == value.Int {
			st.I += v.I
		} else {
			st.F += v.Float()
		}
	case "MIN":
		if !st.Set || value.Compare(v, st.V) < 0 {
			st.V, st.Set = v, true
		}
	case "MAX":
		if !st.Set || value.Compare(v, st.V) > 0 {
			st.V, st.Set = v, true
		}
	case "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "VARIANCE":
		x := v.Float()
		d := x - st.F
		st.F += d / float64(st.N)
		st.M2 += d * (x - st.F)
	}
}

// accumulates reports whether a sliding window keeps this aggregate in its accState (add and remove);
// the others are read from the window's rows (LAG, NTH_VALUE, EXP_AVG, FIRST_VALUE, LAST_VALUE) or kept
// in a monotonic deque (MIN, MAX).
func (s *aggSpec) accumulates() bool {
	switch s.name {
	case "LAG", "NTH_VALUE", "EXP_AVG", "FIRST_VALUE", "LAST_VALUE", "MIN", "MAX":
		return false
	}
	return !s.variance()
}

// variance reports whether s is of the variance family, which sliding windows keep in a varStack.
func (s *aggSpec) variance() bool {
	switch s.name {
	case "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "VARIANCE":
		return true
	}
	return false
}

// varianceResult is the variance family's value for n rows with sum of squared deviations m2.
func (s *aggSpec) varianceResult(n int64, m2 float64) value.Value {
	d := n
	if s.name == "STDDEV" || s.name == "STDDEV_SAMP" || s.name == "VAR_SAMP" || s.name == "VARIANCE" {
		d--
	}
	if d < 1 {
		return value.Value{}
	}
	v := m2 / float64(d)
	if strings.HasPrefix(s.name, "STDDEV") {
		v = math.Sqrt(v)
	}
	return value.NewDouble(v)
}

// remove takes a value out again (sliding windows). It reports false when the state must be rebuilt from
// the window's rows instead (MIN and MAX losing their extreme, FIRST_VALUE losing the first).
func (s *aggSpec) remove(st *accState, v value.Value) bool {
	if s.arg == nil {
		st.N--
		return true
	}
	switch s.name {
	case "FIRST_VALUE", "LAST_VALUE", "MIN", "MAX", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "VARIANCE":
		return false
	}
	if v.K == value.Null {
		return true
	}

	st.N--
	switch s.name {
	case "ANY", "SOME", "EVERY":
		st.I -= v.I
	case "SUM", "AVG":
		if s.typ.Kind() == value.Int {
			st.I -= v.I
		} else {
			st.F -= v.Float()
		}
	}
	return true
}

func (s *aggSpec) result(st *accState) value.Value {
	switch s.name {
	case "COUNT":
		return value.NewInt(st.N)
	case "SUM":
		if st.N == 0 {
			return value.Value{}
		}
		switch s.typ.Kind() {
		case value.Int:
			return value.NewInt(st.I)
		case value.Decimal: // a sum of decimals is a decimal of their scale: 0.10 + 0.20 is 0.30
			return value.NewDecimal(value.RoundDecimal(st.F, s.typ.Scale))
		}
		return value.Value{K: s.typ.Kind(), F: st.F}
	case "AVG":
		if st.N == 0 {
			return value.Value{}
		}
		switch s.typ.Kind() {
		case value.Int:
			return value.NewInt(st.I / st.N)
		case value.Decimal: // in the argument's type, as KDA types AVG
			return value.NewDecimal(value.RoundDecimal(st.F/float64(st.N), s.typ.Scale))
		}
		return value.Value{K: s.typ.Kind(), F: st.F / float64(st.N)}
	case "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE":
		if !st.Set {
			return value.Value{}
		}
		return st.V
	case "ANY", "SOME", "EVERY":
		if st.N == 0 {
			return value.Value{}
		}
		if s.name == "EVERY" {
			return value.NewBool(st.I == st.N)
		}
		return value.NewBool(st.I > 0)
	case "STDDEV", "STDDEV_SAMP", "VAR_SAMP", "VARIANCE":
		if st.N < 2 {
			return value.Value{}
		}
		v := st.M2 / float64(st.N-1)
		if s.name == "STDDEV" || s.name == "STDDEV_SAMP" {
			v = math.Sqrt(v)
		}
		return value.NewDouble(v)
	case "STDDEV_POP", "VAR_POP":
		if st.N < 1 {
			return value.Value{}
		}
		v := st.M2 / float64(st.N)
		if s.name == "STDDEV_POP" {
			v = math.Sqrt(v)
		}
		return value.NewDouble(v)
	}
	return value.Value{}
}
