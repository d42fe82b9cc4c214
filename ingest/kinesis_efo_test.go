package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/hydrantio/hydrant/streams"
)

// Enhanced fan-out with the AWS SDK for Go v2 against a real server: the consumer operations, and
// SubscribeToShard's event stream over HTTP/1.1 (chunked, as boto3 reads it) and h2c (as the Java and
// JavaScript SDKs do).

// sdkClients returns SDK clients over HTTP/1.1 and over h2c.
func (it *itest) sdkClients(t *testing.T) map[string]*kinesis.Client {
	out := map[string]*kinesis.Client{}
	for name, hc := range clients(t) {
		out[name] = sdkClient(it.url, hc)
	}
	return out
}

// sdkClient returns an SDK client for subscriptions. The SDK closes a request's body as soon as the
// response headers arrive (smithy-go's ClientHandler); when the server answers that fast, as a local
// one does, net/http may still be making its final read of the body, fails it and closes the
// connection under the response being read (aws/aws-sdk-go-v2#2737). A call retries that; an event
// stream, read after the call has returned, cannot. Reading the body into memory first sidesteps it.
func sdkClient(url string, hc *http.Client) *kinesis.Client {
	return kinesis.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: bufferedBody{hc}, Retryer: connectionRetryer,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")},
		func(o *kinesis.Options) { o.BaseEndpoint = aws.String(url) })
}

type bufferedBody struct{ *http.Client }

func (c bufferedBody) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	return c.Client.Do(r)
}

func (it *itest) register(t *testing.T, stream, name string) types.Consumer {
	t.Helper()
	return *call(it.client.RegisterStreamConsumer(bg, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(it.arn(stream)),
		ConsumerName: aws.String(name)})).must(t).Consumer
}

func TestIntegrationConsumers(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	c := it.client
	it.createStream(t, "efo", 1)
	arn := aws.String(it.arn("efo"))

	var registered []types.Consumer
	for _, n := range []string{"e", "c", "a", "d", "b"} {
		registered = append(registered, it.register(t, "efo", n))
	}
	a := registered[2]
	if aws.ToString(a.ConsumerName) != "a" || a.ConsumerStatus != types.ConsumerStatusActive ||
		aws.ToString(a.ConsumerARN) != fmt.Sprintf("%s/consumer/a:%d", it.arn("efo"), it.clock.Now().Unix()) ||
		a.ConsumerCreationTimestamp.Sub(it.clock.Now()).Abs() > time.Millisecond {
		t.Fatalf("registered %+v", a)
	}
	_, err := c.RegisterStreamConsumer(bg, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("a")})
	wantError(t, err, "ResourceInUseException", "already exists")
	_, err = c.RegisterStreamConsumer(bg, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(it.arn("nope")), ConsumerName: aws.String("a")})
	wantError(t, err, "ResourceNotFoundException", "nope")

	for _, in := range []*kinesis.DescribeStreamConsumerInput{{ConsumerARN: a.ConsumerARN}, {StreamARN: arn, ConsumerName: aws.String("a")}} {
		d := call(c.DescribeStreamConsumer(bg, in)).must(t).ConsumerDescription
		if aws.ToString(d.ConsumerARN) != aws.ToString(a.ConsumerARN) || aws.ToString(d.StreamARN) != *arn ||
			d.ConsumerStatus != types.ConsumerStatusActive || !d.ConsumerCreationTimestamp.Equal(*a.ConsumerCreationTimestamp) {
			t.Errorf("describe %+v: %+v", in, d)
		}
	}
	_, err = c.DescribeStreamConsumer(bg, &kinesis.DescribeStreamConsumerInput{ConsumerName: aws.String("a")})
	wantError(t, err, "InvalidArgumentException", "ConsumerARN")
	_, err = c.DescribeStreamConsumer(bg, &kinesis.DescribeStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("zz")})
	wantError(t, err, "ResourceNotFoundException", "zz")

	if s := call(c.DescribeStreamSummary(bg, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})).must(t).StreamDescriptionSummary; aws.ToInt32(s.ConsumerCount) != 5 {
		t.Errorf("ConsumerCount %d", aws.ToInt32(s.ConsumerCount))
	}

	// Pages of two, in name order, through the SDK's paginator.
	var names []string
	p := kinesis.NewListStreamConsumersPaginator(c, &kinesis.ListStreamConsumersInput{StreamARN: arn, MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		for _, x := range call(p.NextPage(bg)).must(t).Consumers {
			names = append(names, aws.ToString(x.ConsumerName))
		}
		pages++
	}
	if fmt.Sprint(names) != "[a b c d e]" || pages != 3 {
		t.Errorf("listed %v in %d pages", names, pages)
	}
	page := call(c.ListStreamConsumers(bg, &kinesis.ListStreamConsumersInput{StreamARN: arn, MaxResults: aws.Int32(2)})).must(t)
	_, err = c.ListStreamConsumers(bg, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(it.arn("other")), NextToken: page.NextToken})
	wantError(t, err, "InvalidArgumentException", "NextToken")
	it.clock.Advance(tokenTTL + time.Second)
	_, err = c.ListStreamConsumers(bg, &kinesis.ListStreamConsumersInput{StreamARN: arn, NextToken: page.NextToken})
	wantError(t, err, "ExpiredNextTokenException", "")

	// Tags and resource policies by consumer ARN.
	call(c.TagResource(bg, &kinesis.TagResourceInput{ResourceARN: a.ConsumerARN, Tags: map[string]string{"team": "data", "env": "prod"}})).must(t)
	call(c.UntagResource(bg, &kinesis.UntagResourceInput{ResourceARN: a.ConsumerARN, TagKeys: []string{"env"}})).must(t)
	tags := call(c.ListTagsForResource(bg, &kinesis.ListTagsForResourceInput{ResourceARN: a.ConsumerARN})).must(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "team" || aws.ToString(tags[0].Value) != "data" {
		t.Errorf("consumer tags %+v", tags)
	}
	if tags := call(c.ListTagsForResource(bg, &kinesis.ListTagsForResourceInput{ResourceARN: arn})).must(t).Tags; len(tags) != 0 {
		t.Errorf("stream tags %+v", tags)
	}
	policy := `{"Version":"2012-10-17","Statement":[]}`
	call(c.PutResourcePolicy(bg, &kinesis.PutResourcePolicyInput{ResourceARN: a.ConsumerARN, Policy: aws.String(policy)})).must(t)
	if got := call(c.GetResourcePolicy(bg, &kinesis.GetResourcePolicyInput{ResourceARN: a.ConsumerARN})).must(t); aws.ToString(got.Policy) != policy {
		t.Errorf("policy %q", aws.ToString(got.Policy))
	}

	_, err = c.DeleteStream(bg, &kinesis.DeleteStreamInput{StreamARN: arn})
	wantError(t, err, "ResourceInUseException", "registered consumers")
	call(c.DeregisterStreamConsumer(bg, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: a.ConsumerARN})).must(t)
	call(c.DeregisterStreamConsumer(bg, &kinesis.DeregisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("b")})).must(t)
	_, err = c.DeregisterStreamConsumer(bg, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: a.ConsumerARN})
	wantError(t, err, "ResourceNotFoundException", "")
	call(c.DeleteStream(bg, &kinesis.DeleteStreamInput{StreamARN: arn, EnforceConsumerDeletion: aws.Bool(true)})).must(t)
	_, err = c.DescribeStreamConsumer(bg, &kinesis.DescribeStreamConsumerInput{ConsumerARN: registered[0].ConsumerARN})
	wantError(t, err, "ResourceNotFoundException", "")
}

