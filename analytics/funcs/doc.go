// Package funcs is the scalar function library of Hydrant's streaming SQL engine: the string, numeric,
// date/time, conversion and log parsing functions of the Kinesis Data Analytics SQL reference, CAST, and the
// LIKE and SIMILAR TO matchers.
//
// The planner (analytics/engine) looks a function up by its upper-case name and binds it once per call
// site with what it knows at plan time: the argument types and the literal arguments. Bind does the work
// that does not depend on the row (it compiles regular expressions and date formats, parses column
// specifications, works out the result type), so that evaluating a row allocates nothing for numbers and
// times, and only what the result needs for strings and ROWs.
//
// The special syntax of SQL reaches this package under canonical names with fixed argument orders:
// POSITION(sub, s), SUBSTRING(s, from[, len]), OVERLAY(s, with, from[, len]), TRIM(where, chars, s),
// EXTRACT(unit, x), FLOOR_TO(x, unit), CEIL_TO(x, unit) and STEP(x, width).
//
// The package does not own aggregates, LAG and the other streaming analytic functions, the table
// functions, or the functions whose value depends on the row's time (CURRENT_ROW_TIMESTAMP,
// CURRENT_TIMESTAMP, LOCALTIME...): the engine evaluates those.
//
// An Impl is safe for concurrent use: instances of one program may run in several goroutines and share
// the bound expressions. Impls keep no per-row state.
package funcs
