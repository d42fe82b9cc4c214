package format

import (
	"reflect"
	"strings"
	"testing"
)

func records(rs ...string) [][]byte {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = []byte(r)
	}
	return out
}

// TestDiscoverCSVGuide is sch-dis-ref.html's example ("Using the Schema Discovery Feature on Static
// Data"): data.csv and the response the guide shows.
func TestDiscoverCSVGuide(t *testing.T) {
	raw := "year,month,state,producer_type,energy_source,units,consumption\r\n" +
		"2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n" +
		"2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535\r\n" +
		"2001,1,AK,CombinedHeatandPowerElectricPower,Coal,ShortTons,22890\r\n" +
		"2001,1,AL,TotalElectricPowerIndustry,Coal,ShortTons,3020601\r\n" +
		"2001,1,AL,ElectricGeneratorsElectricUtilities,Coal,ShortTons,2987681"
	d, err := Discover(records(raw))
	if err != nil {
		t.Fatal(err)
	}
	wantFormat := RecordFormat{Type: "CSV", RowDelimiter: "\r\n", ColumnDelimiter: ","}
	if d.Format != wantFormat {
		t.Errorf("format %+v, want %+v", d.Format, wantFormat)
	}
	wantCols := []Column{
		{Name: "COL_year", SQLType: "INTEGER"}, {Name: "COL_month", SQLType: "INTEGER"}, {Name: "state", SQLType: "VARCHAR(4)"},
		{Name: "producer_type", SQLType: "VARCHAR(64)"}, {Name: "energy_source", SQLType: "VARCHAR(4)"},
		{Name: "units", SQLType: "VARCHAR(16)"}, {Name: "consumption", SQLType: "INTEGER"},
	}
	if !reflect.DeepEqual(d.Columns, wantCols) {
		t.Errorf("columns\n%+v\nwant\n%+v", d.Columns, wantCols)
	}
	if len(d.Raw) != 1 || d.Raw[0] != raw {
		t.Errorf("raw %q", d.Raw)
	}
	// "ParsedInputRecords": the header row with null under the INTEGER columns, then the data rows.
	wantParsed := [][]string{
		{"", "", "state", "producer_type", "energy_source", "units", ""},
		{"2001", "1", "AK", "TotalElectricPowerIndustry", "Coal", "ShortTons", "47615"},
	}
	if len(d.Parsed) != 6 || !reflect.DeepEqual(d.Parsed[:2], wantParsed) {
		t.Errorf("parsed %q", d.Parsed)
	}
	// The discovered schema maps the data rows.
	m := mustMapper(t, d.Format, d.Columns...)
	rows, errs := mapAll(t, m, strings.SplitN(raw, "\r\n", 2)[1])
	if len(rows) != 5 || len(errs) != 0 || rows[4][6] != "2987681" {
		t.Errorf("mapping the data: rows %q errors %v", rows, errs)
	}
}

func TestDiscoverJSON(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		want    []Column
	}{
		// aws_doc_01: "inferred by schema discovery: TICKER VARCHAR(4), PRICE REAL".
		{"aws_doc_01", []string{`{"TICKER": "TBV", "PRICE": 33.11}`, `{"TICKER": "INTC", "PRICE": 62.04}`,
			`{"TICKER": "MSFT", "PRICE": 40.97}`, `{"TICKER": "AMZN", "PRICE": 27.9}`},
			[]Column{col("TICKER", "VARCHAR(4)", "$.TICKER"), col("PRICE", "REAL", "$.PRICE")}},
		// The demo stream: TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL.
		{"demo stream", []string{`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`,
			`{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":1,"PRICE":1045.3}`},
			[]Column{col("TICKER_SYMBOL", "VARCHAR(4)", "$.TICKER_SYMBOL"), col("SECTOR", "VARCHAR(16)", "$.SECTOR"),
				col("CHANGE", "REAL", "$.CHANGE"), col("PRICE", "REAL", "$.PRICE")}},
		// aws_doc_02: EVENT_TIME is discovered as VARCHAR and edited to TIMESTAMP afterwards.
		{"aws_doc_02", []string{`{"EVENT_TIME": "2018-06-13T14:11:05.766191", "TICKER": "TBV", "PRICE": 43.65}`},
			[]Column{col("EVENT_TIME", "VARCHAR(32)", "$.EVENT_TIME"), col("TICKER", "VARCHAR(4)", "$.TICKER"), col("PRICE", "REAL", "$.PRICE")}},
		// aws_doc_19: sparse records give the union of their members.
		{"aws_doc_19", []string{`{"RecordType": "Order", "Oid": 1, "Oprice": 5000}`, `{"RecordType": "Trade", "Tid": 1, "Tprice": 1500.5}`},
			[]Column{col("RecordType", "VARCHAR(8)", "$.RecordType"), col("Oid", "INTEGER", "$.Oid"), col("Oprice", "INTEGER", "$.Oprice"),
				col("Tid", "INTEGER", "$.Tid"), col("Tprice", "REAL", "$.Tprice")}},
		{"types", []string{`{"i": 1, "big": 3000000000, "f": 1.5, "huge": 1e300, "b": true, "mixed": 1, "n": null, "o": {}}`,
			`{"i": 2, "big": 1, "f": 2, "huge": 1, "b": false, "mixed": "x", "n": null, "o": {}}`},
			[]Column{col("i", "INTEGER", "$.i"), col("big", "BIGINT", "$.big"), col("f", "REAL", "$.f"), col("huge", "DOUBLE", "$.huge"),
				col("b", "BOOLEAN", "$.b"), col("mixed", "VARCHAR(4)", "$.mixed"), col("n", "VARCHAR(4)", "$.n"), col("o", "VARCHAR(4)", "$.o")}},
		// Nested objects are flattened; arrays are one column of their text; a name used twice is
		// made from the path.
		{"nested", []string{`{"id": 7, "address": {"city": "Anytown", "geo": {"lat": 1.5}}, "orders": [{"orderId": "23284"}], "detail": {"id": "x"}}`},
			[]Column{col("id", "INTEGER", "$.id"), col("city", "VARCHAR(8)", "$.address.city"), col("lat", "REAL", "$.address.geo.lat"),
				col("orders", "VARCHAR(32)", "$.orders[0:]"), col("detail_id", "VARCHAR(4)", "$.detail.id")}},
		// sch-dis.html's renaming table: USER -> COL_USER, USER@DOMAIN -> COL_USERDOMAIN, @@ -> COL_0.
		{"names", []string{`{"@@": 1, "USER": 1, "USER@DOMAIN": 1, "year": 1, "1st": 1, "Good_Name": 1, "user": 2}`},
			[]Column{col("COL_0", "INTEGER", "$.@@"), col("COL_USER", "INTEGER", "$.USER"), col("COL_USERDOMAIN", "INTEGER", "$.USER@DOMAIN"),
				col("COL_year", "INTEGER", "$.year"), col("COL_1st", "INTEGER", "$.1st"), col("Good_Name", "INTEGER", "$.Good_Name"),
				col("COL_user_2", "INTEGER", "$.user")}},
		{"array of rows", []string{`[{"a": 1}, {"a": 2, "b": "x"}]`},
			[]Column{col("a", "INTEGER", "$.a"), col("b", "VARCHAR(4)", "$.b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Discover(records(tt.records...))
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != jsonFormat {
				t.Errorf("format %+v", d.Format)
			}
			if !reflect.DeepEqual(d.Columns, tt.want) {
				t.Errorf("columns\n%+v\nwant\n%+v", d.Columns, tt.want)
			}
			if len(d.Parsed) == 0 || len(d.Parsed[0]) != len(tt.want) {
				t.Errorf("parsed %q", d.Parsed)
			}
			if _, err := NewMapper(d.Format, d.Columns); err != nil {
				t.Errorf("the discovered schema does not compile: %v", err)
			}
		})
	}
}

