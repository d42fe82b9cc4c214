package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// rcfSink keeps the rows of output 0, copied.
type rcfSink struct {
	rows   []Row
	errors []ErrorRow
}

func (s *rcfSink) Emit(output int, r Row) {
	s.rows = append(s.rows, Row{Time: r.Time, Cols: slices.Clone(r.Cols)})
}
func (s *rcfSink) Error(e ErrorRow) { s.errors = append(s.errors, e) }

// scores returns column i of every row as a float (NaN for NULL).
func (s *rcfSink) scores(i int) []float64 {
	out := make([]float64, len(s.rows))
	for k, r := range s.rows {
		out[k] = math.NaN()
		if r.Cols[i].K != value.Null {
			out[k] = r.Cols[i].Float()
		}
	}
	return out
}

func heartRateInput() Input {
	return Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{
		{Name: "heartRate", Type: value.IntegerType}, {Name: "rateType", Type: value.Varchar(20)}}}
}

func xyInput() Input {
	return Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{
		{Name: "X", Type: value.DoubleType}, {Name: "NAME", Type: value.Varchar(8)}, {Name: "Y", Type: value.DoubleType}}}
}

// rcfApp selects every column of the cursor and the score through RANDOM_CUT_FOREST(args).
func rcfApp(cols, args string) string {
	return `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (` + cols + `, ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")` + args + `));`
}

const heartCols = `"heartRate" INTEGER, "rateType" VARCHAR(20)`

// steady is a heart rate that wanders between 58 and 66 in a fixed pattern.
func steady(i int) int64 { return 60 + int64(i*7%9) - 2 }

func heartRow(i int, rate int64) Row {
	kind := "NORMAL"
	if rate > 100 {
		kind = "HIGH"
	}
	return Row{Time: tkBase + int64(i)*100, Cols: []value.Value{value.NewInt(rate), value.NewString(kind)}}
}

