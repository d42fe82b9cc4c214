package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// getRecord is one record of a GetRecords response. Its slices alias the
// response body or the output's buffer and are valid until the next decode.
type getRecord struct {
	SequenceNumber []byte
	PartitionKey   []byte
	Data           []byte
}

// getRecordsOutput is a decoded GetRecords response, reused across calls.
type getRecordsOutput struct {
	Records            []getRecord
	NextShardIterator  string
	HasNext            bool // NextShardIterator was present and not null
	MillisBehindLatest int64

	buf []byte // decoded strings and data; never grows during a decode
	tmp []byte // unescaped base64 before decoding
}

// decodeGetRecords decodes a GetRecords response body into o. It scans the
// body by hand and falls back to encoding/json for anything the scanner does
// not take on (escaped keys, nulls, duplicate keys and the like), so its result
// is always what encoding/json would produce.
func decodeGetRecords(o *getRecordsOutput, body []byte) error {
	if err := o.decodeFast(body); err == nil {
		return nil
	}
	return o.decodeJSON(body)
}

// getRecordsJSON is the shape encoding/json decodes; it is the reference the
// fast decoder must agree with.
type getRecordsJSON struct {
	Records []struct {
		SequenceNumber string
		Data           []byte
		PartitionKey   string
	}
	NextShardIterator  *string
	MillisBehindLatest int64
}

func (o *getRecordsOutput) decodeJSON(body []byte) error {
	var r getRecordsJSON
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("decode GetRecords response: %w", err)
	}
	o.reset(0)
	for _, rec := range r.Records {
		o.Records = append(o.Records, getRecord{
			SequenceNumber: []byte(rec.SequenceNumber),
			PartitionKey:   []byte(rec.PartitionKey),
			Data:           rec.Data,
		})
	}
	if r.NextShardIterator != nil {
		o.NextShardIterator, o.HasNext = *r.NextShardIterator, true
	}
	o.MillisBehindLatest = r.MillisBehindLatest
	return nil
}

func (o *getRecordsOutput) reset(size int) {
	clear(o.Records) // drop references to old buffers
	o.Records = o.Records[:0]
	o.NextShardIterator, o.HasNext, o.MillisBehindLatest = "", false, 0
	if cap(o.buf) < size {
		o.buf = make([]byte, 0, size)
	}
	o.buf = o.buf[:0]
}

// errSlow sends a body to encoding/json. It is never returned to callers.
var errSlow = errors.New("not for the fast decoder")

// maxSkipDepth bounds the nesting of values the fast decoder skips; deeper
// documents go to encoding/json, which has its own limit.
const maxSkipDepth = 1000

// decodeFast decodes body without allocating once o's buffers have grown to
// size. Every decoded string is no longer than its JSON form, so one buffer of
// len(body) bytes holds them all and slices into it stay valid.
func (o *getRecordsOutput) decodeFast(body []byte) error {
	o.reset(len(body))
	s := scanner{b: body}
	var seen uint8
	err := s.object(func(key []byte) error {
		var bit uint8
		switch string(key) {
		case "Records":
			bit = 1
		case "NextShardIterator":
			bit = 2
		case "MillisBehindLatest":
			bit = 4
		default:
			if foldsTo(key, "Records", "NextShardIterator", "MillisBehindLatest") {
				return errSlow
			}
			return s.skip(0)
		}
		if seen&bit != 0 {
			return errSlow // encoding/json's rules for repeated keys are its own
		}
		seen |= bit
		if s.literal("null") {
			return nil // as encoding/json: the field keeps its zero value
		}
		switch bit {
		case 1:
			return o.records(&s)
		case 2:
			v, err := o.str(&s)
			if err != nil {
				return err
			}
			o.NextShardIterator, o.HasNext = string(v), true
			return nil
		default:
			n, err := s.int64()
			o.MillisBehindLatest = n
			return err
		}
	})
	if err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) {
		return errSlow
	}
	return nil
}

