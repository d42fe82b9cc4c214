package format

// Error names of the rows Map refuses, as the in-application error_stream's ERROR_NAME reports them.
const (
	// ErrParse: the record is not valid JSON or CSV, or its RecordRowPath holds no row.
	ErrParse = "Parse_error"
	// ErrTypeConversion: a value cannot be coerced to its column's SqlType (sch-mapping.html calls
	// this a coercion error, written to the error stream).
	ErrTypeConversion = "Type_conversion_error"
)

// MapError is a row that could not be mapped. The runtime writes it to error_stream and goes on.
type MapError struct {
	Name    string // ErrParse or ErrTypeConversion
	Message string // says which column and which value, fit for error_stream's MESSAGE
}

func (e *MapError) Error() string { return e.Name + ": " + e.Message }
