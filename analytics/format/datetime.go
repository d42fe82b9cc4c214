package format

// Datetime text in and out without the time package: parsing a timestamp per record with time.Parse
// costs more than the rest of the mapping, and the formats are fixed.

const msPerDay = 86_400_000

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// algorithm, exact for every int32 year).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// digits reads exactly n decimal digits at s[i:].
func digits(s []byte, i, n int) (int64, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var v int64
	for _, c := range s[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// parseDate reads YYYY-MM-DD at the start of s and returns the day number and the offset after it.
func parseDate(s []byte) (int64, int, bool) {
	y, ok1 := digits(s, 0, 4)
	m, ok2 := digits(s, 5, 2)
	d, ok3 := digits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, false
	}
	return daysFromCivil(y, m, d), 10, true
}

// parseClock reads HH:MM[:SS[.fraction]] at s[i:] and returns milliseconds since midnight and the
// offset after it. Digits of the fraction past milliseconds are dropped: TIMESTAMP keeps milliseconds.
func parseClock(s []byte, i int) (int64, int, bool) {
	h, ok1 := digits(s, i, 2)
	mi, ok2 := digits(s, i+3, 2)
	if !ok1 || !ok2 || s[i+2] != ':' || h > 23 || mi > 59 {
		return 0, 0, false
	}
	ms := (h*60 + mi) * 60_000
	i += 5
	if i < len(s) && s[i] == ':' {
		sec, ok := digits(s, i+1, 2)
		if !ok || sec > 59 {
			return 0, 0, false
		}
		ms += sec * 1000
		i += 3
		if i < len(s) && s[i] == '.' {
			i++
			j := i
			scale := int64(100)
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				ms += int64(s[i]-'0') * scale
				scale /= 10
				i++
			}
			if i == j {
				return 0, 0, false
			}
		}
	}
	return ms, i, true
}

// parseZone reads an optional zone at s[i:]: Z, +HH, +HHMM or +HH:MM. It returns the offset in ms
// to subtract to get UTC.
func parseZone(s []byte, i int) (int64, int, bool) {
	if i >= len(s) {
		return 0, i, true
	}
	switch s[i] {
	case 'Z', 'z':
		return 0, i + 1, true
	case '+', '-':
		sign := int64(1)
		if s[i] == '-' {
			sign = -1
		}
		h, ok := digits(s, i+1, 2)
		if !ok || h > 23 {
			return 0, 0, false
		}
		i += 3
		var m int64
		if i < len(s) && s[i] == ':' {
			i++
		}
		if i < len(s) {
			if m, ok = digits(s, i, 2); !ok || m > 59 {
				return 0, 0, false
			}
			i += 2
		}
		return sign * (h*60 + m) * 60_000, i, true
	}
	return 0, 0, false
}

// parseTimestamp reads a date with an optional time of day, separated by a space or T, with an
// optional zone: "1992-02-14", "1992-02-14 18:35:44.0" (sch-mapping.html lists these two) and the
// ISO form Python's isoformat writes, "2018-06-13T14:11:05.766191", which the developer guide's
// examples send and then map as TIMESTAMP. It returns Unix milliseconds, UTC.
func parseTimestamp(s []byte) (int64, bool) {
	s = trimSpace(s)
	days, i, ok := parseDate(s)
	if !ok {
		return 0, false
	}
	ms := days * msPerDay
	if i == len(s) {
		return ms, true
	}
	if s[i] != ' ' && s[i] != 'T' && s[i] != 't' {
		return 0, false
	}
	clock, i, ok := parseClock(s, i+1)
	if !ok {
		return 0, false
	}
	zone, i, ok := parseZone(s, i)
	if !ok || i != len(s) {
		return 0, false
	}
	return ms + clock - zone, true
}

// parseTime reads a TIME: HH:MM[:SS[.fff]], or the time of day of a timestamp.
func parseTime(s []byte) (int64, bool) {
	s = trimSpace(s)
	if ms, i, ok := parseClock(s, 0); ok && i == len(s) {
		return ms, true
	}
	ts, ok := parseTimestamp(s)
	if !ok {
		return 0, false
	}
	ms := ts % msPerDay
	if ms < 0 {
		ms += msPerDay
	}
	return ms, true
}

// parseDateValue reads a DATE: a date, or the day of a timestamp.
func parseDateValue(s []byte) (int64, bool) {
	ts, ok := parseTimestamp(s)
	if !ok {
		return 0, false
	}
	d := ts / msPerDay
	if ts%msPerDay < 0 {
		d--
	}
	return d * msPerDay, true
}

func trimSpace(s []byte) []byte {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func append2d(b []byte, n int64) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// appendDate writes the day of Unix milliseconds ms as YYYY-MM-DD.
func appendDate(b []byte, ms int64) []byte {
	days := ms / msPerDay
	if ms%msPerDay < 0 {
		days--
	}
	y, m, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		// Out of the four-digit range: rare enough to let the time package's rules apply.
		return appendYearSlow(b, y, m, d)
	}
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append2d(b, m)
	b = append(b, '-')
	return append2d(b, d)
}

func appendYearSlow(b []byte, y, m, d int64) []byte {
	if y < 0 {
		b = append(b, '-')
		y = -y
	}
	var tmp [20]byte
	i := len(tmp)
	for y > 0 || i > len(tmp)-4 {
		i--
		tmp[i] = byte('0' + y%10)
		y /= 10
	}
	b = append(b, tmp[i:]...)
	b = append(b, '-')
	b = append2d(b, m)
	b = append(b, '-')
	return append2d(b, d)
}

// appendClock writes milliseconds since midnight as HH:MM:SS.mmm.
func appendClock(b []byte, ms int64) []byte {
	ms %= msPerDay
	if ms < 0 {
		ms += msPerDay
	}
	b = append2d(b, ms/3_600_000)
	b = append(b, ':')
	b = append2d(b, ms/60_000%60)
	b = append(b, ':')
	b = append2d(b, ms/1000%60)
	f := ms % 1000
	return append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

// appendTimestamp writes Unix milliseconds as SQL timestamp text, 2006-01-02 15:04:05.000.
func appendTimestamp(b []byte, ms int64) []byte {
	b = appendDate(b, ms)
	b = append(b, ' ')
	return appendClock(b, ms)
}
