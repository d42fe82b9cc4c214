package funcs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hydrantio/hydrant/analytics/value"
)

// The log parsing functions split a line of text into the fields of a ROW, which a query reads as
// T.REC.COLUMN1 or, through AS l(r), as l.r.COLUMN1. A line that does not match gives a NULL ROW; a field
// that does not convert to its column's type is an error row (Type_conversion_error). The ROW's fields are
// substrings of the input, not copies.

func init() {
	// The FAST_REGEX_LOG_PARSER page's syntax line and examples call it FAST_REGEX_LOG_PARSE.
	register(bindRegexLogParse, "REGEX_LOG_PARSE", "FAST_REGEX_LOG_PARSER", "FAST_REGEX_LOG_PARSE")
	register(bindW3CLogParse, "W3C_LOG_PARSE")
	register(bindVariableColumnLogParse, "VARIABLE_COLUMN_LOG_PARSE")
	register(bindFixedColumnLogParse, "FIXED_COLUMN_LOG_PARSE")
	register(bindSysLogParse, "SYS_LOG_PARSE")
}

// regexColumnType is the type of REGEX_LOG_PARSE's COLUMNn fields, per the reference.
var regexColumnType = value.Varchar(1024)

// logRegex is a compiled line pattern and the columns its groups fill.
type logRegex struct {
	re   *javaRegex
	cols []columnSpec
}

// row matches s against the whole pattern and converts each group.
func (l *logRegex) row(s string) (value.Value, error) {
	m, err := l.re.find(s)
	if err != nil {
		return value.Value{}, err
	}
	if m == nil {
		return value.Value{}, nil
	}
	out := make([]value.Value, len(l.cols))
	for i := range l.cols {
		g := i + 1
		if 2*g+1 >= len(m) || m[2*g] < 0 {
			continue
		}
		v, err := l.cols[i].convert(s[m[2*g]:m[2*g+1]])
		if err != nil {
			return value.Value{}, err
		}
		out[i] = v
	}
	return value.NewRow(out), nil
}

// anchored compiles a Java pattern to match a whole line, as Matcher.matches() does.
func anchored(p string) (*javaRegex, error) {
	re, err := compileJava(p)
	if err != nil {
		return nil, err
	}
	return re.anchored(p)
}

