package engine

import (
	"slices"
	"strconv"

	"github.com/hydrantio/hydrant/analytics/funcs"
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// The planner walks an application's statements in order, as KDA runs them: CREATE STREAM declares an
// in-application stream, CREATE FUNCTION a SQL function, CREATE PUMP plans its query into operators
// wired between streams. It always builds live operators into an Instance: Compile builds one to find
// the errors and throws it away; Start builds the one that runs. So there is one code path, and an
// application that compiles is exactly the one that runs.

type streamDef struct {
	name   string
	cols   []value.Column
	input  int // index in Config.Inputs, or -1
	node   *streamNode
	open   bool // Input.Open
	pos    sql.Pos
	filled bool // a pump inserts into it
	read   bool // a pump reads it
}

type planner struct {
	cfg        Config
	inst       *Instance
	streams    map[string]*streamDef
	order      []*streamDef // every stream declared, in declaration order
	tables     map[string]*Table
	udfs       map[string]*sql.CreateFunction
	pumps      map[string]bool
	udfDepth   int
	errs       Errors
	pump       string // the pump being planned, for error rows
	windowDefs map[*compiler][]*windowDef
}

func newPlanner(cfg Config, inst *Instance) *planner {
	p := &planner{cfg: cfg, inst: inst, streams: map[string]*streamDef{}, tables: map[string]*Table{},
		udfs: map[string]*sql.CreateFunction{}, pumps: map[string]bool{}}
	for i, in := range cfg.Inputs {
		// A copy: an open input's columns grow as the code names them, and the caller's must not.
		d := &streamDef{name: in.Name, cols: slices.Clone(in.Columns), input: i, open: in.Open}
		d.node = &streamNode{def: d}
		p.streams[in.Name] = d
		p.order = append(p.order, d)
		inst.inputs = append(inst.inputs, d.node.port())
	}
	for i := range cfg.Tables {
		t := cfg.Tables[i]
		t.Columns = slices.Clone(t.Columns)
		p.tables[t.Name] = &t
	}
	return p
}

// guard runs one statement's planning and turns a planError into a reported error.
func (p *planner) guard(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(planError)
			if !ok {
				panic(r)
			}
			p.errs = append(p.errs, pe.err)
		}
	}()
	fn()
}

func (p *planner) script(s *sql.Script) {
	for _, st := range s.Stmts {
		p.guard(func() { p.stmt(st) })
	}
}

func (p *planner) stmt(st sql.Stmt) {
	switch st := st.(type) {
	case *sql.CreateStream:
		p.createStream(st)
	case *sql.CreateFunction:
		name := st.Name.Name
		if p.udfs[name] != nil && !st.OrReplace {
			errorf(st, "function %s already exists", quoteName(name))
		}
		p.udfs[name] = st
		// Check the body now, against its parameters.
		args := make([]*cexpr, len(st.Params))
		for i, prm := range st.Params {
			t, err := value.FromSQL(prm.Type)
			if err != nil {
				errorf(prm.Type, "%v", err)
			}
			args[i] = &cexpr{eval: func(*env) (value.Value, error) { return value.Value{}, nil }, typ: t}
		}
		c := &compiler{p: p, sc: &scope{}, noAggs: true}
		c.udf(&sql.FuncCall{Name: st.Name}, st, args)
	case *sql.CreatePump:
		name := st.Name.Name
		if p.pumps[name] && !st.OrReplace {
			errorf(st, "pump %s already exists", quoteName(name))
		}
		p.pumps[name] = true
		p.pump = name
		p.insert(st.Insert)
	case *sql.Insert:
		p.pump = ""
		p.insert(st)
	case *sql.CreateTable:
		errorf(st, "CREATE TABLE is not part of Kinesis Data Analytics SQL: declare in-application streams with CREATE STREAM, and tables as reference data")
	case *sql.CreateView:
		errorf(st, "CREATE VIEW is not supported: use CREATE STREAM and a PUMP")
	case *sql.QueryStmt:
		errorf(st, "a query on its own does not run in an application: put it in a CREATE PUMP ... AS INSERT INTO ...")
	default:
		errorf(st, "unsupported statement")
	}
}

