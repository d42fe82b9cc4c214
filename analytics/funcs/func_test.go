package funcs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// The functions the brief and the KDA reference list: each must be registered.
var wantFunctions = []string{
	"POSITION", "SUBSTRING", "OVERLAY", "TRIM", "EXTRACT", "FLOOR_TO", "CEIL_TO", "STEP",
	"UPPER", "LOWER", "INITCAP", "CHAR_LENGTH", "CHARACTER_LENGTH", "REGEX_REPLACE",
	"REGEX_LOG_PARSE", "FAST_REGEX_LOG_PARSER", "W3C_LOG_PARSE", "VARIABLE_COLUMN_LOG_PARSE",
	"FIXED_COLUMN_LOG_PARSE", "SYS_LOG_PARSE",
	"ABS", "CEIL", "CEILING", "FLOOR", "EXP", "LN", "LOG10", "MOD", "POWER", "SQRT",
	"CHAR_TO_TIMESTAMP", "CHAR_TO_DATE", "CHAR_TO_TIME", "TIMESTAMP_TO_CHAR", "DATE_TO_CHAR", "TIME_TO_CHAR",
	"TSDIFF", "UNIX_TIMESTAMP", "TO_TIMESTAMP", "COALESCE", "NULLIF",
}

func TestRegistered(t *testing.T) {
	for _, name := range wantFunctions {
		f, ok := Lookup(name)
		if !ok {
			t.Errorf("%s is not registered", name)
			continue
		}
		if f.Name != name {
			t.Errorf("Lookup(%q).Name = %q", name, f.Name)
		}
	}
	if _, ok := Lookup("upper"); ok {
		t.Errorf("Lookup takes upper-case names only")
	}
	if _, ok := Lookup("NO_SUCH_FUNCTION"); ok {
		t.Errorf("Lookup found an unknown function")
	}
}

// The engine's and the table functions are not this package's: the planner must not find them here.
func TestNotRegistered(t *testing.T) {
	for _, name := range []string{"COUNT", "SUM", "LAG", "MONOTONIC", "CURRENT_ROW_TIMESTAMP", "CURRENT_TIMESTAMP",
		"RANDOM_CUT_FOREST", "TOP_K_ITEMS_TUMBLING", "ROUND", "SIGN", "CONCAT", "LTRIM"} {
		if _, ok := Lookup(name); ok {
			t.Errorf("%s is registered but belongs to the engine", name)
		}
	}
}

// Every scalar function the shared example applications call is registered (the corpus is read when it
// is present).
func TestExampleApplicationsFunctions(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/sql/examples/*.sql")
	if len(files) == 0 {
		t.Skip("example corpus not present")
	}
	engine := map[string]bool{"COUNT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true, "TABLE": true,
		"CURSOR": true, "VARCHAR": true, "TIMESTAMP": true, "DECIMAL": true, "CHAR": true, "INTEGER": true,
		"WITH": true, "FROM": true, "OVER": true, "AS": true, "JOIN": true, "WHERE": true, "AND": true, "STAGGER": true,
		"RANDOM_CUT_FOREST": true, "RANDOM_CUT_FOREST_WITH_EXPLANATION": true, "HOTSPOTS": true,
		"TOP_K_ITEMS_TUMBLING": true, "COUNT_DISTINCT_ITEMS_TUMBLING": true, "L": true, "DESTINATION_SQL_STREAM": true,
		"IN_APPLICATION_STREAM_001": true, "TRIGGER_COUNT_STREAM": true, "OUTPUT_STREAM": true, "ROW_NUMBER": true,
		"LAG": true, "VALUES": true, "IN": true, "ON": true, "BY": true, "EXISTS": true, "ROWS": true}
	call := regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\s*\(`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var code strings.Builder
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				code.WriteString(line + "\n")
			}
		}
		for _, m := range call.FindAllStringSubmatch(code.String(), -1) {
			name := strings.ToUpper(m[1])
			if engine[name] {
				continue
			}
			if _, ok := Lookup(name); !ok {
				t.Errorf("%s: %s is not registered", filepath.Base(f), name)
			}
		}
	}
}

// Every function binds or refuses any number of NULL-typed arguments, and a bound call on NULLs neither
// panics nor errors.
func TestAllFunctionsNullArguments(t *testing.T) {
	for _, name := range Names() {
		f, _ := Lookup(name)
		for n := 0; n <= 6; n++ {
			args := make([]Arg, n)
			vs := make([]value.Value, n)
			for i := range args {
				args[i].Type = value.NullType
				args[i].Const = &vs[i]
			}
			impl, _, err := f.Bind(args)
			if err != nil {
				continue
			}
			if _, err := impl(vs); err != nil {
				t.Errorf("%s with %d NULLs: %v", name, n, err)
			}
		}
	}
}

func TestNullFunctions(t *testing.T) {
	runCases(t, []evalCase{
		{name: "COALESCE", args: vals(null, num(2), num(3)), want: num(2)},
		{name: "COALESCE", args: vals(null, null), want: null},
		{name: "COALESCE", args: vals(str("a")), want: str("a")},
		{name: "COALESCE", args: vals(str("a"), num(1)), err: "bind"},
		{name: "COALESCE", args: vals(null, num(1), dbl(2)), want: dbl(1)},
		{name: "NULLIF", args: vals(num(2), num(2)), want: null},
		{name: "NULLIF", args: vals(num(2), dbl(2)), want: null},
		{name: "NULLIF", args: vals(num(2), num(3)), want: num(2)},
		{name: "NULLIF", args: vals(null, num(3)), want: null},
		{name: "NULLIF", args: vals(str("a"), null), want: str("a")},
	})
	_, typ, err := bind(t, "COALESCE", vals(null, num(1), dbl(2)), nil)
	if err != nil || typ.Base != value.TDouble {
		t.Errorf("COALESCE(NULL, BIGINT, DOUBLE) type = %s, %v; want DOUBLE", typ, err)
	}
}

// aws_doc_24: SUBSTRING("referrer", 12, (POSITION('.com' IN "referrer") - POSITION('www.' IN "referrer") - 4))
// on "http://www.amazon.com" gives "amazon".
func TestExampleSubstringPosition(t *testing.T) {
	referrer := str("http://www.amazon.com")
	com, err := callVar(t, "POSITION", []int{1}, str(".com"), referrer)
	if err != nil {
		t.Fatal(err)
	}
	www, err := callVar(t, "POSITION", []int{1}, str("www."), referrer)
	if err != nil {
		t.Fatal(err)
	}
	if com.I != 18 || www.I != 8 {
		t.Fatalf("POSITION = %d, %d; want 18, 8", com.I, www.I)
	}
	got, err := callVar(t, "SUBSTRING", []int{0, 2}, referrer, num(12), num(com.I-www.I-4))
	if err != nil || got.S != "amazon" {
		t.Errorf("SUBSTRING = %s, %v; want amazon", show(got), err)
	}
}

func TestErrorText(t *testing.T) {
	_, err := call(t, "MOD", num(1), num(0))
	if err == nil || err.Error() != "Division_by_zero: MOD(1, 0)" {
		t.Errorf("error = %v", err)
	}
	_, err = call(t, "SUBSTRING", str("a"))
	if err == nil || err.Error() != "SUBSTRING takes 2 or 3 arguments" {
		t.Errorf("bind error = %v", err)
	}
}
