package engine

import (
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Tumbling windows: GROUP BY with a key that is a monotonic function of ROWTIME, such as
// STEP(ROWTIME BY INTERVAL '60' SECOND), FLOOR(ROWTIME TO MINUTE) or the older
// FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND). The other keys (event-time
// buckets, tickers) split the window into groups. All open groups share the current value of the window
// keys; when time moves to where the window keys change, every group closes and emits, in the order its
// first row arrived, with ROWTIME set to the window's end: the first instant whose window keys differ.
// The end is found by bisection on the key expressions themselves, so any monotonic form works and the
// result does not depend on when the engine noticed (a replay closes the window at the same instant).

type group struct {
	Keys []value.Value
	Accs []accState
}

type groupOp struct {
	aggregator
	win   []int // indexes of the window keys among keys
	byRow bool  // a window key depends on row data (MONOTONIC(col)): close when a row brings a new value

	groups map[string]*group
	order  []*group
	cur    []value.Value // window key values of the open groups
	first  int64         // ROWTIME of the window's first row
}

func (p *planner) groupBy(sel *sql.Select, in relation, where *cexpr, c *compiler) relation {
	kc := &compiler{p: p, sc: in.sc, noAggs: true}
	g := &groupOp{aggregator: aggregator{in: p.inst, pump: p.pump, where: where}, groups: map[string]*group{}}
	c.mode = groupMode
	for _, k := range sel.GroupBy {
		ke := kc.expr(k)
		if ke.typ.Base == value.TRow {
			errorf(k, "cannot GROUP BY a ROW")
		}
		g.keys = append(g.keys, ke)
		c.keyNodes = append(c.keyNodes, k)
		c.keyExpr = append(c.keyExpr, ke)
	}
	for i, ke := range g.keys {
		if ke.rowtimeOnly && ke.konst == nil {
			g.win = append(g.win, i)
		}
	}
	if len(g.win) == 0 {
		for i, k := range sel.GroupBy {
			if declaredMonotonic(k) {
				g.win, g.byRow = append(g.win, i), true
			}
		}
	}
	if len(g.win) == 0 {
		errorf(sel.GroupBy[0], "a streaming GROUP BY needs a key that is monotonic in ROWTIME, such as STEP(ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(ROWTIME TO MINUTE)")
	}
	items, names := p.selectList(c, sel)
	g.items = items
	if sel.Having != nil {
		g.having = c.expr(sel.Having)
		c.wantBool(sel.Having, g.having)
	}
	for _, a := range c.aggs {
		if a.window != nil {
			errorf(a.call, "an aggregate with OVER cannot be mixed with GROUP BY")
		}
	}
	g.aggs = c.aggs
	in.setOut(g)
	rel := relation{sc: outScope(items, names), setOut: func(o op) { g.out = o }}
	p.inst.stateful = append(p.inst.stateful, g)
	if len(sel.OrderBy) > 0 {
		return p.orderBy(sel, rel, c)
	}
	return rel
}

// declaredMonotonic says whether a GROUP BY key is monotonic by the application's word: MONOTONIC(x), or
// a rounding of such a key (FLOOR(MONOTONIC(ts) TO MINUTE), STEP(MONOTONIC(ts) BY INTERVAL '1' MINUTE)).
// The monotonic-expressions page: when the arguments of an expression are known to be monotonic, KDA
// infers that a monotonic function of them, FLOOR being its example, is too. Rounding down or up keeps the
// order of its input (ties merge), so the key's window changes only when MONOTONIC's argument moves on.
func declaredMonotonic(x sql.Expr) bool {
	switch x := x.(type) {
	case *sql.ParenExpr:
		return declaredMonotonic(x.X)
	case *sql.FuncCall:
		switch x.Name.Name {
		case "MONOTONIC":
			return true
		case "FLOOR", "CEIL", "CEILING":
			return len(x.Args) == 1 && x.Over == nil && x.OverName == nil && declaredMonotonic(x.Args[0])
		}
	case *sql.FloorTo:
		return declaredMonotonic(x.X)
	case *sql.Step:
		return declaredMonotonic(x.X)
	}
	return false
}

func (g *groupOp) push(r Row) {
	g.closeBefore(r.Time)
	if !g.eval(r) {
		return
	}
	if g.byRow && g.cur != nil && !g.sameWindow(g.keyVals) {
		g.close(r.Time)
	}
	if g.cur == nil {
		g.cur = make([]value.Value, len(g.win))
		for i, k := range g.win {
			g.cur[i] = g.keyVals[k]
		}
		g.first = r.Time
	}
	grp := g.groups[string(g.keyBuf)]
	if grp == nil {
		grp = &group{Keys: append([]value.Value(nil), g.keyVals...), Accs: make([]accState, len(g.aggs))}
		g.groups[string(g.keyBuf)] = grp
		g.order = append(g.order, grp)
	}
	g.fold(grp.Accs)
}

func (g *groupOp) sameWindow(keys []value.Value) bool {
	for i, k := range g.win {
		if value.Compare(g.cur[i], keys[k]) != 0 {
			return false
		}
	}
	return true
}

func (g *groupOp) differs(t int64) bool {
	e := env{time: t}
	for i, k := range g.win {
		v, _ := g.keys[k].eval(&e)
		if value.Compare(v, g.cur[i]) != 0 {
			return true
		}
	}
	return false
}

// closeBefore closes the open window if time t lies beyond it.
func (g *groupOp) closeBefore(t int64) {
	if g.cur == nil || g.byRow || !g.differs(t) {
		return
	}
	// Bisect for the first instant in (first, t] whose keys differ: the window's end.
	lo, hi := g.first, t
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if g.differs(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	g.close(hi)
}

func (g *groupOp) close(end int64) {
	for _, grp := range g.order {
		g.emit(grp.Keys, grp.Accs, end)
	}
	clear(g.groups)
	clear(g.order)
	g.order = g.order[:0]
	g.cur = nil
}

func (g *groupOp) advance(t int64) {
	g.closeBefore(t)
	g.out.advance(t)
}

// groupState is a groupOp's checkpoint.
type groupState struct {
	Cur    []value.Value
	First  int64
	Groups []group
}

func (g *groupOp) snapshot() any {
	s := groupState{Cur: g.cur, First: g.first}
	for _, grp := range g.order {
		s.Groups = append(s.Groups, *grp)
	}
	return &s
}

func (g *groupOp) restore(dec func(any) error) error {
	var s groupState
	if err := dec(&s); err != nil {
		return err
	}
	g.cur, g.first = s.Cur, s.First
	clear(g.groups)
	g.order = g.order[:0]
	for i := range s.Groups {
		grp := &s.Groups[i]
		g.keyBuf = g.keyBuf[:0]
		for _, v := range grp.Keys {
			g.keyBuf = appendKey(g.keyBuf, v)
		}
		g.groups[string(g.keyBuf)] = grp
		g.order = append(g.order, grp)
	}
	return nil
}
