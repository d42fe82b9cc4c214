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

// hsApp is HOTSPOTS over every column of a stream of points, as the developer guide's example calls it.
func hsApp(cols string, size int, radius string, minPts int) string {
	return fmt.Sprintf(`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (%s, HOTSPOTS_RESULT VARCHAR(10000));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT * FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), %d, %s, %d));`, cols, size, radius, minPts)
}

// hsXY is the developer guide's input: "x" DOUBLE, "y" DOUBLE, "is_hot" VARCHAR(4).
func hsXY() Input {
	return Input{Name: "SOURCE_SQL_STREAM_001", Columns: []value.Column{
		{Name: "x", Type: value.Type{Base: value.TDouble}}, {Name: "y", Type: value.Type{Base: value.TDouble}},
		{Name: "is_hot", Type: value.Varchar(4)}}}
}

const hsXYCols = `"x" DOUBLE, "y" DOUBLE, "is_hot" VARCHAR(4)`

func hsRow(i int, x, y float64, hot bool) Row {
	h := "N"
	if hot {
		h = "Y"
	}
	return Row{Time: tkBase + int64(i)*10, Cols: []value.Value{value.NewDouble(x), value.NewDouble(y), value.NewString(h)}}
}

// hsResult is HOTSPOTS_RESULT parsed.
type hsResult struct {
	Hotspots []struct {
		Density   float64   `json:"density"`
		MinValues []float64 `json:"minValues"`
		MaxValues []float64 `json:"maxValues"`
	} `json:"hotspots"`
}

func parseHS(t *testing.T, s string) hsResult {
	t.Helper()
	var r hsResult
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("HOTSPOTS_RESULT is not JSON: %v: %s", err, s)
	}
	return r
}

// hsSink keeps the HOTSPOTS_RESULT (last column) of every row, and every row as text.
type hsSink struct {
	results []string
	rows    []string
}

func (s *hsSink) Emit(_ int, r Row) {
	s.results = append(s.results, r.Cols[len(r.Cols)-1].S)
	parts := make([]string, len(r.Cols))
	for i, v := range r.Cols {
		parts[i] = goldenValue(v)
	}
	s.rows = append(s.rows, fmt.Sprintf("%d %s", r.Time, strings.Join(parts, " | ")))
}
func (s *hsSink) Error(ErrorRow) {}

