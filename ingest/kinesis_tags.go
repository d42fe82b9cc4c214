package ingest

import (
	"context"
	"sort"
)

// Tag operations, on streams and (TagResource and friends, by ARN) consumers. The store keeps tags and
// checks them (characters, the 'aws:' prefix, at most 50 per stream or consumer) after it has found the
// resource, which is the order AWS checks in; the handlers sort and page.

// listTagsDefaultLimit is ListTagsForStream's page size when Limit is not given: every tag a stream can
// have (the model caps Limit at 50, the per-stream maximum).
const listTagsDefaultLimit = 50

type addTagsInput struct {
	streamAddr
	Tags map[string]string
}

func (k *kinesisAPI) addTagsToStream(_ context.Context, rc *reqCtx, in *addTagsInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, k.store.AddTags(rc.scope, ref, in.Tags)
}

type removeTagsInput struct {
	streamAddr
	TagKeys []string
}

func (k *kinesisAPI) removeTagsFromStream(_ context.Context, rc *reqCtx, in *removeTagsInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, k.store.RemoveTags(rc.scope, ref, in.TagKeys)
}

type tag struct {
	Key   string
	Value string
}

type listTagsForStreamInput struct {
	streamAddr
	ExclusiveStartTagKey string
	Limit                *int
}

type listTagsForStreamOutput struct {
	Tags        []tag
	HasMoreTags bool
}

func (k *kinesisAPI) listTagsForStream(_ context.Context, rc *reqCtx, in *listTagsForStreamInput) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	m, err := k.store.ListTags(rc.scope, ref)
	if err != nil {
		return nil, err
	}
	tags := sortedTags(m)
	if in.ExclusiveStartTagKey != "" {
		i := sort.Search(len(tags), func(i int) bool { return tags[i].Key > in.ExclusiveStartTagKey })
		tags = tags[i:]
	}
	limit := listTagsDefaultLimit
	if in.Limit != nil {
		limit = *in.Limit
	}
	out := listTagsForStreamOutput{Tags: tags, HasMoreTags: len(tags) > limit}
	if out.HasMoreTags {
		out.Tags = tags[:limit]
	}
	return out, nil
}

// sortedTags returns a tag map as a list sorted by key, as AWS lists tags.
func sortedTags(m map[string]string) []tag {
	tags := make([]tag, 0, len(m))
	for k, v := range m {
		tags = append(tags, tag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags
}

type tagResourceInput struct {
	ResourceARN string
	Tags        map[string]string
}

func (k *kinesisAPI) tagResource(_ context.Context, rc *reqCtx, in *tagResourceInput) (any, error) {
	return nil, k.store.AddResourceTags(rc.scope, in.ResourceARN, in.Tags)
}

type untagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

func (k *kinesisAPI) untagResource(_ context.Context, rc *reqCtx, in *untagResourceInput) (any, error) {
	return nil, k.store.RemoveResourceTags(rc.scope, in.ResourceARN, in.TagKeys)
}

type listTagsForResourceInput struct {
	ResourceARN string
}

type listTagsForResourceOutput struct {
	Tags []tag
}

func (k *kinesisAPI) listTagsForResource(_ context.Context, rc *reqCtx, in *listTagsForResourceInput) (any, error) {
	m, err := k.store.ResourceTags(rc.scope, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return listTagsForResourceOutput{Tags: sortedTags(m)}, nil
}
