package sql

import (
	"errors"
	"strings"
	"testing"
)

// TestUnicodeStringLiterals checks U&'...' literals: the Expressions page's examples (u&'foo',
// u&'can”t', u&'\0009' a tab, u&'back\\slash', UESCAPE '!'), SQL:2008's \+XXXXXX, and that a
// UESCAPE clause belongs to the literal.
func TestUnicodeStringLiterals(t *testing.T) {
	for _, c := range []struct{ src, want, next string }{
		{`u&'foo'`, "foo", ""},
		{`u&'can''t'`, "can't", ""},
		{`U&'\0009'`, "\t", ""},
		{`u&'back\\slash'`, `back\slash`, ""},
		{`u&'!0009' uescape '!'`, "\t", ""},
		{`u&'!0009!!' UESCAPE '!'`, "\t!", ""}, // !! is the escape character itself, as \\ is
		{`U&'\0009' UESCAPE '!'`, `\0009`, ""}, // with ! the escape character, \ is text
		{`U&'\00e9t\00E9'`, "été", ""},
		{`U&'\+01F600!'`, "😀!", ""},
		{`U&'a\005C'`, `a\`, ""},
		{`U&'x' /* c */ UEScape -- c` + "\n'#'", "x", ""},
		{`U&'\0009', 'b'`, "\t", ","},
		{`U&'x' UESCAPED`, "x", "UESCAPED"},
		{`U&'x' || 'y'`, "x", "||"},
	} {
		toks, err := Tokenize(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if toks[0].Kind != TokString || toks[0].Text != c.want {
			t.Errorf("%s: token %v %q, want the string %q", c.src, toks[0].Kind, toks[0].Text, c.want)
		}
		if next := toks[1].Text; next != c.next {
			t.Errorf("%s: next token %q, want %q", c.src, next, c.next)
		}
	}
	// The identifier U and the text after it are no literal.
	if toks, err := Tokenize(`U ,u&x`); err == nil || toks != nil {
		t.Errorf("U ,u&x: tokens %v, want the error for &", toks)
	}
}

func TestUnicodeStringErrors(t *testing.T) {
	for _, c := range []struct{ src, pos string }{
		{`U&'\00g9'`, "1:1"},    // not 4 hex digits
		{`U&'\12'`, "1:1"},      // too short
		{`U&'\+12345'`, "1:1"},  // + needs 6
		{`U&'\D800'`, "1:1"},    // a surrogate is not a character
		{`U&'\+110000'`, "1:1"}, // past the last code point
		{`U&'x`, "1:3"},         // unterminated
		{`U&'!0009' UESCAPE 'ab'`, "1:19"},
		{`U&'!0009' UESCAPE ''`, "1:19"},
		{`U&'a0009' UESCAPE 'a'`, "1:19"}, // a hex digit
		{`U&'+0009' UESCAPE '+'`, "1:19"},
		{`U&'x' UESCAPE ' '`, "1:15"},
		{`U&'x' UESCAPE x`, "1:15"},
		{`U&'x' UESCAPE`, "1:14"},
	} {
		_, err := Tokenize(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a syntax error", c.src, err)
			continue
		}
		if pos := (Pos{Line: se.Line, Col: se.Col}).String(); pos != c.pos {
			t.Errorf("%s: error at %s (%v), want %s", c.src, pos, err, c.pos)
		}
	}
}

// The VARIABLE_COLUMN_LOG_PARSE page recommends U&'\0009' as the delimiter of tab-separated input: the
// audit's application parses, its literal is a tab, and it prints back to text that parses the same.
func TestUnicodeStringInApplication(t *testing.T) {
	src := `SELECT STREAM VARIABLE_COLUMN_LOG_PARSE("line", 'COL_1 TYPE VARCHAR(64)', U&'\0009') AS r FROM "S"`
	s, err := Parse("CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"D\" " + src + ";")
	if err != nil {
		t.Fatal(err)
	}
	out := checkRoundTrip(t, s)
	if want := "'\t'"; !strings.Contains(out, want) {
		t.Errorf("printed %q, want the tab literal %q in it", out, want)
	}
}
