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
		// The LN and LOG10 pages: "If the argument is negative or 0, an exception is raised."
		{name: "LN", args: vals(num(0)), err: InvalidArgument},
		{name: "LN", args: vals(dbl(-1)), err: InvalidArgument},
		{name: "LN", args: vals(dec(-0.5)), err: InvalidArgument},
		{name: "LN", args: vals(null), want: null},
		{name: "LOG10", args: vals(num(1000)), want: dbl(3)},
		{name: "LOG10", args: vals(num(0)), err: InvalidArgument},
		{name: "LOG10", args: vals(num(-10)), err: InvalidArgument},
		{name: "SQRT", args: vals(num(16)), want: dbl(4)},
		{name: "SQRT", args: vals(num(-1)), want: dbl(math.NaN())},
		{name: "POWER", args: vals(num(2), num(10)), want: dbl(1024)},
		{name: "POWER", args: vals(dbl(4), dbl(0.5)), want: dbl(2)},
		// The POWER page's examples, and its exceptions: a zero base to a negative exponent, a negative
		// base to an exponent that is not a whole number.
		{name: "POWER", args: vals(num(3), num(2)), want: dbl(9)},
		{name: "POWER", args: vals(num(-2), num(3)), want: dbl(-8)},
		{name: "POWER", args: vals(num(4), num(-2)), want: dbl(0.0625)},
		{name: "POWER", args: vals(dec(10.1), dec(2.5)), want: dbl(324.19285157140644)},
		{name: "POWER", args: vals(num(0), num(0)), want: dbl(1)},
		{name: "POWER", args: vals(num(-8), dec(2.0)), want: dbl(64)},
		{name: "POWER", args: vals(num(0), num(-1)), err: InvalidArgument},
		{name: "POWER", args: vals(dbl(0), dbl(-0.5)), err: InvalidArgument},
		{name: "POWER", args: vals(num(-8), dbl(1.0/3)), err: InvalidArgument},
		{name: "POWER", args: vals(null, num(-1)), want: null},
		{name: "MOD", args: vals(num(17), num(5)), want: num(2)},
		{name: "MOD", args: vals(num(-17), num(5)), want: num(-2)},
		{name: "MOD", args: vals(num(17), num(-1)), want: num(0)},
		{name: "MOD", args: vals(num(17), num(0)), err: DivisionByZero},
		{name: "MOD", args: vals(dec(5.5), num(2)), want: dec(1.5)},
		{name: "MOD", args: vals(null, num(2)), want: null},
	})
}
