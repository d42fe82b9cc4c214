package funcs

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/analytics/value"
)

// KDA's regular expressions are java.util.regex patterns; Go's RE2 accepts most of them as they are and
// picks the same submatches (leftmost-first, like Java's backtracking). translateJava rewrites the
// Java-only forms that have an RE2 equivalent (POSIX \p{Alpha} classes, \Q...\E, \uXXXX, ...). The forms
// that only a backtracking engine can run (back-references, look-around, atomic groups, possessive
// quantifiers) send the pattern to regexp2 instead (backtrack.go); every other pattern stays on RE2, which
// is linear-time.

func init() {
	register(bindRegexReplace, "REGEX_REPLACE")
}

var javaClasses = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha", "Digit": "digit", "Alnum": "alnum",
	"Punct": "punct", "Graph": "graph", "Print": "print", "Blank": "blank", "Cntrl": "cntrl", "XDigit": "xdigit",
	"Space": "space", "javaLowerCase": "lower", "javaUpperCase": "upper", "javaWhitespace": "space",
}

// compileJava compiles a Java regular expression: with RE2 when the pattern needs no backtracking, else
// with regexp2.
func compileJava(p string) (*javaRegex, error) {
	t := translator{}
	if err := t.run(p); err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %w", p, err)
	}
	if t.backtrack {
		return compileBacktracking(p, t.groups)
	}
	re, err := regexp.Compile(t.b.String())
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %s", p, err.Error())
	}
	return &javaRegex{re2: re, groups: re.NumSubexp()}, nil
}

// Java's horizontal (\h) and vertical (\v, since Java 8) white space, as the bodies of RE2 classes (which
// regexp2 reads the same way).
const (
	javaHSpace = `\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}`
	javaVSpace = `\n\x0B\f\r\x{85}\x{2028}\x{2029}`
)

// translateJava rewrites a Java pattern into RE2 syntax, for the patterns that need no backtracking.
func translateJava(p string) (string, error) {
	t := translator{}
	if err := t.run(p); err != nil {
		return "", err
	}
	if t.backtrack {
		return "", fmt.Errorf("the pattern needs a backtracking engine")
	}
	return t.b.String(), nil
}

// translator rewrites a Java pattern. Escapes RE2 lacks or reads differently are rewritten (\Q...\E with
// quantifier characters inside, \uXXXX, octal \0ooo, \e, \cX, \h, \v, \R, \p{IsLatin}); class intersection
// (&&) is refused, since RE2 and regexp2 would read it as a union.
//
// With dotnet unset it writes RE2 syntax and only notes in backtrack that the pattern uses a form RE2
// cannot run. With dotnet set it writes the syntax of regexp2's default (.NET) mode, keeping Java's
// meaning where .NET reads the same text otherwise: \d, \w and \s are ASCII classes in Java, and .NET
// numbers named groups after the unnamed ones, so names are turned into numbers here.
type translator struct {
	dotnet    bool
	backtrack bool           // the pattern needs back-references, look-around, atomic groups or possessive quantifiers
	groups    int            // capturing groups seen so far (all of them once run returns)
	total     int            // dotnet: the pattern's number of groups, from a first run
	names     map[string]int // dotnet: named groups and their numbers
	b         strings.Builder
	atom      int // where in b the last atom (what a quantifier applies to) starts
}

