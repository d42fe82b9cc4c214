package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/hydrantio/hydrant/internal/jsontext"

	"github.com/hydrantio/hydrant/analytics/app"
)

// DiscoverInputSchema: a schema inferred from a stream's records or an S3 object's lines.

type discoverInputSchemaInput struct {
	ResourceARN                        string
	RoleARN                            string
	InputStartingPositionConfiguration *kaStartingPosition
	S3Configuration                    *struct{ RoleARN, BucketARN, FileKey string }
	InputProcessingConfiguration       *kaLambdaProcessing
}

type discoverInputSchemaOutput struct {
	InputSchema        kaSchema
	ParsedInputRecords [][]string
	RawInputRecords    []string
}

func (a *analyticsAPI) discoverInputSchema(ctx context.Context, rc *reqCtx, in *discoverInputSchemaInput) (any, error) {
	req := app.DiscoverInput{ResourceARN: in.ResourceARN, Processing: in.InputProcessingConfiguration != nil}
	if p := in.InputStartingPositionConfiguration; p != nil {
		req.StartingPosition = p.InputStartingPosition
	}
	if s := in.S3Configuration; s != nil {
		req.BucketARN, req.FileKey = s.BucketARN, s.FileKey
	}
	d, err := a.m.Discover(ctx, req)
	var se *app.SchemaError
	if errors.As(err, &se) {
		return nil, schemaError(se)
	}
	if err != nil {
		return nil, err
	}
	return discoverInputSchemaOutput{InputSchema: schemaToWire(d.Schema), ParsedInputRecords: d.Parsed, RawInputRecords: d.Raw}, nil
}

// schemaError renders DiscoverInputSchema's refusal with the records it read, as the model's
// UnableToDetectSchemaException does (RawInputRecords, ProcessedInputRecords).
func schemaError(se *app.SchemaError) *Error {
	e := &Error{Code: ErrUnableToDetectSchema, Message: se.Err.Msg}
	for _, m := range []struct {
		name    string
		records []string
	}{{"RawInputRecords", se.Raw}, {"ProcessedInputRecords", se.Processed}} {
		if m.records == nil {
			continue
		}
		b, err := json.Marshal(m.records)
		if err != nil {
			return internal(err) // a []string always marshals
		}
		e.Members = append(e.Members, ',')
		e.Members = jsontext.AppendString(e.Members, m.name)
		e.Members = append(e.Members, ':')
		e.Members = append(e.Members, b...)
	}
	return e
}
