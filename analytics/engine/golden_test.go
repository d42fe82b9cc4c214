package engine

// Golden tests over the KDA example applications (analytics/sql/testdata/examples): each example runs on a
// fixed input, given in testdata/golden/<example>.input, and what every output stream and error_stream
// receive is compared with testdata/golden/<example>.golden. The golden files were checked by hand against
// the SQL and KDA's documented semantics: they are the specification, so regenerate them with
//
//	go test ./analytics/engine/ -run 'TestGolden$' -update
//
// only to take in a change you have checked, and read the diff.
//
// An .input file is line-based; '#' starts a comment line. Directives, in any order before "records":
//
//	sql <file>                     the example, in analytics/sql/testdata/examples (default: <example>.sql)
//	base <YYYY-MM-DD hh:mm:ss>     ROWTIME of offset 0 (default 2018-06-13 14:11:00)
//	input <name> JSON <RecordRowPath>
//	input <name> CSV <RecordRowDelimiter> <RecordColumnDelimiter>   (delimiters Go-quoted: "\n" ",")
//	table <name> JSON|CSV ...      a reference table, formatted as an input is
//	column <Name> <SqlType> [<Mapping>]   a RecordColumn of the last input or table (SqlType without spaces)
//	row <payload>                  a record of the last table
//	output <stream>                an output of the application (Config.Outputs)
//	queries                        the file holds bare SELECT STREAM queries: each runs on its own (CompileQuery)
//	end <offset>                   the final Advance, in ms after base: every window closes by then
//	records                        the records follow, one a line: <offset ms> [@<input>] <payload>
//
// Records map to rows through analytics/format, as KDA users configure the mapping; a record that does not
// map becomes an error_stream row, as analytics/runtime reports it.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGolden")

const examplesDir = "../sql/testdata/examples"

// goldenDefaultBase is offset 0 unless an input says otherwise: near the event times of the published
// sample records, so that event-time examples read naturally.
var goldenDefaultBase = time.Date(2018, 6, 13, 14, 11, 0, 0, time.UTC).UnixMilli()

// engineBugs are examples whose golden file holds the right answer, written by hand, while the engine gives
// another: the case is skipped with the bug until the engine is fixed, and -update leaves its file alone.
var engineBugs = map[string]string{}

// replayBugs are examples whose output changes when the instance is restored from a snapshot: TestGoldenReplay
// skips them with the bug until the engine is fixed.
var replayBugs = map[string]string{}

// deferred are examples out of scope (RANDOM_CUT_FOREST, HOTSPOTS).
var deferred = map[string]string{}

type goldenTable struct {
	name   string
	format format.RecordFormat
	cols   []format.Column
	rows   []string
}

type goldenRecord struct {
	at      int64 // ms after base
	input   int
	payload string
}

type goldenSpec struct {
	name    string
	sqlFile string
	base    int64
	inputs  []*goldenTable // rows unused
	tables  []*goldenTable
	outputs []string
	queries bool
	end     int64
	records []goldenRecord
}

