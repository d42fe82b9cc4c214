package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hydrantio/hydrant/streams"
)

// post sends one raw request in the given protocol and returns status, content type and body.
func (it *itest) post(t *testing.T, proto protocol, op string, body []byte) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, it.url+"/", bytes.NewReader(body))
	ct := contentTypeJSON11
	if proto == protoCBOR {
		ct = contentTypeCBOR
	}
	req.Header.Set("Content-Type", ct)
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
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// rtCase is one operation of the round-trip table. setup prepares stream s (through the JSON API) and
// returns values the request needs; req builds the request for stream s.
type rtCase struct {
	op    string
	setup func(t *testing.T, it *itest, s string) map[string]string
	req   func(s string, v map[string]string) any
}

// masked are the members whose values differ between two identical calls for reasons that have nothing
// to do with the protocol: iterators and page tokens are MACs over the stream's name, StreamId is random.
var masked = map[string]bool{"ShardIterator": true, "NextShardIterator": true, "NextToken": true, "StreamId": true}

func normalizeAnswer(v any, from, to string) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && masked[k] && s != "" {
				v[k] = "<masked>"
				continue
			}
			v[k] = normalizeAnswer(x, from, to)
		}
	case []any:
		for i, x := range v {
			v[i] = normalizeAnswer(x, from, to)
		}
	case string:
		return strings.ReplaceAll(v, from, to)
	}
	return v
}

func withStream(shards int32) func(t *testing.T, it *itest, s string) map[string]string {
	return func(t *testing.T, it *itest, s string) map[string]string {
		it.createStream(t, s, shards)
		return nil
	}
}

func streamThen(shards int32, then func(t *testing.T, it *itest, s string) map[string]string) func(*testing.T, *itest, string) map[string]string {
	return func(t *testing.T, it *itest, s string) map[string]string {
		it.createStream(t, s, shards)
		return then(t, it, s)
	}
}

