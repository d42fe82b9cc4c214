package funcs

import (
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/value"
)

func TestDatetimeFunctions(t *testing.T) {
	event := ts("2018-05-09 12:50:41.337") // aws_doc_26's first EVENT_TIME, kept to milliseconds
	runCases(t, []evalCase{
		// aws_doc_26: UNIX_TIMESTAMP(EVENT_TIME), TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', EVENT_TIME),
		// EXTRACT(SECOND FROM EVENT_TIME).
		{name: "UNIX_TIMESTAMP", args: vals(event), want: num(1525870241337)},
		{name: "TIMESTAMP_TO_CHAR", args: vals(str("yyyy-MM-dd hh:mm:ss"), event), want: str("2018-05-09 12:50:41")},
		{name: "EXTRACT", args: vals(str("SECOND"), event), want: dec(41.337)},

		{name: "TO_TIMESTAMP", args: vals(num(1525870241337)), want: event},
		{name: "TO_TIMESTAMP", args: vals(null), want: null},
		{name: "UNIX_TIMESTAMP", args: vals(num(1)), err: "bind"},
		{name: "TSDIFF", args: vals(ts("2018-05-09 12:00:01"), ts("2018-05-09 12:00:00")), want: num(1000)},
		{name: "TSDIFF", args: vals(ts("2018-05-09 12:00:00"), ts("2018-05-09 12:00:01")), want: num(-1000)},
		{name: "TSDIFF", args: vals(num(5000), num(2000)), want: num(3000)},
		{name: "TSDIFF", args: vals(null, event), want: null},
		{name: "TSDIFF", args: vals(str("x"), event), err: "bind"},

		{name: "EXTRACT", args: vals(str("YEAR"), event), want: num(2018)},
		{name: "EXTRACT", args: vals(str("QUARTER"), event), want: num(2)},
		{name: "EXTRACT", args: vals(str("MONTH"), event), want: num(5)},
		{name: "EXTRACT", args: vals(str("DAY"), event), want: num(9)},
		{name: "EXTRACT", args: vals(str("HOUR"), event), want: num(12)},
		{name: "EXTRACT", args: vals(str("MINUTE"), event), want: num(50)},
		{name: "EXTRACT", args: vals(str("MILLISECOND"), event), want: num(41337)},
		{name: "EXTRACT", args: vals(str("DOW"), event), want: num(4)}, // a Wednesday
		{name: "EXTRACT", args: vals(str("DOY"), event), want: num(129)},
		{name: "EXTRACT", args: vals(str("WEEK"), event), want: num(19)},
		{name: "EXTRACT", args: vals(str("EPOCH"), event), want: num(1525870241)},
		{name: "EXTRACT", args: vals(str("hour"), ts("1969-12-31 23:30:00")), want: num(23)},
		{name: "EXTRACT", args: vals(str("DAY"), date("2020-02-29")), want: num(29)},
		{name: "EXTRACT", args: vals(str("MINUTE"), tm("10:42:00.000")), want: num(42)},
		{name: "EXTRACT", args: vals(str("YEAR"), tm("10:42:00.000")), err: "bind"},
		{name: "EXTRACT", args: vals(str("HOUR"), ival(-(26*3600_000 + 60_000))), want: num(-2)},
		{name: "EXTRACT", args: vals(str("DAY"), ival(26*3600_000)), want: num(1)},
		{name: "EXTRACT", args: vals(str("MONTH"), value.NewMonths(14)), want: num(2)},
		{name: "EXTRACT", args: vals(str("FORTNIGHT"), event), err: "bind"},
		{name: "EXTRACT", args: vals(str("SECOND"), null), want: null},
		// The EXTRACT page: SECOND is DECIMAL(5,3) with the milliseconds, of an interval too.
		{name: "EXTRACT", args: vals(str("SECOND"), ival(((2*24+3)*60+4)*60_000+5678)), want: dec(5.678)},
		{name: "EXTRACT", args: vals(str("SECOND"), ival(-5678)), want: dec(-5.678)},
		{name: "EXTRACT", args: vals(str("SECOND"), ts("2016-09-23 04:29:26.234")), want: dec(26.234)},
		{name: "EXTRACT", args: vals(str("SECOND"), ts("1969-12-31 23:59:58.500")), want: dec(58.5)},
		{name: "EXTRACT", args: vals(str("SECOND"), tm("10:42:07.001")), want: dec(7.001)},

		// FLOOR(ts TO unit) and CEIL(ts TO unit).
		// The reference: FLOOR(TIMESTAMP '2004-09-30 13:48:23' TO HOUR) '2004-09-30 13:00:00', TO MINUTE
		// '13:48:00', TO DAY '2004-09-30 00:00:00.0', TO YEAR '2004-01-01 00:00:00.0'; CEILING of the same TO HOUR
		// '14:00:00', TO MINUTE '13:49:00', TO DAY '2004-10-01 00:00:00.0', TO YEAR '2005-01-01 00:00:00.0'.
		{name: "FLOOR_TO", args: vals(ts("2004-09-30 13:48:23"), str("HOUR")), want: ts("2004-09-30 13:00:00")},
		{name: "FLOOR_TO", args: vals(ts("2004-09-30 13:48:23"), str("MINUTE")), want: ts("2004-09-30 13:48:00")},
		{name: "FLOOR_TO", args: vals(ts("2004-09-30 13:48:23"), str("DAY")), want: ts("2004-09-30 00:00:00")},
		{name: "FLOOR_TO", args: vals(ts("2004-09-30 13:48:23"), str("YEAR")), want: ts("2004-01-01 00:00:00")},
		{name: "CEIL_TO", args: vals(ts("2004-09-30 13:48:23"), str("HOUR")), want: ts("2004-09-30 14:00:00")},
		{name: "CEIL_TO", args: vals(ts("2004-09-30 13:48:23"), str("MINUTE")), want: ts("2004-09-30 13:49:00")},
		{name: "CEIL_TO", args: vals(ts("2004-09-30 13:48:23"), str("DAY")), want: ts("2004-10-01 00:00:00")},
		{name: "CEIL_TO", args: vals(ts("2004-09-30 13:48:23"), str("YEAR")), want: ts("2005-01-01 00:00:00")},
		{name: "FLOOR_TO", args: vals(event, str("SECOND")), want: ts("2018-05-09 12:50:41")},
		{name: "FLOOR_TO", args: vals(event, str("MINUTE")), want: ts("2018-05-09 12:50:00")},
		{name: "FLOOR_TO", args: vals(event, str("HOUR")), want: ts("2018-05-09 12:00:00")},
		{name: "FLOOR_TO", args: vals(event, str("DAY")), want: ts("2018-05-09 00:00:00")},
		{name: "FLOOR_TO", args: vals(event, str("WEEK")), want: ts("2018-05-06 00:00:00")},
		{name: "FLOOR_TO", args: vals(event, str("MONTH")), want: ts("2018-05-01 00:00:00")},
		{name: "FLOOR_TO", args: vals(event, str("QUARTER")), want: ts("2018-04-01 00:00:00")},
		{name: "FLOOR_TO", args: vals(event, str("YEAR")), want: ts("2018-01-01 00:00:00")},
		{name: "FLOOR_TO", args: vals(ts("1969-12-31 23:59:59.500"), str("MINUTE")), want: ts("1969-12-31 23:59:00")},
		{name: "CEIL_TO", args: vals(event, str("MINUTE")), want: ts("2018-05-09 12:51:00")},
		{name: "CEIL_TO", args: vals(ts("2018-05-09 12:51:00"), str("MINUTE")), want: ts("2018-05-09 12:51:00")},
		{name: "CEIL_TO", args: vals(event, str("MONTH")), want: ts("2018-06-01 00:00:00")},
		{name: "CEIL_TO", args: vals(event, str("YEAR")), want: ts("2019-01-01 00:00:00")},
		{name: "FLOOR_TO", args: vals(tm("10:42:31.000"), str("MINUTE")), want: tm("10:42:00.000")},
		{name: "FLOOR_TO", args: vals(ival(25_500), str("SECOND")), want: ival(25_000)},
		{name: "FLOOR_TO", args: vals(date("2018-05-09"), str("MONTH")), want: date("2018-05-01")},
		{name: "FLOOR_TO", args: vals(event, str("DECADE")), err: "bind"},
		{name: "FLOOR_TO", args: vals(num(5), str("SECOND")), err: "bind"},

		// STEP(ts BY INTERVAL): aws_doc_01's STEP(ROWTIME BY INTERVAL '60' SECOND).
		{name: "STEP", args: vals(event, ival(60_000)), want: ts("2018-05-09 12:50:00")},
		{name: "STEP", args: vals(event, ival(10_000)), want: ts("2018-05-09 12:50:40")},
		{name: "STEP", args: vals(event, ival(3_600_000)), want: ts("2018-05-09 12:00:00")},
		{name: "STEP", args: vals(ts("1969-12-31 23:59:59.999"), ival(1000)), want: ts("1969-12-31 23:59:59")},
		// The reference: STEP(23 BY 5) 20, STEP(30 BY 10) 30,
		// STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL '10' SECOND) '2004-09-30 13:48:20'.
		{name: "STEP", args: vals(num(23), num(5)), want: num(20)},
		{name: "STEP", args: vals(num(30), num(10)), want: num(30)},
		{name: "STEP", args: vals(ts("2004-09-30 13:48:23"), ival(10_000)), want: ts("2004-09-30 13:48:20")},
		{name: "STEP", args: vals(ts("2004-09-30 13:48:23"), value.NewMonths(1)), want: ts("2004-09-01 00:00:00")},
		{name: "STEP", args: vals(ts("2004-09-30 13:48:23"), value.NewMonths(12)), want: ts("2004-01-01 00:00:00")},
		{name: "STEP", args: vals(ts("1969-11-30 13:48:23"), value.NewMonths(3)), want: ts("1969-10-01 00:00:00")},
		{name: "STEP", args: vals(num(17), num(5)), want: num(15)},
		{name: "STEP", args: vals(num(-3), num(5)), want: num(-5)},
		{name: "STEP", args: vals(event, ival(0)), err: "bind"},
		{name: "STEP", args: vals(event, num(5)), err: "bind"},
		{name: "STEP", args: vals(null, ival(1000)), want: null},
	})
}

