package app

import (
	"errors"

	"github.com/hydrantio/hydrant/analytics/value"
)

// PENDING: analytics/format's NewMapper and Discover are being written; this file links them once
// they land.

var errFormatPending = errors.New("format: not implemented yet")

// discoverSchema infers a schema from sample records (format.Discover).
func discoverSchema(records [][]byte) (Discovered, error) {
	return Discovered{}, errFormatPending
}

// mapObject maps a reference data object to rows of its schema's columns (format.NewMapper, then Map
// per record: each line of a JSON object, the whole object for CSV, whose mapper splits rows).
func mapObject(s Schema, data []byte) ([]value.Column, [][]value.Value, error) {
	return nil, nil, errFormatPending
}
