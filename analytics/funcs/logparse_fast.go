package funcs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/analytics/value"
)

// FAST_REGEX_LOG_PARSER differs from REGEX_LOG_PARSE in how it matches, not in what it returns. Its page:
// "The FAST_REGEX_LOG_PARSE works by first decomposing the regular expression into a series of regular
// expressions, one for each expression inside a group and one for each expression outside a group. Any
// fixed length portions at the start of any expressions are moved to the end of the previous expression.
// If any expression is entirely fixed length, it is merged with the previous expression. The series of
// expressions is then evaluated using lazy semantics with no backtracking."
//
// Hydrant does that decomposition and runs the series as one backtracking pattern in which every
// expression but the last is an atomic group (?>...): once an expression has matched, what it took is
// never given back ("FRLP doesn't backtrack"). A group's quantifiers are made lazy, so that
// '(.*)_(._.*)_.*' stops group 1 at the first place the fixed "_._" follows. A quantifier outside the
// groups stays greedy: Example B, '(.*)_+(.*)' on 'Mary____had_a_little_lamb', gives COLUMN2
// "had_a_little_lamb" because "after finding the multiple underscores required by the "_+"
// specification, the group-2 specification (.*) accepts all remaining characters". Empty capturing
// groups mark where each column starts and ends, since a column can span two expressions (its fixed
// start moves to the end of the expression before it).
//
// The named patterns of the page (<Alpha>, <Digit>, ...) are read; other syntax is Java's, as for
// REGEX_LOG_PARSE. A pattern the decomposition does not cover (an alternation outside the groups, a
// repeated group, a back-reference, which would count the column marks, or flags set after the start,
// which end with the expression they fall in) is matched as REGEX_LOG_PARSE matches it.

// fastNamedPatterns are the page's "POSIX standard identifiers as named patterns", as Java classes.
// <Print> and <Graph> are both "<Alnum>|<Punct>" there, which is Java's \p{Graph}.
var fastNamedPatterns = map[string]string{
	"Digit":  `[0-9]`,
	"Upper":  `[A-Z]`,
	"Lower":  `[a-z]`,
	"ASCII":  `[\x00-\x7F]`,
	"Alpha":  `[a-zA-Z]`,
	"Alnum":  `[a-zA-Z0-9]`,
	"Punct":  `\p{Punct}`,
	"Blank":  `[ \t]`,
	"Space":  `[ \t\n\f\r\x0B]`,
	"Cntrl":  `[\x00-\x1F\x7F]`,
	"XDigit": `[0-9a-fA-F]`,
	"Print":  `\p{Graph}`,
	"Graph":  `\p{Graph}`,
}

// fastAtom is one element of a pattern with its quantifier.
type fastAtom struct {
	text  string     // the Java text, without the quantifier; for a parenthesis, its opening
	quant string     // as written, with any ? or + after it; "" for none
	fixed bool       // matches a fixed number of characters when unquantified
	group bool       // a capturing group
	inner []fastAtom // a parenthesis's contents
	paren bool       // a parenthesis: text opens it, inner is inside
	flags bool       // a flag setting such as (?i)
	alt   bool       // a | (no quantifier)
	ref   bool       // a back-reference
}

// parseFast splits p into atoms up to a ')' at its level (or the end) and returns what it did not read.
func parseFast(p string) ([]fastAtom, string, error) {
	var atoms []fastAtom
	for p != "" {
		c := p[0]
		var a fastAtom
		switch {
		case c == ')':
			return atoms, p, nil
		case c == '|':
			atoms = append(atoms, fastAtom{text: "|", alt: true})
			p = p[1:]
			continue
		case c == '(':
			open, rest := "(?:", p[1:]
			switch {
			case !strings.HasPrefix(rest, "?"):
				a.group = true
			case strings.HasPrefix(rest, "?<") && !strings.HasPrefix(rest, "?<=") && !strings.HasPrefix(rest, "?<!"):
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					return nil, "", fmt.Errorf("unterminated group name")
				}
				a.group, rest = true, rest[end+1:]
			default:
				// (?:...), look-around, atomic, or flags: kept as written, not a column.
				end := strings.IndexAny(rest, ":=!>)")
				if end < 0 {
					return nil, "", fmt.Errorf("missing closing )")
				}
				if rest[end] == ')' { // a flag setting such as (?i): no contents
					a.text, a.flags, p = "("+rest[:end+1], true, rest[end+1:]
					a.quant, p = quantifier(p)
					atoms = append(atoms, a)
					continue
				}
				open, rest = "("+rest[:end+1], rest[end+1:]
				// Look-around is zero-width: a fixed length of none.
				a.fixed = open == "(?=" || open == "(?!" || open == "(?<=" || open == "(?<!"
			}
			inner, after, err := parseFast(rest)
			if err != nil {
				return nil, "", err
			}
			if after == "" {
				return nil, "", fmt.Errorf("missing closing )")
			}
			a.text, a.inner, a.paren, p = open, inner, true, after[1:]
		case c == '[':
			n, err := classLen(p)
			if err != nil {
				return nil, "", err
			}
			a.text, a.fixed, p = p[:n], true, p[n:]
		case c == '\\':
			n, fixed, ref := escapeLen(p)
			a.text, a.fixed, a.ref, p = p[:n], fixed, ref, p[n:]
			if strings.HasPrefix(a.text, `\Q`) && !strings.HasSuffix(a.text, `\E`) {
				a.text += `\E` // \Q quotes to the end of the pattern, which is no longer the end here
			}
		case c == '<':
			if end := strings.IndexByte(p, '>'); end > 0 {
				if cls, ok := fastNamedPatterns[p[1:end]]; ok {
					a.text, a.fixed, p = cls, true, p[end+1:]
					break
				}
			}
			a.text, a.fixed, p = "<", true, p[1:]
		case c == '^' || c == '$':
			a.text, a.fixed, p = p[:1], true, p[1:] // zero-width: a fixed length of none
		default:
			_, n := utf8.DecodeRuneInString(p)
			a.text, a.fixed, p = p[:n], true, p[n:]
		}
		a.quant, p = quantifier(p)
		atoms = append(atoms, a)
	}
	return atoms, "", nil
}

