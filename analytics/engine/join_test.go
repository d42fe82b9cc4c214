package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/value"
)

// The examples of the KDA SQL reference's JOIN clause page (sql-reference-join-clause.html, "Stream-to-Stream
// Join Examples") and of the developer guide's stream joins page (stream-joins-concepts.html), with the
// expected rows of the reference's result tables. Times are written hh:mm:ss on one day.

var joinDay = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// at is the ROWTIME of "10:00:45".
func at(hms string) int64 {
	t, err := time.Parse("15:04:05", hms)
	if err != nil {
		panic(err)
	}
	return joinDay.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second).UnixMilli()
}

// short turns collect's lines into "10:00:45 col,col": the output index and the date dropped.
func short(rows []string) string {
	var b strings.Builder
	for _, r := range rows {
		r = strings.TrimPrefix(r, "0 ")
		r = strings.ReplaceAll(r, joinDay.Format("2006-01-02")+" ", "")
		r = strings.ReplaceAll(r, ".000", "")
		b.WriteString(r)
		b.WriteByte('\n')
	}
	return b.String()
}

// The reference's setup: one source carries orders and shipments; two pumps split them into ORDERS_STREAM
// and SHIPMENTS_STREAM.
const refSetup = `CREATE OR REPLACE STREAM "ORDERS_STREAM" ("orderid" int, "orderrowtime" timestamp);
CREATE OR REPLACE PUMP "ORDERS_STREAM_PUMP" AS INSERT INTO "ORDERS_STREAM"
SELECT STREAM "orderid", "ROWTIME"
FROM "SOURCE_SQL_STREAM_001" WHERE "orders" = 1;

CREATE OR REPLACE STREAM "SHIPMENTS_STREAM" ("orderid" int, "shipmentrowtime" timestamp);
CREATE OR REPLACE PUMP "SHIPMENTS_STREAM_PUMP" AS INSERT INTO "SHIPMENTS_STREAM"
SELECT STREAM "orderid", "ROWTIME"
FROM "SOURCE_SQL_STREAM_001" WHERE "shipments" = 2;
`

func refInput() Input {
	return Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{
		{Name: "orderid", Type: value.Type{Base: value.TInteger}},
		{Name: "orders", Type: value.Type{Base: value.TInteger}},
		{Name: "shipments", Type: value.Type{Base: value.TInteger}},
	}}
}

func order(hms string, id int64) Row {
	return Row{Time: at(hms), Cols: []value.Value{value.NewInt(id), value.NewInt(1), {}}}
}

func shipment(hms string, id int64) Row {
	return Row{Time: at(hms), Cols: []value.Value{value.NewInt(id), {}, value.NewInt(2)}}
}

// refRows is the reference's data set. ORDERS: 10:00:00 101, 10:00:20 102, 10:00:30 103, 10:00:40 104,
// 10:00:45 100; SHIPMENTS: 10:00:00 100, 10:00:45 104, 10:00:50 105. At 10:00:45 the shipment of 104 comes
// before the order 100, the order of the reference's result tables.
func refRows() []Row {
	return []Row{order("10:00:00", 101), shipment("10:00:00", 100), order("10:00:20", 102), order("10:00:30", 103),
		order("10:00:40", 104), shipment("10:00:45", 104), order("10:00:45", 100), shipment("10:00:50", 105)}
}

