package app

import (
	"fmt"
	"strings"

	"github.com/hydrantio/hydrant/analytics/format"
)

// Resource types of inputs and outputs: where an application reads and writes.
const (
	KinesisStreams  = "KinesisStreams"
	KinesisFirehose = "KinesisFirehose"
	Lambda          = "Lambda" // outputs only; stored, never invoked
)

// Starting positions of StartApplication's InputConfigurations.
const (
	StartNow              = "NOW"
	StartTrimHorizon      = "TRIM_HORIZON"
	StartLastStoppedPoint = "LAST_STOPPED_POINT"
)

// Kinesis Data Analytics' per-application limits: one streaming source, three destinations, one
// reference data source (limits.html).
const (
	MaxInputs          = 1
	MaxOutputs         = 3
	MaxReferences      = 1
	MaxLoggingOptions  = 1
	MaxParallelism     = 64
	maxTags            = 50
	defaultParallelism = 1
)

// Resource is a stream an application reads or writes (or a Lambda function it would call): its type,
// ARN and the IAM role Kinesis Data Analytics would assume (stored, not checked).
type Resource struct {
	Type    string `json:"type"` // KinesisStreams, KinesisFirehose or Lambda
	ARN     string `json:"arn"`
	RoleARN string `json:"roleArn"`
}

// Schema is a SourceSchema: how records map to the columns of an in-application stream or table.
type Schema struct {
	Format   format.RecordFormat `json:"format"`
	Encoding string              `json:"encoding,omitempty"` // "UTF-8" or ""
	Columns  []format.Column     `json:"columns"`
}

// Input is an application's streaming source.
type Input struct {
	ID          string    `json:"id"`
	NamePrefix  string    `json:"namePrefix"`
	Source      Resource  `json:"source"`
	Parallelism int       `json:"parallelism"` // 1 to 64
	Schema      Schema    `json:"schema"`
	Processor   *Resource `json:"processor,omitempty"` // InputLambdaProcessor; never invoked
	// StartingPosition is the one the last StartApplication gave, reported in InputDescriptions.
	StartingPosition string `json:"startingPosition,omitempty"`
}

// InAppStreamNames are the in-application streams the input feeds: NamePrefix_001 ... NamePrefix_<n>.
func (in *Input) InAppStreamNames() []string {
	n := max(in.Parallelism, 1)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s_%03d", in.NamePrefix, i+1)
	}
	return names
}

// Output sends an in-application stream to a destination.
type Output struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"` // the in-application stream
	Destination Resource `json:"destination"`
	Format      string   `json:"format"` // DestinationSchema.RecordFormatType: JSON or CSV
}

// Reference is a reference data source: an S3 object loaded into an in-application table at start.
type Reference struct {
	ID        string `json:"id"`
	TableName string `json:"tableName"`
	BucketARN string `json:"bucketArn"`
	FileKey   string `json:"fileKey"`
	RoleARN   string `json:"roleArn"`
	Schema    Schema `json:"schema"`
}

// LoggingOption is a CloudWatchLoggingOption: stored and described (Hydrant logs to its own log).
type LoggingOption struct {
	ID           string `json:"id"`
	LogStreamARN string `json:"logStreamArn"`
	RoleARN      string `json:"roleArn"`
}

// Config is everything an application is made of but its name and tags.
type Config struct {
	Description string          `json:"description,omitempty"`
	Code        string          `json:"code,omitempty"`
	Inputs      []Input         `json:"inputs,omitempty"`
	Outputs     []Output        `json:"outputs,omitempty"`
	References  []Reference     `json:"references,omitempty"`
	Logging     []LoggingOption `json:"logging,omitempty"`
}

func (c Config) clone() Config {
	out := c
	out.Inputs = append([]Input(nil), c.Inputs...)
	for i := range out.Inputs {
		if p := out.Inputs[i].Processor; p != nil {
			cp := *p
			out.Inputs[i].Processor = &cp
		}
		out.Inputs[i].Schema = out.Inputs[i].Schema.clone()
	}
	out.Outputs = append([]Output(nil), c.Outputs...)
	out.References = append([]Reference(nil), c.References...)
	for i := range out.References {
		out.References[i].Schema = out.References[i].Schema.clone()
	}
	out.Logging = append([]LoggingOption(nil), c.Logging...)
	return out
}

func (s Schema) clone() Schema {
	s.Columns = append([]format.Column(nil), s.Columns...)
	return s
}

// validate checks what the API's model cannot: one source per input, one destination per output,
// the limits, the schemas and the ARNs' shapes. Sources need not exist yet: StartApplication
// resolves them.
func (c *Config) validate() error {
	if len(c.Inputs) > MaxInputs {
		return invalidArg("Application can have at most %d input(s), found %d.", MaxInputs, len(c.Inputs))
	}
	if len(c.Outputs) > MaxOutputs {
		return invalidArg("Application can have at most %d outputs, found %d.", MaxOutputs, len(c.Outputs))
	}
	if len(c.References) > MaxReferences {
		return invalidArg("Application can have at most %d reference data source(s), found %d.", MaxReferences, len(c.References))
	}
	if len(c.Logging) > MaxLoggingOptions {
		return invalidArg("Application can have at most %d CloudWatch logging option(s), found %d.", MaxLoggingOptions, len(c.Logging))
	}
	for i := range c.Inputs {
		if err := c.Inputs[i].validate(); err != nil {
			return err
		}
	}
	for i := range c.Outputs {
		if err := c.Outputs[i].validate(); err != nil {
			return err
		}
	}
	tables := map[string]bool{}
	for i := range c.References {
		r := &c.References[i]
		if err := r.validate(); err != nil {
			return err
		}
		if tables[r.TableName] {
			return invalidArg("Duplicate reference table name %s.", r.TableName)
		}
		tables[r.TableName] = true
	}
	for _, l := range c.Logging {
		if !strings.HasPrefix(l.LogStreamARN, "arn:") || !strings.Contains(l.LogStreamARN, ":logs:") {
			return invalidArg("LogStreamARN %s is not a CloudWatch Logs log stream ARN.", l.LogStreamARN)
		}
	}
	return nil
}

