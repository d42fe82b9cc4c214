package funcs

import (
	"math"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Numeric functions: the reference's list (ABS, CEIL/CEILING, EXP, FLOOR, LN, LOG10, MOD, POWER; STEP is in
// datetime.go) and SQRT, which applications call. Exact arguments keep their type where SQL keeps it (ABS, CEIL, FLOOR, MOD of
// integers); the transcendental functions return DOUBLE and follow java.lang.Math, which is what KDA
// computes them with (SQRT(-1) is NaN), except where the reference raises an exception: LN and LOG10 of 0
// or a negative number, POWER of 0 to a negative exponent or of a negative base to a fraction. Those are
// Invalid_argument error rows, as MOD by zero is a Division_by_zero one.

func init() {
	register(bindAbs, "ABS")
	register(bindCeilFloor, "CEIL", "CEILING", "FLOOR")
	register(bindMath1, "EXP", "LN", "LOG10", "SQRT")
	register(bindPower, "POWER")
	register(bindMod, "MOD")
}

// numType is the result type of a function that keeps its argument's numeric type; a NULL argument gives
// DOUBLE.
func numType(a Arg) value.Type {
	if a.Type.Numeric() {
		return a.Type
	}
	return value.DoubleType
}

// withKind makes a number of t's kind from f (exact kinds get f's value as it is; the caller rounds).
func withKind(k value.Kind, f float64) value.Value {
	switch k {
	case value.Int:
		return value.NewInt(int64(f))
	case value.Decimal:
		return value.NewDecimal(f)
	}
	return value.NewDouble(f)
}

func bindAbs(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needNumber(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	return strict(func(a []value.Value) (value.Value, error) {
		v := a[0]
		if v.K == value.Int {
			if v.I < 0 {
				if v.I == math.MinInt64 {
					return value.Value{}, errorf(NumericOverflow, "ABS(%d) overflows BIGINT", v.I)
				}
				v.I = -v.I
			}
			return v, nil
		}
		v.F = math.Abs(v.F)
		return v, nil
	}), numType(args[0]), nil
}

func bindCeilFloor(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needNumber(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	op := math.Ceil
	if name == "FLOOR" {
		op = math.Floor
	}
	t := numType(args[0])
	if t.Base == value.TDecimal {
		t.Scale = 0
	}
	return strict(func(a []value.Value) (value.Value, error) {
		v := a[0]
		if v.K != value.Int {
			v.F = op(v.F)
		}
		return v, nil
	}), t, nil
}

func bindMath1(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needNumber(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	var op func(float64) float64
	switch name {
	case "EXP":
		op = math.Exp
	case "LN":
		op = math.Log
	case "LOG10":
		op = math.Log10
	case "SQRT":
		op = math.Sqrt
	}
	logarithm := name == "LN" || name == "LOG10"
	return strict(func(a []value.Value) (value.Value, error) {
		x := a[0].Float()
		if logarithm && x <= 0 {
			return value.Value{}, errorf(InvalidArgument, "%s(%s): the argument must be greater than 0", name, a[0])
		}
		return value.NewDouble(op(x)), nil
	}), value.DoubleType, nil
}

func bindPower(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	if err := needNumber(name, args, 0, 1); err != nil {
		return nil, value.Type{}, err
	}
	return strict(func(a []value.Value) (value.Value, error) {
		x, y := a[0].Float(), a[1].Float()
		switch {
		case x == 0 && y < 0:
			return value.Value{}, errorf(InvalidArgument, "POWER(%s, %s): 0 to a negative power", a[0], a[1])
		case x < 0 && y != math.Trunc(y):
			return value.Value{}, errorf(InvalidArgument, "POWER(%s, %s): a negative number to a power that is not a whole number", a[0], a[1])
		}
		return value.NewDouble(math.Pow(x, y)), nil
	}), value.DoubleType, nil
}

// bindMod binds MOD(a, b): the remainder with a's sign, as Java's % gives it. Integers give an integer of
// b's type; MOD by zero is an error row.
func bindMod(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	if err := needNumber(name, args, 0, 1); err != nil {
		return nil, value.Type{}, err
	}
	t := numType(args[1])
	if args[0].Type.Kind() != value.Int || args[1].Type.Kind() != value.Int {
		t = value.Type{Base: value.TDecimal, Len: 19, Scale: max(args[0].Type.Scale, args[1].Type.Scale)}
		if args[0].Type.Kind() == value.Double || args[1].Type.Kind() == value.Double {
			t = value.DoubleType
		}
	}
	k := t.Kind()
	return strict(func(a []value.Value) (value.Value, error) {
		x, y := a[0], a[1]
		if x.K == value.Int && y.K == value.Int {
			if y.I == 0 {
				return value.Value{}, errorf(DivisionByZero, "MOD(%d, 0)", x.I)
			}
			if y.I == -1 {
				return withKind(k, 0), nil
			}
			return value.NewInt(x.I % y.I), nil
		}
		if y.Float() == 0 {
			return value.Value{}, errorf(DivisionByZero, "MOD by zero")
		}
		return withKind(k, math.Mod(x.Float(), y.Float())), nil
	}), t, nil
}

// roundPlaces rounds f to places decimal places, halves away from zero. It goes through the shortest
// decimal text of f so that 2.675 rounds to 2.68 as a decimal would, not to 2.67 as its binary value does.
func roundPlaces(f float64, places int) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	if places > 15 {
		return f
	}
	p := math.Pow10(places)
	r := math.Round(f * p)
	// f*p may land just below a half (2.675*100 = 267.49999...): correct with the decimal neighbour.
	if d := f*p - math.Trunc(f*p); math.Abs(math.Abs(d)-0.5) < 1e-9 {
		r = math.Trunc(f*p) + math.Copysign(1, f)
	}
	return r / p
}