// subscribe starts a SubscribeToShard call and returns its event stream.
func subscribe(t *testing.T, c *kinesis.Client, consumerARN, shard string, pos types.StartingPosition) *kinesis.SubscribeToShardEventStream {
	t.Helper()
	out, err := c.SubscribeToShard(bg, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(consumerARN), ShardId: aws.String(shard),
		StartingPosition: &pos})
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	es := out.GetStream()
	t.Cleanup(func() { es.Close() })
	return es
}

// nextEvent returns the stream's next SubscribeToShardEvent, or nil and the stream's error once it
// ends. The timeout only guards against a hung test.
func nextEvent(t *testing.T, es *kinesis.SubscribeToShardEventStream) (*types.SubscribeToShardEvent, error) {
	t.Helper()
	select {
	case ev, ok := <-es.Events():
		if !ok {
			return nil, es.Err()
		}
		e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !isEvent {
			t.Fatalf("unexpected event %T", ev)
		}
		return &e.Value, nil
	case <-time.After(20 * time.Second):
		t.Fatal("no event in 20s")
	}
	return nil, nil
}

func mustEvent(t *testing.T, es *kinesis.SubscribeToShardEventStream) *types.SubscribeToShardEvent {
	t.Helper()
	ev, err := nextEvent(t, es)
	if ev == nil {
		t.Fatalf("stream ended: %v", err)
	}
	return ev
}

func putStrings(t *testing.T, c *kinesis.Client, stream string, data ...string) []types.PutRecordsResultEntry {
	t.Helper()
	var recs []types.PutRecordsRequestEntry
	for _, d := range data {
		recs = append(recs, types.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("0")})
	}
	return call(c.PutRecords(bg, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})).must(t).Records
}

