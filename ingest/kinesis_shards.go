package ingest

import (
	"context"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// Shard listing and resharding operations.

// listShardsMaxResults is ListShards' page size: MaxResults defaults to it, and larger values (the model
// allows 10000) return it, as AWS does.
const listShardsMaxResults = 1000

type shardOut struct {
	ShardId               string
	ParentShardId         string `json:",omitempty"`
	AdjacentParentShardId string `json:",omitempty"`
	HashKeyRange          hashKeyRange
	SequenceNumberRange   sequenceNumberRange
}

type hashKeyRange struct {
	StartingHashKey string
	EndingHashKey   string
}

type sequenceNumberRange struct {
	StartingSequenceNumber string
	EndingSequenceNumber   string `json:",omitempty"`
}

func shardsOut(shards []streams.ShardInfo) []shardOut {
	out := make([]shardOut, len(shards))
	for i, s := range shards {
		out[i] = shardOut{
			ShardId:               s.ID,
			ParentShardId:         s.ParentID,
			AdjacentParentShardId: s.AdjacentParentID,
			HashKeyRange:          hashRangeOut(s.Hash),
			SequenceNumberRange:   sequenceNumberRange{StartingSequenceNumber: s.StartingSeq, EndingSequenceNumber: s.EndingSeq},
		}
	}
	return out
}

func hashRangeOut(h streams.HashRange) hashKeyRange {
	return hashKeyRange{StartingHashKey: h.Start.String(), EndingHashKey: h.End.String()}
}

// shardsAfter returns the shards whose id sorts after id. Shard ids are zero-padded, so string order is
// creation order, and an id that names no shard still marks a position, as in AWS.
func shardsAfter(shards []streams.ShardInfo, id string) []streams.ShardInfo {
	for i, s := range shards {
		if s.ID > id {
			return shards[i:]
		}
	}
	return nil
}

type shardFilterIn struct {
	Type      string
	ShardId   string
	Timestamp *time.Time
}

type listShardsInput struct {
	streamAddr
	NextToken               string
	ExclusiveStartShardId   string
	MaxResults              *int
	StreamCreationTimestamp *time.Time
	ShardFilter             *shardFilterIn
}

type listShardsOutput struct {
	Shards    []shardOut
	NextToken string `json:",omitempty"`
}

// listShardsToken is the payload of a ListShards NextToken: the stream (which the token alone
// identifies, as AWS requires), the filter and creation time of the first call, the last shard
// returned, and the scope it was issued in.
type listShardsToken struct {
	Account, Region string
	Name, ARN       string
	Filter          streams.ShardFilter
	Created         time.Time
	After           string
}

func (k *kinesisAPI) listShards(_ context.Context, rc *reqCtx, in *listShardsInput) (any, error) {
	var (
		ref     streams.StreamRef
		filter  streams.ShardFilter
		created time.Time
		after   = in.ExclusiveStartShardId
	)
	if in.ShardFilter != nil {
		f, err := shardFilter(in.ShardFilter)
		if err != nil {
			return nil, err
		}
		filter = f
	}
	if in.NextToken != "" {
		// The token names the stream; AWS refuses anything that could contradict it.
		switch {
		case in.StreamName != "":
			return nil, errorf(ErrInvalidArgument, "NextToken and StreamName cannot be provided together.")
		case in.StreamARN != "":
			return nil, errorf(ErrInvalidArgument, "NextToken and StreamARN cannot be provided together.")
		case in.ExclusiveStartShardId != "":
			return nil, errorf(ErrInvalidArgument, "NextToken and ExclusiveStartShardId cannot be provided together.")
		case in.StreamCreationTimestamp != nil:
			return nil, errorf(ErrInvalidArgument, "NextToken and StreamCreationTimestamp cannot be provided together.")
		}
		var tok listShardsToken
		if err := k.tokens.open(tokenListShards, in.NextToken, &tok); err != nil {
			return nil, err
		}
		if tok.Account != rc.scope.Account || tok.Region != rc.scope.Region {
			return nil, errorf(ErrInvalidArgument, "Invalid NextToken.")
		}
		ref = streams.StreamRef{Name: tok.Name, ARN: tok.ARN}
		if in.ShardFilter == nil {
			filter = tok.Filter
		}
		created, after = tok.Created, tok.After
	} else {
		if in.StreamName == "" && in.StreamARN == "" {
			return nil, errorf(ErrInvalidArgument, "Either NextToken or StreamName should be provided.")
		}
		ref = streams.StreamRef{Name: in.StreamName, ARN: in.StreamARN}
		if in.StreamCreationTimestamp != nil {
			created = *in.StreamCreationTimestamp
		}
	}

	_, shards, err := k.store.ListShards(rc.scope, ref, filter, created)
	if err != nil {
		return nil, err
	}
	if after != "" {
		shards = shardsAfter(shards, after)
	}
	limit := listShardsMaxResults
	if in.MaxResults != nil {
		limit = min(*in.MaxResults, listShardsMaxResults)
	}
	out := listShardsOutput{}
	if len(shards) > limit {
		shards = shards[:limit]
		tok, err := k.tokens.seal(tokenListShards, listShardsToken{
			Account: rc.scope.Account, Region: rc.scope.Region,
			Name: ref.Name, ARN: ref.ARN, Filter: filter, Created: created,
			After: shards[len(shards)-1].ID,
		})
		if err != nil {
			return nil, internal(err)
		}
		out.NextToken = tok
	}
	out.Shards = shardsOut(shards)
	return out, nil
}

// shardFilter checks a ShardFilter's members against its type.
func shardFilter(in *shardFilterIn) (streams.ShardFilter, error) {
	f := streams.ShardFilter{Type: in.Type, ShardID: in.ShardId}
	switch in.Type {
	case "AFTER_SHARD_ID":
		if in.ShardId == "" {
			return f, errorf(ErrInvalidArgument, "ShardFilter of type AFTER_SHARD_ID requires a ShardId.")
		}
	case "AT_TIMESTAMP", "FROM_TIMESTAMP":
		if in.Timestamp == nil {
			return f, errorf(ErrInvalidArgument, "ShardFilter of type %s requires a Timestamp.", in.Type)
		}
	}
	if in.Timestamp != nil {
		f.Timestamp = *in.Timestamp
	}
	return f, nil
}

type splitShardInput struct {
	streamAddr
	ShardToSplit       string
	NewStartingHashKey string
}

func (k *kinesisAPI) splitShard(_ context.Context, rc *reqCtx, in *splitShardInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, k.store.SplitShard(rc.scope, ref, in.ShardToSplit, in.NewStartingHashKey)
}

type mergeShardsInput struct {
	streamAddr
	ShardToMerge         string
	AdjacentShardToMerge string
}

func (k *kinesisAPI) mergeShards(_ context.Context, rc *reqCtx, in *mergeShardsInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, k.store.MergeShards(rc.scope, ref, in.ShardToMerge, in.AdjacentShardToMerge)
}

type updateShardCountInput struct {
	streamAddr
	TargetShardCount int
	ScalingType      string
}

type updateShardCountOutput struct {
	StreamName        string
	CurrentShardCount int
	TargetShardCount  int
	StreamARN         string
}

func (k *kinesisAPI) updateShardCount(_ context.Context, rc *reqCtx, in *updateShardCountInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	before, err := k.store.UpdateShardCount(rc.scope, ref, in.TargetShardCount)
	if err != nil {
		return nil, err
	}
	return updateShardCountOutput{
		StreamName:        before.Name,
		CurrentShardCount: before.OpenShards,
		TargetShardCount:  in.TargetShardCount,
		StreamARN:         before.ARN,
	}, nil
}
