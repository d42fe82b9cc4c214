package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/hydrantio/hydrant/streams"
)

// Wire-level round trips of every implemented Kinesis operation with the AWS SDK for Go v2 against a
// real server on a real store. These need the streams store; until it is implemented they fail in
// openStore (and, for store methods still stubbed, with InternalFailure).

// testClock is the injected clock of the store and the server, so that iterator and NextToken expiry
// are tested without sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type itest struct {
	t      *testing.T
	clock  *testClock
	store  *streams.Store
	url    string
	client *kinesis.Client // us-east-1
}

// newIntegration starts a store in a temporary directory and a server on a loopback port.
func newIntegration(t *testing.T, opts streams.Options) *itest {
	t.Helper()
	clock := &testClock{t: time.Now().Truncate(time.Millisecond)}
	opts.Dir = t.TempDir()
	opts.Now = clock.Now
	opts.Logger = slog.New(slog.DiscardHandler)
	store := openStore(t, opts)
	srv := NewServer(Config{Logger: slog.New(slog.DiscardHandler), Now: clock.Now}, store)
	it := &itest{t: t, clock: clock, store: store, url: startServer(t, srv)}
	it.client = it.newClient("us-east-1")
	return it
}

// openStore opens the store, turning the panics of a store still being written into test failures
// rather than a crash of the whole test binary.
func openStore(t *testing.T, opts streams.Options) (store *streams.Store) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("streams.Open panicked (store not implemented yet?): %v", p)
		}
	}()
	s, err := streams.Open(opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("store Close panicked: %v", p)
			}
		}()
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

func (it *itest) newClient(region string) *kinesis.Client {
	hc := &http.Client{Transport: &http.Transport{}}
	it.t.Cleanup(hc.CloseIdleConnections)
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  hc,
		Retryer:     connectionRetryer,
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(it.url) })
}

var bg = context.Background()

// connectionRetryer retries a call only when the SDK's own connection died under it, at once, and never
// an error the server answered: those must surface as they are. The SDK closes the request body when
// the response headers arrive, and if net/http is still finishing the request write (a fast local
// server answers that soon) the closed body fails the write and the Transport kills the connection
// under the response being read (aws/aws-sdk-go-v2#2737; the SDK's default retryer retries
// net.ErrClosed for that reason).
func connectionRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			return aws.BoolTernary(errors.Is(err, net.ErrClosed))
		})}
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}

// wantError fails unless err is an AWS API error with code and a message containing msg.
func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want %s containing %q, got %s: %s", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

// result carries a call's results so that call(c.Op(...)).must(t) reads as one expression.
type result[T any] struct {
	v   T
	err error
}

func call[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func (it *itest) createStream(t *testing.T, name string, shards int32) {
	t.Helper()
	call(it.client.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)})).must(t)
}

func (it *itest) arn(name string) string {
	return "arn:aws:kinesis:us-east-1:000000000000:stream/" + name
}