func TestIntegrationSubscribeToShard(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	for name, hc := range clients(t) {
		// One SDK client per subscription: the SDK's event-stream decoder belongs to the client, and two
		// streams read at once on one client race on its buffer (smithy-go 1.28.8).
		c := sdkClient(it.url, hc)
		t.Run(name, func(t *testing.T) {
			stream := "sub-" + strings.ReplaceAll(strings.ToLower(name), "/", "")
			stream = strings.ReplaceAll(stream, ".", "")
			it.createStream(t, stream, 2)
			consumer := aws.ToString(it.register(t, stream, "app").ConsumerARN)
			res := putStrings(t, c, stream, "a", "b", "c")

			es := subscribe(t, c, consumer, "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
			ev := mustEvent(t, es)
			var got []string
			for _, r := range ev.Records {
				got = append(got, string(r.Data))
				if r.ApproximateArrivalTimestamp == nil || aws.ToString(r.PartitionKey) != "k" {
					t.Errorf("record %+v", r)
				}
			}
			if fmt.Sprint(got) != "[a b c]" || aws.ToString(ev.Records[0].SequenceNumber) != aws.ToString(res[0].SequenceNumber) ||
				aws.ToString(ev.ContinuationSequenceNumber) != aws.ToString(res[2].SequenceNumber) || aws.ToInt64(ev.MillisBehindLatest) != 0 {
				t.Fatalf("first event: %v %+v", got, ev)
			}
			// Records are pushed as they are written, on the same subscription.
			more := putStrings(t, c, stream, "d")
			ev = mustEvent(t, es)
			if len(ev.Records) != 1 || string(ev.Records[0].Data) != "d" ||
				aws.ToString(ev.ContinuationSequenceNumber) != aws.ToString(more[0].SequenceNumber) {
				t.Fatalf("pushed event: %+v", ev)
			}

			// A second subscription within five seconds is refused with an ordinary error; after them, it
			// takes over and the first stream ends with ResourceInUseException.
			_, err := c.SubscribeToShard(bg, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(consumer),
				ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
			wantError(t, err, "ResourceInUseException", "Another active subscription")
			it.clock.Advance(streams.SubscriptionTakeover)
			es2 := subscribe(t, sdkClient(it.url, hc), consumer, "shardId-000000000000", types.StartingPosition{
				Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: ev.ContinuationSequenceNumber})
			for {
				ev, err := nextEvent(t, es)
				if ev != nil {
					continue
				}
				var riu *types.ResourceInUseException
				if !errors.As(err, &riu) || !strings.Contains(riu.ErrorMessage(), "taken over") {
					t.Fatalf("old stream ended with %v", err)
				}
				break
			}
			if ev := mustEvent(t, es2); len(ev.Records) != 0 || aws.ToString(ev.ContinuationSequenceNumber) != aws.ToString(more[0].SequenceNumber) {
				t.Fatalf("resumed: %+v", ev)
			}

			// At the end of a closed shard: ChildShards, no continuation, and the stream ends.
			call(c.SplitShard(bg, &kinesis.SplitShardInput{StreamName: aws.String(stream), ShardToSplit: aws.String("shardId-000000000000"),
				NewStartingHashKey: aws.String("85070591730234615865843651857942052864")})).must(t)
			for {
				ev := mustEvent(t, es2)
				if len(ev.ChildShards) == 0 {
					continue
				}
				if ev.ContinuationSequenceNumber != nil || len(ev.ChildShards) != 2 ||
					aws.ToString(ev.ChildShards[0].ShardId) != "shardId-000000000002" || ev.ChildShards[0].ParentShards[0] != "shardId-000000000000" {
					t.Fatalf("last event %+v", ev)
				}
				break
			}
			if ev, err := nextEvent(t, es2); ev != nil || err != nil {
				t.Fatalf("after the last event: %+v %v", ev, err)
			}

			// Refusals before the stream starts are ordinary errors.
			for _, tc := range []struct {
				arn, shard, code string
			}{
				{consumer + "0", "shardId-000000000001", "ResourceNotFoundException"},
				{consumer, "shardId-000000000009", "ResourceNotFoundException"},
				{it.arn(stream), "shardId-000000000001", "ValidationException"},
			} {
				_, err := c.SubscribeToShard(bg, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(tc.arn), ShardId: aws.String(tc.shard),
					StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
				wantError(t, err, tc.code, "")
			}
		})
	}
}

// Deregistering a consumer ends its subscriptions with ResourceNotFoundException events.
func TestIntegrationSubscribeDeregister(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "dereg", 1)
	consumer := it.register(t, "dereg", "app").ConsumerARN
	es := subscribe(t, it.sdkClients(t)["HTTP/1.1"], aws.ToString(consumer), "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	mustEvent(t, es)
	call(it.client.DeregisterStreamConsumer(bg, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: consumer})).must(t)
	_, err := nextEvent(t, es)
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("stream ended with %v", err)
	}
}

// The wire, byte by byte: status, content type, the initial-response first and flushed at once, then
// events; errors before the stream are JSON.
func TestSubscribeToShardWire(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "wire", 1)
	consumer := aws.ToString(it.register(t, "wire", "app").ConsumerARN)
	for name, hc := range clients(t) {
		t.Run(name, func(t *testing.T) {
			body := `{"ConsumerARN":"` + consumer + `","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}`
			req, _ := http.NewRequest(http.MethodPost, it.url+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", contentTypeJSON11)
			req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
			req.Header.Set("Authorization", testAuth)
			req.Header.Set("X-Amz-Date", "20261122T000000Z")
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != contentTypeEventStream || resp.Header.Get("x-amzn-RequestId") == "" {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, b)
			}
			if name == "HTTP/1.1" && (len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked") {
				t.Errorf("transfer encoding %v", resp.TransferEncoding)
			}
			r := &esReader{r: resp.Body}
			m, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			wantHeaders(t, &m, ":message-type", "event", ":event-type", "initial-response", ":content-type", "application/json")
			if string(m.Payload) != "{}" {
				t.Fatalf("initial-response payload %q", m.Payload)
			}
			m, err = r.Next()
			if err != nil {
				t.Fatal(err)
			}
			wantHeaders(t, &m, ":message-type", "event", ":event-type", "SubscribeToShardEvent", ":content-type", "application/json")
			if !strings.HasPrefix(string(m.Payload), `{"Records":[],"ContinuationSequenceNumber":"`) ||
				!strings.HasSuffix(string(m.Payload), `","MillisBehindLatest":0}`) {
				t.Fatalf("first event %s", m.Payload)
			}
			// Taken over: the exception event, then the end of the body.
			it.clock.Advance(streams.SubscriptionTakeover)
			sub, err := it.store.Subscribe(streams.Scope{}, consumer, "shardId-000000000000", streams.StartingPosition{Type: streams.IteratorLatest})
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			m, err = r.Next()
			if err != nil {
				t.Fatal(err)
			}
			wantHeaders(t, &m, ":message-type", "exception", ":exception-type", "ResourceInUseException", ":content-type", "application/json")
			if !strings.HasPrefix(string(m.Payload), `{"message":"The subscription of consumer `) {
				t.Fatalf("exception payload %s", m.Payload)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("after the exception: %v", err)
			}
			sub.Close()
		})
	}
	status, _, body := it.raw(t, "SubscribeToShard", `{"ConsumerARN":"`+consumer+`","ShardId":"shardId-000000000007","StartingPosition":{"Type":"LATEST"}}`)
	if status != 400 || !strings.HasPrefix(body, `{"__type":"ResourceNotFoundException","message":"Shard shardId-000000000007`) {
		t.Fatalf("%d %s", status, body)
	}
}

