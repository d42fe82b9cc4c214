package bench

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The control-plane calls use encoding/json: they are few and not measured.

// controlRetries bounds how often a throttled control-plane call is retried.
const controlRetries = 10

// control calls op, retrying while the endpoint throttles.
func (c *client) control(ctx context.Context, op string, in, out any) error {
	bo := backoff{base: 100 * time.Millisecond, cap: 2 * time.Second}
	for i := 0; ; i++ {
		err := c.callJSON(ctx, op, in, out)
		if err == nil || classify(err) != kindThrottled || i == controlRetries {
			return err
		}
		if err := bo.wait(ctx); err != nil {
			return err
		}
	}
}

func isCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

func (c *client) createStream(ctx context.Context, name string, shards int) error {
	return c.control(ctx, "CreateStream", map[string]any{"StreamName": name, "ShardCount": shards}, nil)
}

func (c *client) deleteStream(ctx context.Context, name string) error {
	return c.control(ctx, "DeleteStream", map[string]any{"StreamName": name, "EnforceConsumerDeletion": true}, nil)
}

// streamStatus returns the stream's status, or "" when it does not exist.
func (c *client) streamStatus(ctx context.Context, name string) (string, error) {
	var out struct {
		StreamDescription struct{ StreamStatus string }
	}
	err := c.control(ctx, "DescribeStream", map[string]any{"StreamName": name, "Limit": 1}, &out)
	if isCode(err, "ResourceNotFoundException") {
		return "", nil
	}
	return out.StreamDescription.StreamStatus, err
}

// waitActive polls DescribeStream until the stream is ACTIVE.
func (c *client) waitActive(ctx context.Context, name string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		status, err := c.streamStatus(ctx, name)
		if err != nil {
			return fmt.Errorf("wait for stream %s: %w", name, err)
		}
		if status == "ACTIVE" {
			return nil
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return fmt.Errorf("wait for stream %s to be ACTIVE (last status %q): %w", name, status, err)
		}
	}
}

// listShards returns every shard of the stream, open and closed.
func (c *client) listShards(ctx context.Context, name string) ([]shardRange, error) {
	var shards []shardRange
	in := map[string]any{"StreamName": name}
	for {
		var out struct {
			Shards []struct {
				ShardId      string
				HashKeyRange struct {
					StartingHashKey string
					EndingHashKey   string
				}
				SequenceNumberRange struct {
					EndingSequenceNumber *string
				}
			}
			NextToken *string
		}
		if err := c.control(ctx, "ListShards", in, &out); err != nil {
			return nil, err
		}
		for _, s := range out.Shards {
			start, err := parseHashKey(s.HashKeyRange.StartingHashKey)
			if err != nil {
				return nil, fmt.Errorf("ListShards: shard %s: %w", s.ShardId, err)
			}
			end, err := parseHashKey(s.HashKeyRange.EndingHashKey)
			if err != nil {
				return nil, fmt.Errorf("ListShards: shard %s: %w", s.ShardId, err)
			}
			shards = append(shards, shardRange{
				ID:    s.ShardId,
				Start: start,
				End:   end,
				Open:  s.SequenceNumberRange.EndingSequenceNumber == nil,
			})
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		in = map[string]any{"NextToken": *out.NextToken}
	}
	if len(shards) == 0 {
		return nil, fmt.Errorf("ListShards: stream %s has no shards", name)
	}
	return shards, nil
}

// shardIterator returns an iterator of the given type; after is the sequence
// number for AFTER_SEQUENCE_NUMBER.
func (c *client) shardIterator(ctx context.Context, stream, shard, typ, after string) (string, error) {
	in := map[string]any{"StreamName": stream, "ShardId": shard, "ShardIteratorType": typ}
	if after != "" {
		in["StartingSequenceNumber"] = after
	}
	var out struct{ ShardIterator string }
	if err := c.control(ctx, "GetShardIterator", in, &out); err != nil {
		return "", err
	}
	return out.ShardIterator, nil
}
