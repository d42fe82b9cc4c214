package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// rowSink keeps the rows a program emits.
type rowSink struct{ rows []Row }

func (s *rowSink) Emit(_ int, r Row) {
	s.rows = append(s.rows, Row{Time: r.Time, Cols: append([]value.Value(nil), r.Cols...)})
}
func (s *rowSink) Error(ErrorRow) {}

// The sliding aggregates that are not plain sums (MIN and MAX in their deques, the variance family in its
// two stacks, EXP_AVG from its running sums, FIRST_VALUE and LAST_VALUE read from the rows) against a brute-force
// computation over each row's window, on random prices with ties and NULLs, for a RANGE and a ROWS
// window; and the same output from a program restored from a snapshot at every tenth row.
func TestSlidingAggregatesAgainstBruteForce(t *testing.T) {
	const query = `SELECT STREAM ticker_symbol,
  MIN(p) OVER r, MAX(p) OVER r, FIRST_VALUE(p) OVER r, LAST_VALUE(p) OVER r,
  FIRST_VALUE(p) IGNORE NULLS OVER r, LAST_VALUE(p) IGNORE NULLS OVER r, STDDEV_SAMP(p) OVER r, VAR_POP(p) OVER r,
  COUNT(p) OVER r, MIN(p) OVER w, MAX(p) OVER w, STDDEV_POP(p) OVER w, EXP_AVG(p, INTERVAL '1.5' SECOND) OVER r
FROM (SELECT STREAM ticker_symbol, CASE WHEN change < 0 THEN NULL ELSE price END AS p FROM "SOURCE_SQL_STREAM_001")
WINDOW r AS (PARTITION BY ticker_symbol RANGE INTERVAL '5' SECOND PRECEDING),
       w AS (PARTITION BY ticker_symbol ROWS 3 PRECEDING)`
	p, err := CompileQuery(query, Config{Inputs: []Input{tickerInput()}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type in struct {
		t     int64
		key   string
		price value.Value
	}
	var ins []in
	var rows []Row
	ms := int64(0)
	for range 3000 {
		ms += int64(rng.IntN(400))
		key := []string{"A", "B", "C"}[rng.IntN(3)]
		price := float64(rng.IntN(20)) // ties are common
		if rng.IntN(4) == 0 {
			price = 1000 - float64(ms)/100 // falling: the MAX leaves from the front
		}
		change := 1.0
		if rng.IntN(6) == 0 {
			change = -1 // the price is NULL
		}
		r := tick(float64(ms)/1000, key, "TECH", change, price)
		rows = append(rows, r)
		pv := value.NewDouble(price)
		if change < 0 {
			pv = value.Value{}
		}
		ins = append(ins, in{r.Time, key, pv})
	}

	whole := &rowSink{}
	inst := p.Start(whole)
	for _, r := range rows {
		inst.Push(0, r)
	}
	if len(whole.rows) != len(rows) {
		t.Fatalf("%d rows out of %d", len(whole.rows), len(rows))
	}
	near := func(got value.Value, want float64, null bool) bool {
		if null || got.K == value.Null {
			return null && got.K == value.Null
		}
		g := got.Float()
		return math.Abs(g-want) <= 1e-9*math.Max(1, math.Abs(want))
	}
	for i, out := range whole.rows {
		var rng5, rows3 []float64 // non-NULL prices in each window
		var expSum, expW float64  // EXP_AVG by its definition: weight 2^-floor(age / 1.5 s)
		var first, last value.Value
		firstSet := false
		cnt := 0
		for k := 0; k <= i; k++ {
			x := ins[k]
			if x.key != ins[i].key {
				continue
			}
			if x.t >= ins[i].t-5000 {
				if !firstSet {
					first, firstSet = x.price, true
				}
				last = x.price
				if x.price.K != value.Null {
					rng5 = append(rng5, x.price.Float())
					w := math.Pow(2, -math.Floor(float64(ins[i].t-x.t)/1500))
					expSum += w * x.price.Float()
					expW += w
				}
			}
		}
		for k := i; k >= 0 && cnt < 4; k-- {
			if ins[k].key == ins[i].key {
				cnt++
				if ins[k].price.K != value.Null {
					rows3 = append(rows3, ins[k].price.Float())
				}
			}
		}
		minOf := func(xs []float64) (float64, bool) {
			if len(xs) == 0 {
				return 0, true
			}
			m := xs[0]
			for _, x := range xs {
				m = math.Min(m, x)
			}
			return m, false
		}
		maxOf := func(xs []float64) (float64, bool) {
			if len(xs) == 0 {
				return 0, true
			}
			m := xs[0]
			for _, x := range xs {
				m = math.Max(m, x)
			}
			return m, false
		}
		variance := func(xs []float64, sample bool) (float64, bool) {
			d := float64(len(xs))
			if sample {
				d--
			}
			if d <= 0 {
				return 0, true
			}
			mean := 0.0
			for _, x := range xs {
				mean += x
			}
			mean /= float64(len(xs))
			ss := 0.0
			for _, x := range xs {
				ss += (x - mean) * (x - mean)
			}
			return ss / d, false
		}
		c := out.Cols
		check := func(col int, what string, want float64, null bool) {
			if !near(c[col], want, null) {
				t.Fatalf("row %d (%s at %d): %s = %v, want %v (null %v)", i, ins[i].key, ins[i].t, what, c[col], want, null)
			}
		}
		m, null := minOf(rng5)
		check(1, "MIN over RANGE", m, null)
		m, null = maxOf(rng5)
		check(2, "MAX over RANGE", m, null)
		check(3, "FIRST_VALUE", first.Float(), first.K == value.Null)
		check(4, "LAST_VALUE", last.Float(), last.K == value.Null)
		if len(rng5) > 0 {
			check(5, "FIRST_VALUE IGNORE NULLS", rng5[0], false)
			check(6, "LAST_VALUE IGNORE NULLS", rng5[len(rng5)-1], false)
		} else {
			check(5, "FIRST_VALUE IGNORE NULLS", 0, true)
			check(6, "LAST_VALUE IGNORE NULLS", 0, true)
		}
		v, null := variance(rng5, true)
		check(7, "STDDEV_SAMP", math.Sqrt(v), null)
		v, null = variance(rng5, false)
		check(8, "VAR_POP", v, null)
		check(9, "COUNT", float64(len(rng5)), false)
		m, null = minOf(rows3)
		check(10, "MIN over ROWS", m, null)
		m, null = maxOf(rows3)
		check(11, "MAX over ROWS", m, null)
		v, null = variance(rows3, false)
		check(12, "STDDEV_POP over ROWS", math.Sqrt(v), null)
		check(13, "EXP_AVG", expSum/expW, expW == 0)
	}

	// Restored from a snapshot anywhere, the program goes on with the same state.
	render := func(rs []Row) string {
		var b strings.Builder
		for _, r := range rs {
			b.WriteString(value.NewTimestamp(r.Time).String())
			for _, v := range r.Cols {
				b.WriteString(" " + v.String())
			}
			b.WriteByte('\n')
		}
		return b.String()
	}
	want := render(whole.rows)
	for at := 0; at < len(rows); at += 300 {
		s := &rowSink{}
		inst := p.Start(s)
		for i, r := range rows {
			if i == at {
				snap, err := inst.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if inst, err = p.Restore(snap, s); err != nil {
					t.Fatal(err)
				}
			}
			inst.Push(0, r)
		}
		if got := render(s.rows); got != want {
			t.Fatalf("restored before row %d: output differs", at)
		}
	}
}

// ANY (or SOME) and EVERY, the Boolean aggregates: the reference's example shape, in a tumbling GROUP BY
// and over a sliding window; NULLs count for nothing, and a group of NULLs only is NULL.
func TestAnyEvery(t *testing.T) {
	rows := []Row{tick(0, "AAPL", "TECH", 1, 0.5), tick(1, "AAPL", "TECH", 1, 2), tick(2, "MSFT", "TECH", -1, 3),
		tick(61, "AAPL", "TECH", 1, 5), tick(62, "AAPL", "TECH", 1, 0.25)}
	got, errs := queryRows(t, `SELECT STREAM ticker_symbol, ANY(price < 1), EVERY(price < 1), SOME(CASE WHEN change < 0 THEN NULL ELSE price > 1 END)
FROM "SOURCE_SQL_STREAM_001" GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE)`, rows, 200)
	want := []string{
		"0 2017-07-14 02:41:00.000 AAPL,true,false,true",
		"0 2017-07-14 02:41:00.000 MSFT,false,false,NULL",
		"0 2017-07-14 02:42:00.000 AAPL,true,false,true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(errs) != 0 {
		t.Errorf("GROUP BY: got\n%s\nwant\n%s\nerrors %v", strings.Join(got, "\n"), strings.Join(want, "\n"), errs)
	}
	got, _ = queryRows(t, `SELECT STREAM ANY(price < 1) OVER w, EVERY(price < 10) OVER w
FROM "SOURCE_SQL_STREAM_001" WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '30' SECOND PRECEDING)`, rows, 200)
	want = []string{
		"0 2017-07-14 02:40:00.000 true,true",
		"0 2017-07-14 02:40:01.000 true,true",
		"0 2017-07-14 02:40:02.000 false,true",
		"0 2017-07-14 02:41:01.000 false,true", // the rows of a minute before have left
		"0 2017-07-14 02:41:02.000 true,true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("OVER: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := CompileQuery(`SELECT STREAM EVERY(price) FROM "SOURCE_SQL_STREAM_001" GROUP BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE)`,
		Config{Inputs: []Input{tickerInput()}}); err == nil || !strings.Contains(err.Error(), "EVERY needs a BOOLEAN") {
		t.Errorf("EVERY(price): %v", err)
	}
}

// SUM and AVG of DECIMALs are decimals of the argument's scale, so comparing them with a literal holds:
// 0.10 + 0.20 is 0.30, not the float 0.30000000000000004.
func TestDecimalSumCompares(t *testing.T) {
	got, _ := queryRows(t, `SELECT STREAM SUM(CAST(price AS DECIMAL(10,2))) OVER w = 0.3, AVG(CAST(price AS DECIMAL(10,2))) OVER w = 0.15
FROM "SOURCE_SQL_STREAM_001" WINDOW w AS (PARTITION BY ticker_symbol ROWS 1 PRECEDING)`,
		[]Row{tick(0, "AAPL", "TECH", 1, 0.1), tick(1, "AAPL", "TECH", 1, 0.2)}, 10)
	if len(got) != 2 || got[1] != "0 2017-07-14 02:40:01.000 true,true" {
		t.Errorf("got %q", got)
	}
}

// Adding months clamps the day to the new month's end, as Java's Calendar does (KDA's runtime), and DECIMAL
// arithmetic gives the exact decimal of its scale, so comparing it with a literal holds.
func TestMonthEndAndDecimalArithmetic(t *testing.T) {
	got, errs := queryRows(t, `SELECT STREAM TIMESTAMP '2017-01-31 02:40:00' + INTERVAL '1' MONTH,
  TIMESTAMP '2016-03-31 00:00:00' - INTERVAL '1' MONTH, DATE '2017-01-29' + INTERVAL '13' MONTH,
  TIMESTAMP '2017-05-31 10:00:00' + INTERVAL '1-1' YEAR TO MONTH,
  0.1 + 0.2 = 0.3, CAST(0.1 AS DECIMAL(5,1)) * 3 = 0.3, 1.10 - 0.20 = 0.9
FROM "SOURCE_SQL_STREAM_001"`, []Row{tick(0, "AAPL", "TECH", 1, 1)}, 10)
	want := "0 2017-07-14 02:40:00.000 2017-02-28 02:40:00.000,2016-02-29 00:00:00.000,2018-02-28,2018-06-30 10:00:00.000,true,true,true"
	if len(got) != 1 || got[0] != want || len(errs) != 0 {
		t.Errorf("got %q (errors %v), want %q", got, errs, want)
	}
}