// raw posts a signed-looking JSON 1.1 request and returns status and body.
func (it *itest) raw(t *testing.T, op, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, it.url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", contentTypeJSON11)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", testAuth)
	req.Header.Set("X-Amz-Date", "20261122T000000Z")
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestIntegrationStreamLifecycle(t *testing.T) {
	it := newIntegration(t, streams.Options{ShardQuota: 20})
	c := it.client

	t.Run("create and describe", func(t *testing.T) {
		it.createStream(t, "life", 3)
		d := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("life")})).must(t).StreamDescription
		if aws.ToString(d.StreamName) != "life" || aws.ToString(d.StreamARN) != it.arn("life") ||
			d.StreamStatus != types.StreamStatusActive || len(d.Shards) != 3 || aws.ToBool(d.HasMoreShards) ||
			aws.ToInt32(d.RetentionPeriodHours) != 24 || d.StreamCreationTimestamp == nil || len(d.EnhancedMonitoring) != 1 {
			t.Fatalf("description: %+v", d)
		}
		if d.StreamModeDetails == nil || d.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
			t.Errorf("mode: %+v", d.StreamModeDetails)
		}
		// AWS's layout of the hash key space for three shards.
		wantRanges := [][2]string{
			{"0", "113427455640312821154458202477256070484"},
			{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
			{"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"},
		}
		for i, s := range d.Shards {
			if aws.ToString(s.ShardId) != fmt.Sprintf("shardId-%012d", i) ||
				aws.ToString(s.HashKeyRange.StartingHashKey) != wantRanges[i][0] ||
				aws.ToString(s.HashKeyRange.EndingHashKey) != wantRanges[i][1] ||
				s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber != nil {
				t.Errorf("shard %d: %+v", i, s)
			}
		}
		if created := *d.StreamCreationTimestamp; created.Sub(it.clock.Now()).Abs() > time.Second {
			t.Errorf("created %v, clock %v", created, it.clock.Now())
		}
		byARN := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamARN: aws.String(it.arn("life"))})).must(t).StreamDescription
		if aws.ToString(byARN.StreamName) != "life" {
			t.Errorf("by ARN: %+v", byARN)
		}
	})

	t.Run("describe pages shards", func(t *testing.T) {
		d := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("life"), Limit: aws.Int32(2)})).must(t).StreamDescription
		if len(d.Shards) != 2 || !aws.ToBool(d.HasMoreShards) {
			t.Fatalf("page 1: %d shards, more=%v", len(d.Shards), aws.ToBool(d.HasMoreShards))
		}
		d = call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("life"), Limit: aws.Int32(2),
			ExclusiveStartShardId: d.Shards[1].ShardId})).must(t).StreamDescription
		if len(d.Shards) != 1 || aws.ToString(d.Shards[0].ShardId) != "shardId-000000000002" || aws.ToBool(d.HasMoreShards) {
			t.Fatalf("page 2: %+v", d.Shards)
		}
	})

	t.Run("summary", func(t *testing.T) {
		s := call(c.DescribeStreamSummary(bg, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("life")})).must(t).StreamDescriptionSummary
		if aws.ToInt32(s.OpenShardCount) != 3 || !regexp.MustCompile(`^[a-z0-9]{20}-[a-z0-9]{3}$`).MatchString(aws.ToString(s.StreamId)) ||
			aws.ToInt32(s.ConsumerCount) != 0 || aws.ToInt32(s.MaxRecordSizeInKiB) != 1024 || s.EncryptionType != types.EncryptionTypeNone {
			t.Errorf("summary: %+v", s)
		}
	})

	t.Run("already exists", func(t *testing.T) {
		_, err := c.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("life"), ShardCount: aws.Int32(1)})
		wantError(t, err, "ResourceInUseException", "life")
	})

	t.Run("shard limit", func(t *testing.T) {
		_, err := c.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("huge"), ShardCount: aws.Int32(100)})
		wantError(t, err, "LimitExceededException", "shard limit")
	})

	t.Run("provisioned needs shard count", func(t *testing.T) {
		_, err := c.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("noshards")})
		wantError(t, err, "InvalidArgumentException", "")
	})

	t.Run("on demand", func(t *testing.T) {
		call(c.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})).must(t)
		s := call(c.DescribeStreamSummary(bg, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})).must(t).StreamDescriptionSummary
		if s.StreamModeDetails == nil || s.StreamModeDetails.StreamMode != types.StreamModeOnDemand || aws.ToInt32(s.OpenShardCount) != 4 {
			t.Errorf("on-demand summary: %+v", s)
		}
	})

	t.Run("list", func(t *testing.T) {
		for _, n := range []string{"b-list", "a-list", "c-list"} {
			it.createStream(t, n, 1)
		}
		out := call(c.ListStreams(bg, &kinesis.ListStreamsInput{})).must(t)
		want := []string{"a-list", "b-list", "c-list", "life", "od"}
		if fmt.Sprint(out.StreamNames) != fmt.Sprint(want) || aws.ToBool(out.HasMoreStreams) || len(out.StreamSummaries) != 5 {
			t.Fatalf("list: %v more=%v", out.StreamNames, aws.ToBool(out.HasMoreStreams))
		}
		if s := out.StreamSummaries[3]; aws.ToString(s.StreamARN) != it.arn("life") || s.StreamStatus != types.StreamStatusActive ||
			s.StreamCreationTimestamp == nil || s.StreamModeDetails == nil {
			t.Errorf("summary: %+v", s)
		}
		// Limit, NextToken and ExclusiveStartStreamName page through the same order.
		page := call(c.ListStreams(bg, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})).must(t)
		if fmt.Sprint(page.StreamNames) != "[a-list b-list]" || !aws.ToBool(page.HasMoreStreams) || page.NextToken == nil {
			t.Fatalf("page 1: %v", page.StreamNames)
		}
		page = call(c.ListStreams(bg, &kinesis.ListStreamsInput{Limit: aws.Int32(2), NextToken: page.NextToken})).must(t)
		if fmt.Sprint(page.StreamNames) != "[c-list life]" || !aws.ToBool(page.HasMoreStreams) {
			t.Fatalf("page 2: %v", page.StreamNames)
		}
		page = call(c.ListStreams(bg, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String("life")})).must(t)
		if fmt.Sprint(page.StreamNames) != "[od]" || aws.ToBool(page.HasMoreStreams) || page.NextToken != nil {
			t.Fatalf("after life: %v", page.StreamNames)
		}
		var all []string
		p := kinesis.NewListStreamsPaginator(c, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
		for p.HasMorePages() {
			all = append(all, call(p.NextPage(bg)).must(t).StreamNames...)
		}
		if fmt.Sprint(all) != fmt.Sprint(want) {
			t.Errorf("paginator: %v", all)
		}
	})

	t.Run("list token expires", func(t *testing.T) {
		page := call(c.ListStreams(bg, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})).must(t)
		it.clock.Advance(tokenTTL + time.Second)
		_, err := c.ListStreams(bg, &kinesis.ListStreamsInput{NextToken: page.NextToken})
		wantError(t, err, "ExpiredNextTokenException", "")
		_, err = c.ListStreams(bg, &kinesis.ListStreamsInput{NextToken: aws.String("bogus")})
		wantError(t, err, "InvalidArgumentException", "NextToken")
	})

	t.Run("regions are separate", func(t *testing.T) {
		eu := it.newClient("eu-west-1")
		_, err := eu.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("life")})
		wantError(t, err, "ResourceNotFoundException", "life")
		call(eu.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("life"), ShardCount: aws.Int32(1)})).must(t)
		d := call(eu.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("life")})).must(t).StreamDescription
		if aws.ToString(d.StreamARN) != "arn:aws:kinesis:eu-west-1:000000000000:stream/life" || len(d.Shards) != 1 {
			t.Errorf("eu stream: %+v", d)
		}
	})

	t.Run("delete", func(t *testing.T) {
		call(c.DeleteStream(bg, &kinesis.DeleteStreamInput{StreamName: aws.String("c-list")})).must(t)
		_, err := c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("c-list")})
		wantError(t, err, "ResourceNotFoundException", "Stream c-list under account 000000000000 not found.")
		_, err = c.DeleteStream(bg, &kinesis.DeleteStreamInput{StreamName: aws.String("c-list")})
		wantError(t, err, "ResourceNotFoundException", "c-list")
		call(c.DeleteStream(bg, &kinesis.DeleteStreamInput{StreamARN: aws.String(it.arn("b-list")), EnforceConsumerDeletion: aws.Bool(true)})).must(t)
	})

	t.Run("validation the SDK does not do", func(t *testing.T) {
		_, err := c.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("bad/name"), ShardCount: aws.Int32(1)})
		wantError(t, err, "ValidationException", "Value 'bad/name' at 'streamName' failed to satisfy constraint: "+
			"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
		_, err = c.DescribeStream(bg, &kinesis.DescribeStreamInput{})
		wantError(t, err, "InvalidArgumentException", "StreamName or StreamARN")
	})

	t.Run("empty bodies and timestamps on the wire", func(t *testing.T) {
		code, h, body := it.raw(t, "CreateStream", `{"StreamName":"wire","ShardCount":1}`)
		if code != 200 || body != "" || h.Get("Content-Length") != "0" || h.Get("Content-Type") != contentTypeJSON11 {
			t.Errorf("CreateStream: %d %v %q", code, h, body)
		}
		code, _, body = it.raw(t, "DescribeStreamSummary", `{"StreamName":"wire"}`)
		if code != 200 || !regexp.MustCompile(`"StreamCreationTimestamp":\d{10}(\.\d{1,3})?[,}]`).MatchString(body) {
			t.Errorf("DescribeStreamSummary: %d %s", code, body)
		}
		if strings.Contains(body, "null") {
			t.Errorf("absent members must be omitted, not null: %s", body)
		}
	})
}

