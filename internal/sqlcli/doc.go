// Package sqlcli is the `hydrant sql` command line: `hydrant sql check` parses and plans application
// files and reports errors with their line and column, as go vet does; `hydrant sql` runs one SELECT
// STREAM query against a live Kinesis stream, reading it over the Kinesis API as any client would, and
// prints the rows as they come.
//
// A query run is a client of an endpoint and nothing of the server: reader.go follows the stream's
// shards (children after their parents), merge.go orders their records by arrival time as the server's
// analytics runtime does, and printer.go writes rows as a table, JSON lines or CSV. The run is one
// goroutine: it polls every shard in turn, pushes what it can order into the engine, and, when every
// shard is caught up, advances the engine to the wall clock so that windows close as time passes.
//
// It does not own the engine (analytics/engine), the record mapping (analytics/format) or the wire.
package sqlcli
