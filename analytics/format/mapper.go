package format

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Mapper turns records into rows of an input's columns. It is compiled once from the input schema;
// Map then scans each record once, looking only at the members the column paths name.
//
// A Mapper is not safe for concurrent use: it reuses its row and scratch buffers between records.
type Mapper struct {
	cols  []column
	vcols []value.Column
	csv   bool

	// JSON
	rowPath []step // after $; empty when rows are the record itself
	root    *node
	flat    []int // columns inside the flattened array, if the schema flattens one
	fixed   []int // the other columns, when there is a flattened array: the same in each of its rows

	// CSV
	rowDelim, colDelim []byte
	quotes             bool

	// Per record.
	rec     []byte
	s       string
	hasStr  bool
	toks    []tok
	row     []value.Value
	stack   []byte
	scratch []byte
	rows    []int // starts of the row objects found by rowPath
	flatAt  int   // offset of the flattened array in the current row, or -1
	flatN   *node
}

type column struct {
	name  string
	typ   value.Type
	steps []step
}

// node is one position in the trie of the column paths: the columns that take the value found there
// whole, and the members and elements to look into.
type node struct {
	cols []int
	next int // the member after the last one found: records of a stream list their members in the same order
	keys []keyChild
	idx  []idxChild
	all  *node // [0:] followed by more steps: the array is flattened, one row per element
}

type keyChild struct {
	key string
	n   *node
}

type idxChild struct {
	i int
	n *node
}

func (n *node) key(k []byte) *node {
	if n.next < len(n.keys) && n.keys[n.next].key == string(k) {
		n.next++
		return n.keys[n.next-1].n
	}
	for i := range n.keys {
		if n.keys[i].key == string(k) {
			n.next = i + 1
			return n.keys[i].n
		}
	}
	return nil
}

func (n *node) index(i int) *node {
	for _, c := range n.idx {
		if c.i == i {
			return c.n
		}
	}
	return nil
}

// maxColumns is RecordColumns' limit in the KDA API (SourceSchema: "Maximum number of 1000 items").
const maxColumns = 1000

// NewMapper compiles an input schema. Its errors are messages for an InvalidArgumentException: they
// name the column and what is wrong with it.
func NewMapper(f RecordFormat, cols []Column) (*Mapper, error) {
	m := &Mapper{flatAt: -1}
	switch strings.ToUpper(f.Type) {
	case "JSON":
	case "CSV":
		m.csv = true
	default:
		return nil, fmt.Errorf("RecordFormatType %q is not JSON or CSV", f.Type)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("RecordColumns is empty")
	}
	if len(cols) > maxColumns {
		return nil, fmt.Errorf("RecordColumns has %d columns, more than %d", len(cols), maxColumns)
	}
	seen := make(map[string]bool, len(cols))
	for _, c := range cols {
		if c.Name == "" {
			return nil, fmt.Errorf("RecordColumn has an empty Name")
		}
		if len(c.Name) > 256 || strings.ContainsAny(c.Name, "-<>&") || strings.IndexFunc(c.Name, unicode.IsSpace) >= 0 {
			return nil, fmt.Errorf("RecordColumn %q: Name must be at most 256 characters without white space, -, <, > or &", c.Name)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("RecordColumn %s appears twice", c.Name)
		}
		seen[c.Name] = true
		t, err := value.ParseType(c.SQLType)
		if err != nil {
			return nil, fmt.Errorf("RecordColumn %s: SqlType %q: %w", c.Name, c.SQLType, err)
		}
		switch t.Base {
		case value.TNull, value.TInterval, value.TIntervalMonth, value.TRow:
			return nil, fmt.Errorf("RecordColumn %s: SqlType %q cannot be the type of an input column", c.Name, c.SQLType)
		}
		m.cols = append(m.cols, column{name: c.Name, typ: t})
		m.vcols = append(m.vcols, value.Column{Name: c.Name, Type: t})
	}
	m.toks = make([]tok, len(cols))
	m.row = make([]value.Value, len(cols))
	if m.csv {
		return m, m.compileCSV(f, cols)
	}
	return m, m.compileJSON(f, cols)
}

