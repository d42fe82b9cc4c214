package bench

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// fakeKinesis is an in-memory Kinesis endpoint for driving the bench end to end
// in tests, with hooks to inject the faults the bench must cope with and the
// bugs its check must catch. It checks every request's SigV4 signature.
type fakeKinesis struct {
	t     testing.TB
	creds aws.Credentials

	mu      sync.Mutex
	streams map[string]*fakeStream
	calls   map[string]int

	// Faults, consulted under mu.
	throttleEvery int                                             // refuse every n-th PutRecords/PutRecord request
	failEntry     func(n int) bool                                // fail the n-th PutRecords entry overall
	mangle        func(shard int, recs []fakeRecord) []fakeRecord // rewrite what a GetRecords returns
	internalEvery int                                             // answer every n-th PutRecords/PutRecord request with a 500
	writeAnyway   bool                                            // ... after writing its records
	putEntries    int
	putRequests   int
}

type fakeStream struct {
	status string
	shards []fakeShard
}

type fakeShard struct {
	id         string
	start, end *big.Int
	recs       []fakeRecord
}

type fakeRecord struct {
	Seq  string
	Key  string
	Data []byte
}

func newFakeKinesis(t testing.TB) (*fakeKinesis, *httptest.Server) {
	f := newFakeHandler(t)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// newFakeHandler returns a fake to be reached through a handlerTransport.
func newFakeHandler(t testing.TB) *fakeKinesis {
	return &fakeKinesis{
		t:       t,
		creds:   aws.Credentials{AccessKeyID: "hydrant", SecretAccessKey: "hydrant-bench-dummy-secret"},
		streams: map[string]*fakeStream{},
		calls:   map[string]int{},
	}
}

// handlerTransport carries requests to a handler in the calling goroutine,
// taking latency of (fake, under synctest) time for each.
type handlerTransport struct {
	h       http.Handler
	latency time.Duration
}

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	req.Body.Close()
	time.Sleep(t.latency)
	return rec.Result(), nil
}

type fakeError struct {
	status int
	code   string
}

func (f *fakeKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if err := f.checkSignature(r, body); err != nil {
		f.t.Errorf("fake kinesis: %v", err)
		writeFakeError(w, fakeError{403, "InvalidSignatureException"})
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), apiVersion)
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		f.t.Errorf("fake kinesis: %s: Content-Type %q", op, ct)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	out, ferr := f.handle(op, body)
	if ferr != nil {
		writeFakeError(w, *ferr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeFakeError(w http.ResponseWriter, e fakeError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(e.status)
	fmt.Fprintf(w, `{"__type":"com.amazonaws.kinesis.v20131202#%s","message":"fake"}`, e.code)
}

// checkSignature signs a copy of the request again with the same time and
// compares the result.
func (f *fakeKinesis) checkSignature(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+f.creds.AccessKeyID+"/") {
		return fmt.Errorf("Authorization %q", auth)
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %w", err)
	}
	req, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.Path, nil)
	for _, h := range []string{"Content-Type", "X-Amz-Target"} {
		req.Header.Set(h, r.Header.Get(h))
	}
	req.ContentLength = int64(len(body))
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(r.Context(), f.creds, req, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", when); err != nil {
		return err
	}
	if got := req.Header.Get("Authorization"); got != auth {
		return fmt.Errorf("signature mismatch:\n got  %s\n want %s", auth, got)
	}
	return nil
}

func (f *fakeKinesis) stream(name string) (*fakeStream, *fakeError) {
	s, ok := f.streams[name]
	if !ok {
		return nil, &fakeError{400, "ResourceNotFoundException"}
	}
	return s, nil
}

