package ingest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CBOR answers. Every container is written with a definite length (the encoder knows its counts) and
// every head in its shortest form; Jackson's parser, which the Java SDKs use, reads definite and
// indefinite lengths alike. Timestamps are tag 1 and an integer of epoch milliseconds (see cbor.go).
//
// The hot outputs encode themselves (cborAppender, cborChunkEncoder). Every other output is encoded as
// JSON first and transcoded, member by member, by the operation's output shape: base64 text in a blob
// member becomes a byte string, epoch seconds in a timestamp member become tag 1 and milliseconds, and
// the rest keeps its JSON type. The JSON encoding is the single source of truth of what an answer
// holds (which members, which omitted), so CBOR cannot drift from it; the transcoding costs
// microseconds on operations that are called a few times a second.

// cborAppender is an output that encodes itself in CBOR, append-style.
type cborAppender interface {
	appendCBOR(dst []byte) []byte
}

// cborChunkEncoder is a CBOR output too large to build whole: it knows its exact encoded length and
// encodes in pieces, handing each to flush (as chunkEncoder does for JSON).
type cborChunkEncoder interface {
	cborLen() int
	encodeCBORChunks(buf []byte, limit int, flush func([]byte) error) error
}

// appendCBORHead appends an item head in its shortest form.
func appendCBORHead(dst []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(dst, m|byte(n))
	case n <= math.MaxUint8:
		return append(dst, m|24, byte(n))
	case n <= math.MaxUint16:
		return append(dst, m|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(dst, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
		byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// cborHeadLen is the length of the head appendCBORHead writes for n.
func cborHeadLen(n uint64) int {
	switch {
	case n < 24:
		return 1
	case n <= math.MaxUint8:
		return 2
	case n <= math.MaxUint16:
		return 3
	case n <= math.MaxUint32:
		return 5
	}
	return 9
}

func appendCBORText(dst []byte, s string) []byte {
	return append(appendCBORHead(dst, cborText, uint64(len(s))), s...)
}

func cborTextLen(s string) int { return cborHeadLen(uint64(len(s))) + len(s) }

func appendCBORBytes(dst []byte, b []byte) []byte {
	return append(appendCBORHead(dst, cborBytes, uint64(len(b))), b...)
}

func appendCBORInt(dst []byte, v int64) []byte {
	if v < 0 {
		return appendCBORHead(dst, cborNegint, uint64(-1-v))
	}
	return appendCBORHead(dst, cborUint, uint64(v))
}

func cborIntLen(v int64) int {
	if v < 0 {
		return cborHeadLen(uint64(-1 - v))
	}
	return cborHeadLen(uint64(v))
}

// appendCBORFloat appends a double, always in 8 bytes (what Jackson writes for a double).
func appendCBORFloat(dst []byte, f float64) []byte {
	b := math.Float64bits(f)
	return append(dst, cborSimple<<5|27, byte(b>>56), byte(b>>48), byte(b>>40), byte(b>>32),
		byte(b>>24), byte(b>>16), byte(b>>8), byte(b))
}

func appendCBORBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 0xf5)
	}
	return append(dst, 0xf4)
}

const cborNull = 0xf6

// cborTag1 is the head of tag 1, which AWS's CBOR puts before a timestamp's epoch milliseconds.
const cborTag1 = cborTag<<5 | 1

// appendCBORTime appends a timestamp as AWS's CBOR carries it: tag 1 and integer epoch milliseconds.
func appendCBORTime(dst []byte, t time.Time) []byte {
	return appendCBORInt(append(dst, cborTag1), t.UnixMilli())
}

func cborTimeLen(t time.Time) int { return 1 + cborIntLen(t.UnixMilli()) }

// appendCBORError renders e as a CBOR map with the members of its JSON body (appendErrorBody).
func appendCBORError(dst []byte, e *Error) []byte {
	withMessage := e.Message != "" && !e.Code.Fault
	n := uint64(1)
	if withMessage {
		n = 2
	}
	dst = appendCBORHead(dst, cborMap, n)
	dst = appendCBORText(dst, "__type")
	dst = appendCBORText(dst, e.Code.Name)
	if withMessage {
		dst = appendCBORText(dst, messageMember(e.Code))
		dst = appendCBORText(dst, e.Message)
	}
	return dst
}

// writeCBORError writes an AWS error response in CBOR, with the status a JSON one has.
func writeCBORError(w http.ResponseWriter, e *Error) {
	var arr [256]byte
	writeRaw(w, e.Code.Status, contentTypeCBOR, appendCBORError(arr[:0], e))
}