func hsRun(t *testing.T, code string, input Input, rows []Row) *hsSink {
	t.Helper()
	p, err := Compile(code, Config{Inputs: []Input{input}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	s := &hsSink{}
	in := p.Start(s)
	for _, r := range rows {
		in.Push(0, Row{Time: r.Time, Cols: slices.Clone(r.Cols)})
	}
	if len(s.results) != len(rows) {
		t.Fatalf("%d rows in, %d out", len(rows), len(s.results))
	}
	return s
}

// hsScene generates n points: noise uniform over [0,10]^2, and with probability hot a point uniform in one
// of the boxes (chosen in turn).
type hsBox struct{ x0, y0, side float64 }

func hsScene(seed uint64, n int, hot float64, boxes []hsBox) []Row {
	rng := rand.New(rand.NewPCG(seed, 1))
	rows := make([]Row, n)
	k := 0
	for i := range rows {
		if len(boxes) > 0 && rng.Float64() < hot {
			b := boxes[k%len(boxes)]
			k++
			rows[i] = hsRow(i, b.x0+rng.Float64()*b.side, b.y0+rng.Float64()*b.side, true)
		} else {
			rows[i] = hsRow(i, rng.Float64()*10, rng.Float64()*10, false)
		}
	}
	return rows
}

func TestHotspotsTwoClusters(t *testing.T) {
	a, b := hsBox{2, 2, 0.5}, hsBox{7, 6, 1}
	rows := hsScene(1, 1000, 0.3, []hsBox{a, b})
	s := hsRun(t, hsApp(hsXYCols, 1000, "0.2", 17), hsXY(), rows)
	got := parseHS(t, s.results[len(s.results)-1])
	if len(got.Hotspots) != 2 {
		t.Fatalf("want 2 hotspots, got %s", s.results[len(s.results)-1])
	}
	// About 150 points in each box: the small box is denser, so it comes first.
	for i, box := range []hsBox{a, b} {
		h := got.Hotspots[i]
		for d, lo := range []float64{box.x0, box.y0} {
			hi := lo + box.side
			// The bounds are the box's, give or take a noise point within scanRadius of its edge.
			if h.MinValues[d] < lo-0.2 || h.MinValues[d] > lo+0.05 || h.MaxValues[d] > hi+0.2 || h.MaxValues[d] < hi-0.05 {
				t.Errorf("hotspot %d, dimension %d: bounds [%v, %v], want about [%v, %v]", i, d, h.MinValues[d], h.MaxValues[d], lo, hi)
			}
		}
		// Border noise points may widen the box by up to scanRadius on each side.
		lo, hi := 150*0.9/((box.side+0.4)*(box.side+0.4)), 150*1.1/(box.side*box.side)
		if h.Density < lo || h.Density > hi {
			t.Errorf("hotspot %d: density %v, want between %v and %v", i, h.Density, lo, hi)
		}
	}
	// Nothing before the window holds 17 close points.
	if s.results[0] != hotspotsEmpty {
		t.Errorf("first row: %s", s.results[0])
	}
	// is_hot and the coordinates pass through untouched.
	if !strings.Contains(s.rows[0], "| 'Y' |") && !strings.Contains(s.rows[0], "| 'N' |") {
		t.Errorf("row 0: %s", s.rows[0])
	}
}

func TestHotspotsClusterLeavesWindow(t *testing.T) {
	rows := hsScene(2, 400, 0.5, []hsBox{{3, 3, 0.5}})
	rows = append(rows, hsScene(3, 300, 0, nil)...)
	for i := range rows {
		rows[i].Time = tkBase + int64(i)*10
	}
	s := hsRun(t, hsApp(hsXYCols, 250, "0.2", 17), hsXY(), rows)
	if r := parseHS(t, s.results[399]); len(r.Hotspots) != 1 {
		t.Fatalf("row 399: want the cluster, got %s", s.results[399])
	}
	// 250 rows of noise later the cluster is out of the window; the noise is too sparse to make one.
	for i := 650; i < len(rows); i++ {
		if s.results[i] != hotspotsEmpty {
			t.Fatalf("row %d: the cluster should have left the window: %s", i, s.results[i])
		}
	}
}

// hsBrute is HOTSPOTS computed from its definition (hotspots.go) over a window's points, quadratically.
func hsBrute(pts [][]float64, radius float64, minPts int) string {
	n := len(pts)
	near := func(i, j int) bool {
		d2 := 0.0
		for k := range pts[i] {
			d2 += (pts[i][k] - pts[j][k]) * (pts[i][k] - pts[j][k])
		}
		return d2 <= radius*radius
	}
	core := make([]bool, n)
	for i := range pts {
		c := 0
		for j := range pts {
			if near(i, j) {
				c++
			}
		}
		core[i] = c >= minPts
	}
	comp := make([]int, n)
	for i := range comp {
		comp[i] = -1
	}
	var clusters [][]int // members
	for i := range pts {
		if !core[i] || comp[i] >= 0 {
			continue
		}
		id := len(clusters)
		stack := []int{i}
		comp[i] = id
		var members []int
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			members = append(members, p)
			for q := range pts {
				if core[q] && comp[q] < 0 && near(p, q) {
					comp[q] = id
					stack = append(stack, q)
				}
			}
		}
		cores := slices.Clone(members)
		for q := range pts {
			if core[q] {
				continue
			}
			for _, p := range cores {
				if near(p, q) {
					members = append(members, q)
					break
				}
			}
		}
		clusters = append(clusters, members)
	}
	type hs struct {
		density  float64
		min, max []float64
	}
	var out []hs
	for _, m := range clusters {
		d := len(pts[0])
		h := hs{min: slices.Clone(pts[m[0]]), max: slices.Clone(pts[m[0]])}
		for _, p := range m {
			for k := 0; k < d; k++ {
				h.min[k] = min(h.min[k], pts[p][k])
				h.max[k] = max(h.max[k], pts[p][k])
			}
		}
		vol := 1.0
		for k := 0; k < d; k++ {
			vol *= max(h.max[k]-h.min[k], radius)
		}
		h.density = float64(len(m)) / vol
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b hs) int {
		if a.density != b.density {
			if a.density > b.density {
				return -1
			}
			return 1
		}
		if c := slices.Compare(a.min, b.min); c != 0 {
			return c
		}
		return slices.Compare(a.max, b.max)
	})
	var b []byte
	b = append(b, `{"hotspots":[`...)
	for i, h := range out {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"density":`...)
		b = appendJSONFloat(b, h.density)
		b = append(b, `,"minValues":`...)
		b = appendJSONFloats(b, h.min)
		b = append(b, `,"maxValues":`...)
		b = appendJSONFloats(b, h.max)
		b = append(b, '}')
	}
	return string(append(b, "]}"...))
}

// TestHotspotsMatchesDefinition checks the incremental window (neighbour counts, grid, skipped
// recomputations) against the definition computed from scratch at every row, in 1 to 4 dimensions, with
// clusters that move, touch and leave, integer coordinates (many equal points) and rows that are no points.
func TestHotspotsMatchesDefinition(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dims   int
		ints   bool
		size   int
		radius float64
		minPts int
	}{
		{"1d", 1, false, 100, 0.05, 5},
		{"2d", 2, false, 150, 0.4, 8},
		{"2d-integers", 2, true, 120, 1, 6},
		{"3d", 3, false, 200, 0.8, 6},
		{"4d", 4, false, 150, 1.2, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cols []value.Column
			var decl []string
			typ, sqlTyp := value.Type{Base: value.TDouble}, "DOUBLE"
			if tc.ints {
				typ, sqlTyp = value.Type{Base: value.TInteger}, "INTEGER"
			}
			for k := 0; k < tc.dims; k++ {
				cols = append(cols, value.Column{Name: fmt.Sprintf("D%d", k), Type: typ})
				decl = append(decl, fmt.Sprintf("D%d %s", k, sqlTyp))
			}
			cols = append(cols, value.Column{Name: "TAG", Type: value.Varchar(8)})
			decl = append(decl, "TAG VARCHAR(8)")
			rng := rand.New(rand.NewPCG(uint64(tc.dims), 7))
			var rows []Row
			centre := make([]float64, tc.dims)
			for i := 0; i < 1500; i++ {
				if i%300 == 0 {
					for k := range centre {
						centre[k] = rng.Float64() * 8
					}
				}
				r := Row{Time: tkBase + int64(i)}
				inCluster := rng.IntN(3) == 0
				for k := 0; k < tc.dims; k++ {
					x := rng.Float64() * 10
					if inCluster {
						x = centre[k] + rng.NormFloat64()*tc.radius
					}
					if tc.ints {
						r.Cols = append(r.Cols, value.NewInt(int64(math.Round(x))))
					} else {
						r.Cols = append(r.Cols, value.NewDouble(x))
					}
				}
				if i%97 == 0 {
					r.Cols[rng.IntN(tc.dims)] = value.Value{} // NULL: no point
				}
				r.Cols = append(r.Cols, value.NewString("t"))
				rows = append(rows, r)
			}
			code := hsApp(strings.Join(decl, ", "), tc.size, fmt.Sprint(tc.radius), tc.minPts)
			s := hsRun(t, code, Input{Name: "SOURCE_SQL_STREAM_001", Columns: cols}, rows)
			var window [][]float64
			nonEmpty := 0
			for i, r := range rows {
				pt := make([]float64, tc.dims)
				ok := true
				for k := range pt {
					if r.Cols[k].K == value.Null {
						ok = false
					}
					pt[k] = r.Cols[k].Float()
				}
				if ok {
					window = append(window, pt)
					if len(window) > tc.size {
						window = window[1:]
					}
				}
				want := hsBrute(window, tc.radius, tc.minPts)
				if s.results[i] != want {
					t.Fatalf("row %d:\ngot  %s\nwant %s", i, s.results[i], want)
				}
				if want != hotspotsEmpty {
					nonEmpty++
				}
			}
			if nonEmpty < len(rows)/2 {
				t.Errorf("only %d rows of %d saw a hotspot: the test exercises too little", nonEmpty, len(rows))
			}
		})
	}
}

// TestHotspotsSnapshot checks that an instance restored from a snapshot taken anywhere goes on exactly as an
// uninterrupted one.
func TestHotspotsSnapshot(t *testing.T) {
	rows := hsScene(4, 600, 0.4, []hsBox{{1, 1, 0.6}, {5, 5, 0.6}})
	code := hsApp(hsXYCols, 200, "0.2", 10)
	want := hsRun(t, code, hsXY(), rows).rows
	p, err := Compile(code, Config{Inputs: []Input{hsXY()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{0, 1, 150, 200, 201, 437, 600} {
		s := &hsSink{}
		in := p.Start(s)
		for i, r := range rows {
			if i == at {
				snap, err := in.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if in, err = p.Restore(snap, s); err != nil {
					t.Fatal(err)
				}
			}
			in.Push(0, Row{Time: r.Time, Cols: slices.Clone(r.Cols)})
		}
		if strings.Join(s.rows, "\n") != strings.Join(want, "\n") {
			t.Errorf("restored after row %d: the output differs", at)
		}
	}
	// A snapshot of another window size is refused.
	other, err := Compile(hsApp(hsXYCols, 100, "0.2", 10), Config{Inputs: []Input{hsXY()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		t.Fatal(err)
	}
	in := p.Start(&hsSink{})
	for _, r := range rows {
		in.Push(0, Row{Time: r.Time, Cols: slices.Clone(r.Cols)})
	}
	snap, _ := in.Snapshot()
	if _, err := other.Restore(snap, &hsSink{}); !errors.Is(err, errSnapshotMismatch) {
		t.Errorf("restoring into another application: %v", err)
	}
}

func TestHotspotsNullPassesThrough(t *testing.T) {
	rows := hsScene(5, 300, 0.5, []hsBox{{4, 4, 0.3}})
	rows = append(rows, Row{Time: rows[len(rows)-1].Time, Cols: []value.Value{{}, value.NewDouble(1), value.NewString("N")}})
	s := hsRun(t, hsApp(hsXYCols, 200, "0.2", 10), hsXY(), rows)
	n := len(s.results)
	if s.results[n-1] != s.results[n-2] || s.results[n-1] == hotspotsEmpty {
		t.Errorf("a row with a NULL coordinate should carry the window's hotspots unchanged:\n%s\n%s", s.results[n-2], s.results[n-1])
	}
	if !strings.HasPrefix(strings.SplitN(s.rows[n-1], " ", 2)[1], "NULL | 1.0 | 'N' | ") {
		t.Errorf("the row should pass through: %s", s.rows[n-1])
	}
}

func TestHotspotsPlanErrors(t *testing.T) {
	in := Input{Name: "S", Columns: []value.Column{
		{Name: "X", Type: value.Type{Base: value.TDouble}}, {Name: "N", Type: value.Type{Base: value.TInteger}},
		{Name: "D", Type: value.Type{Base: value.TDecimal, Len: 8, Scale: 2}}, {Name: "T", Type: value.Varchar(4)}}}
	// want is "<marker>: message": the error points at the first occurrence of marker in from.
	for _, tc := range []struct{ from, want string }{
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 1000, 0.2)`, "HOTSPOTS: HOTSPOTS takes 4 arguments"},
		{`HOTSPOTS(S, 1000, 0.2, 17)`, "S,: the first argument of HOTSPOTS must be CURSOR"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 99, 0.2, 17)`, "99: windowSize of HOTSPOTS must be between 100 and 1000, not 99"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 1001, 0.2, 17)`, "1001: windowSize of HOTSPOTS must be between 100 and 1000, not 1001"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 100.5, 0.2, 17)`, "100.5: windowSize of HOTSPOTS must be an integer constant"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 100, 0, 17)`, "0, 17: scanRadius of HOTSPOTS must be greater than zero, not 0"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 100, -0.5, 17)`, "-0.5: scanRadius of HOTSPOTS must be greater than zero"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 100, 'a', 17)`, "'a': scanRadius of HOTSPOTS must be a numeric constant"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 100, 0.2, 1)`, "1): minimumNumberOfPointsInAHotspot of HOTSPOTS must be between 2 and 100, not 1"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X FROM S), 100, 0.2, 101)`, "101: minimumNumberOfPointsInAHotspot of HOTSPOTS must be between 2 and 100, not 101"},
		{`HOTSPOTS(CURSOR(SELECT STREAM T FROM S), 100, 0.2, 10)`, "CURSOR: the cursor of HOTSPOTS has no numeric column"},
		{`HOTSPOTS(CURSOR(SELECT STREAM X, D FROM S), 100, 0.2, 10)`, `CURSOR: HOTSPOTS does not accept DECIMAL column "D": cast it to DOUBLE`},
		{`HOTSPOTS(CURSOR(SELECT STREAM X, T AS HOTSPOTS_RESULT FROM S), 100, 0.2, 10)`, `CURSOR: the cursor of HOTSPOTS already has a column "HOTSPOTS_RESULT"`},
	} {
		const prefix = "CREATE PUMP P AS INSERT INTO OUT_S SELECT * FROM TABLE("
		code := "CREATE STREAM OUT_S (X DOUBLE, R VARCHAR(100));\n" + prefix + tc.from + ");"
		marker, msg, _ := strings.Cut(tc.want, ": ")
		want := fmt.Sprintf("2:%d: %s", len(prefix)+strings.Index(tc.from, marker)+1, msg)
		_, err := Compile(code, Config{Inputs: []Input{in}})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s:\ngot  %v\nwant %s...", tc.from, err, want)
		}
	}
	// Numeric columns of every accepted type, with others among them, plan.
	code := `CREATE STREAM OUT_S (X DOUBLE, N INTEGER, T VARCHAR(4), R VARCHAR(10000));
CREATE PUMP P AS INSERT INTO OUT_S SELECT * FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM X, N, T FROM S), 100, 1, 2));`
	if _, err := Compile(code, Config{Inputs: []Input{in}}); err != nil {
		t.Errorf("INTEGER and DOUBLE with a VARCHAR: %v", err)
	}
}

