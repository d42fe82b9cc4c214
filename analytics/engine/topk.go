package engine

import (
	"container/heap"
	"math"
	"math/bits"
	"sort"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// The tumbling table functions of KDA:
//
//	TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM ...), 'COL', k, seconds))
//	TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM ...), 'COL', seconds))
//
// Both cut the cursor's rows into tumbling windows of `seconds` on ROWTIME, aligned on the epoch as
// STEP(ROWTIME BY INTERVAL 'seconds' SECOND) is, and emit when a window closes, with ROWTIME set to the
// window's end. TOP_K emits one row per item (columns ITEM and ITEM_COUNT), the k most frequent values of COL with their counts, ordered by
// count descending and then by value ascending; COUNT_DISTINCT emits one row per window (column
// NUMBER_OF_DISTINCT_ITEMS, as the SQL reference's example stream names it). NULLs are not
// items. A window without rows emits nothing.
//
// KDA computes both approximately. Hydrant must give the same rows on every replay, so it counts exactly
// while a window holds at most exactLimit distinct items (KDA is exact up to 10,000 for COUNT_DISTINCT).
// Past that, memory stays bounded and the answer is approximate but still deterministic:
//   - TOP_K switches to Space-Saving with exactLimit counters: an unseen item takes over the counter of the
//     least frequent item (ties broken by evicting the largest value first) and inherits its count plus one.
//     Counts of surviving items are then upper bounds, off by at most the evicted count.
//   - COUNT_DISTINCT switches to a HyperLogLog of 2^14 registers (about 0.8% standard error) over a fixed,
//     seedless hash of the value, so two runs on the same rows give the same estimate.

// exactLimit is how many distinct items a window counts exactly.
const exactLimit = 100_000

// hllPrecision is log2 of the number of HyperLogLog registers.
const hllPrecision = 14

func init() {
	tableFuncs["TOP_K_ITEMS_TUMBLING"] = func(p *planner, t *sql.TableFunc) relation { return p.tumblingItems(t, true) }
	tableFuncs["COUNT_DISTINCT_ITEMS_TUMBLING"] = func(p *planner, t *sql.TableFunc) relation { return p.tumblingItems(t, false) }
}

// tumblingItems plans either function: topK selects TOP_K_ITEMS_TUMBLING.
func (p *planner) tumblingItems(t *sql.TableFunc, topK bool) relation {
	call := t.Call
	name := call.Name.Name
	want := 3
	usage := "(CURSOR(SELECT STREAM ...), 'column', windowSeconds)"
	if topK {
		want = 4
		usage = "(CURSOR(SELECT STREAM ...), 'column', k, windowSeconds)"
	}
	if len(call.Args) != want {
		errorf(call, "%s takes %d arguments %s, not %d", name, want, usage, len(call.Args))
	}
	cur, ok := call.Args[0].(*sql.Cursor)
	if !ok {
		errorf(call.Args[0], "the first argument of %s must be CURSOR(SELECT STREAM ...)", name)
	}
	cc := &compiler{p: p, sc: &scope{}, noAggs: true}
	if _, ok := call.Args[1].(*sql.StringLit); !ok {
		errorf(call.Args[1], "the second argument of %s must be a column name in single quotes, such as 'TICKER_SYMBOL'", name)
	}
	colArg := cc.expr(call.Args[1])
	if colArg.konst == nil || colArg.konst.K != value.String {
		errorf(call.Args[1], "the second argument of %s must be a column name in single quotes, such as 'TICKER_SYMBOL'", name)
	}
	intArg := func(i int, what string, lo, hi int64) int64 {
		a := cc.expr(call.Args[i])
		if a.konst == nil || a.konst.K != value.Int {
			errorf(call.Args[i], "%s of %s must be an integer constant", what, name)
		}
		if v := a.konst.I; v < lo || v > hi {
			errorf(call.Args[i], "%s of %s must be between %d and %d, not %d", what, name, lo, hi, v)
		}
		return a.konst.I
	}
	k := int64(0)
	if topK {
		k = intArg(2, "K", 1, 100_000)
	}
	secs := intArg(want-1, "the window size (seconds)", 1, 3600)

	in := p.query(cur.Query, false)
	col := colArg.konst.S
	vis := in.sc.visible("")
	src := &vis[cursorColumn(vis, col, name, call.Args[1])]
	if src.typ.Base == value.TRow {
		errorf(call.Args[1], "%s cannot count values of ROW column %s", name, quoteName(src.name))
	}

	o := &itemsOp{in: p.inst, pump: p.pump, slot: src.slot, k: int(k), width: secs * 1000, topK: topK,
		limit: exactLimit, index: map[string]int{}}
	in.setOut(o)
	p.inst.stateful = append(p.inst.stateful, o)

	alias := ""
	if t.Alias != nil {
		alias = t.Alias.Name
	}
	var cols []value.Column
	if topK {
		// KDA's console template (developer guide, top-k-example) names them ITEM and ITEM_COUNT; the item keeps
		// its column's type.
		cols = []value.Column{{Name: "ITEM", Type: src.typ}, {Name: "ITEM_COUNT", Type: value.BigintType}}
	} else {
		cols = []value.Column{{Name: "NUMBER_OF_DISTINCT_ITEMS", Type: value.BigintType}}
	}
	if len(t.ColAliases) > len(cols) {
		errorf(t.ColAliases[len(cols)], "%s yields %d columns, not %d", name, len(cols), len(t.ColAliases))
	}
	sc := &scope{width: len(cols)}
	for i, c := range cols {
		n := c.Name
		if i < len(t.ColAliases) {
			n = t.ColAliases[i].Name
		}
		sc.cols = append(sc.cols, column{table: alias, name: n, typ: c.Type, slot: i})
	}
	return relation{sc: sc, setOut: func(x op) { o.out = x }}
}

// itemsOp runs TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING.
type itemsOp struct {
	in    *Instance
	pump  string
	slot  int
	k     int
	width int64 // window length in milliseconds
	topK  bool
	limit int // distinct items counted exactly; a field so tests can lower it
	out   op

	open  bool
	start int64 // the open window's start
	items []*tkItem
	index map[string]int // appendKey(value) -> position in items
	over  bool           // past limit: Space-Saving (TOP_K) or HyperLogLog (COUNT_DISTINCT)
	heap  tkHeap         // TOP_K past limit: every item, least frequent first
	regs  []uint8        // COUNT_DISTINCT past limit

	keyBuf []byte
	sorted []*tkItem
	outBuf []value.Value
}

// tkItem is one distinct value of a window and how often it occurred.
type tkItem struct {
	Val value.Value
	N   int64
	pos int // in items
	hix int // in heap
}

func (o *itemsOp) push(r Row) {
	o.closeBefore(r.Time)
	if !o.open {
		o.open, o.start = true, floorDiv(r.Time, o.width)*o.width
	}
	v := r.Cols[o.slot]
	if v.K == value.Null {
		return
	}
	o.keyBuf = appendKey(o.keyBuf[:0], v)
	if o.over && !o.topK {
		hllAdd(o.regs, o.keyBuf)
		return
	}
	if i, ok := o.index[string(o.keyBuf)]; ok {
		it := o.items[i]
		it.N++
		if o.over {
			heap.Fix(&o.heap, it.hix)
		}
		return
	}
	if v.K == value.Row {
		v.R = append([]value.Value(nil), v.R...)
	}
	if len(o.items) < o.limit {
		o.index[string(o.keyBuf)] = len(o.items)
		o.items = append(o.items, &tkItem{Val: v, N: 1, pos: len(o.items)})
		return
	}
	if !o.topK {
		o.toHLL()
		hllAdd(o.regs, o.keyBuf)
		return
	}
	if !o.over {
		o.over = true
		o.heap = append(o.heap[:0], o.items...)
		for i, it := range o.heap {
			it.hix = i
		}
		heap.Init(&o.heap)
	}
	// Space-Saving: the new value replaces the least frequent one and inherits its count.
	it := o.heap[0]
	old := appendKey(nil, it.Val)
	delete(o.index, string(old))
	it.Val = v
	it.N++
	o.index[string(o.keyBuf)] = it.pos
	heap.Fix(&o.heap, 0)
}

// toHLL moves COUNT_DISTINCT's exact set into a HyperLogLog.
func (o *itemsOp) toHLL() {
	o.over = true
	o.regs = make([]uint8, 1<<hllPrecision)
	var b []byte
	for _, it := range o.items {
		b = appendKey(b[:0], it.Val)
		hllAdd(o.regs, b)
	}
	o.items = o.items[:0]
	clear(o.index)
}

// closeBefore closes the open window if time t lies at or past its end.
func (o *itemsOp) closeBefore(t int64) {
	if o.open && t >= o.start+o.width {
		o.close()
	}
}

func (o *itemsOp) close() {
	end := o.start + o.width
	if o.topK {
		o.sorted = append(o.sorted[:0], o.items...)
		sort.Slice(o.sorted, func(i, j int) bool {
			a, b := o.sorted[i], o.sorted[j]
			if a.N != b.N {
				return a.N > b.N
			}
			return value.Compare(a.Val, b.Val) < 0
		})
		for i, it := range o.sorted {
			if i == o.k {
				break
			}
			o.outBuf = append(o.outBuf[:0], it.Val, value.NewInt(it.N))
			o.out.push(Row{Time: end, Cols: o.outBuf})
		}
		clear(o.sorted)
	} else {
		n := int64(len(o.items))
		if o.over {
			n = hllCount(o.regs)
		}
		o.outBuf = append(o.outBuf[:0], value.NewInt(n))
		o.out.push(Row{Time: end, Cols: o.outBuf})
	}
	o.reset()
}

func (o *itemsOp) reset() {
	clear(o.items)
	o.items = o.items[:0]
	clear(o.index)
	clear(o.heap)
	o.heap = o.heap[:0]
	o.over, o.open, o.regs = false, false, nil
}

func (o *itemsOp) advance(t int64) {
	o.closeBefore(t)
	o.out.advance(t)
}

// tkHeap orders items least frequent first; among equal counts the largest value first, so that Space-Saving
// evicts the values that would lose a tie in the result anyway.
type tkHeap []*tkItem

func (h tkHeap) Len() int { return len(h) }
func (h tkHeap) Less(i, j int) bool {
	if h[i].N != h[j].N {
		return h[i].N < h[j].N
	}
	return value.Compare(h[i].Val, h[j].Val) > 0
}
func (h tkHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hix, h[j].hix = i, j
}
func (h *tkHeap) Push(x any) { it := x.(*tkItem); it.hix = len(*h); *h = append(*h, it) }
func (h *tkHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// hllHash is a fixed 64-bit hash of a value's key bytes: FNV-1a, then MurmurHash3's finalizer to spread the
// bits HyperLogLog reads. No per-process seed, so estimates are reproducible.
func hllHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func hllAdd(regs []uint8, key []byte) {
	h := hllHash(key)
	idx := h >> (64 - hllPrecision)
	rest := h<<hllPrecision | 1<<(hllPrecision-1) // a sentinel bit bounds the run of zeros
	rho := uint8(bits.LeadingZeros64(rest) + 1)
	if rho > regs[idx] {
		regs[idx] = rho
	}
}

// hllCount is the HyperLogLog estimate, with linear counting for small cardinalities.
func hllCount(regs []uint8) int64 {
	m := float64(len(regs))
	sum, zeros := 0.0, 0
	for _, r := range regs {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}

// itemsState is an itemsOp's checkpoint. Items are in arrival order (Space-Saving replaces in place).
type itemsState struct {
	Open  bool
	Start int64
	Over  bool
	Vals  []value.Value
	Ns    []int64
	Regs  []byte
}

func (o *itemsOp) snapshot() any {
	s := &itemsState{Open: o.open, Start: o.start, Over: o.over, Regs: o.regs}
	for _, it := range o.items {
		s.Vals = append(s.Vals, it.Val)
		s.Ns = append(s.Ns, it.N)
	}
	return s
}

func (o *itemsOp) restore(dec func(any) error) error {
	var s itemsState
	if err := dec(&s); err != nil {
		return err
	}
	if len(s.Vals) != len(s.Ns) {
		return errSnapshotMismatch
	}
	o.reset()
	o.open, o.start = s.Open, s.Start
	for i, v := range s.Vals {
		o.keyBuf = appendKey(o.keyBuf[:0], v)
		o.index[string(o.keyBuf)] = i
		o.items = append(o.items, &tkItem{Val: v, N: s.Ns[i], pos: i})
	}
	if s.Over {
		o.over = true
		if o.topK {
			o.heap = append(o.heap[:0], o.items...)
			for i, it := range o.heap {
				it.hix = i
			}
			heap.Init(&o.heap)
		} else {
			if len(s.Regs) != 1<<hllPrecision {
				return errSnapshotMismatch
			}
			o.regs = s.Regs
		}
	}
	return nil
}
