package ingest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/fxamacker/cbor/v2"
)

// A small value language for requests, encoded both as AWS JSON (as the Go, JS and Python SDKs send it)
// and as CBOR the way the AWS SDK for Java v2 sends it. The Java SDK is not installable here, so its
// encoding is reproduced from its source: SdkJsonGenerator (the SDK's StructuredJsonGenerator) drives
// Jackson's CBORGenerator with writeStartObject()/writeStartArray() without a size, which Jackson writes
// as indefinite-length maps (0xBF … 0xFF) and arrays (0x9F … 0xFF); SdkCborGenerator writes a timestamp
// as writeTag(1) + writeNumber(epochMillis); blobs go through writeBinary (a definite byte string);
// CBORGenerator's defaults (WRITE_MINIMAL_INTS on, WRITE_TYPE_HEADER off) give shortest integers and no
// self-describe tag, and its _writeString chunks strings longer than 3996 Java chars (see jacksonText).

// obj is a JSON object / CBOR map whose members keep their order.
type obj []kv

type kv struct {
	k string
	v any
}

// blob is a blob member: base64 text in JSON, a byte string in CBOR.
type blob []byte

// stamp is a timestamp member: epoch seconds in JSON, tag 1 and epoch milliseconds in CBOR.
type stamp time.Time

// rawCBOR is CBOR spliced in as is (for malformed or unusual requests).
type rawCBOR []byte

// toJSON encodes v as AWS JSON 1.1.
func toJSON(v any) []byte {
	var b bytes.Buffer
	var enc func(v any)
	enc = func(v any) {
		switch v := v.(type) {
		case obj:
			b.WriteByte('{')
			for i, m := range v {
				if i > 0 {
					b.WriteByte(',')
				}
				b.Write(jsontext.AppendString(nil, m.k))
				b.WriteByte(':')
				enc(m.v)
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, x := range v {
				if i > 0 {
					b.WriteByte(',')
				}
				enc(x)
			}
			b.WriteByte(']')
		case blob:
			b.Write(jsontext.AppendString(nil, base64.StdEncoding.EncodeToString(v)))
		case stamp:
			b.Write(appendEpoch(nil, time.Time(v)))
		case string:
			b.Write(jsontext.AppendString(nil, v))
		case nil:
			b.WriteString("null")
		default:
			js, err := json.Marshal(v)
			if err != nil {
				panic(err)
			}
			b.Write(js)
		}
	}
	enc(v)
	return b.Bytes()
}

// toJackson encodes v as the Java SDK v2's Jackson CBORGenerator does.
func toJackson(v any) []byte {
	var b []byte
	var enc func(v any)
	enc = func(v any) {
		switch v := v.(type) {
		case obj:
			b = append(b, 0xbf)
			for _, m := range v {
				b = jacksonText(b, m.k)
				enc(m.v)
			}
			b = append(b, 0xff)
		case []any:
			b = append(b, 0x9f)
			for _, x := range v {
				enc(x)
			}
			b = append(b, 0xff)
		case blob:
			b = appendCBORBytes(b, v)
		case stamp:
			b = appendCBORInt(append(b, 0xc1), time.Time(v).UnixMilli())
		case string:
			b = jacksonText(b, v)
		case int:
			b = appendCBORInt(b, int64(v))
		case int64:
			b = appendCBORInt(b, v)
		case float64:
			b = appendCBORFloat(b, v)
		case bool:
			b = appendCBORBool(b, v)
		case nil:
			b = append(b, cborNull)
		case rawCBOR:
			b = append(b, v...)
		default:
			panic(fmt.Sprintf("toJackson: %T", v))
		}
	}
	enc(v)
	return b
}

// jacksonText writes a text string as CBORGenerator._writeString does: up to 23 chars a one-byte head
// if the UTF-8 fits (else a 1-byte length), up to 255 chars a 1-byte length if the UTF-8 fits in 255
// bytes (else 2 bytes), up to 3996 chars a 2-byte length (so in practice the shortest head), and longer
// strings as indefinite-length chunks of 3996 chars.
func jacksonText(b []byte, s string) []byte {
	chars := len(utf16.Encode([]rune(s)))
	n := len(s)
	switch {
	case chars == 0:
		return append(b, 0x60)
	case chars <= 23 && n <= 23:
		b = append(b, 0x60|byte(n))
	case chars <= 23 || (chars <= 255 && n <= 255):
		b = append(b, 0x78, byte(n))
	case chars <= 3996:
		b = append(b, 0x79, byte(n>>8), byte(n))
	default:
		// _writeChunkedString: chunks of 3996 chars (not splitting a surrogate pair), each with a
		// 2-byte length, the rest written as a string of its own, then a break.
		u := utf16.Encode([]rune(s))
		b = append(b, 0x7f)
		for len(u) > 3996 {
			k := 3996
			if utf16.IsSurrogate(rune(u[k-1])) && u[k-1] < 0xdc00 {
				k--
			}
			chunk := string(utf16.Decode(u[:k]))
			b = append(b, 0x79, byte(len(chunk)>>8), byte(len(chunk)))
			b = append(b, chunk...)
			u = u[k:]
		}
		if len(u) > 0 {
			b = jacksonText(b, string(utf16.Decode(u)))
		}
		return append(b, 0xff)
	}
	return append(b, s...)
}

// hexFixture reads an annotated hex file: '#' starts a comment, whitespace is ignored.
func hexFixture(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var digits strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		line, _, _ = strings.Cut(line, "#")
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// cborRequest builds a signed CBOR request for a Kinesis operation.
func cborRequest(op string, body []byte, mods ...func(*http.Request)) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentTypeCBOR)
	if op != "" {
		r.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	}
	r.Header.Set("Authorization", testAuth)
	r.Header.Set("X-Amz-Date", "20261122T000000Z")
	for _, m := range mods {
		m(r)
	}
	return r
}