func (o *getRecordsOutput) records(s *scanner) error {
	if !s.consume('[') {
		return errSlow
	}
	s.ws()
	if s.consume(']') {
		return nil
	}
	for {
		s.ws()
		var r getRecord
		var seen uint8
		err := s.object(func(key []byte) error {
			var bit uint8
			switch string(key) {
			case "SequenceNumber":
				bit = 1
			case "Data":
				bit = 2
			case "PartitionKey":
				bit = 4
			default:
				if foldsTo(key, "SequenceNumber", "Data", "PartitionKey") {
					return errSlow
				}
				return s.skip(0)
			}
			if seen&bit != 0 {
				return errSlow
			}
			seen |= bit
			if s.literal("null") {
				return nil
			}
			if bit == 2 {
				return o.data(s, &r)
			}
			v, err := o.str(s)
			if bit == 1 {
				r.SequenceNumber = v
			} else {
				r.PartitionKey = v
			}
			return err
		})
		if err != nil {
			return err
		}
		o.Records = append(o.Records, r)
		s.ws()
		if s.consume(']') {
			return nil
		}
		if !s.consume(',') {
			return errSlow
		}
	}
}

// str decodes a JSON string. It aliases the body when the string has no
// escapes and unescapes into o.buf when it does.
func (o *getRecordsOutput) str(s *scanner) ([]byte, error) {
	raw, escaped, err := s.str()
	if err != nil {
		return nil, err
	}
	if !escaped {
		return raw, nil
	}
	start := len(o.buf)
	o.buf, err = unescape(o.buf, raw)
	return o.buf[start:len(o.buf):len(o.buf)], err
}

// data base64-decodes a JSON string into o.buf.
func (o *getRecordsOutput) data(s *scanner, r *getRecord) error {
	// Most of a GetRecords answer is Data. Base64 has no quotes, backslashes
	// or control characters, so find the closing quote with IndexByte and let
	// the base64 decoder vet the rest; anything unusual takes the slow path.
	if s.i < len(s.b) && s.b[s.i] == '"' {
		raw := s.b[s.i+1:]
		if end := bytes.IndexByte(raw, '"'); end >= 0 {
			raw = raw[:end]
			if bytes.IndexByte(raw, '\\') < 0 {
				start := len(o.buf)
				var err error
				// Base64 skips CR and LF, but JSON strings may not hold them raw.
				if o.buf, err = base64.StdEncoding.AppendDecode(o.buf, raw); err != nil ||
					bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
					return errSlow
				}
				r.Data = o.buf[start:len(o.buf):len(o.buf)]
				s.i += end + 2
				return nil
			}
		}
	}
	raw, escaped, err := s.str()
	if err != nil {
		return err
	}
	if escaped {
		if o.tmp, err = unescape(o.tmp[:0], raw); err != nil {
			return err
		}
		raw = o.tmp
	}
	start := len(o.buf)
	if o.buf, err = base64.StdEncoding.AppendDecode(o.buf, raw); err != nil {
		return errSlow
	}
	r.Data = o.buf[start:len(o.buf):len(o.buf)]
	return nil
}

// foldsTo reports whether key matches one of names the way encoding/json
// matches field names (case-insensitively, by Unicode simple folding).
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// scanner walks a JSON document. Its methods return errSlow for anything they
// do not accept, valid JSON or not.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) consume(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// object parses an object, calling field for each member with the scanner
// positioned at the value. Keys with escapes go to encoding/json.
func (s *scanner) object(field func(key []byte) error) error {
	s.ws()
	if !s.consume('{') {
		return errSlow
	}
	s.ws()
	if s.consume('}') {
		return nil
	}
	for {
		s.ws()
		key, escaped, err := s.str()
		if err != nil {
			return err
		}
		if escaped {
			return errSlow
		}
		s.ws()
		if !s.consume(':') {
			return errSlow
		}
		s.ws()
		if err := field(key); err != nil {
			return err
		}
		s.ws()
		if s.consume('}') {
			return nil
		}
		if !s.consume(',') {
			return errSlow
		}
	}
}

// str scans a string and returns its raw contents (between the quotes) and
// whether they hold escapes. Raw contents are valid UTF-8 without control
// characters, so that they decode exactly as encoding/json would.
func (s *scanner) str() (raw []byte, escaped bool, err error) {
	if !s.consume('"') {
		return nil, false, errSlow
	}
	start := s.i
	ascii := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(raw) {
				return nil, false, errSlow
			}
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			s.i += 2 // the escape itself is checked by unescape or skip
		case c < 0x20:
			return nil, false, errSlow
		case c >= utf8.RuneSelf:
			ascii = false
			s.i++
		default:
			s.i++
		}
	}
	return nil, false, errSlow
}

