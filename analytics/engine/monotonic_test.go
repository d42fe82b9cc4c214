package engine

import (
	"strings"
	"testing"
)

// A rounding of a MONOTONIC key is monotonic too, as the monotonic-expressions page infers for FLOOR: the
// audit's B6 keys were refused with "a streaming GROUP BY needs a key that is monotonic in ROWTIME".
// The window closes when a row brings the next rounded value, not by the arrival clock.
func TestGroupByRoundedMonotonic(t *testing.T) {
	rows := []Row{
		event(0, "2017-07-14 02:40:01", 1), event(1, "2017-07-14 02:40:59", 2), event(2, "2017-07-14 02:41:00", 4),
		event(3, "2017-07-14 02:41:30", 8), event(4, "2017-07-14 02:43:00", 16),
	}
	for _, tc := range []struct{ key, want string }{
		{`FLOOR(MONOTONIC("ts") TO MINUTE)`, "2,3 2,12"},
		{`STEP(MONOTONIC("ts") BY INTERVAL '1' MINUTE)`, "2,3 2,12"},
		{`(FLOOR((MONOTONIC("ts")) TO MINUTE))`, "2,3 2,12"},
		{`CEIL(MONOTONIC("ts") TO MINUTE)`, "3,7 1,8"}, // 02:41:00 rounds up to itself, with 02:40:01
	} {
		key := tc.key
		c := runEvents(t, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("n" BIGINT, "total" INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM COUNT(*), SUM("v") FROM "SOURCE_SQL_STREAM_001" GROUP BY `+key+`;`, rows)
		var got []string
		for _, r := range c.rows {
			got = append(got, r[strings.LastIndexByte(r, ' ')+1:])
		}
		if strings.Join(got, " ") != tc.want || len(c.errors) > 0 {
			t.Errorf("GROUP BY %s: got %q (errors %+v), want %s", key, got, c.errors, tc.want)
		}
	}
	// A rounding does not make a key monotonic by itself.
	_, err := CompileQuery(`SELECT STREAM COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY FLOOR("ts" TO MINUTE)`, Config{Inputs: []Input{eventInput()}})
	if err == nil || !strings.Contains(err.Error(), "needs a key that is monotonic") {
		t.Errorf("GROUP BY FLOOR(ts TO MINUTE): err = %v", err)
	}
}
