package funcs

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// CompileLike compiles a LIKE pattern (% and _, optional escape character) or a SIMILAR TO pattern (SQL's
// regular expressions: % and _ plus | * + ? {m,n} ( ) [ ]) into a matcher of the whole string. escape is
// "" when the pattern has no ESCAPE clause. The common LIKE shapes ('abc', 'abc%', '%abc', '%abc%') match
// without a regular expression.
func CompileLike(pattern string, escape string, similar bool) (func(s string) bool, error) {
	var esc rune = -1
	if escape != "" {
		r, size := utf8.DecodeRuneInString(escape)
		if size != len(escape) {
			return nil, fmt.Errorf("invalid escape %q: the escape must be one character", escape)
		}
		esc = r
	}
	if !similar || !strings.ContainsAny(pattern, "|*+?{}()[]") {
		// Without SIMILAR TO's regular-expression characters the pattern means what the LIKE one does.
		if m := likeFastPath(pattern, esc); m != nil {
			return m, nil
		}
	}
	src, err := likeRegexp(pattern, esc, similar)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`^(?s:` + src + `)$`)
	if err != nil {
		return nil, fmt.Errorf("invalid pattern %q: %w", pattern, err)
	}
	return re.MatchString, nil
}

// likeRegexp translates a LIKE or SIMILAR TO pattern into an unanchored RE2 expression of the same
// language; esc < 0 means no escape character. SUBSTRING's SIMILAR form builds on it for each of its
// three parts.
func likeRegexp(pattern string, esc rune, similar bool) (string, error) {
	var b strings.Builder
	runes := []rune(pattern)
	inBracket := false // inside a SIMILAR TO [...], where % and _ are characters
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if r == esc {
			if i+1 >= len(runes) {
				return "", fmt.Errorf("invalid pattern %q: it ends with the escape character", pattern)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(runes[i])))
			continue
		}
		switch {
		case r == '%' && !inBracket:
			b.WriteString(`.*`)
			continue
		case r == '_' && !inBracket:
			b.WriteString(`.`)
			continue
		}
		if similar {
			switch r {
			case '[':
				inBracket = true
			case ']':
				inBracket = false
			}
			switch r {
			case '|', '*', '+', '?', '{', '}', '(', ')', '[', ']':
				b.WriteRune(r)
				continue
			case '^':
				// Inside a bracket expression ^ negates; elsewhere it is a literal character.
				if i > 0 && runes[i-1] == '[' {
					b.WriteRune(r)
					continue
				}
			case '-':
				b.WriteRune(r)
				continue
			}
		}
		b.WriteString(regexp.QuoteMeta(string(r)))
	}
	return b.String(), nil
}

// likeFastPath returns a matcher for a LIKE pattern that is a literal with at most a leading and a trailing
// %, or nil.
func likeFastPath(p string, esc rune) func(string) bool {
	if esc >= 0 && strings.ContainsRune(p, esc) {
		return nil
	}
	lead := strings.HasPrefix(p, "%")
	trail := len(p) > 1 && strings.HasSuffix(p, "%")
	mid := strings.TrimSuffix(strings.TrimPrefix(p, "%"), "%")
	if p == "%" {
		return func(string) bool { return true }
	}
	if strings.ContainsAny(mid, "%_") {
		return nil
	}
	switch {
	case lead && trail:
		return func(s string) bool { return strings.Contains(s, mid) }
	case lead:
		return func(s string) bool { return strings.HasSuffix(s, mid) }
	case trail:
		return func(s string) bool { return strings.HasPrefix(s, mid) }
	}
	return func(s string) bool { return s == mid }
}
