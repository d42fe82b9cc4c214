package engine

import "github.com/hydrantio/hydrant/analytics/value"

// aggregator is what the operators that fold rows into groups share (tumbling GROUP BY, STAGGER): per
// input row, WHERE, the group keys and the aggregates' arguments; per closing group, HAVING and the select
// list over its keys and results.
type aggregator struct {
	in     *Instance
	pump   string
	where  *cexpr
	keys   []*cexpr
	aggs   []*aggSpec
	having *cexpr
	items  []*cexpr
	out    op

	e       env
	keyVals []value.Value // the row's key values (valid until the next eval)
	keyBuf  []byte        // their encoding: the group's map key
	args    []value.Value // the row's aggregate arguments
	dkey    []byte        // scratch for DISTINCT aggregates' keys
	aggBuf  []value.Value
	outBuf  []value.Value
}

// eval evaluates what row r contributes. It returns false when WHERE drops the row, or when an
// expression fails: the row then goes to error_stream and counts in no group (no group is even opened
// for it).
func (a *aggregator) eval(r Row) bool {
	a.e.cols, a.e.time = r.Cols, r.Time
	if a.where != nil {
		v, err := a.where.eval(&a.e)
		if err != nil {
			a.in.rowError(a.pump, r, err)
			return false
		}
		if v.K != value.Bool || v.I == 0 {
			return false
		}
	}
	a.keyVals, a.keyBuf = a.keyVals[:0], a.keyBuf[:0]
	for _, k := range a.keys {
		v, err := k.eval(&a.e)
		if err != nil {
			a.in.rowError(a.pump, r, err)
			return false
		}
		a.keyVals = append(a.keyVals, v)
		a.keyBuf = appendKey(a.keyBuf, v)
	}
	a.args = a.args[:0]
	for _, s := range a.aggs {
		var v value.Value
		if s.arg != nil {
			var err error
			if v, err = s.arg.eval(&a.e); err != nil {
				a.in.rowError(a.pump, r, err)
				return false
			}
		}
		a.args = append(a.args, v)
	}
	return true
}

// fold adds the arguments eval computed to a group's accumulators.
func (a *aggregator) fold(accs []accState) {
	for i, s := range a.aggs {
		s.add(&accs[i], a.args[i], &a.dkey)
	}
}

// emit computes a closing group's row, with ROWTIME t, and pushes it unless HAVING drops it or an
// expression fails (error_stream).
func (a *aggregator) emit(keys []value.Value, accs []accState, t int64) {
	a.aggBuf = a.aggBuf[:0]
	for i, s := range a.aggs {
		a.aggBuf = append(a.aggBuf, s.result(&accs[i]))
	}
	e := env{keys: keys, aggs: a.aggBuf, time: t}
	if a.having != nil {
		v, err := a.having.eval(&e)
		if err != nil {
			a.in.rowError(a.pump, Row{Time: t, Cols: keys}, err)
			return
		}
		if v.K != value.Bool || v.I == 0 {
			return
		}
	}
	a.outBuf = a.outBuf[:0]
	for _, it := range a.items {
		v, err := it.eval(&e)
		if err != nil {
			a.in.rowError(a.pump, Row{Time: t, Cols: keys}, err)
			return
		}
		a.outBuf = append(a.outBuf, v)
	}
	a.out.push(Row{Time: t, Cols: a.outBuf})
}