// TestHotspotsDeveloperGuide runs aws_doc_18 on input made as the guide's generator makes it: points uniform
// over [0,10]^2, and with probability 0.2 in a hotspot square of side 1 that moves every 1000 records.
func TestHotspotsDeveloperGuide(t *testing.T) {
	code, err := os.ReadFile(examplesDir + "/aws_doc_18_hotspots.sql")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(18, 18))
	var rows []Row
	var squares []hsBox
	for i := 0; i < 3000; i++ {
		if i%1000 == 0 {
			squares = append(squares, hsBox{rng.Float64() * 9, rng.Float64() * 9, 1})
		}
		sq := squares[len(squares)-1]
		if rng.Float64() < 0.2 {
			rows = append(rows, hsRow(i, sq.x0+rng.Float64(), sq.y0+rng.Float64(), true))
		} else {
			rows = append(rows, hsRow(i, rng.Float64()*10, rng.Float64()*10, false))
		}
	}
	s := hsRun(t, string(code), hsXY(), rows)
	// At the end of each 1000 records the window holds one square's points: one hotspot, on that square.
	for k, sq := range squares {
		i := k*1000 + 999
		r := parseHS(t, s.results[i])
		if len(r.Hotspots) != 1 {
			t.Fatalf("row %d: want one hotspot, got %s", i, s.results[i])
		}
		h := r.Hotspots[0]
		if h.MinValues[0] < sq.x0-0.2 || h.MaxValues[0] > sq.x0+1.2 || h.MinValues[1] < sq.y0-0.2 || h.MaxValues[1] > sq.y0+1.2 {
			t.Errorf("row %d: hotspot %s is not on the square at (%v, %v)", i, s.results[i], sq.x0, sq.y0)
		}
		// About 200 records in a unit square, widened by border points up to scanRadius on each side; the
		// viewer of the guide draws hotspots of density 40 and up.
		if h.Density < 90 || h.Density > 260 {
			t.Errorf("row %d: density %v, want about 200", i, h.Density)
		}
	}
	// While the window holds two squares' points (each too sparse now to be one hotspot), every hotspot is
	// on one of them: the noise makes none.
	for i := 1000; i < len(rows); i++ {
		for _, h := range parseHS(t, s.results[i]).Hotspots {
			on := false
			for _, sq := range squares[i/1000-1 : i/1000+1] {
				on = on || h.MinValues[0] >= sq.x0-0.2 && h.MaxValues[0] <= sq.x0+1.2 && h.MinValues[1] >= sq.y0-0.2 && h.MaxValues[1] <= sq.y0+1.2
			}
			if !on {
				t.Fatalf("row %d: hotspot %v is on neither square", i, h)
			}
		}
	}
}

