package funcs

import (
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

func TestRegexReplace(t *testing.T) {
	runCases(t, []evalCase{
		// aws_doc_25: REGEX_REPLACE("REFERRER", 'http://', 'https://', 1, 0) on "http://www.amazon.com".
		{name: "REGEX_REPLACE", args: vals(str("http://www.amazon.com"), str("http://"), str("https://"), num(1), num(0)),
			want: str("https://www.amazon.com")},
		// The reference's example: REGEX_REPLACE(SECTOR, 'TECHNOLOGY', 'INFORMATION TECHNOLOGY', 1, 0).
		{name: "REGEX_REPLACE", args: vals(str("TECHNOLOGY"), str("TECHNOLOGY"), str("INFORMATION TECHNOLOGY"), num(1), num(0)),
			want: str("INFORMATION TECHNOLOGY")},
		{name: "REGEX_REPLACE", args: vals(str("HEALTHCARE"), str("TECHNOLOGY"), str("INFORMATION TECHNOLOGY"), num(1), num(0)),
			want: str("HEALTHCARE")},
		{name: "REGEX_REPLACE", args: vals(str("a1b22c333"), str(`\d+`), str("#"), num(1), num(0)), want: str("a#b#c#")},
		{name: "REGEX_REPLACE", args: vals(str("a1b22c333"), str(`\d+`), str("#"), num(1), num(2)), want: str("a1b#c333")},
		{name: "REGEX_REPLACE", args: vals(str("a1b22c333"), str(`\d+`), str("#"), num(1), num(4)), want: str("a1b22c333")},
		{name: "REGEX_REPLACE", args: vals(str("a1b22c333"), str(`\d+`), str("#"), num(4), num(0)), want: str("a1b#c#")},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`b`), str("x"), num(10), num(0)), want: str("abc")},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`^.`), str("x"), num(2), num(0)), want: str("axc")},
		// Java replacement syntax: $n, ${name}, \$ for a dollar.
		{name: "REGEX_REPLACE", args: vals(str("John Smith"), str(`(\w+) (\w+)`), str("$2, $1"), num(1), num(0)), want: str("Smith, John")},
		{name: "REGEX_REPLACE", args: vals(str("x=1"), str(`(?<k>\w)=(?<v>\d)`), str("${v}=${k}"), num(1), num(0)), want: str("1=x")},
		{name: "REGEX_REPLACE", args: vals(str("5"), str(`(\d)`), str(`\$$1`), num(1), num(0)), want: str("$5")},
		{name: "REGEX_REPLACE", args: vals(str("ab"), str(`(a)`), str(`$10`), num(1), num(0)), want: str("a0b")},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`x*`), str("-"), num(1), num(0)), want: str("-a-b-c-")},
		{name: "REGEX_REPLACE", args: vals(str("Abc1"), str(`\p{Upper}\p{Lower}+`), str("W"), num(1), num(0)), want: str("W1")},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`b`), str("x"), num(0), num(0)), err: InvalidArgument},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`b`), str("x"), num(1), num(-1)), err: InvalidArgument},
		{name: "REGEX_REPLACE", args: vals(null, str(`b`), str("x"), num(1), num(0)), want: null},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`(`), str("x"), num(1), num(0)), err: "bind"},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`a(?=b)`), str("x"), num(1), num(0)), want: str("xbc")},
		{name: "REGEX_REPLACE", args: vals(str("abc"), str(`(b)`), str("$2"), num(1), num(0)), err: "bind"},
	})
}