func (m *Mapper) compileCSV(f RecordFormat, cols []Column) error {
	for _, c := range cols {
		if c.Mapping != "" {
			return fmt.Errorf("RecordColumn %s: Mapping %q is not allowed for CSV, whose columns are positional", c.Name, c.Mapping)
		}
	}
	if f.RowDelimiter == "" {
		return fmt.Errorf("CSVMappingParameters.RecordRowDelimiter is missing")
	}
	if f.ColumnDelimiter == "" {
		return fmt.Errorf("CSVMappingParameters.RecordColumnDelimiter is missing")
	}
	if f.RowDelimiter == f.ColumnDelimiter {
		return fmt.Errorf("CSVMappingParameters: RecordRowDelimiter and RecordColumnDelimiter are both %q", f.RowDelimiter)
	}
	m.rowDelim, m.colDelim = []byte(f.RowDelimiter), []byte(f.ColumnDelimiter)
	m.quotes = !strings.Contains(f.RowDelimiter, `"`) && !strings.Contains(f.ColumnDelimiter, `"`)
	return nil
}

func (m *Mapper) compileJSON(f RecordFormat, cols []Column) error {
	rp := f.RecordRowPath
	if rp == "" {
		rp = "$"
	}
	var err error
	if m.rowPath, err = parsePath(rp); err != nil {
		return fmt.Errorf("JSONMappingParameters.RecordRowPath: %w", err)
	}
	m.root = &node{}
	flatPrefix := ""
	for i, c := range cols {
		if c.Mapping == "" {
			return fmt.Errorf("RecordColumn %s: Mapping is required for JSON", c.Name)
		}
		steps, err := parsePath(c.Mapping)
		if err != nil {
			return fmt.Errorf("RecordColumn %s: Mapping: %w", c.Name, err)
		}
		// A mapping written from the record's root through the row path ($.records[0:].id with
		// RecordRowPath $.records[0:]) is read from the row.
		if len(m.rowPath) > 0 && hasPrefix(steps, m.rowPath) {
			steps = steps[len(m.rowPath):]
		}
		// $.orders[0:] as the last step is the array itself, as text.
		if n := len(steps); n > 0 && steps[n-1].kind == stepAll {
			steps = steps[:n-1]
		}
		m.cols[i].steps = steps
		n := m.root
		for k, s := range steps {
			switch s.kind {
			case stepKey:
				next := n.key([]byte(s.key))
				if next == nil {
					next = &node{}
					n.keys = append(n.keys, keyChild{s.key, next})
				}
				n = next
			case stepIndex:
				next := n.index(s.index)
				if next == nil {
					next = &node{}
					n.idx = append(n.idx, idxChild{s.index, next})
				}
				n = next
			case stepAll:
				prefix := pathString(steps[:k+1])
				if flatPrefix != "" && prefix != flatPrefix {
					return fmt.Errorf("RecordColumn %s: Mapping %q flattens a second array (%s is flattened already): only one array can be flattened in a schema", c.Name, c.Mapping, flatPrefix)
				}
				flatPrefix = prefix
				if n.all == nil {
					n.all = &node{}
				}
				n = n.all
				m.flat = append(m.flat, i)
			}
		}
		n.cols = append(n.cols, i)
	}
	if len(m.flat) > 0 {
		for i := range m.cols {
			if !slices.Contains(m.flat, i) {
				m.fixed = append(m.fixed, i)
			}
		}
	}
	return nil
}

func hasPrefix(steps, prefix []step) bool {
	if len(steps) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if steps[i] != p {
			return false
		}
	}
	return true
}

// Columns returns the input's columns, names and parsed types, in order.
func (m *Mapper) Columns() []value.Column { return m.vcols }

// Map parses one record payload and calls emit for each row it yields. The row slice is reused after
// emit returns: the caller copies what it keeps (the strings in it are immutable and may be kept) and
// does not write to it (the rows of a flattened array share their other columns). A row that fails is
// not emitted: onErr, which may be nil, receives why, and mapping goes on with the next row. Map never
// panics on any input.
func (m *Mapper) Map(rec []byte, emit func(row []value.Value), onErr func(err *MapError)) {
	m.rec, m.hasStr, m.s = rec, false, ""
	if m.csv {
		m.mapCSV(rec, emit, onErr)
	} else {
		m.mapJSON(rec, emit, onErr)
	}
	m.rec, m.s = nil, "" // the rows emitted keep what they need of the record
}

