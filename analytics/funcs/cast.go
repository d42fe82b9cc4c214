package funcs

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/analytics/value"
)

// CastFrom is Cast for a value whose type is known: an interval becomes text in its type's qualifier, as
// KDA prints it (CAST((TIME '12:03:34' - TIME '11:57:23') MINUTE TO SECOND AS VARCHAR(8)) is '+6:11'),
// and, as a number's text, must fit the target's length.
func CastFrom(v value.Value, from, to value.Type) (value.Value, error) {
	if (v.K == value.Interval || v.K == value.Months) && to.Textual() {
		s := string(value.AppendQualified(nil, v, from))
		if to.Len > 0 && len(s) > to.Len {
			return value.Value{}, errorf(TypeConversionError, "'%s' does not fit in %s", s, to)
		}
		return castText(value.NewString(s), to)
	}
	return Cast(v, to)
}

// Cast converts v to type to as SQL CAST does: numbers, strings and booleans into each other, strings to
// and from TIMESTAMP, DATE and TIME in SQL text form ('YYYY-MM-DD HH:MM:SS[.fff]'), numbers to DECIMAL(p,s)
// rounded to the scale, strings to VARCHAR(n) cut to n characters (SQLstream truncates strings silently
// when they go into a shorter column; a number or datetime whose text does not fit is an error, as the
// reference's CAST(DATE '2008-08-23' AS VARCHAR(9)) shows), CHAR(n) padded with spaces. NULL casts to NULL.
// A failure is an *Error named Type_conversion_error.
func Cast(v value.Value, to value.Type) (value.Value, error) {
	if v.K == value.Null {
		return v, nil
	}
	switch to.Base {
	case value.TNull:
		return value.Value{}, nil
	case value.TBoolean:
		return castBool(v, to)
	case value.TTinyint, value.TSmallint, value.TInteger, value.TBigint:
		return castInt(v, to)
	case value.TDecimal:
		return castDecimal(v, to)
	case value.TReal, value.TDouble:
		return castDouble(v, to)
	case value.TChar, value.TVarchar:
		return castText(v, to)
	case value.TBinary, value.TVarbinary:
		if v.K != value.Binary && v.K != value.String {
			return value.Value{}, cannot(v, to)
		}
		s := v.S
		if to.Len > 0 && len(s) > to.Len {
			s = s[:to.Len]
		}
		if to.Base == value.TBinary && len(s) < to.Len {
			s += strings.Repeat("\x00", to.Len-len(s))
		}
		return value.Value{K: value.Binary, S: s}, nil
	case value.TTimestamp:
		switch v.K {
		case value.Timestamp:
			return v, nil
		case value.Date:
			return value.NewTimestamp(v.I), nil
		case value.Time:
			// A TIME becomes that time on 1970-01-01: deterministic, where SQL would take today's date.
			return value.NewTimestamp(v.I), nil
		case value.String:
			ms, ok := parseTimestampText(v.S)
			if !ok {
				return value.Value{}, cannot(v, to)
			}
			return value.NewTimestamp(ms), nil
		}
	case value.TDate:
		switch v.K {
		case value.Date:
			return v, nil
		case value.Timestamp:
			return value.NewDate(floorDiv(v.I, msPerDay) * msPerDay), nil
		case value.String:
			ms, ok := parseDateText(strings.TrimSpace(v.S))
			if !ok {
				return value.Value{}, cannot(v, to)
			}
			return value.NewDate(ms), nil
		}
	case value.TTime:
		switch v.K {
		case value.Time:
			return v, nil
		case value.Timestamp:
			return value.NewTime(v.I - floorDiv(v.I, msPerDay)*msPerDay), nil
		case value.String:
			ms, ok := parseTimeText(strings.TrimSpace(v.S))
			if !ok {
				return value.Value{}, cannot(v, to)
			}
			return value.NewTime(ms), nil
		}
	case value.TInterval:
		switch v.K {
		case value.Interval:
			return v, nil
		case value.String:
			ms, ok := parseIntervalText(strings.TrimSpace(v.S))
			if !ok {
				return value.Value{}, cannot(v, to)
			}
			return value.NewInterval(ms), nil
		}
	case value.TIntervalMonth:
		if v.K == value.Months {
			return v, nil
		}
	case value.TRow:
		if v.K == value.Row && len(v.R) == len(to.Fields) {
			out := make([]value.Value, len(v.R))
			for i, f := range v.R {
				c, err := Cast(f, to.Fields[i].Type)
				if err != nil {
					return value.Value{}, err
				}
				out[i] = c
			}
			return value.NewRow(out), nil
		}
	}
	return value.Value{}, cannot(v, to)
}

