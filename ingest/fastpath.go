package ingest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/streams"
)

// The PutRecord(s) fast path. Producers send the same plain body over and over:
//
//	{"Records":[{"Data":"<base64>","PartitionKey":"k"},...],"StreamName":"s"}
//
// Decoding it through the generic JSON tree costs an allocation per token; this decoder scans the bytes
// once, base64-decodes every Data into one pooled buffer, makes one string for all partition keys, and
// checks every model constraint on the way (taken from the model's shapes, not restated here). The
// moment it meets anything else — an escape sequence, an unknown or repeated member, a null, a value
// breaking a constraint — it gives up and the generic path decodes the body from scratch, so every
// error a client can see is the generic path's. FuzzFastPathAgrees checks that the two paths bind the
// same input for every body the fast path accepts.
//
// Memory: entries' Data slices point into a pooled buffer that is reused once the request is answered.
// The store must copy what it keeps beyond its PutRecord(s) call.

// putShapes are the constraints the fast path checks, resolved from the model once.
type putShapes struct {
	streamName, streamARN, streamID *shape
	records                         *shape // PutRecords only
	data, partitionKey, hashKey     *shape
	seqForOrdering                  *shape // PutRecord only
}

func resolvePutShapes(in *shape, entry *shape) (*putShapes, error) {
	get := func(s *shape, name string, typ shapeType) (*shape, error) {
		m := s.byName[name]
		if m == nil || m.shape.typ != typ {
			return nil, fmt.Errorf("shape %s has no %s member of type %d", s.name, name, typ)
		}
		return m.shape, nil
	}
	var ps putShapes
	var err error
	for _, f := range []struct {
		dst  **shape
		from *shape
		name string
		typ  shapeType
	}{
		{&ps.streamName, in, "StreamName", typeString},
		{&ps.streamARN, in, "StreamARN", typeString},
		{&ps.streamID, in, "StreamId", typeString},
		{&ps.data, entry, "Data", typeBlob},
		{&ps.partitionKey, entry, "PartitionKey", typeString},
		{&ps.hashKey, entry, "ExplicitHashKey", typeString},
	} {
		if *f.dst, err = get(f.from, f.name, f.typ); err != nil {
			return nil, err
		}
	}
	return &ps, nil
}

// putScratch is the pooled memory behind one fast-decoded request.
type putScratch struct {
	entries []streams.PutEntry
	keys    []byte // partition keys and hash keys, copied into one string at the end
	spans   []keySpan
	data    *[]byte // decoded Data of every record
}

type keySpan struct{ pk, hk [2]int } // offsets into keys; hk[0] < 0 when absent

var putScratchPool = sync.Pool{New: func() any { return new(putScratch) }}

func (ps *putScratch) release() {
	clear(ps.entries) // drop references to the data buffer and key string
	ps.entries, ps.keys, ps.spans = ps.entries[:0], ps.keys[:0], ps.spans[:0]
	putBuffer(ps.data)
	ps.data = nil
	putScratchPool.Put(ps)
}

// fastScanner walks a JSON body byte by byte. Every method reports false for anything outside the plain
// subset the fast path handles.
type fastScanner struct {
	b []byte
	i int
}

