package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The AWS event-stream framing (application/vnd.amazon.eventstream), in which SubscribeToShard answers:
// a sequence of messages, each
//
//	 0            4              8             12                              total-4
//	+------------+--------------+-------------+---------+---------------------+-------------+
//	| total len  | headers len  | prelude CRC | headers | payload             | message CRC |
//	| uint32     | uint32       | uint32      |         |                     | uint32      |
//	+------------+--------------+-------------+---------+---------------------+-------------+
//	integers big-endian; CRCs are CRC-32 (IEEE): the prelude's covers bytes 0..8, the message's
//	everything before it; total len counts the whole message, its own 4 bytes included
//
// and a header is
//
//	+----------+------+------+-------+
//	| name len | name | type | value |
//	| uint8    |      | uint8|       |
//	+----------+------+------+-------+
//	type  value
//	0, 1  none: the boolean true, false
//	2     int8          3  int16        4  int32        5  int64
//	6     bytes: uint16 length, then the bytes
//	7     string: uint16 length, then UTF-8
//	8     timestamp: int64 milliseconds since the epoch
//	9     UUID: 16 bytes
//
// Messages are encoded append-style into the caller's buffer (no allocation), and decoded from a byte
// slice or an io.Reader with every length checked against the data and the limits below before use.

// Header value types.
const (
	esTrue      byte = 0
	esFalse     byte = 1
	esByte      byte = 2
	esShort     byte = 3
	esInt       byte = 4
	esLong      byte = 5
	esBytes     byte = 6
	esString    byte = 7
	esTimestamp byte = 8
	esUUID      byte = 9
)

// Limits of the format as the AWS SDKs apply them: 128 KiB of headers and 16 MiB of payload (Hydrant's
// largest event, one 10 MiB record in base64, is 13.4 MiB).
const (
	esPreludeLen    = 12
	esMinMessageLen = esPreludeLen + 4
	esMaxHeadersLen = 128 << 10
	esMaxPayloadLen = 16 << 20
	esMaxMessageLen = esMinMessageLen + esMaxHeadersLen + esMaxPayloadLen
)

// Content type of an event-stream response.
const contentTypeEventStream = "application/vnd.amazon.eventstream"

// esHeader is one header. Value holds the bytes of bytes, string and UUID values; Int the number of
// the integer and timestamp types; booleans are the type alone.
type esHeader struct {
	Name  string
	Type  byte
	Int   int64
	Value []byte
}

// esString returns a string header.
func esStringHeader(name, value string) esHeader {
	return esHeader{Name: name, Type: esString, Value: []byte(value)}
}

// String returns a string or bytes header's value.
func (h esHeader) String() string { return string(h.Value) }

// esMessage is one decoded message. Its headers' values and payload alias the decoded bytes.
type esMessage struct {
	Headers []esHeader
	Payload []byte
}

// Header returns the header called name, if any.
func (m *esMessage) Header(name string) (esHeader, bool) {
	for _, h := range m.Headers {
		if h.Name == name {
			return h, true
		}
	}
	return esHeader{}, false
}

// Errors of the decoder. A message that fails any check is reported with one of these, wrapped with
// where it failed.
var (
	errESTruncated  = errors.New("event stream: truncated message")
	errESLength     = errors.New("event stream: bad length")
	errESPreludeCRC = errors.New("event stream: prelude checksum mismatch")
	errESMessageCRC = errors.New("event stream: message checksum mismatch")
	errESHeader     = errors.New("event stream: malformed header")
)

// appendESHeader appends one header.
func appendESHeader(dst []byte, h esHeader) []byte {
	dst = append(dst, byte(len(h.Name)))
	dst = append(dst, h.Name...)
	dst = append(dst, h.Type)
	switch h.Type {
	case esByte:
		dst = append(dst, byte(h.Int))
	case esShort:
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Int))
	case esInt:
		dst = binary.BigEndian.AppendUint32(dst, uint32(h.Int))
	case esLong, esTimestamp:
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.Int))
	case esBytes, esString:
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.Value)))
		dst = append(dst, h.Value...)
	case esUUID:
		dst = append(dst, h.Value...)
	}
	return dst
}

// beginESMessage appends a message's prelude (to be completed) and headers, and returns the offset of
// the message in dst. Append the payload, then call finishESMessage. Headers must be valid: names up
// to 255 bytes, values up to 65535, UUIDs of 16 bytes.
func beginESMessage(dst []byte, headers ...esHeader) ([]byte, int) {
	start := len(dst)
	dst = append(dst, make([]byte, esPreludeLen)...)
	for _, h := range headers {
		dst = appendESHeader(dst, h)
	}
	binary.BigEndian.PutUint32(dst[start+4:], uint32(len(dst)-start-esPreludeLen))
	return dst, start
}