const msPerDay = 86_400_000

func cannot(v value.Value, to value.Type) *Error {
	s := v.String()
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return errorf(TypeConversionError, "cannot convert %s '%s' to %s", v.K, s, to)
}

func castBool(v value.Value, to value.Type) (value.Value, error) {
	switch v.K {
	case value.Bool:
		return v, nil
	case value.String:
		s := strings.TrimSpace(v.S)
		switch {
		case strings.EqualFold(s, "true"):
			return value.NewBool(true), nil
		case strings.EqualFold(s, "false"):
			return value.NewBool(false), nil
		case strings.EqualFold(s, "unknown"):
			return value.Value{}, nil
		}
	}
	return value.Value{}, cannot(v, to)
}

// intRange is the range of each integer type.
func intRange(b value.Base) (int64, int64) {
	switch b {
	case value.TTinyint:
		return math.MinInt8, math.MaxInt8
	case value.TSmallint:
		return math.MinInt16, math.MaxInt16
	case value.TInteger:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

func castInt(v value.Value, to value.Type) (value.Value, error) {
	var i int64
	switch v.K {
	case value.Int:
		i = v.I
	case value.Decimal, value.Double:
		// Approximate and decimal numbers round (half away from zero) when cast to an integer, as the
		// reference's CAST(-1.5 AS INTEGER) = -2 shows.
		f := math.Round(v.F)
		if math.IsNaN(f) || f < -9.223372036854776e18 || f >= 9.223372036854776e18 {
			return value.Value{}, errorf(NumericOverflow, "%s is out of range for %s", v, to)
		}
		i = int64(f)
	case value.String:
		s := strings.TrimSpace(v.S)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || !isDecimalText(s) {
				return value.Value{}, cannot(v, to)
			}
			return castInt(value.NewDouble(f), to)
		}
		i = n
	case value.Interval, value.Months:
		i = v.I
	default:
		return value.Value{}, cannot(v, to)
	}
	lo, hi := intRange(to.Base)
	if i < lo || i > hi {
		return value.Value{}, errorf(NumericOverflow, "%d is out of range for %s", i, to)
	}
	return value.NewInt(i), nil
}

// isDecimalText reports whether s is a plain decimal number (digits, one point, a sign, an exponent): what
// a string cast to a number accepts beyond integers. It keeps out Go's extras ("0x1p3", "Inf", "1_000").
func isDecimalText(s string) bool {
	if s == "" {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E':
		default:
			return false
		}
	}
	return digits
}

