package funcs

import (
	"strings"
	"testing"
	"time"
)

// TestRegexReplaceBacktracking runs the patterns RE2 cannot (back-references, look-around, atomic groups,
// possessive quantifiers). Each want is what java.lang.String.replaceAll gave on OpenJDK 17.
func TestRegexReplaceBacktracking(t *testing.T) {
	var cases []evalCase
	for _, c := range []struct{ s, re, repl, want string }{
		// The audit's cases (B7): a back-reference and a look-ahead.
		{"aaa bbb", `(\w)\1`, "X", "Xa Xb"},
		{"price: 100USD", `\d+(?=USD)`, "N", "price: NUSD"},
		{"abc", `(?<=a)b`, "X", "aXc"},
		{"aXa bXc", `(a)X\1`, "[$1]", "[a] bXc"},
		{"ééé x", `(é)\1+`, "E", "E x"},           // positions are runes in regexp2, bytes here
		{"abcabc", `(?:(b)|c)\1`, "Y", "abcabc"},  // a reference to a group that did not match fails
		{"abcabc", `(a)(b)(c)\12`, "Q", "abcabc"}, // \12 with three groups is \1 then 2
		{"aa1", `(a)\11`, "Q", "Q"},
		{"aa", `(a)\2`, "Q", "aa"}, // Java accepts a reference to a group that does not exist
		{"abab", `(?<p>ab)\k<p>`, "Z", "Z"},
		{"x=1 y=22", `(?<k>\w)=(?<v>\d)(?!\d)`, "${v}=${k}", "1=x y=22"}, // names keep Java's numbering
		{"baaac", `a*(?!b)`, "X", "bXXcX"},                               // empty matches as Java finds them
		{"baaac", `(?=a)|c`, "X", "bXaXaXaX"},
		{"aaa", `a*+a`, "X", "aaa"}, // possessive: a*+ keeps every a, so the last a never matches
		{"aaa", `a++`, "X", "X"},
		{"xaaay", `(?<=x)a{2}+`, "B", "xBay"},
		{"aab", `(?>a+)b`, "X", "X"},
		// Java's \d, \s, \w and POSIX classes are ASCII, .NET's Unicode.
		{"1\u0661a", `\d(?!x)`, "D", "D\u0661a"},
		{"a b\u00a0c", `\s(?=\w)`, "_", "a_b\u00a0c"},
		{"a_b-c", `\W(?=c)`, "+", "a_b+c"},
		{"ab12", `[\D](?=\d)`, "#", "a#12"},
		{"AbC", `\p{Upper}(?!\p{Lower})`, "u", "Abu"},
	} {
		cases = append(cases, evalCase{name: "REGEX_REPLACE", args: vals(str(c.s), str(c.re), str(c.repl), num(1), num(0)), want: str(c.want)})
	}
	cases = append(cases,
		evalCase{name: "REGEX_REPLACE", args: vals(str("aaa bbb"), str(`(\w)\1`), str("X"), num(1), num(2)), want: str("aaa Xb")},
		evalCase{name: "REGEX_REPLACE", args: vals(str("abab"), str(`\k<q>(?<q>a)`), str("X"), num(1), num(0)), err: "bind"},
		evalCase{name: "SUBSTRING", args: vals(str("price: 100USD"), str(`\d+(?=USD)`)), want: str("100")},
	)
	runCases(t, cases)
}

// Only the patterns that need backtracking leave RE2.
func TestBacktrackingOnlyWhenNeeded(t *testing.T) {
	for p, bt := range map[string]bool{
		`\d+`: false, `(?<k>\w)=(\d)`: false, `\Qa(?=b)\E`: false, `[(?=]`: false, `\(?=x`: false,
		`(\w)\1`: true, `\d+(?=USD)`: true, `(?<!a)b`: true, `(?>a)`: true, `a*+`: true, `(?<n>a)\k<n>`: true,
	} {
		re, err := compileJava(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if got := re.bt != nil; got != bt {
			t.Errorf("%s: backtracking = %v, want %v", p, got, bt)
		}
	}
}

// REGEX_LOG_PARSE matches the whole line, back-references included.
func TestRegexLogParseBackReference(t *testing.T) {
	runCases(t, []evalCase{
		{name: "REGEX_LOG_PARSE", args: vals(str("ab cd ab"), str(`(\w+) (\w+) \1`)), want: row(str("ab"), str("cd"))},
		{name: "REGEX_LOG_PARSE", args: vals(str("ab cd ef"), str(`(\w+) (\w+) \1`)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("ab cd abx"), str(`(\w+) (\w+) \1`)), want: null}, // the whole line
		{name: "REGEX_LOG_PARSE", args: vals(str("ab\n"), str(`(ab)(?=\n)`)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("GET /a 200"), str(`(?<m>[A-Z]+) (\S+) (\d+)(?<!500)`)), want: row(str("GET"), str("/a"), str("200"))},
	})
}

// A catastrophic pattern gives an error row after the timeout, not a hang.
func TestBacktrackingTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the backtracking timeout")
	}
	start := time.Now()
	_, err := call(t, "REGEX_REPLACE", str(strings.Repeat("a", 64)+"!"), str(`(a|aa)+\1b`), str("x"), num(1), num(0))
	e, ok := err.(*Error)
	if !ok || e.Name != RegexTimeout || !strings.Contains(e.Message, `(a|aa)+`) {
		t.Fatalf("error %v, want %s naming the pattern", err, RegexTimeout)
	}
	// Without the limit this search would run for years; the margin is wide so that a loaded CI machine
	// (the packages' tests run in parallel on two cores) does not fail it.
	if d := time.Since(start); d > backtrackTimeout+20*time.Second {
		t.Errorf("took %v", d)
	}
	_, err = call(t, "REGEX_LOG_PARSE", str(strings.Repeat("a", 64)+"!"), str(`((a|aa)+)\2b`))
	if e, ok := err.(*Error); !ok || e.Name != RegexTimeout {
		t.Fatalf("REGEX_LOG_PARSE: error %v, want %s", err, RegexTimeout)
	}
}
