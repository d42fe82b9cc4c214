package format

import "testing"

func TestCSV(t *testing.T) {
	three := []Column{col("A", "VARCHAR(8)", ""), col("B", "INTEGER", ""), col("C", "VARCHAR(8)", "")}
	tests := []struct {
		name      string
		row, cold string
		cols      []Column
		rec       string
		want      string
		errs      int
	}{
		// sch-mapping.html's CSV input schema example: LastName, FirstName, CustomerId.
		{"guide example", "\n", ",", []Column{col("LastName", "VARCHAR(16)", ""), col("FirstName", "VARCHAR(16)", ""), col("CustomerId", "INTEGER", "")},
			"Doe,John,67321\nRoe,Jane,67322", "Doe|John|67321\nRoe|Jane|67322\n", 0},
		{"trailing row delimiter", "\n", ",", three, "a,1,x\n", "a|1|x\n", 0},
		{"empty rows skipped", "\n", ",", three, "\na,1,x\n\n\nb,2,y\n", "a|1|x\nb|2|y\n", 0},
		{"pipe", "\n", "|", three, "a|1|x\nb|2|y", "a|1|x\nb|2|y\n", 0},
		{"tab (gh_08)", "\n", "\t", three, "a\t1\tx y", "a|1|x y\n", 0},
		{"multi-char row delimiter", "\r\n", ",", three, "a,1,x\r\nb,2,y\r\n", "a|1|x\nb|2|y\n", 0},
		{"multi-char both", "||", "::", three, "a::1::x||b::2::y||", "a|1|x\nb|2|y\n", 0},
		{"lone CR inside a \\r\\n-delimited row is data", "\r\n", ",", three, "a\r,1,x\r\n", "a\r|1|x\n", 0},
		// "you can import the first three columns from an input stream containing five elements"
		{"prefix of the fields", "\n", ",", three, "a,1,x,extra,more", "a|1|x\n", 0},
		{"missing fields are NULL", "\n", ",", three, "a,1\na", "a|1|<nil>\na|<nil>|<nil>\n", 0},
		{"empty field is NULL", "\n", ",", three, ",,", "<nil>|<nil>|<nil>\n", 0},
		{"spaces kept", "\n", ",", three, " a , 7 , x ", " a |7| x \n", 0},
		{"quoted fields", "\n", ",", three, `"a,b",1,"say ""hi"""` + "\n" + `"",2,"multi` + "\nline\"", "a,b|1|say \"hi\"\n|2|multi\nli\n", 0},
		{"bad integer: row refused, next row kept", "\n", ",", three, "a,x,c\nb,2,d", "b|2|d\n", 1},
		{"text after closing quote refused", "\n", ",", three, "\"a\"b,1,c\nd,2,e", "d|2|e\n", 1},
		{"unclosed quote", "\n", ",", three, "a,1,c\n\"open,2,e", "a|1|c\n", 1},
		{"truncation", "\n", ",", []Column{col("A", "VARCHAR(2)", "")}, "abcdef", "ab\n", 0},
		{"timestamp and boolean", "\n", ",", []Column{col("T", "TIMESTAMP", ""), col("B", "BOOLEAN", "")},
			"2018-06-13 14:11:05.766,TRUE\n2018-06-13T14:11:05,no", "2018-06-13 14:11:05.766|true\n2018-06-13 14:11:05.000|false\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustMapper(t, RecordFormat{Type: "CSV", RowDelimiter: tt.row, ColumnDelimiter: tt.cold}, tt.cols...)
			rows, errs := mapAll(t, m, tt.rec)
			if got := rowsString(rows); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
			if len(errs) != tt.errs {
				t.Errorf("errors %v, want %d", errs, tt.errs)
			}
		})
	}
}

