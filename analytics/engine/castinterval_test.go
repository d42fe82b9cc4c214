package engine

import (
	"strings"
	"testing"
)

// CAST(x AS INTERVAL unit [TO unit]), as the CAST page's valid conversions allow: VARCHAR/CHAR and a
// day-time interval become a DAY-TIME INTERVAL. The text reads as the quoted part of an interval literal of
// the target's qualifier, so each cast must equal the literal beside it.
func TestCastToInterval(t *testing.T) {
	rows := []Row{tick(0, "5", "1:30", 1, 10)}
	for _, tc := range []struct{ cast, literal string }{
		{`CAST('5' AS INTERVAL MINUTE)`, `INTERVAL '5' MINUTE`},
		{`CAST('-2' AS INTERVAL HOUR)`, `INTERVAL -'2' HOUR`},
		{`CAST('1.5' AS INTERVAL SECOND)`, `INTERVAL '1.5' SECOND`},
		{`CAST('2 10:00:00' AS INTERVAL DAY TO SECOND)`, `INTERVAL '2 10:00:00' DAY TO SECOND`},
		{`CAST('1:30' AS INTERVAL HOUR TO MINUTE)`, `INTERVAL '1:30' HOUR TO MINUTE`},
		// A column: per row. TICKER_SYMBOL holds '5', SECTOR '1:30'.
		{`CAST(ticker_symbol AS INTERVAL MINUTE)`, `INTERVAL '5' MINUTE`},
		{`CAST(sector AS INTERVAL MINUTE TO SECOND)`, `INTERVAL '1:30' MINUTE TO SECOND`},
		{`CAST(sector AS INTERVAL HOUR TO MINUTE)`, `INTERVAL '90' MINUTE`},
		// Interval to interval keeps the value.
		{`CAST(INTERVAL '3' DAY AS INTERVAL HOUR)`, `INTERVAL '72' HOUR`},
		{`CAST(NULL AS INTERVAL MINUTE) IS NULL`, `TRUE`},
		// The type is an interval: it adds to ROWTIME.
		{`ROWTIME + CAST('5' AS INTERVAL MINUTE)`, `ROWTIME + INTERVAL '5' MINUTE`},
	} {
		got, errs := queryRows(t, `SELECT STREAM `+tc.cast+`, `+tc.literal+` FROM "SOURCE_SQL_STREAM_001"`, rows, 10)
		if len(got) != 1 || len(errs) > 0 {
			t.Errorf("%s: rows %q, errors %v", tc.cast, got, errs)
			continue
		}
		// "0 2017-07-14 02:40:00.000 a,b": an interval's text has spaces, but no comma.
		vals := strings.Split(got[0][len("0 2017-07-14 02:40:00.000 "):], ",")
		if len(vals) != 2 || vals[0] != vals[1] {
			t.Errorf("%s = %s, want %s = %v", tc.cast, vals[0], tc.literal, vals[1:])
		}
	}
}

// A value that does not read as an interval of the qualifier is an error row, as a failed CAST to a number
// is; a constant that does not read is refused when the query is compiled.
func TestCastToIntervalErrors(t *testing.T) {
	got, errs := queryRows(t, `SELECT STREAM CAST(ticker_symbol AS INTERVAL MINUTE) FROM "SOURCE_SQL_STREAM_001"`,
		[]Row{tick(0, "abc", "x", 1, 10), tick(1, "7", "x", 1, 10)}, 10)
	if len(got) != 1 || !strings.HasSuffix(got[0], " 0 00:07:00.000") || strings.Join(errs, ",") != "Type_conversion_error" {
		t.Errorf("rows %q, errors %v", got, errs)
	}
	for _, tc := range []struct{ query, want string }{
		{`SELECT STREAM CAST('abc' AS INTERVAL MINUTE) FROM "SOURCE_SQL_STREAM_001"`,
			`1:15: cannot cast 'abc' to INTERVAL MINUTE: bad interval literal 'abc' MINUTE`},
		// Not in the CAST page's table: numbers become only numbers and text, and no year-month interval
		// is a target.
		{`SELECT STREAM CAST(5 AS INTERVAL MINUTE) FROM "SOURCE_SQL_STREAM_001"`,
			`1:15: cannot cast INTEGER to INTERVAL MINUTE: CAST gives a day-time interval only from a character string or a day-time interval`},
		{`SELECT STREAM CAST('1' AS INTERVAL YEAR) FROM "SOURCE_SQL_STREAM_001"`,
			`1:27: cannot cast to INTERVAL YEAR: CAST gives only a day-time interval (its valid conversions list no year-month interval)`},
	} {
		_, err := CompileQuery(tc.query, Config{Inputs: []Input{tickerInput()}})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.query, err, tc.want)
		}
	}
}