// int64 parses an integer in JSON number syntax; fractions, exponents and
// overflow go to encoding/json.
func (s *scanner) int64() (int64, error) {
	neg := s.consume('-')
	if s.i >= len(s.b) {
		return 0, errSlow
	}
	var n uint64
	switch c := s.b[s.i]; {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			if n > (1<<63)/10 {
				return 0, errSlow
			}
			n = n*10 + uint64(s.b[s.i]-'0')
			s.i++
		}
	default:
		return 0, errSlow
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E':
			return 0, errSlow
		}
	}
	if n > 1<<63-1 && !(neg && n == 1<<63) {
		return 0, errSlow
	}
	if neg {
		return -int64(n), nil
	}
	return int64(n), nil
}

// skip validates and steps over one value.
func (s *scanner) skip(depth int) error {
	if depth > maxSkipDepth || s.i >= len(s.b) {
		return errSlow
	}
	switch c := s.b[s.i]; {
	case c == '"':
		raw, escaped, err := s.strLoose()
		if err == nil && escaped {
			err = checkEscapes(raw)
		}
		return err
	case c == '{':
		return s.object(func([]byte) error { return s.skip(depth + 1) })
	case c == '[':
		s.i++
		s.ws()
		if s.consume(']') {
			return nil
		}
		for {
			s.ws()
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			s.ws()
			if s.consume(']') {
				return nil
			}
			if !s.consume(',') {
				return errSlow
			}
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case s.literal("true"), s.literal("false"), s.literal("null"):
		return nil
	}
	return errSlow
}

// strLoose is str without the UTF-8 check: encoding/json accepts invalid UTF-8
// in strings it ignores.
func (s *scanner) strLoose() (raw []byte, escaped bool, err error) {
	if !s.consume('"') {
		return nil, false, errSlow
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			s.i += 2
		case c < 0x20:
			return nil, false, errSlow
		default:
			s.i++
		}
	}
	return nil, false, errSlow
}

// number steps over a number in JSON syntax.
func (s *scanner) number() error {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	s.consume('-')
	if s.consume('0') {
		// a lone zero
	} else if s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9' {
		digits()
	} else {
		return errSlow
	}
	if s.consume('.') && digits() == 0 {
		return errSlow
	}
	if s.consume('e') || s.consume('E') {
		if !s.consume('+') {
			s.consume('-')
		}
		if digits() == 0 {
			return errSlow
		}
	}
	return nil
}

// checkEscapes validates the escapes of a raw string.
func checkEscapes(raw []byte) error {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if i+1 >= len(raw) {
			return errSlow
		}
		switch raw[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			if i+5 >= len(raw) || !isHex4(raw[i+2:i+6]) {
				return errSlow
			}
			i += 5
		default:
			return errSlow
		}
	}
	return nil
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unescape appends the unescaped form of raw string contents to dst.
// Surrogates go to encoding/json, whose handling of unpaired halves is its own.
func unescape(dst, raw []byte) ([]byte, error) {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		if i+1 >= len(raw) {
			return dst, errSlow
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			dst = append(dst, raw[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+4 >= len(raw) || !isHex4(raw[i+1:i+5]) {
				return dst, errSlow
			}
			r := hex4(raw[i+1 : i+5])
			if utf8.RuneLen(r) < 0 { // a surrogate half
				return dst, errSlow
			}
			dst = utf8.AppendRune(dst, r)
			i += 4
		default:
			return dst, errSlow
		}
	}
	return dst, nil
}

// decodePutRecordsResult reads a PutRecords response for n records. It returns
// the number of failed entries and, when there are any, each entry's error code
// ("" for entries that succeeded) in codes, reusing its storage.
func decodePutRecordsResult(body []byte, n int, codes []string) (failed int, _ []string, err error) {
	// The common answer, nothing failed, is found without decoding ~100 bytes
	// of sequence number and shard per record.
	if i := bytes.Index(body, []byte(`"FailedRecordCount"`)); i >= 0 && !bytes.Contains(body, []byte(`"ErrorCode"`)) {
		s := scanner{b: body, i: i + len(`"FailedRecordCount"`)}
		s.ws()
		if s.consume(':') {
			s.ws()
			if v, err := s.int64(); err == nil && v == 0 {
				return 0, codes[:0], nil
			}
		}
	}
	var r struct {
		Records []struct {
			ErrorCode    string
			ErrorMessage string
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, codes[:0], fmt.Errorf("decode PutRecords response: %w", err)
	}
	if len(r.Records) != n {
		return 0, codes[:0], fmt.Errorf("PutRecords response has %d results for %d records", len(r.Records), n)
	}
	codes = codes[:0]
	for _, e := range r.Records {
		codes = append(codes, e.ErrorCode)
		if e.ErrorCode != "" {
			failed++
		}
	}
	return failed, codes, nil
}
