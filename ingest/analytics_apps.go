package ingest

import (
	"context"
	"time"

	"github.com/hydrantio/hydrant/analytics/app"
)

// Application lifecycle: CreateApplication, DescribeApplication, ListApplications, DeleteApplication,
// UpdateApplication, StartApplication, StopApplication.

// listApplicationsDefaultLimit is ListApplications' page size when Limit is not given (the model's
// largest).
const listApplicationsDefaultLimit = 50

type createApplicationInput struct {
	ApplicationName          string
	ApplicationDescription   string
	Inputs                   []kaInput
	Outputs                  []kaOutput
	CloudWatchLoggingOptions []kaLogging
	ApplicationCode          string
	Tags                     []kaTag
}

type createApplicationOutput struct {
	ApplicationSummary kaSummary
}

func (a *analyticsAPI) createApplication(_ context.Context, rc *reqCtx, in *createApplicationInput) (any, error) {
	cfg := app.Config{Description: in.ApplicationDescription, Code: in.ApplicationCode}
	for _, i := range in.Inputs {
		x, err := inputFromWire(i)
		if err != nil {
			return nil, err
		}
		cfg.Inputs = append(cfg.Inputs, x)
	}
	for _, o := range in.Outputs {
		x, err := outputFromWire(o)
		if err != nil {
			return nil, err
		}
		cfg.Outputs = append(cfg.Outputs, x)
	}
	for _, l := range in.CloudWatchLoggingOptions {
		cfg.Logging = append(cfg.Logging, app.LoggingOption{LogStreamARN: l.LogStreamARN, RoleARN: l.RoleARN})
	}
	tags, err := kaTagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	s, err := a.m.Create(rc.scope, app.CreateInput{Name: in.ApplicationName, Config: cfg, Tags: tags})
	if err != nil {
		return nil, err
	}
	return createApplicationOutput{ApplicationSummary: kaSummary{ApplicationName: s.Name, ApplicationARN: s.ARN,
		ApplicationStatus: s.Status}}, nil
}

type applicationNameInput struct {
	ApplicationName string
}

type describeApplicationOutput struct {
	ApplicationDetail kaDetail
}

func (a *analyticsAPI) describeApplication(_ context.Context, rc *reqCtx, in *applicationNameInput) (any, error) {
	d, err := a.m.Describe(rc.scope, in.ApplicationName)
	if err != nil {
		return nil, err
	}
	return describeApplicationOutput{ApplicationDetail: detailToWire(d)}, nil
}

type listApplicationsInput struct {
	Limit                         *int
	ExclusiveStartApplicationName string
}

type listApplicationsOutput struct {
	ApplicationSummaries []kaSummary
	HasMoreApplications  bool
}

func (a *analyticsAPI) listApplications(_ context.Context, rc *reqCtx, in *listApplicationsInput) (any, error) {
	limit := listApplicationsDefaultLimit
	if in.Limit != nil {
		limit = *in.Limit
	}
	page, more := a.m.List(rc.scope, limit, in.ExclusiveStartApplicationName)
	out := listApplicationsOutput{ApplicationSummaries: make([]kaSummary, len(page)), HasMoreApplications: more}
	for i, s := range page {
		out.ApplicationSummaries[i] = kaSummary{ApplicationName: s.Name, ApplicationARN: s.ARN, ApplicationStatus: s.Status}
	}
	return out, nil
}

type deleteApplicationInput struct {
	ApplicationName string
	CreateTimestamp time.Time
}

func (a *analyticsAPI) deleteApplication(_ context.Context, rc *reqCtx, in *deleteApplicationInput) (any, error) {
	return struct{}{}, a.m.Delete(rc.scope, in.ApplicationName, in.CreateTimestamp)
}

type kaARNRoleUpdate struct {
	ResourceARNUpdate string
	RoleARNUpdate     string
}

