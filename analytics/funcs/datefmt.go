package funcs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateFormat is a compiled java.text.SimpleDateFormat pattern, the format language of CHAR_TO_TIMESTAMP,
// TIMESTAMP_TO_CHAR and their DATE and TIME siblings. Letters a-z and A-Z are fields, text between single
// quotes is literal (” is a quote), anything else is literal.
//
// Parsing follows SimpleDateFormat's rules where they matter for logs: a numeric field takes all the
// digits present unless the next field is numeric too (then it takes exactly its letter count, the
// "abutting fields" rule); spaces before a field are skipped; two-digit years under yy fall within 80 years
// before and 20 after the year the format was compiled in (under y they are read as written: the reference's
// 'MMM dd,y' gives year 0010 for 'March 7, 10'); fields not in the pattern default to 1970-01-01 00:00:00.000; text after the
// last field is ignored. Unlike SimpleDateFormat's lenient default, a field out of its range (month 13,
// 30 February) is an error, which is what the KDA reference describes.
type dateFormat struct {
	fields  []dateField
	century int // the year that starts the 100-year window of two-digit years
}

type dateField struct {
	letter byte   // the pattern letter; 0 for literal text
	n      int    // how many times the letter repeats
	lit    string // literal text
}

const patternLetters = "GyYMLwWDdFEuaHkKhmsSzZX"

