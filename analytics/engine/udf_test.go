package engine

import (
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// RETURNS NULL ON NULL INPUT makes a call with a NULL argument NULL without running the body (the audit's
// A8: the body ran and gave 'called'); CALLED ON NULL INPUT, and no clause, run it.
func TestUDFNullOnNullInput(t *testing.T) {
	nullPrice := tick(1, "AAPL", "TECH", 1, 0)
	nullPrice.Cols[3] = value.Value{}
	rows := []Row{tick(0, "AAPL", "TECH", 1, 10), nullPrice}
	for _, tc := range []struct{ clause, want string }{
		{"RETURNS NULL ON NULL INPUT", "called NULL"},
		{"DETERMINISTIC RETURNS NULL ON NULL INPUT", "called NULL"},
		{"CALLED ON NULL INPUT", "called called"},
		{"", "called called"},
	} {
		p, err := Compile(`CREATE FUNCTION g(x REAL) RETURNS VARCHAR(10) LANGUAGE SQL CONTAINS SQL `+tc.clause+` RETURN 'called';
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (s VARCHAR(10));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM g(price) FROM "SOURCE_SQL_STREAM_001";`,
			Config{Inputs: []Input{tickerInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
		if err != nil {
			t.Fatalf("%s: %v", tc.clause, err)
		}
		c := &collect{}
		in := p.Start(c)
		for _, r := range rows {
			in.Push(0, r)
		}
		var got []string
		for _, r := range c.rows {
			got = append(got, r[strings.LastIndexByte(r, ' ')+1:])
		}
		if strings.Join(got, " ") != tc.want || len(c.errors) > 0 {
			t.Errorf("%q: got %q (errors %+v), want %s", tc.clause, got, c.errors, tc.want)
		}
	}
}