// quantifier splits a quantifier (with its lazy ? or possessive +) off the start of p.
func quantifier(p string) (string, string) {
	n := 0
	switch {
	case p == "":
		return "", p
	case p[0] == '*' || p[0] == '+' || p[0] == '?':
		n = 1
	case p[0] == '{':
		end := strings.IndexByte(p, '}')
		if end < 0 || !isRepeat(p[1:end]) {
			return "", p
		}
		n = end + 1
	default:
		return "", p
	}
	if n < len(p) && (p[n] == '?' || p[n] == '+') {
		n++
	}
	return p[:n], p[n:]
}

// classLen is the length of the character class at the start of p.
func classLen(p string) (int, error) {
	depth := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			depth++
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++ // a ] first in a class is a literal
			}
		case ']':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("unclosed character class")
}

// escapeLen is the length of the escape at the start of p, whether it matches a fixed number of
// characters, and whether it is a back-reference.
func escapeLen(p string) (int, bool, bool) {
	if len(p) < 2 {
		return len(p), true, false
	}
	c := p[1]
	switch {
	case c == 'p' || c == 'P' || c == 'x':
		if len(p) > 2 && p[2] == '{' {
			if end := strings.IndexByte(p, '}'); end > 0 {
				return end + 1, true, false
			}
		}
		if c == 'x' {
			return min(4, len(p)), true, false
		}
		return min(3, len(p)), true, false
	case c == 'u':
		return min(6, len(p)), true, false
	case c == 'c':
		return min(3, len(p)), true, false
	case c == '0':
		n := 2
		for n < len(p) && n < 5 && p[n] >= '0' && p[n] <= '7' {
			n++
		}
		return n, true, false
	case c == 'Q':
		if end := strings.Index(p, `\E`); end >= 0 {
			return end + 2, true, false
		}
		return len(p), true, false
	case c == 'k':
		if end := strings.IndexByte(p, '>'); end > 0 {
			return end + 1, false, true
		}
		return 2, false, true
	case c >= '1' && c <= '9':
		return 2, false, true
	case c == 'R' || c == 'X':
		return 2, false, false // a line break or grapheme: one or more characters
	case strings.IndexByte("bBAzZG", c) >= 0:
		return 2, true, false // zero-width
	}
	_, n := utf8.DecodeRuneInString(p[1:])
	return 1 + n, true, false
}

// fastSegment is a top-level group (a column) or the text between two groups.
type fastSegment struct {
	col   int // 1-based column of a group; 0 outside the groups
	atoms []fastAtom
}

// fastPiece is part of one expression of the series: atoms, and the column boundaries around them.
type fastPiece struct {
	atoms      []fastAtom
	lazy       bool
	start, end int // the column that starts before / ends after the atoms, 0 for none
}

// splitFixed splits the fixed-length start off atoms. x+ is "considered the same as" xx*, so its first x
// is fixed.
func splitFixed(atoms []fastAtom) (prefix, rest []fastAtom) {
	for i, a := range atoms {
		if !a.fixed {
			return atoms[:i:i], atoms[i:]
		}
		switch {
		case a.quant == "":
		case a.quant == "+":
			one, more := a, a
			one.quant, more.quant = "", "*"
			return append(atoms[:i:i], one), append([]fastAtom{more}, atoms[i+1:]...)
		case len(a.quant) > 2 && a.quant[0] == '{' && !strings.Contains(a.quant, ","):
		default:
			return atoms[:i:i], atoms[i:]
		}
	}
	return atoms, nil
}

