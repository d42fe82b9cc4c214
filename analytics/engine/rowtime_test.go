package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/value"
)

// eventInput is a source whose records carry their own event time, as text and as a TIMESTAMP.
func eventInput() Input {
	return Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{
		{Name: "event_time", Type: value.Varchar(20)},
		{Name: "ts", Type: value.TimestampType},
		{Name: "v", Type: value.IntegerType},
	}}
}

// event is a record arriving at 03:00:00 + arrival seconds (2017-07-14, as tick's rows) whose event time is
// the text at (NULL when empty).
func event(arrival float64, at string, v int64) Row {
	text, ts := value.Value{}, value.Value{}
	if at != "" {
		text = value.NewString(at)
		t, err := time.Parse(time.DateTime, at)
		if err != nil {
			panic(err)
		}
		ts = value.NewTimeValue(t)
	}
	return Row{Time: int64(arrival*1000) + 1_500_001_200_000, Cols: []value.Value{text, ts, value.NewInt(v)}}
}

func runEvents(t *testing.T, code string, rows []Row) *collect {
	t.Helper()
	p, err := Compile(code, Config{Inputs: []Input{eventInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range rows {
		in.Push(0, r)
	}
	in.Advance(rows[len(rows)-1].Time + 3_600_000)
	return c
}

func errorNames(c *collect) string {
	var names []string
	for _, e := range c.errors {
		names = append(names, e.Name)
	}
	return strings.Join(names, ",")
}

// A select item aliased ROWTIME sets the row's ROWTIME and is not a column: the pump of the audit
// (A2) was refused with "the query has 2 columns but stream "EVENTS" has 1".
func TestRowtimeAliasInPump(t *testing.T) {
	c := runEvents(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("v" INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "ts" AS ROWTIME, "v" FROM "SOURCE_SQL_STREAM_001";`,
		[]Row{event(0, "2017-07-14 02:40:01", 1), event(1, "2017-07-14 02:40:03", 2)})
	expectRows(t, c.rows, []string{"0 2017-07-14 02:40:01.000 1", "0 2017-07-14 02:40:03.000 2"})
	if len(c.errors) > 0 {
		t.Errorf("errors %+v", c.errors)
	}
	// With a column list, and the alias anywhere in the select list.
	c = runEvents(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("w" INTEGER, "v" INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" ("v")
SELECT STREAM "v" * 10, "ts" AS ROWTIME FROM "SOURCE_SQL_STREAM_001";`,
		[]Row{event(0, "2017-07-14 02:40:01", 1)})
	expectRows(t, c.rows, []string{"0 2017-07-14 02:40:01.000 NULL,10"})
}

// The audit's bare query: the row leaves with the event time, and ROWTIME is not an extra column.
func TestRowtimeAliasInQuery(t *testing.T) {
	p, err := CompileQuery(`SELECT STREAM "ts" AS ROWTIME, "v" FROM "SOURCE_SQL_STREAM_001"`, Config{Inputs: []Input{eventInput()}})
	if err != nil {
		t.Fatal(err)
	}
	if cols := p.OutputColumns()[0]; len(cols) != 1 || cols[0].Name != "v" {
		t.Errorf("output columns %v, want only v", cols)
	}
	c := &collect{}
	in := p.Start(c)
	in.Push(0, event(5, "2017-07-14 02:40:01", 7))
	expectRows(t, c.rows, []string{"0 2017-07-14 02:40:01.000 7"})

	// The EXTRACT page's form: a window of the row's own time, with *.
	p, err = CompileQuery(`SELECT STREAM FLOOR(ROWTIME TO MINUTE) AS ROWTIME, * FROM "SOURCE_SQL_STREAM_001"`, Config{Inputs: []Input{eventInput()}})
	if err != nil {
		t.Fatal(err)
	}
	c = &collect{}
	in = p.Start(c)
	in.Push(0, event(5, "2017-07-14 02:40:01", 7))
	expectRows(t, c.rows, []string{"0 2017-07-14 03:00:00.000 2017-07-14 02:40:01,2017-07-14 02:40:01.000,7"})

	// A derived table's ROWTIME is the one its select list set.
	p, err = CompileQuery(`SELECT STREAM ROWTIME AS t, "v" FROM (SELECT STREAM "ts" AS ROWTIME, "v" FROM "SOURCE_SQL_STREAM_001")`, Config{Inputs: []Input{eventInput()}})
	if err != nil {
		t.Fatal(err)
	}
	c = &collect{}
	in = p.Start(c)
	in.Push(0, event(5, "2017-07-14 02:40:01", 7))
	expectRows(t, c.rows, []string{"0 2017-07-14 02:40:01.000 2017-07-14 02:40:01.000,7"})
}

func TestRowtimeAliasErrors(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{`SELECT STREAM "v" AS ROWTIME FROM "SOURCE_SQL_STREAM_001"`, `1:15: the select item aliased ROWTIME becomes the row's ROWTIME and must be a TIMESTAMP, not INTEGER`},
		{`SELECT STREAM "ts" AS ROWTIME, "ts" AS ROWTIME FROM "SOURCE_SQL_STREAM_001"`, `1:40: only one select item can be aliased ROWTIME`},
	} {
		_, err := CompileQuery(tc.query, Config{Inputs: []Input{eventInput()}})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.query, err, tc.want)
		}
	}
}

// eventTimeApp is KDA's event-time pattern: pump 1 re-times the rows by the event time in the record,
// pump 2 counts them in one-minute tumbling windows of that time.
const eventTimeApp = `CREATE OR REPLACE STREAM "EVENTS" ("v" INTEGER);
CREATE OR REPLACE PUMP "RETIME" AS INSERT INTO "EVENTS"
SELECT STREAM CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm:ss', "event_time") AS ROWTIME, "v" FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("minute" TIMESTAMP, "n" BIGINT, "total" INTEGER);
CREATE OR REPLACE PUMP "COUNT" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM STEP("EVENTS".ROWTIME BY INTERVAL '1' MINUTE), COUNT(*), SUM("v") FROM "EVENTS"
GROUP BY STEP("EVENTS".ROWTIME BY INTERVAL '1' MINUTE);`

// The records arrive 20 minutes after their events, a few seconds apart: windows follow the event time,
// and each window closes once, when a later event shows its minute is over. A consumer advanced to the
// arrival time would close the 02:40 window at the second record and open it again for the third.
func eventTimeRows() []Row {
	return []Row{
		event(0, "2017-07-14 02:40:01", 1),
		event(1, "2017-07-14 02:40:30", 2),
		event(2, "2017-07-14 02:40:59", 4),
		event(3, "2017-07-14 02:41:10", 8),
		event(4, "2017-07-14 02:40:50", 16), // late: 02:41:10 has passed
		event(5, "", 32),                    // no event time
		event(6, "2017-07-14 02:41:10", 64),
		event(7, "2017-07-14 02:43:00", 128),
	}
}

func TestRowtimeAliasWindowsByEventTime(t *testing.T) {
	c := runEvents(t, eventTimeApp, eventTimeRows())
	expectRows(t, c.rows, []string{
		"0 2017-07-14 02:41:00.000 2017-07-14 02:40:00.000,3,7",
		"0 2017-07-14 02:42:00.000 2017-07-14 02:41:00.000,2,72",
	})
	// The 02:43 window stays open: no later event has shown its minute is over, whatever the arrival
	// clock says.
	if got := errorNames(c); got != "Late_row,Null_rowtime" {
		t.Fatalf("errors %s, want Late_row,Null_rowtime", got)
	}
	late := c.errors[0]
	if late.Pump != "RETIME" || late.DataRowtime != event(4, "", 0).Time ||
		late.Message != "ROWTIME 2017-07-14 02:40:50.000 is earlier than the stream's current ROWTIME 2017-07-14 02:41:10.000: rows must be in ROWTIME order" {
		t.Errorf("late row %+v", late)
	}
}

// A snapshot taken between any two records restores to the same output: the retime operator's last
// ROWTIME is part of the state, or a restored run would accept the late row.
func TestRowtimeAliasSnapshot(t *testing.T) {
	p, err := Compile(eventTimeApp, Config{Inputs: []Input{eventInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatal(err)
	}
	rows := eventTimeRows()
	whole := &collect{}
	in := p.Start(whole)
	for _, r := range rows {
		in.Push(0, r)
	}
	for at := range len(rows) {
		c := &collect{}
		in := p.Start(c)
		for i, r := range rows {
			if i == at {
				snap, err := in.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if in, err = p.Restore(snap, c); err != nil {
					t.Fatal(err)
				}
			}
			in.Push(0, r)
		}
		if strings.Join(c.rows, "\n") != strings.Join(whole.rows, "\n") || errorNames(c) != errorNames(whole) {
			t.Errorf("restored before row %d:\n%s (errors %s)\nwant\n%s (errors %s)", at, strings.Join(c.rows, "\n"),
				errorNames(c), strings.Join(whole.rows, "\n"), errorNames(whole))
		}
	}
}