// A regex taken from a column compiles at run time, and a bad one is an error row, not a bind error.
func TestRegexReplaceColumnPattern(t *testing.T) {
	impl, _, err := bind(t, "REGEX_REPLACE", vals(str(""), str(""), str(""), num(1), num(0)), func(i int) bool { return i > 2 })
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ s, re, repl, want, err string }{
		{"aaa", "a", "b", "bbb", ""},
		{"aaa", "a", "c", "ccc", ""},
		{"aaa", "(", "c", "", InvalidRegex},
		{"xyz", "y", "_", "x_z", ""},
	} {
		got, err := impl(vals(str(c.s), str(c.re), str(c.repl), num(1), num(0)))
		if c.err != "" {
			if e, ok := err.(*Error); !ok || e.Name != c.err {
				t.Errorf("REGEX_REPLACE(%q, %q): %v, want %s", c.s, c.re, err, c.err)
			}
			continue
		}
		if err != nil || got.S != c.want {
			t.Errorf("REGEX_REPLACE(%q, %q, %q) = %q, %v; want %q", c.s, c.re, c.repl, got.S, err, c.want)
		}
	}
}

// Bound functions are shared by the instances of a program, which may run in several goroutines: a
// column pattern's cache must be safe (run under -race).
func TestRegexReplaceConcurrent(t *testing.T) {
	impl, _, err := bind(t, "REGEX_REPLACE", vals(str(""), str(""), str(""), num(1), num(0)), func(i int) bool { return i > 2 })
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func(g int) {
			var err error
			for i := 0; i < 200 && err == nil; i++ {
				pat := []string{"a", "b", "c"}[(g+i)%3]
				var got value.Value
				got, err = impl(vals(str("abc"), str(pat), str("_"), num(1), num(0)))
				if err == nil && got.S != strings.Replace("abc", pat, "_", 1) {
					t.Errorf("REGEX_REPLACE('abc', %q, '_') = %q", pat, got.S)
				}
			}
			done <- err
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// REGEX_REPLACE with occurrence 0 is java.lang.String.replaceAll, whose Matcher keeps an empty match
// right after a match (Go's regexp drops it). The wants are what the JDK prints for
// s.replaceAll(regex, replacement).
func TestRegexReplaceEmptyMatches(t *testing.T) {
	for _, c := range []struct{ s, re, repl, want string }{
		{"baaac", "a*", "X", "XbXXcX"},
		{"aaa", "a*+", "X", "XX"},
		{"aaa", "a*", "X", "XX"},
		{"abc", "x*", "-", "-a-b-c-"},
		{"a1b22c333", `\d*`, "#", "#a##b##c##"},
		{"hello world", `\b`, "|", "|hello| |world|"},
		{"hello world", "o?", "0", "0h0e0l0l00 0w00r0l0d0"},
		{"abab", "(ab)*", "[$1]", "[ab][]"},
		{"a\nb\n", "(?m)$", "E", "aE\nbE\nE"},
		{"héé", "é*", "X", "XhXX"},
		{"aXbX", "X|", "_", "_a__b__"},
		{"", "a*", "X", "X"},
		{"ab", "a|b*", "X", "XXX"},
		{"foo  bar", " *", "_", "_f_o_o__b_a_r_"},
		{"xaay", "a*?", "-", "-x-a-a-y-"},
		{"aa", "a{0,1}", "X", "XXX"},
	} {
		got, err := call(t, "REGEX_REPLACE", str(c.s), str(c.re), str(c.repl), num(1), num(0))
		if err != nil || got.S != c.want {
			t.Errorf("REGEX_REPLACE(%q, %q, %q, 1, 0) = %q, %v; want %q", c.s, c.re, c.repl, got.S, err, c.want)
		}
	}
	// The occurrences count Java's matches: in 'baaac', a* matches '' at 0, 'aaa', '' at 4 and '' at 5.
	for occ, want := range []string{"XbXXcX", "Xbaaac", "bXc", "baaaXc", "baaacX", "baaac"} {
		got, err := call(t, "REGEX_REPLACE", str("baaac"), str("a*"), str("X"), num(1), num(int64(occ)))
		if err != nil || got.S != want {
			t.Errorf("REGEX_REPLACE('baaac', 'a*', 'X', 1, %d) = %q, %v; want %q", occ, got.S, err, want)
		}
	}
}
