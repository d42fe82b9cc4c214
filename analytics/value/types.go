package value

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hydrantio/hydrant/analytics/sql"
)

// Base is a SQL type's name, as KDA's Data Types page lists them.
type Base uint8

// The base types.
const (
	TNull Base = iota // the type of a bare NULL literal
	TBoolean
	TTinyint
	TSmallint
	TInteger
	TBigint
	TDecimal
	TReal
	TDouble
	TChar
	TVarchar
	TBinary
	TVarbinary
	TDate
	TTime
	TTimestamp
	TInterval      // day-time
	TIntervalMonth // year-month
	TRow
)

var baseNames = [...]string{"NULL", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DECIMAL", "REAL",
	"DOUBLE", "CHAR", "VARCHAR", "BINARY", "VARBINARY", "DATE", "TIME", "TIMESTAMP", "INTERVAL DAY TO SECOND",
	"INTERVAL YEAR TO MONTH", "ROW"}

var baseKinds = [...]Kind{Null, Bool, Int, Int, Int, Int, Decimal, Double, Double, String, String, Binary, Binary,
	Date, Time, Timestamp, Interval, Months, Row}

func (b Base) String() string { return baseNames[b] }

// Type is a SQL type: its base, length or precision and scale where it has them, and a ROW's fields.
type Type struct {
	Base      Base
	Len       int // CHAR/VARCHAR/BINARY/VARBINARY length, DECIMAL precision; 0 when not given
	Scale     int // DECIMAL scale
	Fields    []Field
	NotNull   bool
	hasLength bool
	// From and To are an interval's qualifier (INTERVAL DAY TO HOUR: UnitDay, UnitHour); NoUnit for an
	// interval of the default one, DAY TO SECOND or YEAR TO MONTH.
	From, To Unit
}

// Unit is a field of an interval qualifier, from the largest down.
type Unit uint8

// The fields of interval qualifiers.
const (
	NoUnit Unit = iota
	UnitYear
	UnitMonth
	UnitDay
	UnitHour
	UnitMinute
	UnitSecond
)

var unitNames = [...]string{"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"}

func (u Unit) String() string { return unitNames[u] }

func unitOf(name string) Unit {
	for i, n := range unitNames {
		if i > 0 && n == name {
			return Unit(i)
		}
	}
	return NoUnit
}

// Qualified gives an interval type the qualifier unit [TO toUnit] (as SQL writes them: "DAY", "HOUR"). A
// qualifier of the other kind of interval (YEAR TO MONTH on a day-time interval), or one that is not
// one, leaves t as it is.
func (t Type) Qualified(unit, toUnit string) Type {
	from, to := unitOf(unit), unitOf(toUnit)
	if toUnit == "" {
		to = from
	}
	months := func(u Unit) bool { return u == UnitYear || u == UnitMonth }
	switch {
	case from == NoUnit || to == NoUnit || to < from || months(from) != months(to):
	case t.Base == TInterval && !months(from), t.Base == TIntervalMonth && months(from):
		t.From, t.To = from, to
	}
	return t
}

// Qualifier gives an interval type's qualifier, the default one when it has none.
func (t Type) Qualifier() (from, to Unit) {
	switch {
	case t.From != NoUnit:
		return t.From, t.To
	case t.Base == TIntervalMonth:
		return UnitYear, UnitMonth
	}
	return UnitDay, UnitSecond
}

// JoinIntervals is the type of the sum or difference of two intervals of one kind: the qualifier that
// spans both (INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR is DAY TO HOUR).
func JoinIntervals(a, b Type) Type {
	if a.From == NoUnit || b.From == NoUnit {
		a.From, a.To = NoUnit, NoUnit
		return a
	}
	a.From, a.To = min(a.From, b.From), max(a.To, b.To)
	return a
}

// Field is one field of a ROW type.
type Field struct {
	Name string
	Type Type
}

// Common types.
var (
	NullType      = Type{Base: TNull}
	BooleanType   = Type{Base: TBoolean}
	IntegerType   = Type{Base: TInteger}
	BigintType    = Type{Base: TBigint}
	DoubleType    = Type{Base: TDouble}
	VarcharType   = Type{Base: TVarchar}
	TimestampType = Type{Base: TTimestamp}
	DateType      = Type{Base: TDate}
	TimeType      = Type{Base: TTime}
	IntervalType  = Type{Base: TInterval}
)

// Varchar is VARCHAR(n).
func Varchar(n int) Type { return Type{Base: TVarchar, Len: n, hasLength: n > 0} }

// Kind is the representation of the type's values.
func (t Type) Kind() Kind { return baseKinds[t.Base] }

// Numeric reports whether t is a number type.
func (t Type) Numeric() bool { k := t.Kind(); return k == Int || k == Decimal || k == Double }

// Textual reports whether t is CHAR or VARCHAR.
func (t Type) Textual() bool { return t.Base == TChar || t.Base == TVarchar }

// Datetime reports whether t is a DATE, TIME or TIMESTAMP.
func (t Type) Datetime() bool { return t.Base == TDate || t.Base == TTime || t.Base == TTimestamp }