func TestNewMapperErrors(t *testing.T) {
	csv := RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","}
	tests := []struct {
		name string
		f    RecordFormat
		cols []Column
		want string
	}{
		{"format", RecordFormat{Type: "XML"}, []Column{col("A", "INTEGER", "$.a")}, `RecordFormatType "XML" is not JSON or CSV`},
		{"no columns", jsonFormat, nil, "RecordColumns is empty"},
		{"empty name", jsonFormat, []Column{col("", "INTEGER", "$.a")}, "RecordColumn has an empty Name"},
		{"bad name", jsonFormat, []Column{col("A-B", "INTEGER", "$.a")}, `RecordColumn "A-B": Name must be`},
		{"duplicate", jsonFormat, []Column{col("A", "INTEGER", "$.a"), col("A", "INTEGER", "$.b")}, "RecordColumn A appears twice"},
		{"unknown type", jsonFormat, []Column{col("A", "VARCHAR2(4)", "$.a")}, `RecordColumn A: SqlType "VARCHAR2(4)": `},
		{"interval", jsonFormat, []Column{col("A", "INTERVAL DAY", "$.a")}, `RecordColumn A: SqlType "INTERVAL DAY"`},
		{"no mapping", jsonFormat, []Column{col("A", "INTEGER", "")}, "RecordColumn A: Mapping is required for JSON"},
		{"bad path", jsonFormat, []Column{col("A", "INTEGER", "a.b")}, `RecordColumn A: Mapping: JSONPath "a.b" does not start with $`},
		{"filter", jsonFormat, []Column{col("A", "INTEGER", "$.a[?(@.b)]")}, `RecordColumn A: Mapping: JSONPath "$.a[?(@.b)]": index [?(@.b)] is not supported`},
		{"slice", jsonFormat, []Column{col("A", "INTEGER", "$.a[1:]")}, `index [1:] is not supported`},
		{"recursive", jsonFormat, []Column{col("A", "INTEGER", "$..a")}, `empty member name`},
		{"unclosed", jsonFormat, []Column{col("A", "INTEGER", "$.a[0")}, `unclosed [`},
		{"row path", RecordFormat{Type: "JSON", RecordRowPath: "records"}, []Column{col("A", "INTEGER", "$.a")}, `JSONMappingParameters.RecordRowPath: JSONPath "records" does not start with $`},
		// about-json-path.html: "Only one array can be flattened in a schema" and "Only one level of
		// dereferencing is supported in an array expression".
		{"two flattened arrays", jsonFormat, []Column{col("A", "INTEGER", "$.a[0:].x"), col("B", "INTEGER", "$.b[0:].x")}, "only one array can be flattened"},
		{"nested flattening", jsonFormat, []Column{col("A", "INTEGER", "$.a[0:].e[0:].x")}, "only one array can be flattened"},
		{"csv mapping", csv, []Column{col("A", "INTEGER", "$.a")}, `RecordColumn A: Mapping "$.a" is not allowed for CSV`},
		{"csv row delimiter", RecordFormat{Type: "CSV", ColumnDelimiter: ","}, []Column{col("A", "INTEGER", "")}, "RecordRowDelimiter is missing"},
		{"csv column delimiter", RecordFormat{Type: "CSV", RowDelimiter: "\n"}, []Column{col("A", "INTEGER", "")}, "RecordColumnDelimiter is missing"},
		{"csv same delimiters", RecordFormat{Type: "CSV", RowDelimiter: ",", ColumnDelimiter: ","}, []Column{col("A", "INTEGER", "")}, "are both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMapper(tt.f, tt.cols)
			if err == nil || !contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestErrorRows: a bad record or value costs its rows only; Map goes on.
func TestErrorRows(t *testing.T) {
	cols := []Column{col("ID", "INTEGER", "$.id"), col("ITEM", "INTEGER", "$.items[0:].n")}
	tests := []struct {
		name, rec string
		want      string
		errs      []string
	}{
		{"not json", `hello`, "", []string{ErrParse}},
		{"empty", ``, "", []string{ErrParse}},
		{"truncated", `{"id": 1, "items": [{"n": 1}`, "", []string{ErrParse}},
		{"trailing garbage", `{"id": 1} x`, "", []string{ErrParse}},
		{"two objects", `{"id": 1}{"id": 2}`, "", []string{ErrParse}},
		{"bad escape", `{"id": 1, "s": "\q"}`, "", []string{ErrParse}},
		{"bad number", `{"id": 01}`, "", []string{ErrParse}},
		{"bad skipped value", `{"id": 1, "x": [1, 2,]}`, "", []string{ErrParse}},
		{"scalar record", `42`, "", []string{ErrParse}},
		{"one bad element", `{"id": 1, "items": [{"n": 1}, {"n": "x"}, {"n": 3}]}`, "1|1\n1|3\n", []string{ErrTypeConversion}},
		{"bad repeated value fails every row", `{"id": "x", "items": [{"n": 1}, {"n": 2}]}`, "", []string{ErrTypeConversion, ErrTypeConversion}},
		{"empty array gives one row", `{"id": 1, "items": []}`, "1|<nil>\n", nil},
		{"missing array gives one row", `{"id": 1}`, "1|<nil>\n", nil},
		{"not an array gives one row", `{"id": 1, "items": {"n": 5}}`, "1|<nil>\n", nil},
		{"white space and newline after record", " {\"id\": 1, \"items\": [ {\"n\" : 2 } ] }\n", "1|2\n", nil},
		{"byte order mark", "\xef\xbb\xbf{\"id\": 3}", "3|<nil>\n", nil},
		{"escaped key", `{"i\u0064": 7}`, "7|<nil>\n", nil},
		{"duplicate key: last wins", `{"id": 1, "id": 2}`, "2|<nil>\n", nil},
		{"deep nesting skipped", `{"id": 1, "x": ` + deep(10000) + `}`, "1|<nil>\n", nil},
	}
	m := mustMapper(t, jsonFormat, cols...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := mapAll(t, m, tt.rec)
			if got := rowsString(rows); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %v", errs, tt.errs)
			}
			for i := range errs {
				if errs[i] != tt.errs[i] {
					t.Errorf("errors %v, want %v", errs, tt.errs)
				}
			}
		})
	}
}