// putRecords writes n records of the given data size and returns what was sent.
func (it *itest) putRecords(t *testing.T, stream string, n, size int) []types.PutRecordsRequestEntry {
	t.Helper()
	recs := make([]types.PutRecordsRequestEntry, n)
	for i := range recs {
		data := bytes.Repeat([]byte{byte(i)}, size)
		recs[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(fmt.Sprintf("key-%d", i))}
	}
	out := call(it.client.PutRecords(bg, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})).must(t)
	if aws.ToInt32(out.FailedRecordCount) != 0 || len(out.Records) != n {
		t.Fatalf("PutRecords: %d failed, %d results", aws.ToInt32(out.FailedRecordCount), len(out.Records))
	}
	return recs
}

// readAll reads a shard from TRIM_HORIZON to the current end.
func (it *itest) readAll(t *testing.T, stream, shard string) []types.Record {
	t.Helper()
	iter := call(it.client.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
		ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).must(t).ShardIterator
	var recs []types.Record
	for i := 0; i < 100 && iter != nil; i++ {
		out := call(it.client.GetRecords(bg, &kinesis.GetRecordsInput{ShardIterator: iter})).must(t)
		recs = append(recs, out.Records...)
		if len(out.Records) == 0 {
			break
		}
		iter = out.NextShardIterator
	}
	return recs
}