func runRef(t *testing.T, code string, rows []Row, end string) *collect {
	t.Helper()
	p, err := Compile(refSetup+code, Config{Inputs: []Input{refInput()}, Outputs: []string{"OUTPUT_STREAM"}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range rows {
		in.Push(0, r)
	}
	in.Advance(at(end))
	return c
}

func TestJoinReferenceExamples(t *testing.T) {
	out4 := `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("resultrowtime" timestamp, "orderid" int, "shipmenttime" timestamp, "ordertime" timestamp);
`
	out3 := `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("resultrowtime" timestamp, "orderid" int, "ordertime" timestamp);
`
	tests := []struct {
		name, code string
		want       string // ROWTIME resultrowtime,orderid,...
	}{
		{
			// sqlref_01, Example 1: a window on one side. Only the shipment of 104 (10:00:45) finds its order
			// (10:00:40) in the last minute of orders; the order 100 (10:00:45) comes after its shipment
			// (10:00:00), and shipments contribute only their current row.
			name: "window on one side",
			code: out4 + `CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS
INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM ROWTIME as "resultrowtime", s."orderid", s.rowtime as "shipmenttime", o.ROWTIME as "ordertime"
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      JOIN SHIPMENTS_STREAM AS s
        ON o."orderid" = s."orderid";`,
			want: "10:00:45 10:00:45,104,10:00:45,10:00:40\n",
		},
		{
			// sqlref_02, Example 2: windows on both sides. The order 100 now finds its shipment in the last
			// minute of shipments; the result's ROWTIME is the later row's.
			name: "windows on both sides",
			code: out4 + `CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM ROWTIME as "resultrowtime", s."orderid", s.rowtime as "shipmenttime", o.ROWTIME as "ordertime"
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s
        ON o."orderid" = s."orderid";`,
			want: "10:00:45 10:00:45,104,10:00:45,10:00:40\n10:00:45 10:00:45,100,10:00:00,10:00:45\n",
		},
		{
			// sqlref_03, Example 3: RIGHT JOIN, window on the orders. Every shipment is emitted when it
			// arrives: 100 and 105 with a NULL order time.
			name: "right join, window on one side",
			code: out3 + `CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM ROWTIME as "resultrowtime", s."orderid", o.ROWTIME as "ordertime"
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      RIGHT JOIN SHIPMENTS_STREAM AS s
        ON o."orderid" = s."orderid";`,
			want: "10:00:00 10:00:00,100,NULL\n10:00:45 10:00:45,104,10:00:40\n10:00:50 10:00:50,105,NULL\n",
		},
		{
			// sqlref_04, Example 6: LEFT JOIN, windows on both sides. The matches of Example 2 at 10:00:45,
			// then the orders that never matched when they leave their window, at ROWTIME + 1 minute,
			// with NULLs for the shipment (s."orderid" included).
			//
			// The example's header in /work/shared/sql/examples lists 104 and 100 among the rows emitted at
			// window end too; those two matched at 10:00:45, and an outer join keeps only the rows that
			// matched nothing, so they are not emitted again here.
			name: "left join, windows on both sides",
			code: out4 + `CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM ROWTIME as "resultrowtime", s."orderid", s.ROWTIME as "shipmenttime", o.ROWTIME as "ordertime"
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      LEFT JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s
        ON o."orderid" = s."orderid";`,
			want: "10:00:45 10:00:45,104,10:00:45,10:00:40\n10:00:45 10:00:45,100,10:00:00,10:00:45\n" +
				"10:01:00 10:01:00,NULL,NULL,10:00:00\n10:01:20 10:01:20,NULL,NULL,10:00:20\n10:01:30 10:01:30,NULL,NULL,10:00:30\n",
		},
		{
			// FULL OUTER, windows on both sides: the unmatched shipment 105 leaves too (10:01:50).
			name: "full join, windows on both sides",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("sid" int, "oid" int, "ordertime" timestamp);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM s."orderid", o."orderid", o.ROWTIME
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      FULL OUTER JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s
        ON o."orderid" = s."orderid";`,
			want: "10:00:45 104,104,10:00:40\n10:00:45 100,100,10:00:45\n" +
				"10:01:00 NULL,101,10:00:00\n10:01:20 NULL,102,10:00:20\n10:01:30 NULL,103,10:00:30\n10:01:50 105,NULL,NULL\n",
		},
		{
			// LEFT JOIN with the window on the preserved side's partner only: the orders have no window, so
			// an order that matches nothing is emitted as it arrives.
			name: "left join, window on the right",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("oid" int, "shipmenttime" timestamp);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM o."orderid", s.ROWTIME
    FROM ORDERS_STREAM AS o
      LEFT JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s
        ON o."orderid" = s."orderid";`,
			want: "10:00:00 101,NULL\n10:00:20 102,NULL\n10:00:30 103,NULL\n10:00:40 104,NULL\n10:00:45 100,10:00:00\n",
		},
		{
			// A ROWS window: the last two orders (ROWS 1 PRECEDING) when a shipment comes. At 10:00:45 they
			// are 103 and 104.
			name: "rows window",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("oid" int, "sid" int);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM o."orderid", s."orderid"
    FROM ORDERS_STREAM OVER (ROWS 1 PRECEDING) AS o CROSS JOIN SHIPMENTS_STREAM AS s;`,
			want: "10:00:00 101,100\n10:00:45 103,104\n10:00:45 104,104\n10:00:50 104,105\n10:00:50 100,105\n",
		},
		{
			// A condition that is not an equality: every order of the last minute below the shipment's id.
			name: "theta join",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("oid" int, "sid" int);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM o."orderid", s."orderid"
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '30' SECOND PRECEDING) AS o
      JOIN SHIPMENTS_STREAM AS s ON o."orderid" < s."orderid" AND s.ROWTIME > o.ROWTIME;`,
			want: "10:00:45 102,104\n10:00:45 103,104\n10:00:50 102,105\n10:00:50 103,105\n10:00:50 104,105\n10:00:50 100,105\n",
		},
		{
			// A self-join: each order against the orders of the previous 10 seconds. The left port gets a row
			// before the right port stores it, so a row never meets itself.
			name: "self join",
			code: `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("a" int, "b" int);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM a."orderid", b."orderid"
    FROM ORDERS_STREAM AS a JOIN ORDERS_STREAM OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS b
      ON a."orderid" <> b."orderid" OR b."orderid" = 101;`,
			want: "10:00:30 103,102\n10:00:40 104,103\n10:00:45 100,104\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := runRef(t, tt.code, refRows(), "10:05:00")
			if got := short(c.rows); got != tt.want {
				t.Errorf("got\n%swant\n%s", got, tt.want)
			}
			if len(c.errors) > 0 {
				t.Errorf("error rows: %+v", c.errors)
			}
		})
	}
}

// The developer guide's three queries on OrderStream and TradeStream (aws_doc_20), run as `hydrant sql`
// runs a query: two input streams, the result as output 0.
func TestJoinDeveloperGuide(t *testing.T) {
	cfg := Config{Inputs: []Input{
		{Name: "ORDERSTREAM", Columns: []value.Column{{Name: "ORDERID", Type: value.Type{Base: value.TInteger}},
			{Name: "TICKER", Type: value.Varchar(8)}, {Name: "AMOUNT", Type: value.Type{Base: value.TInteger}}}},
		{Name: "TRADESTREAM", Columns: []value.Column{{Name: "TRADEID", Type: value.Type{Base: value.TInteger}},
			{Name: "ORDERID", Type: value.Type{Base: value.TInteger}}, {Name: "TICKER", Type: value.Varchar(8)},
			{Name: "AMOUNT", Type: value.Type{Base: value.TInteger}}}},
	}}
	ord := func(hms string, id int64, tk string, amt int64) (int, Row) {
		return 0, Row{Time: at(hms), Cols: []value.Value{value.NewInt(id), value.NewString(tk), value.NewInt(amt)}}
	}
	trd := func(hms string, tid, id int64, tk string, amt int64) (int, Row) {
		return 1, Row{Time: at(hms), Cols: []value.Value{value.NewInt(tid), value.NewInt(id), value.NewString(tk), value.NewInt(amt)}}
	}
	type in struct {
		input int
		row   Row
	}
	pair := func(i int, r Row) in { return in{i, r} }
	// Order 1 has two trades within the minute before it; order 2 none; order 3's trade is 90 s old.
	rows := []in{pair(trd("10:00:00", 30, 3, "AMZN", 5)), pair(trd("10:00:10", 10, 1, "AAPL", 40)),
		pair(trd("10:00:20", 11, 1, "AAPL", 60)), pair(ord("10:00:30", 1, "AAPL", 100)),
		pair(ord("10:00:40", 2, "MSFT", 7)), pair(ord("10:01:30", 3, "AMZN", 5))}

	variant1 := `SELECT STREAM
     ROWTIME, 
     o.orderId, o.ticker, o.amount AS orderAmount,
     t.amount AS tradeAmount
FROM OrderStream AS o
JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
ON   o.orderId = t.orderId`
	variant2 := `SELECT STREAM
    ROWTIME, 
    o.orderId, o.ticker, o.amount AS orderAmount,
    t.amount AS tradeAmount
FROM OrderStream AS o
JOIN TradeStream OVER t
ON o.orderId = t.orderId
WINDOW t AS
    (RANGE INTERVAL '1' MINUTE PRECEDING)`
	// As published, with the trailing comma before FROM.
	variant3 := `SELECT STREAM
    ROWTIME, 
    o.orderId, o.ticker, o.amount AS orderAmount,
    t.ticker, t.tradeId, t.amount AS tradeAmount,
FROM OrderStream AS o
LEFT OUTER JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
ON    o.orderId = t.orderId`
	inner := "10:00:30 10:00:30,1,AAPL,100,40\n10:00:30 10:00:30,1,AAPL,100,60\n"
	tests := []struct{ name, query, want string }{
		{"inline window", variant1, inner},
		{"named window", variant2, inner},
		{"left outer join", variant3, "10:00:30 10:00:30,1,AAPL,100,AAPL,10,40\n10:00:30 10:00:30,1,AAPL,100,AAPL,11,60\n" +
			"10:00:40 10:00:40,2,MSFT,7,NULL,NULL,NULL\n10:01:30 10:01:30,3,AMZN,5,NULL,NULL,NULL\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CompileQuery(tt.query, cfg)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			c := &collect{}
			inst := p.Start(c)
			for _, r := range rows {
				inst.Push(r.input, r.row)
			}
			inst.Advance(at("10:05:00"))
			if got := short(c.rows); got != tt.want {
				t.Errorf("got\n%swant\n%s", got, tt.want)
			}
		})
	}
}

