package format

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Coercion follows the table of sch-mapping.html ("Mapping JSON Data Types to SQL Data Types"):
//
//	JSON        numeric          BOOLEAN             CHAR/VARCHAR          BINARY            DATE/TIME/TIMESTAMP
//	null        NULL             NULL                NULL                  NULL              NULL
//	true/false  1 / 0            as is               "true"/"false"        one byte 1 / 0    error
//	number      exact, else err  0 false, else true  its text              error             error
//	string      parsed, else err "true" (any case)   as is, truncated      X'hex' (base64)   parsed, else error
//	array/obj   error            error               its compact text      error             error
//
// A string longer than VARCHAR(n) is truncated "and no error is written to the error stream"; CHAR(n)
// truncates alike and does not pad shorter values with blanks, so that they equal the literals users
// compare them with (the engine does not implement PAD SPACE comparison). CSV
// fields are strings; an empty unquoted field is NULL, so that a NULL written by the encoder reads
// back as NULL.

// str returns the record as a string, made once per record: every column string is a substring of
// it, so a record costs one allocation however many string columns it has.
func (m *Mapper) str() string {
	if !m.hasStr {
		m.s = string(m.rec)
		m.hasStr = true
	}
	return m.s
}

// raw returns the text of a string token, decoded if it has escapes (into scratch: valid until the
// next call).
func (m *Mapper) raw(t tok) []byte {
	b := m.rec[t.start:t.end]
	if !t.esc {
		return b
	}
	if m.csv {
		m.scratch = appendCSVUnquoted(m.scratch[:0], b)
	} else {
		m.scratch = appendUnquoted(m.scratch[:0], b)
	}
	return m.scratch
}

// text returns a string token's decoded text as a string that outlives the call.
func (m *Mapper) text(t tok) string {
	if !t.esc {
		return m.str()[t.start:t.end]
	}
	return string(m.raw(t))
}

// coerce converts the value at t to column c's type into out. It returns false when the value
// cannot be converted.
func (m *Mapper) coerce(c *column, t tok, out *value.Value) bool {
	if t.kind == tokMissing || t.kind == tokNull {
		*out = value.Value{}
		return true
	}
	typ := &c.typ
	switch typ.Base {
	case value.TBoolean:
		switch t.kind {
		case tokTrue:
			*out = value.NewBool(true)
			return true
		case tokFalse:
			*out = value.NewBool(false)
			return true
		case tokNumber:
			f, ok := parseFloat(m.rec[t.start:t.end])
			*out = value.NewBool(f != 0)
			return ok
		case tokString:
			s := trimSpace(m.raw(t))
			*out = value.NewBool(len(s) == 4 && (s[0]|0x20) == 't' && (s[1]|0x20) == 'r' && (s[2]|0x20) == 'u' && (s[3]|0x20) == 'e')
			return true
		}
	case value.TTinyint, value.TSmallint, value.TInteger, value.TBigint:
		var n int64
		var ok bool
		switch t.kind {
		case tokTrue:
			n, ok = 1, true
		case tokFalse:
			n, ok = 0, true
		case tokNumber:
			n, ok = parseInt(m.rec[t.start:t.end])
		case tokString:
			if txt := trimSpace(m.raw(t)); decimalText(txt) {
				n, ok = parseInt(txt)
			}
		}
		if ok && inRange(typ.Base, n) {
			*out = value.NewInt(n)
			return true
		}
	case value.TDecimal, value.TReal, value.TDouble:
		var f float64
		var ok bool
		switch t.kind {
		case tokTrue:
			f, ok = 1, true
		case tokFalse:
			f, ok = 0, true
		case tokNumber:
			f, ok = parseFloat(m.rec[t.start:t.end])
		case tokString:
			txt := trimSpace(m.raw(t))
			switch {
			case decimalText(txt):
				f, ok = parseFloat(txt)
			case typ.Base != value.TDecimal:
				f, ok = javaSpecial(txt)
			}
		}
		if !ok {
			break
		}
		switch typ.Base {
		case value.TDecimal:
			if f, ok = fitDecimal(f, typ.Len, typ.Scale); ok {
				*out = value.NewDecimal(f)
				return true
			}
		case value.TReal:
			if math.Abs(f) <= math.MaxFloat32 || math.IsNaN(f) {
				*out = value.NewDouble(f)
				return true
			}
		default:
			*out = value.NewDouble(f)
			return true
		}
	case value.TChar, value.TVarchar:
		var s string
		switch t.kind {
		case tokTrue:
			s = "true"
		case tokFalse:
			s = "false"
		case tokNumber:
			s = m.str()[t.start:t.end]
		case tokString:
			s = m.text(t)
		case tokObject, tokArray:
			b := m.rec[t.start:t.end]
			if hasSpaceOutsideStrings(b) {
				s = string(appendCompact(nil, b))
			} else {
				s = m.str()[t.start:t.end]
			}
		}
		*out = value.NewString(truncate(s, typ.Len))
		return true
	case value.TBinary, value.TVarbinary:
		switch t.kind {
		case tokTrue:
			*out = value.Value{K: value.Binary, S: "\x01"}
			return true
		case tokFalse:
			*out = value.Value{K: value.Binary, S: "\x00"}
			return true
		case tokString:
			if b, ok := parseBinary(trimSpace(m.raw(t))); ok {
				if typ.Len > 0 && len(b) > typ.Len {
					b = b[:typ.Len]
				}
				*out = value.NewBinary(b)
				return true
			}
		}
	case value.TTimestamp:
		if t.kind == tokString {
			if ms, ok := parseTimestamp(m.raw(t)); ok {
				*out = value.NewTimestamp(ms)
				return true
			}
		}
	case value.TDate:
		if t.kind == tokString {
			if ms, ok := parseDateValue(m.raw(t)); ok {
				*out = value.NewDate(ms)
				return true
			}
		}
	case value.TTime:
		if t.kind == tokString {
			if ms, ok := parseTime(m.raw(t)); ok {
				*out = value.NewTime(ms)
				return true
			}
		}
	}
	*out = value.Value{}
	return false
}

