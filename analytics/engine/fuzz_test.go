package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCompile plans arbitrary SQL against an open input and runs a few rows through what compiles: the
// planner reports errors, never panics, and a compiled program runs.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob("../sql/testdata/examples/*.sql")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Add(`CREATE STREAM "D" (a INTEGER); CREATE PUMP "P" AS INSERT INTO "D" SELECT STREAM CHANGE FROM "SOURCE_SQL_STREAM_001";`)
	// What the examples do not use: GROUP_RANK, EXP_AVG, LAG and NTH_VALUE with their null treatment.
	f.Add(strings.Replace(groupRankApp, "%ORDERS%", `'desc', 'asc', 5, 0`, 1))
	f.Add(`CREATE STREAM "D" (a DOUBLE, b DOUBLE, c DOUBLE); CREATE PUMP "P" AS INSERT INTO "D"
SELECT STREAM EXP_AVG(price, INTERVAL '10' SECOND) OVER w, LAG(price, 2, 0) IGNORE NULLS OVER w,
  NTH_VALUE(price, 1) FROM LAST IGNORE NULLS OVER w
FROM "SOURCE_SQL_STREAM_001" WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '30' SECOND PRECEDING);`)
	f.Fuzz(func(t *testing.T, code string) {
		in := tickerInput()
		p, err := Compile(code, Config{Inputs: []Input{in}})
		if err != nil {
			return
		}
		inst := p.Start(&collect{})
		for i := range 5 {
			inst.Push(0, tick(float64(i)*7, "AAPL", "TECH", float64(i)-2, 10))
		}
		inst.Advance(1_600_000_000_000)
		if _, err := inst.Snapshot(); err != nil {
			t.Fatalf("snapshot: %v", err)
		}
	})
}