// TIMESTAMP_TO_CHAR of a NULL time is the string 'null', as the reference documents.
func TestTimestampToCharNull(t *testing.T) {
	got, err := call(t, "TIMESTAMP_TO_CHAR", str("yyyy"), null)
	if err != nil || got.K != value.String || got.S != "null" {
		t.Errorf("TIMESTAMP_TO_CHAR('yyyy', NULL) = %s, %v; want 'null'", show(got), err)
	}
	got, err = call(t, "TIMESTAMP_TO_CHAR", null, ts("2018-05-09 12:50:41"))
	if err != nil || got.K != value.Null {
		t.Errorf("TIMESTAMP_TO_CHAR(NULL, ts) = %s, %v; want NULL", show(got), err)
	}
}

func TestCharToTimestamp(t *testing.T) {
	runCases(t, []evalCase{
		// The reference (Char To Timestamp(Sys)): with the input '2009-09-16 03:15:24', a template keeps only
		// the parts it names; the others take their defaults (01 for month and day, 0 for the time).
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd hh:mm:ss"), str("2009-09-16 03:15:24")), want: ts("2009-09-16 03:15:24")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd"), str("2009-09-16 03:15:24")), want: ts("2009-09-16 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM"), str("2009-09-16 03:15:24")), want: ts("2009-09-01 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy"), str("2009-09-16 03:15:24")), want: ts("2009-01-01 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd HH"), str("2009-09-16 03:15:24")), want: ts("2009-09-16 03:00:00")},
		// The reference's "Template Strings to Create Specific Output Timestamps".
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-mm"), str("2011-02-08 07:23:19")), want: ts("2011-01-01 00:02:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("MMM dd, yyyy"), str("March 7, 2010")), want: ts("2010-03-07 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("MMM dd,"), str("March 7, 2010")), want: ts("1970-03-07 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("MMM dd,y"), str("March 7, 2010")), want: ts("2010-03-07 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("MMM dd,y"), str("March 7, 10")), want: value.NewTimestamp(time.Date(10, 3, 7, 0, 0, 0, 0, time.UTC).UnixMilli())},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("MMM dd yyyy"), str("March 7, 2010")), err: TypeConversionError},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("M-d"), str("2-8")), want: ts("1970-02-08 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("M-d"), str("2-8-2011")), want: ts("1970-02-08 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("M-d"), str("2011-2-8")), err: TypeConversionError},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("MM-dd-yyyy"), str("06-23-2011 10:11:12")), want: ts("2011-06-23 00:00:00")},
		// FIXED_COLUMN_LOG_PARSE's example format, on an Apache time.
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("dd/MMM/yyyy:HH:mm:ss"), str("25/Mar/2018:15:25:37")), want: ts("2018-03-25 15:25:37")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("dd/MMM/yyyy:HH:mm:ss Z"), str("25/Mar/2018:15:25:37 -0700")), want: ts("2018-03-25 22:25:37")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), str("2018-05-09T12:50:41.337+02:00")), want: ts("2018-05-09 10:50:41.337")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd'T'HH:mm:ss.SSSX"), str("2018-05-09T12:50:41.337Z")), want: ts("2018-05-09 12:50:41.337")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyyMMddHHmmss"), str("20180509125041")), want: ts("2018-05-09 12:50:41")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("EEE, d MMMM yyyy h:mm a z"), str("Wed, 9 May 2018 1:50 PM GMT")), want: ts("2018-05-09 13:50:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("MM/dd/yy hh:mm a"), str("05/09/18 12:05 AM")), want: ts("2018-05-09 00:05:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd HH:mm:ss z"), str("2018-05-09 12:00:00 PST")), want: ts("2018-05-09 20:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy.D"), str("2018.129")), want: ts("2018-05-09 00:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("'at' HH 'o''clock'"), str("at 17 o'clock")), want: ts("1970-01-01 17:00:00")},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd"), str("2009-13-16")), err: TypeConversionError},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd"), str("2009-02-30")), err: TypeConversionError},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd"), str("16/09/2009")), err: TypeConversionError},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-MM-dd"), str("")), err: TypeConversionError},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-qq"), str("2009")), err: "bind"},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy-'MM"), str("2009")), err: "bind"},
		{name: "CHAR_TO_TIMESTAMP", args: vals(str("yyyy"), null), want: null},
		{name: "CHAR_TO_DATE", args: vals(str("yyyy-MM-dd HH:mm"), str("2009-09-16 03:15")), want: date("2009-09-16")},
		{name: "CHAR_TO_TIME", args: vals(str("HH:mm:ss"), str("03:15:24")), want: tm("03:15:24.000")},
		{name: "DATE_TO_CHAR", args: vals(str("dd MMM yyyy, EEEE"), date("2009-09-16")), want: str("16 Sep 2009, Wednesday")},
		{name: "TIME_TO_CHAR", args: vals(str("h:mm:ss.SSS a"), tm("15:04:05.006")), want: str("3:04:05.006 PM")},
		{name: "TIMESTAMP_TO_CHAR", args: vals(str("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), ts("2018-05-09 12:50:41.337")), want: str("2018-05-09T12:50:41.337Z")},
		{name: "TIMESTAMP_TO_CHAR", args: vals(str("yy/M/d k:m z Z D"), ts("2018-05-09 00:05:41")), want: str("18/5/9 24:5 UTC +0000 129")},
	})
}