func compileDateFormat(p string) (*dateFormat, error) {
	f := &dateFormat{century: time.Now().Year() - 80}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.fields = append(f.fields, dateField{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				lit.WriteByte('\'')
				i += 2
				continue
			}
			end := strings.IndexByte(p[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("invalid date format %q: unterminated quote", p)
			}
			// Inside quotes '' is also a quote.
			q := p[i+1 : i+1+end]
			i += end + 2
			for i < len(p) && p[i] == '\'' && i+1 < len(p) {
				e := strings.IndexByte(p[i+1:], '\'')
				if e < 0 {
					break
				}
				q += "'" + p[i+1:i+1+e]
				i += e + 2
			}
			lit.WriteString(q)
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if strings.IndexByte(patternLetters, c) < 0 {
				return nil, fmt.Errorf("invalid date format %q: illegal pattern character '%c'", p, c)
			}
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			flush()
			f.fields = append(f.fields, dateField{letter: c, n: n})
			i += n
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return f, nil
}

func (d dateField) numeric() bool {
	switch d.letter {
	case 0, 'G', 'E', 'a', 'z', 'Z', 'X':
		return false
	case 'M', 'L':
		return d.n <= 2
	}
	return true
}

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
		"October", "November", "December"}
	dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// parse reads s and returns Unix milliseconds. The error says which field did not match.
func (f *dateFormat) parse(s string) (int64, error) {
	year, month, day, doy := 1970, 1, 1, 0
	hour, minute, sec, ms := 0, 0, 0, 0
	pm, hour12 := -1, false
	hour24 := -1 // k: 1-24
	zone, hasZone := 0, false
	pos := 0
	for i, fd := range f.fields {
		if fd.letter == 0 {
			if !strings.HasPrefix(s[pos:], fd.lit) {
				return 0, fmt.Errorf("'%s' does not match the format at position %d: expected %q", s, pos+1, fd.lit)
			}
			pos += len(fd.lit)
			continue
		}
		// SimpleDateFormat skips spaces and tabs before a field ('MMM dd,y' reads 'March 7, 2010').
		for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
			pos++
		}
		if fd.numeric() {
			width := 0
			if i+1 < len(f.fields) && f.fields[i+1].numeric() {
				width = fd.n
			}
			start := pos
			if fd.letter == 'y' || fd.letter == 'Y' {
				if pos < len(s) && (s[pos] == '-' || s[pos] == '+') {
					pos++
				}
			}
			for pos < len(s) && s[pos] >= '0' && s[pos] <= '9' && (width == 0 || pos-start < width) && pos-start < 10 {
				pos++
			}
			if pos == start || s[start:pos] == "-" || s[start:pos] == "+" {
				return 0, fmt.Errorf("'%s' does not match the format at position %d: expected a number for %s", s, start+1, strings.Repeat(string(fd.letter), fd.n))
			}
			n, _ := strconv.Atoi(s[start:pos])
			switch fd.letter {
			case 'y', 'Y':
				year = n
				if fd.n == 2 && pos-start == 2 {
					year = f.century/100*100 + n
					if year < f.century {
						year += 100
					}
				}
			case 'M', 'L':
				month = n
			case 'd':
				day = n
			case 'D':
				doy = n
			case 'H':
				hour = n
			case 'k':
				hour24 = n
			case 'K':
				hour, hour12 = n, true
				if n > 11 {
					return 0, fmt.Errorf("'%s': hour %d is out of range 0-11", s, n)
				}
			case 'h':
				if n < 1 || n > 12 {
					return 0, fmt.Errorf("'%s': hour %d is out of range 1-12", s, n)
				}
				hour, hour12 = n%12, true
			case 'm':
				minute = n
			case 's':
				sec = n
			case 'S':
				// SimpleDateFormat reads S as a count of milliseconds, whatever the number of digits.
				ms = n
			}
			continue
		}
		switch fd.letter {
		case 'M', 'L':
			m, size := matchName(s[pos:], monthNames[:])
			if size == 0 {
				return 0, fmt.Errorf("'%s' does not match the format at position %d: expected a month name", s, pos+1)
			}
			month, pos = m+1, pos+size
		case 'E':
			_, size := matchName(s[pos:], dayNames[:])
			if size == 0 {
				return 0, fmt.Errorf("'%s' does not match the format at position %d: expected a day name", s, pos+1)
			}
			pos += size
		case 'a':
			switch {
			case hasPrefixFold(s[pos:], "AM"):
				pm = 0
			case hasPrefixFold(s[pos:], "PM"):
				pm = 1
			default:
				return 0, fmt.Errorf("'%s' does not match the format at position %d: expected AM or PM", s, pos+1)
			}
			pos += 2
		case 'G':
			switch {
			case hasPrefixFold(s[pos:], "AD"):
				pos += 2
			default:
				return 0, fmt.Errorf("'%s' does not match the format at position %d: expected AD", s, pos+1)
			}
		case 'z', 'Z', 'X':
			off, size, ok := parseZone(s[pos:])
			if !ok {
				return 0, fmt.Errorf("'%s' does not match the format at position %d: expected a time zone", s, pos+1)
			}
			zone, hasZone, pos = off, true, pos+size
		}
	}
	if hour24 >= 0 {
		if hour24 < 1 || hour24 > 24 {
			return 0, fmt.Errorf("'%s': hour %d is out of range 1-24", s, hour24)
		}
		hour = hour24 % 24
	}
	if pm == 1 && hour12 {
		hour += 12
	}
	if month < 1 || month > 12 {
		return 0, fmt.Errorf("'%s': month %d is out of range", s, month)
	}
	if doy > 0 {
		if doy > 366 {
			return 0, fmt.Errorf("'%s': day of year %d is out of range", s, doy)
		}
		month, day = 1, doy
	} else if day < 1 || day > daysIn(year, time.Month(month)) {
		return 0, fmt.Errorf("'%s': day %d is out of range for month %d", s, day, month)
	}
	if hour > 23 || minute > 59 || sec > 60 {
		return 0, fmt.Errorf("'%s': time %02d:%02d:%02d is out of range", s, hour, minute, sec)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).UnixMilli() + int64(ms)
	if hasZone {
		t -= int64(zone) * 1000
	}
	return t, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// matchName matches a full or three-letter name, ignoring case; it returns the index and the length read.
func matchName(s string, names []string) (int, int) {
	for i, n := range names {
		if hasPrefixFold(s, n) {
			return i, len(n)
		}
	}
	for i, n := range names {
		if hasPrefixFold(s, n[:3]) {
			return i, 3
		}
	}
	return 0, 0
}

var zoneAbbrevs = map[string]int{
	"UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600, "CET": 3600, "CEST": 2 * 3600,
	"BST": 3600, "IST": 19800, "JST": 9 * 3600,
}

// parseZone reads a zone: Z, ±hh, ±hhmm, ±hh:mm, or a name (UTC, GMT, PST...) optionally followed by an
// offset (GMT+01:00). It returns the offset east of UTC in seconds and the length read.
func parseZone(s string) (int, int, bool) {
	if off, n, ok := parseOffset(s); ok {
		return off, n, true
	}
	end := 0
	for end < len(s) && (s[end] >= 'A' && s[end] <= 'Z' || s[end] >= 'a' && s[end] <= 'z') {
		end++
	}
	base, ok := zoneAbbrevs[strings.ToUpper(s[:end])]
	if !ok {
		return 0, 0, false
	}
	if off, n, ok := parseOffset(s[end:]); ok {
		return base + off, end + n, true
	}
	return base, end, true
}

func parseOffset(s string) (int, int, bool) {
	if len(s) < 3 || s[0] != '+' && s[0] != '-' {
		return 0, 0, false
	}
	digit := func(i int) (int, bool) {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			return int(s[i] - '0'), true
		}
		return 0, false
	}
	h1, ok1 := digit(1)
	h2, ok2 := digit(2)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	n, mins := 3, 0
	i := 3
	if i < len(s) && s[i] == ':' {
		i++
	}
	if m1, ok := digit(i); ok {
		if m2, ok := digit(i + 1); ok {
			mins, n = m1*10+m2, i+2
		}
	}
	off := (h1*10+h2)*3600 + mins*60
	if s[0] == '-' {
		off = -off
	}
	return off, n, true
}

