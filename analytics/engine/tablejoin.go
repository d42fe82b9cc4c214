package engine

import (
	"maps"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Stream-to-table joins: a stream joined with a reference table (KDA's reference data, loaded in full when
// the application starts). Each stream row is matched against the table at once and yields one row per
// match; a LEFT JOIN (the stream preserved) yields the row with NULLs when nothing matches. Equalities
// between a stream expression and a table expression in ON are served from a hash index built once.

type tableJoin struct {
	in      *Instance
	pump    string
	on      *cexpr
	outer   bool
	left    bool // the stream is the left side (column order of the output)
	sw, tw  int  // widths of the stream's and the table's rows
	rows    [][]value.Value
	index   map[string][]int // equality keys -> table rows; nil for a scan
	probe   []*cexpr         // stream-side key expressions, evaluated on the stream row alone
	out     op
	keyBuf  []byte
	buf     []value.Value
	e, se   env
	nullRow []value.Value
}

func (p *planner) tableJoin(j *sql.Join, l, r relation) relation {
	if l.table != nil && r.table != nil {
		errorf(j, "a join needs a stream on one side")
	}
	for _, side := range []sql.TableExpr{j.L, j.R} {
		if ref, ok := side.(*sql.TableRef); ok && (ref.Over != nil || ref.OverName != nil) {
			errorf(ref, "a join with a reference table takes no window: each stream row is matched against the whole table")
		}
	}
	streamLeft := r.table != nil
	s, t := l, r
	if !streamLeft {
		s, t = r, l
	}
	kind := j.Kind
	outer := false
	switch {
	case kind == sql.InnerJoin || kind == sql.CrossJoin || kind == sql.CommaJoin:
	case kind == sql.LeftJoin && streamLeft, kind == sql.RightJoin && !streamLeft:
		outer = true
	default:
		errorf(j, "this outer join would preserve the reference table's rows, which a stream cannot emit: use an inner join or preserve the stream")
	}
	keys := usingKeys(j, l, r)
	// The joined row is left columns then right columns, as written.
	sc := &scope{times: map[string]int{}}
	lw := l.sc.width
	for _, c := range l.sc.cols {
		sc.cols = append(sc.cols, c)
	}
	for _, c := range r.sc.cols {
		c.slot += lw
		sc.cols = append(sc.cols, c)
	}
	sc.width = lw + r.sc.width
	// `hydrant sql check` without schemas: open sides keep naming new columns, at their offsets.
	for _, o := range l.sc.opens {
		sc.opens = append(sc.opens, &openInput{table: o.table, cols: o.cols, offset: o.offset})
	}
	for _, o := range r.sc.opens {
		sc.opens = append(sc.opens, &openInput{table: o.table, cols: o.cols, offset: o.offset + lw})
	}
	maps.Copy(sc.times, l.sc.times)
	maps.Copy(sc.times, r.sc.times)
	o := &tableJoin{in: p.inst, pump: p.pump, outer: outer, left: streamLeft, sw: s.sc.width, tw: t.sc.width,
		rows: t.table.Rows}
	o.nullRow = make([]value.Value, o.tw)
	on, onSc := j.On, sc
	if keys != nil {
		on, onSc = usingOn(keys, sc, len(l.sc.cols))
	}
	if on != nil {
		c := &compiler{p: p, sc: onSc, noAggs: true}
		o.on = c.expr(on)
		c.wantBool(on, o.on)
		o.buildIndex(p, on, onSc, s, t, streamLeft, lw)
	}
	// A FULL JOIN is refused above, so the keys need no merging: each is the stream's or the table's column.
	usingScope(p, j.Kind, keys, sc, len(l.sc.cols))
	s.setOut(o)
	return relation{sc: sc, setOut: func(x op) { o.out = x }}
}

// buildIndex finds stream = table equalities among ON's conjuncts and indexes the table by them.
func (o *tableJoin) buildIndex(p *planner, on sql.Expr, sc *scope, s, t relation, streamLeft bool, lw int) {
	var conj []sql.Expr
	var split func(x sql.Expr)
	split = func(x sql.Expr) {
		if b, ok := x.(*sql.BinaryExpr); ok && b.Op == "AND" {
			split(b.L)
			split(b.R)
			return
		}
		if pe, ok := x.(*sql.ParenExpr); ok {
			split(pe.X)
			return
		}
		conj = append(conj, x)
	}
	split(on)
	isStream := func(slot int) bool { return (slot < lw) == streamLeft }
	side := func(x sql.Expr) (stream, table bool) {
		walkExpr(x, func(n sql.Expr) bool {
			if ref, ok := n.(*sql.ColumnRef); ok {
				r := sc.resolve(ref)
				if r.slot < 0 || isStream(r.slot) {
					stream = true
				} else {
					table = true
				}
			}
			return true
		})
		return
	}
	// Expressions of one side compile against a scope where only that side's slots are filled.
	var probes, builds []*cexpr
	for _, x := range conj {
		b, ok := x.(*sql.BinaryExpr)
		if !ok || b.Op != "=" {
			continue
		}
		ls, lt := side(b.L)
		rs, rt := side(b.R)
		var sx, tx sql.Expr
		switch {
		case ls && !lt && rt && !rs:
			sx, tx = b.L, b.R
		case rs && !rt && lt && !ls:
			sx, tx = b.R, b.L
		default:
			continue
		}
		c := &compiler{p: p, sc: sc, noAggs: true}
		probes = append(probes, c.expr(sx))
		builds = append(builds, c.expr(tx))
	}
	if len(probes) == 0 {
		return
	}
	o.probe = probes
	o.index = map[string][]int{}
	row := make([]value.Value, sc.width)
	for i, tr := range o.rows {
		clear(row)
		off := 0
		if streamLeft {
			off = lw
		}
		copy(row[off:], tr)
		e := env{cols: row}
		o.keyBuf = o.keyBuf[:0]
		skip := false
		for _, b := range builds {
			v, err := b.eval(&e)
			if err != nil || v.K == value.Null {
				skip = true
				break
			}
			o.keyBuf = appendKey(o.keyBuf, v)
		}
		if !skip {
			o.index[string(o.keyBuf)] = append(o.index[string(o.keyBuf)], i)
		}
	}
}

func (o *tableJoin) push(r Row) {
	width := o.sw + o.tw
	if cap(o.buf) < width {
		o.buf = make([]value.Value, width)
	}
	o.buf = o.buf[:width]
	soff, toff := 0, o.sw
	if !o.left {
		soff, toff = o.tw, 0
	}
	copy(o.buf[soff:soff+o.sw], r.Cols)
	matched := false
	try := func(tr []value.Value) {
		copy(o.buf[toff:toff+o.tw], tr)
		if o.on != nil {
			o.e.cols, o.e.time = o.buf, r.Time
			v, err := o.on.eval(&o.e)
			if err != nil {
				o.in.rowError(o.pump, r, err)
				return
			}
			if v.K != value.Bool || v.I == 0 {
				return
			}
		}
		matched = true
		o.out.push(Row{Time: r.Time, Cols: o.buf})
	}
	if o.index != nil {
		clear(o.buf[toff : toff+o.tw])
		o.se.cols, o.se.time = o.buf, r.Time
		key, null, err := o.probeKey(&o.se)
		if err != nil {
			o.in.rowError(o.pump, r, err)
			return
		}
		if !null {
			for _, i := range o.index[string(key)] {
				try(o.rows[i])
			}
		}
	} else {
		for _, tr := range o.rows {
			try(tr)
		}
	}
	if !matched && o.outer {
		copy(o.buf[toff:toff+o.tw], o.nullRow)
		o.out.push(Row{Time: r.Time, Cols: o.buf})
	}
}

// probeKey evaluates the probe side's key expressions on e; null reports a NULL among them, which
// matches no table row.
func (o *tableJoin) probeKey(e *env) (key []byte, null bool, err error) {
	o.keyBuf = o.keyBuf[:0]
	for _, p := range o.probe {
		v, err := p.eval(e)
		if err != nil {
			return nil, false, err
		}
		if v.K == value.Null {
			return nil, true, nil
		}
		o.keyBuf = appendKey(o.keyBuf, v)
	}
	return o.keyBuf, false, nil
}

func (o *tableJoin) advance(t int64) { o.out.advance(t) }
