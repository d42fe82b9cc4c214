package engine

import (
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Subqueries in expressions over a reference table: x [NOT] IN (SELECT c FROM T [WHERE ...]),
// [NOT] EXISTS (SELECT ... FROM T WHERE ...) and the scalar (SELECT c FROM T WHERE ...). A reference table is
// loaded before the application starts and never changes, so each is a lookup per outer row, as a join
// with the table is. The subquery's expressions compile against the table's row followed by the values of
// the outer names it uses; those are compiled by the enclosing query's compiler, so they read whatever the
// outer row is (a stream row, a joined row, a group's keys). Equalities between table and outer
// expressions in WHERE are served from tableJoin's index. A subquery over a stream stays refused: its
// result would change with every row of that stream.

// outerRefs are the enclosing query's expressions a subquery reads, at slots after the table's columns.
type outerRefs struct {
	c     *compiler // the enclosing query's
	base  int
	exprs []*cexpr
	names map[string]int
	fixed map[*sql.ColumnRef]int // names the planner made (IN's operand), not the code
}

func (o *outerRefs) add(ce *cexpr) int {
	o.exprs = append(o.exprs, ce)
	return len(o.exprs) - 1
}

func (o *outerRefs) slot(s *scope, i int) resolved {
	s.width = max(s.width, o.base+i+1)
	return resolved{slot: o.base + i, typ: o.exprs[i].typ}
}

// resolve gives the slot of an outer name, compiling it in the enclosing query once.
func (o *outerRefs) resolve(s *scope, ref *sql.ColumnRef) resolved {
	key := sql.Format(ref)
	i, ok := o.names[key]
	if !ok {
		i = o.add(o.c.expr(ref))
		o.names[key] = i
	}
	return o.slot(s, i)
}

// subquery is one subquery of an expression, planned over its reference table.
type subquery struct {
	sel   *sql.Select
	sc    *scope
	ic    *compiler // compiles the subquery's own expressions
	outer *outerRefs
	rows  [][]value.Value
	tw    int
	buf   []value.Value // the table's row, then the outer values
	e     env
}

// tableLookup finds the table rows for which a condition holds.
type tableLookup struct {
	idx  *tableJoin // the rows, and an index when the condition has equalities with outer values
	cond *cexpr     // nil: every row
}

// subquery plans q, the query of n, as a lookup in its reference table. refusal is what a subquery over a
// stream is told.
func (c *compiler) subquery(n sql.Node, q sql.QueryExpr, refusal string) *subquery {
	for {
		pq, ok := q.(*sql.ParenQuery)
		if !ok {
			break
		}
		q = pq.Query
	}
	sel, _ := q.(*sql.Select)
	var ref *sql.TableRef
	if sel != nil {
		ref, _ = sel.From.(*sql.TableRef)
	}
	if ref == nil || len(ref.Name) != 1 {
		if readsStream(c.p, q) {
			errorf(n, "%s", refusal)
		}
		errorf(n, "a subquery in an expression must be a SELECT from one reference table")
	}
	name := ref.Name[0].Name
	tb := c.p.tables[name]
	if tb == nil {
		if c.p.streams[name] != nil {
			errorf(n, "%s", refusal)
		}
		errorf(ref, "stream or table %s does not exist", quoteName(name))
	}
	if ref.Over != nil || ref.OverName != nil {
		errorf(ref, "a subquery on a reference table takes no window: it reads the whole table")
	}
	if sel.Stream || sel.GroupBy != nil || sel.Having != nil || sel.Stagger != nil || sel.Windows != nil || sel.OrderBy != nil {
		errorf(n, "a subquery in an expression looks rows of a reference table up: it takes no STREAM, GROUP BY, HAVING, WINDOW or ORDER BY")
	}
	rel := c.p.from(ref)
	s := &subquery{sel: sel, sc: rel.sc, rows: tb.Rows, tw: rel.sc.width}
	// An open table (`hydrant sql check` without schemas) names new columns past its width while the
	// outer values sit there too; it has no rows, so the slots are never read.
	s.outer = &outerRefs{c: c, base: s.tw, names: map[string]int{}, fixed: map[*sql.ColumnRef]int{}}
	s.sc.outer = s.outer
	s.ic = &compiler{p: c.p, sc: s.sc, noAggs: true}
	return s
}

// readsStream reports whether a query's FROM names an in-application or input stream anywhere.
func readsStream(p *planner, q sql.QueryExpr) bool {
	found := false
	var from func(t sql.TableExpr)
	var query func(q sql.QueryExpr)
	from = func(t sql.TableExpr) {
		switch t := t.(type) {
		case *sql.TableRef:
			if len(t.Name) == 1 && p.streams[t.Name[0].Name] != nil {
				found = true
			}
		case *sql.DerivedTable:
			query(t.Query)
		case *sql.Join:
			from(t.L)
			from(t.R)
		case *sql.TableFunc:
			found = true
		}
	}
	query = func(q sql.QueryExpr) {
		switch q := q.(type) {
		case *sql.Select:
			if q.From != nil {
				from(q.From)
			}
		case *sql.ParenQuery:
			query(q.Query)
		case *sql.SetOp:
			query(q.L)
			query(q.R)
		}
	}
	query(q)
	return found
}

// item compiles the one column the subquery selects (IN, scalar).
func (s *subquery) item(n sql.Node) (sql.Expr, *cexpr) {
	if len(s.sel.Items) != 1 {
		errorf(n, "this subquery must select one column, not %d", len(s.sel.Items))
	}
	x := s.sel.Items[0].Expr
	if _, ok := x.(*sql.Star); ok {
		if len(s.sc.cols) != 1 {
			errorf(n, "this subquery must select one column, not *")
		}
		c := s.sc.cols[0]
		x = &sql.ColumnRef{Parts: []sql.Ident{{Pos: sql.Start(x), Name: c.table, Quoted: true}, {Pos: sql.Start(x), Name: c.name, Quoted: true}}}
	}
	return x, s.ic.expr(x)
}

// lookup plans the rows of the table for which cond (nil: every row) is true.
func (s *subquery) lookup(cond sql.Expr) *tableLookup {
	l := &tableLookup{idx: &tableJoin{rows: s.rows}}
	if cond == nil {
		return l
	}
	l.cond = s.ic.expr(cond)
	s.ic.wantBool(cond, l.cond)
	l.idx.buildIndex(s.ic.p, cond, s.sc, relation{}, relation{}, false, s.tw)
	return l
}

// done sizes the row once every expression of the subquery is compiled.
func (s *subquery) done() { s.buf = make([]value.Value, s.sc.width) }

// usesTime reports whether the subquery reads the outer row's time.
func (s *subquery) usesTime() bool {
	for _, x := range s.outer.exprs {
		if x.usesTime {
			return true
		}
	}
	return false
}

// bind evaluates the outer values on the outer row's env and returns the env the subquery's expressions
// read.
func (s *subquery) bind(e *env) (*env, error) {
	for i, x := range s.outer.exprs {
		v, err := x.eval(e)
		if err != nil {
			return nil, err
		}
		s.buf[s.outer.base+i] = v
	}
	s.e = env{cols: s.buf, time: e.time}
	return &s.e, nil
}

// each calls fn, with the bound row holding the table row, for every row whose condition is true,
// until fn returns false.
func (l *tableLookup) each(s *subquery, e *env, fn func() (bool, error)) error {
	try := func(tr []value.Value) (bool, error) {
		copy(s.buf[:s.tw], tr)
		if l.cond != nil {
			v, err := l.cond.eval(e)
			if err != nil {
				return false, err
			}
			if v.K != value.Bool || v.I == 0 {
				return true, nil
			}
		}
		return fn()
	}
	if l.idx.index == nil {
		for _, tr := range l.idx.rows {
			if more, err := try(tr); err != nil || !more {
				return err
			}
		}
		return nil
	}
	clear(s.buf[:s.tw])
	key, null, err := l.idx.probeKey(e)
	if err != nil || null {
		return err
	}
	for _, i := range l.idx.index[string(key)] {
		if more, err := try(l.idx.rows[i]); err != nil || !more {
			return err
		}
	}
	return nil
}

// any reports whether some row satisfies the lookup's condition.
func (l *tableLookup) any(s *subquery, e *env) (bool, error) {
	found := false
	err := l.each(s, e, func() (bool, error) {
		found = true
		return false, nil
	})
	return found, err
}

// exists is [NOT] EXISTS (SELECT ... FROM T WHERE ...): whether a row of T satisfies WHERE.
func (c *compiler) exists(x *sql.Exists) *cexpr {
	s := c.subquery(x, x.Query, "subqueries in expressions are not supported in streaming queries")
	for _, it := range s.sel.Items {
		if _, star := it.Expr.(*sql.Star); !star {
			s.ic.expr(it.Expr) // the select list is not read, but its names must exist
		}
	}
	l := s.lookup(s.sel.Where)
	s.done()
	return &cexpr{eval: func(e *env) (value.Value, error) {
		ie, err := s.bind(e)
		if err != nil {
			return value.Value{}, err
		}
		found, err := l.any(s, ie)
		if err != nil {
			return value.Value{}, err
		}
		return value.NewBool(found), nil
	}, typ: value.BooleanType, usesTime: s.usesTime()}
}

// scalarSubquery is (SELECT c FROM T WHERE ...): c of the one row WHERE selects, NULL for none, and an
// error for more than one.
func (c *compiler) scalarSubquery(x *sql.Subquery) *cexpr {
	s := c.subquery(x, x.Query, "subqueries in expressions are not supported in streaming queries")
	_, item := s.item(x)
	l := s.lookup(s.sel.Where)
	s.done()
	return &cexpr{eval: func(e *env) (value.Value, error) {
		ie, err := s.bind(e)
		if err != nil {
			return value.Value{}, err
		}
		var out value.Value
		n := 0
		err = l.each(s, ie, func() (bool, error) {
			if n++; n > 1 {
				return false, &evalError{"Cardinality_violation", "a scalar subquery returned more than one row"}
			}
			v, err := item.eval(ie)
			out = v
			return err == nil, err
		})
		if err != nil {
			return value.Value{}, err
		}
		return out, nil
	}, typ: item.typ, usesTime: s.usesTime()}
}

// inQuery is x [NOT] IN (SELECT c FROM T [WHERE w]), with SQL's three values: TRUE when some row of w has
// c = x; otherwise NULL when x is NULL or such a row has a NULL c, and the set is not empty; else FALSE.
// The equality x = c joins w's in the index, so a match is one lookup.
func (c *compiler) inQuery(x *sql.In) *cexpr {
	a := c.expr(x.X)
	s := c.subquery(x, x.Query, "IN (subquery) is not supported in streaming queries")
	itemX, item := s.item(x)
	where := s.sel.Where
	set := s.lookup(where)
	// x gets a slot of its own among the outer values, under a name no code can write.
	opRef := &sql.ColumnRef{Parts: []sql.Ident{{Pos: sql.Start(x.X), Name: "IN operand", Quoted: true}}}
	op := s.outer.add(a)
	s.outer.fixed[opRef] = op
	var cond sql.Expr = &sql.BinaryExpr{Op: "=", L: opRef, R: itemX}
	if where != nil {
		cond = &sql.BinaryExpr{Op: "AND", L: where, R: cond}
	}
	hit := s.lookup(cond)
	tableOnly := s.tableOnly(itemX)
	s.done()
	// The rows whose c is NULL, when c reads the table's row alone: the only ones that can make a missed
	// x NULL. Otherwise every row of w is looked at.
	nulls := set
	if tableOnly {
		nulls = &tableLookup{idx: &tableJoin{}, cond: set.cond}
		e := &env{cols: s.buf}
		for _, tr := range s.rows {
			copy(s.buf[:s.tw], tr)
			if v, err := item.eval(e); err == nil && v.K == value.Null {
				nulls.idx.rows = append(nulls.idx.rows, tr)
			}
		}
	}
	opSlot, not := s.outer.base+op, x.Not
	return c.derive(a, func(e *env) (value.Value, error) {
		ie, err := s.bind(e)
		if err != nil {
			return value.Value{}, err
		}
		var found bool
		if s.buf[opSlot].K == value.Null {
			found, err = set.any(s, ie)
			if err != nil || found {
				return value.Value{}, err
			}
			return value.NewBool(not), nil
		}
		if found, err = hit.any(s, ie); err != nil || found {
			return value.NewBool(!not), err
		}
		sawNull := false
		err = nulls.each(s, ie, func() (bool, error) {
			v, err := item.eval(ie)
			sawNull = err == nil && v.K == value.Null
			return !sawNull, err
		})
		if err != nil || sawNull {
			return value.Value{}, err
		}
		return value.NewBool(not), nil
	}, value.BooleanType, s.outer.exprs...)
}

// tableOnly reports whether x reads nothing but the subquery's table row.
func (s *subquery) tableOnly(x sql.Expr) bool {
	ok := true
	walkExpr(x, func(n sql.Expr) bool {
		switch n := n.(type) {
		case *sql.ColumnRef:
			if r := s.sc.resolve(n); r.slot < 0 || r.slot >= s.tw {
				ok = false
			}
		case *sql.Subquery, *sql.Exists:
			ok = false
		case *sql.In:
			ok = ok && n.Query == nil
		case *sql.FuncCall:
			if len(n.Args) == 0 {
				ok = false
			}
		}
		return ok
	})
	return ok
}