func parseGoldenSpec(name, text string) (*goldenSpec, error) {
	s := &goldenSpec{name: name, sqlFile: name + ".sql", base: goldenDefaultBase, end: -1}
	var cur *goldenTable
	inRecords := false
	for i, line := range strings.Split(text, "\n") {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s.input:%d: %s", name, i+1, fmt.Sprintf(format, args...))
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if inRecords {
			at, rest, ok := strings.Cut(line, " ")
			n, err := strconv.ParseInt(at, 10, 64)
			if !ok || err != nil {
				return nil, fail("a record is <offset ms> [@input] <payload>")
			}
			r := goldenRecord{at: n, payload: rest}
			if strings.HasPrefix(rest, "@") {
				in, payload, _ := strings.Cut(rest[1:], " ")
				r.input, r.payload = -1, payload
				for k, x := range s.inputs {
					if x.name == in {
						r.input = k
					}
				}
				if r.input < 0 {
					return nil, fail("no input %s", in)
				}
			}
			if len(s.records) > 0 && n < s.records[len(s.records)-1].at {
				return nil, fail("records go in non-decreasing offset")
			}
			s.records = append(s.records, r)
			continue
		}
		f := strings.Fields(line)
		switch f[0] {
		case "sql":
			s.sqlFile = f[1]
		case "base":
			t, err := time.Parse(time.DateTime, strings.TrimSpace(strings.TrimPrefix(line, "base")))
			if err != nil {
				return nil, fail("%v", err)
			}
			s.base = t.UnixMilli()
		case "input", "table":
			if len(f) < 3 {
				return nil, fail("%s <name> JSON|CSV ...", f[0])
			}
			cur = &goldenTable{name: f[1], format: format.RecordFormat{Type: f[2]}}
			switch {
			case f[2] == "JSON" && len(f) == 4:
				cur.format.RecordRowPath = f[3]
			case f[2] == "CSV" && len(f) == 5:
				var err1, err2 error
				cur.format.RowDelimiter, err1 = strconv.Unquote(f[3])
				cur.format.ColumnDelimiter, err2 = strconv.Unquote(f[4])
				if err := errors.Join(err1, err2); err != nil {
					return nil, fail("delimiters: %v", err)
				}
			default:
				return nil, fail("%s <name> JSON <path> | CSV <row delimiter> <column delimiter>", f[0])
			}
			if f[0] == "input" {
				s.inputs = append(s.inputs, cur)
			} else {
				s.tables = append(s.tables, cur)
			}
		case "column":
			if cur == nil || len(f) < 3 || len(f) > 4 {
				return nil, fail("column <Name> <SqlType> [<Mapping>] after an input or table")
			}
			c := format.Column{Name: f[1], SQLType: f[2]}
			if len(f) == 4 {
				c.Mapping = f[3]
			}
			cur.cols = append(cur.cols, c)
		case "row":
			if cur == nil || len(s.tables) == 0 || cur != s.tables[len(s.tables)-1] {
				return nil, fail("row after a table")
			}
			cur.rows = append(cur.rows, strings.TrimPrefix(line, "row "))
		case "output":
			s.outputs = append(s.outputs, f[1])
		case "queries":
			s.queries = true
		case "end":
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return nil, fail("%v", err)
			}
			s.end = n
		case "records":
			inRecords = true
		default:
			return nil, fail("unknown directive %q", f[0])
		}
	}
	if len(s.inputs) == 0 || s.end < 0 || (len(s.outputs) == 0 && !s.queries) {
		return nil, fmt.Errorf("%s.input: needs an input, an output and an end", name)
	}
	if n := len(s.records); n > 0 && s.records[n-1].at > s.end {
		return nil, fmt.Errorf("%s.input: end is before the last record", name)
	}
	return s, nil
}

// goldenRun is a spec made ready to run: its programs compiled, its records mapped to rows.
type goldenRun struct {
	spec     *goldenSpec
	programs []*Program
	titles   []string // one per program: the output sections it writes
	outputs  [][]string
	steps    []goldenStep // what to feed, in order
	refused  []string     // queries mode: the queries that do not compile, with why
}

// missingFeature says whether a compile error is a feature another engineer is still writing: such a case
// is skipped, and runs for real as soon as the feature lands.
func missingFeature(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "not supported yet") || strings.Contains(msg, "unknown table function")
}

// goldenStep is one mapped record: the rows it yields and its mapping errors.
type goldenStep struct {
	input  int
	time   int64
	rows   [][]value.Value
	errors []ErrorRow
}