func (s *fastScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips whitespace and consumes c.
func (s *fastScanner) next(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// peek skips whitespace and reports whether the next byte is c, without consuming it.
func (s *fastScanner) peek(c byte) bool {
	s.ws()
	return s.i < len(s.b) && s.b[s.i] == c
}

// str scans a string without escapes or control characters and returns its raw bytes.
func (s *fastScanner) str() ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	n := bytes.IndexByte(s.b[s.i:], '"')
	if n < 0 {
		return nil, false
	}
	v := s.b[s.i : s.i+n]
	for _, c := range v {
		if c == '\\' || c < 0x20 {
			return nil, false
		}
	}
	s.i += n + 1
	return v, true
}

// text scans a string member value that must be valid UTF-8 and satisfy sh.
func (s *fastScanner) text(sh *shape) ([]byte, bool) {
	v, ok := s.str()
	if !ok || !utf8.Valid(v) || !validText(sh, v) {
		return nil, false
	}
	return v, true
}

// key scans an object key and the colon after it.
func (s *fastScanner) key() ([]byte, bool) {
	k, ok := s.str()
	if !ok || !s.next(':') {
		return nil, false
	}
	return k, true
}

// end reports whether only whitespace is left.
func (s *fastScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// blob decodes a base64 string member into dst's spare capacity and returns the decoded bytes. It
// leaves the character checks to the strict decoder, which refuses everything but the alphabet and
// padding — except CR and LF, which it skips but JSON forbids unescaped, so they are looked for first.
func (s *fastScanner) blob(sh *shape, dst *[]byte) ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	n := bytes.IndexByte(s.b[s.i:], '"')
	if n < 0 || n%4 != 0 {
		return nil, false
	}
	raw := s.b[s.i : s.i+n]
	if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		return nil, false
	}
	buf := *dst
	off := len(buf)
	need := base64.StdEncoding.DecodedLen(n)
	if cap(buf)-off < need {
		return nil, false // the buffer is sized from the body, so this does not happen
	}
	m, err := base64.StdEncoding.Strict().Decode(buf[off:off+need], raw)
	if err != nil || !sh.lengthOK(m) {
		return nil, false
	}
	s.i += n + 1
	*dst = buf[:off+m]
	return buf[off : off+m : off+m], true
}