// append writes t (UTC) in the format.
func (f *dateFormat) append(b []byte, t time.Time) []byte {
	for _, fd := range f.fields {
		n := fd.n
		switch fd.letter {
		case 0:
			b = append(b, fd.lit...)
		case 'G':
			b = append(b, "AD"...)
		case 'y', 'Y':
			y := t.Year()
			if fd.letter == 'Y' {
				y, _ = javaWeek(t)
			}
			if n == 2 {
				b = appendPadded(b, y%100, 2)
			} else {
				b = appendPadded(b, y, n)
			}
		case 'M', 'L':
			switch {
			case n >= 4:
				b = append(b, monthNames[t.Month()-1]...)
			case n == 3:
				b = append(b, monthNames[t.Month()-1][:3]...)
			default:
				b = appendPadded(b, int(t.Month()), n)
			}
		case 'w':
			_, w := javaWeek(t)
			b = appendPadded(b, w, n)
		case 'W':
			b = appendPadded(b, (t.Day()+int(t.AddDate(0, 0, 1-t.Day()).Weekday())-1)/7+1, n)
		case 'D':
			b = appendPadded(b, t.YearDay(), n)
		case 'd':
			b = appendPadded(b, t.Day(), n)
		case 'F':
			b = appendPadded(b, (t.Day()-1)/7+1, n)
		case 'E':
			if n >= 4 {
				b = append(b, dayNames[t.Weekday()]...)
			} else {
				b = append(b, dayNames[t.Weekday()][:3]...)
			}
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b = appendPadded(b, wd, n)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'H':
			b = appendPadded(b, t.Hour(), n)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b = appendPadded(b, h, n)
		case 'K':
			b = appendPadded(b, t.Hour()%12, n)
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendPadded(b, h, n)
		case 'm':
			b = appendPadded(b, t.Minute(), n)
		case 's':
			b = appendPadded(b, t.Second(), n)
		case 'S':
			b = appendPadded(b, t.Nanosecond()/1e6, n)
		case 'z':
			if n >= 4 {
				b = append(b, "Coordinated Universal Time"...)
			} else {
				b = append(b, "UTC"...)
			}
		case 'Z':
			b = append(b, "+0000"...)
		case 'X':
			b = append(b, 'Z')
		}
	}
	return b
}

// javaWeek returns the week year and week of year of t as SimpleDateFormat's 'Y' and 'w' give them in
// the US locale, the JVM default KDA ran with: weeks start on Sunday and week 1 is the week that holds
// January 1 (minimal days in the first week: 1). These are not ISO weeks (Monday start, week 1 holds
// the first Thursday), which number every year's first and last days differently.
func javaWeek(t time.Time) (year, week int) {
	year = t.Year()
	wd := int(t.Weekday()) // 0 is Sunday
	if t.Month() == time.December && t.Day()+6-wd > 31 {
		return year + 1, 1 // the week's Saturday is in January: the week holds next January 1
	}
	jan1 := (wd - (t.YearDay()-1)%7 + 7) % 7 // weekday of January 1
	return year, (t.YearDay()-1+jan1)/7 + 1
}

func appendPadded(b []byte, v, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var digits [20]byte
	i := len(digits)
	for {
		i--
		digits[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for pad := width - (len(digits) - i); pad > 0; pad-- {
		b = append(b, '0')
	}
	return append(b, digits[i:]...)
}
