package sqlcli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// API is the part of the Kinesis API a query run uses; *kinesis.Client implements it.
type API interface {
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, opts ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, opts ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// Start is where a run starts reading the stream's shards.
type Start struct {
	Type types.ShardIteratorType // LATEST, TRIM_HORIZON or AT_TIMESTAMP
	At   time.Time               // AT_TIMESTAMP
}

// ParseStart reads --from: latest, trim_horizon or at_timestamp:<RFC 3339 time>.
func ParseStart(s string) (Start, error) {
	switch low := strings.ToLower(s); {
	case low == "latest" || low == "":
		return Start{Type: types.ShardIteratorTypeLatest}, nil
	case low == "trim_horizon":
		return Start{Type: types.ShardIteratorTypeTrimHorizon}, nil
	case strings.HasPrefix(low, "at_timestamp:"):
		t, err := time.Parse(time.RFC3339Nano, s[len("at_timestamp:"):])
		if err != nil {
			return Start{}, fmt.Errorf("--from %s: %w", s, err)
		}
		return Start{Type: types.ShardIteratorTypeAtTimestamp, At: t}, nil
	}
	return Start{}, fmt.Errorf("--from %q: want latest, trim_horizon or at_timestamp:<RFC 3339 time>", s)
}

// shard is the reading state of one shard.
type shard struct {
	id        string
	parents   []string
	started   bool  // it has an iterator position (its parents are finished)
	exhausted bool  // closed and read to its end: nothing more to fetch
	caughtUp  bool  // its last GetRecords said it is at the tip (MillisBehindLatest 0)
	from      Start // where it starts: the run's start, or its beginning for a child found later
	iter      *string
	lastSeq   string
	buf       []types.Record // fetched, not yet merged, in sequence order
}

// finished says the shard has nothing more to give.
func (s *shard) finished() bool { return s.exhausted && len(s.buf) == 0 }

// reader follows every shard of a stream: children start when their parents are finished, as a
// resharded stream's records are ordered only that way.
type reader struct {
	api    API
	stream string
	start  Start
	shards map[string]*shard
	order  []*shard // by shard id, for deterministic polling and tie-breaks
	listed bool
}

func newReader(api API, stream string, start Start) *reader {
	return &reader{api: api, stream: stream, start: start, shards: map[string]*shard{}}
}

// list adds the shards ListShards gives that the reader does not know yet. On the first list with
// LATEST, closed shards are skipped: nothing new will arrive in them.
func (r *reader) list(ctx context.Context) error {
	in := &kinesis.ListShardsInput{StreamName: aws.String(r.stream)}
	for {
		out, err := r.api.ListShards(ctx, in)
		if err != nil {
			return apiError(err)
		}
		for _, sh := range out.Shards {
			id := aws.ToString(sh.ShardId)
			if r.shards[id] != nil {
				continue
			}
			s := &shard{id: id, from: r.start}
			if r.listed {
				s.from = Start{Type: types.ShardIteratorTypeTrimHorizon}
			}
			for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
				if p != nil {
					s.parents = append(s.parents, *p)
				}
			}
			if !r.listed && r.start.Type == types.ShardIteratorTypeLatest && sh.SequenceNumberRange != nil &&
				sh.SequenceNumberRange.EndingSequenceNumber != nil {
				s.started, s.exhausted = true, true
			}
			r.shards[id] = s
			r.order = append(r.order, s)
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	r.listed = true
	slices.SortFunc(r.order, func(a, b *shard) int { return strings.Compare(a.id, b.id) })
	return nil
}

// startable says s may be read: its parents, those the stream still lists, are finished.
func (r *reader) startable(s *shard) bool {
	for _, p := range s.parents {
		if ps := r.shards[p]; ps != nil && !ps.finished() {
			return false
		}
	}
	return true
}

// active says s is being read: started, or ready to start.
func (r *reader) active(s *shard) bool {
	return !s.exhausted && (s.started || r.startable(s))
}

// poll fetches the next records of s into its buffer.
func (r *reader) poll(ctx context.Context, s *shard) error {
	if s.iter == nil {
		in := &kinesis.GetShardIteratorInput{StreamName: aws.String(r.stream), ShardId: aws.String(s.id)}
		switch {
		case s.lastSeq != "":
			in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(s.lastSeq)
		case s.from.Type == types.ShardIteratorTypeAtTimestamp:
			in.ShardIteratorType, in.Timestamp = s.from.Type, aws.Time(s.from.At)
		default:
			in.ShardIteratorType = s.from.Type
		}
		out, err := r.api.GetShardIterator(ctx, in)
		if err != nil {
			return apiError(err)
		}
		s.iter, s.started = out.ShardIterator, true
	}
	out, err := r.api.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: s.iter})
	if err != nil {
		var expired *types.ExpiredIteratorException
		var throttled *types.ProvisionedThroughputExceededException
		switch {
		case errors.As(err, &expired):
			s.iter = nil // from lastSeq next time
			return nil
		case errors.As(err, &throttled):
			s.caughtUp = true // wait as a caught-up shard would, then try again
			return nil
		}
		return apiError(err)
	}
	s.buf = append(s.buf, out.Records...)
	if n := len(out.Records); n > 0 {
		s.lastSeq = aws.ToString(out.Records[n-1].SequenceNumber)
	}
	s.iter = out.NextShardIterator
	s.caughtUp = aws.ToInt64(out.MillisBehindLatest) == 0
	if s.iter == nil {
		s.exhausted = true
		return r.list(ctx) // its children, if the stream was resharded after the run started
	}
	return nil
}

// pollAll polls every active shard; with onlyEmpty, only those with nothing buffered (what the merge
// waits for). It reports whether any record came.
func (r *reader) pollAll(ctx context.Context, onlyEmpty bool) (bool, error) {
	got := false
	for i := 0; i < len(r.order); i++ { // r.order may grow as children are listed
		s := r.order[i]
		if !r.active(s) || onlyEmpty && len(s.buf) > 0 {
			continue
		}
		n := len(s.buf)
		if err := r.poll(ctx, s); err != nil {
			return got, err
		}
		got = got || len(s.buf) > n
	}
	return got, nil
}

// idle says every shard is caught up and every fetched record merged: time may advance to now.
func (r *reader) idle() bool {
	for _, s := range r.order {
		if len(s.buf) > 0 || r.active(s) && !s.caughtUp {
			return false
		}
	}
	return true
}

// buffered counts the records fetched and not yet merged.
func (r *reader) buffered() int {
	n := 0
	for _, s := range r.order {
		n += len(s.buf)
	}
	return n
}

// apiError gives the API's own message for a failed call ("Stream clicks under account ... not
// found."), not the SDK's wrapping of it.
func apiError(err error) error {
	var ae interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}