func wantHeaders(t *testing.T, m *esMessage, kv ...string) {
	t.Helper()
	if len(m.Headers) != len(kv)/2 {
		t.Fatalf("headers %+v", m.Headers)
	}
	for i := 0; i < len(kv); i += 2 {
		h, ok := m.Header(kv[i])
		if !ok || h.Type != esString || h.String() != kv[i+1] {
			t.Fatalf("header %s: %+v", kv[i], h)
		}
	}
}

// Shutdown does not wait for live subscriptions: it ends them.
func TestShutdownEndsSubscriptions(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "down", 1)
	consumer := aws.ToString(it.register(t, "down", "app").ConsumerARN)
	srv := NewServer(Config{Now: it.clock.Now}, it.store)
	url := startServer(t, srv)
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	es := subscribe(t, sdkClient(url, hc), consumer, "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	mustEvent(t, es)
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for {
		ev, err := nextEvent(t, es)
		if ev == nil {
			var ae smithy.APIError
			if errors.As(err, &ae) {
				t.Fatalf("ended with %v", err)
			}
			break
		}
	}
}

// Over TLS: HTTP/2 by ALPN, as the Java SDK's async client (the KCL) subscribes, and HTTP/1.1.
func TestSubscribeToShardTLS(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "tls", 1)
	consumer := aws.ToString(it.register(t, "tls", "app").ConsumerARN)
	url, roots := startTLSServer(t, it.store)
	for name, hc := range tlsClients(t, roots) {
		t.Run(name, func(t *testing.T) {
			c := sdkClient(url, hc)
			es := subscribe(t, c, consumer, "shardId-000000000000", types.StartingPosition{Type: types.ShardIteratorTypeLatest})
			mustEvent(t, es)
			putStrings(t, c, "tls", name)
			if ev := mustEvent(t, es); len(ev.Records) != 1 || string(ev.Records[0].Data) != name {
				t.Fatalf("event %+v", ev)
			}
			es.Close()
			it.clock.Advance(streams.SubscriptionTakeover) // the next subtest may find this one not yet gone
		})
	}
}
