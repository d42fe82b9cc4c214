package sql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a position in the SQL text: Offset in bytes, Line and Col 1-based (Col in runes).
type Pos struct {
	Offset, Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// TokenKind classifies a token.
type TokenKind int

// The token kinds. A keyword is an Ident token: the parser decides from context which words are keywords.
const (
	TokEOF         TokenKind = iota
	TokIdent                 // unquoted word; Text is folded to upper case
	TokQuotedIdent           // "..." or `...`; Text is the name with escapes undone
	TokString                // '...'; Text is the value with '' undone
	TokNumber                // 12, 1.5, .5, 1e-3; Text as written
	TokOp                    // punctuation and operators: ( ) , ; . * + - / % || :: = <> != < <= > >= [ ]
)

// Token is one lexeme with its position. Raw is the source text of the token.
type Token struct {
	Kind TokenKind
	Text string
	Raw  string
	Pos  Pos
}

// lexer turns SQL text into tokens, skipping white space and comments.
type lexer struct {
	src  string
	off  int
	line int
	col  int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1} }

func (l *lexer) pos() Pos { return Pos{Offset: l.off, Line: l.line, Col: l.col} }

func (l *lexer) peekByte(n int) byte {
	if l.off+n < len(l.src) {
		return l.src[l.off+n]
	}
	return 0
}

// advance moves past one rune, keeping line and column.
func (l *lexer) advance() rune {
	r, size := utf8.DecodeRuneInString(l.src[l.off:])
	l.off += size
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

func errAt(p Pos, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}
}

// skip passes white space and the three comment forms.
func (l *lexer) skip() error {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.advance()
		case c == '-' && l.peekByte(1) == '-', c == '/' && l.peekByte(1) == '/':
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.advance()
			}
		case c == '/' && l.peekByte(1) == '*':
			start := l.pos()
			l.advance()
			l.advance()
			for {
				if l.off >= len(l.src) {
					return errAt(start, "unterminated /* comment")
				}
				if l.src[l.off] == '*' && l.peekByte(1) == '/' {
					l.advance()
					l.advance()
					break
				}
				l.advance()
			}
		default:
			r, _ := utf8.DecodeRuneInString(l.src[l.off:])
			if r != utf8.RuneError && unicode.IsSpace(r) {
				l.advance()
				continue
			}
			return nil
		}
	}
	return nil
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isIdentPart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// next returns the next token.
func (l *lexer) next() (Token, error) {
	if err := l.skip(); err != nil {
		return Token{}, err
	}
	start := l.pos()
	tok := func(k TokenKind, text string) (Token, error) {
		return Token{Kind: k, Text: text, Raw: l.src[start.Offset:l.off], Pos: start}, nil
	}
	if l.off >= len(l.src) {
		return Token{Kind: TokEOF, Pos: start}, nil
	}
	c := l.src[l.off]
	switch {
	case (c == 'U' || c == 'u') && l.peekByte(1) == '&' && l.peekByte(2) == '\'':
		s, err := l.unicodeString()
		if err != nil {
			return Token{}, err
		}
		return tok(TokString, s)
	case c == '\'':
		s, err := l.quoted('\'')
		if err != nil {
			return Token{}, err
		}
		return tok(TokString, s)
	case c == '"' || c == '`':
		s, err := l.quoted(c)
		if err != nil {
			return Token{}, err
		}
		if s == "" {
			return Token{}, errAt(start, "empty quoted identifier")
		}
		return tok(TokQuotedIdent, s)
	case isDigit(c) || c == '.' && isDigit(l.peekByte(1)):
		for isDigit(l.peekByte(0)) {
			l.advance()
		}
		if l.peekByte(0) == '.' && isDigit(l.peekByte(1)) {
			l.advance()
			for isDigit(l.peekByte(0)) {
				l.advance()
			}
		}
		if e := l.peekByte(0); e == 'e' || e == 'E' {
			if isDigit(l.peekByte(1)) || (l.peekByte(1) == '+' || l.peekByte(1) == '-') && isDigit(l.peekByte(2)) {
				l.advance()
				l.advance()
				for isDigit(l.peekByte(0)) {
					l.advance()
				}
			}
		}
		return tok(TokNumber, l.src[start.Offset:l.off])
	}
	r, size := utf8.DecodeRuneInString(l.src[l.off:])
	if r == utf8.RuneError && size == 1 {
		return Token{}, errAt(start, "invalid UTF-8 byte 0x%02x", c)
	}
	if isIdentStart(r) {
		for l.off < len(l.src) {
			r, _ := utf8.DecodeRuneInString(l.src[l.off:])
			if !isIdentPart(r) {
				break
			}
			l.advance()
		}
		word := l.src[start.Offset:l.off]
		up := strings.ToUpper(word)
		if !foldable(up) {
			return Token{}, errAt(start, "identifier %q has no upper-case form; quote it", word)
		}
		return tok(TokIdent, up)
	}
	for _, op := range [...]string{"||", "::", "<>", "!=", "<=", ">="} {
		if strings.HasPrefix(l.src[l.off:], op) {
			l.advance()
			l.advance()
			return tok(TokOp, op)
		}
	}
	if strings.IndexByte("(),;.*+-/%=<>[]", c) >= 0 {
		l.advance()
		return tok(TokOp, string(c))
	}
	return Token{}, errAt(start, "unexpected character %q", r)
}

