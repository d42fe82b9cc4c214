package format

import (
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// The fuzz targets check that Map and Discover never panic and keep their promises on any input:
// every row has the schema's width and fits its types, and each failure is one MapError.

var fuzzJSONSchema = []Column{
	col("S", "VARCHAR(8)", "$.s"), col("I", "INTEGER", "$.a.i"), col("D", "DOUBLE", "$.d"), col("B", "BOOLEAN", "$.b"),
	col("T", "TIMESTAMP", "$.t"), col("DEC", "DECIMAL(6,2)", "$.n[1]"), col("F", "VARCHAR(16)", "$.arr[0:].x"),
	col("ARR", "VARCHAR(32)", "$.arr[0:]"), col("BIN", "VARBINARY(4)", "$.bin"), col("TM", "TIME", "$.tm"), col("DT", "DATE", "$.dt"),
}

func checkRow(t *testing.T, cols []value.Column, row []value.Value) {
	if len(row) != len(cols) {
		t.Fatalf("row of %d values for %d columns", len(row), len(cols))
	}
	for i, v := range row {
		if v.IsNull() {
			continue
		}
		c := cols[i]
		if v.K != c.Type.Kind() {
			t.Fatalf("column %s: value kind %v for type %v", c.Name, v.K, c.Type)
		}
		if c.Type.Textual() && c.Type.Len > 0 && len([]rune(v.S)) > c.Type.Len {
			t.Fatalf("column %s: %q longer than %v", c.Name, v.S, c.Type)
		}
	}
}

func fuzzMap(t *testing.T, m *Mapper, rec []byte) {
	m.Map(rec, func(row []value.Value) { checkRow(t, m.Columns(), row) }, func(e *MapError) {
		if e == nil || e.Name != ErrParse && e.Name != ErrTypeConversion || e.Message == "" {
			t.Fatalf("bad error %#v", e)
		}
	})
}

func FuzzMapJSON(f *testing.F) {
	for _, s := range []string{
		jsonPathRecord,
		`{"s": "héllo \"x\"", "a": {"i": 42}, "d": -1.5e3, "b": true, "t": "2018-06-13T14:11:05.766191", "n": [0, 12.345],
		  "arr": [{"x": 1}, {"x": "y"}, {}], "bin": "X'0102'", "tm": "18:35:44", "dt": "1992-02-14"}`,
		`{"s": 5, "a": {"i": "7"}, "d": "3", "b": "TRUE", "t": "1992-02-14 18:35:44.0", "arr": []}`,
		`[{"s": "a"}, {"s": "b"}]`, `{"a": [1, {"i": 1}], "arr": {"x": 1}}`, `{"s": "\ud83d\ude00\u0000"}`,
		`{"i": 99999999999999999999999, "d": 1e999}`, `{`, `"x"`, `{"a":}`, `{"s":"\u12"}`, ``,
	} {
		f.Add([]byte(s))
	}
	m, err := NewMapper(jsonFormat, fuzzJSONSchema)
	if err != nil {
		f.Fatal(err)
	}
	rows, err := NewMapper(RecordFormat{Type: "JSON", RecordRowPath: "$.a[0:]"}, fuzzJSONSchema)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		fuzzMap(t, m, rec)
		fuzzMap(t, rows, rec)
	})
}

func FuzzMapCSV(f *testing.F) {
	for _, s := range []string{"a,1,2.5,true,2018-06-13 14:11:05.766\nb,2", `"a,""b""",1` + "\n\n", "x||y::z", "\"open", ",,,\n,,"} {
		f.Add([]byte(s), "\n", ",")
	}
	f.Add([]byte("a::1||b::2||"), "||", "::")
	f.Add([]byte("a\t1\r\nb\t2"), "\r\n", "\t")
	cols := []Column{col("S", "VARCHAR(4)", ""), col("I", "BIGINT", ""), col("D", "REAL", ""), col("B", "BOOLEAN", ""), col("T", "TIMESTAMP", "")}
	f.Fuzz(func(t *testing.T, rec []byte, rowDelim, colDelim string) {
		m, err := NewMapper(RecordFormat{Type: "CSV", RowDelimiter: rowDelim, ColumnDelimiter: colDelim}, cols)
		if err != nil {
			return
		}
		fuzzMap(t, m, rec)
	})
}

func FuzzDiscover(f *testing.F) {
	f.Add([]byte(`{"TICKER": "TBV", "PRICE": 33.11, "a": {"b": [1, 2]}}`), []byte(`{"TICKER": "INTC", "x": null}`))
	f.Add([]byte("year,month\r\n2001,1"), []byte("2002,2"))
	f.Add([]byte("a|b|c"), []byte("\"q\"\"\"|1|2"))
	f.Add([]byte(`[{"a": 1}, 2]`), []byte(``))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		d, err := Discover([][]byte{a, b})
		if err != nil {
			return
		}
		m, err := NewMapper(d.Format, d.Columns)
		if err != nil {
			t.Fatalf("discovered schema (%s, %d columns) does not compile: %v", d.Format.Type, len(d.Columns), err)
		}
		for _, p := range d.Parsed {
			if len(p) != len(d.Columns) {
				t.Fatalf("parsed row %q for %d columns", p, len(d.Columns))
			}
		}
		if d.Format.Type == "JSON" {
			// Discovery saw these records: each maps to at least one row or reports why.
			for _, r := range [][]byte{a, b} {
				if strings.TrimSpace(string(r)) == "" {
					continue
				}
				n := 0
				m.Map(r, func(row []value.Value) { n++; checkRow(t, m.Columns(), row) }, func(*MapError) { n++ })
				if n == 0 {
					t.Fatalf("record %q gave neither rows nor errors", r)
				}
			}
		}
	})
}

// FuzzEncoderRoundTrip: strings written by the encoder read back the same through the mapper.
func FuzzEncoderRoundTrip(f *testing.F) {
	f.Add("AMZN", int64(5), 1.5)
	f.Add("a,\"b\"\n", int64(-1), -0.0)
	f.Fuzz(func(t *testing.T, s string, i int64, d float64) {
		if !validUTF8(s) {
			return
		}
		for _, format := range []RecordFormat{jsonFormat, {Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","}} {
			cols := []Column{col("S", "VARCHAR", "$.S"), col("I", "BIGINT", "$.I"), col("D", "DOUBLE", "$.D")}
			if format.Type == "CSV" {
				for k := range cols {
					cols[k].Mapping = ""
				}
			}
			m := mustMapper(t, format, cols...)
			e, err := NewEncoder(format.Type, m.Columns())
			if err != nil {
				t.Fatal(err)
			}
			want := []value.Value{value.NewString(s), value.NewInt(i), value.NewDouble(d)}
			rec := e.Append(nil, want)
			n := 0
			m.Map(rec, func(got []value.Value) {
				n++
				if got[0].S != s || got[1].I != i || !(got[2].F == d || d != d && got[2].IsNull() || d-d != 0) {
					t.Fatalf("%s: %q gave %v, want %v", format.Type, rec, got, want)
				}
			}, func(e *MapError) {
				if d == d && d-d == 0 {
					t.Fatalf("%s: %q: %v", format.Type, rec, e)
				}
			})
			if n != 1 && d == d && d-d == 0 {
				t.Fatalf("%s: %q gave %d rows", format.Type, rec, n)
			}
		}
	})
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }
