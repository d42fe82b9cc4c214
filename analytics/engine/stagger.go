package engine

import (
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Stagger windows: WINDOWED BY STAGGER (PARTITION BY keys RANGE INTERVAL span). A window opens for a
// partition key at the ROWTIME of its first row and closes span later; a row of that key arriving after
// the close opens the next window. Each window emits one row when it closes, with ROWTIME set to its close.
// Windows open in ROWTIME order and all have the same span, so they close in the order they opened: a FIFO
// of open windows is enough.

type staggerWindow struct {
	Keys  []value.Value
	Accs  []accState
	Close int64
}

type staggerOp struct {
	aggregator
	span int64

	open map[string]*staggerWindow
	fifo []*staggerWindow
}

func (p *planner) stagger(sel *sql.Select, in relation, where *cexpr, c *compiler) relation {
	spec := sel.Stagger
	if spec.Frame == nil || spec.Frame.Unit != "RANGE" {
		errorf(spec, "STAGGER needs RANGE INTERVAL ..., such as RANGE INTERVAL '1' MINUTE")
	}
	kc := &compiler{p: p, sc: in.sc, noAggs: true}
	var off sql.Expr = spec.Frame.Start.Offset
	if off == nil {
		errorf(spec, "STAGGER needs a window length")
	}
	span := kc.expr(off)
	if span.konst == nil || span.konst.K != value.Interval || span.konst.I <= 0 {
		errorf(off, "the length of a STAGGER window must be a positive INTERVAL")
	}
	if len(spec.PartitionBy) == 0 {
		errorf(spec, "STAGGER needs PARTITION BY")
	}
	s := &staggerOp{aggregator: aggregator{in: p.inst, pump: p.pump, where: where}, span: span.konst.I,
		open: map[string]*staggerWindow{}}
	c.mode = groupMode
	for _, k := range spec.PartitionBy {
		ke := kc.expr(k)
		s.keys = append(s.keys, ke)
		c.keyNodes = append(c.keyNodes, k)
		c.keyExpr = append(c.keyExpr, ke)
	}
	items, names := p.selectList(c, sel)
	s.items = items
	if sel.Having != nil {
		s.having = c.expr(sel.Having)
		c.wantBool(sel.Having, s.having)
	}
	for _, a := range c.aggs {
		if a.window != nil {
			errorf(a.call, "an aggregate with OVER cannot be mixed with STAGGER")
		}
	}
	s.aggs = c.aggs
	in.setOut(s)
	p.inst.stateful = append(p.inst.stateful, s)
	rel := relation{sc: outScope(items, names), setOut: func(o op) { s.out = o }}
	if len(sel.OrderBy) > 0 {
		return p.orderBy(sel, rel, c)
	}
	return rel
}

func (s *staggerOp) push(r Row) {
	s.closeUpTo(r.Time)
	if !s.eval(r) {
		return
	}
	w := s.open[string(s.keyBuf)]
	if w == nil {
		w = &staggerWindow{Keys: append([]value.Value(nil), s.keyVals...), Accs: make([]accState, len(s.aggs)),
			Close: r.Time + s.span}
		s.open[string(s.keyBuf)] = w
		s.fifo = append(s.fifo, w)
	}
	s.fold(w.Accs)
}

// closeUpTo closes the windows whose close time is at or before t.
func (s *staggerOp) closeUpTo(t int64) {
	n := 0
	for n < len(s.fifo) && s.fifo[n].Close <= t {
		w := s.fifo[n]
		n++
		s.keyBuf = s.keyBuf[:0]
		for _, v := range w.Keys {
			s.keyBuf = appendKey(s.keyBuf, v)
		}
		delete(s.open, string(s.keyBuf))
		s.emit(w.Keys, w.Accs, w.Close)
	}
	if n > 0 {
		// Reslice, not copy: with many keys a window closes at most rows, and moving the open ones down each
		// time cost O(open windows) per row; appends reallocate once the capacity runs out (amortised O(1)).
		clear(s.fifo[:n])
		s.fifo = s.fifo[n:]
	}
}

func (s *staggerOp) advance(t int64) {
	s.closeUpTo(t)
	s.out.advance(t)
}

type staggerState struct{ Windows []staggerWindow }

func (s *staggerOp) snapshot() any {
	st := &staggerState{}
	for _, w := range s.fifo {
		st.Windows = append(st.Windows, *w)
	}
	return st
}

func (s *staggerOp) restore(dec func(any) error) error {
	var st staggerState
	if err := dec(&st); err != nil {
		return err
	}
	clear(s.open)
	s.fifo = s.fifo[:0]
	for i := range st.Windows {
		w := &st.Windows[i]
		s.keyBuf = s.keyBuf[:0]
		for _, v := range w.Keys {
			s.keyBuf = appendKey(s.keyBuf, v)
		}
		s.open[string(s.keyBuf)] = w
		s.fifo = append(s.fifo, w)
	}
	return nil
}
