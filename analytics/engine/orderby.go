package engine

import (
	"math"
	"slices"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Streaming ORDER BY, as in
//
//	SELECT STREAM * FROM "TEMP_STREAM" ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC
//
// A stream cannot be sorted as a whole, so KDA requires the leading key to be a monotonic function of
// ROWTIME: it cuts the stream into groups of rows sharing that key's value, sorts each group by the other
// keys, and emits a group once time has moved past it: when a row or an advance brings a time whose leading
// key differs. That is a tumbling window whose rows come out sorted; the sort is stable (rows equal on every
// key keep their arrival order), so a replay gives the same rows in the same order.
//
// The rows of a group leave with the group's latest ROWTIME. Each keeping its own would make ROWTIME go
// backwards within the output, which every windowed consumer downstream relies on not happening; the
// group's end (as group.go stamps windows) would move rows later than any of them arrived, and shift
// ORDER BY ROWTIME or an ORDER BY after a GROUP BY, whose rows of a group share one ROWTIME already.
//
// The keys may name an output column (its alias or name), give a select item's position (ORDER BY 2), repeat
// a select item's expression, or be an expression over the output columns and ROWTIME. The leading key is
// checked against the FROM clause's columns, where ROWTIME is the input's, so that FLOOR("T".ROWTIME TO
// SECOND) resolves even when "T" is not a name of the output.
//
// Memory is one group's rows: the rows that arrive within one value of the leading key.

func init() {
	orderByPlanner = planOrderBy
}

// orderKey is one ORDER BY key after the leading one: an output column, or an expression over the output row.
type orderKey struct {
	slot int    // output column, or -1
	ce   *cexpr // when slot < 0
	desc bool
}

type orderOp struct {
	in   *Instance
	pump string
	lead *cexpr // the leading key: a function of ROWTIME only
	keys []orderKey
	out  op

	open  bool
	cur   value.Value // the open group's leading key
	end   int64       // the first instant whose leading key differs from cur
	last  int64       // ROWTIME of the group's latest row
	held  []heldRow
	e     env
	order []int
	arena []value.Value // backing store of the held rows' columns and keys, reused group after group
}

// heldRow is a row of the open group, copied, with its sort keys.
type heldRow struct {
	Time int64
	Cols []value.Value
	Keys []value.Value
}

func planOrderBy(p *planner, sel *sql.Select, rel relation, c *compiler) relation {
	vis := rel.sc.visible("")
	// The order scope: the output columns, plus the FROM clause's names so that T.ROWTIME means the row's time.
	osc := &scope{cols: rel.sc.cols, width: rel.sc.width, times: map[string]int{}}
	for _, q := range fromNames(sel.From) {
		osc.times[q] = -1
	}
	itemSlot := selectItemSlots(sel, len(vis))
	// resolve finds which output column a key names, and the select item's expression behind it.
	resolve := func(x sql.Expr) (slot int, src sql.Expr) {
		if n, ok := x.(*sql.NumberLit); ok {
			ce := numberLit(n)
			if ce.konst.K != value.Int || ce.konst.I < 1 || int(ce.konst.I) > len(vis) {
				errorf(x, "ORDER BY %s: the select list has %d columns", n.Text, len(vis))
			}
			slot = int(ce.konst.I) - 1
			for i, s := range itemSlot {
				if s == slot {
					src = sel.Items[i].Expr
				}
			}
			return slot, src
		}
		if ref, ok := x.(*sql.ColumnRef); ok && (len(ref.Parts) == 1 || len(ref.Parts) == 2 && osc.hasTable(ref.Parts[0].Name)) {
			// NAME, or T.NAME with T of the FROM clause: an output column.
			if i := rel.sc.find("", ref.Parts[len(ref.Parts)-1].Name); i >= 0 {
				slot = rel.sc.cols[i].slot
				for j, s := range itemSlot {
					if s == slot {
						src = sel.Items[j].Expr
					}
				}
				return slot, src
			}
		}
		text := sql.Format(x)
		for i, it := range sel.Items {
			if itemSlot[i] >= 0 && sql.Format(it.Expr) == text {
				return itemSlot[i], it.Expr
			}
		}
		return -1, x
	}

	o := &orderOp{in: p.inst, pump: p.pump}
	for i, item := range sel.OrderBy {
		slot, src := resolve(item.Expr)
		desc := item.Dir == "DESC"
		if i == 0 {
			lead := monotonicKey(p, c.sc, src)
			if lead == nil {
				errorf(item.Expr, "the first ORDER BY key of a streaming query must be monotonic in ROWTIME, such as FLOOR(%s.ROWTIME TO SECOND): rows are sorted within each of its values", firstName(sel.From))
			}
			if desc {
				errorf(item.Expr, "the first ORDER BY key of a streaming query cannot be DESC: time only moves forward")
			}
			o.lead = lead
			continue
		}
		k := orderKey{slot: slot, desc: desc}
		if slot < 0 {
			kc := &compiler{p: p, sc: osc, noAggs: true}
			k.ce = kc.expr(item.Expr)
			if k.ce.typ.Base == value.TRow {
				errorf(item.Expr, "cannot ORDER BY a ROW")
			}
		} else if rel.sc.cols[slot].typ.Base == value.TRow {
			errorf(item.Expr, "cannot ORDER BY a ROW")
		}
		o.keys = append(o.keys, k)
	}
	rel.setOut(o)
	p.inst.stateful = append(p.inst.stateful, o)
	return relation{sc: rel.sc, setOut: func(x op) { o.out = x }}
}

// monotonicKey compiles x over the FROM clause's scope and returns it if it depends on ROWTIME and constants
// only; nil otherwise (an output column that is not such an expression, an input column, a constant).
func monotonicKey(p *planner, in *scope, x sql.Expr) (ce *cexpr) {
	if x == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(planError); !ok {
				panic(r)
			}
			ce = nil
		}
	}()
	kc := &compiler{p: p, sc: in, noAggs: true}
	k := kc.expr(x)
	if !k.rowtimeOnly || k.konst != nil {
		return nil
	}
	return k
}

