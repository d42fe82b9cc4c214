package jsontext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// AppendString writes valid JSON that reads back to the string (invalid UTF-8 as U+FFFD, as
// encoding/json reads it), with no raw control characters and no raw U+2028 or U+2029.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\`, "\n\r\t\x00\x1f\f\b", "é日本", "\u2028\u2029", "bad\xff\xfeutf8", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendString([]byte("x"), s)
		if got[0] != 'x' {
			t.Fatalf("overwrote dst: %q", got)
		}
		text := string(got[1:])
		var back string
		if err := json.Unmarshal(got[1:], &back); err != nil {
			t.Fatalf("%s does not parse: %v", text, err)
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); back != want && utf8.ValidString(s) {
			t.Fatalf("read back %q, want %q", back, want)
		}
		for _, r := range text {
			if r < 0x20 || r == '\u2028' || r == '\u2029' {
				t.Fatalf("%q holds the raw character %U", text, r)
			}
		}
	})
}
