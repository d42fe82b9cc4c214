package format

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

func mustType(t testing.TB, s string) value.Type {
	t.Helper()
	typ, err := value.ParseType(s)
	if err != nil {
		t.Fatalf("ParseType(%q): %v", s, err)
	}
	return typ
}

func TestEncoder(t *testing.T) {
	tests := []struct {
		typ  string
		v    value.Value
		json string // the value in the JSON object
		csv  string // the CSV field
	}{
		{"INTEGER", value.Value{}, `null`, ``},
		{"INTEGER", value.NewInt(-42), `-42`, `-42`},
		{"BIGINT", value.NewInt(math.MaxInt64), `9223372036854775807`, `9223372036854775807`},
		{"DOUBLE", value.NewDouble(35.61), `35.61`, `35.61`},
		{"DOUBLE", value.NewDouble(100), `100.0`, `100.0`},
		{"DOUBLE", value.NewDouble(1e-5), `1.0E-5`, `1.0E-5`},
		{"DOUBLE", value.NewDouble(math.NaN()), `null`, `NaN`},
		{"DOUBLE", value.NewDouble(math.Inf(1)), `null`, `Infinity`},
		{"REAL", value.NewDouble(float64(float32(33.11))), `33.11`, `33.11`},
		{"REAL", value.NewDouble(27.9), `27.9`, `27.9`},
		{"DECIMAL(5,2)", value.NewDecimal(1.5), `1.50`, `1.50`},
		{"DECIMAL(5,2)", value.NewDecimal(2.345), `2.35`, `2.35`},
		{"DECIMAL(10,0)", value.NewDecimal(12), `12`, `12`},
		{"INTEGER", value.NewDouble(2.6), `3`, `3`}, // a double in an INTEGER column: rounded
		{"DOUBLE", value.NewInt(5), `5.0`, `5.0`},   // an integer in a DOUBLE column: a double
		{"VARCHAR(8)", value.NewInt(5), `5`, `5`},   // a value of another kind than its column: by its kind
		{"BOOLEAN", value.NewBool(true), `true`, `true`},
		{"BOOLEAN", value.NewBool(false), `false`, `false`},
		{"VARCHAR(32)", value.NewString("AMZN"), `"AMZN"`, `AMZN`},
		{"VARCHAR(32)", value.NewString(""), `""`, `""`},
		{"VARCHAR(32)", value.NewString("a,b"), `"a,b"`, `"a,b"`},
		{"VARCHAR(32)", value.NewString("say \"hi\"\n\t\\ \x01 é"), `"say \"hi\"\n\t\\ \u0001 é"`, "\"say \"\"hi\"\"\n\t\\ \x01 é\""},
		// Invalid UTF-8 is U+FFFD, written escaped as encoding/json writes it (internal/jsontext, shared
		// with the wire responses); so are U+2028 and U+2029.
		{"VARCHAR(32)", value.NewString("bad \xff utf8"), `"bad \ufffd utf8"`, "bad \xff utf8"},
		{"VARCHAR(32)", value.NewString("a\u2028b"), `"a\u2028b"`, "a\u2028b"},
		{"TIMESTAMP", value.NewTimestamp(1528899065766), `"2018-06-13 14:11:05.766"`, `2018-06-13 14:11:05.766`},
		{"TIMESTAMP", value.NewTimestamp(-1), `"1969-12-31 23:59:59.999"`, `1969-12-31 23:59:59.999`},
		{"TIMESTAMP", value.NewTimestamp(0), `"1970-01-01 00:00:00.000"`, `1970-01-01 00:00:00.000`},
		{"DATE", value.NewDate(698025600000), `"1992-02-14"`, `1992-02-14`},
		{"TIME", value.NewTime(66944250), `"18:35:44.250"`, `18:35:44.250`},
		{"VARBINARY(4)", value.NewBinary([]byte{1, 2, 3}), `"AQID"`, `AQID`},
	}
	for _, tt := range tests {
		cols := []value.Column{{Name: "k", Type: mustType(t, tt.typ)}, {Name: "Mixed Case", Type: value.IntegerType}}
		row := []value.Value{tt.v, value.NewInt(1)}
		je, err := NewEncoder("JSON", cols)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(je.Append(nil, row)), `{"k":`+tt.json+`,"Mixed Case":1}`; got != want {
			t.Errorf("JSON %s %v = %s, want %s", tt.typ, tt.v, got, want)
		} else if !json.Valid([]byte(got)) {
			t.Errorf("JSON %s is not valid JSON", got)
		}
		ce, err := NewEncoder("csv", cols)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(ce.Append(nil, row)), tt.csv+",1\n"; got != want {
			t.Errorf("CSV %s %v = %q, want %q", tt.typ, tt.v, got, want)
		}
	}
	if _, err := NewEncoder("AVRO", nil); err == nil {
		t.Error("NewEncoder(AVRO) did not fail")
	}
}