// bindRegexLogParse binds REGEX_LOG_PARSE(s, regex[, columns]): the regular expression must match the
// whole line; its groups, left to right, fill COLUMN1..COLUMNn VARCHAR(1024), or the columns named and
// typed by the optional specification. FAST_REGEX_LOG_PARSER takes the same arguments and matches lazily,
// without backtracking (logparse_fast.go).
func bindRegexLogParse(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 3); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0, 1); err != nil {
		return nil, value.Type{}, err
	}
	pat, ok := args[1].constString()
	if !ok {
		return nil, value.Type{}, fmt.Errorf("%s: the regular expression must be a constant", name)
	}
	re, err := anchored(pat)
	if err != nil {
		return nil, value.Type{}, fmt.Errorf("%s: %w", name, err)
	}
	cols := numberedColumns(re.NumSubexp(), regexColumnType)
	if len(args) == 3 {
		spec, ok := args[2].constString()
		if !ok {
			return nil, value.Type{}, fmt.Errorf("%s: the column list must be a constant string", name)
		}
		if cols, err = parseColumnSpecsDefault(spec, false, &regexColumnType); err != nil {
			return nil, value.Type{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(cols) == 0 {
		return nil, value.Type{}, fmt.Errorf("%s: the regular expression %q has no groups", name, pat)
	}
	if name != "REGEX_LOG_PARSE" {
		// A pattern the decomposition does not cover, or whose decomposition the backtracking engine
		// reads otherwise (it is stricter than RE2 with a few escapes, and reads a [ inside a class as
		// RE2 does, not as Java's union), is matched as REGEX_LOG_PARSE matches it.
		if fp, n, ok := fastPattern(pat); ok {
			if fre, err := anchored(fp); err == nil && fre.NumSubexp() == 2*n {
				if len(args) == 2 {
					// A group inside a group is a precedence only: the columns are the outer groups.
					cols = numberedColumns(n, regexColumnType)
				}
				f := &fastRegex{re: fre, cols: cols}
				return strict(func(a []value.Value) (value.Value, error) { return f.row(a[0].S) }), rowType(cols), nil
			}
		}
	}
	l := &logRegex{re: re, cols: cols}
	return strict(func(a []value.Value) (value.Value, error) { return l.row(a[0].S) }), rowType(cols), nil
}

// w3cFormats are W3C_LOG_PARSE's predefined formats (Apache LogFormat strings).
var w3cFormats = map[string]string{
	"COMMON":            `%h %l %u %t "%r" %>s %b`,
	"COMMON WITH VHOST": `%v %h %l %u %t "%r" %>s %b`,
	"NCSA EXTENDED":     `%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"`,
	"COMBINED":          `%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"`,
	"REFERER":           `%[Referer]i ---> %U`,
	"AGENT":             `%[User-agent]i`,
}

// compileApacheFormat turns an Apache log format into a whole-line pattern with one group per specifier.
// %t takes the bracketed time ([10/Oct/2000:13:55:36 -0700], brackets included, as Apache writes it),
// unless the format puts the brackets around it: "If you change %t to [%t], the date column contains the
// following: 24/May/2004:22:01:02 -0700". Any other field runs up to the first character of the literal
// text after it, or to the end of the line.
func compileApacheFormat(f string) (*regexp.Regexp, int, error) {
	type piece struct {
		lit  string
		spec byte
		arg  string
	}
	var pieces []piece
	var lit strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '\\' && i+1 < len(f) {
			// The page writes its custom COMMON as '%h %l %u %t \"%r\" %>s %b', quotes escaped as in an
			// Apache LogFormat directive, and says "The same results would be created". Apache reads \n
			// and \t as a newline and a tab, and any other escaped character as itself.
			i++
			switch f[i] {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			default:
				lit.WriteByte(f[i])
			}
			continue
		}
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("!<>,0123456789", f[j]) >= 0 {
			j++
		}
		arg := ""
		if j < len(f) && (f[j] == '{' || f[j] == '[') {
			closer := byte('}')
			if f[j] == '[' {
				closer = ']'
			}
			end := strings.IndexByte(f[j:], closer)
			if end < 0 {
				return nil, 0, fmt.Errorf("invalid log format %q: unterminated %c", f, f[j])
			}
			arg, j = f[j+1:j+end], j+end+1
		}
		if j >= len(f) || !(f[j] >= 'a' && f[j] <= 'z' || f[j] >= 'A' && f[j] <= 'Z') {
			return nil, 0, fmt.Errorf("invalid log format %q: incomplete specifier at %d", f, i+1)
		}
		if lit.Len() > 0 {
			pieces = append(pieces, piece{lit: lit.String()})
			lit.Reset()
		}
		pieces = append(pieces, piece{spec: f[j], arg: arg})
		i = j
	}
	if lit.Len() > 0 {
		pieces = append(pieces, piece{lit: lit.String()})
	}
	var b strings.Builder
	b.WriteString(`^`)
	groups := 0
	for i, p := range pieces {
		if p.spec == 0 {
			b.WriteString(regexp.QuoteMeta(p.lit))
			continue
		}
		groups++
		switch {
		case p.spec == 't' && p.arg == "" && !(i > 0 && strings.HasSuffix(pieces[i-1].lit, "[")):
			b.WriteString(`(\[[^\]]*\])`)
		case i+1 < len(pieces) && pieces[i+1].spec == 0:
			b.WriteString(`([^` + regexp.QuoteMeta(pieces[i+1].lit[:1]) + `]*)`)
		case i+1 < len(pieces):
			b.WriteString(`(\S*)`)
		default:
			b.WriteString(`(.*)`)
		}
	}
	b.WriteString(`$`)
	if groups == 0 {
		return nil, 0, fmt.Errorf("invalid log format %q: no specifiers", f)
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, 0, fmt.Errorf("invalid log format %q: %w", f, err)
	}
	return re, groups, nil
}

// bindW3CLogParse binds W3C_LOG_PARSE(s, format): format is a predefined name (COMMON, COMMON WITH VHOST,
// NCSA EXTENDED, REFERER, AGENT) or an Apache LogFormat string; the ROW has one VARCHAR(1024) column per
// specifier, COLUMN1..COLUMNn. The status and byte count stay text, so that a '-' byte count reads as
// written.
func bindW3CLogParse(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0, 1); err != nil {
		return nil, value.Type{}, err
	}
	f, ok := args[1].constString()
	if !ok {
		return nil, value.Type{}, fmt.Errorf("%s: the format must be a constant", name)
	}
	named := strings.Join(strings.Fields(strings.ToUpper(f)), " ")
	if pre, ok := w3cFormats[named]; ok {
		f = pre
	} else if named == "IIS" {
		// The W3C_LOG_PARSE page lists IIS among the predefined formats but, unlike the others, gives no
		// format specifiers for it, so which fields it splits a line into is not known.
		return nil, value.Type{}, fmt.Errorf("%s: the IIS format is not supported: the reference does not give its format specifiers; write them as a custom format", name)
	} else if !strings.Contains(f, "%") {
		return nil, value.Type{}, fmt.Errorf("%s: unknown format %q (COMMON, COMMON WITH VHOST, NCSA EXTENDED, REFERER, AGENT, or an Apache log format)", name, f)
	}
	re, n, err := compileApacheFormat(f)
	if err != nil {
		return nil, value.Type{}, fmt.Errorf("%s: %w", name, err)
	}
	l := &logRegex{re: &javaRegex{re2: re, groups: n}, cols: numberedColumns(n, regexColumnType)}
	return strict(func(a []value.Value) (value.Value, error) { return l.row(a[0].S) }), rowType(l.cols), nil
}

