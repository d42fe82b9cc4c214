package ingest

import (
	"context"
)

// Tags: TagResource, UntagResource, ListTagsForResource, by the application's ARN.

// kaTagMap checks a request's tags with the Firehose rules (the same Coral pattern) and returns them
// as a map.
func kaTagMap(tags []kaTag) (map[string]string, error) {
	fh := make([]fhTag, len(tags))
	for i, t := range tags {
		fh[i] = fhTag(t)
	}
	return tagMap(fh, "tags")
}

type kaTagResourceInput struct {
	ResourceARN string
	Tags        []kaTag
}

func (a *analyticsAPI) tagResource(_ context.Context, rc *reqCtx, in *kaTagResourceInput) (any, error) {
	tags, err := kaTagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	return struct{}{}, a.m.Tag(rc.scope, in.ResourceARN, tags)
}

type kaUntagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

func (a *analyticsAPI) untagResource(_ context.Context, rc *reqCtx, in *kaUntagResourceInput) (any, error) {
	return struct{}{}, a.m.Untag(rc.scope, in.ResourceARN, in.TagKeys)
}

type kaListTagsForResourceInput struct {
	ResourceARN string
}

type kaListTagsForResourceOutput struct {
	Tags []kaTag
}

func (a *analyticsAPI) listTagsForResource(_ context.Context, rc *reqCtx, in *kaListTagsForResourceInput) (any, error) {
	tags, err := a.m.ListTags(rc.scope, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := kaListTagsForResourceOutput{Tags: make([]kaTag, len(tags))}
	for i, t := range tags {
		out.Tags[i] = kaTag{Key: t.Key, Value: t.Value}
	}
	return out, nil
}