type kaInputUpdate struct {
	InputId                            string
	NamePrefixUpdate                   string
	InputProcessingConfigurationUpdate *struct{ InputLambdaProcessorUpdate kaARNRoleUpdate }
	KinesisStreamsInputUpdate          *kaARNRoleUpdate
	KinesisFirehoseInputUpdate         *kaARNRoleUpdate
	InputSchemaUpdate                  *struct {
		RecordFormatUpdate   *kaRecordFormat
		RecordEncodingUpdate string
		RecordColumnUpdates  []kaColumn
	}
	InputParallelismUpdate *struct{ CountUpdate *int }
}

type kaOutputUpdate struct {
	OutputId                    string
	NameUpdate                  string
	KinesisStreamsOutputUpdate  *kaARNRoleUpdate
	KinesisFirehoseOutputUpdate *kaARNRoleUpdate
	LambdaOutputUpdate          *kaARNRoleUpdate
	DestinationSchemaUpdate     *kaDestinationSchema
}

type kaReferenceUpdate struct {
	ReferenceId                 string
	TableNameUpdate             string
	S3ReferenceDataSourceUpdate *struct{ BucketARNUpdate, FileKeyUpdate, ReferenceRoleARNUpdate string }
	ReferenceSchemaUpdate       *kaSchema
}

type kaLoggingUpdate struct {
	CloudWatchLoggingOptionId string
	LogStreamARNUpdate        string
	RoleARNUpdate             string
}

type updateApplicationInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	ApplicationUpdate           struct {
		InputUpdates                   []kaInputUpdate
		ApplicationCodeUpdate          *string
		OutputUpdates                  []kaOutputUpdate
		ReferenceDataSourceUpdates     []kaReferenceUpdate
		CloudWatchLoggingOptionUpdates []kaLoggingUpdate
	}
}

// updateResource applies a partial ARN and role update to r; an update of another type replaces the
// resource and must then name its ARN.
func updateResource(r *app.Resource, typ string, u *kaARNRoleUpdate) error {
	if r.Type != typ {
		if u.ResourceARNUpdate == "" {
			return errorf(ErrInvalidArgument, "Changing to a %s resource needs its ResourceARNUpdate.", typ)
		}
		*r = app.Resource{Type: typ, RoleARN: r.RoleARN}
	}
	if u.ResourceARNUpdate != "" {
		r.ARN = u.ResourceARNUpdate
	}
	if u.RoleARNUpdate != "" {
		r.RoleARN = u.RoleARNUpdate
	}
	return nil
}