// prepare maps the records and compiles the example. A compile error is returned as is, for the caller to
// tell a missing feature from a bug.
func (s *goldenSpec) prepare() (*goldenRun, error) {
	run := &goldenRun{spec: s}
	cfg := Config{}
	var mappers []*format.Mapper
	for _, in := range s.inputs {
		m, err := format.NewMapper(in.format, in.cols)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", in.name, err)
		}
		mappers = append(mappers, m)
		cfg.Inputs = append(cfg.Inputs, Input{Name: in.name, Columns: m.Columns()})
	}
	for _, tb := range s.tables {
		m, err := format.NewMapper(tb.format, tb.cols)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", tb.name, err)
		}
		t := Table{Name: tb.name, Columns: m.Columns()}
		for _, r := range tb.rows {
			var merr error
			m.Map([]byte(r), func(row []value.Value) { t.Rows = append(t.Rows, append([]value.Value(nil), row...)) },
				func(e *format.MapError) { merr = e })
			if merr != nil {
				return nil, fmt.Errorf("table %s row %q: %w", tb.name, r, merr)
			}
		}
		cfg.Tables = append(cfg.Tables, t)
	}
	for _, r := range s.records {
		st := goldenStep{input: r.input, time: s.base + r.at}
		mappers[r.input].Map([]byte(r.payload), func(row []value.Value) {
			st.rows = append(st.rows, append([]value.Value(nil), row...))
		}, func(e *format.MapError) {
			st.errors = append(st.errors, ErrorRow{Time: st.time, Level: "Error", Name: e.Name, Message: e.Message,
				DataRowtime: st.time, DataRow: []byte(r.payload)})
		})
		run.steps = append(run.steps, st)
	}
	code, err := os.ReadFile(filepath.Join(examplesDir, s.sqlFile))
	if err != nil {
		return nil, err
	}
	if !s.queries {
		cfg.Outputs = s.outputs
		p, err := Compile(string(code), cfg)
		if err != nil {
			return nil, err
		}
		run.programs = append(run.programs, p)
		run.outputs = append(run.outputs, s.outputs)
		return run, nil
	}
	script, err := sql.Parse(string(code))
	if err != nil {
		return nil, err
	}
	for i, st := range script.Stmts {
		q, ok := st.(*sql.QueryStmt)
		if !ok {
			continue
		}
		title := fmt.Sprintf("query %d", i+1)
		p, err := CompileQuery(sql.Format(q.Query), cfg)
		if err != nil {
			if missingFeature(err) {
				return nil, fmt.Errorf("%s: %w", title, err)
			}
			// A published query that is wrong SQL: its planning error is part of the specification.
			run.refused = append(run.refused, fmt.Sprintf("== %s: refused: %v", title, err))
			continue
		}
		run.programs = append(run.programs, p)
		run.outputs = append(run.outputs, []string{title})
	}
	return run, nil
}

// goldenSink writes what an instance emits as text, one section per output: rows keep the order they were
// emitted in, which is part of the specification.
type goldenSink struct {
	rows   [][]string // per output
	errors []string
}

func (g *goldenSink) Emit(output int, r Row) {
	parts := []string{value.NewTimestamp(r.Time).String()}
	for _, v := range r.Cols {
		parts = append(parts, goldenValue(v))
	}
	g.rows[output] = append(g.rows[output], strings.Join(parts, " | "))
}

func (g *goldenSink) Error(e ErrorRow) {
	pump := e.Pump
	if pump == "" {
		pump = "-"
	}
	g.errors = append(g.errors, fmt.Sprintf("%s | %s | %s | %q | %s | %q | %s", value.NewTimestamp(e.Time), e.Level,
		e.Name, e.Message, value.NewTimestamp(e.DataRowtime), e.DataRow, pump))
}

// goldenValue writes a value so that NULL, the empty string and types can be told apart: strings are quoted
// as SQL quotes them.
func goldenValue(v value.Value) string {
	switch v.K {
	case value.Null:
		return "NULL"
	case value.String:
		return "'" + strings.ReplaceAll(v.S, "'", "''") + "'"
	case value.Row:
		parts := make([]string, len(v.R))
		for i, f := range v.R {
			parts[i] = goldenValue(f)
		}
		return "ROW(" + strings.Join(parts, ", ") + ")"
	}
	return v.String()
}

// feed runs steps [from, to) of program k through in, whose sink is sink.
func (run *goldenRun) feed(in *Instance, sink *goldenSink, from, to int) {
	for _, st := range run.steps[from:to] {
		if st.time > in.Watermark() {
			in.Advance(st.time)
		}
		for _, e := range st.errors {
			sink.Error(e)
		}
		for _, r := range st.rows {
			in.Push(st.input, Row{Time: st.time, Cols: append([]value.Value(nil), r...)})
		}
	}
}

// execute runs program k over every record, taking a Snapshot after record snapAt (-1: never) and going on
// in an instance restored from it.
func (run *goldenRun) execute(k, snapAt int) (*goldenSink, error) {
	p := run.programs[k]
	sink := &goldenSink{rows: make([][]string, len(run.outputs[k]))}
	in := p.Start(sink)
	if snapAt >= 0 {
		run.feed(in, sink, 0, snapAt)
		snap, err := in.Snapshot()
		if err != nil {
			return nil, fmt.Errorf("snapshot after record %d: %w", snapAt, err)
		}
		if in, err = p.Restore(snap, sink); err != nil {
			return nil, fmt.Errorf("restore after record %d: %w", snapAt, err)
		}
		run.feed(in, sink, snapAt, len(run.steps))
	} else {
		run.feed(in, sink, 0, len(run.steps))
	}
	in.Advance(run.spec.base + run.spec.end)
	return sink, nil
}

