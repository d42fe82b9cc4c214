package funcs

import (
	"fmt"
	"time"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Date and time functions. Times are Unix milliseconds in UTC (value's representation); calendar fields
// are those of UTC, as KDA runs in UTC.

func init() {
	register(bindExtract, "EXTRACT")
	register(bindFloorTo, "FLOOR_TO", "CEIL_TO")
	register(bindStep, "STEP")
	register(bindTSDiff, "TSDIFF")
	register(bindUnixTimestamp, "UNIX_TIMESTAMP")
	register(bindToTimestamp, "TO_TIMESTAMP")
	register(bindCharTo, "CHAR_TO_TIMESTAMP", "CHAR_TO_DATE", "CHAR_TO_TIME")
	register(bindToChar, "TIMESTAMP_TO_CHAR", "DATE_TO_CHAR", "TIME_TO_CHAR")
}

const (
	msPerSecond = 1000
	msPerMinute = 60 * msPerSecond
	msPerHour   = 60 * msPerMinute
)

func utc(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// bindExtract binds EXTRACT(unit, x) on a TIMESTAMP, DATE, TIME or interval. The result is a BIGINT for
// every unit but SECOND, which the reference types DECIMAL(5,3) with the milliseconds in it (5.678 from
// INTERVAL '2 3:4:5.678' DAY TO SECOND). MILLISECOND is the seconds and milliseconds in milliseconds (as
// Calcite counts it), DOW 1 for Sunday to 7, EPOCH seconds since 1970.
func bindExtract(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	unit, err := unitArg(name, args[0])
	if err != nil {
		return nil, value.Type{}, err
	}
	t := args[1].Type
	var f func(v value.Value) int64
	switch {
	case t.Base == value.TInterval:
		f, err = extractInterval(unit)
	case t.Base == value.TIntervalMonth:
		switch unit {
		case "YEAR":
			f = func(v value.Value) int64 { return v.I / 12 }
		case "MONTH":
			f = func(v value.Value) int64 { return v.I % 12 }
		default:
			err = fmt.Errorf("EXTRACT: cannot extract %s from %s", unit, t)
		}
	case t.Base == value.TTime:
		switch unit {
		case "HOUR", "MINUTE", "SECOND", "MILLISECOND", "EPOCH":
			f, err = extractDatetime(unit)
		default:
			err = fmt.Errorf("EXTRACT: cannot extract %s from TIME", unit)
		}
	case t.Datetime() || t.Base == value.TNull:
		f, err = extractDatetime(unit)
	default:
		err = fmt.Errorf("EXTRACT: argument must be a datetime or interval, not %s", t)
	}
	if err != nil {
		return nil, value.Type{}, err
	}
	if unit == "SECOND" {
		// f gave the seconds and milliseconds in milliseconds: MILLISECOND's value.
		return strict(func(a []value.Value) (value.Value, error) {
			return value.NewDecimal(float64(f(a[1])) / msPerSecond), nil
		}), secondType, nil
	}
	return strict(func(a []value.Value) (value.Value, error) { return value.NewInt(f(a[1])), nil }),
		value.BigintType, nil
}

// secondType is EXTRACT(SECOND ...)'s type: seconds 0 to 59.999 (or -59.999 of an interval).
var secondType = value.Type{Base: value.TDecimal, Len: 5, Scale: 3}

func extractDatetime(unit string) (func(value.Value) int64, error) {
	switch unit {
	case "YEAR":
		return func(v value.Value) int64 { return int64(utc(v.I).Year()) }, nil
	case "QUARTER":
		return func(v value.Value) int64 { return int64(utc(v.I).Month()-1)/3 + 1 }, nil
	case "MONTH":
		return func(v value.Value) int64 { return int64(utc(v.I).Month()) }, nil
	case "WEEK":
		return func(v value.Value) int64 { _, w := utc(v.I).ISOWeek(); return int64(w) }, nil
	case "DAY":
		return func(v value.Value) int64 { return int64(utc(v.I).Day()) }, nil
	case "DOW":
		return func(v value.Value) int64 { return int64(utc(v.I).Weekday()) + 1 }, nil
	case "DOY":
		return func(v value.Value) int64 { return int64(utc(v.I).YearDay()) }, nil
	case "HOUR":
		return func(v value.Value) int64 { return mod(v.I, msPerDay) / msPerHour }, nil
	case "MINUTE":
		return func(v value.Value) int64 { return mod(v.I, msPerHour) / msPerMinute }, nil
	case "SECOND", "MILLISECOND":
		// SECOND too: bindExtract makes its DECIMAL seconds of these milliseconds.
		return func(v value.Value) int64 { return mod(v.I, msPerMinute) }, nil
	case "EPOCH":
		return func(v value.Value) int64 { return floorDiv(v.I, msPerSecond) }, nil
	}
	return nil, fmt.Errorf("EXTRACT: unknown unit %s", unit)
}

// extractInterval extracts a field of a day-time interval, keeping its sign: EXTRACT(HOUR FROM INTERVAL
// '-1 02:00:00' DAY TO SECOND) is -2.
func extractInterval(unit string) (func(value.Value) int64, error) {
	var div, rem int64
	switch unit {
	case "DAY":
		div, rem = msPerDay, 0
	case "HOUR":
		div, rem = msPerHour, 24
	case "MINUTE":
		div, rem = msPerMinute, 60
	case "SECOND", "MILLISECOND":
		// SECOND too: bindExtract makes its DECIMAL seconds of these milliseconds.
		div, rem = 1, msPerMinute
	case "EPOCH":
		return func(v value.Value) int64 { return v.I / msPerSecond }, nil
	default:
		return nil, fmt.Errorf("EXTRACT: cannot extract %s from an INTERVAL DAY TO SECOND", unit)
	}
	return func(v value.Value) int64 {
		n := v.I / div
		if rem != 0 {
			n %= rem
		}
		return n
	}, nil
}

// mod is the remainder with the divisor's sign, so that times before 1970 give fields in range.
func mod(a, b int64) int64 {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

// floorUnit rounds a time down to a calendar unit.
func floorUnit(ms int64, unit string) int64 {
	switch unit {
	case "MILLISECOND":
		return ms
	case "SECOND":
		return floorDiv(ms, msPerSecond) * msPerSecond
	case "MINUTE":
		return floorDiv(ms, msPerMinute) * msPerMinute
	case "HOUR":
		return floorDiv(ms, msPerHour) * msPerHour
	case "DAY":
		return floorDiv(ms, msPerDay) * msPerDay
	}
	t := utc(ms)
	switch unit {
	case "WEEK":
		// Weeks start on Sunday, as Calcite's FLOOR(ts TO WEEK) counts them.
		d := floorDiv(ms, msPerDay)*msPerDay - int64(t.Weekday())*msPerDay
		return d
	case "MONTH":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	case "QUARTER":
		return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	case "YEAR":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	}
	return ms
}

// nextUnit is the start of the unit after the one that starts at floor.
func nextUnit(floor int64, unit string) int64 {
	switch unit {
	case "MILLISECOND":
		return floor + 1
	case "SECOND":
		return floor + msPerSecond
	case "MINUTE":
		return floor + msPerMinute
	case "HOUR":
		return floor + msPerHour
	case "DAY":
		return floor + msPerDay
	case "WEEK":
		return floor + 7*msPerDay
	}
	t := utc(floor)
	switch unit {
	case "MONTH":
		return t.AddDate(0, 1, 0).UnixMilli()
	case "QUARTER":
		return t.AddDate(0, 3, 0).UnixMilli()
	}
	return t.AddDate(1, 0, 0).UnixMilli()
}

var timeUnits = map[string]bool{"YEAR": true, "QUARTER": true, "MONTH": true, "WEEK": true, "DAY": true,
	"HOUR": true, "MINUTE": true, "SECOND": true, "MILLISECOND": true}

// bindFloorTo binds FLOOR_TO(x, unit) and CEIL_TO(x, unit), the planner's names for FLOOR(x TO unit) and
// CEIL(x TO unit): x rounded to the unit on a TIMESTAMP, DATE or TIME, and on a day-time interval (as in
// FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)) to a whole number of the unit.
func bindFloorTo(name string, args []Arg) (Impl, value.Type, error) {
	fname := "FLOOR"
	if name == "CEIL_TO" {
		fname = "CEIL"
	}
	if err := argCount(fname, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	unit, err := unitArg(fname, args[1])
	if err != nil {
		return nil, value.Type{}, err
	}
	if !timeUnits[unit] {
		return nil, value.Type{}, fmt.Errorf("%s: unknown unit %s", fname, unit)
	}
	t := args[0].Type
	switch t.Base {
	case value.TTimestamp, value.TNull:
	case value.TDate:
		switch unit {
		case "HOUR", "MINUTE", "SECOND", "MILLISECOND":
			unit = "DAY" // a DATE is already whole days
		}
	case value.TTime, value.TInterval:
		switch unit {
		case "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND":
		default:
			return nil, value.Type{}, fmt.Errorf("%s: cannot round %s to %s", fname, t, unit)
		}
	default:
		return nil, value.Type{}, fmt.Errorf("%s(x TO %s): x must be a datetime or interval, not %s", fname, unit, t)
	}
	rt := t
	if t.Base == value.TNull {
		rt = value.TimestampType
	}
	ceil := name == "CEIL_TO"
	return strict(func(a []value.Value) (value.Value, error) {
		v := a[0]
		f := floorUnit(v.I, unit)
		if ceil && f != v.I {
			f = nextUnit(f, unit)
		}
		v.I = f
		return v, nil
	}), rt, nil
}

// bindStep binds STEP(x, width), STEP(x BY width): a TIMESTAMP (or DATE, TIME) rounded down to a multiple
// of an interval counted from the epoch, or an integer rounded down to a multiple of an integer. It is the
// key of a tumbling window. The reference: STEP(23 BY 5) is 20; STEP(ts BY INTERVAL '10' SECOND) is
// ((ts - TIMESTAMP '1970-01-01 00:00:00') / width) * width + TIMESTAMP '1970-01-01 00:00:00', with a
// year-month width counting calendar months from January 1970.
func bindStep(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	x, w := args[0].Type, args[1].Type
	isTime := x.Datetime() || x.Base == value.TInterval || x.Base == value.TNull
	months := w.Base == value.TIntervalMonth
	switch {
	case isTime && (w.Base == value.TInterval || months || w.Base == value.TNull):
	case (x.Kind() == value.Int || x.Base == value.TNull) && (w.Kind() == value.Int || w.Base == value.TNull):
	default:
		return nil, value.Type{}, fmt.Errorf("STEP(x BY width) needs a datetime and an INTERVAL, or two integers; got %s and %s", x, w)
	}
	if months && x.Base != value.TTimestamp && x.Base != value.TDate && x.Base != value.TNull {
		return nil, value.Type{}, fmt.Errorf("STEP: a %s cannot step by a year-month interval", x)
	}
	if c := args[1].Const; c != nil && c.K != value.Null && c.I <= 0 {
		return nil, value.Type{}, fmt.Errorf("STEP width must be positive")
	}
	rt := x
	if x.Base == value.TNull {
		rt = value.TimestampType
		if w.Kind() == value.Int {
			rt = value.BigintType
		}
	}
	return strict(func(a []value.Value) (value.Value, error) {
		v, width := a[0], a[1].I
		if width <= 0 {
			return value.Value{}, errorf(InvalidArgument, "STEP width %d is not positive", width)
		}
		if a[1].K == value.Months {
			t := utc(v.I)
			m := int64(t.Year()-1970)*12 + int64(t.Month()-1)
			m = floorDiv(m, width) * width
			v.I = time.Date(1970+int(floorDiv(m, 12)), time.Month(mod(m, 12)+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
			return v, nil
		}
		v.I = floorDiv(v.I, width) * width
		return v, nil
	}), rt, nil
}

// timeMillis reads a TIMESTAMP or a BIGINT of Unix milliseconds: TSDIFF's reference page documents BIGINT
// arguments, and applications pass TIMESTAMPs (ROWTIME).
func timeMillisArg(name string, args []Arg, i int) error {
	t := args[i].Type
	if t.Base == value.TTimestamp || t.Base == value.TDate || t.Kind() == value.Int || t.Base == value.TNull {
		return nil
	}
	return fmt.Errorf("%s: argument %d must be a TIMESTAMP or BIGINT milliseconds, not %s", name, i+1, t)
}

// bindTSDiff binds TSDIFF(t1, t2): t1 - t2 in milliseconds.
func bindTSDiff(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	for i := range args {
		if err := timeMillisArg(name, args, i); err != nil {
			return nil, value.Type{}, err
		}
	}
	return strict(func(a []value.Value) (value.Value, error) {
		return value.NewInt(a[0].I - a[1].I), nil
	}), value.BigintType, nil
}

func bindUnixTimestamp(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	t := args[0].Type
	if !t.Datetime() && t.Base != value.TNull {
		return nil, value.Type{}, fmt.Errorf("UNIX_TIMESTAMP: argument must be a TIMESTAMP, not %s", t)
	}
	return strict(func(a []value.Value) (value.Value, error) { return value.NewInt(a[0].I), nil }),
		value.BigintType, nil
}

func bindToTimestamp(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needNumber(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	return strict(func(a []value.Value) (value.Value, error) {
		return value.NewTimestamp(intArg(a[0])), nil
	}), value.TimestampType, nil
}

// formatArg prepares a SimpleDateFormat argument: compiled at bind time when it is a literal, else at run
// time through a one-entry cache.
func formatArg(name string, a Arg) (func(s string) (*dateFormat, error), error) {
	if !a.textual() {
		return nil, fmt.Errorf("%s: the format must be a character string, not %s", name, a.Type)
	}
	if s, ok := a.constString(); ok {
		f, err := compileDateFormat(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return func(string) (*dateFormat, error) { return f, nil }, nil
	}
	cache := &regexCache[*dateFormat]{compile: compileDateFormat}
	return func(s string) (*dateFormat, error) {
		f, err := cache.get(s)
		if err != nil {
			return nil, &Error{Name: InvalidArgument, Message: err.Error()}
		}
		return f, nil
	}, nil
}

// bindCharTo binds CHAR_TO_TIMESTAMP(format, s) and its DATE and TIME siblings.
func bindCharTo(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	format, err := formatArg(name, args[0])
	if err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 1); err != nil {
		return nil, value.Type{}, err
	}
	rt := value.TimestampType
	mk := value.NewTimestamp
	switch name {
	case "CHAR_TO_DATE":
		rt, mk = value.DateType, func(ms int64) value.Value { return value.NewDate(floorDiv(ms, msPerDay) * msPerDay) }
	case "CHAR_TO_TIME":
		rt, mk = value.TimeType, func(ms int64) value.Value { return value.NewTime(mod(ms, msPerDay)) }
	}
	return strict(func(a []value.Value) (value.Value, error) {
		f, err := format(a[0].S)
		if err != nil {
			return value.Value{}, err
		}
		ms, err := f.parse(a[1].S)
		if err != nil {
			return value.Value{}, &Error{Name: TypeConversionError, Message: name + ": " + err.Error()}
		}
		return mk(ms), nil
	}), rt, nil
}

// bindToChar binds TIMESTAMP_TO_CHAR(format, ts) and its DATE and TIME siblings. A NULL time formats as
// the string 'null', as the KDA reference documents for TIMESTAMP_TO_CHAR; a NULL format gives NULL.
func bindToChar(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	format, err := formatArg(name, args[0])
	if err != nil {
		return nil, value.Type{}, err
	}
	t := args[1].Type
	if !t.Datetime() && t.Base != value.TNull {
		return nil, value.Type{}, fmt.Errorf("%s: argument 2 must be a datetime, not %s", name, t)
	}
	return func(a []value.Value) (value.Value, error) {
		if a[0].K == value.Null {
			return value.Value{}, nil
		}
		if a[1].K == value.Null {
			return value.NewString("null"), nil
		}
		f, err := format(a[0].S)
		if err != nil {
			return value.Value{}, err
		}
		var buf [64]byte
		return value.NewString(string(f.append(buf[:0], utc(a[1].I)))), nil
	}, value.VarcharType, nil
}
