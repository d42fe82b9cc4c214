package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkes "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/hydrantio/hydrant/streams"
)

// The event-stream codec against the AWS SDK for Go's own (aws/protocol/eventstream): each decodes what
// the other encodes, and both encode the same message to the same bytes.

var uuid16 = []byte{0xc1, 0x2e, 0x9f, 0x2c, 0x7a, 0x0e, 0x4b, 0x76, 0x8f, 0x3a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06}

// esTestMessages pairs messages in both representations.
var esTestMessages = []struct {
	name string
	ours esMessage
	sdk  sdkes.Message
}{
	{"empty", esMessage{}, sdkes.Message{}},
	{"payload only", esMessage{Payload: []byte(`{"foo":"bar"}`)}, sdkes.Message{Payload: []byte(`{"foo":"bar"}`)}},
	{"subscribe event", esMessage{
		Headers: []esHeader{esEventMessage, esSubscribeEvent, jsonEventPayload.contentType},
		Payload: []byte(`{"Records":[],"ContinuationSequenceNumber":"1","MillisBehindLatest":0}`),
	}, sdkes.Message{
		Headers: sdkes.Headers{{Name: ":message-type", Value: sdkes.StringValue("event")},
			{Name: ":event-type", Value: sdkes.StringValue("SubscribeToShardEvent")},
			{Name: ":content-type", Value: sdkes.StringValue("application/json")}},
		Payload: []byte(`{"Records":[],"ContinuationSequenceNumber":"1","MillisBehindLatest":0}`),
	}},
	{"every header type", esMessage{
		Headers: []esHeader{
			{Name: "true", Type: esTrue}, {Name: "false", Type: esFalse},
			{Name: "byte", Type: esByte, Int: -49}, {Name: "short", Type: esShort, Int: -12345},
			{Name: "int", Type: esInt, Int: 40972}, {Name: "long", Type: esLong, Int: -1 << 40},
			{Name: "bytes", Type: esBytes, Value: []byte{0, 1, 2, 255}}, {Name: "string", Type: esString, Value: []byte("héllo")},
			{Name: "timestamp", Type: esTimestamp, Int: 1700000000123}, {Name: "uuid", Type: esUUID, Value: uuid16},
		},
		Payload: []byte("payload"),
	}, sdkes.Message{
		Headers: sdkes.Headers{
			{Name: "true", Value: sdkes.BoolValue(true)}, {Name: "false", Value: sdkes.BoolValue(false)},
			{Name: "byte", Value: sdkes.Int8Value(-49)}, {Name: "short", Value: sdkes.Int16Value(-12345)},
			{Name: "int", Value: sdkes.Int32Value(40972)}, {Name: "long", Value: sdkes.Int64Value(-1 << 40)},
			{Name: "bytes", Value: sdkes.BytesValue([]byte{0, 1, 2, 255})}, {Name: "string", Value: sdkes.StringValue("héllo")},
			{Name: "timestamp", Value: sdkes.TimestampValue(time.UnixMilli(1700000000123))}, {Name: "uuid", Value: sdkes.UUIDValue(uuid16)},
		},
		Payload: []byte("payload"),
	}},
	{"large payload", esMessage{
		Headers: []esHeader{esEventMessage},
		Payload: bytes.Repeat([]byte("0123456789abcdef"), 1<<16),
	}, sdkes.Message{
		Headers: sdkes.Headers{{Name: ":message-type", Value: sdkes.StringValue("event")}},
		Payload: bytes.Repeat([]byte("0123456789abcdef"), 1<<16),
	}},
}

func TestEventStreamAgainstSDK(t *testing.T) {
	for _, tc := range esTestMessages {
		t.Run(tc.name, func(t *testing.T) {
			ours := appendESMessage(nil, &tc.ours)
			var sdk bytes.Buffer
			if err := sdkes.NewEncoder().Encode(&sdk, tc.sdk); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ours, sdk.Bytes()) {
				t.Fatalf("encodings differ:\nours %x\nsdk  %x", trunc(string(ours)), trunc(sdk.String()))
			}
			// Ours decodes it, and says the same as the SDK's decoder.
			m, n, err := decodeESMessage(ours)
			if err != nil || n != len(ours) {
				t.Fatalf("decode: %d of %d bytes, %v", n, len(ours), err)
			}
			sm, err := sdkes.NewDecoder().Decode(bytes.NewReader(ours), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m.Payload, sm.Payload) || len(m.Headers) != len(sm.Headers) {
				t.Fatalf("payload or header count differs")
			}
			for i, h := range m.Headers {
				sh := sm.Headers[i]
				if h.Name != sh.Name || esHeaderGo(h) != fmt.Sprint(sh.Value.Get()) {
					t.Errorf("header %d: ours %s=%s, sdk %s=%v", i, h.Name, esHeaderGo(h), sh.Name, sh.Value.Get())
				}
			}
			if !bytes.Equal(appendESMessage(nil, &m), ours) {
				t.Error("re-encoding the decoded message changes it")
			}
		})
	}
}

