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