// roundTripCases covers every operation of the model: each is called once in JSON and once in CBOR, on
// twin streams prepared alike, and the answers must agree member for member.
func roundTripCases(it *itest) []rtCase {
	arn := func(s string) string { return it.arn(s) }
	consumerARN := func(s string) string { return arn(s) + "/consumer/c:1700000000" }
	now := func() stamp { return stamp(it.clock.Now()) }
	half := new(big.Int).Lsh(big.NewInt(1), 127).String()
	tagged := func(t *testing.T, it *itest, s string) map[string]string {
		call(it.client.AddTagsToStream(bg, &kinesis.AddTagsToStreamInput{StreamName: aws.String(s),
			Tags: map[string]string{"team": "data", "env": "test"}})).must(t)
		return nil
	}
	// Longer than 3996 chars, so that the Java SDK's Jackson writes it as a chunked text string.
	policy := `{"Version":"2012-10-17","Statement":[],"Id":"` + strings.Repeat("p", 5000) + `"}`
	return []rtCase{
		{"CreateStream", nil, func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"ShardCount", 2}, {"Tags", obj{{"a", "b"}}}}
		}},
		{"DeleteStream", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"EnforceConsumerDeletion", true}}
		}},
		{"DescribeStream", withStream(3), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"Limit", 2}}
		}},
		{"DescribeStreamSummary", withStream(2), func(s string, _ map[string]string) any {
			return obj{{"StreamARN", arn(s)}}
		}},
		{"ListStreams", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"Limit", 100}}
		}},
		{"IncreaseStreamRetentionPeriod", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"RetentionPeriodHours", 48}}
		}},
		{"DecreaseStreamRetentionPeriod", streamThen(1, func(t *testing.T, it *itest, s string) map[string]string {
			call(it.client.IncreaseStreamRetentionPeriod(bg, &kinesis.IncreaseStreamRetentionPeriodInput{
				StreamName: aws.String(s), RetentionPeriodHours: aws.Int32(72)})).must(t)
			return nil
		}), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"RetentionPeriodHours", 25}}
		}},
		{"UpdateStreamMode", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamARN", arn(s)}, {"StreamModeDetails", obj{{"StreamMode", "ON_DEMAND"}}}}
		}},
		{"UpdateMaxRecordSize", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamARN", arn(s)}, {"MaxRecordSizeInKiB", 2048}}
		}},
		{"UpdateStreamWarmThroughput", func(t *testing.T, it *itest, s string) map[string]string {
			call(it.client.CreateStream(bg, &kinesis.CreateStreamInput{StreamName: aws.String(s),
				StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})).must(t)
			return nil
		}, func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"WarmThroughputMiBps", 10}}
		}},
		{"StartStreamEncryption", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"EncryptionType", "KMS"}, {"KeyId", "alias/aws/kinesis"}}
		}},
		{"StopStreamEncryption", streamThen(1, func(t *testing.T, it *itest, s string) map[string]string {
			call(it.client.StartStreamEncryption(bg, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(s),
				EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})).must(t)
			return nil
		}), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"EncryptionType", "KMS"}, {"KeyId", "alias/aws/kinesis"}}
		}},
		{"EnableEnhancedMonitoring", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"ShardLevelMetrics", []any{"IncomingBytes", "OutgoingRecords"}}}
		}},
		{"DisableEnhancedMonitoring", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"ShardLevelMetrics", []any{"ALL"}}}
		}},
		{"PutRecord", withStream(2), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"Data", blob("hello, world")}, {"PartitionKey", "pk-1"}}
		}},
		{"PutRecords", withStream(2), func(s string, _ map[string]string) any {
			return obj{{"Records", []any{
				obj{{"Data", blob{0, 1, 2, 0xff}}, {"PartitionKey", "a"}},
				obj{{"Data", blob("")}, {"ExplicitHashKey", half}, {"PartitionKey", "b"}},
				obj{{"Data", blob(strings.Repeat("x", 300))}, {"PartitionKey", strings.Repeat("k", 256)}},
			}}, {"StreamName", s}}
		}},
		{"GetShardIterator", streamThen(1, func(t *testing.T, it *itest, s string) map[string]string {
			it.putRecords(t, s, 3, 10)
			return nil
		}), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "AT_TIMESTAMP"}, {"Timestamp", now()}}
		}},
		{"GetRecords", streamThen(1, func(t *testing.T, it *itest, s string) map[string]string {
			it.putRecords(t, s, 5, 100)
			out := call(it.client.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String(s),
				ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).must(t)
			return map[string]string{"it": aws.ToString(out.ShardIterator)}
		}), func(s string, v map[string]string) any {
			return obj{{"ShardIterator", v["it"]}, {"Limit", 4}}
		}},
		{"ListShards", withStream(3), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"MaxResults", 2}, {"ShardFilter", obj{{"Type", "FROM_TIMESTAMP"}, {"Timestamp", now()}}}}
		}},
		{"SplitShard", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"ShardToSplit", "shardId-000000000000"}, {"NewStartingHashKey", half}}
		}},
		{"MergeShards", withStream(2), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"ShardToMerge", "shardId-000000000000"}, {"AdjacentShardToMerge", "shardId-000000000001"}}
		}},
		{"UpdateShardCount", withStream(2), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"TargetShardCount", 4}, {"ScalingType", "UNIFORM_SCALING"}}
		}},
		{"AddTagsToStream", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"Tags", obj{{"k1", "v1"}, {"k2", ""}}}}
		}},
		{"RemoveTagsFromStream", streamThen(1, tagged), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"TagKeys", []any{"env"}}}
		}},
		{"ListTagsForStream", streamThen(1, tagged), func(s string, _ map[string]string) any {
			return obj{{"StreamName", s}, {"Limit", 1}}
		}},
		{"TagResource", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"ResourceARN", arn(s)}, {"Tags", obj{{"k", "v"}}}}
		}},
		{"UntagResource", streamThen(1, tagged), func(s string, _ map[string]string) any {
			return obj{{"ResourceARN", arn(s)}, {"TagKeys", []any{"team"}}}
		}},
		{"ListTagsForResource", streamThen(1, tagged), func(s string, _ map[string]string) any {
			return obj{{"ResourceARN", arn(s)}}
		}},
		{"DescribeLimits", nil, func(string, map[string]string) any { return obj{} }},
		{"DescribeAccountSettings", nil, func(string, map[string]string) any { return obj{} }},
		{"UpdateAccountSettings", nil, func(string, map[string]string) any {
			return obj{{"MinimumThroughputBillingCommitment", obj{{"Status", "DISABLED"}}}}
		}},
		{"PutResourcePolicy", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"ResourceARN", arn(s)}, {"Policy", policy}}
		}},
		{"GetResourcePolicy", streamThen(1, func(t *testing.T, it *itest, s string) map[string]string {
			call(it.client.PutResourcePolicy(bg, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(it.arn(s)),
				Policy: aws.String(policy)})).must(t)
			return nil
		}), func(s string, _ map[string]string) any {
			return obj{{"ResourceARN", arn(s)}}
		}},
		{"DeleteResourcePolicy", streamThen(1, func(t *testing.T, it *itest, s string) map[string]string {
			call(it.client.PutResourcePolicy(bg, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(it.arn(s)),
				Policy: aws.String(policy)})).must(t)
			return nil
		}), func(s string, _ map[string]string) any {
			return obj{{"ResourceARN", arn(s)}}
		}},
		// Enhanced fan-out: whatever the server answers (an output, or an error), both protocols must
		// answer it alike.
		{"RegisterStreamConsumer", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamARN", arn(s)}, {"ConsumerName", "c"}}
		}},
		{"DescribeStreamConsumer", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamARN", arn(s)}, {"ConsumerName", "nope"}}
		}},
		{"ListStreamConsumers", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"StreamARN", arn(s)}, {"MaxResults", 5}, {"StreamCreationTimestamp", now()}}
		}},
		{"DeregisterStreamConsumer", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"ConsumerARN", consumerARN(s)}}
		}},
		// SubscribeToShard answers with an event stream; its request decoding (a nested structure with
		// a timestamp) is what is compared here, through the validation error both protocols must give.
		{"SubscribeToShard", withStream(1), func(s string, _ map[string]string) any {
			return obj{{"ConsumerARN", consumerARN(s)}, {"ShardId", "shardId-000000000000"},
				{"StartingPosition", obj{{"Type", "AT_TIMESTAMP"}, {"Timestamp", now()}, {"SequenceNumber", "01"}}}}
		}},
	}
}

