package funcs

import "testing"

// FAST_REGEX_LOG_PARSER page (sql-reference-fast-regex-log-parser).
func TestFastRegexLogParserPageExamples(t *testing.T) {
	const mary, mary4 = "Mary_had_a_little_lamb", "Mary____had_a_little_lamb"
	runCases(t, []evalCase{
		// First FRLP Example: the page shows COLUMN2 "a_little_lamb", which leaves nothing for the
		// pattern's "_.*" outside the group, though "literals specified in the pattern but not inside a
		// group must be found in the input string". The lazy group stops at the next "_": "a_little",
		// as REGEX_LOG_PARSE's greedy one does too. COLUMN1 is the page's.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str(mary), str(`(.*)_(._.*)_.*`)), want: row(str("Mary_had"), str("a_little"))},
		// Example A: "No rows selected": without backtracking "_+" cannot give back the "_" of "had_a".
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str(mary), str(`(.*)_+(._.*)`)), want: null},
		// Example B.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str(mary4), str(`(.*)_+(.*)`)), want: row(str("Mary"), str("had_a_little_lamb"))},
		// Example C: <Alpha> is a named pattern, one letter.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str(mary4), str(`(.*)_+(<Alpha>.*)`)), want: row(str("Mary"), str("had_a_little_lamb"))},
		// The same patterns under REGEX_LOG_PARSE, which backtracks and is greedy (Example A "would work
		// under REGEX_LOG_PARSE because that function would use backtracking").
		{name: "REGEX_LOG_PARSE", args: vals(str(mary), str(`(.*)_+(._.*)`)), want: row(str("Mary_had"), str("a_little_lamb"))},
		{name: "REGEX_LOG_PARSE", args: vals(str(mary4), str(`(.*)_+(.*)`)), want: row(str("Mary____had_a_little"), str("lamb"))},
		// Every character must be accounted for: "If the Fast Regex pattern had omitted the final
		// asterisk, no results would be obtained."
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str(mary), str(`(.*)_(._.*)_.`)), want: null},
		// FAST_REGEX_LOG_PARSE is the name the page's syntax line and examples use.
		{name: "FAST_REGEX_LOG_PARSE", args: vals(str(mary4), str(`(.*)_+(<Alpha>.*)`)), want: row(str("Mary"), str("had_a_little_lamb"))},
	})
}

// How Hydrant decomposes what the page's examples do not show.
func TestFastRegexLogParserDecomposition(t *testing.T) {
	runCases(t, []evalCase{
		// No backtracking into an expression that has matched: group 2 stops at the first " <digit>",
		// and "13" is left over. REGEX_LOG_PARSE backtracks and matches.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("h a b 12 13"), str(`(\S+) (.*) (\d+)`)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("h a b 12 13"), str(`(\S+) (.*) (\d+)`)), want: row(str("h"), str("a b 12"), str("13"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str(`10.0.0.1 [25/Mar/2018:15:25:37] "GET / HTTP/1.1" 200`), str(`(\S+) \[([^\]]*)\] "(.*)" (\d+)`)),
			want: row(str("10.0.0.1"), str("25/Mar/2018:15:25:37"), str("GET / HTTP/1.1"), str("200"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str(apacheLine), str(`(\S+) (\S+) (\S+) \[([^\]]+)\] "([^"]*)" (\d+) (\d+) "([^"]*)" "([^"]*)"`)),
			want: row(str("203.0.113.24"), str("-"), str("-"), str("25/Mar/2018:15:25:37 -0700"), str("GET /index.php HTTP/1.1"),
				str("200"), str("125"), str("-"), str("Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"))},
		// Alternatives inside a group stay together.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("xPOST /a"), str(`x(GET|POST) (.*)`)), want: row(str("POST"), str("/a"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("a=bc"), str(`(\w)=(b|bc)`)), want: row(str("a"), str("bc"))},
		// Anchors and look-around have no width, a fixed length: they move to the expression before, so a
		// lazy group still runs to them.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("abc"), str(`^(.*)$`)), want: row(str("abc"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("ab cd"), str(`(.*)\b(.*)`)), want: row(str(""), str("ab cd"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("ab1"), str(`(.*)(?=\d)(.)`)), want: row(str("ab"), str("1"))},
		// A group inside a group is a precedence: the columns are the outer groups.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("abd"), str(`((a)(b|c))d`)), want: row(str("ab"))},
		// Flags at the start hold for the whole pattern.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("aaB"), str(`(?i)(A+)b`)), want: row(str("aa"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("12-34"), str(`(\d+)-(\d+)`), str("A INTEGER, B INTEGER")), want: row(num(12), num(34))},
		// A back-reference counts groups, which the decomposition adds: such a pattern, and an alternation
		// outside the groups, is matched as REGEX_LOG_PARSE matches it.
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("ab-ab"), str(`(a.)-(\1)`)), want: row(str("ab"), str("ab"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("b"), str(`(a)|(b)`)), want: row(null, str("b"))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("abc"), str(`abc`)), err: "bind"},
	})
}

// FuzzFastPattern: the decomposition of any pattern Java accepts never panics, and binds. (What it writes
// is not always what the backtracking engine reads as written, [[0]) for one; the binding then matches
// as REGEX_LOG_PARSE does.)
func FuzzFastPattern(f *testing.F) {
	for _, p := range []string{`(.*)_(._.*)_.*`, `(.*)_+(<Alpha>.*)`, `(?i)(a(?:b|c)*)d`, `((a)b)`, `([]a])\Q(x)\E(\p{L}+)`, `(?<n>a)(?=b)b`, `()\Q`, `(00)(0(?)0)0`, `(?i)(a)(?-i:b)`, "(a)\\1000\xff"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		re, err := anchored(p)
		if err != nil {
			return
		}
		fastPattern(p)
		if _, _, err := bind(t, "FAST_REGEX_LOG_PARSER", vals(str("x"), str(p)), nil); err != nil && re.NumSubexp() > 0 {
			t.Fatalf("%q: %v", p, err)
		}
	})
}

// BenchmarkFastRegexLogParser: the decomposed pattern runs on the backtracking engine (its expressions are
// atomic groups); REGEX_LOG_PARSE's same pattern on RE2 is BenchmarkRegexLogParse.
func BenchmarkFastRegexLogParser(b *testing.B) {
	b.SetBytes(int64(len(apacheLine)))
	benchCall(b, "FAST_REGEX_LOG_PARSER", []int{0}, str(apacheLine), str(`(\S+) (\S+) (\S+) \[([^\]]+)\] "([^"]*)" (\d+) (\d+) "([^"]*)" "([^"]*)"`))
}