// TestEncoderAppends: records go one after another in one buffer, with no separator for JSON.
func TestEncoderAppends(t *testing.T) {
	e, _ := NewEncoder("JSON", []value.Column{{Name: "id", Type: value.IntegerType}})
	b := e.Append(nil, []value.Value{value.NewInt(1)})
	b = e.Append(b, []value.Value{value.NewInt(2)})
	if string(b) != `{"id":1}{"id":2}` {
		t.Errorf("got %s", b)
	}
}

// TestEncoderRoundTrip: a row encoded, then mapped with the same columns, gives the same values.
func TestEncoderRoundTrip(t *testing.T) {
	schema := []Column{
		col("I", "INTEGER", "$.I"), col("B", "BIGINT", "$.B"), col("D", "DOUBLE", "$.D"), col("R", "REAL", "$.R"),
		col("DEC", "DECIMAL(8,3)", "$.DEC"), col("BOOL", "BOOLEAN", "$.BOOL"), col("S", "VARCHAR(64)", "$.S"),
		col("TS", "TIMESTAMP", "$.TS"), col("DT", "DATE", "$.DT"), col("TM", "TIME", "$.TM"), col("BIN", "VARBINARY(8)", "$.BIN"),
		col("Quoted_Name", "VARCHAR(8)", `$['Quoted_Name']`),
	}
	rows := [][]value.Value{
		{value.NewInt(-7), value.NewInt(math.MinInt64), value.NewDouble(0.1), value.NewDouble(27.9), value.NewDecimal(12345.678),
			value.NewBool(true), value.NewString("a,\"b\"\nc\\d é"), value.NewTimestamp(1528899065766), value.NewDate(698025600000),
			value.NewTime(66944250), value.NewBinary([]byte{0, 255}), value.NewString("x")},
		{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}},
		{value.NewInt(0), value.NewInt(1), value.NewDouble(-1e300), value.NewDouble(-0.5), value.NewDecimal(-0.001),
			value.NewBool(false), value.NewString(""), value.NewTimestamp(-86_400_000 * 365), value.NewDate(0),
			value.NewTime(0), value.NewBinary(nil), value.NewString("")},
	}
	for _, format := range []string{"JSON", "CSV"} {
		f := jsonFormat
		cols := schema
		if format == "CSV" {
			f = RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","}
			cols = make([]Column, len(schema))
			for i, c := range schema {
				cols[i] = Column{Name: c.Name, SQLType: c.SQLType}
			}
		}
		m := mustMapper(t, f, cols...)
		e, err := NewEncoder(format, m.Columns())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range rows {
			rec := e.Append(nil, want)
			n := 0
			m.Map(rec, func(got []value.Value) {
				n++
				for i := range want {
					if !sameValue(got[i], want[i]) {
						t.Errorf("%s %s: column %s = %#v, want %#v", format, rec, cols[i].Name, got[i], want[i])
					}
				}
			}, func(e *MapError) { t.Errorf("%s %s: %v", format, rec, e) })
			if n != 1 {
				t.Errorf("%s %s: %d rows", format, rec, n)
			}
		}
	}
}

func sameValue(a, b value.Value) bool {
	if a.K == value.Binary && b.K == value.Binary {
		return a.S == b.S
	}
	return a.K == b.K && value.Compare(a, b) == 0
}

// An interval column is written as KDA prints an interval of its type's qualifier, the same text a CAST
// to VARCHAR gives (the Date, Timestamp, and Interval Operators page: 6 minutes 11 seconds, MINUTE TO
// SECOND, is +6:11).
func TestEncodeIntervalQualified(t *testing.T) {
	typ, err := value.ParseType("INTERVAL MINUTE TO SECOND")
	if err != nil {
		t.Fatal(err)
	}
	cols := []value.Column{{Name: "D", Type: typ}}
	row := []value.Value{{K: value.Interval, I: 371_000}}
	for format, want := range map[string]string{"JSON": `{"D":"+6:11"}`, "CSV": "+6:11\n"} {
		e, err := NewEncoder(format, cols)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(e.Append(nil, row)); got != want {
			t.Errorf("%s: %q, want %q", format, got, want)
		}
	}
}