// entryFields scans one record object: Data, PartitionKey and ExplicitHashKey, each at most once.
func (ps *putShapes) entryFields(s *fastScanner, sc *putScratch, e *streams.PutEntry, span *keySpan,
	extra func(name []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	span.hk[0] = -1
	var seenData, seenPK, seenHK bool
	for first := true; ; first = false {
		if first && s.peek('}') {
			break
		}
		k, ok := s.key()
		if !ok {
			return false
		}
		switch string(k) {
		case "Data":
			if seenData {
				return false
			}
			seenData = true
			if e.Data, ok = s.blob(ps.data, sc.data); !ok {
				return false
			}
		case "PartitionKey":
			if !sc.keyField(s, ps.partitionKey, &seenPK, &span.pk) {
				return false
			}
		case "ExplicitHashKey":
			if !sc.keyField(s, ps.hashKey, &seenHK, &span.hk) {
				return false
			}
		default:
			if extra == nil || !extra(k) {
				return false
			}
		}
		if !s.next(',') {
			break
		}
	}
	return s.next('}') && seenData && seenPK
}

// fixKeys turns the collected key bytes into one string and points every entry's keys into it.
func (sc *putScratch) fixKeys() {
	all := string(sc.keys)
	for i := range sc.entries {
		sp := sc.spans[i]
		sc.entries[i].PartitionKey = all[sp.pk[0]:sp.pk[1]]
		if sp.hk[0] >= 0 {
			sc.entries[i].ExplicitHashKey = all[sp.hk[0]:sp.hk[1]]
		}
	}
}

// textScanner is what the JSON and CBOR fast scanners share: reading a string value checked
// against its shape.
type textScanner interface {
	text(sh *shape) ([]byte, bool)
}

// keyField reads a partition key or explicit hash key (once per record) into the scratch key buffer
// and records where it lies, for either protocol.
func (sc *putScratch) keyField(s textScanner, sh *shape, seen *bool, span *[2]int) bool {
	if *seen {
		return false
	}
	*seen = true
	v, ok := s.text(sh)
	if !ok {
		return false
	}
	*span = [2]int{len(sc.keys), len(sc.keys) + len(v)}
	sc.keys = append(sc.keys, v...)
	return true
}

// streamMember scans a StreamName, StreamARN or StreamId value into addr, for either protocol.
func (ps *putShapes) streamMember(s textScanner, k []byte, addr *streamAddr, seen *[3]bool) bool {
	var sh *shape
	var idx int
	switch string(k) {
	case "StreamName":
		sh, idx = ps.streamName, 0
	case "StreamARN":
		sh, idx = ps.streamARN, 1
	case "StreamId":
		sh, idx = ps.streamID, 2
	default:
		return false
	}
	if seen[idx] {
		return false
	}
	seen[idx] = true
	v, ok := s.text(sh)
	if !ok {
		return false
	}
	switch idx {
	case 0:
		addr.StreamName = string(v)
	case 1:
		addr.StreamARN = string(v)
	}
	return true
}

// newPutRecordsDecoder builds the PutRecords fast decoder from the model.
func newPutRecordsDecoder(op *opShape) (fastDecoder[putRecordsInput], error) {
	rm := op.input.byName["Records"]
	if rm == nil || rm.shape.typ != typeList || rm.shape.elem.typ != typeStructure {
		return nil, fmt.Errorf("shape %s has no Records list", op.input.name)
	}
	ps, err := resolvePutShapes(op.input, rm.shape.elem)
	if err != nil {
		return nil, err
	}
	ps.records = rm.shape
	return ps.decodePutRecords, nil
}

func (ps *putShapes) decodePutRecords(body []byte, in *putRecordsInput) (func(), bool) {
	sc := putScratchPool.Get().(*putScratch)
	sc.data = getBuffer(base64.StdEncoding.DecodedLen(len(body)))
	if !ps.scanPutRecords(&fastScanner{b: body}, sc, in) {
		sc.release()
		*in = putRecordsInput{}
		return nil, false
	}
	sc.fixKeys()
	in.Records = sc.entries
	return sc.release, true
}

func (ps *putShapes) scanPutRecords(s *fastScanner, sc *putScratch, in *putRecordsInput) bool {
	if !s.next('{') {
		return false
	}
	var seen [3]bool
	seenRecords := false
	for first := true; ; first = false {
		if first && s.peek('}') {
			break
		}
		k, ok := s.key()
		if !ok {
			return false
		}
		if string(k) == "Records" {
			if seenRecords || !ps.scanRecords(s, sc) {
				return false
			}
			seenRecords = true
		} else if !ps.streamMember(s, k, &in.streamAddr, &seen) {
			return false
		}
		if !s.next(',') {
			break
		}
	}
	return s.next('}') && s.end() && seenRecords && ps.records.lengthOK(len(sc.entries))
}

func (ps *putShapes) scanRecords(s *fastScanner, sc *putScratch) bool {
	if !s.next('[') {
		return false
	}
	if s.next(']') {
		return true // empty: lengthOK decides
	}
	for {
		if ps.records.hasMax && float64(len(sc.entries)) >= ps.records.max {
			return false
		}
		sc.entries = append(sc.entries, streams.PutEntry{})
		sc.spans = append(sc.spans, keySpan{})
		i := len(sc.entries) - 1
		if !ps.entryFields(s, sc, &sc.entries[i], &sc.spans[i], nil) {
			return false
		}
		if s.next(',') {
			continue
		}
		return s.next(']')
	}
}

// newPutRecordDecoder builds the PutRecord fast decoder from the model.
func newPutRecordDecoder(op *opShape) (fastDecoder[putRecordInput], error) {
	ps, err := resolvePutShapes(op.input, op.input)
	if err != nil {
		return nil, err
	}
	m := op.input.byName["SequenceNumberForOrdering"]
	if m == nil || m.shape.typ != typeString {
		return nil, fmt.Errorf("shape %s has no SequenceNumberForOrdering", op.input.name)
	}
	ps.seqForOrdering = m.shape
	return ps.decodePutRecord, nil
}

func (ps *putShapes) decodePutRecord(body []byte, in *putRecordInput) (func(), bool) {
	sc := putScratchPool.Get().(*putScratch)
	sc.data = getBuffer(base64.StdEncoding.DecodedLen(len(body)))
	sc.entries = append(sc.entries, streams.PutEntry{})
	sc.spans = append(sc.spans, keySpan{})
	s := &fastScanner{b: body}
	var seen [3]bool
	seenSeq := false
	extra := func(k []byte) bool {
		if string(k) == "SequenceNumberForOrdering" {
			if seenSeq {
				return false
			}
			seenSeq = true
			v, ok := s.text(ps.seqForOrdering)
			in.SequenceNumberForOrdering = string(v)
			return ok
		}
		return ps.streamMember(s, k, &in.streamAddr, &seen)
	}
	if !ps.entryFields(s, sc, &sc.entries[0], &sc.spans[0], extra) || !s.end() {
		sc.release()
		*in = putRecordInput{}
		return nil, false
	}
	sc.fixKeys()
	in.PutEntry = sc.entries[0]
	return sc.release, true
}
