package ingest

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/hydrantio/hydrant/buffer"
)

// Delivery stream lifecycle: CreateDeliveryStream, DeleteDeliveryStream, DescribeDeliveryStream,
// ListDeliveryStreams, UpdateDestination.

// ListDeliveryStreams' page size when Limit is not given (the model's documented default).
const listDeliveryStreamsDefaultLimit = 10

type fhKinesisSource struct {
	KinesisStreamARN string
	RoleARN          string
}

type fhEncryptionInput struct {
	KeyARN  string
	KeyType string
}

type fhTag struct {
	Key   string
	Value string
}

type createDeliveryStreamInput struct {
	DeliveryStreamName                         string
	DeliveryStreamType                         string
	KinesisStreamSourceConfiguration           *fhKinesisSource
	DeliveryStreamEncryptionConfigurationInput *fhEncryptionInput
	Tags                                       []fhTag
}

type createDeliveryStreamOutput struct {
	DeliveryStreamARN string
}

// destinationMembers returns the members of a create or update input that configure a destination
// (those named *DestinationConfiguration or *DestinationUpdate), in model order.
func destinationMembers(v *value, suffix string) []string {
	var names []string
	for i, m := range v.shape.members {
		if v.fields[i] != nil && strings.HasSuffix(m.name, suffix) {
			names = append(names, m.name)
		}
	}
	return names
}

func (f *firehoseAPI) createDeliveryStream(_ context.Context, rc *reqCtx, in *createDeliveryStreamInput, raw *value) (any, error) {
	typ := in.DeliveryStreamType
	if typ == "" {
		typ = buffer.TypeDirectPut
	}
	if raw.field("MSKSourceConfiguration") != nil || raw.field("DatabaseSourceConfiguration") != nil {
		return nil, errorf(ErrInvalidArgument, "Hydrant supports the %s and %s delivery stream types only.",
			buffer.TypeDirectPut, buffer.TypeKinesisStreamAsSource)
	}
	dests := destinationMembers(raw, "DestinationConfiguration")
	if len(dests) != 1 {
		return nil, errorf(ErrInvalidArgument, "Exactly one destination configuration is supported for a Firehose")
	}
	if d := dests[0]; d != "ExtendedS3DestinationConfiguration" && d != "S3DestinationConfiguration" {
		return nil, errorf(ErrInvalidArgument, "Hydrant supports S3 destinations only: give an "+
			"ExtendedS3DestinationConfiguration (or the deprecated S3DestinationConfiguration), not a %s.", d)
	}
	destValue := raw.field(dests[0])
	if err := checkBufferingHints(destValue); err != nil {
		return nil, err
	}
	tags, err := tagMap(in.Tags, "tags")
	if err != nil {
		return nil, err
	}
	cfg := buffer.Config{Type: typ, API: valueJSON(destValue)}
	if cfg.Destination, err = s3Destination(cfg.API); err != nil {
		return nil, err
	}
	if s := in.KinesisStreamSourceConfiguration; s != nil {
		cfg.Source = buffer.Source{StreamARN: s.KinesisStreamARN, RoleARN: s.RoleARN}
		if typ == buffer.TypeKinesisStreamAsSource {
			if cfg.Source.StartingPosition, err = fhStartingPosition(tags); err != nil {
				return nil, err
			}
		}
	}
	ci := buffer.CreateInput{Name: in.DeliveryStreamName, Config: cfg, Tags: tags}
	if e := in.DeliveryStreamEncryptionConfigurationInput; e != nil {
		ci.Encryption = &buffer.EncryptionInput{KeyType: e.KeyType, KeyARN: e.KeyARN}
	}
	arn, err := f.m.Create(rc.scope, ci)
	if err != nil {
		return nil, err
	}
	return createDeliveryStreamOutput{DeliveryStreamARN: arn}, nil
}

type deleteDeliveryStreamInput struct {
	DeliveryStreamName string
	AllowForceDelete   bool
}

func (f *firehoseAPI) deleteDeliveryStream(_ context.Context, rc *reqCtx, in *deleteDeliveryStreamInput) (any, error) {
	// AllowForceDelete concerns the KMS grants of customer managed keys, which Hydrant does not hold.
	return struct{}{}, f.m.Delete(rc.scope, in.DeliveryStreamName)
}

type describeDeliveryStreamInput struct {
	DeliveryStreamName          string
	Limit                       *int
	ExclusiveStartDestinationId string
}

type describeDeliveryStreamOutput struct {
	DeliveryStreamDescription deliveryStreamDescription
}

type deliveryStreamDescription struct {
	DeliveryStreamName                    string
	DeliveryStreamARN                     string
	DeliveryStreamStatus                  string
	DeliveryStreamEncryptionConfiguration *fhEncryptionDescription `json:",omitempty"`
	DeliveryStreamType                    string
	VersionId                             string
	CreateTimestamp                       epoch
	LastUpdateTimestamp                   epoch          `json:",omitzero"`
	Source                                *fhSourceDescr `json:",omitempty"`
	Destinations                          []fhDestinationDescription
	HasMoreDestinations                   bool
}

type fhEncryptionDescription struct {
	KeyARN  string `json:",omitempty"`
	KeyType string `json:",omitempty"`
	Status  string
}

