// Package engine is Hydrant's streaming SQL engine: it plans a Kinesis Data Analytics SQL application (the
// statements parsed by analytics/sql) into a graph of operators and runs rows through it.
//
// The engine is single-threaded and deterministic. Its caller (analytics/runtime) merges the records of every
// shard of the application's source into one sequence ordered by ROWTIME, the record's arrival time in the
// source log, and pushes it row by row; it calls Advance when every input has moved past a time, and
// windows ending at or before that time close and emit. The same input pushed again therefore yields the same
// output, which is what makes a replay from TRIM_HORIZON give exactly the rows a live run gave.
package engine

import (
	"errors"

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
}

// Table is a reference table, loaded in full before the application starts.
type Table struct {
	Name    string
	Columns []value.Column
	Rows    [][]value.Value
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
	cfg Config
}

// Compile parses, resolves and plans an application against cfg. Errors carry line and column: a
// *sql.SyntaxError, or an *Error for a statement that parses but cannot run (unknown stream or column,
// type mismatch, a streaming GROUP BY without a window key, ...). It returns all errors it found as an
// Errors list when there are several.
func Compile(code string, cfg Config) (*Program, error) {
	return nil, errNotYet
}

// CompileQuery compiles one query, as `hydrant sql` runs it: its rows are output 0.
func CompileQuery(query string, cfg Config) (*Program, error) {
	return nil, errNotYet
}

// OutputColumns returns the columns of each output (in Config.Outputs order): what an encoder writes.
func (p *Program) OutputColumns() [][]value.Column { return nil }

// Instance is a running program: operator state, fed by one goroutine.
type Instance struct {
	p    *Program
	sink Sink
}

// Start makes a fresh instance that emits into sink.
func (p *Program) Start(sink Sink) *Instance { return &Instance{p: p, sink: sink} }

// Push feeds one row of input (index in Config.Inputs). Rows come in non-decreasing Time across all
// inputs. Push takes ownership of r.Cols: the engine may keep the slice in window state.
func (in *Instance) Push(input int, r Row) {}

// Advance says no row with Time < t will follow: windows that end at or before t close and emit, and
// rows held for ordering are released.
func (in *Instance) Advance(t int64) {}

// Snapshot returns the instance's state, to be restored with Program.Restore after a restart. Call it
// between Push calls; with the input positions taken at the same point it makes a consistent checkpoint.
func (in *Instance) Snapshot() ([]byte, error) { return nil, errNotYet }

// Restore makes an instance from a Snapshot of the same program.
func (p *Program) Restore(snap []byte, sink Sink) (*Instance, error) { return nil, errNotYet }

var errNotYet = errors.New("engine: not implemented yet")
