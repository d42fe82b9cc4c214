package ingest

import (
	"github.com/hydrantio/hydrant/analytics/app"
	"github.com/hydrantio/hydrant/analytics/format"
)

// The Kinesis Analytics API's shapes, for binding requests and encoding answers, and their
// conversions to and from the Manager's configuration.

type kaARNRole struct {
	ResourceARN string
	RoleARN     string
}

type kaJSONMapping struct {
	RecordRowPath string
}

type kaCSVMapping struct {
	RecordRowDelimiter    string
	RecordColumnDelimiter string
}

type kaMapping struct {
	JSONMappingParameters *kaJSONMapping `json:",omitempty"`
	CSVMappingParameters  *kaCSVMapping  `json:",omitempty"`
}

type kaRecordFormat struct {
	RecordFormatType  string
	MappingParameters *kaMapping `json:",omitempty"`
}

type kaColumn struct {
	Name    string
	Mapping string `json:",omitempty"`
	SqlType string
}

type kaSchema struct {
	RecordFormat   kaRecordFormat
	RecordEncoding string `json:",omitempty"`
	RecordColumns  []kaColumn
}

type kaLambdaProcessing struct {
	InputLambdaProcessor *kaARNRole
}

type kaParallelism struct {
	Count *int `json:",omitempty"`
}

type kaInput struct {
	NamePrefix                   string
	InputProcessingConfiguration *kaLambdaProcessing
	KinesisStreamsInput          *kaARNRole
	KinesisFirehoseInput         *kaARNRole
	InputParallelism             *kaParallelism
	InputSchema                  kaSchema
}

type kaDestinationSchema struct {
	RecordFormatType string
}

type kaOutput struct {
	Name                  string
	KinesisStreamsOutput  *kaARNRole
	KinesisFirehoseOutput *kaARNRole
	LambdaOutput          *kaARNRole
	DestinationSchema     kaDestinationSchema
}

type kaS3Reference struct {
	BucketARN        string
	FileKey          string
	ReferenceRoleARN string
}

type kaReference struct {
	TableName             string
	S3ReferenceDataSource *kaS3Reference
	ReferenceSchema       kaSchema
}

type kaLogging struct {
	LogStreamARN string
	RoleARN      string
}

type kaTag struct {
	Key   string
	Value string
}

// Descriptions, as DescribeApplication answers.

type kaStartingPosition struct {
	InputStartingPosition string `json:",omitempty"`
}

type kaProcessingDescription struct {
	InputLambdaProcessorDescription *kaARNRole `json:",omitempty"`
}

type kaInputDescription struct {
	InputId                                 string
	NamePrefix                              string
	InAppStreamNames                        []string
	InputProcessingConfigurationDescription *kaProcessingDescription `json:",omitempty"`
	KinesisStreamsInputDescription          *kaARNRole               `json:",omitempty"`
	KinesisFirehoseInputDescription         *kaARNRole               `json:",omitempty"`
	InputSchema                             kaSchema
	InputParallelism                        kaParallelism
	InputStartingPositionConfiguration      kaStartingPosition
}

type kaOutputDescription struct {
	OutputId                         string
	Name                             string
	KinesisStreamsOutputDescription  *kaARNRole `json:",omitempty"`
	KinesisFirehoseOutputDescription *kaARNRole `json:",omitempty"`
	LambdaOutputDescription          *kaARNRole `json:",omitempty"`
	DestinationSchema                kaDestinationSchema
}

type kaReferenceDescription struct {
	ReferenceId                      string
	TableName                        string
	S3ReferenceDataSourceDescription kaS3Reference
	ReferenceSchema                  kaSchema
}

type kaLoggingDescription struct {
	CloudWatchLoggingOptionId string
	LogStreamARN              string
	RoleARN                   string
}

type kaSummary struct {
	ApplicationName   string
	ApplicationARN    string
	ApplicationStatus string
}

