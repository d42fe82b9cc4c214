// Package engine is Hydrant's streaming SQL engine: it plans a Kinesis Data Analytics SQL application (the
// statements parsed by analytics/sql) into a graph of operators and runs rows through it.
//
// The engine is single-threaded and deterministic. Its caller (analytics/runtime) merges the records of every
// shard of the application's source into one sequence ordered by ROWTIME, the record's arrival time in the
// source log, and pushes it row by row; it calls Advance when every input has moved past a time, and
// windows ending at or before that time close and emit. The same input pushed again therefore yields the same
// output, which is what makes a replay from TRIM_HORIZON give exactly the rows a live run gave.
//
// A query may set its rows' ROWTIME itself, with a select item aliased ROWTIME (SELECT STREAM
// CHAR_TO_TIMESTAMP(...) AS ROWTIME, ...), so that windows downstream run on event time. ROWTIME must not
// go backwards in a stream, so a row whose new ROWTIME is earlier than the last one its query emitted goes
// to error_stream as a Late_row (and a NULL one as Null_rowtime). Time downstream of such a query is the
// ROWTIME it emitted last, not the arrival time: its consumers are advanced no further, so a window on
// event time closes when a later event shows that it is over, never because the arrival clock moved on.
package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Row is one row of an in-application stream: its ROWTIME (Unix milliseconds) and its columns.
type Row struct {
	Time int64
	Cols []value.Value
}

// Input is one in-application input stream the caller feeds, such as "SOURCE_SQL_STREAM_001". Names are
// case-sensitive, as KDA creates them quoted.
type Input struct {
	Name    string
	Columns []value.Column
	// Open makes every column name the code uses on this input resolve, typed as unknown (NULL type), as
	// `hydrant sql check` plans an application whose input schema it has not been given.
	Open bool
}

// Table is a reference table, loaded in full before the application starts.
type Table struct {
	Name    string
	Columns []value.Column
	Rows    [][]value.Value
	// Open makes every column name the code uses on this table resolve, as Input.Open does.
	Open bool
}

// Config is what an application is compiled against: its inputs, reference tables, and the in-application
// streams whose rows leave the engine (those with a destination).
type Config struct {
	Inputs  []Input
	Tables  []Table
	Outputs []string
}

// ErrorStream is the name of KDA's system stream of rejected rows. An Output may name it; the engine
// reports its rows through the Sink's Error method.
const ErrorStream = "error_stream"

// ErrorRow is one row of error_stream: a row the application could not process, and why.
type ErrorRow struct {
	Time        int64  // ERROR_TIME
	Level       string // ERROR_LEVEL: "Error" or "Warning"
	Name        string // ERROR_NAME, e.g. "Type_conversion_error", "Division_by_zero"
	Message     string
	DataRowtime int64  // DATA_ROWTIME: the ROWTIME of the row in error
	DataRow     []byte // DATA_ROW: the offending record or row
	Pump        string // PUMP_NAME, "" for input mapping errors
}

// Sink receives what a running application emits: rows of its output streams (by index in Config.Outputs)
// and error rows.
type Sink interface {
	Emit(output int, r Row)
	Error(e ErrorRow)
}

// Program is a compiled application. It is immutable and may start any number of instances.
type Program struct {
	cfg    Config
	script *sql.Script
	query  sql.QueryExpr // CompileQuery
	outs   [][]value.Column
}

// Compile parses, resolves and plans an application against cfg. Errors carry line and column: a
// *sql.SyntaxError, or an *Error for a statement that parses but cannot run (unknown stream or column,
// type mismatch, a streaming GROUP BY without a window key, ...). When several statements are wrong it
// returns them all, as an Errors list.
func Compile(code string, cfg Config) (*Program, error) {
	script, err := sql.Parse(code)
	if err != nil {
		return nil, err
	}
	p := &Program{cfg: cfg, script: script}
	if _, err := p.build(nil); err != nil {
		return nil, err
	}
	return p, nil
}

// CompileQuery compiles one query, as `hydrant sql` runs it: its rows are output 0.
func CompileQuery(query string, cfg Config) (*Program, error) {
	q, err := sql.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	p := &Program{cfg: cfg, query: q}
	if _, err := p.build(nil); err != nil {
		return nil, err
	}
	return p, nil
}

// OutputColumns returns the columns of each output (in Config.Outputs order): what an encoder writes.
func (p *Program) OutputColumns() [][]value.Column { return p.outs }

// build plans the program into a new instance that emits into sink.
func (p *Program) build(sink Sink) (*Instance, error) {
	in := &Instance{p: p, sink: sink, wm: minTime}
	pl := newPlanner(p.cfg, in)
	var outs [][]value.Column
	if p.query != nil {
		pl.guard(func() {
			rel := pl.query(p.query, true)
			var cols []value.Column
			for _, c := range rel.sc.visible("") {
				cols = append(cols, value.Column{Name: c.name, Type: c.typ})
			}
			outs = append(outs, cols)
			f := &fanIn{emit: func(r Row) { in.emit(0, r) }}
			rel.setOut(f.port())
		})
	} else {
		pl.script(p.script)
		pl.advanceIdle()
		for i, name := range p.cfg.Outputs {
			if name == ErrorStream {
				outs = append(outs, errorColumns)
				continue
			}
			d := pl.streams[name]
			if d == nil {
				pl.errs = append(pl.errs, &Error{Line: 1, Col: 1, Msg: fmt.Sprintf(
					"output %s names no in-application stream of the application code (names are case-sensitive)", quoteName(name))})
				continue
			}
			outs = append(outs, d.cols)
			idx := i
			d.node.emit = func(r Row) { in.emit(idx, r) }
		}
	}
	if len(pl.errs) == 1 {
		return nil, pl.errs[0]
	}
	if len(pl.errs) > 1 {
		return nil, pl.errs
	}
	p.outs = outs
	return in, nil
}

