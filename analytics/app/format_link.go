package app

import (
	"bytes"
	"fmt"

	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/value"
)

// discoverSchema infers a schema from sample records (format.Discover). Records are read as UTF-8,
// the only RecordEncoding the API knows.
func discoverSchema(records [][]byte) (Discovered, error) {
	d, err := format.Discover(records)
	if err != nil {
		return Discovered{}, err
	}
	return Discovered{Schema: Schema{Format: d.Format, Encoding: "UTF-8", Columns: d.Columns}, Parsed: d.Parsed, Raw: d.Raw}, nil
}

// checkMapping compiles a schema as the runtime will (format.NewMapper), so that an unknown SqlType
// or a bad JSONPath is refused when the schema is given rather than when the application starts.
func checkMapping(s *Schema) error {
	_, err := format.NewMapper(s.Format, s.Columns)
	return err
}

// mapObject maps a reference data object to rows of its schema's columns: the whole object is one
// record for CSV (the mapper splits its rows at RecordRowDelimiter), each line one record for JSON.
// A row that does not map fails the load: a reference table silently missing rows would make joins
// quietly wrong.
func mapObject(s Schema, data []byte) ([]value.Column, [][]value.Value, error) {
	m, err := format.NewMapper(s.Format, s.Columns)
	if err != nil {
		return nil, nil, err
	}
	var rows [][]value.Value
	var mapErr *format.MapError
	emit := func(row []value.Value) { rows = append(rows, append([]value.Value(nil), row...)) }
	onErr := func(e *format.MapError) {
		if mapErr == nil {
			mapErr = e
		}
	}
	if s.Format.Type == "CSV" {
		m.Map(data, emit, onErr)
	} else {
		for line := range bytes.Lines(data) {
			if line = bytes.TrimSpace(line); len(line) > 0 {
				m.Map(line, emit, onErr)
			}
		}
	}
	if mapErr != nil {
		return nil, nil, fmt.Errorf("row %d: %w", len(rows)+1, mapErr)
	}
	return m.Columns(), rows, nil
}
