package app

import (
	"fmt"

	"github.com/hydrantio/hydrant/streams"
)

// Error kinds of the Kinesis Analytics API that the store's kinds do not cover. They extend
// streams.ErrorKind from 64 up, so that the ingest layer maps them in the same table as the store's
// (streams itself uses the values below 64).
const (
	// KindInvalidConfiguration: the application cannot start as configured
	// (InvalidApplicationConfigurationException).
	KindInvalidConfiguration streams.ErrorKind = 64 + iota
	// KindCodeValidation: the application code does not parse (CodeValidationException).
	KindCodeValidation
	// KindUnableToDetectSchema: DiscoverInputSchema found no records, or none it could read
	// (UnableToDetectSchemaException).
	KindUnableToDetectSchema
	// KindTooManyTags: more than 50 tags (TooManyTagsException).
	KindTooManyTags
)

// SchemaError is DiscoverInputSchema's refusal of records it could not infer a schema from
// (KindUnableToDetectSchema). It carries the sampled records, which UnableToDetectSchemaException
// returns as RawInputRecords and ProcessedInputRecords so that the caller sees what was read.
type SchemaError struct {
	Err       *streams.Error
	Raw       []string // the records as read from the stream or object
	Processed []string // the records as given to discovery: the same, since no Lambda preprocessor runs
}

func (e *SchemaError) Error() string { return e.Err.Msg }
func (e *SchemaError) Unwrap() error { return e.Err }

func kindErr(kind streams.ErrorKind, format string, args ...any) *streams.Error {
	return &streams.Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func invalidArg(format string, args ...any) *streams.Error {
	return kindErr(streams.KindInvalidArgument, format, args...)
}

func notFound(name string) *streams.Error {
	return kindErr(streams.KindNotFound, "Application %s is not found.", name)
}