// finishESMessage fills in the lengths and checksums of the message begun at start in dst.
func finishESMessage(dst []byte, start int) []byte {
	total := len(dst) - start + 4
	binary.BigEndian.PutUint32(dst[start:], uint32(total))
	binary.BigEndian.PutUint32(dst[start+8:], crc32.ChecksumIEEE(dst[start:start+8]))
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
}

// appendESMessage appends a whole message.
func appendESMessage(dst []byte, m *esMessage) []byte {
	dst, start := beginESMessage(dst, m.Headers...)
	dst = append(dst, m.Payload...)
	return finishESMessage(dst, start)
}

// esPrelude checks a message's prelude and returns its total and headers lengths.
func esPrelude(b []byte) (total, headers int, err error) {
	if len(b) < esPreludeLen {
		return 0, 0, errESTruncated
	}
	t, h := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	if crc32.ChecksumIEEE(b[:8]) != binary.BigEndian.Uint32(b[8:]) {
		return 0, 0, errESPreludeCRC
	}
	if t < esMinMessageLen || t > esMaxMessageLen || h > esMaxHeadersLen || h > t-esMinMessageLen {
		return 0, 0, fmt.Errorf("%w: total %d, headers %d", errESLength, t, h)
	}
	return int(t), int(h), nil
}

// decodeESMessage decodes the message at the start of b and returns it and its length. The message
// aliases b.
func decodeESMessage(b []byte) (esMessage, int, error) {
	total, hlen, err := esPrelude(b)
	if err != nil {
		return esMessage{}, 0, err
	}
	if len(b) < total {
		return esMessage{}, 0, errESTruncated
	}
	b = b[:total]
	if crc32.ChecksumIEEE(b[:total-4]) != binary.BigEndian.Uint32(b[total-4:]) {
		return esMessage{}, 0, errESMessageCRC
	}
	headers, err := decodeESHeaders(b[esPreludeLen : esPreludeLen+hlen])
	if err != nil {
		return esMessage{}, 0, err
	}
	return esMessage{Headers: headers, Payload: b[esPreludeLen+hlen : total-4]}, total, nil
}

func decodeESHeaders(b []byte) ([]esHeader, error) {
	var out []esHeader
	for len(b) > 0 {
		n := int(b[0])
		if n == 0 || len(b) < 1+n+1 {
			return nil, errESHeader
		}
		h := esHeader{Name: string(b[1 : 1+n]), Type: b[1+n]}
		b = b[2+n:]
		fixed := 0
		switch h.Type {
		case esTrue, esFalse:
		case esByte:
			fixed = 1
		case esShort:
			fixed = 2
		case esInt:
			fixed = 4
		case esLong, esTimestamp:
			fixed = 8
		case esUUID:
			fixed = 16
		case esBytes, esString:
			if len(b) < 2 {
				return nil, errESHeader
			}
			fixed = 2 + int(binary.BigEndian.Uint16(b))
		default:
			return nil, fmt.Errorf("%w: %q has unknown type %d", errESHeader, h.Name, h.Type)
		}
		if len(b) < fixed {
			return nil, fmt.Errorf("%w: %q is truncated", errESHeader, h.Name)
		}
		v := b[:fixed]
		switch h.Type {
		case esByte:
			h.Int = int64(int8(v[0]))
		case esShort:
			h.Int = int64(int16(binary.BigEndian.Uint16(v)))
		case esInt:
			h.Int = int64(int32(binary.BigEndian.Uint32(v)))
		case esLong, esTimestamp:
			h.Int = int64(binary.BigEndian.Uint64(v))
		case esBytes, esString:
			h.Value = v[2:]
		case esUUID:
			h.Value = v
		}
		out = append(out, h)
		b = b[fixed:]
	}
	return out, nil
}

// esReader reads messages from a stream, such as a SubscribeToShard response body.
type esReader struct {
	r   io.Reader
	buf []byte
}

// Next reads the next message; it aliases the reader's buffer until the next call. At the end of the
// stream between messages it returns io.EOF; in the middle of one, errESTruncated.
func (r *esReader) Next() (esMessage, error) {
	if cap(r.buf) < esPreludeLen {
		r.buf = make([]byte, 0, 64<<10)
	}
	b := r.buf[:esPreludeLen]
	if n, err := io.ReadFull(r.r, b); err != nil {
		if n == 0 && err == io.EOF {
			return esMessage{}, io.EOF
		}
		return esMessage{}, errESTruncated
	}
	total, _, err := esPrelude(b)
	if err != nil {
		return esMessage{}, err
	}
	if cap(r.buf) < total {
		r.buf = append(r.buf[:esPreludeLen], make([]byte, total-esPreludeLen)...)
	}
	b = r.buf[:total]
	if _, err := io.ReadFull(r.r, b[esPreludeLen:]); err != nil {
		return esMessage{}, errESTruncated
	}
	m, _, err := decodeESMessage(b)
	return m, err
}
