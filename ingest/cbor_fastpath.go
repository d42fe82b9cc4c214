package ingest

import (
	"fmt"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/streams"
)

// The CBOR PutRecord(s) fast path: the CBOR twin of fastpath.go. The Java SDK's producers (the KPL
// aside, which also speaks CBOR through the SDK) send this body over and over (Jackson's CBORGenerator:
// indefinite-length maps and arrays, definite-length strings, see testdata/cbor):
//
//	BF 67 "Records" 9F (BF 64 "Data" 5x <bytes> 6C "PartitionKey" 6x <key> FF)... FF 6A "StreamName" 6x <name> FF
//
// The decoder reads it in one pass without copying the data: every entry's Data is a slice of the
// request body (which outlives the handler call, and which the store copies), the partition keys go
// into one string. It accepts definite and indefinite maps and arrays, and definite-length text and
// byte strings in any head width; the moment it meets anything else — a tag, a null, a chunked string,
// an unknown or repeated member, a value breaking a constraint — it gives up and the generic path
// decodes the body from scratch, so every error is the generic path's. FuzzCBORFastPathAgrees checks
// that both paths bind the same input for every body the fast path accepts.

// cborFastScanner reads the plain subset. Every method reports false for anything outside it.
type cborFastScanner struct {
	cborReader
}

// container reads a map or array head of the given major type.
func (s *cborFastScanner) container(major byte) (n uint64, indef, ok bool) {
	m, n, indef, ok := s.head()
	if !ok || m != major {
		return 0, false, false
	}
	return n, indef, true
}

// more reports whether a container being read has another element: i counts those read so far.
func (s *cborFastScanner) more(i, n uint64, indef bool) bool {
	if indef {
		return !s.atBreak()
	}
	return i < n
}

// str reads a definite-length string of the given major type and returns its bytes.
func (s *cborFastScanner) str(major byte) ([]byte, bool) {
	m, n, indef, ok := s.head()
	if !ok || m != major || indef || n > uint64(len(s.b)-s.i) {
		return nil, false
	}
	v := s.b[s.i : s.i+int(n) : s.i+int(n)]
	s.i += int(n)
	return v, true
}

// text reads a text string that must be valid UTF-8 and satisfy sh.
func (s *cborFastScanner) text(sh *shape) ([]byte, bool) {
	v, ok := s.str(cborText)
	if !ok || !utf8.Valid(v) || !validText(sh, v) {
		return nil, false
	}
	return v, true
}

// blob reads a byte string that satisfies sh's length bounds.
func (s *cborFastScanner) blob(sh *shape) ([]byte, bool) {
	v, ok := s.str(cborBytes)
	if !ok || !sh.lengthOK(len(v)) {
		return nil, false
	}
	return v, true
}

// entryFields reads one record map: Data, PartitionKey and ExplicitHashKey, each at most once; extra
// reads the members of PutRecord that are not a record's.
func (ps *putShapes) cborEntryFields(s *cborFastScanner, sc *putScratch, e *streams.PutEntry, span *keySpan,
	extra func(name []byte) bool) bool {
	n, indef, ok := s.container(cborMap)
	if !ok {
		return false
	}
	span.hk[0] = -1
	var seenData, seenPK, seenHK bool
	for i := uint64(0); s.more(i, n, indef); i++ {
		k, ok := s.str(cborText)
		if !ok {
			return false
		}
		switch string(k) {
		case "Data":
			if seenData {
				return false
			}
			seenData = true
			if e.Data, ok = s.blob(ps.data); !ok {
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
	}
	return seenData && seenPK
}

// newCBORPutRecordsDecoder builds the PutRecords CBOR fast decoder from the model.
func newCBORPutRecordsDecoder(op *opShape) (fastDecoder[putRecordsInput], error) {
	rm := op.input.byName["Records"]
	if rm == nil || rm.shape.typ != typeList || rm.shape.elem.typ != typeStructure {
		return nil, fmt.Errorf("shape %s has no Records list", op.input.name)
	}
	ps, err := resolvePutShapes(op.input, rm.shape.elem)
	if err != nil {
		return nil, err
	}
	ps.records = rm.shape
	return ps.decodeCBORPutRecords, nil
}

func (ps *putShapes) decodeCBORPutRecords(body []byte, in *putRecordsInput) (func(), bool) {
	sc := putScratchPool.Get().(*putScratch)
	if !ps.scanCBORPutRecords(&cborFastScanner{cborReader{b: body}}, sc, in) {
		sc.release()
		*in = putRecordsInput{}
		return nil, false
	}
	sc.fixKeys()
	in.Records = sc.entries
	return sc.release, true
}

func (ps *putShapes) scanCBORPutRecords(s *cborFastScanner, sc *putScratch, in *putRecordsInput) bool {
	n, indef, ok := s.container(cborMap)
	if !ok {
		return false
	}
	var seen [3]bool
	seenRecords := false
	for i := uint64(0); s.more(i, n, indef); i++ {
		k, ok := s.str(cborText)
		if !ok {
			return false
		}
		if string(k) == "Records" {
			if seenRecords || !ps.scanCBORRecords(s, sc) {
				return false
			}
			seenRecords = true
		} else if !ps.streamMember(s, k, &in.streamAddr, &seen) {
			return false
		}
	}
	return s.i == len(s.b) && seenRecords && ps.records.lengthOK(len(sc.entries))
}

func (ps *putShapes) scanCBORRecords(s *cborFastScanner, sc *putScratch) bool {
	n, indef, ok := s.container(cborArray)
	if !ok {
		return false
	}
	for i := uint64(0); s.more(i, n, indef); i++ {
		if ps.records.hasMax && float64(len(sc.entries)) >= ps.records.max {
			return false
		}
		sc.entries = append(sc.entries, streams.PutEntry{})
		sc.spans = append(sc.spans, keySpan{})
		j := len(sc.entries) - 1
		if !ps.cborEntryFields(s, sc, &sc.entries[j], &sc.spans[j], nil) {
			return false
		}
	}
	return true
}

// newCBORPutRecordDecoder builds the PutRecord CBOR fast decoder from the model.
func newCBORPutRecordDecoder(op *opShape) (fastDecoder[putRecordInput], error) {
	ps, err := resolvePutShapes(op.input, op.input)
	if err != nil {
		return nil, err
	}
	m := op.input.byName["SequenceNumberForOrdering"]
	if m == nil || m.shape.typ != typeString {
		return nil, fmt.Errorf("shape %s has no SequenceNumberForOrdering", op.input.name)
	}
	ps.seqForOrdering = m.shape
	return ps.decodeCBORPutRecord, nil
}

func (ps *putShapes) decodeCBORPutRecord(body []byte, in *putRecordInput) (func(), bool) {
	sc := putScratchPool.Get().(*putScratch)
	sc.entries = append(sc.entries, streams.PutEntry{})
	sc.spans = append(sc.spans, keySpan{})
	s := &cborFastScanner{cborReader{b: body}}
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
	if !ps.cborEntryFields(s, sc, &sc.entries[0], &sc.spans[0], extra) || s.i != len(s.b) {
		sc.release()
		*in = putRecordInput{}
		return nil, false
	}
	sc.fixKeys()
	in.PutEntry = sc.entries[0]
	return sc.release, true
}