type fhSourceDescr struct {
	KinesisStreamSourceDescription *fhKinesisSourceDescription `json:",omitempty"`
}

type fhKinesisSourceDescription struct {
	KinesisStreamARN       string
	RoleARN                string `json:",omitempty"`
	DeliveryStartTimestamp epoch  `json:",omitzero"`
}

type fhDestinationDescription struct {
	DestinationId                    string
	S3DestinationDescription         json.RawMessage `json:",omitempty"`
	ExtendedS3DestinationDescription json.RawMessage `json:",omitempty"`
}

func (f *firehoseAPI) describeDeliveryStream(_ context.Context, rc *reqCtx, in *describeDeliveryStreamInput) (any, error) {
	d, err := f.m.Describe(rc.scope, in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	out := deliveryStreamDescription{
		DeliveryStreamName:   d.Name,
		DeliveryStreamARN:    d.ARN,
		DeliveryStreamStatus: d.Status,
		DeliveryStreamEncryptionConfiguration: &fhEncryptionDescription{KeyARN: d.Encryption.KeyARN,
			KeyType: d.Encryption.KeyType, Status: d.Encryption.Status},
		DeliveryStreamType:  d.Config.Type,
		VersionId:           strconv.FormatInt(d.VersionID, 10),
		CreateTimestamp:     epoch(d.Created),
		LastUpdateTimestamp: epoch(d.Updated),
		Destinations:        []fhDestinationDescription{},
	}
	if d.Config.Type == buffer.TypeKinesisStreamAsSource {
		out.Source = &fhSourceDescr{KinesisStreamSourceDescription: &fhKinesisSourceDescription{
			KinesisStreamARN: d.Config.Source.StreamARN, RoleARN: d.Config.Source.RoleARN,
			DeliveryStartTimestamp: epoch(d.DeliveryStart)}}
	}
	// There is one destination: a page that starts after it is empty.
	if in.ExclusiveStartDestinationId != d.DestinationID {
		ext, s3, err := describeS3(&d.Config)
		if err != nil {
			return nil, internal(err)
		}
		out.Destinations = append(out.Destinations, fhDestinationDescription{DestinationId: d.DestinationID,
			S3DestinationDescription: s3, ExtendedS3DestinationDescription: ext})
	}
	return describeDeliveryStreamOutput{DeliveryStreamDescription: out}, nil
}

type listDeliveryStreamsInput struct {
	Limit                            *int
	DeliveryStreamType               string
	ExclusiveStartDeliveryStreamName string
}

type listDeliveryStreamsOutput struct {
	DeliveryStreamNames    []string
	HasMoreDeliveryStreams bool
}

func (f *firehoseAPI) listDeliveryStreams(_ context.Context, rc *reqCtx, in *listDeliveryStreamsInput) (any, error) {
	names := f.m.List(rc.scope, in.DeliveryStreamType)
	if s := in.ExclusiveStartDeliveryStreamName; s != "" {
		names = names[sort.SearchStrings(names, s+"\x00"):]
	}
	limit := listDeliveryStreamsDefaultLimit
	if in.Limit != nil {
		limit = *in.Limit
	}
	out := listDeliveryStreamsOutput{DeliveryStreamNames: names, HasMoreDeliveryStreams: len(names) > limit}
	if out.HasMoreDeliveryStreams {
		out.DeliveryStreamNames = names[:limit]
	}
	if out.DeliveryStreamNames == nil {
		out.DeliveryStreamNames = []string{}
	}
	return out, nil
}

type updateDestinationInput struct {
	DeliveryStreamName             string
	CurrentDeliveryStreamVersionId string
	DestinationId                  string
}

// updateDestination merges an ExtendedS3DestinationUpdate or S3DestinationUpdate into the S3
// destination. Both are updates of the same destination type (the extended configuration is a
// superset), so they merge member by member (mergeJSON).
func (f *firehoseAPI) updateDestination(_ context.Context, rc *reqCtx, in *updateDestinationInput, raw *value) (any, error) {
	updates := destinationMembers(raw, "DestinationUpdate")
	if len(updates) > 1 {
		return nil, errorf(ErrInvalidArgument, "Exactly one destination update is supported for a Firehose")
	}
	if len(updates) == 1 && updates[0] != "ExtendedS3DestinationUpdate" && updates[0] != "S3DestinationUpdate" {
		return nil, errorf(ErrInvalidArgument, "Hydrant supports S3 destinations only: give an "+
			"ExtendedS3DestinationUpdate (or the deprecated S3DestinationUpdate), not a %s.", updates[0])
	}
	var upd json.RawMessage = []byte("{}")
	if len(updates) == 1 {
		v := raw.field(updates[0])
		if err := checkBufferingHints(v); err != nil {
			return nil, err
		}
		upd = valueJSON(v)
	}
	err := f.m.UpdateDestination(rc.scope, in.DeliveryStreamName, in.CurrentDeliveryStreamVersionId, in.DestinationId,
		func(cur buffer.Config) (buffer.Config, error) {
			api, err := mergeJSON(cur.API, upd)
			if err != nil {
				return cur, internal(err)
			}
			next := cur
			next.API = api
			if next.Destination, err = s3Destination(api); err != nil {
				return cur, err
			}
			return next, nil
		})
	return struct{}{}, err
}
