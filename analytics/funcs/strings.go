package funcs

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/analytics/value"
)

// String and search functions. Positions and lengths count characters (runes), as Java's String does for
// text outside the supplementary planes; ASCII input takes byte-indexed fast paths.

func init() {
	register(bindCase, "UPPER", "LOWER")
	register(bindInitcap, "INITCAP")
	register(bindCharLength, "CHAR_LENGTH", "CHARACTER_LENGTH")
	register(bindPosition, "POSITION")
	register(bindSubstring, "SUBSTRING")
	// SUBSTRING(s SIMILAR pattern ESCAPE e): the parser's own node, bound under a name of its own.
	register(bindSubstringSimilar, "SUBSTRING_SIMILAR")
	register(bindOverlay, "OVERLAY")
	register(bindTrim, "TRIM")
}

// textType is the result type of a function that returns a string derived from argument a: a's type when
// it is textual (keeping its length), VARCHAR otherwise.
func textType(a Arg) value.Type {
	if a.Type.Textual() {
		t := a.Type
		if t.Base == value.TChar {
			t.Base = value.TVarchar
		}
		return t
	}
	return value.VarcharType
}

func bindCase(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	conv := strings.ToUpper
	if name == "LOWER" {
		conv = strings.ToLower
	}
	return strict(func(a []value.Value) (value.Value, error) {
		return value.NewString(conv(a[0].S)), nil
	}), textType(args[0]), nil
}

func bindInitcap(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	return strict(func(a []value.Value) (value.Value, error) { return value.NewString(initcap(a[0].S)), nil }),
		textType(args[0]), nil
}

// initcap upper-cases the first character of each word and lower-cases the rest. Words are delimited by
// spaces only, as the INITCAP page says ("the first character of each space-delimited word"), so
// 'hello-world foo_bar' gives 'Hello-world Foo_bar'.
func initcap(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		switch {
		case r == ' ':
			start = true
		case start:
			r = unicode.ToUpper(r)
			start = false
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func bindCharLength(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 1, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	return strict(func(a []value.Value) (value.Value, error) {
		return value.NewInt(int64(utf8.RuneCountInString(a[0].S))), nil
	}), value.IntegerType, nil
}

func bindPosition(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0, 1); err != nil {
		return nil, value.Type{}, err
	}
	return strict(func(a []value.Value) (value.Value, error) {
		return value.NewInt(int64(position(a[0].S, a[1].S))), nil
	}), value.IntegerType, nil
}

// position is the 1-based character position of sub in s, 0 when absent; an empty sub is found at 1.
func position(sub, s string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		return 0
	}
	return utf8.RuneCountInString(s[:i]) + 1
}

func bindSubstring(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 3); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0); err != nil {
		return nil, value.Type{}, err
	}
	if args[1].Type.Textual() {
		return bindSubstringRegex(name, args)
	}
	if err := needNumber(name, args, 1); err != nil {
		return nil, value.Type{}, err
	}
	if len(args) == 3 {
		if err := needNumber(name, args, 2); err != nil {
			return nil, value.Type{}, err
		}
		return strict(func(a []value.Value) (value.Value, error) {
			n := intArg(a[2])
			if n < 0 {
				return value.Value{}, errorf(InvalidArgument, "SUBSTRING length %d is negative", n)
			}
			return value.NewString(substring(a[0].S, intArg(a[1]), n)), nil
		}), textType(args[0]), nil
	}
	return strict(func(a []value.Value) (value.Value, error) {
		return value.NewString(substring(a[0].S, intArg(a[1]), -1)), nil
	}), textType(args[0]), nil
}