func BenchmarkHotspots(b *testing.B) {
	code := hsApp(hsXYCols, 1000, "0.2", 17)
	p, err := Compile(code, Config{Inputs: []Input{hsXY()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		b.Fatal(err)
	}
	// The developer guide's stream: 20% of the points in a unit square that moves every 1000 records.
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Row, 1<<14)
	var sq hsBox
	for i := range rows {
		if i%1000 == 0 {
			sq = hsBox{rng.Float64() * 9, rng.Float64() * 9, 1}
		}
		if rng.Float64() < 0.2 {
			rows[i] = hsRow(0, sq.x0+rng.Float64(), sq.y0+rng.Float64(), true)
		} else {
			rows[i] = hsRow(0, rng.Float64()*10, rng.Float64()*10, false)
		}
	}
	in := p.Start(tkDiscard{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := rows[i&(len(rows)-1)]
		in.Push(0, Row{Time: tkBase + int64(i), Cols: r.Cols})
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkHotspotsCoarse is the worst case of the neighbour lists: integer readings of few distinct values, so
// that every point of the window is near hundreds of others.
func BenchmarkHotspotsCoarse(b *testing.B) {
	code := hsApp(hsXYCols, 1000, "1.5", 17)
	p, err := Compile(code, Config{Inputs: []Input{hsXY()}, Outputs: []string{"DESTINATION_SQL_STREAM"}})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Row, 1<<14)
	for i := range rows {
		rows[i] = hsRow(0, float64(rng.IntN(4)), float64(rng.IntN(4)), false)
	}
	in := p.Start(tkDiscard{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := rows[i&(len(rows)-1)]
		in.Push(0, Row{Time: tkBase + int64(i), Cols: r.Cols})
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