// refDecMode is fxamacker/cbor as an independent reader of Hydrant's answers: maps to map[string]any,
// byte strings to []byte, tag 1 to time.Time — which it reads as RFC 8949 seconds, so a timestamp
// carrying milliseconds comes back with Unix() equal to the milliseconds.
var refDecMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DefaultMapType: reflect.TypeOf(map[string]any(nil)),
		IntDec:         cbor.IntDecConvertNone,
		TimeTagToAny:   cbor.TimeTagToTime,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

// canonical turns a decoded CBOR answer into the form its JSON twin decodes to (map[string]any, []any,
// string, bool, nil, and numbers as json.Number text), so the two can be compared: byte strings become
// base64, tag-1 timestamps (whose "seconds" are milliseconds) become JSON's epoch seconds. It fails on
// a timestamp that is not an integer of milliseconds: the Java SDK parses them with Long.parseLong.
func canonical(t testing.TB, v any) any {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = canonical(t, x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = canonical(t, x)
		}
		return out
	case []byte:
		return base64.StdEncoding.EncodeToString(v)
	case time.Time:
		if v.Nanosecond() != 0 {
			t.Errorf("timestamp %v is not an integer of milliseconds", v)
		}
		return json.Number(appendEpoch(nil, time.UnixMilli(v.Unix())))
	case uint64:
		return json.Number(strconv.FormatUint(v, 10))
	case int64:
		return json.Number(strconv.FormatInt(v, 10))
	case big.Int:
		return json.Number(v.String())
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return json.Number(strconv.FormatInt(int64(v), 10))
		}
		return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return v
}

// decodeCBORAnswer decodes a CBOR answer with the reference decoder into canonical form.
func decodeCBORAnswer(t testing.TB, b []byte) any {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	var v any
	if err := refDecMode.Unmarshal(b, &v); err != nil {
		t.Fatalf("answer is not CBOR: %v\n%x", err, b)
	}
	return canonical(t, v)
}

// decodeJSONAnswer decodes a JSON answer into canonical form.
func decodeJSONAnswer(t testing.TB, b []byte) any {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, b)
	}
	return v
}
