package engine

import (
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Stream-to-stream joins, as KDA runs them: FROM A OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a JOIN B AS b
// ON ..., with a window on one side or both (inline, or named in the SELECT's WINDOW clause), INNER, LEFT,
// RIGHT, FULL OUTER or CROSS.
//
// A side with a window keeps the rows of its last span of ROWTIME (RANGE) or its last rows (ROWS); a side
// without one contributes only its current row. A row arriving on one side is matched at once against the
// rows the other side's window holds at that moment, and each match is emitted with the later ROWTIME of
// the two: the arriving row's. So the pair of rows at 10:00:40 (window side) and 10:00:45 (current row) is
// emitted at 10:00:45, as the reference's examples show.
//
// Outer joins keep the rows of their preserved side that matched nothing, padded with NULLs. A row of a
// side without a window can only match when it arrives, so it is emitted at once; a row of a windowed side
// can still match rows that arrive later, so it is emitted when it leaves its window: at ROWTIME + span
// for RANGE (the last instant it was in the window), or when a newer row pushes it out of a ROWS window.
//
// The operator has one port per side, each with its own watermark, as fanIn has. A window row leaves only
// when both sides have passed its end: until the slower side has, a row of that side may still arrive
// and match it. Memory is the rows of the windows: a RANGE window's rows leave as time passes, whatever
// the keys. Equalities between a left and a right expression in ON are served from a hash index of each
// window, so a row probes only the rows that can match.

type joinOp struct {
	in    *Instance
	pump  string
	sides [2]*joinSide
	on    *cexpr
	out   op
	cur   int64 // both sides have passed this time
	width int   // of the joined row: left, right, left ROWTIME, right ROWTIME

	buf     []value.Value
	e       env
	keyBuf  []byte
	nullRow []value.Value
}

// joinSide is one input of a join and, when it has one, its window.
type joinSide struct {
	off, width int  // slots of the side's row in the joined row
	timeSlot   int  // slot of the side's ROWTIME
	windowed   bool // its rows are kept for the other side; without a window only the current row joins
	rows       bool // a ROWS window: keep the last n rows
	n          int
	span       int64    // a RANGE window: milliseconds
	keep       bool     // the outer join preserves this side
	keys       []*cexpr // equality keys over this side's slots; matching rows have equal keys
	wm         int64    // this side's port has passed this time

	fifo  []*joinRow // the window's rows, in arrival order (from head)
	head  int
	index map[uint64]joinChain // key hash -> its rows, in arrival order
	all   joinChain            // every row, when there are no keys

	// Rows and their columns are cut from slabs: rows leave in the order they came, so a slab is freed
	// soon after its last row leaves, and a row costs no allocation of its own.
	rowSlab []joinRow
	colSlab []value.Value
}

// joinRow is a row held in a window. Matched records whether it ever joined, for outer joins.
type joinRow struct {
	Time    int64
	Cols    []value.Value
	Hash    uint64 // of its equality keys (FNV-1a of appendKey's bytes, the same in every process)
	Indexed bool   // it has keys and none is NULL, so it is in the index
	Matched bool
	next    *joinRow // the next row of the same key
}

// joinChain is the rows of one key, oldest first. A hash collision only puts more rows in a chain: ON is
// evaluated on every candidate anyway.
type joinChain struct{ first, last *joinRow }

func (c *joinChain) push(jr *joinRow) {
	if c.last == nil {
		c.first = jr
	} else {
		c.last.next = jr
	}
	c.last = jr
}

// pop drops the oldest row, which must be jr, and says whether the chain is now empty.
func (c *joinChain) pop(jr *joinRow) bool {
	c.first, jr.next = jr.next, nil
	if c.first == nil {
		c.last = nil
		return true
	}
	return false
}

func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

type joinPort struct {
	o    *joinOp
	side int
}

func (p *joinPort) push(r Row)      { p.o.push(p.side, r) }
func (p *joinPort) advance(t int64) { p.o.advance(p.side, t) }

func init() { streamJoin = planStreamJoin }

// joinFrom plans one side of a join: as from, except that a stream's OVER window, which belongs to the join
// and not to the stream, is left for planStreamJoin to read from the AST.
func (p *planner) joinFrom(t sql.TableExpr) relation {
	tr, ok := t.(*sql.TableRef)
	if !ok || (tr.Over == nil && tr.OverName == nil) {
		return p.from(t)
	}
	bare := *tr
	bare.Over, bare.OverName = nil, nil
	if bare.Alias == nil && tr.OverName != nil {
		// The developer guide writes JOIN TradeStream OVER t ON o.orderId = t.orderId ... WINDOW t AS (...):
		// the window's name qualifies the stream's columns when the stream has no alias of its own.
		bare.Alias = tr.OverName
	}
	rel := p.from(&bare)
	if rel.table != nil {
		errorf(tr, "%s is a reference table: a window belongs on a stream", quoteName(rel.table.Name))
	}
	return rel
}

func planStreamJoin(p *planner, j *sql.Join, l, r relation) relation {
	keys := usingKeys(j, l, r)
	sel := p.selectOf(j)
	o := &joinOp{in: p.inst, pump: p.pump, cur: minTime}
	lw, rw := l.sc.width, r.sc.width
	o.width = lw + rw + 2
	o.sides[0] = &joinSide{off: 0, width: lw, timeSlot: lw + rw, wm: minTime}
	o.sides[1] = &joinSide{off: lw, width: rw, timeSlot: lw + rw + 1, wm: minTime}
	for i, t := range []sql.TableExpr{j.L, j.R} {
		p.joinWindow(o.sides[i], t, sel)
	}
	if !o.sides[0].windowed && !o.sides[1].windowed {
		errorf(j, "a join of two streams needs a window on at least one side, such as JOIN s OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s")
	}
	switch j.Kind {
	case sql.InnerJoin, sql.CrossJoin, sql.CommaJoin:
	case sql.LeftJoin:
		o.sides[0].keep = true
	case sql.RightJoin:
		o.sides[1].keep = true
	case sql.FullJoin:
		o.sides[0].keep, o.sides[1].keep = true, true
	default:
		errorf(j, "unsupported join")
	}

	// The joined row: left columns, right columns, then each side's ROWTIME, so that L.ROWTIME and R.ROWTIME
	// resolve. A side that is itself a join keeps its own hidden times.
	sc := &scope{times: map[string]int{}, width: o.width}
	for i, rel := range []relation{l, r} {
		s := o.sides[i]
		for _, c := range rel.sc.cols {
			c.slot += s.off
			sc.cols = append(sc.cols, c)
			if _, ok := rel.sc.times[c.table]; !ok {
				sc.times[c.table] = s.timeSlot
			}
		}
		for name, slot := range rel.sc.times {
			sc.times[name] = slot + s.off
		}
	}
	delete(sc.times, "")
	on, onSc := j.On, sc
	if keys != nil {
		on, onSc = usingOn(keys, sc, len(l.sc.cols))
	}
	if on != nil {
		c := &compiler{p: p, sc: onSc, noAggs: true}
		o.on = c.expr(on)
		c.wantBool(on, o.on)
		o.equiKeys(p, on, onSc)
	}
	merge := usingScope(p, j.Kind, keys, sc, len(l.sc.cols))
	for _, s := range o.sides {
		if s.windowed && len(s.keys) > 0 {
			s.index = map[uint64]joinChain{}
		}
	}
	o.buf = make([]value.Value, o.width)
	o.nullRow = make([]value.Value, o.width)
	l.setOut(&joinPort{o: o, side: 0})
	r.setOut(&joinPort{o: o, side: 1})
	p.inst.stateful = append(p.inst.stateful, o)
	if len(merge) > 0 {
		m := &joinMerge{in: p.inst, pump: p.pump, exprs: merge}
		o.out = m
		return relation{sc: sc, setOut: func(x op) { m.out = x }}
	}
	return relation{sc: sc, setOut: func(x op) { o.out = x }}
}

// joinWindow reads the window of one side of a join: OVER (...) or OVER name, name defined in the SELECT's
// WINDOW clause. KDA allows no PARTITION BY in a join's window.
func (p *planner) joinWindow(s *joinSide, t sql.TableExpr, sel *sql.Select) {
	tr, ok := t.(*sql.TableRef)
	if !ok || (tr.Over == nil && tr.OverName == nil) {
		return
	}
	spec := tr.Over
	lookup := func(name *sql.Ident) *sql.WindowSpec {
		if sel != nil {
			for _, w := range sel.Windows {
				if w.Name.Name == name.Name {
					return w.Spec
				}
			}
		}
		errorf(name, "window %s is not defined in the WINDOW clause", quoteName(name.Name))
		return nil
	}
	if tr.OverName != nil {
		spec = lookup(tr.OverName)
	}
	if spec.Base != nil {
		merged := *lookup(spec.Base)
		if spec.Frame != nil {
			merged.Frame = spec.Frame
		}
		if len(spec.PartitionBy) > 0 {
			merged.PartitionBy = spec.PartitionBy
		}
		spec = &merged
	}
	if len(spec.PartitionBy) > 0 {
		errorf(spec, "a join's window cannot be partitioned: put the keys in ON")
	}
	f := spec.Frame
	if f == nil {
		errorf(spec, "a join's window needs a size, such as RANGE INTERVAL '1' MINUTE PRECEDING or ROWS 10 PRECEDING")
	}
	if f.End != nil && f.End.Kind != "CURRENT ROW" {
		errorf(spec, "a window frame must end at the current row")
	}
	s.windowed = true
	switch f.Start.Kind {
	case "PRECEDING":
		c := &compiler{p: p, sc: &scope{}, noAggs: true}
		off := c.expr(f.Start.Offset)
		if off.konst == nil {
			errorf(f.Start.Offset, "the window's size must be a constant")
		}
		if f.Unit == "ROWS" {
			if off.konst.K != value.Int || off.konst.I < 0 || off.konst.I > 1<<20 {
				errorf(f.Start.Offset, "ROWS needs an integer from 0 to %d", 1<<20)
			}
			// ROWS n PRECEDING is the current row and the n before it, as in a sliding window: here the
			// side's n+1 latest rows.
			s.rows, s.n = true, int(off.konst.I)+1
		} else {
			if off.konst.K != value.Interval || off.konst.I < 0 {
				errorf(f.Start.Offset, "RANGE needs an INTERVAL, such as INTERVAL '1' MINUTE")
			}
			s.span = off.konst.I
		}
	case "CURRENT ROW":
		s.rows, s.n = true, 1
	case "UNBOUNDED PRECEDING":
		errorf(spec, "an unbounded window would grow without limit on a stream: give it a size")
	default:
		errorf(spec, "unsupported window frame %s", f.Start.Kind)
	}
}

// selectOf finds the SELECT whose FROM holds j, for its WINDOW clause. The planner's hook passes the join
// alone, and the application's statements are few, so a walk of the program is cheap.
func (p *planner) selectOf(j *sql.Join) *sql.Select {
	var found *sql.Select
	var query func(q sql.QueryExpr)
	var from func(sel *sql.Select, t sql.TableExpr)
	from = func(sel *sql.Select, t sql.TableExpr) {
		switch t := t.(type) {
		case *sql.Join:
			if t == j {
				found = sel
			}
			from(sel, t.L)
			from(sel, t.R)
		case *sql.DerivedTable:
			query(t.Query)
		case *sql.TableFunc:
			for _, a := range t.Call.Args {
				if c, ok := a.(*sql.Cursor); ok {
					query(c.Query)
				}
			}
		}
	}
	query = func(q sql.QueryExpr) {
		switch q := q.(type) {
		case *sql.Select:
			from(q, q.From)
		case *sql.ParenQuery:
			query(q.Query)
		case *sql.SetOp:
			query(q.L)
			query(q.R)
		}
	}
	prog := p.inst.p
	if prog.query != nil {
		query(prog.query)
	}
	if prog.script != nil {
		for _, st := range prog.script.Stmts {
			switch st := st.(type) {
			case *sql.CreatePump:
				query(st.Insert.Query)
			case *sql.Insert:
				query(st.Query)
			case *sql.QueryStmt:
				query(st.Query)
			}
		}
	}
	return found
}

// equiKeys finds left = right equalities among ON's conjuncts: the keys of the windows' indexes.
func (o *joinOp) equiKeys(p *planner, on sql.Expr, sc *scope) {
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
	sideOf := func(slot int) int {
		for i, s := range o.sides {
			if slot == s.timeSlot || (slot >= s.off && slot < s.off+s.width) {
				return i
			}
		}
		return -1
	}
	// sides returns a bit set of the sides x reads (bit 2: the joined row's own ROWTIME, both sides).
	sides := func(x sql.Expr) int {
		m := 0
		walkExpr(x, func(n sql.Expr) bool {
			switch n := n.(type) {
			case *sql.ColumnRef:
				if s := sideOf(sc.resolve(n).slot); s >= 0 {
					m |= 1 << s
				} else {
					m |= 4
				}
			case *sql.Subquery, *sql.Exists:
				m |= 4
			case *sql.In:
				if n.Query != nil {
					m |= 4 // its subquery may read either side's columns, which walkExpr does not enter
				}
			case *sql.FuncCall:
				if !isFoldable(n) && len(n.Args) == 0 {
					m |= 4 // a clock, or a column written as a niladic name
				}
			}
			return true
		})
		return m
	}
	for _, x := range conj {
		b, ok := x.(*sql.BinaryExpr)
		if !ok || b.Op != "=" {
			continue
		}
		var lx, rx sql.Expr
		switch ls, rs := sides(b.L), sides(b.R); {
		case ls == 1 && rs == 2:
			lx, rx = b.L, b.R
		case ls == 2 && rs == 1:
			lx, rx = b.R, b.L
		default:
			continue
		}
		c := &compiler{p: p, sc: sc, noAggs: true}
		lk, rk := c.expr(lx), c.expr(rx)
		o.sides[0].keys = append(o.sides[0].keys, lk)
		o.sides[1].keys = append(o.sides[1].keys, rk)
	}
}

// fill puts a side's row and ROWTIME in the joined row.
func (o *joinOp) fill(s *joinSide, t int64, cols []value.Value) {
	copy(o.buf[s.off:s.off+s.width], cols)
	o.buf[s.timeSlot] = value.NewTimestamp(t)
}

// fillNull puts NULLs in a side's part of the joined row.
func (o *joinOp) fillNull(s *joinSide) {
	copy(o.buf[s.off:s.off+s.width], o.nullRow)
	o.buf[s.timeSlot] = value.Value{}
}

// key evaluates a side's keys on the joined row (the side filled in). ok is false when a key is NULL: the
// row can match nothing through the index.
func (o *joinOp) key(s *joinSide, t int64) (ok bool, err error) {
	o.keyBuf = o.keyBuf[:0]
	o.e.cols, o.e.time = o.buf, t
	for _, k := range s.keys {
		v, err := k.eval(&o.e)
		if err != nil {
			return false, err
		}
		if v.K == value.Null {
			return false, nil
		}
		o.keyBuf = appendKey(o.keyBuf, v)
	}
	return true, nil
}

func (o *joinOp) push(side int, r Row) {
	x, y := o.sides[side], o.sides[1-side]
	o.fill(x, r.Time, r.Cols)
	keyed, err := o.key(x, r.Time)
	if err != nil {
		o.in.rowError(o.pump, r, err)
		return
	}
	matched := false
	if y.windowed && (keyed || len(y.keys) == 0) {
		first := y.all.first
		if y.index != nil {
			first = y.index[fnv64(o.keyBuf)].first
		}
		for yr := first; yr != nil; yr = yr.next {
			if !o.inWindow(x, r.Time, y, yr.Time) {
				continue
			}
			t := max(r.Time, yr.Time)
			o.fill(y, yr.Time, yr.Cols)
			if o.on != nil {
				o.e.cols, o.e.time = o.buf, t
				v, err := o.on.eval(&o.e)
				if err != nil {
					o.in.rowError(o.pump, r, err)
					continue
				}
				if v.K != value.Bool || v.I == 0 {
					continue
				}
			}
			matched, yr.Matched = true, true
			o.out.push(Row{Time: t, Cols: o.buf})
		}
	}
	if !x.windowed {
		if x.keep && !matched {
			o.fill(x, r.Time, r.Cols)
			o.fillNull(y)
			o.out.push(Row{Time: r.Time, Cols: o.buf})
		}
		return
	}
	jr := x.newRow(r)
	jr.Matched = matched
	if x.index != nil && keyed {
		jr.Hash, jr.Indexed = fnv64(o.keyBuf), true
	}
	x.add(jr)
	if x.rows && x.len() > x.n {
		o.leave(x, r.Time)
	}
}

// inWindow says whether a row of y at yt is in y's window when x's row at t arrives. Rows come in ROWTIME
// order, so yt <= t; a row of y that came late (yt > t) pairs with x's row if x's row is in x's window at
// yt, as it would have had the rows come in order.
func (o *joinOp) inWindow(x *joinSide, t int64, y *joinSide, yt int64) bool {
	if yt <= t {
		return y.rows || yt >= t-y.span
	}
	return x.windowed && (x.rows || t >= yt-x.span)
}

func (s *joinSide) len() int { return len(s.fifo) - s.head }

// newRow copies r into a window row.
func (s *joinSide) newRow(r Row) *joinRow {
	const slab = 256
	if len(s.rowSlab) == 0 {
		s.rowSlab = make([]joinRow, slab)
	}
	jr := &s.rowSlab[0]
	s.rowSlab = s.rowSlab[1:]
	n := len(r.Cols)
	if len(s.colSlab) < n {
		s.colSlab = make([]value.Value, slab*n)
	}
	jr.Time, jr.Cols = r.Time, s.colSlab[:n:n]
	s.colSlab = s.colSlab[n:]
	copy(jr.Cols, r.Cols)
	return jr
}

func (s *joinSide) add(jr *joinRow) {
	s.fifo = append(s.fifo, jr)
	switch {
	case s.index != nil && jr.Indexed:
		c := s.index[jr.Hash]
		c.push(jr)
		s.index[jr.Hash] = c
	case s.index == nil:
		s.all.push(jr)
	}
}

// leave takes the oldest row out of x's window, and emits it at time t padded with NULLs if the join
// preserves x and the row never matched.
func (o *joinOp) leave(x *joinSide, t int64) {
	jr := x.fifo[x.head]
	x.fifo[x.head] = nil
	x.head++
	if x.head == len(x.fifo) {
		x.fifo, x.head = x.fifo[:0], 0
	} else if x.head >= 64 && x.head*2 >= len(x.fifo) {
		n := copy(x.fifo, x.fifo[x.head:])
		clear(x.fifo[n:])
		x.fifo, x.head = x.fifo[:n], 0
	}
	switch {
	case x.index != nil && jr.Indexed:
		c := x.index[jr.Hash]
		if c.pop(jr) {
			delete(x.index, jr.Hash)
		} else {
			x.index[jr.Hash] = c
		}
	case x.index == nil:
		x.all.pop(jr)
	}
	if x.keep && !jr.Matched {
		o.fill(x, jr.Time, jr.Cols)
		o.fillNull(o.other(x))
		o.out.push(Row{Time: t, Cols: o.buf})
	}
}

func (o *joinOp) other(x *joinSide) *joinSide {
	if x == o.sides[0] {
		return o.sides[1]
	}
	return o.sides[0]
}

func (o *joinOp) advance(side int, t int64) {
	s := o.sides[side]
	if t <= s.wm {
		return
	}
	s.wm = t
	m := min(o.sides[0].wm, o.sides[1].wm)
	if m <= o.cur {
		return
	}
	o.cur = m
	o.expire(m)
	o.out.advance(m)
}

// expire takes out of the RANGE windows the rows whose window ended before t (ROWTIME + span < t), in the
// order of their ends so that the outer rows they emit come in ROWTIME order.
func (o *joinOp) expire(t int64) {
	for {
		var next *joinSide
		var end int64
		for _, s := range o.sides {
			if !s.windowed || s.rows || s.len() == 0 {
				continue
			}
			e := s.fifo[s.head].Time + s.span
			if e < t && (next == nil || e < end) {
				next, end = s, e
			}
		}
		if next == nil {
			return
		}
		o.leave(next, end)
	}
}

// joinState is a joinOp's checkpoint: each side's watermark and window rows, oldest first.
type joinState struct {
	Cur   int64
	Sides [2]joinSideState
}

type joinSideState struct {
	Wm   int64
	Rows []*joinRow
}

func (o *joinOp) snapshot() any {
	st := &joinState{Cur: o.cur}
	for i, s := range o.sides {
		st.Sides[i] = joinSideState{Wm: s.wm, Rows: s.fifo[s.head:]}
	}
	return st
}

func (o *joinOp) restore(dec func(any) error) error {
	var st joinState
	if err := dec(&st); err != nil {
		return err
	}
	o.cur = st.Cur
	for i, s := range o.sides {
		s.wm = st.Sides[i].Wm
		s.fifo, s.head, s.all = nil, 0, joinChain{}
		if s.index != nil {
			s.index = map[uint64]joinChain{}
		}
		for _, jr := range st.Sides[i].Rows {
			if jr.Indexed && s.index == nil {
				return errSnapshotMismatch
			}
			s.add(jr)
		}
	}
	return nil
}

// USING and NATURAL joins (the FROM clause page: <join-type> JOIN ... USING (columns), NATURAL <join-type>
// JOIN), for both stream-to-stream and stream-to-table joins. They are planned as the ON of the equalities
// left.key = right.key, so the same hash indexes serve them. As in standard SQL, each key is one column of
// the joined row: SELECT * yields the keys first, then the other columns of the left side and of the right,
// and an unqualified name of a key is not ambiguous; s.key and t.key still name each side's own column.
//
// The key's value is the left side's, or the right side's in a RIGHT JOIN, where only the right is sure to
// be there. In a FULL JOIN either side may be NULL: the key is COALESCE(left, right), computed by joinMerge
// into slots after the join's row.

// usingKey is one key of a USING or NATURAL join: the index of its column among each side's scope columns.
type usingKey struct {
	name sql.Ident
	l, r int
}

// usingKeys finds the keys of a USING or NATURAL join on each side, or nil for another join. It runs before
// the joined scope is built, so that a side whose columns the code names (an Open input) gains the key first.
func usingKeys(j *sql.Join, l, r relation) []usingKey {
	what := "USING"
	var names []sql.Ident
	switch {
	case j.Natural:
		// The columns both sides share, in the left side's order. None makes it a cross join.
		what = "NATURAL JOIN"
		pos := posOf(j.R)
		for _, c := range l.sc.visible("") {
			if r.sc.find("", c.name) >= 0 && !slicesContainsName(names, c.name) {
				names = append(names, sql.Ident{Pos: pos, Name: c.name, Quoted: true})
			}
		}
	case len(j.Using) > 0:
		names = j.Using
	default:
		return nil
	}
	side := func(sc *scope, id sql.Ident, which string) int {
		if n := sc.count(id.Name); n > 1 {
			errorf(id, "column %s of %s is ambiguous on the %s side of the join", quoteName(id.Name), what, which)
		}
		if i := sc.find("", id.Name); i >= 0 {
			return i
		}
		if o := sc.openFor([]sql.Ident{id}); o != nil {
			return o.add(sc, id.Name)
		}
		errorf(id, "column %s of %s is not a column of the join's %s side", quoteName(id.Name), what, which)
		return -1
	}
	var keys []usingKey
	for i, id := range names {
		if slicesContainsName(names[:i], id.Name) {
			errorf(id, "column %s appears twice in USING", quoteName(id.Name))
		}
		keys = append(keys, usingKey{name: id, l: side(l.sc, id, "left"), r: side(r.sc, id, "right")})
	}
	return keys
}

func slicesContainsName(ids []sql.Ident, name string) bool {
	for _, id := range ids {
		if id.Name == name {
			return true
		}
	}
	return false
}

// Qualifiers of the keys in the ON that usingOn writes: no name a query can write, so they cannot clash
// with its tables.
const (
	usingLeft  = "\x00left"
	usingRight = "\x00right"
)

// ref names the key on the side that qualifier q stands for.
func (k usingKey) ref(q string) *sql.ColumnRef {
	return &sql.ColumnRef{Parts: []sql.Ident{{Pos: k.name.Pos, Name: q, Quoted: true}, {Pos: k.name.Pos, Name: k.name.Name, Quoted: true}}}
}

// usingOn writes the ON of a USING or NATURAL join and the scope to compile it in: only the keys of each
// side, at their slots in the joined row (sc; the left side's columns are its first nl columns, the right
// side's follow). Errors in it point at the USING list.
func usingOn(keys []usingKey, sc *scope, nl int) (sql.Expr, *scope) {
	onSc := &scope{width: sc.width, times: sc.times}
	var on sql.Expr
	for _, k := range keys {
		lc, rc := sc.cols[k.l], sc.cols[nl+k.r]
		lc.table, rc.table = usingLeft, usingRight
		onSc.cols = append(onSc.cols, lc, rc)
		var eq sql.Expr = &sql.BinaryExpr{Op: "=", L: k.ref(usingLeft), R: k.ref(usingRight)}
		if on != nil {
			eq = &sql.BinaryExpr{Op: "AND", L: on, R: eq}
		}
		on = eq
	}
	if on == nil {
		return nil, onSc // NATURAL JOIN of sides with no column in common: a cross join
	}
	return on, onSc
}

// usingScope rewrites the joined scope of a USING or NATURAL join: each side's key column is reached only
// by its qualified name, and the keys come first as unqualified columns of their own. A FULL JOIN's keys
// are COALESCE(left, right), at slots sc.width, sc.width+1, ...: the expressions returned, for joinMerge.
func usingScope(p *planner, kind sql.JoinKind, keys []usingKey, sc *scope, nl int) []*cexpr {
	if len(keys) == 0 {
		return nil
	}
	_, onSc := usingOn(keys, sc, nl)
	var merged []column
	var merge []*cexpr
	for i, k := range keys {
		lc, rc := sc.cols[k.l], sc.cols[nl+k.r]
		sc.cols[k.l].qualifiedOnly, sc.cols[nl+k.r].qualifiedOnly = true, true
		m := lc
		switch kind {
		case sql.RightJoin:
			m = rc
		case sql.FullJoin:
			c := &compiler{p: p, sc: onSc, noAggs: true}
			x := c.builtin(k.ref(usingLeft), "COALESCE", []*cexpr{c.expr(k.ref(usingLeft)), c.expr(k.ref(usingRight))})
			merge = append(merge, x)
			m = column{typ: x.typ, slot: sc.width + i}
		}
		m.table, m.name, m.qualifiedOnly = "", k.name.Name, false
		merged = append(merged, m)
	}
	sc.cols = append(merged, sc.cols...)
	if len(merge) > 0 {
		sc.width += len(merge)
	}
	return merge
}

// joinMerge appends a FULL JOIN's USING keys to each joined row: COALESCE(left key, right key).
type joinMerge struct {
	in    *Instance
	pump  string
	exprs []*cexpr
	out   op
	buf   []value.Value
	e     env
}

func (o *joinMerge) push(r Row) {
	o.buf = append(o.buf[:0], r.Cols...)
	o.e.cols, o.e.time = r.Cols, r.Time
	for _, x := range o.exprs {
		v, err := x.eval(&o.e)
		if err != nil {
			o.in.rowError(o.pump, r, err)
			return
		}
		o.buf = append(o.buf, v)
	}
	o.out.push(Row{Time: r.Time, Cols: o.buf})
}

func (o *joinMerge) advance(t int64) { o.out.advance(t) }
