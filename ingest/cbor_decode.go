package ingest

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// The generic CBOR request decoder: CBOR bytes → the same tree the JSON decoder builds (jsonNode), so that
// typeCheck, validate and the binders serve both protocols and a CBOR request gets exactly the errors a
// JSON one does. The differences CBOR brings stay in the tree: byte strings become jsonBytes nodes, and
// every node is marked cbor, which makes typeCheck read timestamps as milliseconds and refuse text where
// a blob belongs.
//
// fxamacker/cbor checks the whole body first (well-formed, one item, nesting and sizes bounded) and then
// decodes the leaves (integers of every width, half/single/double floats, definite and chunked strings,
// UTF-8); this file walks the containers and tags itself, because the tree must keep map entries in
// document order (the first type error in document order is the one reported, and a repeated key
// behaves as in JSON), and because tag 1 must not be read as RFC 8949 seconds: AWS's CBOR puts epoch
// milliseconds there.
//
// What Jackson's CBOR parser (which AWS's front end uses) does, so does this decoder: tags other than
// bignums are ignored, bignums (tags 2 and 3) are numbers, undefined is null. Map keys must be text.

// cborDecMode is the decoding mode for request bodies. Nesting is bounded as for JSON bodies; element
// counts by the body size cap (every element takes at least a byte).
var cborDecMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:  maxJSONDepth + 1,
		MaxArrayElements: DefaultMaxBodyBytes,
		MaxMapPairs:      DefaultMaxBodyBytes,
		IndefLength:      cbor.IndefLengthAllowed,
		DupMapKey:        cbor.DupMapKeyQuiet,
		UTF8:             cbor.UTF8RejectInvalid,
		IntDec:           cbor.IntDecConvertNone,
		BigIntDec:        cbor.BigIntDecodeValue,
	}.DecMode()
	if err != nil {
		panic("ingest: CBOR decoding options: " + err.Error())
	}
	return dm
}()

// CBOR major types.
const (
	cborUint   = 0
	cborNegint = 1
	cborBytes  = 2
	cborText   = 3
	cborArray  = 4
	cborMap    = 5
	cborTag    = 6
	cborSimple = 7
)

// cborBreak ends an indefinite-length item; cborIndef is the additional information that starts one.
const (
	cborBreak = 0xff
	cborIndef = 31
)

// parseCBOR parses body as exactly one CBOR data item.
func parseCBOR(body []byte) (*jsonNode, bool) {
	if cborDecMode.Wellformed(body) != nil {
		return nil, false
	}
	t := cborReader{b: body}
	n, ok := t.node()
	return n, ok && t.i == len(body)
}

// cborReader is a cursor over CBOR bytes. Its reads check bounds and report false rather than panic, so
// the fast path (cbor_fastpath.go) uses it on unchecked bodies too.
type cborReader struct {
	b []byte
	i int
}

// head reads an item's initial byte and argument. indef reports an indefinite length (arg is then 0).
func (t *cborReader) head() (major byte, arg uint64, indef bool, ok bool) {
	if t.i >= len(t.b) {
		return 0, 0, false, false
	}
	c := t.b[t.i]
	major, ai := c>>5, c&0x1f
	t.i++
	switch {
	case ai < 24:
		return major, uint64(ai), false, true
	case ai == cborIndef:
		return major, 0, true, true
	case ai > 27:
		return 0, 0, false, false
	}
	n := 1 << (ai - 24)
	if len(t.b)-t.i < n {
		return 0, 0, false, false
	}
	for _, x := range t.b[t.i : t.i+n] {
		arg = arg<<8 | uint64(x)
	}
	t.i += n
	return major, arg, false, true
}

// atBreak consumes a break byte if one is next.
func (t *cborReader) atBreak() bool {
	if t.i < len(t.b) && t.b[t.i] == cborBreak {
		t.i++
		return true
	}
	return false
}