type kaDetail struct {
	ApplicationName                     string
	ApplicationDescription              string `json:",omitempty"`
	ApplicationARN                      string
	ApplicationStatus                   string
	CreateTimestamp                     epoch
	LastUpdateTimestamp                 epoch `json:",omitzero"`
	InputDescriptions                   []kaInputDescription
	OutputDescriptions                  []kaOutputDescription
	ReferenceDataSourceDescriptions     []kaReferenceDescription
	CloudWatchLoggingOptionDescriptions []kaLoggingDescription `json:",omitempty"`
	ApplicationCode                     string                 `json:",omitempty"`
	ApplicationVersionId                int64
}

func schemaFromWire(s kaSchema) app.Schema {
	out := app.Schema{Format: format.RecordFormat{Type: s.RecordFormat.RecordFormatType}, Encoding: s.RecordEncoding}
	if mp := s.RecordFormat.MappingParameters; mp != nil {
		if j := mp.JSONMappingParameters; j != nil {
			out.Format.RecordRowPath = j.RecordRowPath
		}
		if c := mp.CSVMappingParameters; c != nil {
			out.Format.RowDelimiter, out.Format.ColumnDelimiter = c.RecordRowDelimiter, c.RecordColumnDelimiter
		}
	}
	out.Columns = make([]format.Column, len(s.RecordColumns))
	for i, c := range s.RecordColumns {
		out.Columns[i] = format.Column{Name: c.Name, SQLType: c.SqlType, Mapping: c.Mapping}
	}
	return out
}

func schemaToWire(s app.Schema) kaSchema {
	out := kaSchema{RecordFormat: kaRecordFormat{RecordFormatType: s.Format.Type}, RecordEncoding: s.Encoding,
		RecordColumns: make([]kaColumn, len(s.Columns))}
	switch s.Format.Type {
	case "JSON":
		out.RecordFormat.MappingParameters = &kaMapping{JSONMappingParameters: &kaJSONMapping{RecordRowPath: s.Format.RecordRowPath}}
	case "CSV":
		out.RecordFormat.MappingParameters = &kaMapping{CSVMappingParameters: &kaCSVMapping{
			RecordRowDelimiter: s.Format.RowDelimiter, RecordColumnDelimiter: s.Format.ColumnDelimiter}}
	}
	for i, c := range s.Columns {
		out.RecordColumns[i] = kaColumn{Name: c.Name, SqlType: c.SQLType, Mapping: c.Mapping}
	}
	return out
}

// oneResource returns the one resource given among candidates (by type), or an InvalidArgument error
// naming them.
func oneResource(what string, candidates map[string]*kaARNRole) (app.Resource, error) {
	var out app.Resource
	n := 0
	for typ, r := range candidates {
		if r != nil {
			n++
			out = app.Resource{Type: typ, ARN: r.ResourceARN, RoleARN: r.RoleARN}
		}
	}
	if n != 1 {
		return app.Resource{}, errorf(ErrInvalidArgument, "%s", what)
	}
	return out, nil
}

func inputFromWire(in kaInput) (app.Input, error) {
	src, err := oneResource("Exactly one of KinesisStreamsInput or KinesisFirehoseInput is required.",
		map[string]*kaARNRole{app.KinesisStreams: in.KinesisStreamsInput, app.KinesisFirehose: in.KinesisFirehoseInput})
	if err != nil {
		return app.Input{}, err
	}
	out := app.Input{NamePrefix: in.NamePrefix, Source: src, Parallelism: 1, Schema: schemaFromWire(in.InputSchema)}
	if p := in.InputParallelism; p != nil && p.Count != nil {
		out.Parallelism = *p.Count
	}
	if p := in.InputProcessingConfiguration; p != nil && p.InputLambdaProcessor != nil {
		out.Processor = &app.Resource{Type: app.Lambda, ARN: p.InputLambdaProcessor.ResourceARN, RoleARN: p.InputLambdaProcessor.RoleARN}
	}
	return out, nil
}