func TestIntegrationRecords(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	c := it.client
	it.createStream(t, "rec", 2)

	t.Run("put record", func(t *testing.T) {
		out := call(c.PutRecord(bg, &kinesis.PutRecordInput{StreamName: aws.String("rec"), Data: []byte("hello"), PartitionKey: aws.String("a")})).must(t)
		if !strings.HasPrefix(aws.ToString(out.ShardId), "shardId-") || !regexp.MustCompile(`^[1-9]\d{20,}$`).MatchString(aws.ToString(out.SequenceNumber)) ||
			out.EncryptionType != types.EncryptionTypeNone {
			t.Errorf("PutRecord: %+v", out)
		}
		// SequenceNumberForOrdering: the next number is greater.
		next := call(c.PutRecord(bg, &kinesis.PutRecordInput{StreamName: aws.String("rec"), Data: []byte("again"), PartitionKey: aws.String("a"),
			SequenceNumberForOrdering: out.SequenceNumber})).must(t)
		if aws.ToString(next.ShardId) != aws.ToString(out.ShardId) || !seqLess(aws.ToString(out.SequenceNumber), aws.ToString(next.SequenceNumber)) {
			t.Errorf("ordering: %s then %s", aws.ToString(out.SequenceNumber), aws.ToString(next.SequenceNumber))
		}
	})

	t.Run("md5 routing and explicit hash keys", func(t *testing.T) {
		// MD5("a") = 0cc175b9c0f1b6a831c399e269772661 is in the lower half; the top key is in the upper.
		out := call(c.PutRecords(bg, &kinesis.PutRecordsInput{StreamName: aws.String("rec"), Records: []types.PutRecordsRequestEntry{
			{Data: []byte("x"), PartitionKey: aws.String("a")},
			{Data: []byte("y"), PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455")},
			{Data: []byte{}, PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("0")},
		}})).must(t)
		got := []string{aws.ToString(out.Records[0].ShardId), aws.ToString(out.Records[1].ShardId), aws.ToString(out.Records[2].ShardId)}
		if fmt.Sprint(got) != "[shardId-000000000000 shardId-000000000001 shardId-000000000000]" {
			t.Errorf("routing: %v", got)
		}
		_, err := c.PutRecords(bg, &kinesis.PutRecordsInput{StreamName: aws.String("rec"), Records: []types.PutRecordsRequestEntry{
			{Data: []byte("x"), PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456")}}})
		wantError(t, err, "InvalidArgumentException", "ExplicitHashKey")
	})

	t.Run("put many and read back", func(t *testing.T) {
		it.createStream(t, "bulk", 1)
		sent := it.putRecords(t, "bulk", 500, 1024) // the fast path
		got := it.readAll(t, "bulk", "shardId-000000000000")
		if len(got) != len(sent) {
			t.Fatalf("read %d of %d records", len(got), len(sent))
		}
		prev := ""
		for i, r := range got {
			if !bytes.Equal(r.Data, sent[i].Data) || aws.ToString(r.PartitionKey) != aws.ToString(sent[i].PartitionKey) {
				t.Fatalf("record %d differs", i)
			}
			if r.ApproximateArrivalTimestamp == nil || r.ApproximateArrivalTimestamp.Sub(it.clock.Now()).Abs() > time.Second {
				t.Fatalf("record %d arrival %v", i, r.ApproximateArrivalTimestamp)
			}
			if prev != "" && !seqLess(prev, aws.ToString(r.SequenceNumber)) {
				t.Fatalf("record %d: sequence numbers do not increase", i)
			}
			prev = aws.ToString(r.SequenceNumber)
		}
	})

	t.Run("iterator types", func(t *testing.T) {
		it.createStream(t, "iters", 1)
		put := func(s string) string {
			return aws.ToString(call(c.PutRecord(bg, &kinesis.PutRecordInput{StreamName: aws.String("iters"), Data: []byte(s), PartitionKey: aws.String("k")})).must(t).SequenceNumber)
		}
		s1, s2 := put("one"), put("two")
		it.clock.Advance(time.Second)
		mark := it.clock.Now()
		it.clock.Advance(time.Second)
		put("three")
		read := func(in kinesis.GetShardIteratorInput) []string {
			in.StreamName, in.ShardId = aws.String("iters"), aws.String("shardId-000000000000")
			iter := call(c.GetShardIterator(bg, &in)).must(t).ShardIterator
			out := call(c.GetRecords(bg, &kinesis.GetRecordsInput{ShardIterator: iter})).must(t)
			var data []string
			for _, r := range out.Records {
				data = append(data, string(r.Data))
			}
			return data
		}
		for _, tc := range []struct {
			in   kinesis.GetShardIteratorInput
			want string
		}{
			{kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}, "[one two three]"},
			{kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(s2)}, "[two three]"},
			{kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: aws.String(s1)}, "[two three]"},
			{kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(mark)}, "[three]"},
			{kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest}, "[]"},
		} {
			if got := fmt.Sprint(read(tc.in)); got != tc.want {
				t.Errorf("%s: got %s, want %s", tc.in.ShardIteratorType, got, tc.want)
			}
		}
		iter := call(c.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String("iters"), ShardId: aws.String("shardId-000000000000"),
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).must(t).ShardIterator
		out := call(c.GetRecords(bg, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(2)})).must(t)
		if len(out.Records) != 2 || out.NextShardIterator == nil || out.MillisBehindLatest == nil {
			t.Errorf("Limit 2: %d records", len(out.Records))
		}
		_, err := c.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String("iters"), ShardId: aws.String("shardId-000000000000"),
			ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})
		wantError(t, err, "InvalidArgumentException", "StartingSequenceNumber")
		_, err = c.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String("iters"), ShardId: aws.String("shardId-000000000009"),
			ShardIteratorType: types.ShardIteratorTypeLatest})
		wantError(t, err, "ResourceNotFoundException", "shardId-000000000009")
	})

	t.Run("iterator expiry and garbage", func(t *testing.T) {
		iter := call(c.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String("rec"), ShardId: aws.String("shardId-000000000000"),
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).must(t).ShardIterator
		it.clock.Advance(5*time.Minute + time.Second)
		_, err := c.GetRecords(bg, &kinesis.GetRecordsInput{ShardIterator: iter})
		wantError(t, err, "ExpiredIteratorException", "Iterator expired")
		_, err = c.GetRecords(bg, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAGarbage")})
		wantError(t, err, "InvalidArgumentException", "Invalid ShardIterator.")
	})

	t.Run("not found", func(t *testing.T) {
		_, err := c.PutRecord(bg, &kinesis.PutRecordInput{StreamName: aws.String("nope"), Data: []byte("x"), PartitionKey: aws.String("k")})
		wantError(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
		_, err = c.PutRecords(bg, &kinesis.PutRecordsInput{StreamARN: aws.String(it.arn("nope")),
			Records: []types.PutRecordsRequestEntry{{Data: []byte("x"), PartitionKey: aws.String("k")}}})
		wantError(t, err, "ResourceNotFoundException", "nope")
	})

	t.Run("record size", func(t *testing.T) {
		_, err := c.PutRecord(bg, &kinesis.PutRecordInput{StreamName: aws.String("rec"), Data: make([]byte, 1<<20), PartitionKey: aws.String("k")})
		wantError(t, err, "InvalidArgumentException", "")
		call(c.UpdateMaxRecordSize(bg, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(it.arn("rec")), MaxRecordSizeInKiB: aws.Int32(2048)})).must(t)
		call(c.PutRecord(bg, &kinesis.PutRecordInput{StreamName: aws.String("rec"), Data: make([]byte, 1<<20), PartitionKey: aws.String("k")})).must(t)
	})

	t.Run("putrecords response shape", func(t *testing.T) {
		code, _, body := it.raw(t, "PutRecords", `{"StreamName":"rec","Records":[{"Data":"aGk=","PartitionKey":"k"}]}`)
		if code != 200 || !regexp.MustCompile(`^\{"FailedRecordCount":0,"Records":\[\{"SequenceNumber":"\d+","ShardId":"shardId-\d{12}"\}\],"EncryptionType":"NONE"\}$`).MatchString(body) {
			t.Errorf("%d %s", code, body)
		}
		code, _, body = it.raw(t, "PutRecords", `{"StreamName":"rec","Records":[{"Data":"aGk=","PartitionKey":"k\u00e9"}]}`) // generic path
		if code != 200 || !strings.Contains(body, `"FailedRecordCount":0`) {
			t.Errorf("generic path: %d %s", code, body)
		}
	})
}