func (t *cborReader) node() (*jsonNode, bool) {
	// Tags nest without bound and without adding to the nesting depth the body was checked for, so
	// they are skipped in a loop; only the innermost one counts.
	tag, tagged := uint64(0), false
	for t.i < len(t.b) && t.b[t.i]>>5 == cborTag {
		_, num, _, ok := t.head()
		if !ok {
			return nil, false
		}
		tag, tagged = num, true
	}
	if t.i >= len(t.b) {
		return nil, false
	}
	switch t.b[t.i] >> 5 {
	case cborArray:
		_, n, indef, ok := t.head()
		if !ok {
			return nil, false
		}
		a := &jsonNode{kind: jsonArray, cbor: true}
		for i := uint64(0); indef || i < n; i++ {
			if indef && t.atBreak() {
				break
			}
			item, ok := t.node()
			if !ok {
				return nil, false
			}
			a.items = append(a.items, item)
		}
		return a, true
	case cborMap:
		_, n, indef, ok := t.head()
		if !ok {
			return nil, false
		}
		m := &jsonNode{kind: jsonObject, cbor: true}
		for i := uint64(0); indef || i < n; i++ {
			if indef && t.atBreak() {
				break
			}
			if t.i >= len(t.b) || t.b[t.i]>>5 != cborText {
				return nil, false
			}
			var key string
			if !t.leaf(&key) {
				return nil, false
			}
			val, ok := t.node()
			if !ok {
				return nil, false
			}
			m.fields = append(m.fields, jsonField{key: key, val: val})
		}
		return m, true
	case cborBytes:
		if tagged && (tag == 2 || tag == 3) {
			// A bignum, as Jackson reads it: a number. Other tags are ignored, tag 1 (timestamps) included.
			var mag []byte
			if !t.leaf(&mag) {
				return nil, false
			}
			z := new(big.Int).SetBytes(mag)
			if tag == 3 {
				z.Neg(z).Sub(z, big.NewInt(1)) // -1 - n
			}
			return &jsonNode{kind: jsonNumber, s: z.String(), cbor: true}, true
		}
	}
	var v any
	if !t.leaf(&v) {
		return nil, false
	}
	n := &jsonNode{cbor: true}
	switch v := v.(type) {
	case nil: // null and undefined
		n.kind = jsonNull
	case bool:
		n.kind, n.b = jsonBool, v
	case string:
		n.kind, n.s = jsonString, v
	case []byte:
		n.kind, n.bin = jsonBytes, v
	case uint64:
		n.kind, n.s = jsonNumber, strconv.FormatUint(v, 10)
	case int64:
		n.kind, n.s = jsonNumber, strconv.FormatInt(v, 10)
	case big.Int:
		n.kind, n.s = jsonNumber, v.String()
	case float64:
		n.kind, n.s = jsonNumber, formatCBORFloat(v)
	default: // simple values other than booleans, null and undefined
		return nil, false
	}
	return n, true
}

// leaf decodes the next item (not a container or tag) into v with fxamacker/cbor.
func (t *cborReader) leaf(v any) bool {
	rest, err := cborDecMode.UnmarshalFirst(t.b[t.i:], v)
	if err != nil {
		return false
	}
	t.i = len(t.b) - len(rest)
	return true
}

// formatCBORFloat writes a float as the number literal the JSON tree holds. Infinities become literals
// that parse back to infinities (and saturate integers, as Coral's TruncatingBigNumber does).
func formatCBORFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "1e999"
	case math.IsInf(f, -1):
		return "-1e999"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// cborTimestamp types a CBOR number as a timestamp: epoch milliseconds, as the Java SDKs send them
// (tag 1 and an integer; floats and untagged numbers are read the same way).
func cborTimestamp(n *jsonNode, s *shape) (*value, *Error) {
	const maxMillis = maxEpochSeconds * 1000
	bad := func() (*value, *Error) {
		return nil, serializationError("%s can not be converted to milliseconds since epoch", classNumber)
	}
	if !strings.ContainsAny(n.s, ".eEIN") {
		ms, err := strconv.ParseInt(n.s, 10, 64)
		if err != nil || ms > maxMillis || ms < -maxMillis {
			return bad()
		}
		return &value{shape: s, t: time.UnixMilli(ms).UTC()}, nil
	}
	f, err := strconv.ParseFloat(n.s, 64)
	if (err != nil && !math.IsInf(f, 0)) || math.IsNaN(f) || math.Abs(f) > maxMillis {
		return bad()
	}
	return &value{shape: s, t: time.UnixMicro(int64(math.Round(f * 1000))).UTC()}, nil
}
