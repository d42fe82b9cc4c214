package engine

import (
	"bytes"
	"errors"
	"slices"
	"strconv"

	"github.com/hydrantio/hydrant/analytics/funcs"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Operators are push-based: a row goes in with push, is processed at once, and what it produces is pushed
// to the next operator. advance(t) says no row with Time < t will follow: windowed operators close and
// emit what ends at or before t, then pass the advance on. Rows pushed to an operator are valid only during
// the call; an operator that keeps one copies it.
type op interface {
	push(r Row)
	advance(t int64)
}

// fanIn merges the rows several producers push into one consumer (an in-application stream filled by
// several pumps, a UNION ALL). Each producer pushes through its own port; the consumer is advanced to
// the smallest time every producer has passed, so that a slow producer's window rows are never late.
type fanIn struct {
	wm   []int64
	cur  int64
	outs []op
	emit func(r Row) // an output of the application, if the stream is one
}

type fanInPort struct {
	f *fanIn
	i int
}

func (f *fanIn) port() op {
	f.wm = append(f.wm, minTime)
	return &fanInPort{f: f, i: len(f.wm) - 1}
}

const minTime = -1 << 63

func (p *fanInPort) push(r Row) { p.f.push(r) }

func (p *fanInPort) advance(t int64) {
	f := p.f
	if t <= f.wm[p.i] {
		return
	}
	f.wm[p.i] = t
	m := t
	for _, w := range f.wm {
		m = min(m, w)
	}
	if m > f.cur {
		f.cur = m
		for _, o := range f.outs {
			o.advance(m)
		}
	}
}

func (f *fanIn) push(r Row) {
	if f.emit != nil {
		f.emit(r)
	}
	for _, o := range f.outs {
		o.push(r)
	}
}

// streamNode is an in-application stream: a fan-in of the pumps that insert into it, read by the pumps
// that select from it.
type streamNode struct {
	fanIn
	def *streamDef
}

// filterProject is WHERE and the select list of a query without aggregation: one row in, at most one out.
type filterProject struct {
	in    *Instance
	pump  string
	where *cexpr
	items []*cexpr // nil: pass the row through (SELECT * with nothing to compute)
	out   op
	buf   []value.Value
	e     env
}

func (o *filterProject) push(r Row) {
	o.e.cols, o.e.time = r.Cols, r.Time
	if o.where != nil {
		v, err := o.where.eval(&o.e)
		if err != nil {
			o.in.rowError(o.pump, r, err)
			return
		}
		if v.K != value.Bool || v.I == 0 {
			return
		}
	}
	if o.items == nil {
		o.out.push(r)
		return
	}
	o.buf = o.buf[:0]
	for _, it := range o.items {
		v, err := it.eval(&o.e)
		if err != nil {
			o.in.rowError(o.pump, r, err)
			return
		}
		o.buf = append(o.buf, v)
	}
	o.out.push(Row{Time: r.Time, Cols: o.buf})
}

func (o *filterProject) advance(t int64) { o.out.advance(t) }

// insert casts a query's rows to the columns of the stream it inserts into.
type insert struct {
	in    *Instance
	pump  string
	casts []func(value.Value) (value.Value, error) // per target column; nil: NULL
	src   []int                                    // per target column: the query column, or -1
	out   op
	buf   []value.Value
}

func (o *insert) push(r Row) {
	o.buf = o.buf[:0]
	for i, c := range o.casts {
		var v value.Value
		if s := o.src[i]; s >= 0 {
			v = r.Cols[s]
		}
		if c != nil && v.K != value.Null {
			var err error
			if v, err = c(v); err != nil {
				o.in.rowError(o.pump, r, err)
				return
			}
		}
		o.buf = append(o.buf, v)
	}
	o.out.push(Row{Time: r.Time, Cols: o.buf})
}

func (o *insert) advance(t int64) { o.out.advance(t) }

// rowError sends a row that failed to error_stream.
func (in *Instance) rowError(pump string, r Row, err error) {
	in.errors++
	if in.sink == nil {
		return
	}
	name, msg := "Evaluation_error", err.Error()
	var ee *evalError
	var fe *funcs.Error
	switch {
	case errors.As(err, &ee):
		name, msg = ee.name, ee.msg
	case errors.As(err, &fe):
		name, msg = fe.Name, fe.Message
	}
	in.sink.Error(ErrorRow{Time: in.now, Level: "Error", Name: name, Message: msg, DataRowtime: r.Time,
		DataRow: rowText(r.Cols), Pump: pump})
}

// rowText is DATA_ROW: the row's values as text, comma-separated, strings quoted.
func rowText(cols []value.Value) []byte {
	var b []byte
	for i, v := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		switch v.K {
		case value.Null:
			b = append(b, "NULL"...)
		case value.String:
			b = strconv.AppendQuote(b, v.S)
		default:
			b = v.AppendText(b)
		}
	}
	return b
}

