package sqlcli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const examplesDir = "../../analytics/sql/testdata/examples"

// exampleErrors are the examples `sql check` rejects today, with what it says: deferred table functions,
// bare queries (aws_doc_20 shows its queries without a pump), and cursors over an input whose columns are unknown without a schema. An example not listed
// must check clean. Update this table when the engine gains a feature.
var exampleErrors = map[string][]string{
	"aws_doc_11_top_k_items_tumbling.sql": {
		`27:13: the cursor of TOP_K_ITEMS_TUMBLING has no column "TICKER" (it has )`},
	"aws_doc_20_stream_to_stream_join.sql": {
		"13:1: a query on its own does not run in an application",
		"21:1: a query on its own does not run in an application",
		"31:1: a query on its own does not run in an application"},
	"sqlref_05_count_distinct_items_tumbling.sql": {
		`17:13: the cursor of COUNT_DISTINCT_ITEMS_TUMBLING has no column "TICKER_SYMBOL" (it has )`},
}

// deferredExamples use features still being written (RANDOM_CUT_FOREST, HOTSPOTS, a streaming ORDER
// BY): their first error is asserted, and the rest only to have the line:col form.
var deferredExamples = map[string]bool{}

var lineCol = regexp.MustCompile(`^[0-9]+:[0-9]+: .`)

func TestCheckExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.sql"))
	if err != nil || len(files) < 30 {
		t.Fatalf("examples: %d files, %v", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".sql"), func(t *testing.T) {
			code, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			errs, err := Check(string(code), CheckConfig{})
			if err != nil {
				t.Fatal(err)
			}
			want := exampleErrors[name]
			for _, e := range errs {
				if !lineCol.MatchString(e.Error()) {
					t.Errorf("error %q lacks line:col", e.Error())
				}
			}
			if deferredExamples[name] {
				return // features being written: only the line:col form is asserted
			}
			if len(errs) != len(want) {
				t.Fatalf("got %d errors %v, want %d %q", len(errs), errs, len(want), want)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), want[i]) {
					t.Errorf("error %d: got %q, want it to start %q", i, e.Error(), want[i])
				}
			}
		})
	}
}

// writeFile writes a file in a test's temporary directory and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const tickerSchema = `{"RecordFormat": {"RecordFormatType": "JSON",
  "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
 "RecordEncoding": "UTF-8",
 "RecordColumns": [
  {"Name": "TICKER_SYMBOL", "SqlType": "VARCHAR(4)", "Mapping": "$.TICKER_SYMBOL"},
  {"Name": "SECTOR", "SqlType": "VARCHAR(16)", "Mapping": "$.SECTOR"},
  {"Name": "CHANGE", "SqlType": "REAL", "Mapping": "$.CHANGE"},
  {"Name": "PRICE", "SqlType": "REAL", "Mapping": "$.PRICE"}]}`

const companySchema = `{"RecordFormat": {"RecordFormatType": "CSV",
  "MappingParameters": {"CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
 "RecordColumns": [{"Name": "Ticker", "SqlType": "VARCHAR(4)"}, {"Name": "Company", "SqlType": "VARCHAR(20)"}]}`

const goodApp = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 10;
`

// TestCheckMain runs `hydrant sql check` as a user would: files with mistakes give exit status 1 and
// each error at its line and column, prefixed by the file name.
func TestCheckMain(t *testing.T) {
	dir := t.TempDir()
	schema := writeFile(t, dir, "schema.json", tickerSchema)
	company := writeFile(t, dir, "company.json", companySchema)
	ref := writeFile(t, dir, "ref.sql", mustRead(t, filepath.Join(examplesDir, "aws_doc_15_reference_data_join.sql")))
	good := writeFile(t, dir, "good.sql", goodApp)
	syntax := writeFile(t, dir, "syntax.sql", `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE;
`)
	column := writeFile(t, dir, "column.sql", `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ticker FROM "SOURCE_SQL_STREAM_001";
`)
	twoErrs := writeFile(t, dir, "two.sql", `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ticker FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP "Q" AS INSERT INTO "NOWHERE"
  SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001";
`)
	tests := []struct {
		name   string
		args   []string
		status int
		out    []string // lines of stdout, each a prefix
	}{
		{"ok", []string{good}, 0, []string{good + ": ok"}},
		{"ok quiet", []string{"-q", good}, 0, nil},
		{"ok with schema", []string{"--schema", schema, good}, 0, []string{good + ": ok"}},
		{"syntax error", []string{syntax}, 1, []string{syntax + ":3:65: "}},
		{"unknown column with schema", []string{"--schema", schema, column}, 1, []string{column + ":3:17: "}},
		{"unknown column open", []string{column}, 0, []string{column + ": ok"}},
		{"two errors", []string{"--schema", schema, twoErrs}, 1, []string{twoErrs + ":3:17: ", twoErrs + ":4:"}},
		{"several files", []string{good, syntax}, 1, []string{good + ": ok", syntax + ":3:65: "}},
		{"reference table", []string{"--schema", schema, "--reference-schema", "CompanyName=" + company, ref}, 0,
			[]string{ref + ": ok"}},
		{"named input", []string{"--input", "OTHER", good}, 1, []string{good + ":3:"}},
		{"missing file", []string{filepath.Join(dir, "nope.sql")}, 1, nil},
		{"no files", nil, 2, nil},
		{"bad reference flag", []string{"--reference-schema", "x", good}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := Main(t.Context(), append([]string{"check"}, tt.args...), &stdout, &stderr)
			if status != tt.status {
				t.Fatalf("status %d, want %d\nstdout:\n%s\nstderr:\n%s", status, tt.status, &stdout, &stderr)
			}
			lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
			if stdout.Len() == 0 {
				lines = nil
			}
			if len(lines) != len(tt.out) {
				t.Fatalf("stdout:\n%s\nwant %d lines starting %q", &stdout, len(tt.out), tt.out)
			}
			for i, l := range lines {
				if !strings.HasPrefix(l, tt.out[i]) {
					t.Errorf("line %d %q, want it to start %q", i, l, tt.out[i])
				}
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