// bindSubstringSimilar binds SUBSTRING(s SIMILAR pattern ESCAPE e), SQL:2008's regular-expression
// substring. The pattern is three SIMILAR TO patterns, R1 e" R2 e" R3, and the result is the part of s
// that R2 matches; no match gives NULL.
//
// The standard asks R1 R2 R3 to match the whole of s, but the KDA SUBSTRING page's own example does not:
// SUBSTRING('123456789' SIMILAR '23#"456#"78' ESCAPE '#') is '456' there, so the pattern is searched for
// like the page's FROM regex form ("only the first match is returned"). Within a match the standard's
// choice holds: R1 takes as little as it can, then R2 as much as it can.
func bindSubstringSimilar(name string, args []Arg) (Impl, value.Type, error) {
	const shown = "SUBSTRING"
	if err := argCount(shown, args, 3, 3); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(shown, args, 0, 1, 2); err != nil {
		return nil, value.Type{}, err
	}
	pat, patConst := args[1].constString()
	esc, escConst := args[2].constString()
	var get func(pat, esc string) (*regexp.Regexp, error)
	if patConst && escConst {
		re, err := compileSubstringSimilar(pat, esc)
		if err != nil {
			return nil, value.Type{}, err
		}
		get = func(string, string) (*regexp.Regexp, error) { return re, nil }
	} else {
		// The key joins pattern and escape with a NUL, which a one-character escape cannot hold
		// ambiguously: the escape is the key's last rune.
		cache := &regexCache[*regexp.Regexp]{compile: func(key string) (*regexp.Regexp, error) {
			i := strings.LastIndexByte(key, 0)
			return compileSubstringSimilar(key[:i], key[i+1:])
		}}
		get = func(pat, esc string) (*regexp.Regexp, error) {
			re, err := cache.get(pat + "\x00" + esc)
			if err != nil {
				return nil, &Error{Name: InvalidRegex, Message: err.Error()}
			}
			return re, nil
		}
	}
	return strict(func(a []value.Value) (value.Value, error) {
		re, err := get(a[1].S, a[2].S)
		if err != nil {
			return value.Value{}, err
		}
		m := re.FindStringSubmatchIndex(a[0].S)
		if m == nil {
			return value.Value{}, nil
		}
		// R1's own parentheses capture too: the returned part is the group named r2.
		g := 2 * re.SubexpIndex("r2")
		return value.NewString(a[0].S[m[g]:m[g+1]]), nil
	}), textType(args[0]), nil
}

// compileSubstringSimilar splits a SUBSTRING ... SIMILAR pattern at its two escaped double quotes and
// translates each part as SIMILAR TO does: (?U:R1)(?P<r2>R2)R3, R1's repetitions made lazy.
func compileSubstringSimilar(pattern, escape string) (*regexp.Regexp, error) {
	r, size := utf8.DecodeRuneInString(escape)
	if escape == "" || size != len(escape) {
		return nil, fmt.Errorf("SUBSTRING: invalid escape %q: the escape must be one character", escape)
	}
	var parts []string
	runes := []rune(pattern)
	start := 0
	for i := 0; i < len(runes); i++ {
		if runes[i] != r || i+1 >= len(runes) {
			continue // a trailing escape is reported by the part's translation
		}
		if runes[i+1] == '"' {
			parts = append(parts, string(runes[start:i]))
			start = i + 2
		}
		i++
	}
	parts = append(parts, string(runes[start:]))
	if len(parts) != 3 {
		return nil, fmt.Errorf("SUBSTRING: invalid pattern '%s': it must hold two %s\" around the part to return, not %d",
			pattern, escape, len(parts)-1)
	}
	var src [3]string
	for i, p := range parts {
		s, err := likeRegexp(p, r, true)
		if err != nil {
			return nil, fmt.Errorf("SUBSTRING: %w", err)
		}
		src[i] = s
	}
	re, err := regexp.Compile(`(?s:(?U:` + src[0] + `)(?P<r2>` + src[1] + `)(?:` + src[2] + `))`)
	if err != nil {
		return nil, fmt.Errorf("SUBSTRING: invalid pattern '%s': %w", pattern, err)
	}
	return re, nil
}

// substring is SQL's SUBSTRING(s FROM start FOR n), n < 0 meaning "to the end". A start before 1 counts
// against the length, as the KDA reference says: SUBSTRING('123456789' FROM -2 FOR 6) is '123'.
func substring(s string, start, n int64) string {
	if start < 1 {
		if n >= 0 {
			n += start - 1
			if n <= 0 {
				return ""
			}
		}
		start = 1
	}
	i := runeOffset(s, start-1)
	if i >= len(s) {
		return ""
	}
	s = s[i:]
	if n < 0 {
		return s
	}
	return s[:runeOffset(s, n)]
}