// parseNumber reads a number's text for a cast to DECIMAL or DOUBLE. Java's Double.parseDouble also takes
// "NaN", "Infinity" and "-Infinity"; those are accepted for DOUBLE only.
func parseNumber(s string, approx bool) (float64, bool) {
	s = strings.TrimSpace(s)
	if isDecimalText(s) {
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil || approx && isRangeErr(err)
	}
	if approx {
		switch s {
		case "NaN":
			return math.NaN(), true
		case "Infinity", "+Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
	}
	return 0, false
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func castDouble(v value.Value, to value.Type) (value.Value, error) {
	var f float64
	switch v.K {
	case value.Int:
		f = float64(v.I)
	case value.Decimal, value.Double:
		f = v.F
	case value.String:
		var ok bool
		if f, ok = parseNumber(v.S, true); !ok {
			return value.Value{}, cannot(v, to)
		}
	default:
		return value.Value{}, cannot(v, to)
	}
	if to.Base == value.TReal {
		f = float64(float32(f))
	}
	return value.NewDouble(f), nil
}

func castDecimal(v value.Value, to value.Type) (value.Value, error) {
	var f float64
	switch v.K {
	case value.Int:
		f = float64(v.I)
	case value.Decimal, value.Double:
		f = v.F
	case value.String:
		var ok bool
		if f, ok = parseNumber(v.S, false); !ok {
			return value.Value{}, cannot(v, to)
		}
	case value.Interval:
		f = float64(v.I)
	default:
		return value.Value{}, cannot(v, to)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return value.Value{}, errorf(NumericOverflow, "%s is not a DECIMAL", value.AppendFloat(nil, f))
	}
	f = roundPlaces(f, to.Scale)
	if to.Len > 0 && to.Len-to.Scale < 308 && math.Abs(f) >= math.Pow10(to.Len-to.Scale) {
		return value.Value{}, errorf(NumericOverflow, "%s is out of range for %s", value.AppendFloat(nil, f), to)
	}
	return value.NewDecimal(f), nil
}

func castText(v value.Value, to value.Type) (value.Value, error) {
	s := v.S
	if v.K != value.String {
		if v.K == value.Row {
			return value.Value{}, cannot(v, to)
		}
		s = v.String()
		if to.Len > 0 && utf8.RuneCountInString(s) > to.Len {
			return value.Value{}, errorf(TypeConversionError, "'%s' does not fit in %s", s, to)
		}
	}
	if to.Len > 0 {
		if i := runeOffset(s, int64(to.Len)); i < len(s) {
			s = s[:i]
		}
		if to.Base == value.TChar {
			if n := utf8.RuneCountInString(s); n < to.Len {
				s += strings.Repeat(" ", to.Len-n)
			}
		}
	}
	return value.NewString(s), nil
}

// parseTimestampText reads SQL timestamp text: 'YYYY-MM-DD HH:MM:SS[.fff]', with a 'T' also taken as the
// separator, the time part optional (midnight) and up to nine fraction digits (kept to milliseconds).
func parseTimestampText(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	date, clock := s, ""
	if len(s) > 10 && (s[10] == ' ' || s[10] == 'T') {
		date, clock = s[:10], strings.TrimSpace(s[11:])
	}
	d, ok := parseDateText(date)
	if !ok {
		return 0, false
	}
	if clock == "" {
		return d, true
	}
	t, ok := parseTimeText(clock)
	if !ok {
		return 0, false
	}
	return d + t, true
}

// parseDateText reads 'YYYY-MM-DD' (one-digit month and day are accepted) as the day's midnight in ms.
func parseDateText(s string) (int64, bool) {
	y, rest, ok := digitsUntil(s, '-')
	if !ok || y > 9999 {
		return 0, false
	}
	m, rest, ok := digitsUntil(rest, '-')
	if !ok {
		return 0, false
	}
	d, ok := allDigits(rest)
	if !ok || m < 1 || m > 12 || d < 1 || d > int64(daysIn(int(y), time.Month(m))) {
		return 0, false
	}
	return time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC).UnixMilli(), true
}

// parseTimeText reads 'HH:MM[:SS[.fff]]' as milliseconds since midnight.
func parseTimeText(s string) (int64, bool) {
	h, rest, ok := digitsUntil(s, ':')
	if !ok || h > 23 {
		return 0, false
	}
	secPart := ""
	mi, rest2, ok := digitsUntil(rest, ':')
	if ok {
		secPart = rest2
	} else if mi, ok = allDigits(rest); !ok {
		return 0, false
	}
	if mi > 59 {
		return 0, false
	}
	var sec, ms int64
	if secPart != "" {
		whole, frac, hasFrac := strings.Cut(secPart, ".")
		if sec, ok = allDigits(whole); !ok || sec > 59 || len(whole) > 2 {
			return 0, false
		}
		if hasFrac {
			if len(frac) == 0 || len(frac) > 9 {
				return 0, false
			}
			f, ok := allDigits(frac)
			if !ok {
				return 0, false
			}
			for i := len(frac); i < 3; i++ {
				f *= 10
			}
			for i := len(frac); i > 3; i-- {
				f /= 10
			}
			ms = f
		}
	}
	return ((h*60+mi)*60+sec)*1000 + ms, true
}

// parseIntervalText reads a day-time interval as value.AppendInterval writes it: '[-]D HH:MM:SS.fff', or
// 'HH:MM:SS.fff' without days.
func parseIntervalText(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var days int64
	if d, rest, ok := strings.Cut(s, " "); ok {
		n, ok := allDigits(d)
		if !ok {
			return 0, false
		}
		days, s = n, strings.TrimSpace(rest)
	}
	t, ok := parseTimeText(s)
	if !ok {
		return 0, false
	}
	ms := days*msPerDay + t
	if neg {
		ms = -ms
	}
	return ms, true
}

func digitsUntil(s string, sep byte) (int64, string, bool) {
	i := strings.IndexByte(s, sep)
	if i <= 0 {
		return 0, "", false
	}
	n, ok := allDigits(s[:i])
	return n, s[i+1:], ok
}

func allDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// floorDiv divides rounding toward negative infinity, so that times before 1970 floor to the window
// that contains them.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
