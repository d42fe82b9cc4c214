package runtime

import (
	"context"
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
	Log     *slog.Logger
	Now     func() time.Time // default time.Now
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
// error_stream) to a destination, encoded as JSON or CSV.
type Output struct {
	Name   string
	Format string // "JSON" or "CSV"
	Dest   Destination
}

// Record is one output record. Key is deterministic: the same row of the same run always has the same
// key, so a row written again after a restart is recognisable.
type Record struct {
	Key  string
	Data []byte
}

// Destination writes output records durably. Put returns only when every record is durable, or an error;
// the runtime retries failed Puts with backoff (a slow or failing destination holds the application back,
// as KDA does) until ctx ends.
type Destination interface {
	Put(ctx context.Context, recs []Record) error
}