func (p *planner) createStream(st *sql.CreateStream) {
	name := st.Name.Name
	if old := p.streams[name]; old != nil {
		if old.input >= 0 {
			errorf(st, "stream %s is an input of the application", quoteName(name))
		}
		if !st.OrReplace {
			errorf(st, "stream %s already exists", quoteName(name))
		}
		if old.filled || old.read {
			errorf(st, "stream %s is used by a pump and cannot be replaced", quoteName(name))
		}
	}
	if len(st.Columns) == 0 {
		errorf(st, "stream %s has no columns", quoteName(name))
	}
	d := &streamDef{name: name, input: -1, pos: st.Pos}
	seen := map[string]bool{}
	for _, c := range st.Columns {
		if c.Type == nil {
			errorf(c.Name, "column %s needs a type", quoteName(c.Name.Name))
		}
		if seen[c.Name.Name] {
			errorf(c.Name, "duplicate column %s", quoteName(c.Name.Name))
		}
		seen[c.Name.Name] = true
		t, err := value.FromSQL(c.Type)
		if err != nil {
			errorf(c.Type, "%v", err)
		}
		t.NotNull = c.NotNull
		d.cols = append(d.cols, value.Column{Name: c.Name.Name, Type: t})
	}
	d.node = &streamNode{def: d}
	p.streams[name] = d
	p.order = append(p.order, d)
}

// advanceIdle lets the instance advance the streams no pump fills: they stay empty, but what reads them
// (a join, a window) must still see time pass.
func (p *planner) advanceIdle() {
	for _, d := range p.order {
		if d.input < 0 && len(d.node.wm) == 0 && p.streams[d.name] == d {
			p.inst.inputs = append(p.inst.inputs, d.node.port())
		}
	}
}

// insert plans INSERT INTO stream [(cols)] query.
func (p *planner) insert(ins *sql.Insert) {
	d := p.streams[ins.Into.Name]
	if d == nil {
		if _, ok := p.tables[ins.Into.Name]; ok {
			errorf(ins.Into, "%s is a reference table: pumps insert into streams", quoteName(ins.Into.Name))
		}
		errorf(ins.Into, "stream %s does not exist", quoteName(ins.Into.Name))
	}
	if d.input >= 0 {
		errorf(ins.Into, "cannot insert into %s: it is an input stream of the application", quoteName(d.name))
	}
	rel := p.query(ins.Query, true)
	n := len(rel.sc.visible(""))
	src := make([]int, len(d.cols))
	if len(ins.Columns) == 0 {
		if n != len(d.cols) {
			errorAtPos(sql.Start(ins.Query), "the query has %d columns but stream %s has %d", n, quoteName(d.name), len(d.cols))
		}
		for i := range src {
			src[i] = i
		}
	} else {
		if n != len(ins.Columns) {
			errorAtPos(sql.Start(ins.Query), "the query has %d columns but the INSERT lists %d", n, len(ins.Columns))
		}
		for i := range src {
			src[i] = -1
		}
		for j, id := range ins.Columns {
			k := -1
			for i, c := range d.cols {
				if c.Name == id.Name {
					k = i
				}
			}
			if k < 0 {
				errorf(id, "stream %s has no column %s", quoteName(d.name), quoteName(id.Name))
			}
			src[k] = j
		}
	}
	vis := rel.sc.visible("")
	casts := make([]func(value.Value) (value.Value, error), len(d.cols))
	for i, c := range d.cols {
		if src[i] < 0 {
			continue
		}
		from := vis[src[i]].typ
		to := c.Type
		if !assignable(from, to) {
			errorAtPos(sql.Start(ins.Query), "column %d of the query is %s and cannot go into %s column %s", src[i]+1, from, to, quoteName(c.Name))
		}
		if needsCast(from, to) {
			casts[i] = func(v value.Value) (value.Value, error) { return funcs.CastFrom(v, from, to) }
		}
	}
	d.filled = true
	o := &insert{in: p.inst, pump: p.pump, casts: casts, src: src, out: d.node.port()}
	rel.setOut(o)
}