func (t *translator) run(p string) error {
	if !t.dotnet && !strings.ContainsAny(p, `\+(&`) {
		t.b.WriteString(p)
		return nil
	}
	var opens []int // where each open group starts in b
	inClass := 0
	quant := false // the last thing written was a quantifier, so a + after it makes it possessive
	for i := 0; i < len(p); i++ {
		c := p[i]
		wasQuant := quant
		quant = false
		if inClass == 0 && !(c == '*' || c == '+' || c == '?' || c == '{' || c == ')') {
			t.atom = t.b.Len()
		}
		switch {
		case c == '\\' && i+1 < len(p):
			n, consumed, err := t.escape(p[i:], inClass > 0)
			if err != nil {
				return err
			}
			if n < 0 {
				return fmt.Errorf("%s is not supported", p[i:i+consumed])
			}
			i += n - 1
		case c == '&' && inClass > 0 && i+1 < len(p) && p[i+1] == '&':
			return fmt.Errorf("character class intersection (&&) is not supported")
		case c == '[':
			inClass++
			t.b.WriteByte(c)
		case c == ']' && inClass > 0:
			inClass--
			t.b.WriteByte(c)
		case inClass > 0:
			t.b.WriteByte(c)
		case c == '+' && wasQuant:
			// A possessive quantifier (a*+, a++, a?+, a{2}+) gives back nothing it matched: the atomic group
			// (?>a*) in regexp2. RE2 cannot say it, so the pattern goes to regexp2.
			t.backtrack = true
			if t.dotnet {
				s := t.b.String()
				t.b.Reset()
				t.b.WriteString(s[:t.atom] + "(?>" + s[t.atom:] + ")")
			}
		case c == '*' || c == '+' || c == '?':
			t.b.WriteByte(c)
			quant = c != '?' || !wasQuant // a?? is lazy, not a quantifier to make possessive
		case c == '{':
			if end := strings.IndexByte(p[i:], '}'); end > 0 && isRepeat(p[i+1:i+end]) {
				t.b.WriteString(p[i : i+end+1])
				i += end
				quant = true
				continue
			}
			t.b.WriteByte(c)
		case c == '(':
			opens = append(opens, t.b.Len())
			rest := p[i+1:]
			switch {
			case strings.HasPrefix(rest, "?>"):
				t.backtrack = true
				t.b.WriteString("(?>")
				i += 2
			case strings.HasPrefix(rest, "?=") || strings.HasPrefix(rest, "?!") ||
				strings.HasPrefix(rest, "?<=") || strings.HasPrefix(rest, "?<!"):
				t.backtrack = true
				t.b.WriteByte(c)
			case strings.HasPrefix(rest, "?<"):
				t.groups++
				end := strings.IndexByte(rest, '>')
				if !t.dotnet || end < 0 {
					t.b.WriteByte(c)
					break
				}
				name := rest[2:end]
				if t.names == nil {
					t.names = map[string]int{}
				}
				if _, dup := t.names[name]; dup {
					return fmt.Errorf("named capturing group <%s> is already defined", name)
				}
				t.names[name] = t.groups
				t.b.WriteByte(c)
				i += end + 1
			case strings.HasPrefix(rest, "?"):
				t.b.WriteByte(c)
			default:
				t.groups++
				t.b.WriteByte(c)
			}
		case c == ')':
			if n := len(opens); n > 0 {
				t.atom, opens = opens[n-1], opens[:n-1]
			}
			t.b.WriteByte(c)
		case c >= utf8.RuneSelf:
			_, size := utf8.DecodeRuneInString(p[i:])
			t.b.WriteString(p[i : i+size])
			i += size - 1
		default:
			t.b.WriteByte(c)
		}
	}
	return nil
}