func TestJoinPlanErrors(t *testing.T) {
	tests := []struct{ name, query, want string }{
		{"no window", `SELECT STREAM * FROM ORDERS_STREAM AS o JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid"`,
			"needs a window on at least one side"},
		{"undefined window", `SELECT STREAM * FROM ORDERS_STREAM OVER w AS o JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid"`,
			`window "W" is not defined`},
		{"partitioned", `SELECT STREAM * FROM ORDERS_STREAM OVER (PARTITION BY "orderid" RANGE INTERVAL '1' MINUTE PRECEDING) AS o
JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid"`, "cannot be partitioned"},
		{"unbounded", `SELECT STREAM * FROM ORDERS_STREAM OVER (RANGE UNBOUNDED PRECEDING) AS o
JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid"`, "unbounded window"},
		{"no frame", `SELECT STREAM * FROM ORDERS_STREAM OVER () AS o JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid"`,
			"needs a size"},
		{"using", `SELECT STREAM * FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
JOIN SHIPMENTS_STREAM AS s USING ("orderid", "nope")`, `column "nope" of USING is not a column of the join's left side`},
		{"window alone", `SELECT STREAM * FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o`,
			"belongs to a join"},
		{"ambiguous", `SELECT STREAM "orderid" FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid"`, "ambiguous"},
	}
	cols := []value.Column{{Name: "orderid", Type: value.Type{Base: value.TInteger}}}
	cfg := Config{Inputs: []Input{{Name: "ORDERS_STREAM", Columns: cols}, {Name: "SHIPMENTS_STREAM", Columns: cols}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompileQuery(tt.query, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// joinOf returns the instance's join operator.
func joinOf(t testing.TB, in *Instance) *joinOp {
	t.Helper()
	for _, s := range in.stateful {
		if o, ok := s.(*joinOp); ok {
			return o
		}
	}
	t.Fatal("no join operator")
	return nil
}

// A window row leaves only when both sides have passed its end: until the slower side has, one of its rows
// may still match it.
func TestJoinWatermarkPerPort(t *testing.T) {
	p, err := Compile(refSetup+`CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("oid" int);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM o."orderid" FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      LEFT JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid";`,
		Config{Inputs: []Input{refInput()}, Outputs: []string{"OUTPUT_STREAM"}})
	if err != nil {
		t.Fatal(err)
	}
	c := &collect{}
	in := p.Start(c)
	in.Push(0, order("10:00:00", 101))
	o := joinOf(t, in)
	o.advance(0, at("10:02:00"))
	if len(c.rows) != 0 || o.sides[0].len() != 1 {
		t.Fatalf("the row left its window with one side behind: rows %q, window %d", c.rows, o.sides[0].len())
	}
	o.advance(1, at("10:01:00"))
	if len(c.rows) != 0 {
		t.Fatalf("the row left at its window's last instant: %q", c.rows)
	}
	o.advance(1, at("10:01:00")+1)
	if got, want := short(c.rows), "10:01:00 101\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if o.sides[0].len() != 0 {
		t.Fatalf("window holds %d rows", o.sides[0].len())
	}
}

// joinLoad feeds n orders and n shipments, rate rows a second of each, shipments 30 s behind their order,
// ids cycling over keys.
func joinLoad(in *Instance, from, n, rate, keys int) {
	for i := from; i < from+n; i++ {
		t := at("10:00:00") + int64(i)*1000/int64(rate)
		in.Push(0, Row{Time: t, Cols: []value.Value{value.NewInt(int64(i % keys)), value.NewInt(1), {}}})
		in.Push(0, Row{Time: t, Cols: []value.Value{value.NewInt(int64((i - 30*rate) % keys)), {}, value.NewInt(2)}})
	}
}

const joinLoadCode = `CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("oid" int, "ordertime" timestamp, "shipmenttime" timestamp);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM o."orderid", o.ROWTIME, s.ROWTIME
    FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      FULL JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s
        ON o."orderid" = s."orderid";`

// The windows hold one minute of rows however long the stream runs, and keys that left are forgotten.
func TestJoinStateBounded(t *testing.T) {
	p, err := Compile(refSetup+joinLoadCode, Config{Inputs: []Input{refInput()}, Outputs: []string{"OUTPUT_STREAM"}})
	if err != nil {
		t.Fatal(err)
	}
	c := &collect{}
	in := p.Start(c)
	o := joinOf(t, in)
	const rate = 10
	for minute := range 10 {
		joinLoad(in, minute*60*rate, 60*rate, rate, 1<<30)
		for i, s := range o.sides {
			if n := s.len(); n > 61*rate {
				t.Fatalf("minute %d: side %d holds %d rows", minute, i, n)
			}
			if n := len(s.index); n > 61*rate {
				t.Fatalf("minute %d: side %d indexes %d keys", minute, i, n)
			}
			if n := cap(s.fifo); n > 4*61*rate {
				t.Fatalf("minute %d: side %d's queue has room for %d rows", minute, i, n)
			}
		}
	}
	in.Advance(at("11:00:00"))
	for i, s := range o.sides {
		if s.len() != 0 || len(s.index) != 0 {
			t.Errorf("side %d holds %d rows, %d keys after its window passed", i, s.len(), len(s.index))
		}
	}
	if len(c.rows) == 0 {
		t.Fatal("no rows")
	}
}

// A restored instance goes on as the one it was taken from: the same rows, the same outer rows at window end.
func TestJoinSnapshot(t *testing.T) {
	cfg := Config{Inputs: []Input{refInput()}, Outputs: []string{"OUTPUT_STREAM"}}
	p, err := Compile(refSetup+joinLoadCode, cfg)
	if err != nil {
		t.Fatal(err)
	}
	const rate, keys = 5, 37
	whole := &collect{}
	in := p.Start(whole)
	joinLoad(in, 0, 600, rate, keys)
	joinLoad(in, 600, 600, rate, keys)
	in.Advance(at("11:00:00"))

	first := &collect{}
	in = p.Start(first)
	joinLoad(in, 0, 600, rate, keys)
	snap, err := in.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	second := &collect{}
	in2, err := p.Restore(snap, second)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := joinOf(t, in).sides[0].len(), joinOf(t, in2).sides[0].len(); a != b || a == 0 {
		t.Fatalf("restored window holds %d rows, the original %d", b, a)
	}
	joinLoad(in2, 600, 600, rate, keys)
	in2.Advance(at("11:00:00"))
	got := append(first.rows, second.rows...)
	if strings.Join(got, "\n") != strings.Join(whole.rows, "\n") {
		t.Fatalf("restored run differs: %d rows, want %d", len(got), len(whole.rows))
	}
}

// A pair whose ON fails goes to error_stream, and the join goes on. ON is evaluated only on the pairs the
// equality index finds: the shipment 100 meets no order 100, so its division by zero never runs.
func TestJoinRowError(t *testing.T) {
	for _, tt := range []struct {
		div    int
		want   string
		errors int
	}{{100, "10:00:45 104\n", 0}, {104, "", 1}} {
		c := runRef(t, fmt.Sprintf(`CREATE OR REPLACE STREAM "OUTPUT_STREAM" ("oid" int);
CREATE OR REPLACE PUMP "OUTPUT_STREAM_PUMP" AS INSERT INTO "OUTPUT_STREAM"
  SELECT STREAM o."orderid" FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      JOIN SHIPMENTS_STREAM AS s ON o."orderid" = s."orderid" AND 1 / (s."orderid" - %d) >= 0;`, tt.div), refRows(), "10:05:00")
		if got := short(c.rows); got != tt.want {
			t.Errorf("1/(orderid-%d): got %q, want %q", tt.div, got, tt.want)
		}
		if len(c.errors) != tt.errors {
			t.Fatalf("1/(orderid-%d): %d error rows, want %d: %+v", tt.div, len(c.errors), tt.errors, c.errors)
		}
		if tt.errors > 0 && (c.errors[0].Pump != "OUTPUT_STREAM_PUMP" || c.errors[0].DataRowtime != at("10:00:45")) {
			t.Errorf("error row %+v", c.errors[0])
		}
	}
}

// BenchmarkJoinWindowed joins two streams of 10,000 rows a second of event time each over a one-minute
// window (600,000 rows held per side), on a key with 1,000 values: each row probes the rows of its key.
func BenchmarkJoinWindowed(b *testing.B) {
	cols := []value.Column{{Name: "K", Type: value.Type{Base: value.TInteger}}, {Name: "V", Type: value.Type{Base: value.TInteger}}}
	cfg := Config{Inputs: []Input{{Name: "A", Columns: cols}, {Name: "B", Columns: cols}}}
	p, err := CompileQuery(`SELECT STREAM a.K, a.V, b.V FROM A OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a
JOIN B AS b ON a.K = b.K AND a.V = b.V`, cfg)
	if err != nil {
		b.Fatal(err)
	}
	c := &countSink{}
	in := p.Start(c)
	const rate, keys = 10_000, 1_000
	t0 := at("10:00:00")
	i := 0
	// Push takes the row's columns, and the engine copies what it keeps: one buffer per input will do.
	var ab, bb [2]value.Value
	row := func(buf *[2]value.Value, k, v int) Row {
		buf[0], buf[1] = value.NewInt(int64(k)), value.NewInt(int64(v))
		return Row{Time: t0 + int64(i)*1000/rate, Cols: buf[:]}
	}
	b.ReportAllocs()
	for b.Loop() {
		// Every B row finds the A row of 30 s before.
		in.Push(0, row(&ab, i%keys, i))
		in.Push(1, row(&bb, (i-30*rate)%keys, i-30*rate))
		i++
	}
	b.ReportMetric(float64(c.n)/float64(b.N), "matches/op")
}

type countSink struct{ n int }

func (c *countSink) Emit(int, Row)    { c.n++ }
func (c *countSink) Error(e ErrorRow) {}

// A join of a join: each side's ROWTIME stays reachable through its alias, and the result's ROWTIME is the
// latest row's.
func TestJoinNested(t *testing.T) {
	cols := []value.Column{{Name: "K", Type: value.Type{Base: value.TInteger}}}
	cfg := Config{Inputs: []Input{{Name: "A", Columns: cols}, {Name: "B", Columns: cols}, {Name: "C", Columns: cols}}}
	p, err := CompileQuery(`SELECT STREAM a.K, a.ROWTIME, b.ROWTIME, c.ROWTIME
FROM A AS a JOIN B OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS b ON a.K = b.K
  JOIN C OVER w AS c ON a.K = c.K AND c.ROWTIME > b.ROWTIME
WINDOW w AS (RANGE INTERVAL '10' SECOND PRECEDING)`, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &collect{}
	in := p.Start(c)
	k := func(v int64) []value.Value { return []value.Value{value.NewInt(v)} }
	in.Push(1, Row{Time: at("10:00:00"), Cols: k(1)})
	in.Push(2, Row{Time: at("10:00:00"), Cols: k(1)}) // not after b: ON excludes it
	in.Push(2, Row{Time: at("10:00:01"), Cols: k(1)})
	in.Push(2, Row{Time: at("10:00:01"), Cols: k(2)})
	in.Push(0, Row{Time: at("10:00:02"), Cols: k(1)})
	in.Push(0, Row{Time: at("10:00:20"), Cols: k(1)}) // b and c have left their windows
	in.Advance(at("10:01:00"))
	if got, want := short(c.rows), "10:00:02 1,10:00:02,10:00:00,10:00:01\n"; got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestJoinRandom checks the operator (hash chains, slabs, expiry, outer rows) against a direct reading of
// the semantics over whole histories, on random streams: for each arriving row, every earlier row of the
// other side still in its window with the same key; the preserved rows that matched nothing, at once for a
// side without a window, at ROWTIME + span for a RANGE window, when pushed out of a ROWS window.
func TestJoinRandom(t *testing.T) {
	type win struct {
		sql  string
		rows int   // ROWS: rows kept
		span int64 // RANGE, ms
	}
	wins := []win{{"", 0, -1}, {"OVER (RANGE INTERVAL '5' SECOND PRECEDING)", 0, 5000}, {"OVER (ROWS 2 PRECEDING)", 3, 0}}
	kinds := []string{"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"}
	cols := []value.Column{{Name: "K", Type: value.Type{Base: value.TInteger}}, {Name: "V", Type: value.Type{Base: value.TInteger}}}
	cfg := Config{Inputs: []Input{{Name: "A", Columns: cols}, {Name: "B", Columns: cols}}}
	seed := uint64(1)
	rnd := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return int(seed % uint64(n))
	}
	type ev struct {
		side int
		t    int64
		k, v int64
	}
	for round := range 200 {
		wl, wr := wins[rnd(3)], wins[rnd(3)]
		if wl.sql == "" && wr.sql == "" {
			wl = wins[1]
		}
		kind := rnd(4)
		query := fmt.Sprintf("SELECT STREAM a.V, b.V FROM A %s AS a %s B %s AS b ON a.K = b.K", wl.sql, kinds[kind], wr.sql)
		p, err := CompileQuery(query, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var evs []ev
		now := int64(0)
		for i := range 60 {
			now += int64(rnd(3000))
			evs = append(evs, ev{rnd(2), now, int64(rnd(4)), int64(i)})
		}
		c := &collect{}
		in := p.Start(c)
		for _, e := range evs {
			in.Push(e.side, Row{Time: e.t, Cols: []value.Value{value.NewInt(e.k), value.NewInt(e.v)}})
		}
		end := now + 1_000_000
		in.Advance(end)

		// The semantics, over whole histories.
		w := [2]win{wl, wr}
		keep := [2]bool{kind == 1 || kind == 3, kind == 2 || kind == 3}
		var want []string
		emit := func(t int64, a, b string) {
			want = append(want, fmt.Sprintf("0 %s %s,%s", value.NewTimestamp(t), a, b))
		}
		vs := func(e *ev) string { return fmt.Sprint(e.v) }
		matched := make([]bool, len(evs))
		inWin := func(i, j int) bool { // is evs[j] (earlier) in its side's window when evs[i] arrives?
			y := evs[j]
			switch wy := w[y.side]; {
			case wy.sql == "":
				return false
			case wy.rows > 0:
				n := 0
				for k := j + 1; k < i; k++ {
					if evs[k].side == y.side {
						n++
					}
				}
				return n < wy.rows-1+1
			default:
				return y.t >= evs[i].t-wy.span
			}
		}
		for i := range evs {
			x := &evs[i]
			for j := 0; j < i; j++ {
				y := &evs[j]
				if y.side == x.side || y.k != x.k || !inWin(i, j) {
					continue
				}
				matched[i], matched[j] = true, true
				if x.side == 0 {
					emit(x.t, vs(x), vs(y))
				} else {
					emit(x.t, vs(y), vs(x))
				}
			}
			// Rows pushed out of a ROWS window by x.
			if wx := w[x.side]; wx.rows > 0 && keep[x.side] {
				n := 0
				for j := i; j >= 0; j-- {
					if evs[j].side != x.side {
						continue
					}
					n++
					if n == wx.rows+1 && !matched[j] {
						if x.side == 0 {
							emit(x.t, vs(&evs[j]), "NULL")
						} else {
							emit(x.t, "NULL", vs(&evs[j]))
						}
					}
				}
			}
		}
		for i := range evs {
			x := &evs[i]
			wx := w[x.side]
			if !keep[x.side] || matched[i] || wx.rows > 0 {
				continue
			}
			at := x.t
			if wx.sql != "" {
				at = x.t + wx.span
			}
			if x.side == 0 {
				emit(at, vs(x), "NULL")
			} else {
				emit(at, "NULL", vs(x))
			}
		}
		got := append([]string(nil), c.rows...)
		slices.Sort(got)
		slices.Sort(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("round %d: %s\ngot\n%s\nwant\n%s", round, query, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for i := 1; i < len(c.rows); i++ {
			if c.rows[i][:25] < c.rows[i-1][:25] { // "0 yyyy-mm-dd hh:mm:ss.mmm"
				t.Fatalf("round %d: %s: rows out of ROWTIME order:\n%s", round, query, strings.Join(c.rows, "\n"))
			}
		}
	}
}