// selectItemSlots maps each select item to its output column, or -1 for a * (and for items whose position a
// * before and after them leaves unknown).
func selectItemSlots(sel *sql.Select, width int) []int {
	out := make([]int, len(sel.Items))
	stars := 0
	for _, it := range sel.Items {
		if _, ok := it.Expr.(*sql.Star); ok {
			stars++
		}
	}
	seen := 0
	for i, it := range sel.Items {
		if _, ok := it.Expr.(*sql.Star); ok {
			out[i] = -1
			seen++
			continue
		}
		switch {
		case seen == 0:
			out[i] = i
		case seen == stars:
			out[i] = width - (len(sel.Items) - i)
		default:
			out[i] = -1
		}
	}
	return out
}

// fromNames are the names that qualify columns in a FROM clause: stream names and aliases.
func fromNames(t sql.TableExpr) []string {
	switch t := t.(type) {
	case *sql.TableRef:
		if t.Alias != nil {
			return []string{t.Alias.Name}
		}
		if len(t.Name) > 0 {
			return []string{t.Name[len(t.Name)-1].Name}
		}
	case *sql.DerivedTable:
		if t.Alias != nil {
			return []string{t.Alias.Name}
		}
	case *sql.TableFunc:
		if t.Alias != nil {
			return []string{t.Alias.Name}
		}
	case *sql.Join:
		return append(fromNames(t.L), fromNames(t.R)...)
	}
	return nil
}

func firstName(t sql.TableExpr) string {
	if n := fromNames(t); len(n) > 0 {
		return quoteName(n[0])
	}
	return "ROWTIME"
}

func (o *orderOp) leadAt(t int64) value.Value {
	v, _ := o.lead.eval(&env{time: t})
	return v
}