func TestCBORRoundTripEveryOperation(t *testing.T) {
	it := newIntegration(t, streams.Options{ShardQuota: 500})
	cases := roundTripCases(it)

	var covered, model []string
	for _, c := range cases {
		covered = append(covered, c.op)
	}
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	for op := range m.ops {
		model = append(model, op)
	}
	sort.Strings(covered)
	sort.Strings(model)
	if !reflect.DeepEqual(covered, model) {
		t.Fatalf("the table covers\n%v\nthe model has\n%v", covered, model)
	}

	for i, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			sj, sc := fmt.Sprintf("rt%02d-json", i), fmt.Sprintf("rt%02d-cbor", i)
			var vj, vc map[string]string
			if c.setup != nil {
				vj, vc = c.setup(t, it, sj), c.setup(t, it, sc)
			}
			jstatus, jct, jbody := it.post(t, protoJSON, c.op, toJSON(c.req(sj, vj)))
			cstatus, cct, cbody := it.post(t, protoCBOR, c.op, toJackson(c.req(sc, vc)))
			if cct != contentTypeCBOR {
				t.Errorf("CBOR answer has Content-Type %q", cct)
			}
			if jct != contentTypeJSON11 {
				t.Errorf("JSON answer has Content-Type %q", jct)
			}
			want := normalizeAnswer(decodeJSONAnswer(t, jbody), sc, sj)
			got := normalizeAnswer(decodeCBORAnswer(t, cbody), sc, sj)
			if jstatus != cstatus || !reflect.DeepEqual(want, got) {
				t.Fatalf("JSON %d %s\nCBOR %d %#v\n(JSON answer as decoded: %#v)", jstatus, jbody, cstatus, got, want)
			}
			t.Logf("%d %s", jstatus, jbody)

			// The operation did the same to both streams.
			_, _, jdesc := it.post(t, protoJSON, "DescribeStreamSummary", toJSON(obj{{"StreamName", sj}}))
			_, _, cdesc := it.post(t, protoJSON, "DescribeStreamSummary", toJSON(obj{{"StreamName", sc}}))
			if want, got := normalizeAnswer(decodeJSONAnswer(t, jdesc), sc, sj), normalizeAnswer(decodeJSONAnswer(t, cdesc), sc, sj); !reflect.DeepEqual(want, got) {
				t.Errorf("after the call, the JSON twin is\n%s\nthe CBOR twin\n%s", jdesc, cdesc)
			}
		})
	}
}

