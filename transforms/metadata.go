package transforms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/itchyny/gojq"
)

// MaxPartitionKeys is how many keys a MetadataExtractionQuery may produce (Firehose's limit,
// FIREHOSE.md §4.2).
const MaxPartitionKeys = 50

// Errors of MetadataQuery.PartitionKeys, wrapped with detail. Each is a per-record failure: the
// record goes to the error output and the others go on.
var (
	// ErrNotJSON: the record is not one JSON value.
	ErrNotJSON = errors.New("record is not JSON")
	// ErrQueryFailed: the query raised an error on the record, or gave no result or several.
	ErrQueryFailed = errors.New("metadata extraction query failed")
	// ErrPartitionKey: the query's result is not an object of up to 50 keys whose values are
	// strings, numbers or booleans (a key that is null or absent, or an array or object, is one).
	ErrPartitionKey = errors.New("bad partition key")
)

// A MetadataQuery is a compiled MetadataExtractionQuery: the jq expression of Firehose's
// MetadataExtraction processor that computes a record's partition keys for dynamic partitioning,
// such as `{customer_id: .customer_id, year: .event_time | strftime("%Y")}`, whose keys the prefix
// uses as !{partitionKeyFromQuery:customer_id}. Firehose runs jq 1.6; Hydrant runs gojq, which
// implements the same language (its differences from jq are listed in gojq's README; the ones a
// partition-key query meets are noted on PartitionKeys). A MetadataQuery is safe for concurrent
// use.
type MetadataQuery struct {
	src  string
	code *gojq.Code
	// fields are the top-level fields the query reads, when it reads its input only through
	// them (queryFields): then a record is parsed into those alone.
	fields  map[string]struct{}
	project bool
}

// CompileMetadataQuery parses and compiles a MetadataExtractionQuery once, for every record.
// The query sees no environment: $ENV and env are empty, so a query cannot copy Hydrant's
// environment (credentials, say) into object keys. input, inputs and modules are unavailable.
func CompileMetadataQuery(query string) (*MetadataQuery, error) {
	q, err := gojq.Parse(query)
	if err != nil {
		return nil, fmt.Errorf("parse MetadataExtractionQuery: %w", err)
	}
	code, err := gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	if err != nil {
		return nil, fmt.Errorf("compile MetadataExtractionQuery: %w", err)
	}
	fields, project := queryFields(q)
	return &MetadataQuery{src: query, code: code, fields: fields, project: project}, nil
}

// String returns the query's source.
func (q *MetadataQuery) String() string { return q.src }

// PartitionKeys runs the query on one record, which must be a single JSON value, and returns the
// partition keys: the result must be exactly one object, whose values become strings (strings as
// they are; numbers as JSON writes them, integers with all their digits as written in the record;
// true and false). ctx bounds the evaluation, so a query that runs away cannot stall a delivery.
// Errors wrap ErrNotJSON, ErrQueryFailed or ErrPartitionKey.
func (q *MetadataQuery) PartitionKeys(ctx context.Context, record []byte) (map[string]string, error) {
	var v any
	var err error
	if q.project {
		v, err = parseJSONFields(record, q.fields)
	} else {
		v, err = parseJSON(record)
	}
	if err != nil {
		return nil, err
	}
	iter := q.code.RunWithContext(ctx, v)
	out, ok := iter.Next()
	if !ok {
		return nil, fmt.Errorf("%w: no result", ErrQueryFailed)
	}
	if err, ok := out.(error); ok {
		return nil, fmt.Errorf("%w: %v", ErrQueryFailed, err)
	}
	if _, more := iter.Next(); more {
		return nil, fmt.Errorf("%w: more than one result", ErrQueryFailed)
	}
	obj, ok := out.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the query gave %s, not an object", ErrPartitionKey, jqType(out))
	}
	if len(obj) > MaxPartitionKeys {
		return nil, fmt.Errorf("%w: %d keys, more than %d", ErrPartitionKey, len(obj), MaxPartitionKeys)
	}
	keys := make(map[string]string, len(obj))
	var bad string // the first bad key in sorted order, so that the error is the same every time
	var badErr error
	for k, v := range obj {
		s, err := scalarString(v)
		if err != nil {
			if badErr == nil || k < bad {
				bad, badErr = k, err
			}
			continue
		}
		keys[k] = s
	}
	if badErr != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrPartitionKey, bad, badErr)
	}
	return keys, nil
}

func scalarString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strings.Clone(v), nil // not a substring pinning the whole record
	case json.Number:
		return strings.Clone(v.String()), nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case float64, *big.Int:
		b, err := gojq.Marshal(v) // jq's number format: 1.5, 1e+100
		return string(b), err
	case nil:
		return "", errors.New("null or absent")
	}
	return "", fmt.Errorf("%s is not a scalar", jqType(v))
}

func jqType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "a number"
}