// runeOffset is the byte offset of the n-th character of s, len(s) when s is shorter.
func runeOffset(s string, n int64) int {
	if n <= 0 {
		return 0
	}
	if n >= int64(len(s)) {
		return len(s)
	}
	i := 0
	for ; i < len(s) && n > 0; n-- {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

func bindOverlay(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 3, 4); err != nil {
		return nil, value.Type{}, err
	}
	if err := needText(name, args, 0, 1); err != nil {
		return nil, value.Type{}, err
	}
	if err := needNumber(name, args, 2); err != nil {
		return nil, value.Type{}, err
	}
	if len(args) == 4 {
		if err := needNumber(name, args, 3); err != nil {
			return nil, value.Type{}, err
		}
	}
	return strict(func(a []value.Value) (value.Value, error) {
		s, with := a[0].S, a[1].S
		from := intArg(a[2])
		n := int64(utf8.RuneCountInString(with))
		if len(a) == 4 {
			n = intArg(a[3])
		}
		if n < 0 {
			return value.Value{}, errorf(InvalidArgument, "OVERLAY length %d is negative", n)
		}
		// SQL defines OVERLAY as SUBSTRING(s FROM 1 FOR from-1) || with || SUBSTRING(s FROM from+n). A
		// start below 1 has no head, and the replaced part starts before s: the reference's "(1 - start
		// position) characters of the replacement string is prepended to the result, and the rest overlaid
		// on the original", so FROM 0 gives 'foo345' and FROM -2 'foo12345' for '12345' PLACING 'foo'.
		head := ""
		if from > 1 {
			head = substring(s, 1, from-1)
		}
		return value.NewString(head + with + substring(s, from+n, -1)), nil
	}), value.VarcharType, nil
}

// bindTrim binds TRIM(where, chars, s), the planner's form of TRIM([BOTH|LEADING|TRAILING] [chars] FROM s),
// and the plain TRIM(s).
func bindTrim(name string, args []Arg) (Impl, value.Type, error) {
	if len(args) == 1 {
		if err := needText(name, args, 0); err != nil {
			return nil, value.Type{}, err
		}
		return strict(func(a []value.Value) (value.Value, error) {
			return value.NewString(strings.Trim(a[0].S, " ")), nil
		}), textType(args[0]), nil
	}
	if err := argCount(name, args, 3, 3); err != nil {
		return nil, value.Type{}, fmt.Errorf("TRIM takes 1 or 3 arguments (where, chars, string)")
	}
	where, ok := args[0].constString()
	if !ok {
		return nil, value.Type{}, fmt.Errorf("TRIM: the first argument must be the constant 'BOTH', 'LEADING' or 'TRAILING'")
	}
	var trim func(s, cut string) string
	switch strings.ToUpper(where) {
	case "BOTH":
		trim = strings.Trim
	case "LEADING":
		trim = strings.TrimLeft
	case "TRAILING":
		trim = strings.TrimRight
	default:
		return nil, value.Type{}, fmt.Errorf("TRIM: unknown side %q (BOTH, LEADING or TRAILING)", where)
	}
	if err := needText(name, args, 1, 2); err != nil {
		return nil, value.Type{}, err
	}
	// "Only one trim character is allowed; specifying an empty string or a string longer than one
	// character results in an exception": a literal is refused here, a column's value is an error row.
	if c, ok := args[1].constString(); ok && utf8.RuneCountInString(c) != 1 {
		return nil, value.Type{}, fmt.Errorf("TRIM: the trim character must be one character, not '%s'", c)
	}
	return strict(func(a []value.Value) (value.Value, error) {
		if c := a[1].S; utf8.RuneCountInString(c) != 1 {
			return value.Value{}, errorf(InvalidArgument, "TRIM character '%s' is not one character", c)
		}
		return value.NewString(trim(a[2].S, a[1].S)), nil
	}), textType(args[2]), nil
}