// writeCBOROutput writes a 200 with an operation's output in CBOR: an empty body for nil (operations
// whose model has no output), else the encoding of out, whose model shape is sh.
func writeCBOROutput(w http.ResponseWriter, out any, sh *shape) error {
	h := w.Header()
	h.Set("Content-Type", contentTypeCBOR)
	if out == nil {
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if r, ok := out.(releaser); ok {
		defer r.release()
	}
	if c, ok := out.(cborChunkEncoder); ok {
		size := c.cborLen()
		h.Set("Content-Length", strconv.Itoa(size))
		w.WriteHeader(http.StatusOK)
		buf := getBuffer(chunkSize + 64<<10)
		defer putBuffer(buf)
		written := 0
		err := c.encodeCBORChunks((*buf)[:0], chunkSize, func(b []byte) error {
			n, err := w.Write(b)
			written += n
			*buf = b[:0] // keep a buffer that grew
			return err
		})
		if err == nil && written != size {
			err = fmt.Errorf("%w: encoded %d bytes of CBOR, announced %d", errLengthMismatch, written, size)
		}
		return err
	}
	size := 4 << 10
	if s, ok := out.(sizeHinter); ok {
		size = s.sizeHint()
	}
	buf := getBuffer(size)
	defer putBuffer(buf)
	if a, ok := out.(cborAppender); ok {
		*buf = a.appendCBOR(*buf)
	} else {
		b, err := transcodeOutput(*buf, out, sh)
		if err != nil {
			return err
		}
		*buf = b
	}
	h.Set("Content-Length", strconv.Itoa(len(*buf)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(*buf)
	return err
}

// transcodeOutput appends the CBOR form of an output that only knows how to be JSON.
func transcodeOutput(dst []byte, out any, sh *shape) ([]byte, error) {
	js, err := encodeJSONOutput(out)
	if err != nil {
		return dst, err
	}
	n, ok := parseJSON(js)
	if !ok {
		return dst, fmt.Errorf("transcode %T: its JSON encoding does not parse", out)
	}
	return appendCBORFromJSON(dst, n, sh), nil
}

// encodeJSONOutput returns an output's JSON encoding, as writeOutput would send it.
func encodeJSONOutput(out any) ([]byte, error) {
	switch o := out.(type) {
	case chunkEncoder:
		var js []byte
		err := o.encodeChunks(nil, math.MaxInt, func(b []byte) error { js = b; return nil })
		return js, err
	case jsonAppender:
		return o.appendJSON(nil), nil
	}
	return json.Marshal(out)
}

// appendCBORFromJSON appends the CBOR form of a JSON value whose model shape is sh (nil for members the
// model does not have, which keep their JSON types). Null members of structures are dropped: AWS omits
// absent members.
func appendCBORFromJSON(dst []byte, n *jsonNode, sh *shape) []byte {
	switch n.kind {
	case jsonNull:
		return append(dst, cborNull)
	case jsonBool:
		return appendCBORBool(dst, n.b)
	case jsonString:
		if sh != nil && sh.typ == typeBlob {
			if b, err := base64.StdEncoding.DecodeString(n.s); err == nil {
				return appendCBORBytes(dst, b)
			}
		}
		return appendCBORText(dst, n.s)
	case jsonNumber:
		return appendCBORNumber(dst, n.s, sh)
	case jsonArray:
		var elem *shape
		if sh != nil && sh.typ == typeList {
			elem = sh.elem
		}
		dst = appendCBORHead(dst, cborArray, uint64(len(n.items)))
		for _, item := range n.items {
			dst = appendCBORFromJSON(dst, item, elem)
		}
		return dst
	case jsonObject:
		count := 0
		for _, f := range n.fields {
			if f.val.kind != jsonNull {
				count++
			}
		}
		dst = appendCBORHead(dst, cborMap, uint64(count))
		for _, f := range n.fields {
			if f.val.kind == jsonNull {
				continue
			}
			var fs *shape
			if sh != nil {
				switch sh.typ {
				case typeStructure:
					if m := sh.byName[f.key]; m != nil {
						fs = m.shape
					}
				case typeMap:
					fs = sh.value
				}
			}
			dst = appendCBORText(dst, f.key)
			dst = appendCBORFromJSON(dst, f.val, fs)
		}
		return dst
	}
	return append(dst, cborNull)
}

// appendCBORNumber appends a JSON number literal as its shape wants it: a timestamp as tag 1 and
// milliseconds, an integer as an integer, a double as a double; a number of unknown shape keeps its
// literal's kind.
func appendCBORNumber(dst []byte, lit string, sh *shape) []byte {
	typ := shapeType(0)
	if sh != nil {
		typ = sh.typ
	}
	switch typ {
	case typeTimestamp:
		return appendCBORInt(append(dst, cborTag1), secondsToMillis(lit))
	case typeDouble, typeFloat:
		f, _ := strconv.ParseFloat(lit, 64)
		return appendCBORFloat(dst, f)
	}
	if !strings.ContainsAny(lit, ".eE") {
		if v, err := strconv.ParseInt(lit, 10, 64); err == nil {
			return appendCBORInt(dst, v)
		}
	}
	f, _ := strconv.ParseFloat(lit, 64)
	if typ == typeInteger || typ == typeLong {
		return appendCBORInt(dst, parseInteger(lit, 64))
	}
	return appendCBORFloat(dst, f)
}

// secondsToMillis converts epoch seconds written as JSON (appendEpoch: "1506440188.749") to
// milliseconds exactly, without a detour through binary floating point.
func secondsToMillis(lit string) int64 {
	if strings.ContainsAny(lit, "eE") {
		f, _ := strconv.ParseFloat(lit, 64)
		return int64(math.Round(f * 1000))
	}
	intPart, frac, _ := strings.Cut(lit, ".")
	neg := strings.HasPrefix(intPart, "-")
	sec, _ := strconv.ParseInt(intPart, 10, 64)
	frac = (frac + "000")[:3]
	ms, _ := strconv.ParseInt(frac, 10, 64)
	if neg {
		return sec*1000 - ms
	}
	return sec*1000 + ms
}
