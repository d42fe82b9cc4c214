// Package value holds the SQL values and types of Hydrant's streaming SQL engine: what a column of an
// in-application stream holds, how it compares, hashes and prints. Every other analytics package (the
// function library, input mapping, the planner and operators, the runtime) speaks these types.
//
// A Value is a small struct, not an interface, so that rows are flat slices and evaluating an expression
// allocates nothing for numbers and times. Times are Unix milliseconds in UTC: KDA's TIMESTAMP has
// millisecond precision and no time zone.
package value

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the representation of a Value.
type Kind uint8

// The kinds. Each SQL type maps to one (see Type.Kind).
const (
	Null      Kind = iota
	Bool           // I is 0 or 1
	Int            // I: TINYINT, SMALLINT, INTEGER, BIGINT
	Decimal        // F: DECIMAL/NUMERIC, kept as a float64; the Type's scale rounds it on output
	Double         // F: REAL, FLOAT, DOUBLE
	String         // S: CHAR, VARCHAR
	Binary         // S holds the bytes: BINARY, VARBINARY
	Timestamp      // I: Unix milliseconds, UTC
	Date           // I: Unix milliseconds of the day's midnight, UTC
	Time           // I: milliseconds since midnight
	Interval       // I: a day-time interval in milliseconds
	Months         // I: a year-month interval in months
	Row            // R: the fields of a ROW (the result of the log parsing functions)
)