// text is the golden file's content for one execution of every program.
func (run *goldenRun) text(sinks []*goldenSink) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: generated by TestGolden -update from testdata/golden/%s.input, checked by hand.\n",
		run.spec.name, run.spec.name)
	for _, r := range run.refused {
		fmt.Fprintf(&b, "\n%s\n", r)
	}
	var errs []string
	for k, p := range run.programs {
		cols := p.OutputColumns()
		for o, name := range run.outputs[k] {
			if name == ErrorStream {
				continue
			}
			parts := []string{"ROWTIME"}
			for _, c := range cols[o] {
				parts = append(parts, c.Name+" "+c.Type.String())
			}
			fmt.Fprintf(&b, "\n== %s: %s\n", name, strings.Join(parts, " | "))
			for _, r := range sinks[k].rows[o] {
				b.WriteString(r + "\n")
			}
		}
		errs = append(errs, sinks[k].errors...)
	}
	b.WriteString("\n== error_stream: ERROR_TIME | ERROR_LEVEL | ERROR_NAME | MESSAGE | DATA_ROWTIME | DATA_ROW | PUMP_NAME\n")
	for _, e := range errs {
		b.WriteString(e + "\n")
	}
	return b.String()
}

func (run *goldenRun) runAll(snapAt int) (string, error) {
	var sinks []*goldenSink
	for k := range run.programs {
		s, err := run.execute(k, snapAt)
		if err != nil {
			return "", err
		}
		sinks = append(sinks, s)
	}
	return run.text(sinks), nil
}

// goldenCases lists the examples that have an input spec.
func goldenCases(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/golden/*.input")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".input"))
	}
	return names
}

// loadGolden parses and prepares one case, skipping it when its feature is deferred or not written yet.
func loadGolden(t *testing.T, name string) *goldenRun {
	t.Helper()
	if why, ok := deferred[name]; ok {
		t.Skip(why)
	}
	text, err := os.ReadFile(filepath.Join("testdata/golden", name+".input"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseGoldenSpec(name, string(text))
	if err != nil {
		t.Fatal(err)
	}
	run, err := spec.prepare()
	if err != nil {
		if missingFeature(err) {
			t.Skipf("feature not implemented yet: %v", err)
		}
		t.Fatalf("prepare: %v", err)
	}
	return run
}

func TestGolden(t *testing.T) {
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			run := loadGolden(t, name)
			if bug, ok := engineBugs[name]; ok {
				t.Skip("engine bug: " + bug)
			}
			got, err := run.runAll(-1)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata/golden", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it, then check it by hand)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// TestGoldenReplay checks that the output of every golden case depends on its input only: a fresh instance
// fed the same records gives the same text, and so does one restored from a Snapshot taken between any two
// records (and before the first, and after the last).
func TestGoldenReplay(t *testing.T) {
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			run := loadGolden(t, name)
			if bug, ok := replayBugs[name]; ok {
				t.Skip("engine bug: " + bug)
			}
			want, err := run.runAll(-1)
			if err != nil {
				t.Fatal(err)
			}
			again, err := run.runAll(-1)
			if err != nil {
				t.Fatal(err)
			}
			if again != want {
				t.Fatalf("a second fresh run differs:\n%s", lineDiff(want, again))
			}
			// Every record boundary of a short input; for a long one (the RANDOM_CUT_FOREST examples need 257
			// rows to warm up) the first and last few and about 60 spread between, since each run is a whole
			// replay and all of them would cost the square of the input.
			n := len(run.steps)
			stride := max(1, n/60)
			for k := 0; k <= n; k++ {
				if k > 3 && k < n-3 && k%stride != 0 {
					continue
				}
				got, err := run.runAll(k)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("restored from a snapshot after record %d, the output differs:\n%s", k, lineDiff(want, got))
				}
			}
		})
	}
}

// lineDiff shows the lines of want and got that differ, marked - and +.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b bytes.Buffer
	for i := 0; i < max(len(w), len(g)); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, x, y)
		}
	}
	return b.String()
}
