package sqlcli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Schema is an input or reference schema in the shape KDA's CreateApplication takes (InputSchema,
// ReferenceSchema), so that a file written for the API works as a --schema as it is.
type Schema struct {
	RecordFormat   RecordFormat
	RecordEncoding string `json:",omitempty"`
	RecordColumns  []RecordColumn
}

// RecordFormat is a Schema's RecordFormat.
type RecordFormat struct {
	RecordFormatType  string
	MappingParameters *MappingParameters `json:",omitempty"`
}

// MappingParameters holds the parameters of the record format in use.
type MappingParameters struct {
	JSONMappingParameters *JSONMappingParameters `json:",omitempty"`
	CSVMappingParameters  *CSVMappingParameters  `json:",omitempty"`
}

// JSONMappingParameters is where a JSON record's rows are.
type JSONMappingParameters struct{ RecordRowPath string }

// CSVMappingParameters are a CSV record's delimiters.
type CSVMappingParameters struct{ RecordRowDelimiter, RecordColumnDelimiter string }

// RecordColumn is one column of a Schema.
type RecordColumn struct {
	Name    string
	SqlType string
	Mapping string `json:",omitempty"`
}

// Format returns the schema's record format and columns as analytics/format takes them. A JSON
// format without RecordRowPath reads "$", a CSV one without delimiters "\n" and ",".
func (s *Schema) Format() (format.RecordFormat, []format.Column) {
	f := format.RecordFormat{Type: strings.ToUpper(s.RecordFormat.RecordFormatType)}
	if mp := s.RecordFormat.MappingParameters; mp != nil {
		if j := mp.JSONMappingParameters; j != nil {
			f.RecordRowPath = j.RecordRowPath
		}
		if c := mp.CSVMappingParameters; c != nil {
			f.RowDelimiter, f.ColumnDelimiter = c.RecordRowDelimiter, c.RecordColumnDelimiter
		}
	}
	// Defaults for a hand-written file; the API requires them all.
	if f.Type == "JSON" && f.RecordRowPath == "" {
		f.RecordRowPath = "$"
	}
	if f.Type == "CSV" && f.RowDelimiter == "" {
		f.RowDelimiter = "\n"
	}
	if f.Type == "CSV" && f.ColumnDelimiter == "" {
		f.ColumnDelimiter = ","
	}
	cols := make([]format.Column, len(s.RecordColumns))
	for i, c := range s.RecordColumns {
		cols[i] = format.Column{Name: c.Name, SQLType: c.SqlType, Mapping: c.Mapping}
	}
	return f, cols
}

// Mapper compiles the schema into a record mapper.
func (s *Schema) Mapper() (*format.Mapper, error) {
	return format.NewMapper(s.Format())
}

// Columns returns the schema's columns as the engine types them.
func (s *Schema) Columns() ([]value.Column, error) {
	m, err := s.Mapper()
	if err != nil {
		return nil, err
	}
	return m.Columns(), nil
}

// LoadSchema reads a Schema from a JSON file.
func LoadSchema(path string) (*Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Schema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("schema %s: %w", path, err)
	}
	if len(s.RecordColumns) == 0 {
		return nil, fmt.Errorf("schema %s: no RecordColumns (want KDA's InputSchema shape: "+
			`{"RecordFormat": {"RecordFormatType": "JSON", ...}, "RecordColumns": [{"Name", "SqlType", "Mapping"}]})`, path)
	}
	return &s, nil
}

// schemaOf makes a Schema of what format.Discover found, for printing and mapping.
func schemaOf(d format.Discovered) *Schema {
	var s Schema
	s.RecordFormat.RecordFormatType = d.Format.Type
	s.RecordEncoding = "UTF-8"
	switch d.Format.Type {
	case "JSON":
		s.RecordFormat.MappingParameters = &MappingParameters{
			JSONMappingParameters: &JSONMappingParameters{RecordRowPath: d.Format.RecordRowPath}}
	case "CSV":
		s.RecordFormat.MappingParameters = &MappingParameters{CSVMappingParameters: &CSVMappingParameters{
			RecordRowDelimiter: d.Format.RowDelimiter, RecordColumnDelimiter: d.Format.ColumnDelimiter}}
	}
	for _, c := range d.Columns {
		s.RecordColumns = append(s.RecordColumns, RecordColumn{Name: c.Name, SqlType: c.SQLType, Mapping: c.Mapping})
	}
	return &s
}