// A format taken from a column compiles per distinct value and a bad one is an error row.
func TestCharToTimestampColumnFormat(t *testing.T) {
	for _, c := range []struct{ format, s, want, err string }{
		{"yyyy-MM-dd", "2009-09-16", "2009-09-16 00:00:00.000", ""},
		{"dd/MM/yyyy", "16/09/2009", "2009-09-16 00:00:00.000", ""},
		{"dd/MM/yyyy", "16/09/2010", "2010-09-16 00:00:00.000", ""},
		{"yyyy-qq", "2009", "", InvalidArgument},
	} {
		got, err := callVar(t, "CHAR_TO_TIMESTAMP", []int{0, 1}, str(c.format), str(c.s))
		if c.err != "" {
			if e, ok := err.(*Error); !ok || e.Name != c.err {
				t.Errorf("CHAR_TO_TIMESTAMP(%q, %q): %v, want %s", c.format, c.s, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("CHAR_TO_TIMESTAMP(%q, %q) = %s, %v; want %s", c.format, c.s, show(got), err, c.want)
		}
	}
}

// TestExtractTypes checks the result types the EXTRACT page gives: DECIMAL(5,3) for SECOND, BIGINT for
// the other fields.
func TestExtractTypes(t *testing.T) {
	for unit, want := range map[string]string{"SECOND": "DECIMAL(5,3)", "MINUTE": "BIGINT", "MILLISECOND": "BIGINT"} {
		_, typ, err := bind(t, "EXTRACT", vals(str(unit), ts("2016-09-23 04:29:26.234")), nil)
		if err != nil || typ.String() != want {
			t.Errorf("EXTRACT(%s FROM TIMESTAMP) type %s (%v), want %s", unit, typ, err, want)
		}
	}
}
