package runtime

import (
	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/value"
)

// The binding to analytics/format: a Mapper per input, an Encoder per output.

func newMapper(in Input) (rowMapper, []value.Column, error) {
	m, err := format.NewMapper(in.Format, in.Columns)
	if err != nil {
		return nil, nil, err
	}
	return m, m.Columns(), nil
}

func newEncoder(recordFormat string, cols []value.Column) (rowEncoder, error) {
	return format.NewEncoder(recordFormat, cols)
}
