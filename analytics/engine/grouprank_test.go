package engine

import (
	"strings"
	"testing"
)

// groupRankApp is the SQL reference's GROUP_RANK example (sql-reference-group-rank-udx), as written there,
// with its output stream given a destination; rank and output orders and outputMax are filled in by the
// tests.
const groupRankApp = `CREATE OR REPLACE STREAM "ticker_grouped" (
    "group_time" TIMESTAMP,
    "ticker" VARCHAR(65520),
    "ticker_count" INTEGER);

CREATE OR REPLACE STREAM "destination_sql_stream" (
    "group_time" TIMESTAMP,
    "ticker" VARCHAR(65520),
    "ticker_count" INTEGER,
    "group_rank" INTEGER);

CREATE OR REPLACE PUMP "ticker_pump" AS
    INSERT INTO "ticker_grouped"
    SELECT STREAM
        FLOOR(SOURCE_SQL_STREAM_001.ROWTIME TO SECOND),
        "TICKER_SYMBOL",
        COUNT(TICKER_SYMBOL)
    FROM SOURCE_SQL_STREAM_001
    GROUP BY FLOOR(SOURCE_SQL_STREAM_001.ROWTIME TO SECOND), TICKER_SYMBOL;

CREATE OR REPLACE PUMP DESTINATION_SQL_STREAM_PUMP AS
    INSERT INTO "destination_sql_stream"
    SELECT STREAM
        "group_time",
        "ticker",
        "ticker_count",
        "groupRank"
    FROM TABLE(
        GROUP_RANK(
            CURSOR(SELECT STREAM * FROM "ticker_grouped"),
            'ticker_count',
            'groupRank',
            %ORDERS%));`

func groupRankTicks() []Row {
	return []Row{
		tick(0.1, "AAPL", "TECH", 1, 10), tick(0.2, "XOM", "ENERGY", 1, 10), tick(0.3, "AAPL", "TECH", 1, 10),
		tick(0.4, "MSFT", "TECH", 1, 10), tick(0.5, "XOM", "ENERGY", 1, 10), tick(0.6, "AAPL", "TECH", 1, 10),
		tick(1.1, "XOM", "ENERGY", 1, 10), tick(1.2, "MSFT", "TECH", 1, 10), tick(1.3, "AAPL", "TECH", 1, 10),
		tick(1.4, "MSFT", "TECH", 1, 10), tick(1.5, "AAPL", "TECH", 1, 10),
	}
}

func runGroupRank(t *testing.T, orders string, rows []Row) (*Program, *collect) {
	t.Helper()
	p, err := Compile(strings.Replace(groupRankApp, "%ORDERS%", orders, 1),
		Config{Inputs: []Input{tickerInput()}, Outputs: []string{"destination_sql_stream"}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	c := &collect{}
	in := p.Start(c)
	for _, r := range rows {
		in.Push(0, r)
	}
	in.Advance(1_500_000_010_000)
	return p, c
}

// Each second's counts are one group (the GROUP BY emits them with the same ROWTIME): ranked by count,
// highest first, equal counts sharing a rank and the next rank skipping, as RANK() does.
func TestGroupRank(t *testing.T) {
	_, c := runGroupRank(t, `'desc', 'asc', 5, 0`, groupRankTicks())
	want := []string{
		"0 2017-07-14 02:40:01.000 2017-07-14 02:40:00.000,AAPL,3,1",
		"0 2017-07-14 02:40:01.000 2017-07-14 02:40:00.000,XOM,2,2",
		"0 2017-07-14 02:40:01.000 2017-07-14 02:40:00.000,MSFT,1,3",
		"0 2017-07-14 02:40:02.000 2017-07-14 02:40:01.000,MSFT,2,1", // a tie: the order the GROUP BY emitted them
		"0 2017-07-14 02:40:02.000 2017-07-14 02:40:01.000,AAPL,2,1",
		"0 2017-07-14 02:40:02.000 2017-07-14 02:40:01.000,XOM,1,3",
	}
	if got := strings.Join(c.rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	// Ranked lowest count first, output best rank last, at most two rows a group: the two best-ranked.
	_, c = runGroupRank(t, `'asc', 'desc', 0, 2`, groupRankTicks())
	want = []string{
		"0 2017-07-14 02:40:01.000 2017-07-14 02:40:00.000,XOM,2,2",
		"0 2017-07-14 02:40:01.000 2017-07-14 02:40:00.000,MSFT,1,1",
		"0 2017-07-14 02:40:02.000 2017-07-14 02:40:01.000,MSFT,2,2", // MSFT and AAPL tie at rank 2: MSFT came first
		"0 2017-07-14 02:40:02.000 2017-07-14 02:40:01.000,XOM,1,1",
	}
	if got := strings.Join(c.rows, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("asc/desc, outputMax 2: got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	for _, bad := range []struct{ orders, msg string }{
		{`'down', 'asc', 5, 0`, "sortOrder of GROUP_RANK must be 'asc' or 'desc'"},
		{`'desc', 'asc', -1, 0`, "maxIdle of GROUP_RANK must be a non-negative integer constant"},
		{`'desc', 'asc', 5`, "GROUP_RANK takes 7 arguments"},
	} {
		_, err := Compile(strings.Replace(groupRankApp, "%ORDERS%", bad.orders, 1),
			Config{Inputs: []Input{tickerInput()}, Outputs: []string{"destination_sql_stream"}})
		if err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%s: %v, want %q", bad.orders, err, bad.msg)
		}
	}
	_, err := Compile(strings.Replace(strings.Replace(groupRankApp, "'ticker_count',", "'nope',", 1), "%ORDERS%", `'desc', 'asc', 5, 0`, 1),
		Config{Inputs: []Input{tickerInput()}, Outputs: []string{"destination_sql_stream"}})
	if err == nil || !strings.Contains(err.Error(), `the cursor of GROUP_RANK has no column "nope"`) {
		t.Errorf("unknown column: %v", err)
	}
}

// A snapshot taken anywhere, the open group included, restores to the same output.
func TestGroupRankSnapshot(t *testing.T) {
	rows := groupRankTicks()
	p, whole := runGroupRank(t, `'desc', 'asc', 5, 0`, rows)
	for at := range len(rows) + 1 {
		c := &collect{}
		in := p.Start(c)
		for i, r := range append(rows, Row{Time: 1_500_000_010_000}) {
			if i == at {
				snap, err := in.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if in, err = p.Restore(snap, c); err != nil {
					t.Fatal(err)
				}
			}
			if i == len(rows) {
				in.Advance(r.Time)
				break
			}
			in.Push(0, r)
		}
		if strings.Join(c.rows, "\n") != strings.Join(whole.rows, "\n") {
			t.Errorf("restored before row %d:\n%s\nwant\n%s", at, strings.Join(c.rows, "\n"), strings.Join(whole.rows, "\n"))
		}
	}
}
