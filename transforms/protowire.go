package transforms

import "errors"

// The few protobuf wire-format primitives the KPL record format needs
// (https://protobuf.dev/programming-guides/encoding/). Hand-written: one message type does not
// earn a code generator and its runtime.

const (
	wireVarint = 0
	wireI64    = 1
	wireLen    = 2
	wireI32    = 5
)

var (
	errVarint   = errors.New("bad varint")
	errTrunc    = errors.New("truncated field")
	errWireType = errors.New("unsupported wire type")
)

// consumeVarint decodes a base-128 varint at the start of b and returns it and its length.
func consumeVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0, errVarint // more than 64 bits
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errVarint
}

// consumeField decodes the field at the start of b: its number, wire type, the varint value (for
// varints) or the payload (for length-delimited fields), and its whole length. Fixed-width fields
// are skipped; groups (wire types 3 and 4, long deprecated) are an error.
func consumeField(b []byte) (num uint64, typ int, v uint64, payload []byte, n int, err error) {
	tag, n, err := consumeVarint(b)
	if err != nil {
		return 0, 0, 0, nil, 0, err
	}
	num, typ = tag>>3, int(tag&7)
	if num == 0 {
		return 0, 0, 0, nil, 0, errors.New("field number 0")
	}
	switch typ {
	case wireVarint:
		var k int
		if v, k, err = consumeVarint(b[n:]); err != nil {
			return 0, 0, 0, nil, 0, err
		}
		n += k
	case wireLen:
		l, k, err := consumeVarint(b[n:])
		if err != nil {
			return 0, 0, 0, nil, 0, err
		}
		n += k
		if l > uint64(len(b)-n) {
			return 0, 0, 0, nil, 0, errTrunc
		}
		payload = b[n : n+int(l)]
		n += int(l)
	case wireI64, wireI32:
		w := 8
		if typ == wireI32 {
			w = 4
		}
		if len(b)-n < w {
			return 0, 0, 0, nil, 0, errTrunc
		}
		n += w
	default:
		return 0, 0, 0, nil, 0, errWireType
	}
	return num, typ, v, payload, n, nil
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, num uint64, typ int) []byte {
	return appendVarint(b, num<<3|uint64(typ))
}

func appendBytesField(b []byte, num uint64, p []byte) []byte {
	b = appendTag(b, num, wireLen)
	b = appendVarint(b, uint64(len(p)))
	return append(b, p...)
}

func appendStringField(b []byte, num uint64, s string) []byte {
	b = appendTag(b, num, wireLen)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendVarintField(b []byte, num, v uint64) []byte {
	return appendVarint(appendTag(b, num, wireVarint), v)
}

// varintLen is the encoded length of v.
func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
