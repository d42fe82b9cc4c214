package sql

import (
	"errors"
	"testing"
)

// FuzzParse checks that the parser never panics, that every error is a *SyntaxError with a position, and that
// whatever parses prints to text that parses back to the same tree. The seed corpus in testdata/fuzz/FuzzParse
// holds the example applications and fragments of them.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SyntaxError", err, err)
			}
			if se.Line < 1 || se.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		checkRoundTrip(t, s)
	})
}
