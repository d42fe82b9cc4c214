package ingest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the generic request decoder: JSON text → a JSON tree (parseJSON) → a value tree typed by
// the operation's input shape (typeCheck). Type mismatches are SerializationExceptions worded as Coral's
// Java deserializer words them; constraint checks come after, in validate.go. It is the correctness
// path: every operation goes through it, and the PutRecord(s) fast path falls back to it whenever a
// body is anything but plain.

// maxJSONDepth bounds nesting so that a hostile body cannot exhaust the stack. Kinesis inputs nest at
// most four levels; unknown members may nest deeper and are skipped, never typed.
const maxJSONDepth = 128

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
	jsonBytes // a CBOR byte string (cbor_decode.go); JSON has none
)

// jsonNode is a parsed JSON value that keeps object members in document order.
type jsonNode struct {
	kind   jsonKind
	s      string // string value, or a number's literal text
	b      bool
	items  []*jsonNode
	fields []jsonField
	bin    []byte // a byte string's bytes
	// cbor marks a node decoded from a CBOR body, whose timestamps count milliseconds since the epoch
	// (JSON's count seconds) and whose blobs are byte strings (JSON's are base64 text).
	cbor bool
}

type jsonField struct {
	key string
	val *jsonNode
}

// parseJSON parses body as exactly one JSON value.
func parseJSON(body []byte) (*jsonNode, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	n, err := parseNode(dec, 0)
	if err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing data
	}
	return n, true
}

var errTooDeep = errors.New("json nesting too deep")