func report(onErr func(*MapError), e *MapError) {
	if onErr != nil {
		onErr(e)
	}
}

func notJSON() *MapError { return &MapError{Name: ErrParse, Message: "record is not valid JSON"} }

func parseError(format string, args ...any) *MapError {
	return &MapError{Name: ErrParse, Message: fmt.Sprintf(format, args...)}
}

func (m *Mapper) mapJSON(b []byte, emit func([]value.Value), onErr func(*MapError)) {
	i := 0
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		i = 3 // a UTF-8 byte order mark, which some producers write
	}
	i = skipSpace(b, i)
	if len(m.rowPath) == 0 && i < len(b) && b[i] == '{' {
		// The common case: the record is the row.
		end, ok := m.scanRow(b, i)
		if !ok {
			report(onErr, notJSON())
			return
		}
		if j := skipSpace(b, end); j != len(b) {
			report(onErr, parseError("record has data after its JSON value at offset %d", j))
			return
		}
		m.emitRows(emit, onErr)
		return
	}
	m.rows = m.rows[:0]
	end, ok := m.findRows(b, i, m.rowPath)
	if !ok {
		report(onErr, notJSON())
		return
	}
	if j := skipSpace(b, end); j != len(b) {
		report(onErr, parseError("record has data after its JSON value at offset %d", j))
		return
	}
	if len(m.rows) == 0 {
		report(onErr, parseError("record has no object at RecordRowPath"))
		return
	}
	for _, start := range m.rows {
		if _, ok := m.scanRow(b, start); !ok {
			report(onErr, notJSON()) // not reached: findRows validated the record
			continue
		}
		m.emitRows(emit, onErr)
	}
}

// findRows walks the row path from b[i] and records the offsets of the row objects it leads to. An
// array at the end of the path is a list of rows. It validates what it skips.
func (m *Mapper) findRows(b []byte, i int, steps []step) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	if len(steps) == 0 {
		switch b[i] {
		case '{':
			m.rows = append(m.rows, i)
			return m.skip(b, i)
		case '[':
			return m.eachElement(b, i, func(j, _ int) (int, bool) {
				if b[j] == '{' {
					m.rows = append(m.rows, j)
				}
				return m.skip(b, j)
			})
		}
		return m.skip(b, i)
	}
	s := steps[0]
	switch {
	case s.kind == stepKey && b[i] == '{':
		return m.eachMember(b, i, func(key []byte, j int) (int, bool) {
			if string(key) == s.key {
				return m.findRows(b, j, steps[1:])
			}
			return m.skip(b, j)
		})
	case s.kind != stepKey && b[i] == '[':
		return m.eachElement(b, i, func(j, k int) (int, bool) {
			if s.kind == stepAll || k == s.index {
				return m.findRows(b, j, steps[1:])
			}
			return m.skip(b, j)
		})
	}
	return m.skip(b, i)
}

func (m *Mapper) skip(b []byte, i int) (int, bool) {
	end, stack, ok := skipValue(b, i, m.stack)
	m.stack = stack
	return end, ok
}

