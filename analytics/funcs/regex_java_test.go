package funcs

import "testing"

// TestJavaRegexForms checks Java-only pattern syntax: each form either means in Go what it means in
// java.util.regex, or is refused at bind time. None may compile to a pattern that matches other strings.
func TestJavaRegexForms(t *testing.T) {
	for _, c := range []struct {
		pattern string
		match   []string
		nomatch []string
		refused bool
	}{
		{pattern: `\Qa*+\E`, match: []string{"a*+"}, nomatch: []string{"a*", "aa"}},
		{pattern: `\Qa.b`, match: []string{"a.b"}, nomatch: []string{"axb"}}, // \Q to the end
		{pattern: `\u0041\u00e9`, match: []string{"Aé"}},
		{pattern: `\0101`, match: []string{"A"}, nomatch: []string{"\b1"}}, // octal \0 then up to 3 digits
		{pattern: `\011`, match: []string{"\t"}},
		{pattern: `\e\x41`, match: []string{"\x1bA"}},
		{pattern: `\cI`, match: []string{"\t"}},
		{pattern: `a\hb`, match: []string{"a b", "a\tb", "a\u00a0b"}, nomatch: []string{"a\nb"}},
		{pattern: `a\Hb`, match: []string{"axb"}, nomatch: []string{"a b"}},
		{pattern: `a\vb`, match: []string{"a\nb", "a\rb", "a\u2028b", "a\vb"}, nomatch: []string{"a b"}},
		{pattern: `a[\v]b`, match: []string{"a\nb"}, nomatch: []string{"a b"}},
		{pattern: `a\Vb`, match: []string{"a b"}, nomatch: []string{"a\nb"}},
		{pattern: `a\Rb`, match: []string{"a\r\nb", "a\nb", "a\rb"}, nomatch: []string{"a b"}},
		{pattern: `\p{IsLatin}+`, match: []string{"abc"}, nomatch: []string{"αβγ"}},
		{pattern: `\p{IsGreek}+`, match: []string{"αβγ"}, nomatch: []string{"abc"}},
		{pattern: `\p{IsLu}`, match: []string{"A"}, nomatch: []string{"a"}},
		{pattern: `\p{javaDigit}+`, match: []string{"123"}, nomatch: []string{"a"}},
		{pattern: `[\p{IsLatin}\d]+`, match: []string{"a1"}, nomatch: []string{"α"}},
		{pattern: `\p{Alpha}+`, match: []string{"abc"}, nomatch: []string{"1"}},
		{pattern: `a++b`, match: []string{"aab"}},
		{pattern: `[a-z&&[^aeiou]]`, refused: true}, // class intersection: Go would read it as a union
		{pattern: `\Z`, refused: true},
	} {
		re, err := compileJava(c.pattern)
		if c.refused {
			if err == nil {
				t.Errorf("%s: compiled to %s, want an error", c.pattern, re)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		for _, s := range c.match {
			if m := findString(t, re, s); m != s {
				t.Errorf("%s (as %s) on %q: matched %q, want all of it", c.pattern, re, s, m)
			}
		}
		for _, s := range c.nomatch {
			if m := findString(t, re, s); m == s {
				t.Errorf("%s (as %s) matches %q", c.pattern, re, s)
			}
		}
	}
}

// findString returns the first match of re in s, or "".
func findString(t *testing.T, re *javaRegex, s string) string {
	t.Helper()
	m, err := re.find(s)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil {
		return ""
	}
	return s[m[0]:m[1]]
}

// The translation leaves ordinary patterns exactly as written.
func TestTranslateJavaPlain(t *testing.T) {
	for _, p := range []string{`^(\S+) (\d+) "([^"]*)"$`, `\d{2,4}-\w+`, `[\[\]]+`, `(?i)abc|x?y*z+`} {
		if got, err := translateJava(p); got != p || err != nil {
			t.Errorf("%s: translated to %s", p, got)
		}
	}
}

// FuzzCompileJava: any pattern either compiles or is refused; none panics, and a compiled one runs.
func FuzzCompileJava(f *testing.F) {
	for _, s := range []string{`\Qa*+\E`, `\u00e9\0101\cA\e`, `[\h\v]\R`, `\p{IsLatin}\P{Alpha}`, `[a&&b]`, `a++(?>b)`, `\`, `\Q`, `\u12`, `\p{`, `[\H]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if re, err := compileJava(p); err == nil {
			if re.re2 != nil {
				re.re2.FindAllStringSubmatchIndex("abc \t\r\n1é\x1b", -1)
			} else {
				re.findAll("abc \t\r\n1é\x1b", -1)
			}
		}
		anchored(p)
	})
}
