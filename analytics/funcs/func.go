package funcs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Arg is what the planner knows about one argument at plan time.
type Arg struct {
	Type  value.Type
	Const *value.Value // non-nil when the argument is a literal (regexes, formats, column specs, units)
}

// Impl evaluates a bound call. args has one Value per argument. It must not retain args.
type Impl func(args []value.Value) (value.Value, error)

// Func is a scalar function. Bind checks the arguments (count, types, constants), prepares per-call-site
// state (a compiled regex, a parsed date format, a ROW result type) and returns the implementation and
// result type. Bind errors are plain messages; the planner adds line and column.
type Func struct {
	Name string
	Bind func(args []Arg) (Impl, value.Type, error)
}

var registry = map[string]*Func{}

// register adds a function under its name and any aliases. It is called from init functions only.
func register(bind func(name string, args []Arg) (Impl, value.Type, error), names ...string) {
	for _, n := range names {
		name := n
		registry[name] = &Func{Name: name, Bind: func(args []Arg) (Impl, value.Type, error) { return bind(name, args) }}
	}
}

// Lookup finds a function by its upper-case name, e.g. "UPPER".
func Lookup(name string) (*Func, bool) {
	f, ok := registry[name]
	return f, ok
}

// Names lists the registered functions, sorted: what `hydrant sql` can offer and tests can walk.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Error is an evaluation error that sends the row to error_stream: Name is KDA's ERROR_NAME style
// (e.g. "Type_conversion_error", "Invalid_regex", "Division_by_zero"), Message human text.
type Error struct{ Name, Message string }

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// The error names this package reports.
const (
	TypeConversionError = "Type_conversion_error"
	InvalidRegex        = "Invalid_regex"
	DivisionByZero      = "Division_by_zero"
	InvalidArgument     = "Invalid_argument"
	NumericOverflow     = "Numeric_value_out_of_range"
)

func errorf(name, format string, a ...any) *Error {
	return &Error{Name: name, Message: fmt.Sprintf(format, a...)}
}

// strict wraps an Impl so that it returns NULL when any argument is NULL, which is what almost every SQL
// function does; the functions that treat NULL otherwise (COALESCE, NULLIF, TIMESTAMP_TO_CHAR) do not use it.
func strict(f Impl) Impl {
	return func(args []value.Value) (value.Value, error) {
		for i := range args {
			if args[i].K == value.Null {
				return value.Value{}, nil
			}
		}
		return f(args)
	}
}

// argCount checks the number of arguments against [min, max].
func argCount(name string, args []Arg, min, max int) error {
	n := len(args)
	if n >= min && n <= max {
		return nil
	}
	switch {
	case min == max && min == 1:
		return fmt.Errorf("%s takes 1 argument", name)
	case min == max:
		return fmt.Errorf("%s takes %d arguments", name, min)
	case max == min+1:
		return fmt.Errorf("%s takes %d or %d arguments", name, min, max)
	}
	return fmt.Errorf("%s takes %d to %d arguments", name, min, max)
}

// isNull reports whether an argument is the NULL literal or of the NULL type: such an argument fits any
// parameter.
func (a Arg) isNull() bool { return a.Type.Base == value.TNull }

func (a Arg) textual() bool { return a.isNull() || a.Type.Textual() }
func (a Arg) numeric() bool { return a.isNull() || a.Type.Numeric() }
func (a Arg) integer() bool { return a.isNull() || a.Type.Kind() == value.Int }

// constString returns a literal string argument.
func (a Arg) constString() (string, bool) {
	if a.Const == nil || a.Const.K != value.String {
		return "", false
	}
	return a.Const.S, true
}

// constInt returns a literal integer argument (an exact number with no fraction).
func (a Arg) constInt() (int64, bool) {
	if a.Const == nil {
		return 0, false
	}
	switch a.Const.K {
	case value.Int:
		return a.Const.I, true
	case value.Decimal, value.Double:
		f := a.Const.F
		if f == float64(int64(f)) {
			return int64(f), true
		}
	}
	return 0, false
}

func needText(name string, args []Arg, idx ...int) error {
	for _, i := range idx {
		if !args[i].textual() {
			return fmt.Errorf("%s: argument %d must be a character string, not %s", name, i+1, args[i].Type)
		}
	}
	return nil
}

func needNumber(name string, args []Arg, idx ...int) error {
	for _, i := range idx {
		if !args[i].numeric() {
			return fmt.Errorf("%s: argument %d must be a number, not %s", name, i+1, args[i].Type)
		}
	}
	return nil
}

func needInteger(name string, args []Arg, idx ...int) error {
	for _, i := range idx {
		if !args[i].integer() {
			return fmt.Errorf("%s: argument %d must be an integer, not %s", name, i+1, args[i].Type)
		}
	}
	return nil
}

// unitArg reads a constant unit name (EXTRACT, FLOOR_TO): upper-cased, spaces trimmed.
func unitArg(name string, a Arg) (string, error) {
	s, ok := a.constString()
	if !ok {
		return "", fmt.Errorf("%s: the unit must be a constant", name)
	}
	return strings.ToUpper(strings.TrimSpace(s)), nil
}

// intArg returns an integer argument's value at run time (numbers with a fraction are truncated, as
// Java's int conversion does).
func intArg(v value.Value) int64 {
	if v.K == value.Int {
		return v.I
	}
	return int64(v.F)
}
