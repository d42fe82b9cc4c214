package funcs

import (
	"math"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

func mustType(t *testing.T, s string) value.Type {
	t.Helper()
	if s == "INTERVAL DAY TO SECOND" {
		return value.IntervalType // value.ParseType does not read interval types
	}
	ty, err := value.ParseType(s)
	if err != nil {
		t.Fatalf("ParseType(%q): %v", s, err)
	}
	return ty
}

func TestCast(t *testing.T) {
	cases := []struct {
		v    value.Value
		to   string
		want value.Value
		err  string
	}{
		{v: null, to: "INTEGER", want: null},
		{v: str(" 42 "), to: "INTEGER", want: num(42)},
		{v: str("-7"), to: "BIGINT", want: num(-7)},
		{v: str("1.5"), to: "INTEGER", want: num(2)},
		{v: str("abc"), to: "INTEGER", err: TypeConversionError},
		{v: str("0x10"), to: "INTEGER", err: TypeConversionError},
		{v: str("3000000000"), to: "INTEGER", err: NumericOverflow},
		{v: num(300), to: "TINYINT", err: NumericOverflow},
		// The reference: a REAL cast to INTEGER rounds, -1.5 giving -2.
		{v: dbl(-1.5), to: "INTEGER", want: num(-2)},
		{v: dbl(2.4), to: "INTEGER", want: num(2)},
		{v: dbl(math.NaN()), to: "BIGINT", err: NumericOverflow},
		{v: str("3.25"), to: "DOUBLE", want: dbl(3.25)},
		{v: str("1e3"), to: "DOUBLE", want: dbl(1000)},
		{v: str("NaN"), to: "DOUBLE", want: dbl(math.NaN())},
		{v: str("-Infinity"), to: "DOUBLE", want: dbl(math.Inf(-1))},
		{v: str("Inf"), to: "DOUBLE", err: TypeConversionError},
		{v: str(""), to: "DOUBLE", err: TypeConversionError},
		{v: num(3), to: "DOUBLE", want: dbl(3)},
		{v: dbl(0.1), to: "REAL", want: dbl(float64(float32(0.1)))},
		{v: dbl(1.005), to: "DECIMAL(10,2)", want: dec(1.01)},
		{v: str("12.345"), to: "DECIMAL(5,2)", want: dec(12.35)},
		{v: num(123456), to: "DECIMAL(5,2)", err: NumericOverflow},
		{v: str("NaN"), to: "DECIMAL(5,2)", err: TypeConversionError},
		{v: num(42), to: "VARCHAR(10)", want: str("42")},
		{v: dbl(1.5), to: "VARCHAR(10)", want: str("1.5")},
		{v: dbl(100), to: "VARCHAR(10)", want: str("100.0")},
		{v: boolean(true), to: "VARCHAR(5)", want: str("true")},
		// SQLstream cuts strings that are too long for the column.
		{v: str("abcdefgh"), to: "VARCHAR(4)", want: str("abcd")},
		{v: str("héllo"), to: "VARCHAR(2)", want: str("hé")},
		{v: str("ab"), to: "CHAR(4)", want: str("ab  ")},
		{v: str("ab"), to: "VARCHAR", want: str("ab")},
		// The reference: CAST(DATE '2008-08-23' AS VARCHAR(9)) selects no rows (the date needs 10 characters).
		{v: date("2008-08-23"), to: "VARCHAR(10)", want: str("2008-08-23")},
		{v: date("2008-08-23"), to: "VARCHAR(9)", err: TypeConversionError},
		{v: date("2008-08-23"), to: "CHAR(12)", want: str("2008-08-23  ")},
		{v: ts("2018-05-09 12:50:41.337"), to: "VARCHAR(30)", want: str("2018-05-09 12:50:41.337")},
		{v: str("2018-05-09 12:50:41"), to: "TIMESTAMP", want: ts("2018-05-09 12:50:41")},
		{v: str("2018-05-09 12:50:41.5"), to: "TIMESTAMP", want: ts("2018-05-09 12:50:41.500")},
		{v: str("2018-05-09T12:50:41.337510"), to: "TIMESTAMP", want: ts("2018-05-09 12:50:41.337")},
		{v: str("2018-05-09"), to: "TIMESTAMP", want: ts("2018-05-09 00:00:00")},
		{v: str("2018-02-30 00:00:00"), to: "TIMESTAMP", err: TypeConversionError},
		{v: str("2018-05-09 25:00:00"), to: "TIMESTAMP", err: TypeConversionError},
		{v: str("yesterday"), to: "TIMESTAMP", err: TypeConversionError},
		{v: str("2018-05-09"), to: "DATE", want: date("2018-05-09")},
		{v: ts("2018-05-09 12:50:41.337"), to: "DATE", want: date("2018-05-09")},
		{v: ts("1969-12-31 23:00:00"), to: "DATE", want: date("1969-12-31")},
		{v: ts("2018-05-09 12:50:41.337"), to: "TIME", want: tm("12:50:41.337")},
		{v: str("12:50:41"), to: "TIME", want: tm("12:50:41.000")},
		{v: date("2018-05-09"), to: "TIMESTAMP", want: ts("2018-05-09 00:00:00")},
		{v: str("1 02:03:04.005"), to: "INTERVAL DAY TO SECOND", want: ival(93784005)},
		{v: str("-0 00:00:01.000"), to: "INTERVAL DAY TO SECOND", want: ival(-1000)},
		{v: str("TRUE"), to: "BOOLEAN", want: boolean(true)},
		{v: str(" false "), to: "BOOLEAN", want: boolean(false)},
		{v: str("yes"), to: "BOOLEAN", err: TypeConversionError},
		{v: num(1), to: "BOOLEAN", err: TypeConversionError},
		{v: ts("2018-05-09 12:50:41"), to: "INTEGER", err: TypeConversionError},
	}
	for _, c := range cases {
		to := mustType(t, c.to)
		got, err := Cast(c.v, to)
		label := "CAST(" + show(c.v) + " AS " + c.to + ")"
		if c.err != "" {
			e, ok := err.(*Error)
			if !ok || e.Name != c.err {
				t.Errorf("%s = %s, %v; want error %s", label, show(got), err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		if !same(got, c.want) {
			t.Errorf("%s = %s, want %s", label, show(got), show(c.want))
		}
	}
}

// A value's text casts back to the value: what CSV output then input mapping relies on.
func TestCastTextRoundTrip(t *testing.T) {
	for _, c := range []struct {
		v  value.Value
		to string
	}{
		{ts("2018-05-09 12:50:41.337"), "TIMESTAMP"}, {ts("1960-01-01 00:00:00.001"), "TIMESTAMP"},
		{date("1999-12-31"), "DATE"}, {tm("23:59:59.999"), "TIME"}, {num(-123), "BIGINT"},
		{dbl(1.0e-5), "DOUBLE"}, {dbl(1.2345e10), "DOUBLE"}, {dbl(-0.5), "DOUBLE"},
		{ival(-93784005), "INTERVAL DAY TO SECOND"}, {boolean(false), "BOOLEAN"},
	} {
		text, err := Cast(c.v, value.VarcharType)
		if err != nil {
			t.Fatalf("CAST(%s AS VARCHAR): %v", show(c.v), err)
		}
		back, err := Cast(text, mustType(t, c.to))
		if err != nil || !same(back, c.v) {
			t.Errorf("CAST(CAST(%s AS VARCHAR) AS %s) = %s, %v", show(c.v), c.to, show(back), err)
		}
	}
}