// A record written in CBOR reads back identically in JSON and the other way round, timestamps
// included: AT_TIMESTAMP in CBOR is milliseconds, and a misread (the year-58598 bug) would point the
// iterator into the future.
func TestCBORDataRoundTrip(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "data", 1)
	before := it.clock.Now()
	it.clock.Advance(time.Second)
	payload := []byte{0, 1, 2, 3, 0xfe, 0xff, '"', '\\'}
	status, _, body := it.post(t, protoCBOR, "PutRecord",
		toJackson(obj{{"StreamName", "data"}, {"Data", blob(payload)}, {"PartitionKey", "k"}}))
	if status != 200 {
		t.Fatalf("PutRecord: %d %x", status, body)
	}
	recs := it.readAll(t, "data", "shardId-000000000000")
	if len(recs) != 1 || !bytes.Equal(recs[0].Data, payload) {
		t.Fatalf("read back over JSON: %+v", recs)
	}
	status, _, body = it.post(t, protoCBOR, "GetShardIterator", toJackson(obj{{"StreamName", "data"},
		{"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "AT_TIMESTAMP"}, {"Timestamp", stamp(before)}}))
	if status != 200 {
		t.Fatalf("GetShardIterator AT_TIMESTAMP: %d %v", status, decodeCBORAnswer(t, body))
	}
	iter := decodeCBORAnswer(t, body).(map[string]any)["ShardIterator"].(string)
	status, _, body = it.post(t, protoCBOR, "GetRecords", toJackson(obj{{"ShardIterator", iter}}))
	if status != 200 {
		t.Fatalf("GetRecords: %d %v", status, decodeCBORAnswer(t, body))
	}
	var out struct {
		Records []struct {
			Data                        []byte
			ApproximateArrivalTimestamp time.Time
		}
	}
	if err := refDecMode.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 1 || !bytes.Equal(out.Records[0].Data, payload) {
		t.Fatalf("read back over CBOR: %+v", out)
	}
	// The reference decoder reads tag 1 as seconds: its "seconds" are the milliseconds.
	if got, want := out.Records[0].ApproximateArrivalTimestamp.Unix(), recs[0].ApproximateArrivalTimestamp.UnixMilli(); got != want {
		t.Errorf("ApproximateArrivalTimestamp: %d ms, want %d", got, want)
	}
}

// SubscribeToShard asked in CBOR streams CBOR payloads: the initial-response an empty map, the events'
// records as GetRecords has them in CBOR, an exception's message in a CBOR map.
func TestCBORSubscribeToShard(t *testing.T) {
	it := newIntegration(t, streams.Options{})
	it.createStream(t, "sub", 1)
	consumer := aws.ToString(it.register(t, "sub", "app").ConsumerARN)
	it.putRecords(t, "sub", 3, 50)

	// The records as GetRecords gives them in JSON, in canonical form.
	out := call(it.client.GetShardIterator(bg, &kinesis.GetShardIteratorInput{StreamName: aws.String("sub"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).must(t)
	_, _, jget := it.post(t, protoJSON, "GetRecords", toJSON(obj{{"ShardIterator", aws.ToString(out.ShardIterator)}}))
	want := decodeJSONAnswer(t, jget).(map[string]any)["Records"]

	req, _ := http.NewRequest(http.MethodPost, it.url+"/", bytes.NewReader(toJackson(obj{{"ConsumerARN", consumer},
		{"ShardId", "shardId-000000000000"}, {"StartingPosition", obj{{"Type", "TRIM_HORIZON"}}}})))
	req.Header.Set("Content-Type", contentTypeCBOR)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	req.Header.Set("Authorization", testAuth)
	req.Header.Set("X-Amz-Date", "20261122T000000Z")
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != contentTypeEventStream {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%d %v %x", resp.StatusCode, resp.Header, b)
	}
	r := &esReader{r: resp.Body}
	m, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	wantHeaders(t, &m, ":message-type", "event", ":event-type", "initial-response", ":content-type", contentTypeCBOR)
	if !bytes.Equal(m.Payload, []byte{0xa0}) {
		t.Fatalf("initial-response payload %x", m.Payload)
	}
	var got []any
	for len(got) < 3 {
		m, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		wantHeaders(t, &m, ":message-type", "event", ":event-type", "SubscribeToShardEvent", ":content-type", contentTypeCBOR)
		javaReadable(t, m.Payload)
		ev := decodeCBORAnswer(t, m.Payload).(map[string]any)
		if _, ok := ev["ContinuationSequenceNumber"].(string); !ok {
			t.Fatalf("event without ContinuationSequenceNumber: %v", ev)
		}
		if _, ok := ev["MillisBehindLatest"].(json.Number); !ok {
			t.Fatalf("event without MillisBehindLatest: %v", ev)
		}
		got = append(got, ev["Records"].([]any)...)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("records over the CBOR event stream\n%v\nover JSON GetRecords\n%v", got, want)
	}

	// Taken over: the exception, in CBOR.
	it.clock.Advance(streams.SubscriptionTakeover)
	sub, err := it.store.Subscribe(streams.Scope{}, consumer, "shardId-000000000000", streams.StartingPosition{Type: streams.IteratorLatest})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for {
		m, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := m.Header(":message-type"); h.String() == "event" {
			continue // an empty event may come first
		}
		wantHeaders(t, &m, ":message-type", "exception", ":exception-type", "ResourceInUseException", ":content-type", contentTypeCBOR)
		if msg, _ := decodeCBORAnswer(t, m.Payload).(map[string]any)["message"].(string); !strings.HasPrefix(msg, "The subscription of consumer ") {
			t.Fatalf("exception payload %x", m.Payload)
		}
		break
	}
}