// seqLess compares decimal sequence numbers.
func seqLess(a, b string) bool {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return x != nil && y != nil && x.Cmp(y) < 0
}

func TestIntegrationShards(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	c := it.client
	it.createStream(t, "sh", 4)

	t.Run("list shards pages", func(t *testing.T) {
		out := call(c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("sh")})).must(t)
		if len(out.Shards) != 4 || out.NextToken != nil {
			t.Fatalf("all: %d shards, token %v", len(out.Shards), out.NextToken)
		}
		var ids []string
		out = call(c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("sh"), MaxResults: aws.Int32(3)})).must(t)
		for {
			for _, s := range out.Shards {
				ids = append(ids, aws.ToString(s.ShardId))
			}
			if out.NextToken == nil {
				break
			}
			out = call(c.ListShards(bg, &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(3)})).must(t)
		}
		if len(ids) != 4 || ids[3] != "shardId-000000000003" {
			t.Errorf("paged: %v", ids)
		}
		out = call(c.ListShards(bg, &kinesis.ListShardsInput{StreamARN: aws.String(it.arn("sh")), ExclusiveStartShardId: aws.String("shardId-000000000001")})).must(t)
		if len(out.Shards) != 2 || aws.ToString(out.Shards[0].ShardId) != "shardId-000000000002" {
			t.Errorf("after shard 1: %+v", out.Shards)
		}
	})

	t.Run("list shards argument rules", func(t *testing.T) {
		page := call(c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("sh"), MaxResults: aws.Int32(1)})).must(t)
		_, err := c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("sh"), NextToken: page.NextToken})
		wantError(t, err, "InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
		_, err = c.ListShards(bg, &kinesis.ListShardsInput{})
		wantError(t, err, "InvalidArgumentException", "Either NextToken or StreamName should be provided.")
		_, err = c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("sh"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId}})
		wantError(t, err, "InvalidArgumentException", "ShardId")
		_, err = c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("sh"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp}})
		wantError(t, err, "InvalidArgumentException", "Timestamp")
		_, err = c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("nope")})
		wantError(t, err, "ResourceNotFoundException", "nope")
		it.clock.Advance(tokenTTL + time.Second)
		_, err = c.ListShards(bg, &kinesis.ListShardsInput{NextToken: page.NextToken})
		wantError(t, err, "ExpiredNextTokenException", "")
	})

	t.Run("split", func(t *testing.T) {
		it.createStream(t, "split", 1)
		it.putRecords(t, "split", 3, 10)
		mid := "170141183460469231731687303715884105728" // 2^127
		call(c.SplitShard(bg, &kinesis.SplitShardInput{StreamName: aws.String("split"), ShardToSplit: aws.String("shardId-000000000000"),
			NewStartingHashKey: aws.String(mid)})).must(t)
		d := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("split")})).must(t).StreamDescription
		if len(d.Shards) != 3 || d.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil ||
			aws.ToString(d.Shards[1].ParentShardId) != "shardId-000000000000" || aws.ToString(d.Shards[2].HashKeyRange.StartingHashKey) != mid {
			t.Fatalf("after split: %+v", d.Shards)
		}
		open := call(c.ListShards(bg, &kinesis.ListShardsInput{StreamName: aws.String("split"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})).must(t)
		if len(open.Shards) != 2 {
			t.Errorf("AT_LATEST: %d shards", len(open.Shards))
		}
		// Reading the closed parent to its end yields the children and no next iterator.
		iter := call(c.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String("split"), ShardId: aws.String("shardId-000000000000"),
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).must(t).ShardIterator
		var children []types.ChildShard
		for i := 0; i < 10 && iter != nil; i++ {
			out := call(c.GetRecords(bg, &kinesis.GetRecordsInput{ShardIterator: iter})).must(t)
			children, iter = out.ChildShards, out.NextShardIterator
		}
		if iter != nil || len(children) != 2 || fmt.Sprint(children[0].ParentShards) != "[shardId-000000000000]" {
			t.Errorf("end of parent: iterator %v, children %+v", iter, children)
		}
		_, err := c.SplitShard(bg, &kinesis.SplitShardInput{StreamName: aws.String("split"), ShardToSplit: aws.String("shardId-000000000000"),
			NewStartingHashKey: aws.String(mid)})
		wantError(t, err, "InvalidArgumentException", "")
	})

	t.Run("merge", func(t *testing.T) {
		call(c.MergeShards(bg, &kinesis.MergeShardsInput{StreamName: aws.String("split"), ShardToMerge: aws.String("shardId-000000000001"),
			AdjacentShardToMerge: aws.String("shardId-000000000002")})).must(t)
		d := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: aws.String("split")})).must(t).StreamDescription
		last := d.Shards[len(d.Shards)-1]
		if len(d.Shards) != 4 || aws.ToString(last.ParentShardId) != "shardId-000000000001" || aws.ToString(last.AdjacentParentShardId) != "shardId-000000000002" {
			t.Errorf("after merge: %+v", d.Shards)
		}
		_, err := c.MergeShards(bg, &kinesis.MergeShardsInput{StreamName: aws.String("sh"), ShardToMerge: aws.String("shardId-000000000000"),
			AdjacentShardToMerge: aws.String("shardId-000000000002")})
		wantError(t, err, "InvalidArgumentException", "")
	})

	t.Run("update shard count", func(t *testing.T) {
		out := call(c.UpdateShardCount(bg, &kinesis.UpdateShardCountInput{StreamName: aws.String("sh"), TargetShardCount: aws.Int32(8),
			ScalingType: types.ScalingTypeUniformScaling})).must(t)
		if aws.ToInt32(out.CurrentShardCount) != 4 || aws.ToInt32(out.TargetShardCount) != 8 || aws.ToString(out.StreamARN) != it.arn("sh") {
			t.Errorf("UpdateShardCount: %+v", out)
		}
		s := call(c.DescribeStreamSummary(bg, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("sh")})).must(t).StreamDescriptionSummary
		if aws.ToInt32(s.OpenShardCount) != 8 {
			t.Errorf("open shards after scaling: %d", aws.ToInt32(s.OpenShardCount))
		}
		_, err := c.UpdateShardCount(bg, &kinesis.UpdateShardCountInput{StreamName: aws.String("sh"), TargetShardCount: aws.Int32(100),
			ScalingType: types.ScalingTypeUniformScaling})
		wantError(t, err, "LimitExceededException", "double")
	})

	t.Run("on-demand streams cannot be resharded", func(t *testing.T) {
		call(c.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})).must(t)
		_, err := c.UpdateShardCount(bg, &kinesis.UpdateShardCountInput{StreamName: aws.String("od"), TargetShardCount: aws.Int32(8),
			ScalingType: types.ScalingTypeUniformScaling})
		wantError(t, err, "ValidationException", "")
	})
}

