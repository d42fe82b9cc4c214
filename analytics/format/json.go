package format

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON scanner works on the record's bytes by offset: it finds the spans of the values the
// columns map to and validates what it skips, without building a tree. encoding/json would decode
// every member of every record into interfaces; a record of 100 bytes maps in a fraction of that.

// tokKind is the JSON type of a value found for a column.
type tokKind uint8

const (
	tokMissing tokKind = iota // the path matched nothing: NULL
	tokNull
	tokTrue
	tokFalse
	tokNumber
	tokString // start/end exclude the quotes
	tokObject
	tokArray
)

// tok is where a column's value lies in the record.
type tok struct {
	kind       tokKind
	esc        bool // a string with escapes: it must be decoded, not sliced
	start, end int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// scanString reads the string whose opening quote is at b[i]. It returns the offset after the closing
// quote, whether the string has escapes, and false if it is not a valid JSON string.
func scanString(b []byte, i int) (int, bool, bool) {
	i++
	esc := false
	// Eight bytes at a time while none is a quote, a backslash or a control character.
	for i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		q := w ^ 0x2222222222222222  // zero where '"'
		bs := w ^ 0x5c5c5c5c5c5c5c5c // zero where '\\'
		special := (q-lsb)&^q | (bs-lsb)&^bs | (w-0x2020202020202020)&^w
		if special&msb != 0 {
			break
		}
		i += 8
	}
	for i < len(b) {
		c := b[i]
		if plain[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1, esc, true
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return 0, false, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return 0, false, false
				}
				for _, h := range b[i+2 : i+6] {
					if unhex(h) < 0 {
						return 0, false, false
					}
				}
				i += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default:
			i++
		}
	}
	return 0, false, false
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plain marks the bytes a JSON string holds as they are: all but the quote, the backslash and
// control characters. One load per byte keeps scanString's loop short.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// scanNumber reads a JSON number starting at b[i]; it returns the offset after it, or false.
func scanNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return 0, false
	}
	switch {
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == j {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == j {
			return 0, false
		}
	}
	return i, true
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// scalar reads a string, number or literal at b[i] (i is not on space).
func scalar(b []byte, i int) (tok, int, bool) {
	if i >= len(b) {
		return tok{}, 0, false
	}
	switch c := b[i]; {
	case c == '"':
		end, esc, ok := scanString(b, i)
		return tok{kind: tokString, esc: esc, start: i + 1, end: end - 1}, end, ok
	case c == '-' || '0' <= c && c <= '9':
		end, ok := scanNumber(b, i)
		return tok{kind: tokNumber, start: i, end: end}, end, ok
	case c == 't' && hasLiteral(b, i, "true"):
		return tok{kind: tokTrue, start: i, end: i + 4}, i + 4, true
	case c == 'f' && hasLiteral(b, i, "false"):
		return tok{kind: tokFalse, start: i, end: i + 5}, i + 5, true
	case c == 'n' && hasLiteral(b, i, "null"):
		return tok{kind: tokNull, start: i, end: i + 4}, i + 4, true
	}
	return tok{}, 0, false
}

// skipValue validates and steps over the value at b[i] (i is not on space), however deep, without
// recursion: stack holds the open containers and is reused between calls.
func skipValue(b []byte, i int, stack []byte) (int, []byte, bool) {
	stack = stack[:0]
	for {
		// A value is expected at i.
		if i >= len(b) {
			return 0, stack, false
		}
		switch b[i] {
		case '{', '[':
			open := b[i]
			stack = append(stack, open)
			i = skipSpace(b, i+1)
			if i < len(b) && (open == '{' && b[i] == '}' || open == '[' && b[i] == ']') {
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if open == '{' {
				var ok bool
				if i, ok = objectKey(b, i); !ok {
					return 0, stack, false
				}
			}
			continue
		default:
			_, end, ok := scalar(b, i)
			if !ok {
				return 0, stack, false
			}
			i = end
		}
		// A value ended at i: close containers or move to the next element.
		for {
			if len(stack) == 0 {
				return i, stack, true
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return 0, stack, false
			}
			top := stack[len(stack)-1]
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				if top == '{' {
					var ok bool
					if i, ok = objectKey(b, i); !ok {
						return 0, stack, false
					}
				}
				break
			}
			if top == '{' && b[i] == '}' || top == '[' && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return 0, stack, false
		}
	}
}

// objectKey reads `"key" :` at b[i] and returns the offset of the value after it.
func objectKey(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	end, _, ok := scanString(b, i)
	if !ok {
		return 0, false
	}
	i = skipSpace(b, end)
	if i >= len(b) || b[i] != ':' {
		return 0, false
	}
	return skipSpace(b, i+1), true
}

// appendUnquoted decodes the body of a JSON string with escapes (validated by scanString).
func appendUnquoted(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return dst
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+6 > len(s) {
				return dst
			}
			r := rune(hex4(s[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, rune(hex4(s[i+2:i+6]))); r2 != utf8.RuneError {
						dst = utf8.AppendRune(dst, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // " \ /
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}

func hex4(h []byte) int {
	n := 0
	for _, c := range h {
		n = n<<4 | unhex(c)
	}
	return n
}

// appendCompact appends a validated JSON value without the white space between its tokens: KDA
// gives an array or object mapped to VARCHAR as compact text (about-json-path.html, $.orders[0:]).
func appendCompact(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpace(c) {
			continue
		}
		if c == '"' {
			end, _, ok := scanString(s, i)
			if !ok {
				end = len(s)
			}
			dst = append(dst, s[i:end]...)
			i = end - 1
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// hasSpaceOutsideStrings reports whether appendCompact would change s.
func hasSpaceOutsideStrings(s []byte) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpace(c) {
			return true
		}
		if c == '"' {
			end, _, ok := scanString(s, i)
			if !ok {
				return false
			}
			i = end - 1
		}
	}
	return false
}
