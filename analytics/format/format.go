// Package format maps records to rows and rows to records for the analytics engine: a source record
// (JSON with JSONPath column mappings, or CSV with row and column delimiters) becomes rows of typed SQL
// values, coerced as Kinesis Data Analytics coerces them; a result row becomes a JSON or CSV record for a
// destination. It also infers a schema from sample records (DiscoverInputSchema).
//
// It knows nothing of streams or the wire: analytics/runtime feeds it record payloads.
package format

// RecordFormat is an input's RecordFormat: JSON with its RecordRowPath, or CSV with its delimiters.
type RecordFormat struct {
	Type            string // "JSON" or "CSV"
	RecordRowPath   string // JSON: the path of the row(s) in a record, usually "$"
	RowDelimiter    string // CSV: RecordRowDelimiter, e.g. "\n"
	ColumnDelimiter string // CSV: RecordColumnDelimiter, e.g. ","
}

// Column is one RecordColumn of an input schema: its name (case kept), SqlType as written ("VARCHAR(4)")
// and Mapping (a JSONPath for JSON; unused for CSV, whose columns are positional).
type Column struct {
	Name    string
	SQLType string
	Mapping string
}