func TestIntegrationTags(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	c := it.client
	call(c.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String("tags"), ShardCount: aws.Int32(1), Tags: map[string]string{"z": "last"}})).must(t)

	call(c.AddTagsToStream(bg, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tags"), Tags: map[string]string{"b": "2", "a": "1", "c": ""}})).must(t)
	out := call(c.ListTagsForStream(bg, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tags")})).must(t)
	var keys []string
	for _, tg := range out.Tags {
		keys = append(keys, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	if fmt.Sprint(keys) != "[a=1 b=2 c= z=last]" || aws.ToBool(out.HasMoreTags) {
		t.Errorf("tags: %v more=%v", keys, aws.ToBool(out.HasMoreTags))
	}
	out = call(c.ListTagsForStream(bg, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tags"), ExclusiveStartTagKey: aws.String("a"), Limit: aws.Int32(2)})).must(t)
	if len(out.Tags) != 2 || aws.ToString(out.Tags[0].Key) != "b" || !aws.ToBool(out.HasMoreTags) {
		t.Errorf("page: %+v more=%v", out.Tags, aws.ToBool(out.HasMoreTags))
	}

	call(c.RemoveTagsFromStream(bg, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("tags"), TagKeys: []string{"a", "absent"}})).must(t)
	_, err := c.AddTagsToStream(bg, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tags"), Tags: map[string]string{"bad*key": "v"}})
	wantError(t, err, "InvalidArgumentException", "invalid characters")
	many := map[string]string{}
	for i := 0; i < 48; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.AddTagsToStream(bg, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tags"), Tags: many})
	wantError(t, err, "InvalidArgumentException", "50")
	_, err = c.AddTagsToStream(bg, &kinesis.AddTagsToStreamInput{StreamName: aws.String("nope"), Tags: map[string]string{"a": "b"}})
	wantError(t, err, "ResourceNotFoundException", "nope")

	arn := aws.String(it.arn("tags"))
	call(c.TagResource(bg, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"team": "data"}})).must(t)
	call(c.UntagResource(bg, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"z"}})).must(t)
	res := call(c.ListTagsForResource(bg, &kinesis.ListTagsForResourceInput{ResourceARN: arn})).must(t)
	keys = nil
	for _, tg := range res.Tags {
		keys = append(keys, aws.ToString(tg.Key))
	}
	if !sort.StringsAreSorted(keys) || fmt.Sprint(keys) != "[b c team]" {
		t.Errorf("resource tags: %v", keys)
	}
}

func TestIntegrationConfiguration(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	c := it.client
	it.createStream(t, "cfg", 1)
	name := aws.String("cfg")

	t.Run("retention", func(t *testing.T) {
		call(c.IncreaseStreamRetentionPeriod(bg, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(48)})).must(t)
		d := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: name})).must(t).StreamDescription
		if aws.ToInt32(d.RetentionPeriodHours) != 48 {
			t.Errorf("retention %d", aws.ToInt32(d.RetentionPeriodHours))
		}
		_, err := c.IncreaseStreamRetentionPeriod(bg, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(8761)})
		wantError(t, err, "InvalidArgumentException", "")
		_, err = c.DecreaseStreamRetentionPeriod(bg, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(72)})
		wantError(t, err, "InvalidArgumentException", "")
		call(c.DecreaseStreamRetentionPeriod(bg, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(24)})).must(t)
		_, err = c.DecreaseStreamRetentionPeriod(bg, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(23)})
		wantError(t, err, "InvalidArgumentException", "")
	})

	t.Run("encryption", func(t *testing.T) {
		call(c.StartStreamEncryption(bg, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})).must(t)
		d := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: name})).must(t).StreamDescription
		if d.EncryptionType != types.EncryptionTypeKms || aws.ToString(d.KeyId) != "alias/aws/kinesis" {
			t.Errorf("encryption: %s %s", d.EncryptionType, aws.ToString(d.KeyId))
		}
		put := call(c.PutRecord(bg, &kinesis.PutRecordInput{StreamName: name, Data: []byte("secret"), PartitionKey: aws.String("k")})).must(t)
		if put.EncryptionType != types.EncryptionTypeKms {
			t.Errorf("PutRecord EncryptionType %s", put.EncryptionType)
		}
		recs := it.readAll(t, "cfg", "shardId-000000000000")
		if len(recs) != 1 || string(recs[0].Data) != "secret" || recs[0].EncryptionType != types.EncryptionTypeKms {
			t.Errorf("encrypted record: %+v", recs)
		}
		_, err := c.StartStreamEncryption(bg, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeNone, KeyId: aws.String("k")})
		wantError(t, err, "InvalidArgumentException", "KMS")
		call(c.StopStreamEncryption(bg, &kinesis.StopStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})).must(t)
		d = call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: name})).must(t).StreamDescription
		if d.EncryptionType != types.EncryptionTypeNone {
			t.Errorf("after stop: %s", d.EncryptionType)
		}
	})

	t.Run("enhanced monitoring", func(t *testing.T) {
		out := call(c.EnableEnhancedMonitoring(bg, &kinesis.EnableEnhancedMonitoringInput{StreamName: name,
			ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameOutgoingRecords}})).must(t)
		if len(out.CurrentShardLevelMetrics) != 0 || len(out.DesiredShardLevelMetrics) != 2 || aws.ToString(out.StreamName) != "cfg" {
			t.Errorf("enable: %+v", out)
		}
		out2 := call(c.DisableEnhancedMonitoring(bg, &kinesis.DisableEnhancedMonitoringInput{StreamName: name,
			ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})).must(t)
		if len(out2.CurrentShardLevelMetrics) != 2 || fmt.Sprint(out2.DesiredShardLevelMetrics) != "[OutgoingRecords]" {
			t.Errorf("disable: %+v", out2)
		}
		d := call(c.DescribeStream(bg, &kinesis.DescribeStreamInput{StreamName: name})).must(t).StreamDescription
		if fmt.Sprint(d.EnhancedMonitoring[0].ShardLevelMetrics) != "[OutgoingRecords]" {
			t.Errorf("described: %+v", d.EnhancedMonitoring)
		}
	})

	t.Run("stream mode and warm throughput", func(t *testing.T) {
		call(c.UpdateStreamMode(bg, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(it.arn("cfg")),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})).must(t)
		s := call(c.DescribeStreamSummary(bg, &kinesis.DescribeStreamSummaryInput{StreamName: name})).must(t).StreamDescriptionSummary
		if s.StreamModeDetails.StreamMode != types.StreamModeOnDemand {
			t.Errorf("mode: %s", s.StreamModeDetails.StreamMode)
		}
		w := call(c.UpdateStreamWarmThroughput(bg, &kinesis.UpdateStreamWarmThroughputInput{StreamName: name, WarmThroughputMiBps: aws.Int32(100)})).must(t)
		if aws.ToString(w.StreamName) != "cfg" || w.WarmThroughput == nil || aws.ToInt32(w.WarmThroughput.TargetMiBps) != 100 {
			t.Errorf("warm throughput: %+v", w)
		}
		_, err := c.UpdateStreamMode(bg, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(it.arn("nope")),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
		wantError(t, err, "ResourceNotFoundException", "")
	})

	t.Run("limits and account settings", func(t *testing.T) {
		l := call(c.DescribeLimits(bg, &kinesis.DescribeLimitsInput{})).must(t)
		if aws.ToInt32(l.ShardLimit) != 20000 || aws.ToInt32(l.OpenShardCount) < 1 || l.OnDemandStreamCountLimit == nil {
			t.Errorf("limits: %+v", l)
		}
		a := call(c.DescribeAccountSettings(bg, &kinesis.DescribeAccountSettingsInput{})).must(t)
		if a.MinimumThroughputBillingCommitment == nil || a.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled {
			t.Errorf("settings: %+v", a.MinimumThroughputBillingCommitment)
		}
		u := call(c.UpdateAccountSettings(bg, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{
			Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}})).must(t)
		if u.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled {
			t.Errorf("updated: %+v", u.MinimumThroughputBillingCommitment)
		}
	})

	t.Run("resource policies", func(t *testing.T) {
		arn := aws.String(it.arn("cfg"))
		policy := `{"Version":"2012-10-17","Statement":[]}`
		call(c.PutResourcePolicy(bg, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)})).must(t)
		got := call(c.GetResourcePolicy(bg, &kinesis.GetResourcePolicyInput{ResourceARN: arn})).must(t)
		if aws.ToString(got.Policy) != policy {
			t.Errorf("policy: %s", aws.ToString(got.Policy))
		}
		call(c.DeleteResourcePolicy(bg, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})).must(t)
		_, err := c.GetResourcePolicy(bg, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(it.arn("nope"))})
		wantError(t, err, "ResourceNotFoundException", "")
	})
}