func parseNode(dec *json.Decoder, depth int) (*jsonNode, error) {
	if depth > maxJSONDepth {
		return nil, errTooDeep
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case nil:
		return &jsonNode{kind: jsonNull}, nil
	case bool:
		return &jsonNode{kind: jsonBool, b: t}, nil
	case json.Number:
		return &jsonNode{kind: jsonNumber, s: string(t)}, nil
	case string:
		return &jsonNode{kind: jsonString, s: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &jsonNode{kind: jsonArray}
			for dec.More() {
				item, err := parseNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '{':
			n := &jsonNode{kind: jsonObject}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := k.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T", k)
				}
				val, err := parseNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, jsonField{key: key, val: val})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", t)
}

// value is a request value typed by its shape. Exactly the members for the shape's type are set.
type value struct {
	shape *shape
	str   string    // string
	num   int64     // integer, long
	flt   float64   // double, float
	b     bool      // boolean
	blob  []byte    // blob, decoded
	t     time.Time // timestamp
	items []*value  // list; nil entries were JSON null
	// fields holds a structure's members aligned with shape.members; nil means absent (or null).
	fields []*value
	// keys and vals hold a map's entries in document order; a repeated key keeps its first position
	// and its last value.
	keys []string
	vals []*value
}

// field returns a structure's member by name, or nil.
func (v *value) field(name string) *value {
	if v == nil {
		return nil
	}
	for i, m := range v.shape.members {
		if m.name == name {
			return v.fields[i]
		}
	}
	return nil
}

// serializationError is Coral's answer to a body whose JSON types do not fit the model.
func serializationError(format string, args ...any) *Error {
	return &Error{Code: ErrSerialization, Message: fmt.Sprintf(format, args...)}
}

// The Coral/Java texts for type mismatches (kinesalite reverse-engineered them from AWS).
const (
	msgStartOfList   = "Start of list found where not expected"
	msgStartOfObject = "Start of structure or map found where not expected."
	classBoolean     = "class java.lang.Boolean"
	classString      = "class java.lang.String"
	classNumber      = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
	classBytes       = "class [B" // a CBOR byte string, which Jackson hands over as a byte[]
)

// javaTypeNames are the names Coral's messages give each scalar type ("can not be converted to an
// Integer"; the article is always "an", even where English wants "a", except for Blob).
var javaTypeNames = map[shapeType]string{
	typeString: "String", typeInteger: "Integer", typeLong: "Long", typeDouble: "Double",
	typeFloat: "Float", typeBoolean: "Boolean",
}

// typeCheck types the request body's JSON tree by the operation's input shape.
func typeCheck(n *jsonNode, s *shape) (*value, *Error) {
	switch n.kind {
	case jsonObject:
	case jsonArray:
		return nil, serializationError(msgStartOfList)
	default:
		return nil, &Error{Code: ErrSerialization}
	}
	if s == nil {
		return nil, nil
	}
	return checkNode(n, s)
}

// checkNode types a non-null node. Unknown structure members are ignored without a look, as AWS does.
// Members are checked in document order, so the first mismatch a streaming parser meets is the one
// reported.
func checkNode(n *jsonNode, s *shape) (*value, *Error) {
	switch s.typ {
	case typeStructure:
		switch n.kind {
		case jsonObject:
		case jsonArray:
			return nil, serializationError(msgStartOfList)
		default:
			return nil, serializationError("Expected null")
		}
		v := &value{shape: s, fields: make([]*value, len(s.members))}
		for _, f := range n.fields {
			m := s.byName[f.key]
			if m == nil {
				continue
			}
			i := memberIndex(s, m)
			if f.val.kind == jsonNull {
				v.fields[i] = nil
				continue
			}
			fv, err := checkNode(f.val, m.shape)
			if err != nil {
				return nil, err
			}
			v.fields[i] = fv
		}
		return v, nil

	case typeList:
		switch n.kind {
		case jsonArray:
		case jsonObject:
			return nil, serializationError(msgStartOfObject)
		default:
			return nil, serializationError("Expected list or null")
		}
		v := &value{shape: s, items: make([]*value, len(n.items))}
		for i, item := range n.items {
			if item.kind == jsonNull {
				continue
			}
			iv, err := checkNode(item, s.elem)
			if err != nil {
				return nil, err
			}
			v.items[i] = iv
		}
		return v, nil

	case typeMap:
		switch n.kind {
		case jsonObject:
		case jsonArray:
			return nil, serializationError(msgStartOfList)
		default:
			return nil, serializationError("Expected map or null")
		}
		v := &value{shape: s}
		for _, f := range n.fields {
			if f.val.kind == jsonNull {
				continue
			}
			fv, err := checkNode(f.val, s.value)
			if err != nil {
				return nil, err
			}
			if i := indexOf(v.keys, f.key); i >= 0 {
				v.vals[i] = fv
				continue
			}
			v.keys = append(v.keys, f.key)
			v.vals = append(v.vals, fv)
		}
		return v, nil
	}

	// Scalars: containers are rejected the same way for every scalar type.
	switch n.kind {
	case jsonArray:
		return nil, serializationError(msgStartOfList)
	case jsonObject:
		return nil, serializationError(msgStartOfObject)
	}
	switch s.typ {
	case typeString:
		switch n.kind {
		case jsonString:
			return &value{shape: s, str: n.s}, nil
		case jsonBool:
			return nil, serializationError("%s can not be converted to an String", classBoolean)
		case jsonBytes:
			return nil, serializationError("%s can not be converted to an String", classBytes)
		default:
			return nil, serializationError("%s can not be converted to an String", classNumber)
		}

	case typeInteger, typeLong:
		switch n.kind {
		case jsonNumber:
			bits := 64
			if s.typ == typeInteger {
				bits = 32
			}
			return &value{shape: s, num: parseInteger(n.s, bits)}, nil
		case jsonBool:
			return nil, serializationError("%s can not be converted to an %s", classBoolean, javaTypeNames[s.typ])
		case jsonBytes:
			return nil, serializationError("%s can not be converted to an %s", classBytes, javaTypeNames[s.typ])
		default:
			return nil, serializationError("%s can not be converted to an %s", classString, javaTypeNames[s.typ])
		}

	case typeDouble, typeFloat:
		switch n.kind {
		case jsonNumber:
			f, _ := strconv.ParseFloat(n.s, 64)
			return &value{shape: s, flt: f}, nil
		case jsonBool:
			return nil, serializationError("%s can not be converted to an %s", classBoolean, javaTypeNames[s.typ])
		case jsonBytes:
			return nil, serializationError("%s can not be converted to an %s", classBytes, javaTypeNames[s.typ])
		default:
			return nil, serializationError("%s can not be converted to an %s", classString, javaTypeNames[s.typ])
		}

	case typeBoolean:
		switch n.kind {
		case jsonBool:
			return &value{shape: s, b: n.b}, nil
		case jsonNumber:
			return nil, serializationError("%s can not be converted to an Boolean", classNumber)
		case jsonBytes:
			return nil, serializationError("%s can not be converted to an Boolean", classBytes)
		default:
			// Coral accepts the usual spellings of a boolean in a string and reports others upper-cased.
			switch up := strings.ToUpper(n.s); up {
			case "TRUE", "YES", "1":
				return &value{shape: s, b: true}, nil
			case "FALSE", "NO", "0":
				return &value{shape: s, b: false}, nil
			default:
				return nil, serializationError("'%s' can not be converted to an Boolean", up)
			}
		}

	case typeBlob:
		switch n.kind {
		case jsonBytes:
			return &value{shape: s, blob: n.bin}, nil
		case jsonString:
			if n.cbor {
				// No SDK sends a CBOR blob as base64 text (the Java SDKs write byte strings).
				return nil, serializationError("%s can not be converted to a Blob", classString)
			}
			b, msg := decodeBase64(n.s)
			if msg != "" {
				return nil, serializationError("'%s' can not be converted to a Blob: %s", n.s, msg)
			}
			return &value{shape: s, blob: b}, nil
		case jsonBool:
			return nil, serializationError("%s can not be converted to a Blob", classBoolean)
		default:
			return nil, serializationError("%s can not be converted to a Blob", classNumber)
		}

	case typeTimestamp:
		switch n.kind {
		case jsonNumber:
			if n.cbor {
				return cborTimestamp(n, s)
			}
			f, err := strconv.ParseFloat(n.s, 64)
			if err != nil || math.IsInf(f, 0) || math.Abs(f) > maxEpochSeconds {
				return nil, serializationError("%s can not be converted to milliseconds since epoch", classNumber)
			}
			return &value{shape: s, t: epochToTime(f)}, nil
		case jsonBool:
			return nil, serializationError("%s can not be converted to milliseconds since epoch", classBoolean)
		case jsonBytes:
			return nil, serializationError("%s can not be converted to milliseconds since epoch", classBytes)
		default:
			return nil, serializationError("%s can not be converted to milliseconds since epoch", classString)
		}
	}
	return nil, internal(fmt.Errorf("shape %s has unsupported type %d", s.name, s.typ))
}

func memberIndex(s *shape, m *member) int {
	for i, x := range s.members {
		if x == m {
			return i
		}
	}
	return -1
}

func indexOf(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

// parseInteger converts a JSON number to an integer of the given width as Coral's TruncatingBigNumber
// does: fractions are dropped and out-of-range values saturate.
func parseInteger(lit string, bits int) int64 {
	var n int64
	if strings.ContainsAny(lit, ".eE") {
		f, _ := strconv.ParseFloat(lit, 64)
		f = math.Trunc(f)
		switch {
		case math.IsNaN(f):
			n = 0
		case f >= math.MaxInt64:
			n = math.MaxInt64
		case f <= math.MinInt64:
			n = math.MinInt64
		default:
			n = int64(f)
		}
	} else {
		n, _ = strconv.ParseInt(lit, 10, 64) // saturates on overflow
	}
	if bits == 32 {
		n = max(math.MinInt32, min(math.MaxInt32, n))
	}
	return n
}

// maxEpochSeconds keeps timestamps within what time.Time and the store handle (year ~5138).
const maxEpochSeconds = 1 << 37

// epochToTime converts epoch seconds with a fraction to a time, exact to the microsecond (AWS carries
// milliseconds; float64 holds microseconds of current dates exactly).
func epochToTime(sec float64) time.Time {
	us := math.Round(sec * 1e6)
	return time.UnixMicro(int64(us)).UTC()
}

// decodeBase64 decodes a blob as Coral does, returning Coral's complaint when it cannot: the length
// must be a multiple of four, only the standard alphabet may appear, '=' only as trailing padding, and
// the bits after the last character must be zero. ("dectected" is AWS's spelling.)
func decodeBase64(s string) ([]byte, string) {
	if n := utf16Len(s); n%4 != 0 {
		return nil, fmt.Sprintf("Base64 encoded length is expected a multiple of 4 bytes but found: %d", n)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
		case c == '=':
			if i+1 < len(s) && s[i+1] != '=' {
				return nil, "Invalid Base64 character: '='"
			}
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, fmt.Sprintf("Invalid Base64 character: '%c'", r)
		}
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, "Invalid last non-pad Base64 character dectected"
	}
	return b, ""
}

// utf16Len is the length of UTF-8 text as Java counts it (UTF-16 code units), which is what Coral's
// length constraints measure: one unit per character, two for those beyond the Basic Multilingual
// Plane. Text reaching it is valid UTF-8 (encoding/json replaces invalid bytes; the fast path refuses
// them), so it counts the bytes that start a character, plus one for each that starts four bytes.
func utf16Len[T ~string | ~[]byte](s T) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 || c >= 0xC0 {
			n++
		}
		if c >= 0xF0 && c < 0xF8 {
			n++
		}
	}
	return n
}