var kindNames = [...]string{"NULL", "BOOLEAN", "INTEGER", "DECIMAL", "DOUBLE", "VARCHAR", "VARBINARY",
	"TIMESTAMP", "DATE", "TIME", "INTERVAL", "INTERVAL MONTH", "ROW"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one SQL value. The zero Value is NULL.
type Value struct {
	K Kind
	I int64
	F float64
	S string
	R []Value
}

// Constructors.
func NewBool(b bool) Value {
	if b {
		return Value{K: Bool, I: 1}
	}
	return Value{K: Bool}
}
func NewInt(i int64) Value           { return Value{K: Int, I: i} }
func NewDouble(f float64) Value      { return Value{K: Double, F: f} }
func NewDecimal(f float64) Value     { return Value{K: Decimal, F: f} }
func NewString(s string) Value       { return Value{K: String, S: s} }
func NewBinary(b []byte) Value       { return Value{K: Binary, S: string(b)} }
func NewTimestamp(ms int64) Value    { return Value{K: Timestamp, I: ms} }
func NewDate(ms int64) Value         { return Value{K: Date, I: ms} }
func NewTime(ms int64) Value         { return Value{K: Time, I: ms} }
func NewInterval(ms int64) Value     { return Value{K: Interval, I: ms} }
func NewMonths(months int64) Value   { return Value{K: Months, I: months} }
func NewRow(fields []Value) Value    { return Value{K: Row, R: fields} }
func (v Value) IsNull() bool         { return v.K == Null }
func (v Value) Bool() bool           { return v.I != 0 }
func (v Value) Time() time.Time      { return time.UnixMilli(v.I).UTC() }
func NewTimeValue(t time.Time) Value { return NewTimestamp(t.UnixMilli()) }

// Numeric reports whether v is a number.
func (v Value) Numeric() bool { return v.K == Int || v.K == Decimal || v.K == Double }

// Float returns a number as a float64.
func (v Value) Float() float64 {
	if v.K == Int {
		return float64(v.I)
	}
	return v.F
}

// Compare orders two non-NULL values of comparable kinds: numbers with numbers, strings with strings,
// datetimes and intervals with their own kind. It returns -1, 0 or +1. NULL sorts first (GROUP BY and ORDER BY
// use this; SQL comparisons test for NULL before calling it). Mixed kinds that cannot compare order by kind.
func Compare(a, b Value) int {
	if a.K == Null || b.K == Null {
		return cmpInt(int64(boolInt(a.K != Null)), int64(boolInt(b.K != Null)))
	}
	if a.Numeric() && b.Numeric() {
		if a.K == Int && b.K == Int {
			return cmpInt(a.I, b.I)
		}
		x, y := a.Float(), b.Float()
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		case x == y:
			return 0
		}
		return cmpInt(int64(boolInt(!math.IsNaN(x))), int64(boolInt(!math.IsNaN(y))))
	}
	if a.K != b.K {
		return cmpInt(int64(a.K), int64(b.K))
	}
	switch a.K {
	case String, Binary:
		return strings.Compare(a.S, b.S)
	case Row:
		for i := 0; i < len(a.R) && i < len(b.R); i++ {
			if c := Compare(a.R[i], b.R[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(a.R)), int64(len(b.R)))
	}
	return cmpInt(a.I, b.I)
}

// Equal reports whether a and b are the same value for grouping: NULL equals NULL here, as GROUP BY and
// DISTINCT treat it.
func Equal(a, b Value) bool { return Compare(a, b) == 0 }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Hash writes v into h so that Equal values hash alike (numbers hash by their float value, so 1 and 1.0
// group together as Compare says they are equal).
func (v Value) Hash(h *maphash.Hash) {
	switch v.K {
	case Null:
		h.WriteByte(0)
	case Int, Decimal, Double:
		h.WriteByte(1)
		f := v.Float()
		if f != f {
			f = math.NaN() // WriteComparable hashes each NaN at random; Compare calls them all equal
		}
		if f == 0 {
			f = 0 // -0 and 0 compare equal
		}
		var bits [8]byte
		binary.LittleEndian.PutUint64(bits[:], math.Float64bits(f))
		h.Write(bits[:])
	case String, Binary:
		h.WriteByte(byte(v.K))
		h.WriteString(v.S)
		h.WriteByte(0)
	case Row:
		h.WriteByte(byte(Row))
		for _, f := range v.R {
			f.Hash(h)
		}
	default:
		h.WriteByte(byte(v.K))
		maphash.WriteComparable(h, v.I)
	}
}

// Timestamp text is SQL's: 2006-01-02 15:04:05.000.
const (
	TimestampLayout = "2006-01-02 15:04:05.000"
	DateLayout      = "2006-01-02"
	TimeLayout      = "15:04:05.000"
)

// String returns v as SQL text without quotes: what CSV output and VARCHAR casts write. NULL is "".
func (v Value) String() string { return string(v.AppendText(nil)) }

// AppendText appends v's text form to b.
func (v Value) AppendText(b []byte) []byte {
	switch v.K {
	case Null:
		return b
	case Bool:
		if v.I != 0 {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case Int:
		return strconv.AppendInt(b, v.I, 10)
	case Decimal, Double:
		return AppendFloat(b, v.F)
	case String, Binary:
		return append(b, v.S...)
	case Timestamp:
		return time.UnixMilli(v.I).UTC().AppendFormat(b, TimestampLayout)
	case Date:
		return time.UnixMilli(v.I).UTC().AppendFormat(b, DateLayout)
	case Time:
		return time.UnixMilli(v.I).UTC().AppendFormat(b, TimeLayout)
	case Interval:
		return AppendInterval(b, v.I)
	case Months:
		m := v.I
		if m < 0 {
			b, m = append(b, '-'), -m
		}
		b = strconv.AppendInt(b, m/12, 10)
		b = append(b, '-')
		return strconv.AppendInt(b, m%12, 10)
	case Row:
		b = append(b, '(')
		for i, f := range v.R {
			if i > 0 {
				b = append(b, ',')
			}
			b = f.AppendText(b)
		}
		return append(b, ')')
	}
	return b
}

// AppendFloat writes f the shortest way that reads back the same, without an exponent for ordinary
// magnitudes (1.5, 100.0, 0.001), as Java's Double.toString does for the values users see.
func AppendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-3 || a >= 1e7) {
		// Java's form: 1.0E-5, 1.2345E10.
		t := strconv.FormatFloat(f, 'E', -1, 64)
		mant, exp, _ := strings.Cut(t, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		b = append(b, mant...)
		b = append(b, 'E')
		return strconv.AppendInt(b, int64(e), 10)
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	for _, c := range b[n:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

// AppendInterval writes a day-time interval in milliseconds as SQL text: [-]D HH:MM:SS.mmm.
func AppendInterval(b []byte, ms int64) []byte {
	if ms < 0 {
		b, ms = append(b, '-'), -ms
	}
	d := ms / 86_400_000
	ms %= 86_400_000
	b = strconv.AppendInt(b, d, 10)
	b = append(b, ' ')
	b = append2(b, ms/3_600_000)
	b = append(b, ':')
	b = append2(b, ms/60_000%60)
	b = append(b, ':')
	b = append2(b, ms/1000%60)
	b = append(b, '.')
	f := ms % 1000
	return append(b, byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

// AppendQualified writes an interval as KDA prints it in its type's qualifier: a sign, the leading field
// without padding, then each further field of the qualifier in two digits, so DAY TO HOUR gives +4 04 and
// -2 04, MINUTE TO SECOND gives +6:11 and YEAR TO MONTH +4-04 (the Date, Timestamp, and Interval
// Operators page). What lies below the last field is not written; seconds carry their milliseconds when
// there are any. Other values are written as AppendText writes them.
func AppendQualified(b []byte, v Value, t Type) []byte {
	if v.K != Interval && v.K != Months {
		return v.AppendText(b)
	}
	if (v.K == Months) != (t.Base == TIntervalMonth) {
		t = Type{Base: TInterval}
		if v.K == Months {
			t.Base = TIntervalMonth
		}
	}
	from, to := t.Qualifier()
	n := v.I
	if n < 0 {
		b, n = append(b, '-'), -n
	} else {
		b = append(b, '+')
	}
	if v.K == Months {
		if from == UnitMonth {
			return strconv.AppendInt(b, n, 10)
		}
		b = strconv.AppendInt(b, n/12, 10)
		if to == UnitMonth {
			b = append(b, '-')
			b = append2(b, n%12)
		}
		return b
	}
	b = strconv.AppendInt(b, n/unitMillis[from], 10)
	for u := from + 1; u <= to; u++ {
		sep := byte(':')
		if u == UnitHour {
			sep = ' '
		}
		b = append(b, sep)
		b = append2(b, n/unitMillis[u]%(unitMillis[u-1]/unitMillis[u]))
	}
	if f := n % 1000; to == UnitSecond && f != 0 {
		b = append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
	}
	return b
}

// unitMillis is each day-time field's length in milliseconds.
var unitMillis = [...]int64{UnitDay: 86_400_000, UnitHour: 3_600_000, UnitMinute: 60_000, UnitSecond: 1000}

func append2(b []byte, n int64) []byte { return append(b, byte('0'+n/10%10), byte('0'+n%10)) }
