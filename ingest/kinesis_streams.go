package ingest

import (
	"context"

	"github.com/hydrantio/hydrant/streams"
)

// Stream lifecycle and configuration operations.

// Page sizes AWS uses for DescribeStream and ListStreams: Limit defaults to, and is capped at, 100.
const (
	describeStreamMaxShards = 100
	listStreamsMaxNames     = 100
)

type createStreamInput struct {
	StreamName          string
	ShardCount          *int
	StreamModeDetails   *streamModeDetails
	Tags                map[string]string
	WarmThroughputMiBps *int
	MaxRecordSizeInKiB  *int
}

func (k *kinesisAPI) createStream(_ context.Context, rc *reqCtx, in *createStreamInput) (any, error) {
	ci := streams.CreateStreamInput{
		Name:           in.StreamName,
		Tags:           in.Tags,
		WarmThroughput: in.WarmThroughputMiBps,
	}
	if in.ShardCount != nil {
		ci.ShardCount = *in.ShardCount
	}
	if in.StreamModeDetails != nil {
		ci.Mode = in.StreamModeDetails.StreamMode
	}
	if in.MaxRecordSizeInKiB != nil {
		ci.MaxRecordSizeKiB = *in.MaxRecordSizeInKiB
	}
	return nil, k.store.CreateStream(rc.scope, ci)
}

type deleteStreamInput struct {
	streamAddr
	EnforceConsumerDeletion bool
}

func (k *kinesisAPI) deleteStream(_ context.Context, rc *reqCtx, in *deleteStreamInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, k.store.DeleteStream(rc.scope, ref, in.EnforceConsumerDeletion)
}

type describeStreamInput struct {
	streamAddr
	Limit                 *int
	ExclusiveStartShardId string
}

type describeStreamOutput struct {
	StreamDescription streamDescription
}

type streamDescription struct {
	StreamName              string
	StreamARN               string
	StreamStatus            string
	StreamModeDetails       *streamModeDetails `json:",omitempty"`
	Shards                  []shardOut
	HasMoreShards           bool
	RetentionPeriodHours    int
	StreamCreationTimestamp epoch
	EnhancedMonitoring      []enhancedMetrics
	EncryptionType          string `json:",omitempty"`
	KeyId                   string `json:",omitempty"`
}

type enhancedMetrics struct {
	ShardLevelMetrics []string
}

func (k *kinesisAPI) describeStream(_ context.Context, rc *reqCtx, in *describeStreamInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	info, err := k.store.DescribeStream(rc.scope, ref)
	if err != nil {
		return nil, err
	}
	limit := describeStreamMaxShards
	if in.Limit != nil {
		limit = min(*in.Limit, describeStreamMaxShards)
	}
	shards := info.Shards
	if in.ExclusiveStartShardId != "" {
		shards = shardsAfter(shards, in.ExclusiveStartShardId)
	}
	more := len(shards) > limit
	if more {
		shards = shards[:limit]
	}
	d := streamDescription{
		StreamName:              info.Name,
		StreamARN:               info.ARN,
		StreamStatus:            info.Status,
		StreamModeDetails:       modeDetails(info.Mode),
		Shards:                  shardsOut(shards),
		HasMoreShards:           more,
		RetentionPeriodHours:    info.RetentionHours,
		StreamCreationTimestamp: epoch(info.Created),
		EnhancedMonitoring:      monitoring(info.ShardLevelMetrics),
		EncryptionType:          info.EncryptionType,
		KeyId:                   info.KeyID,
	}
	return describeStreamOutput{StreamDescription: d}, nil
}

type describeStreamSummaryInput struct {
	streamAddr
}

type describeStreamSummaryOutput struct {
	StreamDescriptionSummary streamDescriptionSummary
}

type streamDescriptionSummary struct {
	StreamName              string
	StreamARN               string
	StreamId                string `json:",omitempty"`
	StreamStatus            string
	StreamModeDetails       *streamModeDetails `json:",omitempty"`
	RetentionPeriodHours    int
	StreamCreationTimestamp epoch
	EnhancedMonitoring      []enhancedMetrics
	EncryptionType          string `json:",omitempty"`
	KeyId                   string `json:",omitempty"`
	OpenShardCount          int
	ConsumerCount           int
	WarmThroughput          *warmThroughput `json:",omitempty"`
	MaxRecordSizeInKiB      int             `json:",omitempty"`
}

