package format

import (
	"testing"
)

// demoStream is the input schema of the console's demo stream, which most examples of the developer
// guide read (KDA-SQL.md section 7; aws_doc_03..07, 12..15, 27, 28, sqlref_05, 06).
var demoStream = []Column{
	col("TICKER_SYMBOL", "VARCHAR(4)", "$.TICKER_SYMBOL"),
	col("SECTOR", "VARCHAR(16)", "$.SECTOR"),
	col("CHANGE", "REAL", "$.CHANGE"),
	col("PRICE", "REAL", "$.PRICE"),
}

// TestExampleInputs maps the sample input of every example application in
// /work/shared/sql/examples with the input schema its header gives.
func TestExampleInputs(t *testing.T) {
	ordersSchema := []Column{col("orderid", "INTEGER", "$.orderid"), col("orders", "INTEGER", "$.orders"), col("shipments", "INTEGER", "$.shipments")}
	tests := []struct {
		name    string
		format  RecordFormat
		cols    []Column
		records []string
		want    string // rows, one line each, values joined by |
		errs    []string
	}{
		{name: "aws_doc_01 tumbling rowtime", format: jsonFormat,
			cols:    []Column{col("TICKER", "VARCHAR(4)", "$.TICKER"), col("PRICE", "REAL", "$.PRICE")},
			records: []string{`{"TICKER": "TBV", "PRICE": 33.11}`, `{"TICKER": "INTC", "PRICE": 62.04}`, `{"TICKER": "MSFT", "PRICE": 40.97}`, `{"TICKER": "AMZN", "PRICE": 27.9}`},
			want:    "TBV|33.11\nINTC|62.04\nMSFT|40.97\nAMZN|27.9\n"},
		{name: "aws_doc_02 event time", format: jsonFormat,
			cols: []Column{col("EVENT_TIME", "TIMESTAMP", "$.EVENT_TIME"), col("TICKER", "VARCHAR(4)", "$.TICKER"), col("PRICE", "REAL", "$.PRICE")},
			records: []string{`{"EVENT_TIME": "2018-06-13T14:11:05.766191", "TICKER": "TBV", "PRICE": 43.65}`,
				`{"EVENT_TIME": "2018-06-13T14:11:05.848967", "TICKER": "AMZN", "PRICE": 35.61}`,
				`{"EVENT_TIME": "2018-06-13T14:11:05.931871", "TICKER": "MSFT", "PRICE": 73.48}`,
				`{"EVENT_TIME": "2018-06-13T14:11:06.014845", "TICKER": "AMZN", "PRICE": 18.64}`},
			want: "2018-06-13 14:11:05.766|TBV|43.65\n2018-06-13 14:11:05.848|AMZN|35.61\n2018-06-13 14:11:05.931|MSFT|73.48\n2018-06-13 14:11:06.014|AMZN|18.64\n"},
		{name: "demo stream (aws_doc_03..07, 12..15, 27, 28, sqlref_05, 06)", format: jsonFormat, cols: demoStream,
			records: []string{`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`,
				`{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":1.25,"PRICE":1045.3}`},
			want: "QXZ|HEALTHCARE|-0.05|84.51\nAMZN|TECHNOLOGY|1.25|1045.3\n"},
		{name: "aws_doc_08 stagger, aws_doc_26 datetime", format: jsonFormat,
			cols: []Column{col("EVENT_TIME", "TIMESTAMP", "$.EVENT_TIME"), col("TICKER", "VARCHAR(4)", "$.TICKER")},
			records: []string{`{"EVENT_TIME": "2018-08-01T20:17:20.797945", "TICKER": "AMZN"}`, `{"EVENT_TIME": "2018-08-01T20:18:21.043084", "TICKER": "INTC"}`,
				`{"EVENT_TIME": "2018-05-09T12:50:41.337510", "TICKER": "AAPL"}`},
			want: "2018-08-01 20:17:20.797|AMZN\n2018-08-01 20:18:21.043|INTC\n2018-05-09 12:50:41.337|AAPL\n"},
		{name: "aws_doc_09, 10 floor event time (illustrative JSON of the sample table)", format: jsonFormat,
			cols:    []Column{col("TICKER_SYMBOL", "VARCHAR(4)", "$.TICKER_SYMBOL"), col("EVENT_TIME", "TIMESTAMP", "$.EVENT_TIME")},
			records: []string{`{"EVENT_TIME": "2018-01-01 11:00:10", "TICKER_SYMBOL": "AMZN"}`, `{"EVENT_TIME": "2018-01-01 11:00:55", "TICKER_SYMBOL": "AMZN"}`},
			want:    "AMZN|2018-01-01 11:00:10.000\nAMZN|2018-01-01 11:00:55.000\n"},
		{name: "aws_doc_11 top k", format: jsonFormat, cols: []Column{col("TICKER", "VARCHAR(4)", "$.TICKER")},
			records: []string{`{"TICKER": "TBV"}`, `{"TICKER": "INTC"}`, `{"TICKER": "MSFT"}`, `{"TICKER": "AMZN"}`},
			want:    "TBV\nINTC\nMSFT\nAMZN\n"},
		{name: "aws_doc_15 reference data CSV", format: RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","},
			cols:    []Column{col("Ticker", "VARCHAR(4)", ""), col("Company", "VARCHAR(16)", "")},
			records: []string{"Ticker, Company\nAMZN,Amazon\nASD, SomeCompanyA\nMMB, SomeCompanyB\nWAS,  SomeCompanyC\n"},
			want:    "Tick| Company\nAMZN|Amazon\nASD| SomeCompanyA\nMMB| SomeCompanyB\nWAS|  SomeCompanyC\n"},
		{name: "aws_doc_16 random cut forest", format: jsonFormat,
			cols:    []Column{col("heartRate", "INTEGER", "$.heartRate"), col("rateType", "VARCHAR(20)", "$.rateType")},
			records: []string{`{"heartRate": 60, "rateType":"NORMAL"}`, `{"heartRate": 180, "rateType":"HIGH"}`},
			want:    "60|NORMAL\n180|HIGH\n"},
		{name: "aws_doc_17 rcf with explanation", format: jsonFormat,
			cols:    []Column{col("Systolic", "INTEGER", "$.Systolic"), col("Diastolic", "INTEGER", "$.Diastolic"), col("BloodPressureLevel", "VARCHAR(20)", "$.BloodPressureLevel")},
			records: []string{`{"Systolic": 109, "Diastolic": 64, "BloodPressureLevel": "NORMAL"}`},
			want:    "109|64|NORMAL\n"},
		{name: "aws_doc_18 hotspots", format: jsonFormat,
			cols:    []Column{col("x", "DOUBLE", "$.x"), col("y", "DOUBLE", "$.y"), col("is_hot", "VARCHAR(4)", "$.is_hot")},
			records: []string{`{"x": 7.921782426109737, "y": 8.746265312709893, "is_hot": "N"}`, `{"x": 0.722248626580026, "y": 4.648868803193405, "is_hot": "Y"}`},
			want:    "7.921782426109737|8.746265312709893|N\n0.722248626580026|4.648868803193405|Y\n"},
		{name: "aws_doc_19 two record types (sparse)", format: jsonFormat,
			cols: []Column{col("RecordType", "VARCHAR(10)", "$.RecordType"), col("Oid", "INTEGER", "$.Oid"), col("Oticker", "VARCHAR(4)", "$.Oticker"),
				col("Oprice", "DOUBLE", "$.Oprice"), col("Otype", "VARCHAR(4)", "$.Otype"), col("Tid", "INTEGER", "$.Tid"), col("Toid", "INTEGER", "$.Toid"),
				col("Tticker", "VARCHAR(4)", "$.Tticker"), col("Tprice", "DOUBLE", "$.Tprice")},
			records: []string{`{"RecordType": "Order", "Oid": 1, "Oticker": "AAAA", "Oprice": 5000, "Otype": "Sell"}`,
				`{"RecordType": "Trade", "Tid": 1, "Toid": 1, "Tticker": "AAAA", "Tprice": 1500}`},
			want: "Order|1|AAAA|5000.0|Sell|<nil>|<nil>|<nil>|<nil>\nTrade|<nil>|<nil>|<nil>|<nil>|1|1|AAAA|1500.0\n"},
		{name: "aws_doc_21 regex log parse", format: jsonFormat, cols: []Column{col("LOGENTRY", "VARCHAR(256)", "$.LOGENTRY")},
			records: []string{`{"LOGENTRY": "203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] \"GET /index.php HTTP/1.1\" 200 125 \"-\" \"Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0\""}`},
			want:    `203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200 125 "-" "Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"` + "\n"},
		// The guide's sample for W3C_LOG_PARSE has unescaped quotes inside the string: it is not JSON,
		// and the service sends such a record to the error stream.
		{name: "aws_doc_22 w3c log parse (published sample is not JSON)", format: jsonFormat, cols: []Column{col("log", "VARCHAR(256)", "$.Log")},
			records: []string{`{"Log":"192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pba.gif HTTP/1.1" 304 0"}`,
				`{"Log":"192.168.254.30 - John [24/May/2004:22:01:02 -0700] \"GET /icons/apache_pba.gif HTTP/1.1\" 304 0"}`},
			want: `192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pba.gif HTTP/1.1" 304 0` + "\n",
			errs: []string{ErrParse}},
		// The published SQL reads Col_E_Unstructured while the records hold Col_D_Unstructured: NULL.
		{name: "aws_doc_23 variable column log parse", format: jsonFormat,
			cols: []Column{col("Col_A", "VARCHAR(8)", "$.Col_A"), col("Col_B", "VARCHAR(8)", "$.Col_B"), col("Col_C", "VARCHAR(8)", "$.Col_C"),
				col("Col_E_Unstructured", "VARCHAR(64)", "$.Col_E_Unstructured")},
			records: []string{"{ \"Col_A\" : \"string\",\n  \"Col_B\" : \"string\",\n  \"Col_C\" : \"string\",\n  \"Col_D_Unstructured\" : \"value,value,value,value\"}"},
			want:    "string|string|string|<nil>\n"},
		{name: "aws_doc_24, 25 referrer", format: jsonFormat, cols: []Column{col("referrer", "VARCHAR(32)", "$.REFERRER")},
			records: []string{`{ "REFERRER" : "http://www.amazon.com" }`, `{ "REFERRER" : "http://www.amazon.com"}`},
			want:    "http://www.amazon.com\nhttp://www.amazon.com\n"},
		{name: "sqlref_01..04 joins (numbers as strings)", format: jsonFormat, cols: ordersSchema,
			records: []string{`{"orderid":"101", "orders":"1"}`, `{"orderid":"101", "shipments":"2"}`},
			want:    "101|1|<nil>\n101|<nil>|2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustMapper(t, tt.format, tt.cols...)
			var rows [][]string
			var errs []string
			for _, r := range tt.records {
				rs, es := mapAll(t, m, r)
				rows, errs = append(rows, rs...), append(errs, es...)
			}
			if got := rowsString(rows); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if len(errs) != len(tt.errs) || len(errs) > 0 && errs[0] != tt.errs[0] {
				t.Errorf("errors %v, want %v", errs, tt.errs)
			}
		})
	}
}