// String is the type as SQL writes it: VARCHAR(16), DECIMAL(10,2), TIMESTAMP.
func (t Type) String() string {
	s := t.Base.String()
	switch t.Base {
	case TInterval, TIntervalMonth:
		if t.From != NoUnit {
			s = "INTERVAL " + t.From.String()
			if t.To != t.From {
				s += " TO " + t.To.String()
			}
		}
	case TChar, TVarchar, TBinary, TVarbinary:
		if t.Len > 0 {
			s += "(" + strconv.Itoa(t.Len) + ")"
		}
	case TDecimal:
		if t.Len > 0 {
			s += "(" + strconv.Itoa(t.Len) + "," + strconv.Itoa(t.Scale) + ")"
		}
	case TRow:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.Name + " " + f.Type.String()
		}
		s += "(" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// FieldIndex finds a ROW type's field by name, exactly, then ignoring case; -1 if there is none.
func (t Type) FieldIndex(name string) int {
	for i, f := range t.Fields {
		if f.Name == name {
			return i
		}
	}
	for i, f := range t.Fields {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

var typeNames = map[string]Base{
	"BOOLEAN": TBoolean, "TINYINT": TTinyint, "SMALLINT": TSmallint, "INTEGER": TInteger, "INT": TInteger,
	"BIGINT": TBigint, "DECIMAL": TDecimal, "NUMERIC": TDecimal, "DEC": TDecimal, "REAL": TReal, "FLOAT": TDouble,
	"DOUBLE": TDouble, "DOUBLE PRECISION": TDouble, "CHAR": TChar, "CHARACTER": TChar, "VARCHAR": TVarchar,
	"CHARACTER VARYING": TVarchar, "CHAR VARYING": TVarchar, "STRING": TVarchar, "BINARY": TBinary,
	"VARBINARY": TVarbinary, "BINARY VARYING": TVarbinary, "DATE": TDate, "TIME": TTime, "TIMESTAMP": TTimestamp,
	"TIMESTAMP(3)": TTimestamp,
}

// FromSQL converts a parsed data type. Errors say what is wrong, and the caller adds the position.
func FromSQL(dt *sql.DataType) (Type, error) {
	name := strings.ToUpper(dt.Name)
	if name == "ROW" {
		t := Type{Base: TRow}
		for _, f := range dt.Fields {
			ft, err := FromSQL(f.Type)
			if err != nil {
				return Type{}, err
			}
			t.Fields = append(t.Fields, Field{Name: f.Name.Name, Type: ft})
		}
		return t, nil
	}
	if strings.HasPrefix(name, "INTERVAL") {
		if strings.Contains(name, "YEAR") || strings.Contains(name, "MONTH") && !strings.Contains(name, "TO SECOND") {
			unit, toUnit, _ := strings.Cut(strings.TrimPrefix(name, "INTERVAL "), " TO ")
			return Type{Base: TIntervalMonth}.Qualified(unit, toUnit), nil
		}
		unit, toUnit, _ := strings.Cut(strings.TrimPrefix(name, "INTERVAL "), " TO ")
		return Type{Base: TInterval}.Qualified(unit, toUnit), nil
	}
	b, ok := typeNames[name]
	if !ok {
		return Type{}, fmt.Errorf("unknown data type %s", dt.Name)
	}
	t := Type{Base: b}
	args := make([]int, 0, 2)
	for _, a := range dt.Args {
		n, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil || n < 0 {
			return Type{}, fmt.Errorf("bad argument %q of data type %s", a, dt.Name)
		}
		args = append(args, n)
	}
	switch b {
	case TChar, TVarchar, TBinary, TVarbinary:
		if len(args) > 1 {
			return Type{}, fmt.Errorf("%s takes one length", dt.Name)
		}
		if len(args) == 1 {
			t.Len, t.hasLength = args[0], true
		} else if b == TChar || b == TBinary {
			t.Len = 1
		}
	case TDecimal:
		if len(args) > 2 {
			return Type{}, fmt.Errorf("%s takes a precision and a scale", dt.Name)
		}
		t.Len, t.Scale = 19, 0 // SQLstream's default precision
		if len(args) >= 1 {
			t.Len = args[0]
		}
		if len(args) == 2 {
			t.Scale = args[1]
		}
		if t.Scale > t.Len {
			return Type{}, fmt.Errorf("scale %d is larger than precision %d", t.Scale, t.Len)
		}
	case TTimestamp, TTime:
		// TIMESTAMP(p) is accepted; values keep millisecond precision.
	default:
		if len(args) > 0 {
			return Type{}, fmt.Errorf("data type %s takes no arguments", dt.Name)
		}
	}
	return t, nil
}

// ParseType parses a type written as text, such as a RecordColumn's SqlType "VARCHAR(4)" or "DECIMAL(10, 2)".
func ParseType(s string) (Type, error) {
	dt, err := sql.ParseDataType(s)
	if err != nil {
		return Type{}, err
	}
	return FromSQL(dt)
}

// Column is a named, typed column of an in-application stream or table.
type Column struct {
	Name string
	Type Type
}
