package funcs

import (
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Expected values quoted from the KDA SQL reference pages (String and Search Functions) unless marked.
func TestStringFunctions(t *testing.T) {
	runCases(t, []evalCase{
		// SUBSTRING: "SUBSTRING('123456789' FROM 3 FOR 4) 3456", "FROM 17 FOR 4 <empty string>",
		// "FROM -1 FOR 4 12", "FROM 6 FOR 0 <empty string>", "FROM 8 FOR 4 89".
		{name: "SUBSTRING", args: vals(str("123456789"), num(3), num(4)), want: str("3456")},
		{name: "SUBSTRING", args: vals(str("123456789"), num(17), num(4)), want: str("")},
		{name: "SUBSTRING", args: vals(str("123456789"), num(-1), num(4)), want: str("12")},
		{name: "SUBSTRING", args: vals(str("123456789"), num(6), num(0)), want: str("")},
		{name: "SUBSTRING", args: vals(str("123456789"), num(8), num(4)), want: str("89")},
		{name: "SUBSTRING", args: vals(str("123456789"), num(3)), want: str("3456789")},
		{name: "SUBSTRING", args: vals(str("123456789"), num(-5), num(3)), want: str("")},
		{name: "SUBSTRING", args: vals(str("héllo wörld"), num(2), num(4)), want: str("éllo")},
		{name: "SUBSTRING", args: vals(str("abc"), num(1), num(-1)), err: InvalidArgument},
		{name: "SUBSTRING", args: vals(null, num(1), num(2)), want: null},
		{name: "SUBSTRING", args: vals(str("abc"), null), want: null},
		{name: "SUBSTRING", args: vals(str("abc")), err: "bind"},
		{name: "SUBSTRING", args: vals(num(1), num(1)), err: "bind"},
		// SUBSTRING(s FROM regex): the first match ("Only the first match is returned"), NULL without one.
		{name: "SUBSTRING", args: vals(str("TECHNOLOGY"), str("L[A-Z]*")), want: str("LOGY")},
		{name: "SUBSTRING", args: vals(str("TECHNOLOGY"), str("O[A-Z]")), want: str("OL")},
		{name: "SUBSTRING", args: vals(str("TECHNOLOGY"), str("FOO")), want: null},
		{name: "SUBSTRING", args: vals(str("héllo wörld"), str(`w\p{L}+`)), want: str("wörld")},
		{name: "SUBSTRING", args: vals(str("TECHNOLOGY"), str("L[A-Z]*"), num(2)), err: "bind"},
		{name: "SUBSTRING", args: vals(str("TECHNOLOGY"), str("(")), err: "bind"},
		{name: "SUBSTRING", args: vals(null, str("L")), want: null},

		// POSITION: "POSITION('findme' IN '1234findmeXXX') 5", "'findme' IN '1234not-hereXXX' 0",
		// "'1' IN '1234567' 1", "'7' IN '1234567' 7", "'' IN '1234567' 1".
		{name: "POSITION", args: vals(str("findme"), str("1234findmeXXX")), want: num(5)},
		{name: "POSITION", args: vals(str("findme"), str("1234not-hereXXX")), want: num(0)},
		{name: "POSITION", args: vals(str("1"), str("1234567")), want: num(1)},
		{name: "POSITION", args: vals(str("7"), str("1234567")), want: num(7)},
		{name: "POSITION", args: vals(str(""), str("1234567")), want: num(1)},
		{name: "POSITION", args: vals(str("ö"), str("héllo wörld")), want: num(8)},
		{name: "POSITION", args: vals(null, str("x")), want: null},

		// TRIM: "TRIM(' Trim front') Trim front", "TRIM('E' FROM 'EndE') nd",
		// "TRIM(LEADING 'E' FROM 'EndE') ndE", "TRIM(TRAILING 'E' FROM 'EndE') End".
		{name: "TRIM", args: vals(str(" Trim front")), want: str("Trim front")},
		{name: "TRIM", args: vals(str("BOTH"), str(" "), str(" Trim front ")), want: str("Trim front")},
		{name: "TRIM", args: vals(str("BOTH"), str("E"), str("EndE")), want: str("nd")},
		{name: "TRIM", args: vals(str("LEADING"), str("E"), str("EndE")), want: str("ndE")},
		{name: "TRIM", args: vals(str("TRAILING"), str("E"), str("EndE")), want: str("End")},
		{name: "TRIM", args: vals(str("SIDEWAYS"), str("E"), str("EndE")), err: "bind"},
		{name: "TRIM", args: vals(str("BOTH"), str("E"), null), want: null},
		{name: "TRIM", args: vals(str("BOTH"), str("é"), str("ééaé")), want: str("a")},
		// "Only one trim character is allowed; specifying an empty string or a string longer than one
		// character results in an exception."
		{name: "TRIM", args: vals(str("BOTH"), str("xy"), str("xxxNo y to trimxxx")), err: "bind"},
		{name: "TRIM", args: vals(str("BOTH"), str(""), str("xxx")), err: "bind"},

		// OVERLAY: "OVERLAY('12345' PLACING 'foo' FROM 1) foo45", "FROM 0 foo345", "FROM -2 foo12345",
		// "FROM 4 123foo", "FROM 17 12345foo", "FROM 2 FOR 0 1foo2345", "FROM 2 FOR 2 1foo45",
		// "FROM 2 FOR 9 1foo"; "If the string length is less than zero, an exception is raised."
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(1)), want: str("foo45")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(0)), want: str("foo345")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(-2)), want: str("foo12345")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(-1)), want: str("foo2345")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(2), num(-1)), err: InvalidArgument},
		{name: "OVERLAY", args: vals(str("12345"), null, num(0)), want: null},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(4)), want: str("123foo")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(17)), want: str("12345foo")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(2), num(0)), want: str("1foo2345")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(2), num(2)), want: str("1foo45")},
		{name: "OVERLAY", args: vals(str("12345"), str("foo"), num(2), num(9)), want: str("1foo")},

		// UPPER, LOWER, INITCAP, CHAR_LENGTH.
		{name: "UPPER", args: vals(str("Hello World")), want: str("HELLO WORLD")},
		{name: "LOWER", args: vals(str("Hello World")), want: str("hello world")},
		{name: "UPPER", args: vals(null), want: null},
		{name: "INITCAP", args: vals(str("Each FIRST lEtTeR is cAPITALIZED")), want: str("Each First Letter Is Capitalized")},
		// INITCAP: "the first character of each space-delimited word is upper-cased, and all other
		// characters are lower-cased" (not after a hyphen, apostrophe or underscore).
		{name: "INITCAP", args: vals(str("o'neil-smith x2y")), want: str("O'neil-smith X2y")},
		{name: "INITCAP", args: vals(str("hello-world foo_bar")), want: str("Hello-world Foo_bar")},
		{name: "INITCAP", args: vals(str("  two  SPACES 1st")), want: str("  Two  Spaces 1st")},
		{name: "INITCAP", args: vals(str("élan ÉCOLE")), want: str("Élan École")},
		{name: "CHAR_LENGTH", args: vals(str("one")), want: num(3)},
		{name: "CHARACTER_LENGTH", args: vals(str("héllo")), want: num(5)},
		{name: "CHAR_LENGTH", args: vals(str("")), want: num(0)},
		{name: "CHAR_LENGTH", args: vals(num(12)), err: "bind"},
	})
}