func (in *Input) validate() error {
	if in.Parallelism < 1 || in.Parallelism > MaxParallelism {
		return invalidArg("InputParallelism count must be between 1 and %d, found %d.", MaxParallelism, in.Parallelism)
	}
	if err := checkSourceARN(in.Source); err != nil {
		return err
	}
	if p := in.Processor; p != nil && !isARNOf(p.ARN, "lambda") {
		return invalidArg("InputLambdaProcessor ResourceARN %s is not a Lambda function ARN.", p.ARN)
	}
	return in.Schema.validate("InputSchema")
}

func (o *Output) validate() error {
	switch o.Destination.Type {
	case KinesisStreams, KinesisFirehose:
		if err := checkSourceARN(o.Destination); err != nil {
			return err
		}
	case Lambda:
		if !isARNOf(o.Destination.ARN, "lambda") {
			return invalidArg("LambdaOutput ResourceARN %s is not a Lambda function ARN.", o.Destination.ARN)
		}
	default:
		return invalidArg("Output %s needs exactly one of KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput.", o.Name)
	}
	if o.Format != "JSON" && o.Format != "CSV" {
		return invalidArg("DestinationSchema RecordFormatType must be JSON or CSV, found %s.", o.Format)
	}
	return nil
}

func (r *Reference) validate() error {
	if _, err := bucketOf(r.BucketARN); err != nil {
		return err
	}
	return r.Schema.validate("ReferenceSchema")
}

// validate checks a schema's record format against its mapping parameters and its columns' names.
func (s *Schema) validate(what string) error {
	f := &s.Format
	switch f.Type {
	case "JSON":
		if f.RecordRowPath == "" {
			return invalidArg("%s with RecordFormatType JSON needs JSONMappingParameters with a RecordRowPath.", what)
		}
	case "CSV":
		if f.RowDelimiter == "" || f.ColumnDelimiter == "" {
			return invalidArg("%s with RecordFormatType CSV needs CSVMappingParameters with RecordRowDelimiter and "+
				"RecordColumnDelimiter.", what)
		}
	default:
		return invalidArg("%s RecordFormatType must be JSON or CSV, found %s.", what, f.Type)
	}
	if s.Encoding != "" && s.Encoding != "UTF-8" {
		return invalidArg("%s RecordEncoding must be UTF-8, found %s.", what, s.Encoding)
	}
	if len(s.Columns) == 0 {
		return invalidArg("%s needs at least one RecordColumn.", what)
	}
	seen := make(map[string]bool, len(s.Columns))
	for _, c := range s.Columns {
		up := strings.ToUpper(c.Name)
		if seen[up] {
			return invalidArg("%s has the column %s twice.", what, c.Name)
		}
		seen[up] = true
		if c.Name == "" || c.SQLType == "" {
			return invalidArg("%s columns need a Name and a SqlType.", what)
		}
	}
	if err := checkMapping(s); err != nil {
		return invalidArg("%s: %v", what, err)
	}
	return nil
}

// checkSourceARN checks that a stream's ARN names the kind of stream its type says.
func checkSourceARN(r Resource) error {
	switch r.Type {
	case KinesisStreams:
		if _, _, _, ok := parseARN(r.ARN, "kinesis", "stream/"); !ok {
			return invalidArg("%s is not a valid Kinesis stream ARN.", r.ARN)
		}
	case KinesisFirehose:
		if _, _, _, ok := parseARN(r.ARN, "firehose", "deliverystream/"); !ok {
			return invalidArg("%s is not a valid Kinesis Firehose delivery stream ARN.", r.ARN)
		}
	default:
		return invalidArg("Exactly one of KinesisStreamsInput or KinesisFirehoseInput is required.")
	}
	return nil
}

// parseARN splits arn:aws:<service>:<region>:<account>:<prefix><name>.
func parseARN(arn, service, prefix string) (region, account, name string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || !strings.HasPrefix(p[1], "aws") || p[2] != service || p[3] == "" || p[4] == "" ||
		!strings.HasPrefix(p[5], prefix) {
		return "", "", "", false
	}
	name = strings.TrimPrefix(p[5], prefix)
	if name == "" || strings.Contains(name, "/") {
		return "", "", "", false
	}
	return p[3], p[4], name, true
}

func isARNOf(arn, service string) bool {
	p := strings.SplitN(arn, ":", 6)
	return len(p) == 6 && p[0] == "arn" && p[2] == service
}

// bucketOf returns the bucket of an S3 bucket ARN (arn:aws:s3:::bucket).
func bucketOf(arn string) (string, error) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "s3" || p[5] == "" || strings.Contains(p[5], "/") {
		return "", invalidArg("BucketARN %s is not a valid S3 bucket ARN.", arn)
	}
	return p[5], nil
}