// updateApplication merges each partial update into the part its id names; the Manager validates the
// result as a whole.
func (a *analyticsAPI) updateApplication(_ context.Context, rc *reqCtx, in *updateApplicationInput) (any, error) {
	u := &in.ApplicationUpdate
	return struct{}{}, a.m.Update(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, func(c *app.Config) error {
		if u.ApplicationCodeUpdate != nil {
			c.Code = *u.ApplicationCodeUpdate
		}
		for _, iu := range u.InputUpdates {
			x, err := c.InputByID(iu.InputId)
			if err != nil {
				return err
			}
			if iu.NamePrefixUpdate != "" {
				x.NamePrefix = iu.NamePrefixUpdate
			}
			if iu.KinesisStreamsInputUpdate != nil && iu.KinesisFirehoseInputUpdate != nil {
				return errorf(ErrInvalidArgument, "Give at most one of KinesisStreamsInputUpdate or KinesisFirehoseInputUpdate.")
			}
			if s := iu.KinesisStreamsInputUpdate; s != nil {
				if err := updateResource(&x.Source, app.KinesisStreams, s); err != nil {
					return err
				}
			}
			if s := iu.KinesisFirehoseInputUpdate; s != nil {
				if err := updateResource(&x.Source, app.KinesisFirehose, s); err != nil {
					return err
				}
			}
			if p := iu.InputProcessingConfigurationUpdate; p != nil {
				if x.Processor == nil {
					return errorf(ErrInvalidArgument, "Input %s has no input processing configuration to update.", x.ID)
				}
				if err := updateResource(x.Processor, app.Lambda, &p.InputLambdaProcessorUpdate); err != nil {
					return err
				}
			}
			if s := iu.InputSchemaUpdate; s != nil {
				if s.RecordFormatUpdate != nil {
					x.Schema.Format = schemaFromWire(kaSchema{RecordFormat: *s.RecordFormatUpdate}).Format
				}
				if s.RecordEncodingUpdate != "" {
					x.Schema.Encoding = s.RecordEncodingUpdate
				}
				if s.RecordColumnUpdates != nil {
					x.Schema.Columns = schemaFromWire(kaSchema{RecordColumns: s.RecordColumnUpdates}).Columns
				}
			}
			if p := iu.InputParallelismUpdate; p != nil && p.CountUpdate != nil {
				x.Parallelism = *p.CountUpdate
			}
		}
		for _, ou := range u.OutputUpdates {
			x, err := c.OutputByID(ou.OutputId)
			if err != nil {
				return err
			}
			if ou.NameUpdate != "" {
				x.Name = ou.NameUpdate
			}
			n := 0
			for typ, r := range map[string]*kaARNRoleUpdate{app.KinesisStreams: ou.KinesisStreamsOutputUpdate,
				app.KinesisFirehose: ou.KinesisFirehoseOutputUpdate, app.Lambda: ou.LambdaOutputUpdate} {
				if r == nil {
					continue
				}
				if n++; n > 1 {
					return errorf(ErrInvalidArgument, "Give at most one destination update per output.")
				}
				if err := updateResource(&x.Destination, typ, r); err != nil {
					return err
				}
			}
			if d := ou.DestinationSchemaUpdate; d != nil {
				x.Format = d.RecordFormatType
			}
		}
		for _, ru := range u.ReferenceDataSourceUpdates {
			x, err := c.ReferenceByID(ru.ReferenceId)
			if err != nil {
				return err
			}
			if ru.TableNameUpdate != "" {
				x.TableName = ru.TableNameUpdate
			}
			if s := ru.S3ReferenceDataSourceUpdate; s != nil {
				if s.BucketARNUpdate != "" {
					x.BucketARN = s.BucketARNUpdate
				}
				if s.FileKeyUpdate != "" {
					x.FileKey = s.FileKeyUpdate
				}
				if s.ReferenceRoleARNUpdate != "" {
					x.RoleARN = s.ReferenceRoleARNUpdate
				}
			}
			if s := ru.ReferenceSchemaUpdate; s != nil {
				x.Schema = schemaFromWire(*s)
			}
		}
		for _, lu := range u.CloudWatchLoggingOptionUpdates {
			x, err := c.LoggingByID(lu.CloudWatchLoggingOptionId)
			if err != nil {
				return err
			}
			if lu.LogStreamARNUpdate != "" {
				x.LogStreamARN = lu.LogStreamARNUpdate
			}
			if lu.RoleARNUpdate != "" {
				x.RoleARN = lu.RoleARNUpdate
			}
		}
		return nil
	})
}

type startApplicationInput struct {
	ApplicationName     string
	InputConfigurations []struct {
		Id                                 string
		InputStartingPositionConfiguration kaStartingPosition
	}
}

func (a *analyticsAPI) startApplication(_ context.Context, rc *reqCtx, in *startApplicationInput) (any, error) {
	positions := make(map[string]string, len(in.InputConfigurations))
	for _, c := range in.InputConfigurations {
		pos := c.InputStartingPositionConfiguration.InputStartingPosition
		if pos == "" {
			pos = app.StartNow
		}
		positions[c.Id] = pos
	}
	return struct{}{}, a.m.Start(rc.scope, in.ApplicationName, positions)
}

func (a *analyticsAPI) stopApplication(_ context.Context, rc *reqCtx, in *applicationNameInput) (any, error) {
	return struct{}{}, a.m.Stop(rc.scope, in.ApplicationName)
}
