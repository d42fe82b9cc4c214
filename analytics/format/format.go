// Package format maps records to rows and rows to records for the analytics engine: a source record
// (JSON with JSONPath column mappings, or CSV with row and column delimiters) becomes rows of typed SQL
// values, coerced as Kinesis Data Analytics coerces them; a result row becomes a JSON or CSV record for a
// destination. It also infers a schema from sample records (DiscoverInputSchema).
//
// It knows nothing of streams or the wire: analytics/runtime feeds it record payloads.
//
// The files, one concept each:
//
//	path.go      the JSONPath subset KDA accepts ($.a.b, $.a[0], $.a[0:], ['a b'])
//	json.go      the JSON scanner: validates and steps over values by offset, builds no tree
//	mapper.go    Mapper: the column paths as a trie, one pass per record, flattened arrays, RecordRowPath
//	csv.go       CSV rows and fields, multi-character delimiters, quoted fields
//	coerce.go    KDA's JSON-to-SQL coercion table (sch-mapping.html)
//	datetime.go  datetime text in and out without the time package
//	encoder.go   Encoder: rows as JSON objects or CSV lines for destinations
//	discover.go  Discover: DiscoverInputSchema's inference, names and types
//	errors.go    MapError and the error_stream names
//
// Speed: Map is on the input hot path of every application. A record is scanned once; members no column
// names are validated and skipped without recursion; each string column is a substring of one string
// made from the record, so a record costs at most one allocation (none when no string is mapped), and
// rows reuse one slice. The encoder appends into the caller's buffer and allocates nothing.
//
// Concurrency: a Mapper is used by one goroutine at a time (it reuses its buffers; the runtime has one
// per input). An Encoder holds no state after NewEncoder and may be shared. Discover is a plain function.
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
