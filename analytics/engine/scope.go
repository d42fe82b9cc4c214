package engine

import (
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// A scope is what the names of one SELECT can see: the columns of its FROM clause, each at a slot of the
// row the operators pass along. A join's row is its left row followed by its right row; each side's ROWTIME
// is kept in a hidden slot so that L.ROWTIME and R.ROWTIME both resolve.

type column struct {
	table string // the alias or stream name that qualifies it ("" for a derived table without alias)
	name  string
	typ   value.Type
	slot  int
	// isTime marks a column that holds its row's ROWTIME (SELECT ROWTIME AS t): a reference to it is the
	// row's time, so a window on it is a window on ROWTIME.
	isTime bool
	// qualifiedOnly marks a key column of a USING or NATURAL join on one side: SELECT * and an unqualified
	// name see the key once, as the join's own column, while s.key and t.key still reach each side's.
	qualifiedOnly bool
}

type scope struct {
	opens []*openInput // columns of Open inputs and tables appear as the code names them
	cols  []column
	times map[string]int // table -> slot of its ROWTIME, for joins; absent means the row's own time
	width int            // slots in a row of this scope, hidden ones included
	// outer is set on the scope of a subquery in an expression: names its table lacks are the enclosing
	// query's (tablelookup in tablejoin.go).
	outer *outerRefs
}

// columns returns the visible columns (what SELECT * yields).
func (s *scope) visible(qual string) []column {
	var out []column
	for _, c := range s.cols {
		if qual == "" && !c.qualifiedOnly || qual != "" && c.table == qual {
			out = append(out, c)
		}
	}
	return out
}

func (s *scope) hasTable(name string) bool {
	for _, c := range s.cols {
		if c.table == name {
			return true
		}
	}
	_, ok := s.times[name]
	return ok
}

// resolved is what a column reference turns into.
type resolved struct {
	slot   int // -1 for the row's ROWTIME
	typ    value.Type
	fields []int // a path into ROW-typed values: T.REC.COLUMN1
}

func isRowtime(id sql.Ident) bool { return id.Name == "ROWTIME" }

// resolve looks a column reference up. KDA's names are case-sensitive: an unquoted name was upper-cased
// by the parser and matches only an upper-case column.
func (s *scope) resolve(ref *sql.ColumnRef) resolved {
	parts := ref.Parts
	if s.outer != nil {
		if i, ok := s.outer.fixed[ref]; ok {
			return s.outer.slot(s, i)
		}
	}
	// ROWTIME, T.ROWTIME.
	if len(parts) == 1 && isRowtime(parts[0]) && s.find("", "ROWTIME") < 0 {
		return resolved{slot: -1, typ: value.TimestampType}
	}
	if len(parts) == 2 && isRowtime(parts[1]) && s.hasTable(parts[0].Name) && s.find(parts[0].Name, "ROWTIME") < 0 {
		if slot, ok := s.times[parts[0].Name]; ok {
			return resolved{slot: slot, typ: value.TimestampType}
		}
		return resolved{slot: -1, typ: value.TimestampType}
	}
	// APPROXIMATE_ARRIVAL_TIME is the record's arrival in the source log: the same instant as ROWTIME here.
	if last := parts[len(parts)-1]; last.Name == "APPROXIMATE_ARRIVAL_TIME" && len(parts) <= 2 {
		qual := ""
		if len(parts) == 2 {
			qual = parts[0].Name
		}
		if s.find(qual, last.Name) < 0 && (qual == "" || s.hasTable(qual)) {
			if slot, ok := s.times[qual]; ok && qual != "" {
				return resolved{slot: slot, typ: value.TimestampType}
			}
			return resolved{slot: -1, typ: value.TimestampType}
		}
	}
	var (
		i    int
		rest []sql.Ident
	)
	switch {
	case len(parts) >= 2 && s.hasTable(parts[0].Name) && s.find(parts[0].Name, parts[1].Name) >= 0:
		i = s.find(parts[0].Name, parts[1].Name)
		rest = parts[2:]
	case s.find("", parts[0].Name) >= 0:
		i = s.find("", parts[0].Name)
		if n := s.count(parts[0].Name); n > 1 {
			errorf(ref, "column %s is ambiguous", quoteName(parts[0].Name))
		}
		rest = parts[1:]
	case s.openFor(parts) != nil:
		o := s.openFor(parts)
		name := parts[0].Name
		if len(parts) > 1 {
			name = parts[1].Name
		}
		i = o.add(s, name)
		rest = nil
	case len(parts) >= 2 && s.hasTable(parts[0].Name):
		errorf(ref, "column %s not found in %s", quoteName(parts[1].Name), quoteName(parts[0].Name))
	case s.outer != nil:
		// A subquery's name that its own table lacks is the enclosing query's (a correlated reference).
		return s.outer.resolve(s, ref)
	default:
		if len(parts) >= 2 {
			errorf(ref, "column %s not found: no column or table %s", sql.Format(ref), quoteName(parts[0].Name))
		}
		errorf(ref, "column %s not found", quoteName(parts[0].Name))
	}
	c := s.cols[i]
	if c.isTime && len(rest) == 0 {
		return resolved{slot: -1, typ: value.TimestampType}
	}
	r := resolved{slot: c.slot, typ: c.typ}
	for _, f := range rest {
		if r.typ.Base != value.TRow {
			errorf(ref, "%s is not a ROW: it has no field %s", sql.Format(ref), quoteName(f.Name))
		}
		fi := r.typ.FieldIndex(f.Name)
		if fi < 0 {
			errorf(ref, "ROW %s has no field %s", sql.Format(ref), quoteName(f.Name))
		}
		r.fields = append(r.fields, fi)
		r.typ = r.typ.Fields[fi].Type
	}
	return r
}

func (s *scope) find(table, name string) int {
	for i, c := range s.cols {
		if c.name == name && (table == "" && !c.qualifiedOnly || table != "" && c.table == table) {
			return i
		}
	}
	return -1
}

func (s *scope) count(name string) int {
	n := 0
	for _, c := range s.cols {
		if c.name == name && !c.qualifiedOnly {
			n++
		}
	}
	return n
}

// quoteName writes a name as KDA error messages do: in double quotes.
func quoteName(s string) string { return `"` + s + `"` }

// openInput is an input stream or reference table whose columns are discovered from the code
// (Input.Open, Table.Open).
type openInput struct {
	table  string
	cols   *[]value.Column
	offset int // slot of the input's first column in the scope's rows (a join's right side)
}

// openFor finds the open input a reference may name a new column of: the one its qualifier names, or
// the first for an unqualified name.
func (s *scope) openFor(parts []sql.Ident) *openInput {
	if len(s.opens) == 0 {
		return nil
	}
	if len(parts) == 1 {
		return s.opens[0]
	}
	for _, o := range s.opens {
		if o.table == parts[0].Name {
			return o
		}
	}
	return nil
}

// add makes name a column of the open input (and of the scope reading it), once.
func (o *openInput) add(s *scope, name string) int {
	if i := s.find(o.table, name); i >= 0 {
		return i
	}
	slot := o.offset + len(*o.cols)
	*o.cols = append(*o.cols, value.Column{Name: name, Type: value.NullType})
	s.cols = append(s.cols, column{table: o.table, name: name, typ: value.NullType, slot: slot})
	s.width = max(s.width, slot+1)
	return len(s.cols) - 1
}
