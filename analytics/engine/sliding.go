package engine

import (
	"math"
	"slices"
	"sort"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Sliding windows: agg(x) OVER w, with w a named WINDOW or inline, PARTITION BY keys and a frame of
// RANGE INTERVAL ... PRECEDING (the rows of the last span of ROWTIME, the current row included) or ROWS n
// PRECEDING (the current row and the n before it). Every input row yields one output row, computed over
// its partition's window as it stands after the row is added. LAG(x, n) reads the n-th row before the
// current one in its window, and gives its default (or NULL) when the window holds no such row, as the
// reference has it; written without a frame (OVER (PARTITION BY k)), it reads the partition's previous
// rows however old. NTH_VALUE(x, n) [FROM LAST] counts from the window's oldest (newest) row; LAG,
// NTH_VALUE, FIRST_VALUE and LAST_VALUE skip NULLs under IGNORE NULLS. EXP_AVG(x, interval) weighs the
// window's values by the half-lives they lie back from the row.

type windowDef struct {
	spec      *sql.WindowSpec
	text      string
	partition []*cexpr
	rows      bool
	n         int64 // ROWS n PRECEDING
	span      int64 // RANGE: milliseconds; -1 for UNBOUNDED
	aggs      []int // indexes of the SELECT's aggregates over this window
	noFrame   bool  // written without a frame: its LAGs read a history of lagDepth rows
	lagDepth  int
}

func (c *compiler) windowFor(x *sql.FuncCall) *windowDef {
	spec := x.Over
	if x.OverName != nil {
		spec = c.windows[x.OverName.Name]
		if spec == nil {
			errorf(x.OverName, "window %s is not defined in the WINDOW clause", quoteName(x.OverName.Name))
		}
	}
	if spec.Base != nil {
		base := c.windows[spec.Base.Name]
		if base == nil {
			errorf(spec.Base, "window %s is not defined", quoteName(spec.Base.Name))
		}
		merged := *base
		if spec.Frame != nil {
			merged.Frame = spec.Frame
		}
		if len(spec.PartitionBy) > 0 {
			merged.PartitionBy = spec.PartitionBy
		}
		spec = &merged
	}
	text := sql.Format(&sql.FuncCall{Name: sql.Ident{Name: "W"}, Over: spec})
	if c.p.windowDefs == nil {
		c.p.windowDefs = map[*compiler][]*windowDef{}
	}
	for _, w := range c.p.windowDefs[c] {
		if w.text == text {
			return w
		}
	}
	w := &windowDef{spec: spec, text: text, span: -1}
	pc := &compiler{p: c.p, sc: c.sc, noAggs: true}
	for _, k := range spec.PartitionBy {
		w.partition = append(w.partition, pc.expr(k))
	}
	if f := spec.Frame; f != nil {
		if f.End != nil && f.End.Kind != "CURRENT ROW" {
			errorf(spec, "a window frame must end at the current row")
		}
		switch f.Start.Kind {
		case "PRECEDING":
			off := pc.expr(f.Start.Offset)
			if off.konst == nil {
				errorf(f.Start.Offset, "the window's size must be a constant")
			}
			if f.Unit == "ROWS" {
				if off.konst.K != value.Int || off.konst.I < 0 {
					errorf(f.Start.Offset, "ROWS needs a non-negative integer")
				}
				w.rows, w.n = true, off.konst.I
			} else {
				if off.konst.K != value.Interval || off.konst.I < 0 {
					errorf(f.Start.Offset, "RANGE needs an INTERVAL, such as INTERVAL '1' MINUTE")
				}
				w.span = off.konst.I
			}
		case "UNBOUNDED PRECEDING":
			errorf(spec, "an unbounded window would grow without limit on a stream: give it a size")
		case "CURRENT ROW":
			w.rows, w.n = true, 0
		default:
			errorf(spec, "unsupported window frame %s", f.Start.Kind)
		}
	} else {
		// No frame: KDA requires one for aggregates; LAG needs none (it reads previous rows).
		w.rows, w.n, w.noFrame = true, 0, true
	}
	c.p.windowDefs[c] = append(c.p.windowDefs[c], w)
	return w
}

type slidingOp struct {
	in      *Instance
	pump    string
	where   *cexpr
	windows []*windowDef
	aggs    []*aggSpec
	items   []*cexpr
	out     op
	parts   []map[string]*partition // per window
	e       env
	keyBuf  []byte
	aggBuf  []value.Value
	outBuf  []value.Value
	keyEnds []int         // per window: where its partition key ends in keyBuf
	args    []value.Value // the row's aggregate arguments, window after window (len(w.aggs) each)
	dkey    []byte        // scratch for DISTINCT keys
	swept   []int64       // per window: when its partitions were last swept
}

// partition is one partition of one window: its rows' times and aggregate arguments, oldest first. The
// arguments are one flat slice, a row's len(w.aggs) of them after another's, so a row costs no allocation
// of its own and the window is one block of memory.
type partition struct {
	Times []int64
	Args  []value.Value // row i's argument for the window's aggregate j is Args[i*len(w.aggs)+j]
	Accs  []accState
	Dirty []bool          // the aggregate must be recomputed from Args
	Lags  [][]value.Value // per aggregate: LAG's previous values, newest last
	// MIN and MAX keep a monotonic deque per aggregate: the absolute numbers (Base counts the rows dropped
	// so far) of the rows that can still be the extreme, oldest first, so the extreme is the front's value
	// and leaves in amortised O(1) however the values run (a falling MAX would otherwise rescan the window
	// at every row).
	Base int64
	Mono [][]int64
	// The variance family keeps a varStack per aggregate (nil for the others).
	Vars []varStack
	// EXP_AVG keeps an expPrefix per aggregate (empty for the others).
	Exps []expPrefix
}

// expPrefix is EXP_AVG's running sums. Cut time into intervals of the half-life from the epoch; Sum[i] and
// Cnt[i] are the sum and the number of the non-NULL values from the first row of row i's interval through
// row i. A row's weight at time t depends only on its interval and on whether its offset in the interval
// is past t's, so each interval in the window contributes two sums, read from these at a binary-searched
// split: O(intervals in the window × log rows) per row instead of a pass over the window. The sums start
// again at every interval, so they never grow past one interval's values, and are computed once per row in
// order, so a replay and a restored run get the same bits. Dropped* are the sums of the last row dropped
// when it shared an interval with the first row kept (what that row's sums include before it).
type expPrefix struct {
	Sum        []float64
	Cnt        []int64
	DroppedSum float64
	DroppedCnt int64
}

// welford is the count, mean and sum of squared deviations of some values.
type welford struct {
	N    int64
	Mean float64
	M2   float64
}

// merge combines two sets of values (Chan et al.'s pairwise formula). It never subtracts a value out, so
// rounding cannot pile up as rows come and go, and equal values give a variance of exactly 0.
func (a welford) merge(b welford) welford {
	switch {
	case a.N == 0:
		return b
	case b.N == 0:
		return a
	}
	n := a.N + b.N
	d := b.Mean - a.Mean
	return welford{N: n, Mean: a.Mean + d*float64(b.N)/float64(n),
		M2: a.M2 + b.M2 + d*d*float64(a.N)*float64(b.N)/float64(n)}
}

// varStack is a sliding window's variance in amortised O(1) per row, by the two-stacks method: the oldest
// rows (the front, len(Suffix) of them) each hold the merge of themselves and every front row after them;
// the newer rows are merged into Back as they come. The window's value is Suffix[0] merged with Back. A row
// leaves from the front; when the front is used up, it is rebuilt from all the window's rows, each row
// taking part in one rebuild.
type varStack struct {
	Suffix []welford
	Back   welford
}

// arg returns argument j of row i of a window whose aggregates number width.
func (pt *partition) arg(width, i, j int) value.Value { return pt.Args[i*width+j] }

func (p *planner) sliding(sel *sql.Select, in relation, where *cexpr, c *compiler, items []*cexpr, names []string) relation {
	s := &slidingOp{in: p.inst, pump: p.pump, where: where, aggs: c.aggs, items: items}
	for i, a := range c.aggs {
		if a.window == nil {
			errorf(a.call, "aggregate %s needs an OVER window or a GROUP BY", a.name)
		}
		found := false
		for _, w := range s.windows {
			if w == a.window {
				found = true
			}
		}
		if !found {
			s.windows = append(s.windows, a.window)
		}
		a.window.aggs = append(a.window.aggs, i)
		if a.name == "LAG" && a.window.noFrame {
			a.window.lagDepth = max(a.window.lagDepth, a.lag)
		}
	}
	for range s.windows {
		s.parts = append(s.parts, map[string]*partition{})
	}
	s.swept = make([]int64, len(s.windows))
	in.setOut(s)
	p.inst.stateful = append(p.inst.stateful, s)
	rel := relation{sc: outScope(items, names), setOut: func(o op) { s.out = o }}
	if len(sel.OrderBy) > 0 {
		return p.orderBy(sel, rel, c)
	}
	return rel
}

func (s *slidingOp) push(r Row) {
	s.e.cols, s.e.time, s.e.aggs = r.Cols, r.Time, nil
	if s.where != nil {
		v, err := s.where.eval(&s.e)
		if err != nil {
			s.in.rowError(s.pump, r, err)
			return
		}
		if v.K != value.Bool || v.I == 0 {
			return
		}
	}
	if cap(s.aggBuf) < len(s.aggs) {
		s.aggBuf = make([]value.Value, len(s.aggs))
	}
	s.aggBuf = s.aggBuf[:len(s.aggs)]
	// First every window's partition key and arguments, then the windows' state: a row that fails goes
	// to error_stream and must count in no window.
	s.keyBuf = s.keyBuf[:0]
	s.keyEnds = s.keyEnds[:0]
	s.args = s.args[:0]
	for _, w := range s.windows {
		for _, k := range w.partition {
			v, err := k.eval(&s.e)
			if err != nil {
				s.in.rowError(s.pump, r, err)
				return
			}
			s.keyBuf = appendKey(s.keyBuf, v)
		}
		s.keyEnds = append(s.keyEnds, len(s.keyBuf))
		for _, ai := range w.aggs {
			var v value.Value
			if a := s.aggs[ai]; a.arg != nil {
				var err error
				if v, err = a.arg.eval(&s.e); err != nil {
					s.in.rowError(s.pump, r, err)
					return
				}
			}
			s.args = append(s.args, v)
		}
	}
	off := 0
	for wi, w := range s.windows {
		key := s.keyBuf[:s.keyEnds[wi]]
		if wi > 0 {
			key = key[s.keyEnds[wi-1]:]
		}
		pt := s.parts[wi][string(key)]
		if pt == nil {
			pt = &partition{Accs: make([]accState, len(w.aggs)), Dirty: make([]bool, len(w.aggs)),
				Lags: make([][]value.Value, len(w.aggs)), Mono: make([][]int64, len(w.aggs)),
				Vars: make([]varStack, len(w.aggs)), Exps: make([]expPrefix, len(w.aggs))}
			s.parts[wi][string(key)] = pt
		}
		width := len(w.aggs)
		vals := s.args[off : off+width]
		off += width
		s.evict(w, pt, r.Time, 1)
		pt.Times = append(pt.Times, r.Time)
		pt.Args = append(pt.Args, vals...)
		n := len(pt.Times) // rows in the window, this one last
		for j, ai := range w.aggs {
			a := s.aggs[ai]
			switch a.name {
			case "LAG", "NTH_VALUE", "FIRST_VALUE", "LAST_VALUE": // read from the window's rows
				continue
			case "EXP_AVG":
				pt.expPush(j, vals[j], a.halfLife)
				continue
			case "MIN", "MAX":
				pt.monoPush(j, width, vals[j], a.name == "MAX")
				continue
			}
			if a.variance() {
				if v := vals[j]; v.K != value.Null {
					pt.Vars[j].Back = pt.Vars[j].Back.merge(welford{N: 1, Mean: v.Float()})
				}
				continue
			}
			if !pt.Dirty[j] {
				a.add(&pt.Accs[j], vals[j], &s.dkey)
			}
		}
		for j, ai := range w.aggs {
			a := s.aggs[ai]
			switch a.name {
			case "LAG":
				var res value.Value
				found := false
				if a.lag == 0 {
					res, found = vals[j], true
				} else if w.noFrame {
					if h := pt.Lags[j]; a.lag <= len(h) {
						res, found = h[len(h)-a.lag], true
					}
				} else {
					res, found = backInWindow(pt, width, n-1, j, a.lag, a.ignoreNulls)
				}
				if !found && a.lagDef != nil {
					res, _ = a.lagDef.eval(&s.e)
				}
				s.aggBuf[ai] = res
				if w.noFrame && (vals[j].K != value.Null || !a.ignoreNulls) {
					h := append(pt.Lags[j], vals[j])
					if len(h) > w.lagDepth {
						h = h[len(h)-w.lagDepth:]
					}
					pt.Lags[j] = h
				}
				continue
			case "NTH_VALUE":
				s.aggBuf[ai] = value.Value{}
				if a.fromLast {
					s.aggBuf[ai], _ = backInWindow(pt, width, n, j, a.lag, a.ignoreNulls)
				} else if a.lag >= 1 {
					for i, seen := 0, 0; i < n; i++ {
						if v := pt.arg(width, i, j); v.K != value.Null || !a.ignoreNulls {
							if seen++; seen == a.lag {
								s.aggBuf[ai] = v
								break
							}
						}
					}
				}
				continue
			case "EXP_AVG":
				s.aggBuf[ai] = pt.expAvg(j, r.Time, a.halfLife)
				continue
			case "MIN", "MAX":
				s.aggBuf[ai] = value.Value{}
				if q := pt.Mono[j]; len(q) > 0 {
					s.aggBuf[ai] = pt.arg(width, int(q[0]-pt.Base), j)
				}
				continue
			case "FIRST_VALUE":
				s.aggBuf[ai] = value.Value{}
				for i := range n {
					if v := pt.arg(width, i, j); v.K != value.Null || !a.ignoreNulls {
						s.aggBuf[ai] = v
						break
					}
				}
				continue
			case "LAST_VALUE":
				s.aggBuf[ai], _ = backInWindow(pt, width, n, j, 1, a.ignoreNulls)
				continue
			}
			if a.variance() {
				vs := &pt.Vars[j]
				all := vs.Back
				if len(vs.Suffix) > 0 {
					all = vs.Suffix[0].merge(vs.Back)
				}
				s.aggBuf[ai] = a.varianceResult(all.N, all.M2)
				continue
			}
			if pt.Dirty[j] {
				pt.Accs[j] = accState{}
				for i := range n {
					a.add(&pt.Accs[j], pt.arg(width, i, j), &s.dkey)
				}
				pt.Dirty[j] = false
			}
			s.aggBuf[ai] = a.result(&pt.Accs[j])
		}
	}
	s.e.aggs = s.aggBuf
	s.outBuf = s.outBuf[:0]
	for _, it := range s.items {
		v, err := it.eval(&s.e)
		if err != nil {
			s.in.rowError(s.pump, r, err)
			return
		}
		s.outBuf = append(s.outBuf, v)
	}
	s.out.push(Row{Time: r.Time, Cols: s.outBuf})
}

// backInWindow returns argument j of the n-th row back from row end (exclusive; n from 1) of a window
// whose aggregates number width, skipping NULLs when ignoreNulls; false when there is none.
func backInWindow(pt *partition, width, end, j, n int, ignoreNulls bool) (value.Value, bool) {
	if n < 1 {
		return value.Value{}, false
	}
	seen := 0
	for i := end - 1; i >= 0; i-- {
		v := pt.arg(width, i, j)
		if v.K == value.Null && ignoreNulls {
			continue
		}
		if seen++; seen == n {
			return v, true
		}
	}
	return value.Value{}, false
}

// evict drops the rows that leave the window when a row at time t arrives (adding extra rows).
func (s *slidingOp) evict(w *windowDef, pt *partition, t int64, extra int) {
	drop := 0
	if w.rows {
		if n := len(pt.Times) + extra - int(w.n) - 1; n > 0 {
			drop = n
		}
	} else {
		for drop < len(pt.Times) && pt.Times[drop] < t-w.span {
			drop++
		}
	}
	if drop == 0 {
		return
	}
	width := len(w.aggs)
	for j, ai := range w.aggs {
		switch a := s.aggs[ai]; {
		case a.variance():
			pt.dropVar(j, width, drop)
		case a.name == "EXP_AVG":
			pt.expDrop(j, drop, a.halfLife)
		}
	}
	for i := range drop {
		for j, ai := range w.aggs {
			if pt.Dirty[j] || !s.aggs[ai].accumulates() {
				continue
			}
			if !s.aggs[ai].remove(&pt.Accs[j], pt.arg(width, i, j)) {
				pt.Dirty[j] = true
			}
		}
	}
	// Reslice rather than copy: a full window drops a row for every row it takes, and moving the rest down
	// each time cost O(window) per row. Appending past the shrunken capacity copies the live rows once
	// into a new array, so the cost is amortised O(1) and the memory at most twice the window's.
	clear(pt.Args[:drop*width]) // the dropped rows' values are garbage now
	pt.Times = pt.Times[drop:]
	pt.Args = pt.Args[drop*width:]
	pt.Base += int64(drop)
	for j, q := range pt.Mono {
		k := 0
		for k < len(q) && q[k] < pt.Base {
			k++
		}
		pt.Mono[j] = q[k:]
	}
	if len(pt.Times) == 0 {
		// An empty window starts again from nothing, as a new partition does: what removals leave in a
		// float sum (0.1 + 0.2 - 0.1 - 0.2 is not 0) must not depend on whether a sweep deleted the
		// partition meanwhile, which depends on when the application advanced.
		clear(pt.Accs)
		clear(pt.Dirty)
		clear(pt.Mono)
		clear(pt.Vars)
		clear(pt.Exps)
		pt.Base = 0
	}
}

// dropVar takes the window's oldest drop rows out of variance stack j, rebuilding the front from every row
// of the window first if it holds fewer than that.
func (pt *partition) dropVar(j, width, drop int) {
	vs := &pt.Vars[j]
	if drop > len(vs.Suffix) {
		n := len(pt.Times)
		vs.Suffix = slices.Grow(vs.Suffix[:0], n)[:n]
		acc := welford{}
		for i := n - 1; i >= 0; i-- {
			if v := pt.arg(width, i, j); v.K != value.Null {
				acc = welford{N: 1, Mean: v.Float()}.merge(acc)
			}
			vs.Suffix[i] = acc
		}
		vs.Back = welford{}
	}
	vs.Suffix = vs.Suffix[drop:]
}

// monoPush adds the newest row's value v (its number is Base+len(Times)-1) to MIN's or MAX's deque j: the
// rows it beats can never be the extreme again, since they leave the window first.
func (pt *partition) monoPush(j, width int, v value.Value, isMax bool) {
	if v.K == value.Null {
		return
	}
	q := pt.Mono[j]
	for len(q) > 0 {
		c := value.Compare(pt.arg(width, int(q[len(q)-1]-pt.Base), j), v)
		if (isMax && c > 0) || (!isMax && c < 0) {
			break
		}
		q = q[:len(q)-1] // equal values too: the newer one outlives it
	}
	pt.Mono[j] = append(q, pt.Base+int64(len(pt.Times)-1))
}

// advance forgets partitions whose rows have all left their time window, so that memory follows the keys
// seen within the window, not every key ever seen. Each window is swept at most once per span (and per
// second), so the cost is amortised over the rows the span holds.
func (s *slidingOp) advance(t int64) {
	for wi, w := range s.windows {
		if w.rows || t-s.swept[wi] < max(w.span, 1000) {
			continue
		}
		for k, pt := range s.parts[wi] {
			s.evict(w, pt, t, 0)
			if len(pt.Times) == 0 {
				delete(s.parts[wi], k)
			}
		}
		s.swept[wi] = t
	}
	s.out.advance(t)
}

type slidingState struct {
	Parts   []map[string]*partition
	SweptAt []int64
}

func (s *slidingOp) snapshot() any { return &slidingState{Parts: s.parts, SweptAt: s.swept} }

func (s *slidingOp) restore(dec func(any) error) error {
	var st slidingState
	if err := dec(&st); err != nil {
		return err
	}
	if len(st.Parts) != len(s.parts) {
		return errSnapshotMismatch
	}
	for i := range st.Parts {
		if st.Parts[i] == nil {
			st.Parts[i] = map[string]*partition{}
		}
		width := len(s.windows[i].aggs)
		for _, pt := range st.Parts[i] {
			// A snapshot of another shape (another code, or rows kept one slice each, as before the flat
			// layout) would index out of range: refuse it, and the run starts with fresh state.
			if pt == nil || len(pt.Args) != len(pt.Times)*width || len(pt.Accs) != width || len(pt.Dirty) != width ||
				len(pt.Lags) != width || len(pt.Mono) != width || len(pt.Vars) != width {
				return errSnapshotMismatch
			}
			for _, vs := range pt.Vars {
				if len(vs.Suffix) > len(pt.Times) {
					return errSnapshotMismatch
				}
			}
			if len(pt.Exps) != width {
				return errSnapshotMismatch
			}
			for j, ai := range s.windows[i].aggs {
				ep := pt.Exps[j]
				if n := len(pt.Times); s.aggs[ai].name == "EXP_AVG" && (len(ep.Sum) != n || len(ep.Cnt) != n) {
					return errSnapshotMismatch
				}
			}
			for _, q := range pt.Mono {
				for _, k := range q {
					if k < pt.Base || k >= pt.Base+int64(len(pt.Times)) {
						return errSnapshotMismatch
					}
				}
			}
		}
	}
	s.parts = st.Parts
	s.swept = make([]int64, len(s.windows))
	copy(s.swept, st.SweptAt)
	return nil
}

// expPush adds the newest row's value v to EXP_AVG j's running sums (see expPrefix).
func (pt *partition) expPush(j int, v value.Value, halfLife int64) {
	ep := &pt.Exps[j]
	i := len(pt.Times) - 1 // the new row
	var sum float64
	var cnt int64
	switch b := floorDiv(pt.Times[i], halfLife); {
	case i > 0 && floorDiv(pt.Times[i-1], halfLife) == b:
		sum, cnt = ep.Sum[i-1], ep.Cnt[i-1]
	case i == 0:
		sum, cnt = ep.DroppedSum, ep.DroppedCnt
	}
	if v.K != value.Null {
		sum += v.Float()
		cnt++
	}
	ep.Sum = append(ep.Sum, sum)
	ep.Cnt = append(ep.Cnt, cnt)
}

// expDrop takes the oldest drop rows out of EXP_AVG j's sums, keeping the last one's when it shares an
// interval with the first row kept. The caller drops the rows themselves afterwards.
func (pt *partition) expDrop(j, drop int, halfLife int64) {
	ep := &pt.Exps[j]
	ep.DroppedSum, ep.DroppedCnt = 0, 0
	if drop < len(pt.Times) && floorDiv(pt.Times[drop-1], halfLife) == floorDiv(pt.Times[drop], halfLife) {
		ep.DroppedSum, ep.DroppedCnt = ep.Sum[drop-1], ep.Cnt[drop-1]
	}
	ep.Sum = ep.Sum[drop:]
	ep.Cnt = ep.Cnt[drop:]
}

// expAvg is EXP_AVG j at time t over the window's rows (sql-reference-exp-avg): the window is cut into
// intervals of halfLife back from t, and a value's weight halves with each interval it lies back, so the
// newest interval's values weigh twice the next one's and four times the one before. NULLs count for
// nothing; no value at all is NULL. A row at t_i in epoch interval b (t_i = b·h + o_i) lies
// floor((t - t_i)/h) intervals back: q - b when o_i <= t's offset r, else q - b - 1 (t = q·h + r).
func (pt *partition) expAvg(j int, t, h int64) value.Value {
	ep := &pt.Exps[j]
	times := pt.Times
	q := floorDiv(t, h)
	r := t - q*h
	var sum, weights float64
	for i := 0; i < len(times); {
		b := floorDiv(times[i], h)
		end := i + sort.Search(len(times)-i, func(k int) bool { return times[i+k] >= (b+1)*h })
		split := i + sort.Search(end-i, func(k int) bool { return times[i+k]-b*h > r })
		baseSum, baseCnt := 0.0, int64(0)
		if i == 0 {
			baseSum, baseCnt = ep.DroppedSum, ep.DroppedCnt
		}
		// Rows [i, split), at an offset up to r, lie q-b intervals back; rows [split, end) lie q-b-1 back.
		near, far := q-b-1, q-b
		if split > i {
			s, c := ep.Sum[split-1]-baseSum, ep.Cnt[split-1]-baseCnt
			sum += math.Ldexp(s, -int(min(far, 1100))) // 2^-1100 is 0: beyond it all weigh nothing
			weights += math.Ldexp(float64(c), -int(min(far, 1100)))
			baseSum, baseCnt = ep.Sum[split-1], ep.Cnt[split-1]
		}
		if end > split {
			s, c := ep.Sum[end-1]-baseSum, ep.Cnt[end-1]-baseCnt
			sum += math.Ldexp(s, -int(min(near, 1100)))
			weights += math.Ldexp(float64(c), -int(min(near, 1100)))
		}
		i = end
	}
	if weights == 0 {
		return value.Value{}
	}
	return value.NewDouble(sum / weights)
}
