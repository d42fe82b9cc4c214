package ingest

import (
	"context"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// Enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers and
// DeregisterStreamConsumer. The store keeps consumers and their rules (names, limits, statuses); the
// handlers address and page.

// listStreamConsumersMax is ListStreamConsumers' page size when MaxResults is not given, and its cap.
const listStreamConsumersMax = 100

// consumerOut is the Consumer structure.
type consumerOut struct {
	ConsumerName              string
	ConsumerARN               string
	ConsumerStatus            string
	ConsumerCreationTimestamp epoch
}

func newConsumerOut(c streams.ConsumerInfo) consumerOut {
	return consumerOut{ConsumerName: c.Name, ConsumerARN: c.ARN, ConsumerStatus: c.Status, ConsumerCreationTimestamp: epoch(c.Created)}
}

type registerStreamConsumerInput struct {
	StreamARN    string
	ConsumerName string
	Tags         map[string]string
}

type registerStreamConsumerOutput struct {
	Consumer consumerOut
}

func (k *kinesisAPI) registerStreamConsumer(_ context.Context, rc *reqCtx, in *registerStreamConsumerInput) (any, error) {
	c, err := k.store.RegisterConsumer(rc.scope, in.StreamARN, in.ConsumerName, in.Tags)
	if err != nil {
		return nil, err
	}
	return registerStreamConsumerOutput{Consumer: newConsumerOut(c)}, nil
}

// consumerAddr is how DescribeStreamConsumer and DeregisterStreamConsumer address a consumer: by its
// ARN, or by its stream's ARN and its name.
type consumerAddr struct {
	StreamARN    string
	ConsumerName string
	ConsumerARN  string
}

func (a consumerAddr) ref() streams.ConsumerRef {
	return streams.ConsumerRef{ARN: a.ConsumerARN, StreamARN: a.StreamARN, Name: a.ConsumerName}
}

type describeStreamConsumerOutput struct {
	ConsumerDescription consumerDescription
}

type consumerDescription struct {
	ConsumerName              string
	ConsumerARN               string
	ConsumerStatus            string
	ConsumerCreationTimestamp epoch
	StreamARN                 string
}

func (k *kinesisAPI) describeStreamConsumer(_ context.Context, rc *reqCtx, in *consumerAddr) (any, error) {
	c, err := k.store.DescribeConsumer(rc.scope, in.ref())
	if err != nil {
		return nil, err
	}
	return describeStreamConsumerOutput{ConsumerDescription: consumerDescription{ConsumerName: c.Name, ConsumerARN: c.ARN,
		ConsumerStatus: c.Status, ConsumerCreationTimestamp: epoch(c.Created), StreamARN: c.StreamARN}}, nil
}

func (k *kinesisAPI) deregisterStreamConsumer(_ context.Context, rc *reqCtx, in *consumerAddr) (any, error) {
	return nil, k.store.DeregisterConsumer(rc.scope, in.ref())
}

type listStreamConsumersInput struct {
	StreamARN               string
	NextToken               string
	MaxResults              *int
	StreamCreationTimestamp *time.Time
}

type listStreamConsumersOutput struct {
	Consumers []consumerOut
	NextToken string `json:",omitempty"`
}

// listConsumersToken is the payload of a ListStreamConsumers NextToken: the stream (and its creation,
// so that a token does not page into a stream re-created under the same name) and the last consumer
// listed.
type listConsumersToken struct {
	StreamARN string
	Created   int64 // the stream's creation, Unix seconds
	After     string
}

func (k *kinesisAPI) listStreamConsumers(_ context.Context, rc *reqCtx, in *listStreamConsumersInput) (any, error) {
	var created time.Time
	if in.StreamCreationTimestamp != nil {
		created = *in.StreamCreationTimestamp
	}
	var after string
	if in.NextToken != "" {
		var tok listConsumersToken
		if err := k.tokens.open(tokenListConsumers, in.NextToken, &tok); err != nil {
			return nil, err
		}
		if tok.StreamARN != in.StreamARN {
			return nil, errorf(ErrInvalidArgument, "Invalid NextToken: it was issued for stream %s.", tok.StreamARN)
		}
		after, created = tok.After, time.Unix(tok.Created, 0)
	}
	all, err := k.store.ListConsumers(rc.scope, in.StreamARN, created)
	if err != nil {
		return nil, err
	}
	limit := listStreamConsumersMax
	if in.MaxResults != nil {
		limit = min(*in.MaxResults, listStreamConsumersMax)
	}
	start := 0
	for start < len(all) && after != "" && all[start].Name <= after {
		start++
	}
	page := all[start:]
	more := len(page) > limit
	if more {
		page = page[:limit]
	}
	out := listStreamConsumersOutput{Consumers: make([]consumerOut, len(page))}
	for i, c := range page {
		out.Consumers[i] = newConsumerOut(c)
	}
	if more {
		info, err := k.store.DescribeStream(rc.scope, streams.StreamRef{ARN: in.StreamARN})
		if err != nil {
			return nil, err
		}
		tok, err := k.tokens.seal(tokenListConsumers, listConsumersToken{StreamARN: in.StreamARN, Created: info.Created.Unix(),
			After: page[len(page)-1].Name})
		if err != nil {
			return nil, internal(err)
		}
		out.NextToken = tok
	}
	return out, nil
}