func (o *orderOp) push(r Row) {
	o.closeBefore(r.Time)
	o.e.cols, o.e.time = r.Cols, r.Time
	row := o.alloc(len(r.Cols) + len(o.keys))
	cols, keys := row[:len(r.Cols):len(r.Cols)], row[len(r.Cols):]
	for i, k := range o.keys {
		if k.slot >= 0 {
			keys[i] = r.Cols[k.slot]
			continue
		}
		v, err := k.ce.eval(&o.e)
		if err != nil {
			o.arena = o.arena[:len(o.arena)-len(row)]
			o.in.rowError(o.pump, r, err)
			return
		}
		keys[i] = v
	}
	for i, v := range r.Cols {
		if v.K == value.Row {
			v.R = slices.Clone(v.R)
		}
		cols[i] = v
	}
	if !o.open {
		o.open, o.cur = true, o.leadAt(r.Time)
		o.end = o.groupEnd(r.Time)
	}
	o.last = r.Time
	o.held = append(o.held, heldRow{Time: r.Time, Cols: cols, Keys: keys})
}

// alloc returns n values from the arena. Slices handed out stay valid when the arena grows (they keep the
// old block); close recycles the arena once the group's rows have been pushed on.
func (o *orderOp) alloc(n int) []value.Value {
	if cap(o.arena)-len(o.arena) < n {
		o.arena = make([]value.Value, 0, max(1024, 2*cap(o.arena), n))
	}
	l := len(o.arena)
	o.arena = o.arena[:l+n]
	return o.arena[l : l+n : l+n]
}

// groupEnd finds the first instant after t0 whose leading key differs from the key at t0: by doubling steps
// until it differs, then bisection. The key is monotonic, so once it differs it differs for good, and a
// group costs a few dozen evaluations of the key instead of one per row and per advance.
func (o *orderOp) groupEnd(t0 int64) int64 {
	lo, step := t0, int64(1)
	for {
		if t0 > math.MaxInt64-step {
			return math.MaxInt64 // the key never changes: the group never closes
		}
		hi := t0 + step
		if value.Compare(o.leadAt(hi), o.cur) != 0 {
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if value.Compare(o.leadAt(mid), o.cur) != 0 {
					hi = mid
				} else {
					lo = mid
				}
			}
			return hi
		}
		lo, step = hi, step*2
	}
}

// closeBefore emits the open group if its leading key no longer holds at time t.
func (o *orderOp) closeBefore(t int64) {
	if o.open && t >= o.end {
		o.close()
	}
}

func (o *orderOp) close() {
	end := o.last
	o.order = o.order[:0]
	for i := range o.held {
		o.order = append(o.order, i)
	}
	slices.SortStableFunc(o.order, func(a, b int) int {
		ka, kb := o.held[a].Keys, o.held[b].Keys
		for i, k := range o.keys {
			c := value.Compare(ka[i], kb[i])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	for _, i := range o.order {
		o.out.push(Row{Time: end, Cols: o.held[i].Cols})
	}
	clear(o.held)
	o.held = o.held[:0]
	clear(o.arena)
	o.arena = o.arena[:0]
	o.open, o.cur = false, value.Value{}
}

func (o *orderOp) advance(t int64) {
	o.closeBefore(t)
	o.out.advance(t)
}

// orderState is an orderOp's checkpoint.
type orderState struct {
	Open bool
	Cur  value.Value
	End  int64
	Last int64
	Held []heldRow
}

func (o *orderOp) snapshot() any {
	return &orderState{Open: o.open, Cur: o.cur, End: o.end, Last: o.last, Held: o.held}
}

func (o *orderOp) restore(dec func(any) error) error {
	var s orderState
	if err := dec(&s); err != nil {
		return err
	}
	for _, h := range s.Held {
		if len(h.Keys) != len(o.keys) {
			return errSnapshotMismatch
		}
	}
	o.open, o.cur, o.end, o.last, o.held = s.Open, s.Cur, s.End, s.Last, s.Held
	return nil
}