// assignable says whether a value of type from may be stored in a column of type to; the cast happens
// per row (and a value that does not fit goes to error_stream).
func assignable(from, to value.Type) bool {
	switch {
	case from.Base == value.TNull:
		return true
	case from.Numeric() && to.Numeric(), from.Textual() && to.Textual():
		return true
	case to.Textual():
		return true // anything prints
	case from.Textual():
		return true // text parses, or fails per row
	case from.Datetime() && to.Datetime():
		return true
	case from.Kind() == to.Kind():
		return true
	case from.Base == value.TBoolean && to.Numeric(), from.Numeric() && to.Base == value.TBoolean:
		return true
	}
	return false
}

func needsCast(from, to value.Type) bool {
	if from.Base == to.Base && !to.Textual() && to.Base != value.TDecimal {
		return false
	}
	return true
}

// relation is a planned query or FROM item: the columns it yields, and how to connect what consumes it.
type relation struct {
	sc     *scope
	setOut func(o op)
	// stream is the in-application stream a bare stream reference reads (for joins and table functions).
	stream *streamDef
	table  *Table
	// values is set when table is a VALUES list in FROM rather than a table of the configuration.
	values bool
}

func (p *planner) query(q sql.QueryExpr, top bool) relation {
	switch q := q.(type) {
	case *sql.Select:
		return p.retimed(q, p.selectQuery(q))
	case *sql.ParenQuery:
		return p.query(q.Query, top)
	case *sql.Values:
		errorf(q, "VALUES is a constant table, not a stream: join it to a stream in FROM, as (VALUES ...) AS t(columns)")
	case *sql.SetOp:
		if q.Op != "UNION" || !q.All {
			errorf(q, "%s is not supported on streams: use UNION ALL", q.Op)
		}
		l, r := p.query(q.L, false), p.query(q.R, false)
		lv, rv := l.sc.visible(""), r.sc.visible("")
		if len(lv) != len(rv) {
			errorf(q, "the two sides of UNION ALL have %d and %d columns", len(lv), len(rv))
		}
		sc := &scope{}
		for i, c := range lv {
			t := c.typ
			if lv[i].typ.Base == value.TNull {
				t = rv[i].typ
			}
			sc.cols = append(sc.cols, column{name: c.name, typ: t, slot: i})
		}
		sc.width = len(sc.cols)
		m := &fanIn{}
		lp, rp := m.port(), m.port()
		l.setOut(lp)
		r.setOut(rp)
		return relation{sc: sc, setOut: func(o op) { m.outs = append(m.outs, o) }}
	}
	errorf(q, "unsupported query")
	return relation{}
}

