package funcs

import "testing"

func TestCompileLike(t *testing.T) {
	cases := []struct {
		pattern, escape string
		similar         bool
		in              string
		want            bool
	}{
		// aws_doc_28: ticker_symbol SIMILAR TO '%AMZN%'.
		{"%AMZN%", "", true, "AMZN", true},
		{"%AMZN%", "", true, "XAMZNX", true},
		{"%AMZN%", "", true, "TGT", false},
		{"%TGT%", "", true, "TGT", true},
		{"abc", "", false, "abc", true},
		{"abc", "", false, "abcd", false},
		{"ab%", "", false, "abcd", true},
		{"%cd", "", false, "abcd", true},
		{"%bc%", "", false, "abcd", true},
		{"a_c", "", false, "abc", true},
		{"a_c", "", false, "ac", false},
		{"a%c%e", "", false, "abcde", true},
		{"%", "", false, "", true},
		{"a.c", "", false, "abc", false},
		{"a.c", "", false, "a.c", true},
		{"100!%", "!", false, "100%", true},
		{"100!%", "!", false, "1000", false},
		{"a!_c", "!", false, "a_c", true},
		{"a!_c", "!", false, "abc", false},
		{"line%", "", false, "line1\nline2", true},
		{"(AM|TG)%", "", true, "TGT", true},
		{"(AM|TG)%", "", true, "MSFT", false},
		{"[A-C]+", "", true, "ABCA", true},
		{"[A-C]+", "", true, "ABD", false},
		{"a+b?", "", true, "aaa", true},
		{"a.b", "", true, "a.b", true},
		{"a.b", "", true, "axb", false},
		{"ab{2}", "", true, "abb", true},
		// Inside a SIMILAR TO bracket expression % and _ are characters, not wildcards.
		{"[%_]x", "", true, "%x", true},
		{"[%_]x", "", true, "_x", true},
		{"[%_]x", "", true, "ax", false},
		{"[%_]x", "", true, ".x", false},
		{"[^%]+", "", true, "ab", true},
		{"[^%]+", "", true, "a%", false},
	}
	for _, c := range cases {
		m, err := CompileLike(c.pattern, c.escape, c.similar)
		if err != nil {
			t.Errorf("CompileLike(%q, %q, %v): %v", c.pattern, c.escape, c.similar, err)
			continue
		}
		if got := m(c.in); got != c.want {
			t.Errorf("%q matched against %q (similar %v) = %v, want %v", c.in, c.pattern, c.similar, got, c.want)
		}
	}
	for _, bad := range []struct {
		pattern, escape string
		similar         bool
	}{{"abc!", "!", false}, {"a", "!!", false}, {"(a", "", true}} {
		if _, err := CompileLike(bad.pattern, bad.escape, bad.similar); err == nil {
			t.Errorf("CompileLike(%q, %q, %v) accepted a bad pattern", bad.pattern, bad.escape, bad.similar)
		}
	}
}