// escape writes the translation of the escape at the start of p (p[0] is a backslash) and returns how
// many bytes of p it read; -1 and the escape's length when the target has no equivalent.
func (t *translator) escape(p string, inClass bool) (int, int, error) {
	b := &t.b
	class := func(body string, neg bool) {
		switch {
		case inClass:
			b.WriteString(body)
		case neg:
			b.WriteString("[^" + body + "]")
		default:
			b.WriteString("[" + body + "]")
		}
	}
	char := func(r rune) { fmt.Fprintf(b, `\x{%X}`, r) }
	switch c := p[1]; c {
	case 'Q':
		lit, n := p[2:], len(p)
		if end := strings.Index(lit, `\E`); end >= 0 {
			lit, n = lit[:end], 2+end+2
		}
		for _, r := range lit {
			t.atom = b.Len() // a quantifier after \E applies to the last character
			char(r)
		}
		return n, n, nil
	case 'u':
		if len(p) >= 6 {
			if v, err := strconv.ParseUint(p[2:6], 16, 32); err == nil {
				char(rune(v))
				return 6, 6, nil
			}
		}
	case '0':
		v, n := 0, 2
		for n < len(p) && n < 5 && p[n] >= '0' && p[n] <= '7' && v*8+int(p[n]-'0') <= 0377 {
			v, n = v*8+int(p[n]-'0'), n+1
		}
		if n > 2 {
			char(rune(v))
			return n, n, nil
		}
	case 'e':
		char(0x1B)
		return 2, 2, nil
	case 'c':
		if len(p) > 2 {
			char(rune(p[2] ^ 64))
			return 3, 3, nil
		}
	case 'h', 'H':
		if c == 'H' && inClass {
			return -1, 2, nil
		}
		class(javaHSpace, c == 'H')
		return 2, 2, nil
	case 'v', 'V':
		if c == 'V' && inClass {
			return -1, 2, nil
		}
		class(javaVSpace, c == 'V')
		return 2, 2, nil
	case 'R':
		if inClass {
			return -1, 2, nil
		}
		b.WriteString(`(?:\r\n|[` + javaVSpace + `])`)
		return 2, 2, nil
	case 'd', 'D', 'w', 'W', 's', 'S':
		if t.dotnet {
			// .NET's \d, \w and \s are Unicode classes; Java's are ASCII.
			lower := c | 0x20
			class(asciiClass(javaASCII[string(lower)], c != lower, inClass), c != lower && !inClass)
			return 2, 2, nil
		}
	case 'p', 'P':
		if len(p) > 2 && p[2] == '{' {
			if end := strings.IndexByte(p, '}'); end > 0 {
				name, neg := p[3:end], c == 'P'
				if ranges, ok := javaASCII[javaClasses[strings.TrimPrefix(name, "Is")]]; ok && t.dotnet {
					// regexp2 has no [:alpha:]: write the ASCII ranges.
					class(asciiClass(ranges, neg, inClass), neg && !inClass)
					return end + 1, end + 1, nil
				}
				if body, ok := javaProperty(name, neg); ok {
					if inClass {
						b.WriteString(body)
					} else {
						b.WriteString("[" + body + "]")
					}
					return end + 1, end + 1, nil
				}
			}
		}
	case 'k':
		// \k<name>, a back-reference to a named group.
		if end := strings.IndexByte(p, '>'); len(p) > 2 && p[2] == '<' && end > 0 {
			t.backtrack = true
			if t.dotnet {
				g, ok := t.names[p[3:end]]
				if !ok {
					return 0, 0, fmt.Errorf("named capturing group <%s> does not exist", p[3:end])
				}
				fmt.Fprintf(b, `(?:\%d)`, g)
			}
			return end + 1, end + 1, nil
		}
	case '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if inClass {
			break
		}
		// A back-reference. Java reads the first digit, then more digits while the number stays one of the
		// groups opened so far; \12 after one group is group 1 then the character 2.
		t.backtrack = true
		g, n := int(c-'0'), 2
		for n < len(p) && p[n] >= '0' && p[n] <= '9' && g*10+int(p[n]-'0') <= t.groups {
			g, n = g*10+int(p[n]-'0'), n+1
		}
		if t.dotnet {
			if g > t.total {
				b.WriteString(`(?!)`) // Java accepts a reference to a group that does not exist; it never matches
			} else {
				fmt.Fprintf(b, `(?:\%d)`, g)
			}
		}
		return n, n, nil
	}
	b.WriteString(p[:2])
	return 2, 2, nil
}

