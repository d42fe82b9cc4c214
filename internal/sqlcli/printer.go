package sqlcli

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/value"
)

// printer writes result rows as they come, flushing each: a table (a header, then columns aligned to
// widths fixed by the header and the column types, since later rows are not known yet), JSON lines, or
// CSV with a header line. JSON and CSV rows are what a destination of that RecordFormatType receives;
// the table also shows each row's ROWTIME.
type printer struct {
	w      *bufio.Writer
	mode   string
	cols   []value.Column
	widths []int
	enc    *format.Encoder
	buf    []byte
}

// Formats are the --format values.
var Formats = []string{"table", "json", "csv"}

func newPrinter(w io.Writer, mode string, cols []value.Column) (*printer, error) {
	p := &printer{w: bufio.NewWriter(w), mode: mode, cols: cols}
	switch mode {
	case "table":
		p.widths = append(p.widths, len(value.TimestampLayout))
		for _, c := range cols {
			p.widths = append(p.widths, max(utf8.RuneCountInString(c.Name), typeWidth(c.Type)))
		}
	case "json", "csv":
		enc, err := format.NewEncoder(mode, cols)
		if err != nil {
			return nil, err
		}
		p.enc = enc
	default:
		return nil, fmt.Errorf("--format %q: want one of %s", mode, strings.Join(Formats, ", "))
	}
	return p, nil
}

// typeWidth is how wide a column of t is printed: enough for most values of the type, at most 24.
func typeWidth(t value.Type) int {
	switch t.Base {
	case value.TBoolean:
		return 5
	case value.TTinyint, value.TSmallint:
		return 6
	case value.TInteger:
		return 11
	case value.TBigint, value.TDecimal, value.TReal, value.TDouble:
		return 12
	case value.TChar, value.TVarchar, value.TBinary, value.TVarbinary:
		if t.Len > 0 {
			return min(t.Len, 24)
		}
		return 16
	case value.TDate:
		return len(value.DateLayout)
	case value.TTime:
		return len(value.TimeLayout)
	case value.TTimestamp:
		return len(value.TimestampLayout)
	}
	return 8
}

// header writes the table's header or the CSV's column names.
func (p *printer) header() error {
	switch p.mode {
	case "table":
		cells := []string{"ROWTIME"}
		for _, c := range p.cols {
			cells = append(cells, c.Name)
		}
		p.line(cells)
	case "csv":
		for i, c := range p.cols {
			if i > 0 {
				p.w.WriteByte(',')
			}
			p.w.WriteString(csvField(c.Name))
		}
		p.w.WriteByte('\n')
	}
	return p.w.Flush()
}

// row writes one result row.
func (p *printer) row(r engine.Row) error {
	b := p.buf[:0]
	switch p.mode {
	case "table":
		// ROWTIME's text is always exactly its column's width.
		b = time.UnixMilli(r.Time).UTC().AppendFormat(b, value.TimestampLayout)
		for i, v := range r.Cols {
			b = append(b, "  "...)
			start := len(b)
			if v.K == value.Null {
				b = append(b, "NULL"...)
			} else {
				b = v.AppendText(b)
			}
			if i+1 < len(r.Cols) {
				b = padTo(b, start, p.widths[i+1])
			}
		}
		b = append(b, '\n')
	default:
		b = p.enc.Append(b, r.Cols)
		if p.mode == "json" {
			b = append(b, '\n')
		}
	}
	p.buf = b
	p.w.Write(b)
	return p.w.Flush()
}

// padTo pads the table cell that starts at b[start:] to width runes. Numbers and text alike are
// left-aligned, so that a value wider than its column pushes the rest right rather than being cut.
func padTo(b []byte, start, width int) []byte {
	for n := utf8.RuneCount(b[start:]); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// line writes the header's cells.
func (p *printer) line(cells []string) {
	b := p.buf[:0]
	for i, c := range cells {
		if i > 0 {
			b = append(b, "  "...)
		}
		start := len(b)
		b = append(b, c...)
		if i+1 < len(cells) {
			b = padTo(b, start, p.widths[i])
		}
	}
	p.buf = append(b, '\n')
	p.w.Write(p.buf)
}

// csvField quotes a CSV header field as the encoder quotes values.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