// from plans a FROM item.
func (p *planner) from(t sql.TableExpr) relation {
	switch t := t.(type) {
	case *sql.TableRef:
		if len(t.Name) != 1 {
			errorf(t, "unknown stream %s", sql.Format(t))
		}
		name := t.Name[0].Name
		alias := name
		if t.Alias != nil {
			alias = t.Alias.Name
		}
		if d := p.streams[name]; d != nil {
			if t.Over != nil || t.OverName != nil {
				errorf(t, "a window on a stream in FROM belongs to a join")
			}
			d.read = true
			sc := &scope{}
			cols := d.cols
			for i, c := range cols {
				n := c.Name
				if i < len(t.ColAliases) {
					n = t.ColAliases[i].Name
				}
				sc.cols = append(sc.cols, column{table: alias, name: n, typ: c.Type, slot: i})
			}
			sc.width = len(cols)
			sc.times = map[string]int{}
			if d.open {
				sc.opens = []*openInput{{table: alias, cols: &d.cols}}
				sc.times[alias] = -1
			}
			node := d.node
			return relation{sc: sc, stream: d, setOut: func(o op) { node.outs = append(node.outs, o) }}
		}
		if tb := p.tables[name]; tb != nil {
			sc := &scope{times: map[string]int{}}
			for i, c := range tb.Columns {
				sc.cols = append(sc.cols, column{table: alias, name: c.Name, typ: c.Type, slot: i})
			}
			sc.width = len(tb.Columns)
			if tb.Open {
				sc.opens = []*openInput{{table: alias, cols: &tb.Columns}}
				sc.times[alias] = -1
			}
			return relation{sc: sc, table: tb}
		}
		errorf(t, "stream or table %s does not exist", quoteName(name))
	case *sql.DerivedTable:
		if v := valuesOf(t.Query); v != nil {
			return p.valuesTable(t, v)
		}
		rel := p.query(t.Query, false)
		alias := ""
		if t.Alias != nil {
			alias = t.Alias.Name
		}
		sc := &scope{width: rel.sc.width, times: map[string]int{}}
		for i, c := range rel.sc.visible("") {
			n := c.name
			if i < len(t.ColAliases) {
				n = t.ColAliases[i].Name
			}
			sc.cols = append(sc.cols, column{table: alias, name: n, typ: c.typ, slot: c.slot, isTime: c.isTime})
		}
		return relation{sc: sc, setOut: rel.setOut}
	case *sql.Join:
		return p.join(t)
	case *sql.TableFunc:
		return p.tableFunc(t)
	}
	errorf(t, "unsupported FROM item")
	return relation{}
}

// valuesOf returns the VALUES list a FROM subquery is, in any parentheses, or nil.
func valuesOf(q sql.QueryExpr) *sql.Values {
	for {
		switch x := q.(type) {
		case *sql.ParenQuery:
			q = x.Query
		case *sql.Values:
			return x
		default:
			return nil
		}
	}
}

// valuesTable plans (VALUES (row), ...) [AS alias[(columns)]] in FROM as a reference table whose rows are
// the constants written: it joins a stream as a configured table does, with the same index and the same
// refusals (alone in FROM, or on the preserved side of an outer join, it would be a stream). A column's
// type is the common type of its values, as CASE's arms have one; unnamed columns are EXPR$0, EXPR$1, ...
func (p *planner) valuesTable(t *sql.DerivedTable, v *sql.Values) relation {
	width := len(v.Rows[0])
	if len(t.ColAliases) > 0 && len(t.ColAliases) != width {
		errorf(t.ColAliases[0], "VALUES has %d columns, but its alias names %d", width, len(t.ColAliases))
	}
	c := &compiler{p: p, sc: &scope{times: map[string]int{}}}
	consts := make([][]*cexpr, len(v.Rows))
	types := make([]value.Type, width)
	for i, row := range v.Rows {
		if len(row) != width {
			errorf(row[0], "VALUES rows must have the same number of values: row %d has %d, row 1 has %d", i+1, len(row), width)
		}
		for j, x := range row {
			ce := c.expr(x)
			if ce.konst == nil {
				errorf(x, "a VALUES row in FROM holds constants only")
			}
			consts[i] = append(consts[i], ce)
			if i == 0 {
				types[j] = ce.typ
			} else {
				types[j] = unifyAs(x, "the values of VALUES column "+strconv.Itoa(j+1), types[j], ce.typ)
			}
		}
	}
	alias, name := "", "VALUES"
	if t.Alias != nil {
		alias, name = t.Alias.Name, t.Alias.Name
	}
	tb := &Table{Name: name}
	sc := &scope{times: map[string]int{}, width: width}
	for j, typ := range types {
		n := "EXPR$" + strconv.Itoa(j)
		if len(t.ColAliases) > 0 {
			n = t.ColAliases[j].Name
		}
		tb.Columns = append(tb.Columns, value.Column{Name: n, Type: typ})
		sc.cols = append(sc.cols, column{table: alias, name: n, typ: typ, slot: j})
	}
	for i, row := range consts {
		vals := make([]value.Value, width)
		for j, ce := range row {
			val, err := funcs.CastFrom(*ce.konst, ce.typ, types[j])
			if err != nil {
				errorf(v.Rows[i][j], "VALUES column %d: %v", j+1, err)
			}
			vals[j] = val
		}
		tb.Rows = append(tb.Rows, vals)
	}
	return relation{sc: sc, table: tb, values: true}
}

