package engine

import (
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Intervals keep their qualifier (audit A4): (<datetime> - <datetime>) <qualifier> and the sum of
// intervals have the qualifier the Date, Timestamp, and Interval Operators page gives them, and their text
// is KDA's: a sign, the leading field without padding, then the qualifier's further fields.
func TestIntervalText(t *testing.T) {
	rows := []Row{tick(0, "AAPL", "TECH", 1, 10)}
	for _, tc := range []struct{ expr, want string }{
		// The page's example 1 of its further examples, exactly.
		{`CAST((TIME '12:03:34' - TIME '11:57:23') MINUTE TO SECOND AS VARCHAR(8))`, `+6:11`},
		{`CAST((TIME '12:03:34' - TIME '11:57:23') SECOND AS VARCHAR(8))`, `+371`},
		{`CAST((TIME '12:03:34' - TIME '11:57:23') MINUTE AS VARCHAR(8))`, `+6`},
		{`CAST((TIME '11:57:23' - TIME '12:03:34') HOUR TO SECOND AS VARCHAR(12))`, `-0:06:11`},
		// The page's examples 1 to 6: the results' text.
		{`CAST(INTERVAL '1' DAY + INTERVAL '3' DAY AS VARCHAR(20))`, `+4`},
		{`CAST(INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR AS VARCHAR(20))`, `+4 04`},
		{`CAST(INTERVAL '1' DAY - INTERVAL '3 4' DAY TO HOUR AS VARCHAR(20))`, `-2 04`},
		{`CAST(INTERVAL '1' YEAR + INTERVAL '3-4' YEAR TO MONTH AS VARCHAR(20))`, `+4-04`},
		{`CAST(2 * INTERVAL '3 4' DAY TO HOUR AS VARCHAR(20))`, `+6 08`},
		{`CAST(INTERVAL '3 4' DAY TO HOUR / 2 AS VARCHAR(20))`, `+1 14`},
		// A literal prints in its own qualifier.
		{`CAST(INTERVAL '3 4' DAY TO HOUR AS VARCHAR(20))`, `+3 04`},
		{`CAST(INTERVAL '2 3:4:5.678' DAY TO SECOND AS VARCHAR(20))`, `+2 03:04:05.678`},
		{`CAST(INTERVAL -'90' MINUTE AS VARCHAR(20))`, `-90`},
		{`CAST(INTERVAL '14' MONTH AS VARCHAR(20))`, `+14`},
		// A CAST to an interval type takes that type's qualifier.
		{`CAST(CAST('1:30' AS INTERVAL HOUR TO MINUTE) AS VARCHAR(20))`, `+1:30`},
		// Per row, not folded.
		{`CAST((ROWTIME - (ROWTIME - INTERVAL '75' SECOND)) MINUTE TO SECOND AS VARCHAR(8))`, `+1:15`},
		// The text reads back, sign and all, as a literal written as the page writes results does.
		{`CAST(CAST('+6:11' AS INTERVAL MINUTE TO SECOND) AS VARCHAR(8))`, `+6:11`},
		{`INTERVAL '+4 04' DAY TO HOUR = INTERVAL '4 4' DAY TO HOUR`, `true`},
		// Values are unchanged: arithmetic and comparison do not truncate to the qualifier.
		{`CAST(INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR = INTERVAL '4 4' DAY TO HOUR AS VARCHAR(5))`, `true`},
	} {
		got, errs := queryRows(t, `SELECT STREAM `+tc.expr+` FROM "SOURCE_SQL_STREAM_001"`, rows, 10)
		if len(got) != 1 || len(errs) > 0 {
			t.Errorf("%s: rows %q, errors %v", tc.expr, got, errs)
			continue
		}
		if v := got[0][len("0 2017-07-14 02:40:00.000 "):]; v != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, v, tc.want)
		}
	}
}

// The types: the qualifier is part of the interval's type, as the output columns show it.
func TestIntervalQualifierType(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`(TIME '12:03:34' - TIME '11:57:23') MINUTE TO SECOND`, `INTERVAL MINUTE TO SECOND`},
		{`INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR`, `INTERVAL DAY TO HOUR`},
		{`INTERVAL '5' MINUTE`, `INTERVAL MINUTE`},
		{`INTERVAL '1-2' YEAR TO MONTH * 2`, `INTERVAL YEAR TO MONTH`},
		{`CAST('5' AS INTERVAL MINUTE)`, `INTERVAL MINUTE`},
		{`TIME '12:03:34' - TIME '11:57:23'`, `INTERVAL DAY TO SECOND`},
	} {
		p, err := CompileQuery(`SELECT STREAM `+tc.expr+` AS x FROM "SOURCE_SQL_STREAM_001"`, Config{Inputs: []Input{tickerInput()}})
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := p.OutputColumns()[0][0].Type.String(); got != tc.want {
			t.Errorf("%s is %s, want %s", tc.expr, got, tc.want)
		}
	}
}

func TestAppendQualified(t *testing.T) {
	q := func(from, to string) value.Type { return value.IntervalType.Qualified(from, to) }
	for _, tc := range []struct {
		v    value.Value
		t    value.Type
		want string
	}{
		{value.NewInterval(371_000), q("MINUTE", "SECOND"), "+6:11"},
		{value.NewInterval(-500), q("MINUTE", "SECOND"), "-0:00.500"},
		{value.NewInterval(-52 * 3_600_000), q("DAY", "HOUR"), "-2 04"},
		{value.NewInterval(90_061_001), value.IntervalType, "+1 01:01:01.001"},
		{value.NewInterval(45_000), q("SECOND", ""), "+45"},
		{value.NewMonths(52), value.Type{Base: value.TIntervalMonth}, "+4-04"},
		{value.NewMonths(-3), value.Type{Base: value.TIntervalMonth}.Qualified("YEAR", ""), "-0"},
	} {
		if got := string(value.AppendQualified(nil, tc.v, tc.t)); got != tc.want {
			t.Errorf("%v in %s = %q, want %q", tc.v, tc.t, got, tc.want)
		}
	}
}
