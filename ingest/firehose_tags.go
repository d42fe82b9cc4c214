package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/hydrantio/hydrant/buffer"
)

// Tags and server-side encryption: TagDeliveryStream, UntagDeliveryStream, ListTagsForDeliveryStream,
// StartDeliveryStreamEncryption, StopDeliveryStreamEncryption.

// listTagsForDeliveryStreamDefaultLimit is the page size when Limit is not given: every tag a
// delivery stream can have.
const listTagsForDeliveryStreamDefaultLimit = 50

// The model's tag patterns, which start with a look-ahead that RE2 (and so the generic validator)
// cannot express; tagMap checks them as Coral would and words the refusal as Coral does.
const (
	tagKeyPattern   = `^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$`
	tagValuePattern = `^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$`
)

func tagChars(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Z, r) && !unicode.IsNumber(r) && !strings.ContainsRune("_.:/=+-@%", r) {
			return false
		}
	}
	return true
}

// tagMap checks the tags of a request (path is the member's name in messages: "tags") and returns
// them as a map.
func tagMap(tags []fhTag, path string) (map[string]string, error) {
	var errs []string
	for i, t := range tags {
		if strings.HasPrefix(t.Key, "aws:") || !tagChars(t.Key) {
			errs = append(errs, fmt.Sprintf("Value '%s' at '%s.%d.member.key' failed to satisfy constraint: Member must "+
				"satisfy regular expression pattern: %s", t.Key, path, i+1, tagKeyPattern))
		}
		if !tagChars(t.Value) {
			errs = append(errs, fmt.Sprintf("Value '%s' at '%s.%d.member.value' failed to satisfy constraint: Member must "+
				"satisfy regular expression pattern: %s", t.Value, path, i+1, tagValuePattern))
		}
	}
	if len(errs) > 0 {
		noun := "errors"
		if len(errs) == 1 {
			noun = "error"
		}
		return nil, errorf(ErrValidation, "%d validation %s detected: %s", len(errs), noun, strings.Join(errs, "; "))
	}
	if len(tags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m, nil
}

type tagDeliveryStreamInput struct {
	DeliveryStreamName string
	Tags               []fhTag
}

func (f *firehoseAPI) tagDeliveryStream(_ context.Context, rc *reqCtx, in *tagDeliveryStreamInput) (any, error) {
	tags, err := tagMap(in.Tags, "tags")
	if err != nil {
		return nil, err
	}
	return struct{}{}, f.m.Tag(rc.scope, in.DeliveryStreamName, tags)
}

type untagDeliveryStreamInput struct {
	DeliveryStreamName string
	TagKeys            []string
}

func (f *firehoseAPI) untagDeliveryStream(_ context.Context, rc *reqCtx, in *untagDeliveryStreamInput) (any, error) {
	return struct{}{}, f.m.Untag(rc.scope, in.DeliveryStreamName, in.TagKeys)
}

type listTagsForDeliveryStreamInput struct {
	DeliveryStreamName   string
	ExclusiveStartTagKey string
	Limit                *int
}

type listTagsForDeliveryStreamOutput struct {
	Tags        []fhTag
	HasMoreTags bool
}

func (f *firehoseAPI) listTagsForDeliveryStream(_ context.Context, rc *reqCtx, in *listTagsForDeliveryStreamInput) (any, error) {
	m, err := f.m.ListTags(rc.scope, in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	tags := make([]fhTag, 0, len(m))
	for k, v := range m {
		tags = append(tags, fhTag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	if s := in.ExclusiveStartTagKey; s != "" {
		tags = tags[sort.Search(len(tags), func(i int) bool { return tags[i].Key > s }):]
	}
	limit := listTagsForDeliveryStreamDefaultLimit
	if in.Limit != nil {
		limit = *in.Limit
	}
	out := listTagsForDeliveryStreamOutput{Tags: tags, HasMoreTags: len(tags) > limit}
	if out.HasMoreTags {
		out.Tags = tags[:limit]
	}
	return out, nil
}

type startEncryptionInput struct {
	DeliveryStreamName                         string
	DeliveryStreamEncryptionConfigurationInput *fhEncryptionInput
}

func (f *firehoseAPI) startEncryption(_ context.Context, rc *reqCtx, in *startEncryptionInput) (any, error) {
	// Without a configuration Firehose uses its own key (the API reference: "If you don't specify
	// ... Firehose uses an Amazon Web Services owned CMK").
	e := buffer.EncryptionInput{KeyType: buffer.KeyAWSOwned}
	if c := in.DeliveryStreamEncryptionConfigurationInput; c != nil {
		e = buffer.EncryptionInput{KeyType: c.KeyType, KeyARN: c.KeyARN}
	}
	return struct{}{}, f.m.StartEncryption(rc.scope, in.DeliveryStreamName, e)
}

type stopEncryptionInput struct {
	DeliveryStreamName string
}

func (f *firehoseAPI) stopEncryption(_ context.Context, rc *reqCtx, in *stopEncryptionInput) (any, error) {
	return struct{}{}, f.m.StopEncryption(rc.scope, in.DeliveryStreamName)
}