// The JS SDK v3 and the Java SDK v2 talk to Kinesis over h2c; the data plane must work there too.
func TestIntegrationH2C(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "h2", 1)
	c := clients(t)["h2c"]
	post := func(op, body string) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, it.url+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", contentTypeJSON11)
		req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
		req.Header.Set("Authorization", testAuth)
		req.Header.Set("X-Amz-Date", "20261122T000000Z")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.ProtoMajor != 2 || resp.StatusCode != 200 {
			t.Fatalf("%s: %s %d %s", op, resp.Proto, resp.StatusCode, b)
		}
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %s", op, b)
		}
		return out
	}
	post("PutRecords", string(putRecordsBody(100, 1024, "h2")))
	iter := post("GetShardIterator", `{"StreamName":"h2","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`)["ShardIterator"].(string)
	out := post("GetRecords", `{"ShardIterator":"`+iter+`"}`)
	if recs, _ := out["Records"].([]any); len(recs) != 100 {
		t.Errorf("read %d records over h2c", len(recs))
	}
}

// End-to-end throughput over loopback HTTP/1.1, client and server in one process as the budget counts
// them: PutRecords of 500 × 1 KiB, and GetRecords of 10,000 × 1 KiB.
func BenchmarkIntegrationPutRecords(b *testing.B) {
	it := newBenchIntegration(b)
	body := putRecordsBody(500, 1024, "bench")
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer c.CloseIdleConnections()
	b.SetBytes(500 * 1024)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if code, resp := benchPost(c, it.url, "PutRecords", body); code != 200 {
				b.Errorf("%d %s", code, resp)
				return
			}
		}
	})
}