// distinct is SELECT STREAM DISTINCT with ROWTIME, or a window of it such as FLOOR(ROWTIME TO MINUTE),
// among the selected values: rows equal to one already seen in the same window are dropped. The window is
// the value of those time columns; it only moves forward, so only the current window's rows are
// remembered.
type distinct struct {
	win    []int // the select items that depend on ROWTIME only
	seen   map[string]struct{}
	cur    []byte // the current window: its time columns, encoded
	winBuf []byte
	keyBuf []byte
	out    op
}

type distinctState struct {
	Win  []byte
	Seen []string
}

func (d *distinct) snapshot() any {
	st := &distinctState{Win: d.cur}
	for k := range d.seen {
		st.Seen = append(st.Seen, k)
	}
	slices.Sort(st.Seen)
	return st
}

func (d *distinct) restore(dec func(any) error) error {
	var st distinctState
	if err := dec(&st); err != nil {
		return err
	}
	d.cur = st.Win
	clear(d.seen)
	for _, k := range st.Seen {
		d.seen[k] = struct{}{}
	}
	return nil
}

func (d *distinct) push(r Row) {
	d.winBuf = d.winBuf[:0]
	for _, i := range d.win {
		d.winBuf = appendKey(d.winBuf, r.Cols[i])
	}
	if !bytes.Equal(d.winBuf, d.cur) {
		clear(d.seen)
		d.cur = append(d.cur[:0], d.winBuf...)
	}
	d.keyBuf = d.keyBuf[:0]
	for _, v := range r.Cols {
		d.keyBuf = appendKey(d.keyBuf, v)
	}
	if _, dup := d.seen[string(d.keyBuf)]; dup {
		return
	}
	d.seen[string(d.keyBuf)] = struct{}{}
	d.out.push(r)
}

func (d *distinct) advance(t int64) { d.out.advance(t) }

// retime is a select item aliased ROWTIME (SELECT STREAM "event_time" AS ROWTIME, ...): the item's value
// becomes the row's ROWTIME instead of a column. KDA keeps every stream's ROWTIME non-decreasing, so a row
// whose new ROWTIME is earlier than the last one this operator emitted is a late row and goes to
// error_stream, as is a row whose new ROWTIME is NULL (ROWTIME is TIMESTAMP NOT NULL).
//
// Time downstream is the ROWTIME this operator emits, not the arrival time of its input: an event time may
// lie hours behind arrival, and a window downstream must not close before its event-time rows come. So
// advance passes on only the last ROWTIME emitted, which no later row can precede; an advance from the
// input past it does not move the consumers. The output is a function of the input rows alone, so a replay
// gives the same rows and the same late rows.
type retime struct {
	in   *Instance
	pump string
	slot int // the item's column in the rows that come in
	out  op
	last int64 // ROWTIME of the last row emitted, minTime before the first
	sent int64 // the time the consumers were last advanced to
	buf  []value.Value
}

func (o *retime) push(r Row) {
	v := r.Cols[o.slot]
	if v.K != value.Null && v.K != value.Timestamp {
		var err error
		if v, err = funcs.Cast(v, value.TimestampType); err != nil {
			o.in.rowError(o.pump, r, err)
			return
		}
	}
	if v.K == value.Null {
		o.in.rowError(o.pump, r, &evalError{"Null_rowtime", "the select item aliased ROWTIME is NULL: ROWTIME is TIMESTAMP NOT NULL"})
		return
	}
	if v.I < o.last {
		o.in.rowError(o.pump, r, &evalError{"Late_row", "ROWTIME " + value.NewTimestamp(v.I).String() +
			" is earlier than the stream's current ROWTIME " + value.NewTimestamp(o.last).String() + ": rows must be in ROWTIME order"})
		return
	}
	o.last = v.I
	o.buf = append(append(o.buf[:0], r.Cols[:o.slot]...), r.Cols[o.slot+1:]...)
	o.out.push(Row{Time: v.I, Cols: o.buf})
}

func (o *retime) advance(int64) {
	if o.last > o.sent {
		o.sent = o.last
		o.out.advance(o.last)
	}
}

type retimeState struct{ Last, Sent int64 }

func (o *retime) snapshot() any { return &retimeState{Last: o.last, Sent: o.sent} }

func (o *retime) restore(dec func(any) error) error {
	var st retimeState
	if err := dec(&st); err != nil {
		return err
	}
	o.last, o.sent = st.Last, st.Sent
	return nil
}
