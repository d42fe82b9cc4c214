package format

import (
	"encoding/base64"
	"fmt"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"math"
	"strconv"
	"strings"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Encoder writes rows of an output's in-application stream as destination records
// (DestinationSchema.RecordFormatType JSON or CSV).
//
// JSON: one object per record, keyed by the stream's column names as declared, case kept, in column
// order: {"TICKER":"AMZN","PRICE":27.9}. No newline ends it: KDA writes JSON output as concatenated
// objects, {"id":1}{"id":2} in a Firehose-to-S3 object, and users add the newline with a Firehose
// transformation (aws.mannem.me, "Converting Concatenated or Streaming JSON -> newline-delimited JSON
// for Kinesis Analytics to Athena": "records emitting from Kinesis Analytics can only be in
// concatenated JSON format"). Each output row is its own destination record, so a consumer reading
// Kinesis records never needs a delimiter.
//
// CSV: the fields joined by commas, ending with "\n", so that rows delivered through Firehose to S3
// are lines. A field holding a comma, a quote or a line break is quoted, with quotes doubled; NULL is
// an empty field and an empty string is "".
//
// Values: NULL is null; numbers are JSON numbers (DECIMAL with exactly its scale's digits, REAL with
// the digits a float32 needs, DOUBLE the shortest text that reads back; NaN and infinities, which JSON
// cannot hold, are null); BOOLEAN is true/false; TIMESTAMP "2006-01-02 15:04:05.000", DATE
// "2006-01-02", TIME "15:04:05.000"; BINARY base64 (KDA's Data Types table gives BINARY as a
// BASE64-encoded string in JSON); intervals their SQL text.
type Encoder struct {
	csv  bool
	cols []value.Column
	keys [][]byte // JSON: `{"NAME":` for the first column, `,"NAME":` after
}

// NewEncoder returns an encoder for rows of cols in recordFormatType "JSON" or "CSV".
func NewEncoder(recordFormatType string, cols []value.Column) (*Encoder, error) {
	e := &Encoder{cols: cols}
	switch strings.ToUpper(recordFormatType) {
	case "JSON":
	case "CSV":
		e.csv = true
		return e, nil
	default:
		return nil, fmt.Errorf("RecordFormatType %q is not JSON or CSV", recordFormatType)
	}
	for i, c := range cols {
		k := []byte{','}
		if i == 0 {
			k[0] = '{'
		}
		k = jsontext.AppendString(k, c.Name)
		e.keys = append(e.keys, append(k, ':'))
	}
	return e, nil
}

// Append appends row as one record to dst. It allocates nothing when dst has room.
func (e *Encoder) Append(dst []byte, row []value.Value) []byte {
	if e.csv {
		for i := range e.cols {
			if i > 0 {
				dst = append(dst, ',')
			}
			if i < len(row) {
				dst = e.appendCSV(dst, &e.cols[i].Type, row[i])
			}
		}
		return append(dst, '\n')
	}
	if len(e.cols) == 0 {
		return append(dst, "{}"...)
	}
	for i := range e.cols {
		dst = append(dst, e.keys[i]...)
		if i < len(row) {
			dst = e.appendJSON(dst, &e.cols[i].Type, row[i])
		} else {
			dst = append(dst, "null"...)
		}
	}
	return append(dst, '}')
}

func (e *Encoder) appendJSON(b []byte, t *value.Type, v value.Value) []byte {
	switch v.K {
	case value.Null:
		return append(b, "null"...)
	case value.Bool:
		if v.I != 0 {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case value.Int, value.Decimal, value.Double:
		if v.K != value.Int && (math.IsNaN(v.F) || math.IsInf(v.F, 0)) {
			return append(b, "null"...)
		}
		return appendNumber(b, t, v)
	case value.String:
		return jsontext.AppendString(b, v.S)
	case value.Binary:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, []byte(v.S))
		return append(b, '"')
	case value.Timestamp, value.Date, value.Time:
		b = append(b, '"')
		b = appendDatetime(b, v)
		return append(b, '"')
	}
	// Intervals (as KDA prints them for their type's qualifier, as CAST to VARCHAR does) and ROWs: their
	// text, as a string.
	n := len(b)
	b = value.AppendQualified(b, v, *t)
	s := string(b[n:])
	return jsontext.AppendString(b[:n], s)
}

func (e *Encoder) appendCSV(b []byte, t *value.Type, v value.Value) []byte {
	switch v.K {
	case value.Null:
		return b
	case value.Int, value.Decimal, value.Double:
		if v.K != value.Int && (math.IsNaN(v.F) || math.IsInf(v.F, 0)) {
			return value.AppendFloat(b, v.F)
		}
		return appendNumber(b, t, v)
	case value.String:
		return appendCSVField(b, v.S)
	case value.Binary:
		if v.S == "" {
			return append(b, `""`...)
		}
		return base64.StdEncoding.AppendEncode(b, []byte(v.S))
	case value.Timestamp, value.Date, value.Time:
		return appendDatetime(b, v)
	}
	n := len(b)
	b = value.AppendQualified(b, v, *t)
	if needsQuote(string(b[n:])) {
		s := string(b[n:])
		return appendCSVField(b[:n], s)
	}
	return b
}

// appendNumber writes a number as its column's type prints it: an integer in a DOUBLE column is
// 5.0, as Java prints a double, and a double in an INTEGER column is rounded.
func appendNumber(b []byte, t *value.Type, v value.Value) []byte {
	switch t.Base {
	case value.TDecimal:
		return strconv.AppendFloat(b, v.Float(), 'f', t.Scale, 64)
	case value.TReal:
		return appendFloat32(b, v.Float())
	case value.TDouble:
		return value.AppendFloat(b, v.Float())
	case value.TTinyint, value.TSmallint, value.TInteger, value.TBigint:
		if v.K != value.Int {
			return strconv.AppendFloat(b, math.Round(v.F), 'f', 0, 64)
		}
	}
	if v.K == value.Int {
		return strconv.AppendInt(b, v.I, 10)
	}
	return value.AppendFloat(b, v.F)
}

// appendFloat32 writes f with the digits a REAL holds, as Java's Float.toString does: 33.11, not
// 33.11000061035156 (the float32 nearest 33.11, printed as a float64).
func appendFloat32(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > math.MaxFloat32 {
		return value.AppendFloat(b, f)
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-3 || a >= 1e7) {
		return value.AppendFloat(b, float64(float32(f))) // exponent form; rare for REAL columns
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 32)
	for _, c := range b[n:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

func appendDatetime(b []byte, v value.Value) []byte {
	switch v.K {
	case value.Date:
		return appendDate(b, v.I)
	case value.Time:
		return appendClock(b, v.I)
	}
	return appendTimestamp(b, v.I)
}

func needsQuote(s string) bool {
	if s == "" {
		return true // "" tells an empty string from NULL
	}
	return strings.ContainsAny(s, ",\"\r\n")
}

func appendCSVField(b []byte, s string) []byte {
	if !needsQuote(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
