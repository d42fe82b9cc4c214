package format

import (
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

func benchMap(b *testing.B, f RecordFormat, cols []Column, rec string) {
	m, err := NewMapper(f, cols)
	if err != nil {
		b.Fatal(err)
	}
	r := []byte(rec)
	n := 0
	emit := func([]value.Value) { n++ }
	onErr := func(e *MapError) { b.Fatal(e) }
	b.ReportAllocs()
	b.SetBytes(int64(len(r)))
	for b.Loop() {
		m.Map(r, emit, onErr)
	}
	if n == 0 {
		b.Fatal("no rows")
	}
}

// BenchmarkMapJSONFlat is the engine's input hot path: a record of about 100 bytes, five columns of
// strings, numbers and a timestamp.
func BenchmarkMapJSONFlat(b *testing.B) {
	benchMap(b, jsonFormat, []Column{
		col("EVENT_TIME", "TIMESTAMP", "$.EVENT_TIME"),
		col("TICKER_SYMBOL", "VARCHAR(4)", "$.TICKER_SYMBOL"),
		col("SECTOR", "VARCHAR(16)", "$.SECTOR"),
		col("CHANGE", "REAL", "$.CHANGE"),
		col("PRICE", "DOUBLE", "$.PRICE"),
	}, `{"EVENT_TIME": "2018-06-13T14:11:05.766191", "TICKER_SYMBOL": "AMZN", "SECTOR": "TECHNOLOGY", "CHANGE": -0.76, "PRICE": 35.61}`)
}

// BenchmarkMapJSONNumbers maps only numbers: no string is made at all.
func BenchmarkMapJSONNumbers(b *testing.B) {
	benchMap(b, jsonFormat, []Column{
		col("heartRate", "INTEGER", "$.heartRate"),
		col("x", "DOUBLE", "$.x"),
		col("y", "DOUBLE", "$.y"),
	}, `{"heartRate": 60, "rateType":"NORMAL", "x": 7.921782426109737, "y": 8.746265312709893}`)
}

func BenchmarkMapJSONNested(b *testing.B) {
	benchMap(b, jsonFormat, []Column{
		col("ID", "BIGINT", "$.detail.id"),
		col("CITY", "VARCHAR(16)", "$.detail.address.city"),
		col("FEE", "DECIMAL(10,2)", "$.detail.txs[0:].fee"),
		col("TS", "TIMESTAMP", "$.time"),
	}, `{"version":"0","time":"2024-01-02 03:04:05.678","source":"app","detail":{"id":123456789012,"address":{"street":"x","city":"Anytown"},"txs":[{"fee":1.25,"to":"a"},{"fee":2.5,"to":"b"}]}}`)
}

func BenchmarkMapCSV(b *testing.B) {
	benchMap(b, RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","}, []Column{
		col("EVENT_TIME", "TIMESTAMP", ""),
		col("TICKER_SYMBOL", "VARCHAR(4)", ""),
		col("SECTOR", "VARCHAR(16)", ""),
		col("CHANGE", "REAL", ""),
		col("PRICE", "DOUBLE", ""),
	}, "2018-06-13 14:11:05.766,AMZN,TECHNOLOGY,-0.76,35.61\n")
}

var benchRow = []value.Value{value.NewTimestamp(1528899065766), value.NewString("AMZN"), value.NewString("TECHNOLOGY"),
	value.NewDouble(-0.76), value.NewDouble(35.61), value.NewInt(42)}

var benchCols = []value.Column{{Name: "EVENT_TIME", Type: value.TimestampType}, {Name: "TICKER_SYMBOL", Type: value.Varchar(4)},
	{Name: "SECTOR", Type: value.Varchar(16)}, {Name: "CHANGE", Type: value.Type{Base: value.TReal}},
	{Name: "PRICE", Type: value.DoubleType}, {Name: "N", Type: value.IntegerType}}

func benchEncode(b *testing.B, format string) {
	e, err := NewEncoder(format, benchCols)
	if err != nil {
		b.Fatal(err)
	}
	buf := e.Append(nil, benchRow)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = e.Append(buf[:0], benchRow)
	}
}

func BenchmarkEncodeJSON(b *testing.B) { benchEncode(b, "JSON") }
func BenchmarkEncodeCSV(b *testing.B)  { benchEncode(b, "CSV") }

// TestAllocs holds the hot path to its budget: one allocation per record with strings, none without,
// none per encoded row.
func TestAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage counters allocate")
	}
	tests := []struct {
		name string
		f    RecordFormat
		cols []Column
		rec  string
		max  float64
	}{
		{"json strings", jsonFormat, []Column{col("S", "VARCHAR(8)", "$.s"), col("T", "VARCHAR(8)", "$.t"), col("N", "DOUBLE", "$.n"),
			col("TS", "TIMESTAMP", "$.ts")}, `{"s": "abc", "t": "def", "n": 1.5, "ts": "2018-06-13T14:11:05.766191", "x": [1, {"y": 2}]}`, 1},
		{"json numbers", jsonFormat, []Column{col("I", "INTEGER", "$.i"), col("N", "DOUBLE", "$.a.n")}, `{"i": 1, "a": {"n": 2.5}}`, 0},
		{"json flattened", jsonFormat, []Column{col("I", "INTEGER", "$.i"), col("S", "VARCHAR(4)", "$.a[0:].s")}, `{"i": 1, "a": [{"s": "x"}, {"s": "y"}]}`, 1},
		{"csv", RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","}, []Column{col("S", "VARCHAR(8)", ""), col("N", "REAL", "")}, "abc,1.5\ndef,2\n", 1},
	}
	for _, tt := range tests {
		m := mustMapper(t, tt.f, tt.cols...)
		rows := 0
		emit := func([]value.Value) { rows++ }
		onErr := func(e *MapError) { t.Fatalf("%s: %v", tt.name, e) }
		rec := []byte(tt.rec)
		if n := testing.AllocsPerRun(100, func() { m.Map(rec, emit, onErr) }); n > tt.max {
			t.Errorf("%s: %v allocations per record, want at most %v", tt.name, n, tt.max)
		}
		if rows == 0 {
			t.Errorf("%s: no rows", tt.name)
		}
	}
	for _, format := range []string{"JSON", "CSV"} {
		e, _ := NewEncoder(format, benchCols)
		buf := make([]byte, 0, 1024)
		if n := testing.AllocsPerRun(100, func() { buf = e.Append(buf[:0], benchRow) }); n != 0 {
			t.Errorf("encoder %s: %v allocations per row", format, n)
		}
	}
}