func BenchmarkIntegrationGetRecords(b *testing.B) {
	it := newBenchIntegration(b)
	body := putRecordsBody(500, 1024, "bench")
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer c.CloseIdleConnections()
	for i := 0; i < 20; i++ {
		if code, resp := benchPost(c, it.url, "PutRecords", body); code != 200 {
			b.Fatalf("%d %s", code, resp)
		}
	}
	_, resp := benchPost(c, it.url, "GetShardIterator", []byte(`{"StreamName":"bench","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`))
	var out struct{ ShardIterator string }
	if err := json.Unmarshal(resp, &out); err != nil {
		b.Fatal(err)
	}
	get := []byte(`{"ShardIterator":"` + out.ShardIterator + `"}`)
	b.SetBytes(10000 * 1024)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if code, n := benchPostDiscard(c, it.url, "GetRecords", get); code != 200 || n < 10000*1024 {
				b.Errorf("%d %d bytes", code, n)
				return
			}
		}
	})
}

func newBenchIntegration(b *testing.B) *itest {
	opts := streams.Options{Dir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)}
	store, err := streams.Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	srv := NewServer(Config{Logger: slog.New(slog.DiscardHandler)}, store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	b.Cleanup(func() {
		srv.Shutdown(context.Background())
		<-done
	})
	if err := store.CreateStream(streams.Scope{Account: DefaultAccount, Region: DefaultRegion},
		streams.CreateStreamInput{Name: "bench", ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	return &itest{store: store, url: "http://" + ln.Addr().String()}
}

// benchPostDiscard posts and counts the answer's bytes without keeping them.
func benchPostDiscard(c *http.Client, url, op string, body []byte) (int, int64) {
	req, _ := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentTypeJSON11)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", testAuth)
	req.Header.Set("X-Amz-Date", "20261122T000000Z")
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n
}

func benchPost(c *http.Client, url, op string, body []byte) (int, []byte) {
	req, _ := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentTypeJSON11)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", testAuth)
	req.Header.Set("X-Amz-Date", "20261122T000000Z")
	resp, err := c.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