// writeFast writes atoms as Java text, with every quantifier made lazy when lazy is set. A group inside a
// column is only a precedence: its contents belong to the column.
func writeFast(b *strings.Builder, atoms []fastAtom, lazy bool) {
	for _, a := range atoms {
		if a.paren {
			if a.group {
				b.WriteString("(?:")
			} else {
				b.WriteString(a.text)
			}
			writeFast(b, a.inner, lazy)
			b.WriteByte(')')
		} else {
			b.WriteString(a.text)
		}
		b.WriteString(a.quant)
		if lazy && a.quant != "" && !strings.HasSuffix(a.quant[1:], "?") && !strings.HasSuffix(a.quant[1:], "+") {
			b.WriteByte('?')
		}
	}
}

// fastPattern rewrites a FAST_REGEX_LOG_PARSER pattern as the series of expressions the page describes,
// in one Java pattern whose groups 2k-1 and 2k are empty marks at the start and end of column k. ok is
// false for a pattern the decomposition does not cover.
func fastPattern(p string) (pattern string, cols int, ok bool) {
	atoms, rest, err := parseFast(p)
	if err != nil || rest != "" {
		return "", 0, false
	}
	// Flags set at the start hold for the whole pattern; inside the first expression's group they would
	// end with it.
	var flags string
	for len(atoms) > 0 && atoms[0].flags && atoms[0].quant == "" && len(atoms[0].text) > 3 {
		flags += atoms[0].text
		atoms = atoms[1:]
	}
	var segs []fastSegment
	outside := -1
	for _, a := range atoms {
		if hasAtom(a, func(a fastAtom) bool { return a.flags }) {
			// Flags set further on hold to the end of their group, which the decomposition moves.
			return "", 0, false
		}
		if a.alt || hasAtom(a, func(a fastAtom) bool { return a.ref }) || a.group && a.quant != "" {
			return "", 0, false
		}
		if a.group {
			cols++
			inner := a.inner
			if hasAlt(inner) {
				// The alternatives stay together, in one expression.
				inner = []fastAtom{{text: "(?:", paren: true, inner: inner}}
			}
			segs = append(segs, fastSegment{col: cols, atoms: inner})
			outside = -1
			continue
		}
		if outside < 0 {
			segs = append(segs, fastSegment{})
			outside = len(segs) - 1
		}
		segs[outside].atoms = append(segs[outside].atoms, a)
	}
	if cols == 0 {
		return "", 0, false
	}
	var exprs [][]fastPiece
	for i, s := range segs {
		lazy := s.col > 0
		if i == 0 {
			exprs = append(exprs, []fastPiece{{atoms: s.atoms, lazy: lazy, start: s.col, end: s.col}})
			continue
		}
		prefix, rest := splitFixed(s.atoms)
		last := len(exprs) - 1
		if len(rest) == 0 {
			// Entirely fixed length: merged with the previous expression.
			exprs[last] = append(exprs[last], fastPiece{atoms: prefix, lazy: lazy, start: s.col, end: s.col})
			continue
		}
		start := s.col
		if len(prefix) > 0 {
			exprs[last] = append(exprs[last], fastPiece{atoms: prefix, lazy: lazy, start: s.col})
			start = 0
		}
		exprs = append(exprs, []fastPiece{{atoms: rest, lazy: lazy, start: start, end: s.col}})
	}
	var b strings.Builder
	b.WriteString(flags)
	for i, e := range exprs {
		if i < len(exprs)-1 {
			b.WriteString("(?>")
		} else {
			b.WriteString("(?:")
		}
		for _, pc := range e {
			if pc.start > 0 {
				b.WriteString("()")
			}
			writeFast(&b, pc.atoms, pc.lazy)
			if pc.end > 0 {
				b.WriteString("()")
			}
		}
		b.WriteByte(')')
	}
	return b.String(), cols, true
}

// hasAlt reports whether atoms has a | at its level.
func hasAlt(atoms []fastAtom) bool {
	for _, a := range atoms {
		if a.alt {
			return true
		}
	}
	return false
}

// hasAtom reports whether is holds for a or for an atom inside it.
func hasAtom(a fastAtom, is func(fastAtom) bool) bool {
	if is(a) {
		return true
	}
	for _, in := range a.inner {
		if hasAtom(in, is) {
			return true
		}
	}
	return false
}

// fastRegex is a compiled FAST_REGEX_LOG_PARSER pattern.
type fastRegex struct {
	re   *javaRegex
	cols []columnSpec
}

// row matches s and cuts each column between its two marks.
func (f *fastRegex) row(s string) (value.Value, error) {
	m, err := f.re.find(s)
	if err != nil || m == nil {
		return value.Value{}, err
	}
	out := make([]value.Value, len(f.cols))
	for i := range f.cols {
		if 2*(2*i+2) >= len(m) {
			break
		}
		from, to := m[2*(2*i+1)], m[2*(2*i+2)]
		if from < 0 || to < 0 {
			continue
		}
		v, err := f.cols[i].convert(s[from:to])
		if err != nil {
			return value.Value{}, err
		}
		out[i] = v
	}
	return value.NewRow(out), nil
}