// errorColumns are error_stream's columns.
var errorColumns = []value.Column{
	{Name: "ERROR_TIME", Type: value.TimestampType}, {Name: "ERROR_LEVEL", Type: value.Varchar(10)},
	{Name: "ERROR_NAME", Type: value.Varchar(32)}, {Name: "MESSAGE", Type: value.Varchar(4096)},
	{Name: "DATA_ROWTIME", Type: value.TimestampType}, {Name: "DATA_ROW", Type: value.Type{Base: value.TVarbinary}},
	{Name: "PUMP_NAME", Type: value.Varchar(128)},
}

// Instance is a running program: its operators and their state. One goroutine feeds it.
type Instance struct {
	p        *Program
	sink     Sink
	inputs   []op
	stateful []stateful
	wm       int64 // every input has passed this time
	now      int64 // ROWTIME being processed, for error rows
	errors   int64
}

// stateful is an operator whose state a checkpoint keeps.
type stateful interface {
	snapshot() any
	restore(dec func(any) error) error
}

// Start makes a fresh instance that emits into sink.
func (p *Program) Start(sink Sink) *Instance {
	in, err := p.build(sink)
	if err != nil {
		panic("engine: a compiled program failed to build: " + err.Error())
	}
	return in
}

func (in *Instance) emit(output int, r Row) {
	if in.sink != nil {
		in.sink.Emit(output, r)
	}
}

// Push feeds one row of input (index in Config.Inputs). Rows come in non-decreasing Time across all
// inputs: a row at time T first advances the whole application to T, so that windows ending by T emit
// before anything T produces. Push does not keep r.Cols once it returns (operators copy the values they
// hold), so the caller may reuse the slice.
func (in *Instance) Push(input int, r Row) {
	if r.Time > in.wm {
		in.Advance(r.Time)
	}
	in.now = r.Time
	in.inputs[input].push(r)
}

// Advance says no row with Time < t will follow: windows that end at or before t close and emit, and
// rows held for ordering are released.
func (in *Instance) Advance(t int64) {
	if t <= in.wm {
		return
	}
	in.wm, in.now = t, t
	for _, o := range in.inputs {
		o.advance(t)
	}
}

// Watermark is the time every input has passed.
func (in *Instance) Watermark() int64 { return in.wm }

// Errors counts the rows that went to error_stream.
func (in *Instance) Errors() int64 { return in.errors }

// snapshotHeader starts a snapshot: a version and the number of stateful operators, so that a snapshot
// of a different program is refused instead of misread.
type snapshotHeader struct {
	Version  int
	Ops      int
	Wm       int64
	Checksum string // the program's text, hashed
}

var errSnapshotMismatch = errors.New("engine: the snapshot is of a different application")

// Snapshot returns the instance's state, to be restored with Program.Restore after a restart. Call it
// between Push calls; with the input positions taken at the same point it makes a consistent checkpoint.
func (in *Instance) Snapshot() ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(snapshotHeader{Version: 1, Ops: len(in.stateful), Wm: in.wm, Checksum: in.p.fingerprint()}); err != nil {
		return nil, err
	}
	for _, s := range in.stateful {
		if err := enc.Encode(s.snapshot()); err != nil {
			return nil, fmt.Errorf("engine: snapshot: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// Restore makes an instance from a Snapshot of the same program.
func (p *Program) Restore(snap []byte, sink Sink) (*Instance, error) {
	in, err := p.build(sink)
	if err != nil {
		return nil, err
	}
	dec := gob.NewDecoder(bytes.NewReader(snap))
	var h snapshotHeader
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("engine: restore: %w", err)
	}
	if h.Version != 1 || h.Ops != len(in.stateful) || h.Checksum != p.fingerprint() {
		return nil, errSnapshotMismatch
	}
	for _, s := range in.stateful {
		if err := s.restore(dec.Decode); err != nil {
			return nil, fmt.Errorf("engine: restore: %w", err)
		}
	}
	in.wm = h.Wm
	return in, nil
}

// fingerprint identifies the program's code and configuration, for snapshots.
func (p *Program) fingerprint() string {
	h := sha256.New()
	if p.script != nil {
		h.Write([]byte(p.script.String()))
	}
	if p.query != nil {
		h.Write([]byte(sql.Format(p.query)))
	}
	fmt.Fprintf(h, "%v", p.cfg.Inputs)
	fmt.Fprintf(h, "%v", p.cfg.Outputs)
	return hex.EncodeToString(h.Sum(nil))
}