// eachMember calls f with each member's key (decoded) and the offset of its value; f returns the
// offset after the value.
func (m *Mapper) eachMember(b []byte, i int, f func(key []byte, j int) (int, bool)) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		end, esc, ok := scanString(b, i)
		if !ok {
			return 0, false
		}
		key := b[i+1 : end-1]
		if esc {
			key = appendUnquoted(nil, key)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return 0, false
		}
		if i, ok = f(key, i); !ok {
			return 0, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// eachElement calls f with the offset and index of each element of the array at b[i].
func (m *Mapper) eachElement(b []byte, i int, f func(j, k int) (int, bool)) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for k := 0; ; k++ {
		if i >= len(b) {
			return 0, false
		}
		var ok bool
		if i, ok = f(i, k); !ok {
			return 0, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// scanRow reads the row object at b[i] into m.toks.
func (m *Mapper) scanRow(b []byte, i int) (int, bool) {
	clear(m.toks)
	m.flatAt, m.flatN = -1, nil
	return m.scanValue(b, i, m.root)
}

// scanValue reads the value at b[i] (not space) for trie node n: it records the value for the
// columns that end at n and descends into the members and elements n has children for. The
// recursion is as deep as the longest column path, never deeper: what no path names is skipped
// without recursion.
func (m *Mapper) scanValue(b []byte, i int, n *node) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	var t tok
	end := 0
	ok := false
	switch c := b[i]; {
	case c == '{':
		if len(n.keys) == 0 {
			end, ok = m.skip(b, i)
		} else {
			end, ok = m.scanObject(b, i, n)
		}
		t = tok{kind: tokObject, start: i, end: end}
	case c == '[':
		if len(n.idx) == 0 && n.all == nil {
			end, ok = m.skip(b, i)
		} else {
			if n.all != nil {
				m.flatAt, m.flatN = i, n.all
			}
			end, ok = m.scanArray(b, i, n)
		}
		t = tok{kind: tokArray, start: i, end: end}
	default:
		t, end, ok = scalar(b, i)
	}
	if !ok {
		return 0, false
	}
	for _, c := range n.cols {
		m.toks[c] = t
	}
	return end, true
}

func (m *Mapper) scanObject(b []byte, i int, n *node) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		end, esc, ok := scanString(b, i)
		if !ok {
			return 0, false
		}
		key := b[i+1 : end-1]
		if esc {
			m.scratch = appendUnquoted(m.scratch[:0], key)
			key = m.scratch
		}
		child := n.key(key)
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipSpace(b, i+1)
		if child != nil {
			i, ok = m.scanValue(b, i, child)
		} else {
			i, ok = m.skip(b, i)
		}
		if !ok {
			return 0, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// scanArray reads the elements that index children name; a flattened array's elements are read
// later, one row each, by emitRows.
func (m *Mapper) scanArray(b []byte, i int, n *node) (int, bool) {
	return m.eachElement(b, i, func(j, k int) (int, bool) {
		if child := n.index(k); child != nil {
			return m.scanValue(b, j, child)
		}
		return m.skip(b, j)
	})
}

// emitRows emits the row read by scanRow, or one row per element of its flattened array. An array
// "is always flattened to at least one row": an empty or missing one gives a row whose flattened
// columns are NULL (about-json-path.html).
func (m *Mapper) emitRows(emit func([]value.Value), onErr func(*MapError)) {
	if m.flatAt < 0 {
		m.emitRow(emit, onErr)
		return
	}
	// The columns outside the array are coerced once for all its rows. One that fails fails each row.
	bad := -1
	for _, i := range m.fixed {
		if !m.coerce(&m.cols[i], m.toks[i], &m.row[i]) {
			bad = i
			break
		}
	}
	b, at, fn := m.rec, m.flatAt, m.flatN
	rows := 0
	// The array was validated by the scan, so the element walk cannot fail.
	m.eachElement(b, at, func(j, _ int) (int, bool) {
		for _, c := range m.flat {
			m.toks[c] = tok{}
		}
		end, ok := m.scanValue(b, j, fn)
		if ok {
			m.emitFlat(bad, emit, onErr)
			rows++
		}
		return end, ok
	})
	if rows == 0 {
		for _, c := range m.flat {
			m.toks[c] = tok{}
		}
		m.emitFlat(bad, emit, onErr)
	}
}

// emitFlat emits a row of a flattened array, whose other columns are in m.row already (bad is the
// one that failed, or -1).
func (m *Mapper) emitFlat(bad int, emit func([]value.Value), onErr func(*MapError)) {
	if bad >= 0 {
		report(onErr, m.conversionError(&m.cols[bad], m.toks[bad]))
		return
	}
	for _, i := range m.flat {
		if !m.coerce(&m.cols[i], m.toks[i], &m.row[i]) {
			report(onErr, m.conversionError(&m.cols[i], m.toks[i]))
			return
		}
	}
	emit(m.row)
}

func (m *Mapper) emitRow(emit func([]value.Value), onErr func(*MapError)) {
	for i := range m.cols {
		if !m.coerce(&m.cols[i], m.toks[i], &m.row[i]) {
			report(onErr, m.conversionError(&m.cols[i], m.toks[i]))
			return
		}
	}
	emit(m.row)
}