// quoted reads a literal or identifier enclosed in q, where a doubled q stands for one.
func (l *lexer) quoted(q byte) (string, error) {
	start := l.pos()
	l.advance()
	var b strings.Builder
	for {
		if l.off >= len(l.src) {
			what := "string literal"
			if q != '\'' {
				what = "quoted identifier"
			}
			return "", errAt(start, "unterminated %s", what)
		}
		c := l.src[l.off]
		if c == q {
			if l.peekByte(1) == q {
				b.WriteByte(q)
				l.advance()
				l.advance()
				continue
			}
			l.advance()
			return b.String(), nil
		}
		r, size := utf8.DecodeRuneInString(l.src[l.off:])
		if r == utf8.RuneError && size == 1 {
			return "", errAt(l.pos(), "invalid UTF-8 byte 0x%02x", c)
		}
		b.WriteString(l.src[l.off : l.off+size])
		l.advance()
	}
}

// unicodeString reads a Unicode string literal, U&'...' with an optional UESCAPE '<char>' after it, and
// returns its value. The reference's Expressions page: "u&'\0009' is a string consisting only of a tab
// character", a doubled escape character stands for itself (u&'back\\slash'), and UESCAPE names
// another escape character (u&'!0009' uescape '!' is a tab). As in SQL:2008, \+XXXXXX (six hex digits)
// also names a character; the escape character may not be a hex digit, +, a quote or white space.
func (l *lexer) unicodeString() (string, error) {
	start := l.pos()
	l.advance() // U
	l.advance() // &
	body, err := l.quoted('\'')
	if err != nil {
		return "", err
	}
	esc := '\\'
	// Look past white space and comments for UESCAPE; without it, the lexer goes back to where it was.
	save := *l
	if err := l.skip(); err != nil {
		*l = save // the next token reports it
	}
	if w := l.src[l.off:]; len(w) >= 7 && strings.EqualFold(w[:7], "UESCAPE") && (len(w) == 7 || !isIdentPartByte(w, 7)) {
		for range 7 {
			l.advance()
		}
		if err := l.skip(); err != nil {
			return "", err
		}
		escPos := l.pos()
		if l.peekByte(0) != '\'' {
			return "", errAt(escPos, "expected the escape character in quotes after UESCAPE")
		}
		e, err := l.quoted('\'')
		if err != nil {
			return "", err
		}
		r, size := utf8.DecodeRuneInString(e)
		if size == 0 || size != len(e) || r == '+' || r == '\'' || r == '"' || unicode.IsSpace(r) || isHex(r) {
			return "", errAt(escPos, "UESCAPE needs one character that is not a hex digit, +, a quote or white space")
		}
		esc = r
	} else {
		*l = save
	}
	var b strings.Builder
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		i += size
		if r != esc {
			b.WriteRune(r)
			continue
		}
		rest := body[i:]
		n, digits := 4, rest
		if strings.HasPrefix(rest, "+") {
			n, digits = 6, rest[1:]
		}
		switch {
		case strings.HasPrefix(rest, string(esc)):
			b.WriteRune(esc)
			i += len(string(esc))
		case len(digits) >= n && allHex(digits[:n]):
			v, _ := strconv.ParseUint(digits[:n], 16, 32)
			if !utf8.ValidRune(rune(v)) {
				return "", errAt(start, "U&'...' names %s%s, which is not a character", string(esc), rest[:len(rest)-len(digits)+n])
			}
			b.WriteRune(rune(v))
			i += len(rest) - len(digits) + n
		default:
			return "", errAt(start, "invalid Unicode escape in U&'...': %s must be followed by 4 hex digits, + and 6 hex digits, or itself", string(esc))
		}
	}
	return b.String(), nil
}

func isHex(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' }

func allHex(s string) bool {
	for _, r := range s {
		if !isHex(r) {
			return false
		}
	}
	return true
}

// isIdentPartByte reports whether the character at s[i] continues an identifier.
func isIdentPartByte(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isIdentPart(r)
}

// Tokenize returns the tokens of src, ending with a TokEOF token.
func Tokenize(src string) ([]Token, error) {
	l := newLexer(src)
	var toks []Token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.Kind == TokEOF {
			return toks, nil
		}
	}
}

// foldable reports whether up, an unquoted identifier folded to upper case, reads back as itself, so that the
// printer can write it unquoted.
func foldable(up string) bool {
	if up == "" || strings.ToUpper(up) != up {
		return false
	}
	for i, r := range up {
		if i == 0 && !isIdentStart(r) || !isIdentPart(r) {
			return false
		}
	}
	return true
}