type warmThroughput struct {
	TargetMiBps  int
	CurrentMiBps int
}

func (k *kinesisAPI) describeStreamSummary(_ context.Context, rc *reqCtx, in *describeStreamSummaryInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	info, err := k.store.DescribeStream(rc.scope, ref)
	if err != nil {
		return nil, err
	}
	return describeStreamSummaryOutput{StreamDescriptionSummary: streamDescriptionSummary{
		StreamName:              info.Name,
		StreamARN:               info.ARN,
		StreamId:                info.ID,
		StreamStatus:            info.Status,
		StreamModeDetails:       modeDetails(info.Mode),
		RetentionPeriodHours:    info.RetentionHours,
		StreamCreationTimestamp: epoch(info.Created),
		EnhancedMonitoring:      monitoring(info.ShardLevelMetrics),
		EncryptionType:          info.EncryptionType,
		KeyId:                   info.KeyID,
		OpenShardCount:          info.OpenShards,
		ConsumerCount:           info.ConsumerCount,
		WarmThroughput:          warmOut(info.WarmThroughput),
		MaxRecordSizeInKiB:      info.MaxRecordSizeKiB,
	}}, nil
}

type listStreamsInput struct {
	Limit                    *int
	ExclusiveStartStreamName string
	NextToken                string
}

type listStreamsOutput struct {
	StreamNames     []string
	HasMoreStreams  bool
	NextToken       string `json:",omitempty"`
	StreamSummaries []streamSummary
}

type streamSummary struct {
	StreamName              string
	StreamARN               string
	StreamStatus            string
	StreamModeDetails       *streamModeDetails `json:",omitempty"`
	StreamCreationTimestamp epoch              `json:",omitzero"`
}

// listStreamsToken is the payload of a ListStreams NextToken: where the next page starts, and the
// scope it was issued in.
type listStreamsToken struct {
	Account, Region string
	After           string
}

