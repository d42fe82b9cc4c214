package ingest

import (
	"context"

	"github.com/hydrantio/hydrant/analytics/app"
)

// The parts of an application, each change checked against CurrentApplicationVersionId:
// AddApplicationInput, AddApplicationOutput, AddApplicationReferenceDataSource,
// AddApplicationInputProcessingConfiguration, AddApplicationCloudWatchLoggingOption and their deletes.

type addInputInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	Input                       kaInput
}

func (a *analyticsAPI) addInput(_ context.Context, rc *reqCtx, in *addInputInput) (any, error) {
	x, err := inputFromWire(in.Input)
	if err != nil {
		return nil, err
	}
	return struct{}{}, a.m.AddInput(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, x)
}

type addOutputInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	Output                      kaOutput
}

func (a *analyticsAPI) addOutput(_ context.Context, rc *reqCtx, in *addOutputInput) (any, error) {
	x, err := outputFromWire(in.Output)
	if err != nil {
		return nil, err
	}
	return struct{}{}, a.m.AddOutput(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, x)
}

type addReferenceInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	ReferenceDataSource         kaReference
}

func (a *analyticsAPI) addReference(_ context.Context, rc *reqCtx, in *addReferenceInput) (any, error) {
	x, err := referenceFromWire(in.ReferenceDataSource)
	if err != nil {
		return nil, err
	}
	return struct{}{}, a.m.AddReference(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, x)
}

type addInputProcessingInput struct {
	ApplicationName              string
	CurrentApplicationVersionId  int64
	InputId                      string
	InputProcessingConfiguration kaLambdaProcessing
}

func (a *analyticsAPI) addInputProcessing(_ context.Context, rc *reqCtx, in *addInputProcessingInput) (any, error) {
	p := in.InputProcessingConfiguration.InputLambdaProcessor
	if p == nil {
		return nil, errorf(ErrInvalidArgument, "InputLambdaProcessor is required.")
	}
	return struct{}{}, a.m.AddInputProcessing(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, in.InputId,
		app.Resource{Type: app.Lambda, ARN: p.ResourceARN, RoleARN: p.RoleARN})
}

type addLoggingInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	CloudWatchLoggingOption     kaLogging
}

func (a *analyticsAPI) addLogging(_ context.Context, rc *reqCtx, in *addLoggingInput) (any, error) {
	o := in.CloudWatchLoggingOption
	return struct{}{}, a.m.AddLogging(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId,
		app.LoggingOption{LogStreamARN: o.LogStreamARN, RoleARN: o.RoleARN})
}

type deleteOutputInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	OutputId                    string
}

func (a *analyticsAPI) deleteOutput(_ context.Context, rc *reqCtx, in *deleteOutputInput) (any, error) {
	return struct{}{}, a.m.DeleteOutput(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, in.OutputId)
}

type deleteReferenceInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	ReferenceId                 string
}

func (a *analyticsAPI) deleteReference(_ context.Context, rc *reqCtx, in *deleteReferenceInput) (any, error) {
	return struct{}{}, a.m.DeleteReference(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, in.ReferenceId)
}

type deleteInputProcessingInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	InputId                     string
}

func (a *analyticsAPI) deleteInputProcessing(_ context.Context, rc *reqCtx, in *deleteInputProcessingInput) (any, error) {
	return struct{}{}, a.m.DeleteInputProcessing(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, in.InputId)
}

type deleteLoggingInput struct {
	ApplicationName             string
	CurrentApplicationVersionId int64
	CloudWatchLoggingOptionId   string
}

func (a *analyticsAPI) deleteLogging(_ context.Context, rc *reqCtx, in *deleteLoggingInput) (any, error) {
	return struct{}{}, a.m.DeleteLogging(rc.scope, in.ApplicationName, in.CurrentApplicationVersionId, in.CloudWatchLoggingOptionId)
}