func vals(v ...value.Value) []value.Value { return v }

// TestTrimCharacterColumn checks that a trim character from a column that is not one character is an
// error row (the literal is refused at bind).
func TestTrimCharacterColumn(t *testing.T) {
	for _, c := range []string{"", "xy", "éé"} {
		got, err := callVar(t, "TRIM", []int{1}, str("LEADING"), str(c), str("xxa"))
		if e, ok := err.(*Error); !ok || e.Name != InvalidArgument {
			t.Errorf("TRIM(LEADING '%s' FROM 'xxa') = %s, %v; want an %s error", c, show(got), err, InvalidArgument)
		}
	}
	got, err := callVar(t, "TRIM", []int{1}, str("LEADING"), str("x"), str("xxa"))
	if err != nil || !same(got, str("a")) {
		t.Errorf("TRIM(LEADING 'x' FROM 'xxa') = %s, %v; want 'a'", show(got), err)
	}
}

// A regex from a column compiles at run time; a bad one is an error row.
func TestSubstringRegexColumn(t *testing.T) {
	for _, c := range []struct {
		re   string
		want value.Value
		err  string
	}{
		{"L[A-Z]*", str("LOGY"), ""},
		{"[0-9]", null, ""},
		{"[", null, InvalidRegex},
	} {
		got, err := callVar(t, "SUBSTRING", []int{1}, str("TECHNOLOGY"), str(c.re))
		if c.err != "" {
			if e, ok := err.(*Error); !ok || e.Name != c.err {
				t.Errorf("SUBSTRING('TECHNOLOGY' FROM %q): %v, want %s", c.re, err, c.err)
			}
			continue
		}
		if err != nil || !same(got, c.want) {
			t.Errorf("SUBSTRING('TECHNOLOGY' FROM %q) = %s, %v; want %s", c.re, show(got), err, show(c.want))
		}
	}
}