// splitter splits a line at a delimiter string, honouring an escape character (the next character is
// literal) and quote characters (delimiters between them are literal; the quotes are dropped).
type splitter struct {
	delim       string
	escape      byte // 0 for none
	qOpen, qEnd byte // 0 for none
	plain       bool // no escape and no quotes: fields are substrings
	maxFields   int
}

// split calls emit for each field, at most maxFields of them, and stops there.
func (sp *splitter) split(s string, emit func(i int, field string) error) error {
	if sp.plain {
		for i := 0; i < sp.maxFields; i++ {
			j := strings.Index(s, sp.delim)
			if j < 0 {
				return emit(i, s)
			}
			if err := emit(i, s[:j]); err != nil {
				return err
			}
			s = s[j+len(sp.delim):]
		}
		return nil
	}
	var b strings.Builder
	field := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case sp.escape != 0 && c == sp.escape && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case inQuote && (c == sp.qEnd || c == sp.qOpen):
			// "The <begin quote character> can be used to start and end the quoted string, or the <begin
			// quote character> can start the quoted string and the <end quote character> used to end that
			// quoted string."
			inQuote = false
		case !inQuote && sp.qOpen != 0 && c == sp.qOpen:
			inQuote = true
		case !inQuote && strings.HasPrefix(s[i:], sp.delim):
			if err := emit(field, b.String()); err != nil {
				return err
			}
			b.Reset()
			field++
			if field >= sp.maxFields {
				return nil
			}
			i += len(sp.delim) - 1
		default:
			b.WriteByte(c)
		}
	}
	return emit(field, b.String())
}

