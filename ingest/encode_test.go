package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

func TestAppendEpoch(t *testing.T) {
	for ms, want := range map[int64]string{
		1506440188749: "1506440188.749",
		1506440188750: "1506440188.75",
		1506440188700: "1506440188.7",
		1506440188000: "1506440188",
		1506440188001: "1506440188.001",
		0:             "0",
		-1:            "-1.999", // one millisecond before the epoch
	} {
		if got := string(appendEpoch(nil, time.UnixMilli(ms))); got != want {
			t.Errorf("%d ms: got %s, want %s", ms, got, want)
		}
	}
	// Round trip through the decoder: a client sending back what it got reads the same instant.
	for _, ms := range []int64{1506440188749, 1506440188001, 1, 0} {
		lit := string(appendEpoch(nil, time.UnixMilli(ms)))
		var f float64
		fmt.Sscan(lit, &f)
		if got := epochToTime(f).UnixMilli(); got != ms {
			t.Errorf("%s → %d ms, want %d", lit, got, ms)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " backslash \ slash /`, "tab\tnl\ncr\r\x00\x1f", "日本語 😀",
		"bad \xff utf8", "sep \u2028 \u2029", "<html>&"} {
		got := jsontext.AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q encodes to invalid JSON %s: %v", s, got, err)
			continue
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q round-trips to %q, encoding/json to %q", s, back, wantBack)
		}
	}
}

func TestErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Code: ErrUnknownOperation}, `{"__type":"UnknownOperationException"}`},
		{errorf(ErrSerialization, "Start of list found where not expected"), `{"__type":"SerializationException","Message":"Start of list found where not expected"}`},
		{errorf(ErrResourceNotFound, `Stream "x" not found.`), `{"__type":"ResourceNotFoundException","message":"Stream \"x\" not found."}`},
		{&Error{Code: ErrInternalFailure, Message: "secret detail", Err: errors.New("disk on fire")}, `{"__type":"InternalFailure"}`},
	} {
		if got := string(appendErrorBody(nil, tc.err)); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}

func TestToError(t *testing.T) {
	for kind, code := range kindCodes {
		e := toError(fmt.Errorf("wrapped: %w", &streams.Error{Kind: kind, Msg: "m"}), kindCodes)
		if e.Code != code || e.Message != "m" {
			t.Errorf("kind %d: got %v", kind, e)
		}
	}
	if e := toError(errors.New("boom"), kindCodes); e.Code != ErrInternalFailure || e.Err == nil {
		t.Errorf("plain error: %v", e)
	}
	if e := toError(&streams.Error{Kind: 200, Msg: "?"}, kindCodes); e.Code != ErrInternalFailure {
		t.Errorf("unknown kind: %v", e)
	}
	for _, c := range codes {
		if c.Status != 400 && c.Status != 413 && !(c.Fault && c.Status == 500) && !(c == ErrServiceUnavailable && c.Status == 503) {
			t.Errorf("%s: status %d", c.Name, c.Status)
		}
	}
	// Every store error kind has an AWS error type.
	for k := streams.KindNotFound; k <= streams.KindAccessDenied; k++ {
		if kindCodes[k] == nil {
			t.Errorf("kind %d has no code", k)
		}
	}
}

