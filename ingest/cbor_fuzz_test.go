package ingest

import (
	"net/http"
	"testing"
)

// FuzzDecodeCBORRequest sends arbitrary targets and CBOR bodies through the whole handler. Whatever
// arrives, the server must not panic (a panic in decoding or validation is not recovered) and must
// answer in CBOR: an error map with a __type and nothing but a message besides, or a success that the
// reference decoder reads. There is no store, so requests that pass validation end in the recovered store
// call as a 500 InternalFailure. The seed corpus is in testdata/fuzz/FuzzDecodeCBORRequest.
func FuzzDecodeCBORRequest(f *testing.F) {
	for _, seed := range cborFuzzSeeds {
		f.Add("Kinesis_20131202."+seed.op, seed.body)
	}
	s := newTestServer(f)
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		r := cborRequest("", body)
		r.Header.Set("X-Amz-Target", target)
		w := serve(s, r)
		if w.Header().Get("x-amzn-RequestId") == "" {
			t.Fatal("no request id")
		}
		if ct := w.Header().Get("Content-Type"); ct != contentTypeCBOR {
			t.Fatalf("Content-Type %q for %q %x", ct, target, body)
		}
		switch w.Code {
		case http.StatusOK:
			if w.Body.Len() > 0 {
				var v any
				if err := refDecMode.Unmarshal(w.Body.Bytes(), &v); err != nil {
					t.Fatalf("success body is not CBOR: %x", w.Body.Bytes())
				}
			}
		case http.StatusBadRequest, http.StatusInternalServerError:
			code, msg := decodeCBORError(t, w.Body.Bytes())
			if code == "" {
				t.Fatalf("error without __type: %x", w.Body.Bytes())
			}
			if w.Code == http.StatusInternalServerError && (code != "InternalFailure" || msg != "") {
				t.Fatalf("500 with %s %q", code, msg)
			}
		default:
			t.Fatalf("status %d for %q %x", w.Code, target, body)
		}
	})
}

// cborFuzzSeeds are FuzzDecodeCBORRequest's seeds besides its corpus directory.
var cborFuzzSeeds = []struct {
	op   string
	body []byte
}{
	{"PutRecords", putRecordsCBOR(2, 8, "s")},
	{"PutRecord", toJackson(obj{{"StreamName", "s"}, {"Data", blob("hello")}, {"PartitionKey", "k"}, {"ExplicitHashKey", "1"}})},
	{"CreateStream", toJackson(obj{{"StreamName", "s"}, {"ShardCount", 2}, {"StreamModeDetails", obj{{"StreamMode", "PROVISIONED"}}}, {"Tags", obj{{"a", "b"}}}})},
	{"ListShards", toJackson(obj{{"StreamName", "s"}, {"ShardFilter", obj{{"Type", "AT_TIMESTAMP"}, {"Timestamp", stamp(t0)}}}, {"MaxResults", 5}})},
	{"GetShardIterator", toJackson(obj{{"StreamName", "s"}, {"ShardId", "shardId-000000000000"}, {"ShardIteratorType", "AT_TIMESTAMP"}, {"Timestamp", 1.5e12}})},
	{"EnableEnhancedMonitoring", toJackson(obj{{"StreamName", "s"}, {"ShardLevelMetrics", []any{"ALL"}}})},
	{"UpdateAccountSettings", toJackson(obj{{"MinimumThroughputBillingCommitment", obj{{"Status", "ENABLED"}}}})},
	{"DescribeStream", []byte("\xa2\x6aStreamName\x7f\x61s\xff\x65Limit\xc2\x41\x05")},
	{"DeleteStream", toJackson(obj{{"StreamName", blob("s")}, {"EnforceConsumerDeletion", "yes"}})},
	{"SubscribeToShard", toJackson(obj{{"StartingPosition", obj{{"Type", "LATEST"}, {"Timestamp", rawCBOR("\xc1\xfb\x42\x75\xeb\xed\x51\x34\xd0\x00")}}}})},
	{"ListStreams", []byte("\xd9\xd9\xf7\xbf\xff")},
	{"ListStreams", []byte("\x9f\xff")},
	{"ListStreams", []byte("\xbf\x01\x02\xff")},
	{"Nope", toJackson(obj{})},
}