// outputName is the name a select item gets: its alias, its column's name, or EXPR$n as SQL names
// unnamed expressions.
func outputName(it sql.SelectItem, i int) string {
	if it.Alias != nil {
		return it.Alias.Name
	}
	switch x := it.Expr.(type) {
	case *sql.ColumnRef:
		return x.Parts[len(x.Parts)-1].Name
	case *sql.FuncCall:
		if len(x.Args) == 0 {
			return x.Name.Name
		}
	}
	return "EXPR$" + strconv.Itoa(i)
}

// selectList expands * and compiles the select list with c.
func (p *planner) selectList(c *compiler, sel *sql.Select) ([]*cexpr, []string) {
	var items []*cexpr
	var names []string
	for i, it := range sel.Items {
		if st, ok := it.Expr.(*sql.Star); ok {
			qual := ""
			if len(st.Qualifier) > 0 {
				qual = st.Qualifier[len(st.Qualifier)-1].Name
				if !c.sc.hasTable(qual) {
					errorf(st, "unknown table %s in %s.*", quoteName(qual), quoteName(qual))
				}
			}
			for _, col := range c.sc.visible(qual) {
				ref := &sql.ColumnRef{Parts: []sql.Ident{{Pos: st.Pos, Name: col.name, Quoted: true}}}
				if col.table != "" {
					ref.Parts = append([]sql.Ident{{Pos: st.Pos, Name: col.table, Quoted: true}}, ref.Parts...)
				}
				items = append(items, c.expr(ref))
				names = append(names, col.name)
			}
			continue
		}
		items = append(items, c.expr(it.Expr))
		names = append(names, outputName(it, i))
	}
	return items, names
}

func outScope(items []*cexpr, names []string) *scope {
	sc := &scope{width: len(items)}
	for i, it := range items {
		sc.cols = append(sc.cols, column{name: names[i], typ: it.typ, slot: i, isTime: it.isTime})
	}
	return sc
}

func (p *planner) selectQuery(sel *sql.Select) relation {
	if sel.From == nil {
		errorf(sel, "a streaming query needs a FROM clause")
	}
	in := p.from(sel.From)
	if in.values {
		errorf(sel.From, "VALUES is a constant table, not a stream: a query reads a stream (join the VALUES to a stream)")
	}
	if in.table != nil {
		errorf(sel.From, "%s is a reference table: a query reads a stream (join the table to a stream)", quoteName(in.table.Name))
	}
	windows := map[string]*sql.WindowSpec{}
	for _, w := range sel.Windows {
		windows[w.Name.Name] = w.Spec
	}
	c := &compiler{p: p, sc: in.sc, windows: windows}
	var where *cexpr
	if sel.Where != nil {
		wc := &compiler{p: p, sc: in.sc, noAggs: true}
		where = wc.expr(sel.Where)
		wc.wantBool(sel.Where, where)
	}
	switch {
	case len(sel.GroupBy) > 0:
		return p.groupBy(sel, in, where, c)
	case sel.Stagger != nil:
		return p.stagger(sel, in, where, c)
	}
	if sel.Having != nil {
		errorf(sel.Having, "HAVING needs a GROUP BY")
	}
	items, names := p.selectList(c, sel)
	if len(c.aggs) > 0 {
		return p.sliding(sel, in, where, c, items, names)
	}
	o := &filterProject{in: p.inst, pump: p.pump, where: where, items: items}
	in.setOut(o)
	rel := relation{sc: outScope(items, names), setOut: func(x op) { o.out = x }}
	if sel.Distinct {
		d := &distinct{seen: map[string]struct{}{}}
		for i, it := range items {
			if it.rowtimeOnly && it.konst == nil {
				d.win = append(d.win, i)
			}
		}
		if len(d.win) == 0 {
			errorf(sel, "SELECT STREAM DISTINCT needs ROWTIME (or a window of it) in its select list, so that duplicates are only those of one instant")
		}
		p.inst.stateful = append(p.inst.stateful, d)
		o.out = d
		rel.setOut = func(x op) { d.out = x }
	}
	if len(sel.OrderBy) > 0 {
		return p.orderBy(sel, rel, c)
	}
	return rel
}