func outputFromWire(o kaOutput) (app.Output, error) {
	dst, err := oneResource("Exactly one of KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput is required.",
		map[string]*kaARNRole{app.KinesisStreams: o.KinesisStreamsOutput, app.KinesisFirehose: o.KinesisFirehoseOutput,
			app.Lambda: o.LambdaOutput})
	if err != nil {
		return app.Output{}, err
	}
	return app.Output{Name: o.Name, Destination: dst, Format: o.DestinationSchema.RecordFormatType}, nil
}

func referenceFromWire(r kaReference) (app.Reference, error) {
	if r.S3ReferenceDataSource == nil {
		return app.Reference{}, errorf(ErrInvalidArgument, "S3ReferenceDataSource is required.")
	}
	s3 := r.S3ReferenceDataSource
	return app.Reference{TableName: r.TableName, BucketARN: s3.BucketARN, FileKey: s3.FileKey, RoleARN: s3.ReferenceRoleARN,
		Schema: schemaFromWire(r.ReferenceSchema)}, nil
}

func arnRole(r app.Resource) *kaARNRole { return &kaARNRole{ResourceARN: r.ARN, RoleARN: r.RoleARN} }

func detailToWire(d app.Detail) kaDetail {
	out := kaDetail{
		ApplicationName:                 d.Name,
		ApplicationDescription:          d.Config.Description,
		ApplicationARN:                  d.ARN,
		ApplicationStatus:               d.Status,
		CreateTimestamp:                 epoch(d.Created),
		LastUpdateTimestamp:             epoch(d.Updated),
		InputDescriptions:               []kaInputDescription{},
		OutputDescriptions:              []kaOutputDescription{},
		ReferenceDataSourceDescriptions: []kaReferenceDescription{},
		ApplicationCode:                 d.Config.Code,
		ApplicationVersionId:            d.Version,
	}
	for _, in := range d.Config.Inputs {
		n := max(in.Parallelism, 1)
		desc := kaInputDescription{InputId: in.ID, NamePrefix: in.NamePrefix, InAppStreamNames: in.InAppStreamNames(),
			InputSchema: schemaToWire(in.Schema), InputParallelism: kaParallelism{Count: &n},
			InputStartingPositionConfiguration: kaStartingPosition{InputStartingPosition: in.StartingPosition}}
		if in.Source.Type == app.KinesisFirehose {
			desc.KinesisFirehoseInputDescription = arnRole(in.Source)
		} else {
			desc.KinesisStreamsInputDescription = arnRole(in.Source)
		}
		if p := in.Processor; p != nil {
			desc.InputProcessingConfigurationDescription = &kaProcessingDescription{InputLambdaProcessorDescription: arnRole(*p)}
		}
		out.InputDescriptions = append(out.InputDescriptions, desc)
	}
	for _, o := range d.Config.Outputs {
		desc := kaOutputDescription{OutputId: o.ID, Name: o.Name, DestinationSchema: kaDestinationSchema{RecordFormatType: o.Format}}
		switch o.Destination.Type {
		case app.KinesisStreams:
			desc.KinesisStreamsOutputDescription = arnRole(o.Destination)
		case app.KinesisFirehose:
			desc.KinesisFirehoseOutputDescription = arnRole(o.Destination)
		case app.Lambda:
			desc.LambdaOutputDescription = arnRole(o.Destination)
		}
		out.OutputDescriptions = append(out.OutputDescriptions, desc)
	}
	for _, r := range d.Config.References {
		out.ReferenceDataSourceDescriptions = append(out.ReferenceDataSourceDescriptions, kaReferenceDescription{
			ReferenceId: r.ID, TableName: r.TableName,
			S3ReferenceDataSourceDescription: kaS3Reference{BucketARN: r.BucketARN, FileKey: r.FileKey, ReferenceRoleARN: r.RoleARN},
			ReferenceSchema:                  schemaToWire(r.Schema)})
	}
	for _, l := range d.Config.Logging {
		out.CloudWatchLoggingOptionDescriptions = append(out.CloudWatchLoggingOptionDescriptions,
			kaLoggingDescription{CloudWatchLoggingOptionId: l.ID, LogStreamARN: l.LogStreamARN, RoleARN: l.RoleARN})
	}
	return out
}