func (k *kinesisAPI) listStreams(_ context.Context, rc *reqCtx, in *listStreamsInput) (any, error) {
	after := in.ExclusiveStartStreamName
	if in.NextToken != "" {
		if in.ExclusiveStartStreamName != "" {
			return nil, errorf(ErrInvalidArgument, "NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		var tok listStreamsToken
		if err := k.tokens.open(tokenListStreams, in.NextToken, &tok); err != nil {
			return nil, err
		}
		if tok.Account != rc.scope.Account || tok.Region != rc.scope.Region {
			return nil, errorf(ErrInvalidArgument, "Invalid NextToken.")
		}
		after = tok.After
	}
	limit := listStreamsMaxNames
	if in.Limit != nil {
		limit = min(*in.Limit, listStreamsMaxNames)
	}
	all := k.store.ListStreams(rc.scope)
	start := 0
	if after != "" {
		for start < len(all) && all[start].Name <= after {
			start++
		}
	}
	page := all[start:]
	more := len(page) > limit
	if more {
		page = page[:limit]
	}
	out := listStreamsOutput{
		StreamNames:     make([]string, len(page)),
		HasMoreStreams:  more,
		StreamSummaries: make([]streamSummary, len(page)),
	}
	for i, s := range page {
		out.StreamNames[i] = s.Name
		out.StreamSummaries[i] = streamSummary{
			StreamName:              s.Name,
			StreamARN:               s.ARN,
			StreamStatus:            s.Status,
			StreamModeDetails:       modeDetails(s.Mode),
			StreamCreationTimestamp: epoch(s.Created),
		}
	}
	if more {
		tok, err := k.tokens.seal(tokenListStreams, listStreamsToken{
			Account: rc.scope.Account, Region: rc.scope.Region, After: page[len(page)-1].Name})
		if err != nil {
			return nil, internal(err)
		}
		out.NextToken = tok
	}
	return out, nil
}

type retentionInput struct {
	streamAddr
	RetentionPeriodHours int
}

func (k *kinesisAPI) increaseRetention(_ context.Context, rc *reqCtx, in *retentionInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, k.store.IncreaseRetention(rc.scope, ref, in.RetentionPeriodHours)
}

func (k *kinesisAPI) decreaseRetention(_ context.Context, rc *reqCtx, in *retentionInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, k.store.DecreaseRetention(rc.scope, ref, in.RetentionPeriodHours)
}

type updateStreamModeInput struct {
	StreamARN           string
	StreamModeDetails   streamModeDetails
	WarmThroughputMiBps *int
}

func (k *kinesisAPI) updateStreamMode(_ context.Context, rc *reqCtx, in *updateStreamModeInput) (any, error) {
	ref, err := arnRef(in.StreamARN)
	if err != nil {
		return nil, err
	}
	return nil, k.store.UpdateStreamMode(rc.scope, ref, in.StreamModeDetails.StreamMode, in.WarmThroughputMiBps)
}

type updateMaxRecordSizeInput struct {
	StreamARN          string
	MaxRecordSizeInKiB int
}

func (k *kinesisAPI) updateMaxRecordSize(_ context.Context, rc *reqCtx, in *updateMaxRecordSizeInput) (any, error) {
	ref, err := arnRef(in.StreamARN)
	if err != nil {
		return nil, err
	}
	return nil, k.store.UpdateMaxRecordSize(rc.scope, ref, in.MaxRecordSizeInKiB)
}

type updateWarmThroughputInput struct {
	streamAddr
	WarmThroughputMiBps int
}

type updateWarmThroughputOutput struct {
	StreamARN      string
	StreamName     string
	WarmThroughput *warmThroughput `json:",omitempty"`
}

func (k *kinesisAPI) updateWarmThroughput(_ context.Context, rc *reqCtx, in *updateWarmThroughputInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	info, err := k.store.UpdateWarmThroughput(rc.scope, ref, in.WarmThroughputMiBps)
	if err != nil {
		return nil, err
	}
	return updateWarmThroughputOutput{StreamARN: info.ARN, StreamName: info.Name, WarmThroughput: warmOut(info.WarmThroughput)}, nil
}

type encryptionInput struct {
	streamAddr
	EncryptionType string
	KeyId          string
}

func (k *kinesisAPI) startEncryption(_ context.Context, rc *reqCtx, in *encryptionInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	if in.EncryptionType != streams.EncryptionKMS {
		return nil, errorf(ErrInvalidArgument, "EncryptionType %s is not valid for StartStreamEncryption; use KMS.", in.EncryptionType)
	}
	return nil, k.store.StartEncryption(rc.scope, ref, in.KeyId)
}

func (k *kinesisAPI) stopEncryption(_ context.Context, rc *reqCtx, in *encryptionInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	if in.EncryptionType != streams.EncryptionKMS {
		return nil, errorf(ErrInvalidArgument, "EncryptionType %s is not valid for StopStreamEncryption; use KMS.", in.EncryptionType)
	}
	return nil, k.store.StopEncryption(rc.scope, ref, in.KeyId)
}

type monitoringInput struct {
	streamAddr
	ShardLevelMetrics []string
}

type monitoringOutput struct {
	StreamName               string
	CurrentShardLevelMetrics []string
	DesiredShardLevelMetrics []string
	StreamARN                string
}

func (k *kinesisAPI) enableMonitoring(ctx context.Context, rc *reqCtx, in *monitoringInput) (any, error) {
	return k.setMonitoring(rc, in, true)
}

func (k *kinesisAPI) disableMonitoring(ctx context.Context, rc *reqCtx, in *monitoringInput) (any, error) {
	return k.setMonitoring(rc, in, false)
}

func (k *kinesisAPI) setMonitoring(rc *reqCtx, in *monitoringInput, enable bool) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	before, after, err := k.store.SetEnhancedMonitoring(rc.scope, ref, in.ShardLevelMetrics, enable)
	if err != nil {
		return nil, err
	}
	return monitoringOutput{
		StreamName:               before.Name,
		CurrentShardLevelMetrics: nonNil(before.ShardLevelMetrics),
		DesiredShardLevelMetrics: nonNil(after),
		StreamARN:                before.ARN,
	}, nil
}

// modeDetails renders a stream's capacity mode.
func modeDetails(mode string) *streamModeDetails {
	if mode == "" {
		return nil
	}
	return &streamModeDetails{StreamMode: mode}
}

// monitoring renders EnhancedMonitoring: always one entry, listing the enabled metrics (possibly none).
func monitoring(metrics []string) []enhancedMetrics {
	return []enhancedMetrics{{ShardLevelMetrics: nonNil(metrics)}}
}

func warmOut(w *streams.WarmThroughput) *warmThroughput {
	if w == nil {
		return nil
	}
	return &warmThroughput{TargetMiBps: w.TargetMiBps, CurrentMiBps: w.CurrentMiBps}
}

// nonNil makes a nil slice encode as [] (a required list is never null).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
