package ingest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeRequest sends arbitrary targets and bodies through the whole handler. Whatever arrives, the
// server must not panic (a panic in decoding or validation is not recovered) and must answer with a
// well-formed AWS response: a JSON error with a __type, or a success. There is no store, so requests
// that pass validation end in the recovered store call as a 500 InternalFailure. The seed corpus is in
// testdata/fuzz/FuzzDecodeRequest.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []struct{ op, body string }{
		{"PutRecords", `{"Records":[{"Data":"aGVsbG8=","PartitionKey":"k"}],"StreamName":"s"}`},
		{"PutRecord", `{"Data":"aGVsbG8=","PartitionKey":"k","StreamName":"s","ExplicitHashKey":"1"}`},
		{"CreateStream", `{"StreamName":"s","ShardCount":2,"StreamModeDetails":{"StreamMode":"PROVISIONED"},"Tags":{"a":"b"}}`},
		{"ListShards", `{"StreamName":"s","ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1506440188.749},"MaxResults":5}`},
		{"GetShardIterator", `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"1"}`},
		{"EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["ALL"]}`},
		{"UpdateAccountSettings", `{"MinimumThroughputBillingCommitment":{"Status":"ENABLED"}}`},
		{"Nope", `{}`},
	} {
		f.Add("Kinesis_20131202."+seed.op, []byte(seed.body))
	}
	s := newTestServer(f)
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", contentTypeJSON11)
		r.Header.Set("X-Amz-Target", target)
		r.Header.Set("Authorization", testAuth)
		r.Header.Set("X-Amz-Date", "20261122T000000Z")
		w := serve(s, r)
		if w.Header().Get("x-amzn-RequestId") == "" {
			t.Fatal("no request id")
		}
		switch w.Code {
		case http.StatusOK:
			if w.Body.Len() > 0 && !json.Valid(w.Body.Bytes()) {
				t.Fatalf("success body is not JSON: %q", w.Body)
			}
		case http.StatusBadRequest, http.StatusInternalServerError:
			var e map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
				t.Fatalf("error body %q: %v", w.Body, err)
			}
			if typ, _ := e["__type"].(string); typ == "" {
				t.Fatalf("error without __type: %q", w.Body)
			}
			if w.Code == http.StatusInternalServerError && w.Body.String() != `{"__type":"InternalFailure"}` {
				t.Fatalf("500 with %q", w.Body)
			}
		default:
			t.Fatalf("status %d for %q %q", w.Code, target, body)
		}
	})
}