// javaASCII lists the ASCII ranges of Java's \d, \w, \s and POSIX classes (by their RE2 names), for
// regexp2, whose own classes are Unicode or missing.
var javaASCII = map[string][]rune{
	"d": {'0', '9'}, "w": {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'}, "s": {'\t', '\r', ' ', ' '},
	"lower": {'a', 'z'}, "upper": {'A', 'Z'}, "ascii": {0, 0x7F}, "alpha": {'A', 'Z', 'a', 'z'},
	"digit": {'0', '9'}, "alnum": {'0', '9', 'A', 'Z', 'a', 'z'}, "punct": {'!', '/', ':', '@', '[', '`', '{', '~'},
	"graph": {'!', '~'}, "print": {' ', '~'}, "blank": {'\t', '\t', ' ', ' '}, "cntrl": {0, 0x1F, 0x7F, 0x7F},
	"xdigit": {'0', '9', 'A', 'F', 'a', 'f'}, "space": {'\t', '\r', ' ', ' '},
}

// asciiClass writes sorted ranges as the body of a regexp2 class. A negated class inside another class
// cannot be written [^...], so there its complement is written out.
func asciiClass(ranges []rune, neg, inClass bool) string {
	if neg && inClass {
		var comp []rune
		next := rune(0)
		for i := 0; i < len(ranges); i += 2 {
			if ranges[i] > next {
				comp = append(comp, next, ranges[i]-1)
			}
			next = ranges[i+1] + 1
		}
		ranges = append(comp, next, unicode.MaxRune)
	}
	var b strings.Builder
	for i := 0; i < len(ranges); i += 2 {
		fmt.Fprintf(&b, `\x{%X}`, ranges[i])
		if ranges[i+1] != ranges[i] {
			fmt.Fprintf(&b, `-\x{%X}`, ranges[i+1])
		}
	}
	return b.String()
}

// javaProperty returns the RE2 class body for Java's \p{name} (negated for \P): the POSIX and java.lang.Character
// classes, and Unicode categories and scripts written with Java's "Is" prefix (\p{IsLatin}, \p{IsLu}).
func javaProperty(name string, neg bool) (string, bool) {
	if posix, ok := javaClasses[strings.TrimPrefix(name, "Is")]; ok {
		if neg {
			return "[:^" + posix + ":]", true
		}
		return "[:" + posix + ":]", true
	}
	name = strings.TrimPrefix(name, "Is")
	if alias, ok := javaUnicodeClasses[name]; ok {
		name = alias
	}
	_, cat := unicode.Categories[name]
	_, script := unicode.Scripts[name]
	if !cat && !script {
		return "", false
	}
	if neg {
		return `\P{` + name + `}`, true
	}
	return `\p{` + name + `}`, true
}

// javaUnicodeClasses maps the java.lang.Character classes that are one Unicode category.
var javaUnicodeClasses = map[string]string{"javaDigit": "Nd", "javaLetter": "L", "javaSpaceChar": "Zs",
	"javaTitleCase": "Lt", "javaISOControl": "Cc"}

// isRepeat reports whether s is the inside of a {n}, {n,} or {n,m} quantifier.
func isRepeat(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != ',' {
			return false
		}
	}
	return s[0] != ','
}

// replacement is a parsed Java replacement string: literal text and group references ($1, ${name}, with
// \ escaping the next character).
type replacement struct {
	parts []replPart
}

type replPart struct {
	lit   string
	group int // -1 for a literal
}

func parseReplacement(s string, re *javaRegex) (*replacement, error) {
	r := &replacement{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			r.parts = append(r.parts, replPart{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	groups := re.NumSubexp()
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("invalid replacement %q: character to be escaped is missing", s)
			}
			i++
			lit.WriteByte(s[i])
		case '$':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("invalid replacement %q: illegal group reference", s)
			}
			if s[i+1] == '{' {
				end := strings.IndexByte(s[i:], '}')
				if end < 0 {
					return nil, fmt.Errorf("invalid replacement %q: named group is missing its closing brace", s)
				}
				name := s[i+2 : i+end]
				g := re.SubexpIndex(name)
				if g < 0 {
					return nil, fmt.Errorf("invalid replacement %q: no group named %q", s, name)
				}
				flush()
				r.parts = append(r.parts, replPart{group: g})
				i += end
				continue
			}
			if s[i+1] < '0' || s[i+1] > '9' {
				return nil, fmt.Errorf("invalid replacement %q: illegal group reference", s)
			}
			// Java reads the first digit, then more digits while the number stays a valid group.
			g := int(s[i+1] - '0')
			if g > groups {
				return nil, fmt.Errorf("invalid replacement %q: no group %d", s, g)
			}
			i++
			for i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				n := g*10 + int(s[i+1]-'0')
				if n > groups {
					break
				}
				g = n
				i++
			}
			flush()
			r.parts = append(r.parts, replPart{group: g})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return r, nil
}

func (r *replacement) append(b []byte, src string, m []int) []byte {
	for _, p := range r.parts {
		if p.group < 0 {
			b = append(b, p.lit...)
		} else if m[2*p.group] >= 0 {
			b = append(b, src[m[2*p.group]:m[2*p.group+1]]...)
		}
	}
	return b
}

// regexCache compiles a non-constant pattern at run time and remembers the last one, so that a column
// that holds the same pattern on every row compiles it once. It is safe for concurrent use.
type regexCache[T any] struct {
	last    atomic.Pointer[cached[T]]
	compile func(string) (T, error)
}

type cached[T any] struct {
	key string
	val T
}

func (c *regexCache[T]) get(key string) (T, error) {
	if l := c.last.Load(); l != nil && l.key == key {
		return l.val, nil
	}
	v, err := c.compile(key)
	if err != nil {
		return v, err
	}
	c.last.Store(&cached[T]{key: key, val: v})
	return v, nil
}