// retimed plans a select item aliased ROWTIME, as in
//
//	SELECT STREAM CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm:ss', "event_time") AS ROWTIME, "v" FROM "SOURCE_SQL_STREAM_001"
//
// The ROWTIME page gives the alias a meaning of its own: it overrides the row's timestamp. The item is
// therefore not a column of the result (a pump inserting it counts one column fewer) and a retime operator
// after the whole query (windows, ORDER BY and all) moves its value into the row's ROWTIME (ops.go).
func (p *planner) retimed(sel *sql.Select, rel relation) relation {
	item := -1
	for i, it := range sel.Items {
		if it.Alias != nil && isRowtime(*it.Alias) {
			if item >= 0 {
				errorf(it.Alias, "only one select item can be aliased ROWTIME")
			}
			item = i
		}
	}
	if item < 0 {
		return rel
	}
	vis := rel.sc.visible("")
	slot := selectItemSlots(sel, len(vis))[item]
	if slot < 0 || slot >= len(vis) || vis[slot].name != "ROWTIME" {
		// Between two *: the output column of that name, when only one has it.
		slot = -1
		for i, c := range vis {
			if c.name == "ROWTIME" {
				if slot >= 0 {
					errorf(sel.Items[item].Alias, "the select list has more than one column named ROWTIME")
				}
				slot = i
			}
		}
	}
	col := vis[slot]
	if t := col.typ; t.Base != value.TTimestamp && t.Base != value.TNull {
		errorf(sel.Items[item].Expr, "the select item aliased ROWTIME becomes the row's ROWTIME and must be a TIMESTAMP, not %s", t)
	}
	o := &retime{in: p.inst, pump: p.pump, slot: col.slot, last: minTime, sent: minTime}
	rel.setOut(o)
	p.inst.stateful = append(p.inst.stateful, o)
	sc := &scope{width: rel.sc.width - 1}
	for _, c := range rel.sc.cols {
		switch {
		case c.slot == col.slot:
			continue
		case c.slot > col.slot:
			c.slot--
		}
		sc.cols = append(sc.cols, c)
	}
	return relation{sc: sc, setOut: func(x op) { o.out = x }}
}

func (p *planner) tableFunc(t *sql.TableFunc) relation {
	if f, ok := tableFuncs[t.Call.Name.Name]; ok {
		return f(p, t)
	}
	errorf(t, "unknown table function %s", t.Call.Name.Name)
	return relation{}
}

// tableFuncs are the table functions of FROM TABLE(f(CURSOR(...), ...)); files of their own register here.
var tableFuncs = map[string]func(p *planner, t *sql.TableFunc) relation{}

func (p *planner) join(j *sql.Join) relation {
	l, r := p.joinFrom(j.L), p.joinFrom(j.R) // joinFrom: join.go (a side's OVER belongs to the join)
	if l.table != nil || r.table != nil {
		return p.tableJoin(j, l, r)
	}
	if streamJoin == nil {
		errorf(j, "joins between streams are not supported yet")
	}
	return streamJoin(p, j, l, r)
}

// streamJoin plans a windowed stream-to-stream join (join.go).
var streamJoin func(p *planner, j *sql.Join, l, r relation) relation

func (p *planner) orderBy(sel *sql.Select, rel relation, c *compiler) relation {
	if orderByPlanner == nil {
		errorf(sel.OrderBy[0].Expr, "ORDER BY on a stream is not supported yet")
	}
	return orderByPlanner(p, sel, rel, c)
}

// orderByPlanner plans a streaming ORDER BY (orderby.go).
var orderByPlanner func(p *planner, sel *sql.Select, rel relation, c *compiler) relation
