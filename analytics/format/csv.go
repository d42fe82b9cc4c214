package format

import (
	"bytes"

	"github.com/hydrantio/hydrant/analytics/value"
)

// CSV records hold one or more rows separated by RecordRowDelimiter, each with fields separated by
// RecordColumnDelimiter; both may be several characters long ("\r\n", "||"). Columns are positional:
// field k goes to column k, missing trailing fields are NULL and extra ones are dropped (a schema may
// import a prefix of the fields, sch-mapping.html). A field that starts with a double quote runs to
// the closing quote, with "" for a quote inside, so that the encoder's quoted fields read back; this
// is off when a delimiter contains a quote. Empty rows are skipped: a record ending with the row
// delimiter holds no empty last row.

func (m *Mapper) mapCSV(b []byte, emit func([]value.Value), onErr func(*MapError)) {
	rd, cd := m.rowDelim, m.colDelim
	i := 0
	for i < len(b) {
		if bytes.HasPrefix(b[i:], rd) {
			i += len(rd) // an empty row
			continue
		}
		clear(m.toks)
		k := 0
		bad := false
	fields:
		for {
			var t tok
			if m.quotes && i < len(b) && b[i] == '"' {
				end, esc, ok := scanQuoted(b, i)
				if !ok {
					report(onErr, parseError("CSV field at offset %d has no closing quote", i))
					return
				}
				t = tok{kind: tokString, esc: esc, start: i + 1, end: end - 1}
				i = end
				if i < len(b) && !bytes.HasPrefix(b[i:], cd) && !bytes.HasPrefix(b[i:], rd) {
					bad = true
				}
			} else {
				end := i
				if len(cd) == 1 && len(rd) == 1 {
					for c, r := cd[0], rd[0]; end < len(b) && b[end] != c && b[end] != r; {
						end++
					}
				} else {
					for end < len(b) && !(b[end] == cd[0] && bytes.HasPrefix(b[end:], cd)) && !(b[end] == rd[0] && bytes.HasPrefix(b[end:], rd)) {
						end++
					}
				}
				t = tok{kind: tokString, start: i, end: end}
				if end == i {
					t.kind = tokNull
				}
				i = end
			}
			if k < len(m.toks) {
				m.toks[k] = t
			}
			k++
			// The longer delimiter first, so that "\n" as the column delimiter does not take the
			// first half of a "\n\n" row delimiter.
			if len(rd) >= len(cd) && bytes.HasPrefix(b[i:], rd) {
				i += len(rd)
				break
			}
			if bytes.HasPrefix(b[i:], cd) {
				i += len(cd)
				continue
			}
			if bytes.HasPrefix(b[i:], rd) {
				i += len(rd)
				break
			}
			if i >= len(b) {
				break
			}
			// Text after a closing quote: skip to the end of the row and refuse it.
			for i < len(b) {
				if bytes.HasPrefix(b[i:], rd) {
					i += len(rd)
					break fields
				}
				i++
			}
			break
		}
		if bad {
			report(onErr, parseError("CSV row has text after a closing quote"))
			continue
		}
		m.emitRow(emit, onErr)
	}
}

// scanQuoted reads the quoted field at b[i]: it returns the offset after the closing quote and
// whether the field has doubled quotes to undo.
func scanQuoted(b []byte, i int) (int, bool, bool) {
	esc := false
	for j := i + 1; j < len(b); j++ {
		if b[j] != '"' {
			continue
		}
		if j+1 < len(b) && b[j+1] == '"' {
			esc = true
			j++
			continue
		}
		return j + 1, esc, true
	}
	return 0, false, false
}

func appendCSVUnquoted(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, s[i])
		if s[i] == '"' && i+1 < len(s) && s[i+1] == '"' {
			i++
		}
	}
	return dst
}
