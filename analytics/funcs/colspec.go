package funcs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hydrantio/hydrant/analytics/value"
)

// A column specification is the text argument of the log parsing functions that names and types the
// fields of the ROW they return:
//
//	'COL_1 TYPE VARCHAR(16), COL_2 TYPE INTEGER NOT NULL'        (VARIABLE_COLUMN_LOG_PARSE)
//	'C1 VARCHAR(10), C2 DECIMAL(10, 2)'                           (TYPE is optional)
//	'"when" TYPE TIMESTAMP ''dd/MMM/yyyy:HH:mm:ss'' START 0 FOR 20' (FIXED_COLUMN_LOG_PARSE)
//
// Unquoted names are upper-cased, as SQL identifiers are; "quoted" names keep their case.

type columnSpec struct {
	name    string
	typ     value.Type
	notNull bool
	format  *dateFormat // a datetime column's SimpleDateFormat, when given
	start   int         // FIXED_COLUMN_LOG_PARSE: 0-based start
	length  int         // FIXED_COLUMN_LOG_PARSE: width, -1 for the rest of the line
	hasPos  bool
}

// maxColumns bounds a specification, so that a number of columns taken from a query cannot make a huge
// ROW type.
const maxColumns = 1024

// parseColumnSpecs parses a column specification. fixed says whether START/FOR positions are expected.
func parseColumnSpecs(spec string, fixed bool) ([]columnSpec, error) {
	return parseColumnSpecsDefault(spec, fixed, nil)
}

// parseColumnSpecsDefault is parseColumnSpecs where a column may leave out its type and get def, as
// REGEX_LOG_PARSE's column list allows ('<columnname> [ <datatype> ]').
func parseColumnSpecsDefault(spec string, fixed bool, def *value.Type) ([]columnSpec, error) {
	items, err := splitTopLevel(spec)
	if err != nil {
		return nil, err
	}
	if len(items) > maxColumns {
		return nil, fmt.Errorf("too many columns (%d, at most %d)", len(items), maxColumns)
	}
	cols := make([]columnSpec, 0, len(items))
	seen := map[string]bool{}
	for _, item := range items {
		c, err := parseColumnSpec(strings.TrimSpace(item), fixed, def)
		if err != nil {
			return nil, err
		}
		if seen[c.name] {
			return nil, fmt.Errorf("duplicate column %s", c.name)
		}
		seen[c.name] = true
		cols = append(cols, c)
	}
	return cols, nil
}

// splitTopLevel splits at commas outside parentheses and quotes.
func splitTopLevel(s string) ([]string, error) {
	var items []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				if i+1 < len(s) && s[i+1] == quote {
					i++
				} else {
					quote = 0
				}
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return nil, fmt.Errorf("unbalanced ')' in column specification %q", s)
			}
			depth--
		case c == ',' && depth == 0:
			items = append(items, s[start:i])
			start = i + 1
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in column specification %q", s)
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '(' in column specification %q", s)
	}
	items = append(items, s[start:])
	for _, it := range items {
		if strings.TrimSpace(it) == "" {
			return nil, fmt.Errorf("empty column in specification %q", s)
		}
	}
	return items, nil
}