type replacer struct {
	re   *javaRegex
	repl *replacement
	// emptyAfter is re anchored one character before where it must match, \A(?s:.)(re), or nil
	// when re never matches the empty string: it finds the empty matches that Java keeps and Go drops.
	emptyAfter *regexp.Regexp
}

// newReplacer compiles a REGEX_REPLACE pattern and replacement.
func newReplacer(pat, repl string) (*replacer, error) {
	re, err := compileJava(pat)
	if err != nil {
		return nil, err
	}
	r, err := parseReplacement(repl, re)
	if err != nil {
		return nil, err
	}
	rp := &replacer{re: re, repl: r}
	if re.re2 == nil {
		return rp, nil
	}
	if t, err := syntax.Parse(re.re2.String(), syntax.Perl); err == nil && matchesEmpty(t) {
		// A pattern that compiled compiles wrapped; if it ever did not, Go's matches are the fallback.
		rp.emptyAfter, _ = regexp.Compile(`\A(?s:.)(` + re.re2.String() + `)`)
	}
	return rp, nil
}

// matches lists the matches of r in s as java.util.regex.Matcher.find finds them, at most limit of them
// (all when limit < 0). Go's FindAll drops an empty match that starts where the previous match ended
// ("baaac" with a* gives b, then aaa, then c's empty match); Java keeps it, so that
// "baaac".replaceAll("a*", "X") is "XbXXcX". After either engine's empty match the search goes on one
// character further, so Java's matches are Go's plus those empty ones. A backtracking pattern finds
// them as Java does, or gives up with a RegexTimeout error.
func (r *replacer) matches(s string, limit int) ([][]int, error) {
	if r.re.bt != nil {
		return r.re.findAll(s, limit)
	}
	ms := r.re.re2.FindAllStringSubmatchIndex(s, limit)
	if r.emptyAfter == nil || len(ms) == 0 {
		return ms, nil
	}
	var out [][]int
	for i, m := range ms {
		if limit >= 0 && len(out) >= limit {
			break
		}
		out = append(out, m)
		end := m[1]
		if end == m[0] || i+1 < len(ms) && ms[i+1][0] == end {
			continue // the next search starts past an empty match, or finds a match at end anyway
		}
		_, size := utf8.DecodeLastRuneInString(s[:end])
		am := r.emptyAfter.FindStringSubmatchIndex(s[end-size:])
		if am == nil || am[2] != am[3] {
			continue // no match at end, or Go's next match is the one Java finds there
		}
		e := am[2:]
		for j := range e {
			if e[j] >= 0 {
				e[j] += end - size
			}
		}
		out = append(out, e)
	}
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// matchesEmpty reports whether a pattern can match the empty string somewhere in a text: its shortest
// match has no characters.
func matchesEmpty(t *syntax.Regexp) bool {
	switch t.Op {
	case syntax.OpNoMatch, syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return false
	case syntax.OpLiteral:
		return len(t.Rune) == 0
	case syntax.OpCapture, syntax.OpPlus:
		return matchesEmpty(t.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpRepeat:
		return t.Min == 0 || matchesEmpty(t.Sub[0])
	case syntax.OpConcat:
		for _, sub := range t.Sub {
			if !matchesEmpty(sub) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range t.Sub {
			if matchesEmpty(sub) {
				return true
			}
		}
		return false
	}
	return true // the empty match and the zero-width assertions
}

// bindRegexReplace binds REGEX_REPLACE(original, regex, replacement, startPosition, occurrence): Java's
// String.replaceAll from startPosition (1-based; the text before it is kept) when occurrence is 0, or
// only the occurrence-th match. startPosition < 1 or occurrence < 0 is an error row; a startPosition past
// the end returns the original.
func bindRegexReplace(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 3, 5); err != nil {
		return nil, value.Type{}, fmt.Errorf("REGEX_REPLACE takes 5 arguments (original, regex, replacement, startPosition, occurrence)")
	}
	if err := needText(name, args, 0, 1, 2); err != nil {
		return nil, value.Type{}, err
	}
	for i := 3; i < len(args); i++ {
		if err := needNumber(name, args, i); err != nil {
			return nil, value.Type{}, err
		}
	}
	compile := func(key string) (*replacer, error) {
		pat, repl, _ := strings.Cut(key, "\x00")
		return newReplacer(pat, repl)
	}
	var get func(a []value.Value) (*replacer, error)
	pat, ok1 := args[1].constString()
	repl, ok2 := args[2].constString()
	if ok1 && ok2 {
		r, err := compile(pat + "\x00" + repl)
		if err != nil {
			return nil, value.Type{}, err
		}
		get = func([]value.Value) (*replacer, error) { return r, nil }
	} else {
		cache := &regexCache[*replacer]{compile: compile}
		get = func(a []value.Value) (*replacer, error) {
			r, err := cache.get(a[1].S + "\x00" + a[2].S)
			if err != nil {
				return nil, &Error{Name: InvalidRegex, Message: err.Error()}
			}
			return r, nil
		}
	}
	return strict(func(a []value.Value) (value.Value, error) {
		start, occ := int64(1), int64(0)
		if len(a) > 3 {
			start = intArg(a[3])
		}
		if len(a) > 4 {
			occ = intArg(a[4])
		}
		if start < 1 {
			return value.Value{}, errorf(InvalidArgument, "REGEX_REPLACE startPosition %d is less than 1", start)
		}
		if occ < 0 {
			return value.Value{}, errorf(InvalidArgument, "REGEX_REPLACE occurrence %d is negative", occ)
		}
		r, err := get(a)
		if err != nil {
			return value.Value{}, err
		}
		s := a[0].S
		off := runeOffset(s, start-1)
		if off >= len(s) && start > 1 {
			return a[0], nil
		}
		out, err := regexReplace(r, s, off, occ)
		if err != nil {
			return value.Value{}, err
		}
		return value.NewString(out), nil
	}), value.Varchar(65535), nil
}

// bindSubstringRegex binds SUBSTRING(s FROM regex), the form of the SUBSTRING page whose second argument
// is a character string: "the pattern of characters to match and return from source-string. Only the
// first match is returned." SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*') is 'LOGY', FROM 'O[A-Z]' is 'OL';
// no match gives NULL. FOR is refused with a regex: the page does not say how the two combine, and
// SQL:1999 reads FOR there as an escape character.
func bindSubstringRegex(name string, args []Arg) (Impl, value.Type, error) {
	if len(args) == 3 {
		return nil, value.Type{}, fmt.Errorf("%s: FOR cannot follow FROM a regular expression", name)
	}
	var get func(pat string) (*javaRegex, error)
	if pat, ok := args[1].constString(); ok {
		re, err := compileJava(pat)
		if err != nil {
			return nil, value.Type{}, err
		}
		get = func(string) (*javaRegex, error) { return re, nil }
	} else {
		cache := &regexCache[*javaRegex]{compile: compileJava}
		get = func(pat string) (*javaRegex, error) {
			re, err := cache.get(pat)
			if err != nil {
				return nil, &Error{Name: InvalidRegex, Message: err.Error()}
			}
			return re, nil
		}
	}
	return strict(func(a []value.Value) (value.Value, error) {
		re, err := get(a[1].S)
		if err != nil {
			return value.Value{}, err
		}
		m, err := re.find(a[0].S)
		if err != nil {
			return value.Value{}, err
		}
		if m == nil {
			return value.Value{}, nil
		}
		return value.NewString(a[0].S[m[0]:m[1]]), nil
	}), textType(args[0]), nil
}

// regexReplace replaces in s[off:] and keeps s[:off] as it is: the search starts at startPosition as if
// the text began there (so ^ matches at startPosition).
func regexReplace(r *replacer, s string, off int, occ int64) (string, error) {
	limit := -1
	if occ > 0 {
		limit = int(occ)
	}
	tail := s[off:]
	ms, err := r.matches(tail, limit)
	if err != nil {
		return "", err
	}
	if len(ms) == 0 || occ > 0 && int64(len(ms)) < occ {
		return s, nil
	}
	if occ > 0 {
		ms = ms[occ-1:]
	}
	out := make([]byte, 0, len(s)+16)
	out = append(out, s[:off]...)
	last := 0
	for _, m := range ms {
		out = append(out, tail[last:m[0]]...)
		out = r.repl.append(out, tail, m)
		last = m[1]
	}
	return string(append(out, tail[last:]...)), nil
}
