package ingest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Content types of the JSON 1.1 protocol.
const (
	contentTypeJSON11 = "application/x-amz-json-1.1"
	contentTypeJSON   = "application/json"
)

// jsonAppender is an output that encodes itself, append-style, without reflection. The hot operations'
// outputs implement it.
type jsonAppender interface {
	appendJSON(dst []byte) []byte
}

// sizeHinter is a jsonAppender that can estimate its encoded size, so that its buffer is taken from the
// right pool class and never regrown.
type sizeHinter interface {
	sizeHint() int
}

// chunkEncoder is an output too large to build whole: it knows its exact encoded length (sent as
// Content-Length), and encodes in pieces, handing each to flush.
type chunkEncoder interface {
	encodedLen() int
	encodeChunks(buf []byte, limit int, flush func([]byte) error) error
}

// errLengthMismatch reports a chunkEncoder whose encodedLen is wrong: a bug, which breaks the response.
var errLengthMismatch = errors.New("encoded length differs from Content-Length")

// chunkSize is how much of a chunkEncoder's output is buffered before it is written.
const chunkSize = 256 << 10

// releaser is an output holding pooled memory, released once the response is written.
type releaser interface {
	release()
}

// newRequestIDs returns a request id (a version 4 UUID) and an x-amz-id-2 (base64 of 72 random bytes),
// as AWS sends them, from one read of the system's random source.
func newRequestIDs() (id, id2 string) {
	var b [16 + 72]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	u := b[:16]
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], u[10:16])
	return string(s[:]), base64.StdEncoding.EncodeToString(b[16:])
}

// writeOutput writes a 200 with the operation's output: an empty body for nil (operations whose model
// has no output), else the JSON encoding.
func writeOutput(w http.ResponseWriter, out any) error {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON11)
	if out == nil {
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if r, ok := out.(releaser); ok {
		defer r.release()
	}
	if c, ok := out.(chunkEncoder); ok {
		size := c.encodedLen()
		h.Set("Content-Length", strconv.Itoa(size))
		w.WriteHeader(http.StatusOK)
		buf := getBuffer(chunkSize + 64<<10)
		defer putBuffer(buf)
		written := 0
		err := c.encodeChunks((*buf)[:0], chunkSize, func(b []byte) error {
			n, err := w.Write(b)
			written += n
			*buf = b[:0] // keep a buffer that grew
			return err
		})
		if err == nil && written != size {
			err = fmt.Errorf("%w: encoded %d bytes, announced %d", errLengthMismatch, written, size)
		}
		return err
	}
	if a, ok := out.(jsonAppender); ok {
		size := 4 << 10
		if s, ok := out.(sizeHinter); ok {
			size = s.sizeHint()
		}
		buf := getBuffer(size)
		defer putBuffer(buf)
		*buf = a.appendJSON(*buf)
		h.Set("Content-Length", strconv.Itoa(len(*buf)))
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(*buf)
		return err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// writeError writes an AWS JSON error response.
func writeError(w http.ResponseWriter, e *Error) {
	var arr [256]byte
	body := appendErrorBody(arr[:0], e)
	writeRaw(w, e.Code.Status, contentTypeJSON11, body)
}

// writeRaw writes a complete response.
func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