func parseColumnSpec(item string, fixed bool, def *value.Type) (columnSpec, error) {
	c := columnSpec{length: -1}
	rest := item
	if strings.HasPrefix(rest, `"`) {
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return c, fmt.Errorf("unterminated quoted column name in %q", item)
		}
		c.name, rest = rest[1:1+end], rest[2+end:]
	} else {
		end := strings.IndexAny(rest, " \t\r\n")
		if end < 0 {
			end = len(rest)
		}
		c.name, rest = strings.ToUpper(rest[:end]), rest[end:]
	}
	if c.name == "" {
		return c, fmt.Errorf("empty column name in %q", item)
	}
	rest = strings.TrimSpace(rest)
	if w, after := firstWord(rest); strings.EqualFold(w, "TYPE") {
		rest = after
	}
	// The type runs up to the first keyword or quote that follows it.
	end := len(rest)
	depth := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '\'':
			if depth == 0 && i < end {
				end = i
			}
		case ' ', '\t':
			if depth == 0 {
				w, _ := firstWord(strings.TrimSpace(rest[i:]))
				if u := strings.ToUpper(w); u == "NOT" || u == "START" || u == "FOR" {
					end = min(end, i)
				}
			}
		}
	}
	typeText := strings.TrimSpace(rest[:end])
	rest = strings.TrimSpace(rest[end:])
	var t value.Type
	switch {
	case typeText != "":
		var err error
		if t, err = value.ParseType(typeText); err != nil {
			return c, fmt.Errorf("column %s: %w", c.name, err)
		}
	case def != nil:
		t = *def
	default:
		return c, fmt.Errorf("column %s has no type", c.name)
	}
	if t.Base == value.TRow {
		return c, fmt.Errorf("column %s: a ROW cannot be a log column", c.name)
	}
	c.typ = t
	for rest != "" {
		if rest[0] == '\'' {
			f, after, err := quoted(rest)
			if err != nil {
				return c, fmt.Errorf("column %s: %w", c.name, err)
			}
			if !t.Datetime() {
				return c, fmt.Errorf("column %s: only DATE, TIME and TIMESTAMP columns take a format", c.name)
			}
			if c.format, err = compileDateFormat(f); err != nil {
				return c, fmt.Errorf("column %s: %w", c.name, err)
			}
			rest = after
			continue
		}
		w, after := firstWord(rest)
		switch strings.ToUpper(w) {
		case "NOT":
			w2, after2 := firstWord(after)
			if !strings.EqualFold(w2, "NULL") {
				return c, fmt.Errorf("column %s: expected NULL after NOT", c.name)
			}
			c.notNull, rest = true, after2
		case "START", "FOR":
			if !fixed {
				return c, fmt.Errorf("column %s: %s is only for FIXED_COLUMN_LOG_PARSE", c.name, strings.ToUpper(w))
			}
			num, after2 := firstWord(after)
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > 1<<20 {
				return c, fmt.Errorf("column %s: bad %s position %q", c.name, strings.ToUpper(w), num)
			}
			if strings.EqualFold(w, "START") {
				c.start, c.hasPos = n, true
			} else {
				c.length = n
			}
			rest = after2
		default:
			return c, fmt.Errorf("column %s: unexpected %q", c.name, w)
		}
	}
	if fixed && !c.hasPos {
		return c, fmt.Errorf("column %s has no START position", c.name)
	}
	return c, nil
}

// firstWord splits off the first space-separated word.
func firstWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\r\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// quoted reads a '...' literal (” is a quote) at the start of s.
func quoted(s string) (string, string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), strings.TrimSpace(s[i+1:]), nil
		}
		b.WriteByte(s[i])
	}
	return "", "", fmt.Errorf("unterminated quote in %q", s)
}

// rowType is the ROW type of columns.
func rowType(cols []columnSpec) value.Type {
	t := value.Type{Base: value.TRow, Fields: make([]value.Field, len(cols))}
	for i, c := range cols {
		t.Fields[i] = value.Field{Name: c.name, Type: c.typ}
	}
	return t
}

// numberedColumns is COLUMN1..COLUMNn of type t.
func numberedColumns(n int, t value.Type) []columnSpec {
	cols := make([]columnSpec, n)
	for i := range cols {
		cols[i] = columnSpec{name: "COLUMN" + strconv.Itoa(i+1), typ: t, length: -1}
	}
	return cols
}

// convert turns a field's text into the column's type. An empty field of a non-text column is NULL.
func (c *columnSpec) convert(s string) (value.Value, error) {
	if c.typ.Base == value.TVarchar && c.typ.Len == 0 {
		return value.NewString(s), nil
	}
	if !c.typ.Textual() {
		s = strings.TrimSpace(s)
		if s == "" {
			if c.notNull {
				return value.Value{}, errorf(TypeConversionError, "column %s is NOT NULL but the field is empty", c.name)
			}
			return value.Value{}, nil
		}
	}
	if c.format != nil {
		ms, err := c.format.parse(s)
		if err != nil {
			return value.Value{}, &Error{Name: TypeConversionError, Message: "column " + c.name + ": " + err.Error()}
		}
		switch c.typ.Base {
		case value.TDate:
			return value.NewDate(floorDiv(ms, msPerDay) * msPerDay), nil
		case value.TTime:
			return value.NewTime(mod(ms, msPerDay)), nil
		}
		return value.NewTimestamp(ms), nil
	}
	v, err := Cast(value.NewString(s), c.typ)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return value.Value{}, &Error{Name: e.Name, Message: "column " + c.name + ": " + e.Message}
		}
		return value.Value{}, err
	}
	return v, nil
}