func TestPageTokens(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPageTokens(func() time.Time { return now })
	tok, err := p.seal(tokenListShards, listShardsToken{Name: "s", After: "shardId-000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	var got listShardsToken
	if e := p.open(tokenListShards, tok, &got); e != nil || got.Name != "s" || got.After != "shardId-000000000001" {
		t.Fatalf("open: %v %+v", e, got)
	}
	if e := p.open(tokenListStreams, tok, &got); e == nil || e.Code != ErrInvalidArgument {
		t.Errorf("wrong kind: %v", e)
	}
	tampered := []byte(tok)
	tampered[len(tampered)/2] ^= 1
	if e := p.open(tokenListShards, string(tampered), &got); e == nil || e.Code != ErrInvalidArgument {
		t.Errorf("tampered: %v", e)
	}
	if e := p.open(tokenListShards, "not a token", &got); e == nil || e.Code != ErrInvalidArgument {
		t.Errorf("garbage: %v", e)
	}
	other := newPageTokens(func() time.Time { return now })
	if e := other.open(tokenListShards, tok, &got); e == nil || e.Code != ErrInvalidArgument {
		t.Errorf("another server's token: %v", e)
	}
	now = now.Add(tokenTTL)
	if e := p.open(tokenListShards, tok, &got); e != nil {
		t.Errorf("at the TTL: %v", e)
	}
	now = now.Add(time.Millisecond)
	if e := p.open(tokenListShards, tok, &got); e == nil || e.Code != ErrExpiredNextToken {
		t.Errorf("after the TTL: %v", e)
	}
}

// The GetRecords encoder announces its length before writing: the announcement must be exact, the
// chunks must add up to the whole, and the whole must be the JSON the model describes.
func TestGetRecordsEncoding(t *testing.T) {
	big := make([]byte, base64Piece*2+1)
	for i := range big {
		big[i] = byte(i * 13)
	}
	arrival := time.UnixMilli(1506440188749)
	for _, tc := range []struct {
		name string
		res  streams.GetRecordsResult
	}{
		{"empty", streams.GetRecordsResult{NextIterator: "it", MillisBehindLatest: 0}},
		{"end of shard", streams.GetRecordsResult{MillisBehindLatest: 5, ChildShards: []streams.ChildShard{
			{ShardID: "shardId-000000000001", Parents: []string{"shardId-000000000000"},
				Hash: streams.HashRange{Start: streams.HashKey{}, End: streams.MaxHashKey}},
			{ShardID: "shardId-000000000002", Parents: []string{"shardId-000000000000", "shardId-000000000003"}}}}},
		{"records", streams.GetRecordsResult{NextIterator: "AAAA+/==", MillisBehindLatest: 1234, Records: []streams.Record{
			{SequenceNumber: "1", Arrival: arrival, Data: []byte("hello"), PartitionKey: "k"},
			{SequenceNumber: "2", Arrival: arrival.Add(time.Millisecond), Data: nil, PartitionKey: `quote " and 日本 and \x01`, Encrypted: true},
			{SequenceNumber: "3", Arrival: time.UnixMilli(1506440188000), Data: big, PartitionKey: "big"},
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &getRecordsOutput{res: tc.res}
			whole := o.appendJSON(nil)
			if n := o.encodedLen(); n != len(whole) {
				t.Errorf("encodedLen %d, encoded %d", n, len(whole))
			}
			var chunks []byte
			flushes := 0
			if err := o.encodeChunks(nil, 100, func(b []byte) error { chunks = append(chunks, b...); flushes++; return nil }); err != nil {
				t.Fatal(err)
			}
			if string(chunks) != string(whole) {
				t.Errorf("chunks differ from the whole")
			}
			var got struct {
				Records []struct {
					SequenceNumber              string
					ApproximateArrivalTimestamp float64
					Data                        []byte
					PartitionKey                string
					EncryptionType              *string
				}
				NextShardIterator  *string
				MillisBehindLatest *int64
				ChildShards        []struct {
					ShardId      string
					ParentShards []string
					HashKeyRange struct{ StartingHashKey, EndingHashKey string }
				}
			}
			if err := json.Unmarshal(whole, &got); err != nil {
				t.Fatalf("%v: %.300s", err, whole)
			}
			if len(got.Records) != len(tc.res.Records) || got.MillisBehindLatest == nil || *got.MillisBehindLatest != tc.res.MillisBehindLatest ||
				(got.NextShardIterator == nil) != (tc.res.NextIterator == "") || len(got.ChildShards) != len(tc.res.ChildShards) {
				t.Fatalf("decoded %+v", got)
			}
			for i, r := range got.Records {
				want := tc.res.Records[i]
				if r.SequenceNumber != want.SequenceNumber || string(r.Data) != string(want.Data) || r.PartitionKey != want.PartitionKey ||
					epochToTime(r.ApproximateArrivalTimestamp).UnixMilli() != want.Arrival.UnixMilli() || (r.EncryptionType != nil) != want.Encrypted {
					t.Errorf("record %d: %+v", i, r)
				}
			}
			if len(got.ChildShards) > 0 && got.ChildShards[0].HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" {
				t.Errorf("child shards: %+v", got.ChildShards)
			}
		})
	}
}

func TestBufferPool(t *testing.T) {
	for _, size := range []int{0, 1, 4 << 10, 4<<10 + 1, 1 << 20, 10 << 20, 64 << 20, 64<<20 + 1} {
		b := getBuffer(size)
		if len(*b) != 0 || cap(*b) < size || (size > 4<<10 && size <= 64<<20 && cap(*b) >= 2*size) {
			t.Errorf("getBuffer(%d): len %d cap %d", size, len(*b), cap(*b))
		}
		*b = append(*b, 1, 2, 3)
		putBuffer(b)
	}
	// A buffer that grew past its class goes back to the class it fills.
	b := getBuffer(5000)
	*b = append((*b)[:0], make([]byte, 20000)...)
	putBuffer(b)
	if cap(*b) != 16<<10 {
		t.Errorf("grown buffer pooled with cap %d", cap(*b))
	}
}