func runRCF(t testing.TB, code string, input Input, rows []Row) *rcfSink {
	t.Helper()
	p, err := Compile(code, Config{Inputs: []Input{input}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s := &rcfSink{}
	in := p.Start(s)
	for _, r := range rows {
		in.Push(0, Row{Time: r.Time, Cols: slices.Clone(r.Cols)})
	}
	if len(s.rows) != len(rows) {
		t.Fatalf("%d rows in, %d out", len(rows), len(s.rows))
	}
	return s
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestRCFWarmup: until the trees hold subSampleSize points the score is 0, as the developer guide's results
// begin; then every row gets a positive score. Rows pass through unchanged, at their own ROWTIME.
func TestRCFWarmup(t *testing.T) {
	for _, tc := range []struct {
		args    string
		scoreAt int // first row with a score
	}{
		{"", 256},
		{", 20, 10", 10},
		{", 20, 10, 1000, 4", 13}, // 3 rows fill the shingle, then 10 points
	} {
		var rows []Row
		for i := range 300 {
			rows = append(rows, heartRow(i, steady(i)))
		}
		s := runRCF(t, rcfApp(heartCols, tc.args), heartRateInput(), rows)
		for i, r := range s.rows {
			if r.Time != rows[i].Time || !value.Equal(r.Cols[0], rows[i].Cols[0]) || !value.Equal(r.Cols[1], rows[i].Cols[1]) {
				t.Fatalf("%s: row %d: %v, want %v and a score", tc.args, i, r, rows[i])
			}
			sc := r.Cols[2].Float()
			if i < tc.scoreAt && sc != 0 {
				t.Fatalf("%s: row %d scored %v during warm-up", tc.args, i, sc)
			}
			if i >= tc.scoreAt && !(sc > 0) {
				t.Fatalf("%s: row %d scored %v after warm-up", tc.args, i, sc)
			}
		}
	}
}

// TestRCFOutlier: a spike in a steady series scores far above its neighbours, and the series around it
// scores about 1, the library's scale for normal points.
func TestRCFOutlier(t *testing.T) {
	var rows []Row
	spikes := map[int]int64{400: 180, 470: 20}
	for i := range 520 {
		v := steady(i)
		if s, ok := spikes[i]; ok {
			v = s
		}
		rows = append(rows, heartRow(i, v))
	}
	s := runRCF(t, rcfApp(heartCols, ""), heartRateInput(), rows)
	sc := s.scores(2)
	med := median(sc[300:])
	for at := range spikes {
		if sc[at] < 3*med {
			t.Errorf("spike at %d scored %.3f, median %.3f", at, sc[at], med)
		}
		for i := at - 5; i <= at+5; i++ {
			if i != at && sc[i] >= sc[at] {
				t.Errorf("row %d scored %.3f, not below the spike at %d (%.3f)", i, sc[i], at, sc[at])
			}
		}
	}
	if med < 0.3 || med > 2 {
		t.Errorf("median score %.3f, want about 1", med)
	}
}

// TestRCFShingle: in a periodic series, a value that is normal on its own but breaks the period stands out
// only when the points are shingles of consecutive rows.
func TestRCFShingle(t *testing.T) {
	pattern := []int64{60, 70, 80, 90, 100, 90, 80, 70}
	const brk = 604
	var rows []Row
	for i := range 640 {
		v := pattern[i%len(pattern)] + int64(i*7%5) - 2 // a little noise
		if i == brk {
			v = 60 // where 100 (the peak) belongs: a value seen all the time, at the wrong place
		}
		rows = append(rows, heartRow(i, v))
	}
	shingled := runRCF(t, rcfApp(heartCols, ", 100, 256, 100000, 4"), heartRateInput(), rows).scores(2)
	plain := runRCF(t, rcfApp(heartCols, ""), heartRateInput(), rows).scores(2)
	ms, mp := median(shingled[300:]), median(plain[300:])
	// The break is in the 4 shingles that hold its row: they are the 4 top scores, about twice the rest
	// (one dimension of 4 disagrees, so a random cut isolates them less easily than a 1-dimensional spike).
	for i := 300; i < len(rows); i++ {
		if i >= brk && i < brk+4 {
			if shingled[i] < 1.8*ms {
				t.Errorf("shingled: row %d (holding the break) scored %.3f, median %.3f", i, shingled[i], ms)
			}
			continue
		}
		if shingled[i] >= shingled[brk] {
			t.Errorf("shingled: row %d scored %.3f, not below the break (%.3f)", i, shingled[i], shingled[brk])
		}
	}
	if plain[brk] > 1.5*mp {
		t.Errorf("without shingles the break's value is ordinary, yet scored %.3f (median %.3f)", plain[brk], mp)
	}
}

// TestRCFDeterministic: two runs of the same input give the same scores, bit for bit, and so does a run
// restored from a snapshot taken anywhere in the stream (during warm-up, mid-shingle, after).
func TestRCFDeterministic(t *testing.T) {
	var rows []Row
	for i := range 400 {
		v := steady(i)
		if i%97 == 50 {
			v = 150
		}
		rows = append(rows, heartRow(i, v))
	}
	for _, tc := range []struct {
		args    string
		explain bool
	}{{", 30, 64, 200, 3", false}, {", 30, 64, 200, 3, true", true}} {
		code := rcfApp(heartCols, tc.args)
		if tc.explain {
			code = strings.Replace(code, "ANOMALY_SCORE DOUBLE", "ANOMALY_SCORE DOUBLE, E VARCHAR(1024)", 1)
			code = strings.Replace(code, "RANDOM_CUT_FOREST(", "RANDOM_CUT_FOREST_WITH_EXPLANATION(", 1)
		}
		a := runRCF(t, code, heartRateInput(), rows)
		b := runRCF(t, code, heartRateInput(), rows)
		want := fmt.Sprint(a.rows)
		if got := fmt.Sprint(b.rows); got != want {
			t.Fatalf("%s: two runs differ", tc.args)
		}
		p, err := Compile(code, Config{Inputs: []Input{heartRateInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{1, 30, 65, 66, 200, 399} {
			first := &rcfSink{}
			in := p.Start(first)
			for _, r := range rows[:cut] {
				in.Push(0, Row{Time: r.Time, Cols: slices.Clone(r.Cols)})
			}
			snap, err := in.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			second := &rcfSink{rows: first.rows}
			in2, err := p.Restore(snap, second)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows[cut:] {
				in2.Push(0, Row{Time: r.Time, Cols: slices.Clone(r.Cols)})
			}
			if got := fmt.Sprint(second.rows); got != want {
				t.Errorf("%s: restored at row %d: the scores differ from an uninterrupted run", tc.args, cut)
			}
		}
	}
}

type rcfColumnExplanation struct {
	Direction   string `json:"DIRECTION"`
	Strength    string `json:"STRENGTH"`
	Attribution string `json:"ATTRIBUTION_SCORE"`
}

// TestRCFExplanation: the attribution names the column that makes a point anomalous, with the side it is
// on, and the columns' attribution scores add up to the anomaly score.
func TestRCFExplanation(t *testing.T) {
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (X DOUBLE, NAME VARCHAR(8), Y DOUBLE,
  ANOMALY_SCORE DOUBLE, ANOMALY_EXPLANATION VARCHAR(512));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(
  CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1, true));`
	outliers := map[int][2]float64{300: {10, 40}, 320: {-20, 10}, 340: {10, -25}, 360: {45, 10}}
	var rows []Row
	for i := range 380 {
		x, y := 10+float64(i*7%11)/2, 10+float64(i*5%13)/2
		if o, ok := outliers[i]; ok {
			x, y = o[0], o[1]
		}
		rows = append(rows, Row{Time: tkBase + int64(i), Cols: []value.Value{value.NewDouble(x), value.NewString("p"), value.NewDouble(y)}})
	}
	s := runRCF(t, code, xyInput(), rows)
	for i, r := range s.rows {
		var e map[string]rcfColumnExplanation
		if err := json.Unmarshal([]byte(r.Cols[4].S), &e); err != nil {
			t.Fatalf("row %d: %q: %v", i, r.Cols[4].S, err)
		}
		if len(e) != 2 || e["X"].Direction == "" || e["Y"].Direction == "" {
			t.Fatalf("row %d: %s: want X and Y with a direction", i, r.Cols[4].S)
		}
		var sum float64
		for _, c := range e {
			var a float64
			fmt.Sscan(c.Attribution, &a)
			sum += a
		}
		if score := r.Cols[3].F; math.Abs(sum-score) > 0.0002 {
			t.Errorf("row %d: attributions add up to %.4f, score %.4f", i, sum, score)
		}
		o, ok := outliers[i]
		if !ok {
			continue
		}
		col, dir := "X", "HIGH"
		switch {
		case o[1] > 30:
			col = "Y"
		case o[0] < 0:
			dir = "LOW"
		case o[1] < 0:
			col, dir = "Y", "LOW"
		}
		other := "X"
		if col == "X" {
			other = "Y"
		}
		var a, b float64
		fmt.Sscan(e[col].Attribution, &a)
		fmt.Sscan(e[other].Attribution, &b)
		if e[col].Direction != dir || a < 5*b {
			t.Errorf("row %d (%v): %s, want %s %s carrying the score", i, o, r.Cols[4].S, col, dir)
		}
	}
	// Without directionality only the attribution is given.
	code = strings.Replace(code, "1, true", "1, false", 1)
	s = runRCF(t, code, xyInput(), rows[:260])
	if got := s.rows[259].Cols[4].S; !strings.HasPrefix(got, `{"X":{"ATTRIBUTION_SCORE":"`) || strings.Contains(got, "DIRECTION") {
		t.Errorf("without directionality: %s", got)
	}
	if got, want := s.rows[0].Cols[4].S, `{"X":{"ATTRIBUTION_SCORE":"0.0000"},"Y":{"ATTRIBUTION_SCORE":"0.0000"}}`; got != want {
		t.Errorf("warm-up explanation %s, want %s", got, want)
	}
}

// TestRCFNulls: a row with a NULL dimension passes through with a NULL score and is not learned.
func TestRCFNulls(t *testing.T) {
	var rows []Row
	for i := range 30 {
		r := heartRow(i, steady(i))
		if i == 5 {
			r.Cols[0] = value.Value{}
		}
		rows = append(rows, r)
	}
	s := runRCF(t, rcfApp(heartCols, ", 10, 10"), heartRateInput(), rows)
	sc := s.scores(2)
	if !math.IsNaN(sc[5]) || sc[10] != 0 || !(sc[11] > 0) {
		t.Errorf("scores %v: want 0 for the first 11 rows (row 5, NULL, not learned), NULL at row 5", sc[:14])
	}
}

func TestRCFErrors(t *testing.T) {
	cursor := `CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")`
	for _, tc := range []struct {
		call, suffix, at, want string // at: the text the error must point at
	}{
		{`RANDOM_CUT_FOREST(` + cursor + `, 0)`, "", "0)", "numberOfTrees of RANDOM_CUT_FOREST must be between 1 and 1000, not 0"},
		{`RANDOM_CUT_FOREST(` + cursor + `, 1001)`, "", "1001", "numberOfTrees of RANDOM_CUT_FOREST must be between 1 and 1000, not 1001"},
		{`RANDOM_CUT_FOREST(` + cursor + `, 100, 9)`, "", "9)", "subSampleSize of RANDOM_CUT_FOREST must be between 10 and 1000, not 9"},
		{`RANDOM_CUT_FOREST(` + cursor + `, 100, 1001)`, "", "1001", "subSampleSize of RANDOM_CUT_FOREST must be between 10 and 1000"},
		{`RANDOM_CUT_FOREST(` + cursor + `, 100, 256, 0)`, "", "0)", "timeDecay of RANDOM_CUT_FOREST must be between 1 and 2147483647, not 0"},
		{`RANDOM_CUT_FOREST(` + cursor + `, 100, 256, 100000, 31)`, "", "31", "shingleSize of RANDOM_CUT_FOREST must be between 1 and 30, not 31"},
		{`RANDOM_CUT_FOREST(` + cursor + `, 1.5)`, "", "1.5", "numberOfTrees of RANDOM_CUT_FOREST must be an integer constant"},
		{`RANDOM_CUT_FOREST(` + cursor + `, 100, 256, 100000, 1, true)`, "", "RANDOM", "RANDOM_CUT_FOREST takes 1 to 5 arguments"},
		{`RANDOM_CUT_FOREST_WITH_EXPLANATION(` + cursor + `, 100, 256, 100000, 1, 1)`, "", "1)", "withDirectionality of RANDOM_CUT_FOREST_WITH_EXPLANATION must be TRUE or FALSE"},
		{`RANDOM_CUT_FOREST("SOURCE_SQL_STREAM_001")`, "", `"SOURCE`, "the first argument of RANDOM_CUT_FOREST must be CURSOR"},
		{`RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "rateType" FROM "SOURCE_SQL_STREAM_001"))`, "", "CURSOR", "the cursor of RANDOM_CUT_FOREST has no numeric column"},
		{`RANDOM_CUT_FOREST(CURSOR(SELECT STREAM CAST("heartRate" AS DECIMAL(5,1)) AS h FROM "SOURCE_SQL_STREAM_001"))`, "", "CURSOR", `RANDOM_CUT_FOREST does not accept DECIMAL column "H": cast it to DOUBLE`},
		{`RANDOM_CUT_FOREST(` + cursor + `)`, " AS t (a, b, c, d)", "d)", "RANDOM_CUT_FOREST yields 3 columns, not 4"},
	} {
		const prefix = "SELECT STREAM * FROM TABLE("
		line := prefix + tc.call + ")" + tc.suffix
		code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("heartRate" INTEGER, "rateType" VARCHAR(20), ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
` + line + ";"
		want := fmt.Sprintf("3:%d: %s", strings.LastIndex(line, tc.at)+1, tc.want)
		if tc.at == "RANDOM" {
			want = fmt.Sprintf("3:%d: %s", len(prefix)+1, tc.want)
		}
		_, err := Compile(code, Config{Inputs: []Input{heartRateInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
		var pe *Error
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %s...", line, err, want)
		}
	}
}

// TestRCFExamples runs the developer guide's applications (aws_doc_16 and aws_doc_17) on heart rate and
// blood pressure series with a few outliers: the outliers' rows get the top scores.
func TestRCFExamples(t *testing.T) {
	for _, tc := range []struct {
		file  string
		input Input
		row   func(i int, odd bool) []value.Value
	}{
		{"aws_doc_16_random_cut_forest_heart_rate", heartRateInput(), func(i int, odd bool) []value.Value {
			if odd {
				return []value.Value{value.NewInt(180 + int64(i%3)*10), value.NewString("HIGH")}
			}
			return []value.Value{value.NewInt(steady(i)), value.NewString("NORMAL")}
		}},
		{"aws_doc_17_random_cut_forest_with_explanation", Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{
			{Name: "Systolic", Type: value.IntegerType}, {Name: "Diastolic", Type: value.IntegerType},
			{Name: "BloodPressureLevel", Type: value.Varchar(20)}}}, func(i int, odd bool) []value.Value {
			if odd {
				return []value.Value{value.NewInt(190), value.NewInt(140), value.NewString("HIGH")}
			}
			return []value.Value{value.NewInt(100 + int64(i*7%21)), value.NewInt(65 + int64(i*5%16)), value.NewString("NORMAL")}
		}},
	} {
		code, err := os.ReadFile("../sql/testdata/examples/" + tc.file + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		var rows []Row
		odd := map[int]bool{350: true, 420: true, 480: true}
		for i := range 500 {
			rows = append(rows, Row{Time: tkBase + int64(i)*250, Cols: tc.row(i, odd[i])})
		}
		p, err := Compile(string(code), Config{Inputs: []Input{tc.input}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		s := &rcfSink{}
		in := p.Start(s)
		for _, r := range rows {
			in.Push(0, r)
		}
		in.Advance(tkBase + 1_000_000)
		if len(s.rows) != len(rows) {
			t.Fatalf("%s: %d rows out of %d", tc.file, len(s.rows), len(rows))
		}
		level := len(tc.input.Columns) - 1
		score := len(tc.input.Columns)
		ranked := slices.Clone(s.rows)
		slices.SortStableFunc(ranked, func(a, b Row) int { return -cmpFloat(a.Cols[score].F, b.Cols[score].F) })
		for _, r := range ranked[:len(odd)] {
			if r.Cols[level].S != "HIGH" {
				t.Errorf("%s: top scores %v", tc.file, ranked[:len(odd)+2])
				break
			}
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// BenchmarkRCF: one row through KDA's default forest (100 trees of 256 points), past warm-up.
func BenchmarkRCF(b *testing.B) {
	for _, tc := range []struct {
		name, fn string
		dims     int
	}{
		{"dims=1", "RANDOM_CUT_FOREST", 1}, {"dims=3", "RANDOM_CUT_FOREST", 3},
		{"dims=3/explain", "RANDOM_CUT_FOREST_WITH_EXPLANATION", 3},
	} {
		b.Run(tc.name, func(b *testing.B) {
			input := Input{Name: "SOURCE_SQL_STREAM_001"}
			var cols []string
			for d := range tc.dims {
				n := fmt.Sprintf("C%d", d)
				input.Columns = append(input.Columns, value.Column{Name: n, Type: value.DoubleType})
				cols = append(cols, n+" DOUBLE")
			}
			cols = append(cols, "ANOMALY_SCORE DOUBLE")
			if strings.HasSuffix(tc.fn, "EXPLANATION") {
				cols = append(cols, "E VARCHAR(1024)")
			}
			code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (` + strings.Join(cols, ", ") + `);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM TABLE(` + tc.fn + `(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));`
			in := startBench(b, code, input)
			rng := rand.New(rand.NewPCG(1, 2))
			row := func(i int) Row {
				r := Row{Time: tkBase + int64(i), Cols: make([]value.Value, tc.dims)}
				for d := range r.Cols {
					r.Cols[d] = value.NewDouble(10 + rng.NormFloat64())
				}
				return r
			}
			for i := range 2000 {
				in.Push(0, row(i))
			}
			rows := make([]Row, 4096)
			for i := range rows {
				rows[i] = row(2000 + i)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := rows[i%len(rows)]
				r.Time = tkBase + 2000 + int64(i)
				in.Push(0, r)
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// FuzzRCFRestore: a damaged snapshot is refused or restores a forest that keeps working; it never panics
// or hangs.
func FuzzRCFRestore(f *testing.F) {
	code := rcfApp(heartCols, ", 3, 10, 50, 2")
	p, err := Compile(code, Config{Inputs: []Input{heartRateInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		f.Fatal(err)
	}
	in := p.Start(nil)
	for i := range 40 {
		v := steady(i)
		if i%3 == 0 {
			v = 61 // duplicates: leaves of mass > 1
		}
		in.Push(0, heartRow(i, v))
		if i == 4 || i == 39 {
			snap, err := in.Snapshot()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(snap)
		}
	}
	f.Fuzz(func(t *testing.T, snap []byte) {
		in, err := p.Restore(snap, nil)
		if err != nil {
			return
		}
		for i := range 30 {
			in.Push(0, heartRow(1000+i, steady(i)+int64(i%4)*20))
		}
	})
}

// TestRCFTreeScore checks a tree's score and attribution against the library's formulas worked by hand on
// a tree of the points 0 and 10 (whatever the cut, the root's box is [0,10] and 10 is a leaf at depth 1).
func TestRCFTreeScore(t *testing.T) {
	tr := newRCFTree(1, 0, 10)
	tr.insert([]float64{0})
	tr.insert([]float64{10})
	o := &rcfOp{inside: make([]bool, 1), shadow: make([]float64, 2)}
	norm := math.Log2(3) // tree mass 2
	high, low := make([]float64, 1), make([]float64, 1)
	for _, tc := range []struct {
		x, score, high, low float64
	}{
		// Unseen 20: 1/(1+1) at the leaf 10; at the root the cut separates 20 from [0,10] with
		// probability 10/20: 0.5*1/(0+1) + 0.5*0.5. All of it HIGH.
		{20, 0.75, 0.75, 0},
		// -10 mirrors it: all LOW.
		{-10, 0.75, 0, 0.75},
		// 5 is inside the root's box: 1/(1+1) from its leaf, nothing above; HIGH from the leaf 0 or LOW
		// from the leaf 10, as the cut falls (high -1: either side).
		{5, 0.5, -1, 0},
		// Seen 10: damp(1, 2) * 1/(1 + log2(1+1)) = 0.75 * 0.5, shaped by the rest of the tree (the leaf 0,
		// below it): all HIGH.
		{10, 0.375, 0.375, 0},
	} {
		p := []float64{tc.x}
		if got := tr.score(p, o); math.Abs(got-tc.score*norm) > 1e-12 {
			t.Errorf("score(%v) = %v, want %v", tc.x, got, tc.score*norm)
		}
		tr.attribution(p, high, low, o)
		if tc.high < 0 {
			if math.Abs(high[0]+low[0]-tc.score*norm) > 1e-12 || high[0]*low[0] != 0 {
				t.Errorf("attribution(%v) = %v/%v, want %v on one side", tc.x, high[0], low[0], tc.score*norm)
			}
			continue
		}
		if math.Abs(high[0]-tc.high*norm) > 1e-12 || math.Abs(low[0]-tc.low*norm) > 1e-12 {
			t.Errorf("attribution(%v) = %v/%v, want %v/%v", tc.x, high[0], low[0], tc.high*norm, tc.low*norm)
		}
	}
}

// TestRCFTreeInvariants: through warm-up, replacements and duplicates, every tree keeps the invariants
// restore checks (masses, boxes, cuts between children, the sample at the leaves).
func TestRCFTreeInvariants(t *testing.T) {
	code := rcfApp(`X DOUBLE, NAME VARCHAR(8), Y DOUBLE`, ", 5, 16, 20, 2")
	p, err := Compile(code, Config{Inputs: []Input{xyInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatal(err)
	}
	in := p.Start(nil)
	var o *rcfOp
	for _, s := range in.stateful {
		o, _ = s.(*rcfOp)
	}
	for i := range 2000 {
		x, y := float64(i*7919%13), float64(i*104729%7) // few distinct values: many duplicates
		if i%50 == 0 {
			x = 1e6
		}
		in.Push(0, Row{Time: int64(i), Cols: []value.Value{value.NewDouble(x), value.NewString(""), value.NewDouble(y)}})
		for k, tr := range o.f.Trees {
			if err := tr.check(); err != nil {
				t.Fatalf("row %d, tree %d: %v", i, k, err)
			}
			if len(tr.Sample) != min(i, 16) {
				t.Fatalf("row %d, tree %d: %d points in the sample", i, k, len(tr.Sample))
			}
		}
	}
}

// TestRCFOpenInput: `hydrant sql check` plans the examples against inputs of unknown columns; the columns
// the code reads through the function resolve as they do on the input.
func TestRCFOpenInput(t *testing.T) {
	for _, f := range []string{"aws_doc_16_random_cut_forest_heart_rate", "aws_doc_17_random_cut_forest_with_explanation"} {
		code, err := os.ReadFile("../sql/testdata/examples/" + f + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Inputs: []Input{{Name: "SOURCE_SQL_STREAM_001", Open: true}}, Outputs: []string{"DESTINATION_SQL_STREAM"}}
		if _, err := Compile(string(code), cfg); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// With a schema, a name the function does not yield is an error.
	code := strings.Replace(rcfApp(heartCols, ""), "SELECT STREAM *", `SELECT STREAM "heartRate", "nope", ANOMALY_SCORE`, 1)
	if _, err := Compile(code, Config{Inputs: []Input{heartRateInput()}, Outputs: []string{"DESTINATION_SQL_STREAM"}}); err == nil ||
		!strings.Contains(err.Error(), `column "nope" not found`) {
		t.Errorf("unknown column: %v", err)
	}
}