// bindVariableColumnLogParse binds VARIABLE_COLUMN_LOG_PARSE(s, columns, delimiter[, escape, quote]).
// columns is a number of VARCHAR columns (COLUMN1..n) or a specification ('COL_1 TYPE VARCHAR(16), ...').
// A line with fewer fields leaves the last columns NULL; fields beyond the last column are dropped.
func bindVariableColumnLogParse(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 3, 5); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	var cols []columnSpec
	if n, ok := args[1].constInt(); ok {
		if n < 1 || n > maxColumns {
			return nil, value.Type{}, fmt.Errorf("%s: the number of columns must be 1 to %d, not %d", name, maxColumns, n)
		}
		cols = numberedColumns(int(n), value.Varchar(1024))
	} else if spec, ok := args[1].constString(); ok {
		var err error
		if cols, err = parseColumnSpecs(spec, false); err != nil {
			return nil, value.Type{}, fmt.Errorf("%s: %w", name, err)
		}
	} else {
		return nil, value.Type{}, fmt.Errorf("%s: the columns must be a constant number or column list", name)
	}
	sp := &splitter{maxFields: len(cols)}
	var ok bool
	if sp.delim, ok = args[2].constString(); !ok || sp.delim == "" {
		return nil, value.Type{}, fmt.Errorf("%s: the delimiter must be a constant, non-empty string", name)
	}
	if len(args) >= 4 {
		esc, ok := args[3].constString()
		if !ok && !args[3].isNull() || len(esc) > 1 {
			return nil, value.Type{}, fmt.Errorf("%s: the escape must be a constant of at most one character", name)
		}
		if esc != "" {
			sp.escape = esc[0]
		}
	}
	if len(args) == 5 {
		q, ok := args[4].constString()
		if !ok && !args[4].isNull() || len(q) > 2 {
			return nil, value.Type{}, fmt.Errorf("%s: the quote must be a constant of one or two characters", name)
		}
		if q != "" {
			sp.qOpen, sp.qEnd = q[0], q[len(q)-1]
		}
	}
	sp.plain = sp.escape == 0 && sp.qOpen == 0
	return strict(func(a []value.Value) (value.Value, error) {
		out := make([]value.Value, len(cols))
		err := sp.split(a[0].S, func(i int, field string) error {
			v, err := cols[i].convert(field)
			out[i] = v
			return err
		})
		if err != nil {
			return value.Value{}, err
		}
		return value.NewRow(out), nil
	}), rowType(cols), nil
}

// bindFixedColumnLogParse binds FIXED_COLUMN_LOG_PARSE(s, columns): each column is the text at START
// (0-based) FOR its width, or to the end of the line; a line too short for a column leaves it NULL.
func bindFixedColumnLogParse(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	spec, ok := args[1].constString()
	if !ok {
		return nil, value.Type{}, fmt.Errorf("%s: the column list must be a constant string", name)
	}
	cols, err := parseColumnSpecs(spec, true)
	if err != nil {
		return nil, value.Type{}, fmt.Errorf("%s: %w", name, err)
	}
	return strict(func(a []value.Value) (value.Value, error) {
		s := a[0].S
		out := make([]value.Value, len(cols))
		for i := range cols {
			c := &cols[i]
			start := runeOffset(s, int64(c.start))
			if start >= len(s) {
				continue
			}
			field := s[start:]
			if c.length >= 0 {
				field = field[:runeOffset(field, int64(c.length))]
			}
			v, err := c.convert(field)
			if err != nil {
				return value.Value{}, err
			}
			out[i] = v
		}
		return value.NewRow(out), nil
	}), rowType(cols), nil
}

var sysLogFormat, _ = compileDateFormat("MMM d HH:mm:ss")

// bindSysLogParse binds SYS_LOG_PARSE(s) on "Mon DD HH:MM:SS server message" lines: COLUMN1 is the
// TIMESTAMP (in 1970, as the line has no year and SimpleDateFormat defaults it so), COLUMN2 the rest.
func bindSysLogParse(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	t := value.Type{Base: value.TRow, Fields: []value.Field{
		{Name: "COLUMN1", Type: value.TimestampType}, {Name: "COLUMN2", Type: value.VarcharType}}}
	return strict(func(a []value.Value) (value.Value, error) {
		s := a[0].S
		// "Nov  2 10:00:00": the day is space-padded to two characters.
		if len(s) < 15 {
			return value.Value{}, nil
		}
		stamp := strings.Replace(s[:15], "  ", " ", 1)
		ms, err := sysLogFormat.parse(stamp)
		if err != nil {
			return value.Value{}, nil
		}
		return value.NewRow([]value.Value{value.NewTimestamp(ms), value.NewString(strings.TrimLeft(s[15:], " "))}), nil
	}), t, nil
}
