package funcs

import (
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/value"
)

// FuzzCharToTimestamp compiles arbitrary formats and parses arbitrary text with them: no panics, and a
// timestamp that a format writes reads back the same through the same format when the format keeps every
// field (the round trip of archive/tar's fuzz tests).
func FuzzCharToTimestamp(f *testing.F) {
	for _, s := range []struct{ format, text string }{
		{"yyyy-MM-dd hh:mm:ss", "2009-09-16 03:15:24"},
		{"yyyy-MM-dd", "2009-09-16 03:15:24"},
		{"dd/MMM/yyyy:HH:mm:ss Z", "25/Mar/2018:15:25:37 -0700"},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2018-05-09T12:50:41.337+02:00"},
		{"EEE, d MMMM yyyy h:mm a z", "Wed, 9 May 2018 1:50 PM GMT"},
		{"yyyyMMddHHmmssSSS", "20180509125041337"},
		{"'at' HH 'o''clock'", "at 17 o'clock"},
		{"yy.D k K", "18.129 24 11"},
	} {
		f.Add(s.format, s.text, int64(1525870241337))
	}
	f.Fuzz(func(t *testing.T, format, text string, ms int64) {
		df, err := compileDateFormat(format)
		if err != nil {
			return
		}
		_, _ = df.parse(text)
		ms %= 253402300800000 // keep to years 0001-9999 either side of 1970
		if ms < 0 {
			ms = -ms
		}
		out := df.append(nil, time.UnixMilli(ms).UTC())
		if !fullFormat(df) {
			return
		}
		back, err := df.parse(string(out))
		if err != nil {
			t.Fatalf("format %q wrote %q for %d, which does not read back: %v", format, out, ms, err)
		}
		if back != ms {
			t.Fatalf("format %q: %d -> %q -> %d", format, ms, out, back)
		}
	})
}

// fullFormat reports whether a format writes every field of a time unambiguously and separates its numbers
// from each other by literals: then parse(append(t)) must be t.
func fullFormat(df *dateFormat) bool {
	have := map[byte]bool{}
	prevNumeric := false
	for _, fd := range df.fields {
		if fd.letter == 0 {
			if strings.ContainsAny(fd.lit, "0123456789+-") {
				return false
			}
			prevNumeric = false
			continue
		}
		if fd.numeric() && prevNumeric {
			return false
		}
		prevNumeric = fd.numeric()
		switch {
		case fd.letter == 'y' && fd.n != 2, fd.letter == 'M', fd.letter == 'd', fd.letter == 'H', fd.letter == 'm',
			fd.letter == 's':
			have[fd.letter] = true
		case fd.letter == 'S' && fd.n <= 3:
			have['S'] = true
		default:
			return false // other fields (week, day of year, 12-hour clock, zones) are not part of the check
		}
	}
	return have['y'] && have['M'] && have['d'] && have['H'] && have['m'] && have['s'] && have['S']
}

// FuzzVariableColumnSpec parses arbitrary column specifications and splits arbitrary lines with them.
func FuzzVariableColumnSpec(f *testing.F) {
	f.Add("COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)", "value,value,value,value", ",", `\`, `"`)
	f.Add(`"n" INTEGER, d DECIMAL(10, 2), t TIMESTAMP NOT NULL`, "7,2.5,2018-05-09 12:00:00", ",", "", "")
	f.Add("a TYPE TIMESTAMP 'dd/MMM/yyyy' , b BOOLEAN", "25/Mar/2018|true", "|", "", "[]")
	f.Add("x DOUBLE, y BIGINT, z DATE, w TIME", `"1.5",2,2018-01-01,10:00`, ",", `\`, `"`)
	f.Fuzz(func(t *testing.T, spec, line, delim, escape, quote string) {
		fn, _ := Lookup("VARIABLE_COLUMN_LOG_PARSE")
		args := []value.Value{value.NewString(line), value.NewString(spec), value.NewString(delim),
			value.NewString(escape), value.NewString(quote)}
		as := make([]Arg, len(args))
		for i := range args {
			as[i] = Arg{Type: value.VarcharType, Const: &args[i]}
		}
		impl, typ, err := fn.Bind(as)
		if err != nil {
			return
		}
		v, err := impl(args)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		if v.K != value.Row || len(v.R) != len(typ.Fields) {
			t.Fatalf("result %v does not fit type %s", v, typ)
		}
	})
}

// FuzzCast casts arbitrary text to each type: no panics, errors are *Error.
func FuzzCast(f *testing.F) {
	for _, s := range []string{"42", "-1.5", "1e308", "NaN", "2018-05-09 12:50:41.337", "2018-05-09", "12:00:01",
		"1 02:03:04.005", "true", "héllo"} {
		f.Add(s)
	}
	types := []value.Type{value.BooleanType, {Base: value.TTinyint}, value.IntegerType, value.BigintType,
		{Base: value.TDecimal, Len: 10, Scale: 2}, {Base: value.TReal}, value.DoubleType, value.Varchar(4),
		{Base: value.TChar, Len: 3}, value.TimestampType, value.DateType, value.TimeType, value.IntervalType}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ty := range types {
			v, err := Cast(value.NewString(s), ty)
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("CAST(%q AS %s): error %v is not an *Error", s, ty, err)
				}
				continue
			}
			if v.K != value.Null && v.K != ty.Kind() {
				t.Fatalf("CAST(%q AS %s) gave a %s", s, ty, v.K)
			}
		}
	})
}
