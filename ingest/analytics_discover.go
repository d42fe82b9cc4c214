package ingest

import (
	"context"

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
	if err != nil {
		return nil, err
	}
	return discoverInputSchemaOutput{InputSchema: schemaToWire(d.Schema), ParsedInputRecords: d.Parsed, RawInputRecords: d.Raw}, nil
}