// esHeaderGo prints a header's value as the SDK's Value.Get prints.
func esHeaderGo(h esHeader) string {
	switch h.Type {
	case esTrue:
		return "true"
	case esFalse:
		return "false"
	case esByte, esShort, esInt, esLong:
		return strconv.FormatInt(h.Int, 10)
	case esTimestamp:
		return fmt.Sprint(time.UnixMilli(h.Int))
	case esBytes, esUUID:
		return fmt.Sprint(h.Value)
	}
	return string(h.Value)
}

// Each row breaks a valid message one way; the decoder must refuse it with the right error, never
// panic, never allocate by a length it has not checked.
func TestEventStreamDecodeErrors(t *testing.T) {
	good := appendESMessage(nil, &esTestMessages[3].ours)
	hlen := int(binary.BigEndian.Uint32(good[4:]))
	// fix recomputes both checksums, so that a row reaches the check it aims at.
	fix := func(b []byte) []byte {
		binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
		binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	for _, tc := range []struct {
		name string
		mod  func(b []byte) []byte
		want error
	}{
		{"empty", func(b []byte) []byte { return nil }, errESTruncated},
		{"short prelude", func(b []byte) []byte { return b[:11] }, errESTruncated},
		{"short message", func(b []byte) []byte { return b[:len(b)-1] }, errESTruncated},
		{"prelude bit flip", func(b []byte) []byte { b[5] ^= 1; return b }, errESPreludeCRC},
		{"prelude CRC flip", func(b []byte) []byte { b[9] ^= 0x80; return b }, errESPreludeCRC},
		{"payload bit flip", func(b []byte) []byte { b[len(b)-6] ^= 4; return b }, errESMessageCRC},
		{"header bit flip", func(b []byte) []byte { b[14] ^= 1; return b }, errESMessageCRC},
		{"message CRC flip", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, errESMessageCRC},
		{"total below minimum", func(b []byte) []byte { binary.BigEndian.PutUint32(b, 15); return fix(b) }, errESLength},
		{"total above maximum", func(b []byte) []byte { binary.BigEndian.PutUint32(b, esMaxMessageLen+1); return fix(b) }, errESLength},
		{"headers past the end", func(b []byte) []byte { binary.BigEndian.PutUint32(b[4:], uint32(len(b)-15)); return fix(b) }, errESLength},
		{"headers over the limit", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b, esMaxMessageLen)
			binary.BigEndian.PutUint32(b[4:], esMaxHeadersLen+1)
			return fix(b)
		}, errESLength},
		{"headers cut in a value", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[4:], uint32(hlen-3))
			return fix(b)
		}, errESHeader},
		{"header name of length 0", func(b []byte) []byte { b[12] = 0; return fix(b) }, errESHeader},
		{"unknown header type", func(b []byte) []byte { b[12+1+len("true")] = 10; return fix(b) }, errESHeader},
		{"string length past the headers", func(b []byte) []byte {
			i := bytes.Index(b, []byte("string")) + len("string") + 1
			binary.BigEndian.PutUint16(b[i:], 0xffff)
			return fix(b)
		}, errESHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.mod(bytes.Clone(good))
			_, _, err := decodeESMessage(b)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// The stream reader agrees, except that a cut prelude at the very start is a clean end.
			_, err = (&esReader{r: bytes.NewReader(b)}).Next()
			if len(b) == 0 {
				if err != io.EOF {
					t.Fatalf("reader on nothing: %v", err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("reader: got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestEventStreamReader(t *testing.T) {
	var stream []byte
	for _, tc := range esTestMessages {
		stream = appendESMessage(stream, &tc.ours)
	}
	r := &esReader{r: bytes.NewReader(stream)}
	for _, tc := range esTestMessages {
		m, err := r.Next()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(m.Payload, tc.ours.Payload) || len(m.Headers) != len(tc.ours.Headers) {
			t.Fatalf("%s: read back differs", tc.name)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("at the end: %v", err)
	}
	r = &esReader{r: bytes.NewReader(stream[:len(stream)-5])}
	for {
		if _, err := r.Next(); err != nil {
			if !errors.Is(err, errESTruncated) {
				t.Fatalf("cut stream: %v", err)
			}
			break
		}
	}
}

// FuzzEventStreamDecode feeds the decoder arbitrary bytes: it must not panic, and whatever it accepts
// must encode back to the very bytes it came from.
func FuzzEventStreamDecode(f *testing.F) {
	for _, tc := range esTestMessages[:4] {
		f.Add(appendESMessage(nil, &tc.ours))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, n, err := decodeESMessage(b)
		if err != nil {
			return
		}
		if again := appendESMessage(nil, &m); !bytes.Equal(again, b[:n]) {
			t.Fatalf("round trip differs:\nin  %x\nout %x", b[:n], again)
		}
		if m2, err := (&esReader{r: bytes.NewReader(b)}).Next(); err != nil || len(m2.Headers) != len(m.Headers) {
			t.Fatalf("the reader disagrees: %v", err)
		}
	})
}

// TestWriteFuzzSeeds writes the committed seed corpus of FuzzEventStreamDecode
// (HYDRANT_UPDATE_SEEDS=1 go test -run TestWriteFuzzSeeds ./ingest).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("HYDRANT_UPDATE_SEEDS") == "" {
		t.Skip("set HYDRANT_UPDATE_SEEDS=1 to rewrite testdata/fuzz/FuzzEventStreamDecode")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzEventStreamDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ev := streams.SubscribeEvent{Records: []streams.Record{{SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
		Arrival: time.UnixMilli(1700000000123), Data: []byte("hello"), PartitionKey: "pk"}},
		ContinuationSequenceNumber: "49590338271490256608559692538361571095921575989136588898"}
	seeds := map[string][]byte{}
	for _, tc := range esTestMessages[:4] {
		seeds[tc.name] = appendESMessage(nil, &tc.ours)
	}
	b, start := beginESMessage(nil, esEventMessage, esSubscribeEvent, jsonEventPayload.contentType)
	seeds["subscribe event with a record"] = finishESMessage(appendSubscribeEventJSON(b, &ev), start)
	b, start = beginESMessage(nil, esExceptionMessage, esStringHeader(":exception-type", "ResourceInUseException"))
	seeds["exception"] = finishESMessage(append(b, `{"message":"taken over"}`...), start)
	bad := bytes.Clone(seeds["payload only"])
	bad[len(bad)-1] ^= 1
	seeds["bad message crc"] = bad
	for name, data := range seeds {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(file, []byte("go test fuzz v1\n[]byte("+strconv.Quote(string(data))+")\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkEventStreamEncode frames a payload of each size (the headers of a SubscribeToShardEvent).
func BenchmarkEventStreamEncode(b *testing.B) {
	for _, size := range []int{0, 1 << 10, 64 << 10, 1 << 20} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			payload := bytes.Repeat([]byte("x"), size)
			buf := make([]byte, 0, size+256)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				dst, start := beginESMessage(buf[:0], esEventMessage, esSubscribeEvent, jsonEventPayload.contentType)
				buf = finishESMessage(append(dst, payload...), start)
			}
		})
	}
}

// BenchmarkSubscribeEventEncode encodes whole SubscribeToShardEvent messages: records of each size, up
// to the 1 MiB an event holds, in JSON (base64 data) and framed. This is the cost of a batch's first
// subscriber; the others of the shard copy its encoding of the records (SubscribeEvent.Memo).
func BenchmarkSubscribeEventEncode(b *testing.B) {
	for _, size := range []int{100, 1 << 10, 10 << 10, 100 << 10} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			n := max(1, (1<<20)/size)
			ev := streams.SubscribeEvent{ContinuationSequenceNumber: "49590338271490256608559692538361571095921575989136588898"}
			data := bytes.Repeat([]byte{0xab}, size)
			for i := range n {
				ev.Records = append(ev.Records, streams.Record{SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
					Arrival: time.UnixMilli(1700000000123), Data: data, PartitionKey: "partition-" + strconv.Itoa(i)})
			}
			buf := make([]byte, 0, eventSizeHint(&ev))
			b.SetBytes(int64(n * size))
			b.ReportAllocs()
			for b.Loop() {
				dst, start := beginESMessage(buf[:0], esEventMessage, esSubscribeEvent, jsonEventPayload.contentType)
				buf = finishESMessage(appendEventTailJSON(appendRecordsJSON(dst, ev.Records), &ev), start)
			}
		})
	}
}

func BenchmarkEventStreamDecode(b *testing.B) {
	msg := appendESMessage(nil, &esMessage{Headers: []esHeader{esEventMessage, esSubscribeEvent, jsonEventPayload.contentType},
		Payload: bytes.Repeat([]byte("x"), 64<<10)})
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := decodeESMessage(msg); err != nil {
			b.Fatal(err)
		}
	}
}
