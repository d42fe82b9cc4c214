package runtime

import (
	"log/slog"
	"time"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/streams"
)

// Config is one application as the runtime runs it. analytics/app builds it from the API's configuration.
type Config struct {
	Name    string // the application's name, for logs and output record keys
	ARN     string
	Code    string // the application's SQL
	Dir     string // the application's own directory: checkpoints live here
	Inputs  []Input
	Outputs []Output
	Tables  []engine.Table // reference data, loaded by the caller
	Log     *slog.Logger   // the run adds the application's name to every record
	Created time.Time      // when the application was created: with ARN, the identity in output keys
}

// Input is the application's streaming source and its mapping to in-application streams.
type Input struct {
	NamePrefix  string // in-application streams are NamePrefix_001 ... NamePrefix_<Parallelism>
	Parallelism int    // 1 to 64; 0 means 1
	Scope       streams.Scope
	Ref         streams.StreamRef // a Kinesis stream, or a delivery stream's internal log
	Format      format.RecordFormat
	Columns     []format.Column
	Start       string // "NOW", "TRIM_HORIZON" or "LAST_STOPPED_POINT"
}

// Output sends the rows of one in-application stream (Name, case-sensitive; engine.ErrorStream for
// error_stream) to a destination stream, encoded as JSON or CSV. The destination is a stream of the
// store: a Kinesis stream, or a DirectPut delivery stream's internal log (writing there is what
// PutRecordBatch does). The runtime writes with store.PutRecords and deterministic partition keys, so that
// after a restart it can find, in the destination itself, which rows were already written.
type Output struct {
	Name   string
	Format string // "JSON" or "CSV"
	Scope  streams.Scope
	Ref    streams.StreamRef
}