func deep(n int) string {
	b := make([]byte, 0, 2*n)
	for range n {
		b = append(b, '[')
	}
	for range n {
		b = append(b, ']')
	}
	return string(b)
}

// TestRecordRowPath: RecordRowPath chooses the row objects, and column mappings read from each row.
func TestRecordRowPath(t *testing.T) {
	tests := []struct {
		name, rowPath string
		cols          []Column
		rec, want     string
		errs          int
	}{
		{"root", "$", []Column{col("A", "INTEGER", "$.a")}, `{"a": 1}`, "1\n", 0},
		{"empty means root", "", []Column{col("A", "INTEGER", "$.a")}, `{"a": 1}`, "1\n", 0},
		{"record is an array of rows", "$", []Column{col("A", "INTEGER", "$.a")}, `[{"a": 1}, {"a": 2}, 3]`, "1\n2\n", 0},
		{"nested object", "$.data", []Column{col("A", "INTEGER", "$.a")}, `{"meta": {"a": 9}, "data": {"a": 1}}`, "1\n", 0},
		{"nested array", "$.records", []Column{col("A", "INTEGER", "$.a")}, `{"records": [{"a": 1}, {"a": 2}]}`, "1\n2\n", 0},
		{"wildcard", "$.records[0:]", []Column{col("A", "INTEGER", "$.a")}, `{"records": [{"a": 1}, {"a": 2}]}`, "1\n2\n", 0},
		{"mapping written through the row path", "$.records[0:]", []Column{col("A", "INTEGER", "$.records[0:].a")}, `{"records": [{"a": 1}, {"a": 2}]}`, "1\n2\n", 0},
		{"index", "$.records[1]", []Column{col("A", "INTEGER", "$.a")}, `{"records": [{"a": 1}, {"a": 2}]}`, "2\n", 0},
		{"row path missing", "$.records", []Column{col("A", "INTEGER", "$.a")}, `{"other": 1}`, "", 1},
		{"row path and flattening", "$.records", []Column{col("A", "INTEGER", "$.a"), col("N", "VARCHAR(16)", "$.n[0:]")},
			`{"records": [{"a": 1, "n": [1, 2]}, {"a": 2}]}`, "1|[1,2]\n2|<nil>\n", 0},
		{"the whole row as text", "$", []Column{col("R", "VARCHAR(64)", "$"), col("A", "INTEGER", "$.a")}, `{ "a" : 1, "b" : [ true ] }`, `{"a":1,"b":[true]}|1` + "\n", 0},
		{"invalid elsewhere", "$.records", []Column{col("A", "INTEGER", "$.a")}, `{"records": [{"a": 1}], "x": tru}`, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustMapper(t, RecordFormat{Type: "JSON", RecordRowPath: tt.rowPath}, tt.cols...)
			rows, errs := mapAll(t, m, tt.rec)
			if got := rowsString(rows); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if len(errs) != tt.errs {
				t.Errorf("errors %v, want %d", errs, tt.errs)
			}
		})
	}
}
