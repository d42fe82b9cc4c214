package funcs

import (
	"math"
	"testing"
)

func TestNumericFunctions(t *testing.T) {
	runCases(t, []evalCase{
		{name: "ABS", args: vals(num(-5)), want: num(5)},
		{name: "ABS", args: vals(dbl(-2.5)), want: dbl(2.5)},
		{name: "ABS", args: vals(dec(-2.25)), want: dec(2.25)},
		{name: "ABS", args: vals(null), want: null},
		{name: "ABS", args: vals(num(math.MinInt64)), err: NumericOverflow},
		{name: "ABS", args: vals(str("x")), err: "bind"},
		// The reference: FLOOR(2.0) 2, FLOOR(-1.0) -1, FLOOR(5.2) 5, FLOOR(-3.3) -4, FLOOR(-3 * 3.1) -10;
		// CEIL(2.0) 2, CEIL(-1.0) -1, CEIL(5.2) 6, CEILING(-3.3) -3, CEILING(-3 * 3.1) -9.
		{name: "FLOOR", args: vals(dec(2.0)), want: dec(2)},
		{name: "FLOOR", args: vals(dec(-1.0)), want: dec(-1)},
		{name: "FLOOR", args: vals(dec(5.2)), want: dec(5)},
		{name: "FLOOR", args: vals(dec(-3.3)), want: dec(-4)},
		{name: "FLOOR", args: vals(dec(-3 * 3.1)), want: dec(-10)},
		{name: "CEIL", args: vals(dec(2.0)), want: dec(2)},
		{name: "CEIL", args: vals(dec(-1.0)), want: dec(-1)},
		{name: "CEIL", args: vals(dec(5.2)), want: dec(6)},
		{name: "CEILING", args: vals(dec(-3.3)), want: dec(-3)},
		{name: "CEILING", args: vals(dec(-3 * 3.1)), want: dec(-9)},
		{name: "CEIL", args: vals(dbl(1.2)), want: dbl(2)},
		{name: "CEILING", args: vals(dbl(-1.2)), want: dbl(-1)},
		{name: "CEIL", args: vals(num(7)), want: num(7)},
		{name: "FLOOR", args: vals(dbl(-1.2)), want: dbl(-2)},
		{name: "FLOOR", args: vals(dec(3.75)), want: dec(3)},
		{name: "EXP", args: vals(num(0)), want: dbl(1)},
		{name: "LN", args: vals(dbl(math.E)), want: dbl(1)},
		{name: "LN", args: vals(num(0)), want: dbl(math.Inf(-1))},
		{name: "LOG10", args: vals(num(1000)), want: dbl(3)},
		{name: "SQRT", args: vals(num(16)), want: dbl(4)},
		{name: "SQRT", args: vals(num(-1)), want: dbl(math.NaN())},
		{name: "POWER", args: vals(num(2), num(10)), want: dbl(1024)},
		{name: "POWER", args: vals(dbl(4), dbl(0.5)), want: dbl(2)},
		{name: "MOD", args: vals(num(17), num(5)), want: num(2)},
		{name: "MOD", args: vals(num(-17), num(5)), want: num(-2)},
		{name: "MOD", args: vals(num(17), num(-1)), want: num(0)},
		{name: "MOD", args: vals(num(17), num(0)), err: DivisionByZero},
		{name: "MOD", args: vals(dec(5.5), num(2)), want: dec(1.5)},
		{name: "MOD", args: vals(null, num(2)), want: null},
	})
}