func (f *fakeKinesis) handle(op string, body []byte) (any, *fakeError) {
	var in struct {
		StreamName        string
		ShardCount        int
		ShardId           string
		ShardIteratorType string
		ShardIterator     string
		Limit             int
		Data              []byte
		PartitionKey      string
		Records           []struct {
			Data         []byte
			PartitionKey string
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &fakeError{400, "SerializationException"}
	}
	switch op {
	case "CreateStream":
		if _, ok := f.streams[in.StreamName]; ok {
			return nil, &fakeError{400, "ResourceInUseException"}
		}
		s := &fakeStream{status: "CREATING"}
		span := new(big.Int).Lsh(big.NewInt(1), 128)
		for i := range in.ShardCount {
			start := new(big.Int).Div(new(big.Int).Mul(span, big.NewInt(int64(i))), big.NewInt(int64(in.ShardCount)))
			end := new(big.Int).Div(new(big.Int).Mul(span, big.NewInt(int64(i+1))), big.NewInt(int64(in.ShardCount)))
			end.Sub(end, big.NewInt(1))
			s.shards = append(s.shards, fakeShard{id: fmt.Sprintf("shardId-%012d", i), start: start, end: end})
		}
		f.streams[in.StreamName] = s
		return struct{}{}, nil
	case "DescribeStream":
		s, ferr := f.stream(in.StreamName)
		if ferr != nil {
			return nil, ferr
		}
		status := s.status
		s.status = "ACTIVE" // CREATING for one look
		return map[string]any{"StreamDescription": map[string]any{"StreamName": in.StreamName, "StreamStatus": status}}, nil
	case "DeleteStream":
		if _, ferr := f.stream(in.StreamName); ferr != nil {
			return nil, ferr
		}
		delete(f.streams, in.StreamName)
		return struct{}{}, nil
	case "ListShards":
		s, ferr := f.stream(in.StreamName)
		if ferr != nil {
			return nil, ferr
		}
		var shards []any
		for _, sh := range s.shards {
			shards = append(shards, map[string]any{
				"ShardId":             sh.id,
				"HashKeyRange":        map[string]string{"StartingHashKey": sh.start.String(), "EndingHashKey": sh.end.String()},
				"SequenceNumberRange": map[string]string{"StartingSequenceNumber": "0"},
			})
		}
		return map[string]any{"Shards": shards}, nil
	case "GetShardIterator":
		s, ferr := f.stream(in.StreamName)
		if ferr != nil {
			return nil, ferr
		}
		for i, sh := range s.shards {
			if sh.id == in.ShardId {
				// An iterator that needs escaping in JSON exercises the decoder.
				return map[string]string{"ShardIterator": fmt.Sprintf("%s&%d&0", in.StreamName, i)}, nil
			}
		}
		return nil, &fakeError{400, "ResourceNotFoundException"}
	case "GetRecords":
		parts := strings.Split(in.ShardIterator, "&")
		if len(parts) != 3 {
			return nil, &fakeError{400, "InvalidArgumentException"}
		}
		s, ferr := f.stream(parts[0])
		if ferr != nil {
			return nil, ferr
		}
		si, _ := strconv.Atoi(parts[1])
		pos, _ := strconv.Atoi(parts[2])
		sh := &s.shards[si]
		end := min(len(sh.recs), pos+in.Limit)
		recs := sh.recs[pos:end]
		if f.mangle != nil {
			recs = f.mangle(si, append([]fakeRecord(nil), recs...))
		}
		behind := 0
		if end < len(sh.recs) {
			behind = 1000
		}
		return map[string]any{
			"Records":            recs,
			"NextShardIterator":  fmt.Sprintf("%s&%d&%d", parts[0], si, end),
			"MillisBehindLatest": behind,
		}, nil
	case "PutRecord":
		s, ferr := f.stream(in.StreamName)
		if ferr != nil {
			return nil, ferr
		}
		f.putRequests++
		if f.throttleEvery > 0 && f.putRequests%f.throttleEvery == 0 {
			return nil, &fakeError{400, "ProvisionedThroughputExceededException"}
		}
		if f.internalEvery > 0 && f.putRequests%f.internalEvery == 0 {
			if f.writeAnyway {
				s.append(in.PartitionKey, in.Data)
			}
			return nil, &fakeError{500, "InternalFailure"}
		}
		seq, shard := s.append(in.PartitionKey, in.Data)
		return map[string]string{"SequenceNumber": seq, "ShardId": shard}, nil
	case "PutRecords":
		s, ferr := f.stream(in.StreamName)
		if ferr != nil {
			return nil, ferr
		}
		f.putRequests++
		if f.throttleEvery > 0 && f.putRequests%f.throttleEvery == 0 {
			return nil, &fakeError{400, "ProvisionedThroughputExceededException"}
		}
		if f.internalEvery > 0 && f.putRequests%f.internalEvery == 0 {
			if f.writeAnyway {
				for _, r := range in.Records {
					s.append(r.PartitionKey, r.Data)
				}
			}
			return nil, &fakeError{500, "InternalFailure"}
		}
		var results []map[string]string
		failed := 0
		for _, r := range in.Records {
			f.putEntries++
			if f.failEntry != nil && f.failEntry(f.putEntries) {
				failed++
				results = append(results, map[string]string{"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"})
				continue
			}
			seq, shard := s.append(r.PartitionKey, r.Data)
			results = append(results, map[string]string{"SequenceNumber": seq, "ShardId": shard})
		}
		return map[string]any{"FailedRecordCount": failed, "Records": results}, nil
	}
	return nil, &fakeError{400, "UnknownOperationException"}
}

func (s *fakeStream) append(key string, data []byte) (seq, shard string) {
	sum := md5.Sum([]byte(key))
	h := new(big.Int).SetBytes(sum[:])
	for i := range s.shards {
		sh := &s.shards[i]
		if h.Cmp(sh.start) >= 0 && h.Cmp(sh.end) <= 0 {
			seq = fmt.Sprintf("4960%02d%020d", i, len(sh.recs))
			sh.recs = append(sh.recs, fakeRecord{Seq: seq, Key: key, Data: data})
			return seq, sh.id
		}
	}
	panic("no shard owns the key")
}

// MarshalJSON gives fakeRecord the field names of a GetRecords record.
func (r fakeRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"SequenceNumber":              r.Seq,
		"ApproximateArrivalTimestamp": 1.7e9,
		"Data":                        r.Data,
		"PartitionKey":                r.Key,
	})
}