// conversionError describes a failed coercion for error_stream.
func (m *Mapper) conversionError(c *column, t tok) *MapError {
	txt := m.rec[t.start:t.end]
	if len(txt) > 128 {
		txt = txt[:128]
	}
	return &MapError{Name: ErrTypeConversion,
		Message: fmt.Sprintf("column %s: cannot convert %s %q to %s", c.name, kindNames[t.kind], txt, c.typ)}
}

var kindNames = [...]string{"missing", "null", "boolean", "boolean", "number", "string", "object", "array"}

// parseInt reads an integer exactly; a number with a fraction or exponent is accepted when its value
// is integral (1.0, 1e3): sch-mapping.html fails 123.4 into INT, not 1.0.
func parseInt(b []byte) (int64, bool) {
	i := 0
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var n uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			f, ok := parseFloat(b)
			if !ok || f != math.Trunc(f) || f < -9.223372036854775808e18 || f >= 9.223372036854775808e18 {
				return 0, false
			}
			return int64(f), true
		}
		if n > (math.MaxUint64-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// parseFloat parses a number without copying it: strconv keeps no reference to its argument (its
// errors hold a clone), so the bytes are viewed as a string for the call.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	if f, ok := fastFloat(b); ok {
		return f, true
	}
	f, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	return f, err == nil
}

// fastFloat parses the numbers records mostly hold, [-]digits[.digits] whose digits make an integer
// of at most 2^53, exactly: that integer, which a float64 holds exactly, divided by a power of ten
// that it also holds exactly, is the correctly rounded value (Clinger's fast path). Anything else is
// left to strconv.
func fastFloat(b []byte) (float64, bool) {
	i := 0
	neg := b[0] == '-'
	if neg {
		i++
	}
	var mant uint64
	nd, frac := 0, -1
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case '0' <= c && c <= '9':
			mant = mant*10 + uint64(c-'0')
			if nd++; nd > 19 {
				return 0, false
			}
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if nd == 0 || frac == 0 || mant > 1<<53 {
		return 0, false
	}
	f := float64(mant)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

// decimalText reports whether a string holds a number as Java reads one: [+-]digits[.digits][e[+-]digits].
// strconv also takes hexadecimal, digit separators after a base prefix, and "inf" or "nan" in any case,
// which a string in a record must not turn into a number (Double.parseDouble's hexadecimal floats are
// refused too: nobody sends them, and Long.parseLong takes none).
func decimalText(b []byte) bool {
	digits := false
	for i, c := range b {
		switch {
		case '0' <= c && c <= '9':
			digits = true
		case c == '.' || c == 'e' || c == 'E':
		case c == '+' || c == '-':
			if i > 0 && b[i-1] != 'e' && b[i-1] != 'E' {
				return false
			}
		default:
			return false
		}
	}
	return digits
}

// javaSpecial reads the non-finite values Double.parseDouble accepts: NaN, Infinity, +Infinity and
// -Infinity, spelt exactly so.
func javaSpecial(b []byte) (float64, bool) {
	switch string(b) {
	case "NaN":
		return math.NaN(), true
	case "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}

func inRange(b value.Base, n int64) bool {
	switch b {
	case value.TTinyint:
		return n >= math.MinInt8 && n <= math.MaxInt8
	case value.TSmallint:
		return n >= math.MinInt16 && n <= math.MaxInt16
	case value.TInteger:
		return n >= math.MinInt32 && n <= math.MaxInt32
	}
	return true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32,
	1e33, 1e34, 1e35, 1e36, 1e37, 1e38}

func pow(n int) float64 {
	if n >= 0 && n < len(pow10) {
		return pow10[n]
	}
	return math.Pow(10, float64(n))
}

// fitDecimal rounds f to scale and checks it has at most precision-scale integer digits: a value
// that does not fit DECIMAL(p,s) is a coercion error (sch-mapping.html: "exceeds the size or
// precision of the target data type").
func fitDecimal(f float64, precision, scale int) (float64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	if precision == 0 {
		precision = 19
	}
	p := pow(scale)
	r := math.Round(f*p) / p
	if math.IsInf(f*p, 0) {
		r = f
	}
	if math.Abs(r) >= pow(precision-scale) {
		return 0, false
	}
	return r, true
}

// truncate cuts s to n characters (n = 0: no limit).
func truncate(s string, n int) string {
	if n <= 0 || len(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// parseBinary reads a binary literal X'3F67A23A' (sch-mapping.html), or base64, the form KDA's Data
// Types table gives BINARY in JSON and the form the encoder writes.
func parseBinary(s []byte) ([]byte, bool) {
	if len(s) >= 3 && (s[0] == 'X' || s[0] == 'x') && s[1] == '\'' && s[len(s)-1] == '\'' {
		h := s[2 : len(s)-1]
		if len(h)%2 != 0 {
			return nil, false
		}
		out := make([]byte, len(h)/2)
		for i := range out {
			hi, lo := unhex(h[2*i]), unhex(h[2*i+1])
			if hi < 0 || lo < 0 {
				return nil, false
			}
			out[i] = byte(hi<<4 | lo)
		}
		return out, true
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, s)
	return out[:n], err == nil
}