func TestDiscoverParsed(t *testing.T) {
	d, err := Discover(records(`{"TICKER": "TBV", "PRICE": 33.11, "n": null}`, `{"TICKER": "INTC", "PRICE": 62}`))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"TBV", "33.11", ""}, {"INTC", "62.0", ""}}
	if !reflect.DeepEqual(d.Parsed, want) {
		t.Errorf("parsed %q, want %q", d.Parsed, want)
	}
}

func TestDiscoverCSVDelimiters(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		delim   string
		row     string
		cols    []Column
	}{
		{"comma, no header", []string{"AMZN,12.5,3", "TBV,1.25,4"}, ",", "\n",
			[]Column{{Name: "COL_0", SQLType: "VARCHAR(4)"}, {Name: "COL_1", SQLType: "REAL"}, {Name: "COL_2", SQLType: "INTEGER"}}},
		{"tab", []string{"a\tb c\t1\n", "d\te\t2\n"}, "\t", "\n",
			[]Column{{Name: "COL_0", SQLType: "VARCHAR(4)"}, {Name: "COL_1", SQLType: "VARCHAR(4)"}, {Name: "COL_2", SQLType: "INTEGER"}}},
		{"pipe over commas in text", []string{"a,b|1|true", "c|2|false"}, "|", "\n",
			[]Column{{Name: "COL_0", SQLType: "VARCHAR(4)"}, {Name: "COL_1", SQLType: "INTEGER"}, {Name: "COL_2", SQLType: "BOOLEAN"}}},
		{"semicolon with header", []string{"name;price\nAMZN;12\nTBV;13"}, ";", "\n",
			[]Column{{Name: "name", SQLType: "VARCHAR(4)"}, {Name: "price", SQLType: "INTEGER"}}},
		{"one column of text", []string{"hello world", "plain log line"}, ",", "\n",
			[]Column{{Name: "COL_0", SQLType: "VARCHAR(16)"}}},
		{"quoted", []string{`"a,b",1`, `"c",2`}, ",", "\n",
			[]Column{{Name: "COL_0", SQLType: "VARCHAR(4)"}, {Name: "COL_1", SQLType: "INTEGER"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Discover(records(tt.records...))
			if err != nil {
				t.Fatal(err)
			}
			if d.Format.Type != "CSV" || d.Format.ColumnDelimiter != tt.delim || d.Format.RowDelimiter != tt.row {
				t.Errorf("format %+v", d.Format)
			}
			if !reflect.DeepEqual(d.Columns, tt.cols) {
				t.Errorf("columns\n%+v\nwant\n%+v", d.Columns, tt.cols)
			}
			if _, err := NewMapper(d.Format, d.Columns); err != nil {
				t.Errorf("the discovered schema does not compile: %v", err)
			}
		})
	}
}

func TestDiscoverNothing(t *testing.T) {
	for _, rs := range [][]string{nil, {""}, {"\n\n"}, {"{}"}} {
		if _, err := Discover(records(rs...)); err != ErrNoSchema {
			t.Errorf("Discover(%q) = %v, want ErrNoSchema", rs, err)
		}
	}
}
