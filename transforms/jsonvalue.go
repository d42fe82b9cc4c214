package transforms

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// parseJSON decodes a record holding one JSON value (with optional white space around it) into
// the values gojq takes: map[string]any, []any, string, json.Number (so integers keep all their
// digits), bool and nil. It gives what encoding/json's Decoder with UseNumber gives, and fails
// where json.Valid fails (FuzzParseJSON checks both), at several times its speed: the record is
// copied into one string once, and every key, string and number without escapes is a substring
// of it rather than an allocation of its own. Strings with escapes or invalid UTF-8, rare in
// practice, are handed to encoding/json so that their decoding is exactly its own.
func parseJSON(record []byte) (any, error) {
	p := jsonParser{s: string(record)}
	p.skipSpace()
	v, err := p.value(0)
	if err == nil {
		p.skipSpace()
		if p.i < len(p.s) {
			err = fmt.Errorf("data after the JSON value at offset %d", p.i)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	return v, nil
}

// maxJSONDepth bounds nesting, as encoding/json does (10000), so a hostile record cannot exhaust
// the stack.
const maxJSONDepth = 10000

type jsonParser struct {
	s string
	i int
}

var errJSONSyntax = errors.New("invalid JSON")

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if p.i >= len(p.s) {
		return nil, errors.New("unexpected end of JSON")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		if err := p.number(); err != nil {
			return nil, err
		}
		return json.Number(p.s[start:p.i]), nil
	case p.literal("true"):
		return true, nil
	case p.literal("false"):
		return false, nil
	case p.literal("null"):
		return nil, nil
	}
	return nil, fmt.Errorf("%w: unexpected %q at offset %d", errJSONSyntax, p.s[p.i], p.i)
}

func (p *jsonParser) literal(lit string) bool {
	if len(p.s)-p.i >= len(lit) && p.s[p.i:p.i+len(lit)] == lit {
		p.i += len(lit)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	p.i++ // {
	m := make(map[string]any)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, fmt.Errorf("%w: object key expected at offset %d", errJSONSyntax, p.i)
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, fmt.Errorf("%w: ':' expected at offset %d", errJSONSyntax, p.i)
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		m[k] = v // the last of duplicate keys wins, as in encoding/json
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, errors.New("unexpected end of JSON")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case '}':
			p.i++
			return m, nil
		default:
			return nil, fmt.Errorf("%w: ',' or '}' expected at offset %d", errJSONSyntax, p.i)
		}
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	p.i++ // [
	a := []any{}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, errors.New("unexpected end of JSON")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case ']':
			p.i++
			return a, nil
		default:
			return nil, fmt.Errorf("%w: ',' or ']' expected at offset %d", errJSONSyntax, p.i)
		}
	}
}

// string decodes the string at p.i (its opening quote).
func (p *jsonParser) string() (string, error) {
	start := p.i
	p.i++
	plain := true // no escapes, valid UTF-8: the substring itself
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			if plain {
				return p.s[start+1 : p.i-1], nil
			}
			var s string
			if err := json.Unmarshal([]byte(p.s[start:p.i]), &s); err != nil {
				return "", err
			}
			return s, nil
		case c == '\\':
			plain = false
			if err := p.escape(); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", fmt.Errorf("%w: control character in string at offset %d", errJSONSyntax, p.i)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && n == 1 {
				plain = false // encoding/json turns invalid UTF-8 into U+FFFD
			}
			p.i += n
		default:
			p.i++
		}
	}
	return "", errors.New("unexpected end of JSON in a string")
}

// number moves past the JSON number at p.i, checking its grammar:
//
//	-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (p *jsonParser) number() error {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.i < len(p.s) && p.s[p.i] >= '1' && p.s[p.i] <= '9':
		p.digits()
	default:
		return fmt.Errorf("%w: bad number at offset %d", errJSONSyntax, start)
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return fmt.Errorf("%w: bad number at offset %d", errJSONSyntax, start)
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return fmt.Errorf("%w: bad number at offset %d", errJSONSyntax, start)
		}
	}
	return nil
}

func (p *jsonParser) digits() int {
	n := 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// parseJSONFields is parseJSON for a query that reads only the given top-level fields of its
// input (see queryFields): when the record is an object, the other members are checked but not
// built, which saves most of the parsing's allocations. It fails exactly where parseJSON fails; a
// record that is not an object is parsed whole.
func parseJSONFields(record []byte, fields map[string]struct{}) (any, error) {
	p := jsonParser{s: string(record)}
	p.skipSpace()
	var v any
	var err error
	if p.i < len(p.s) && p.s[p.i] == '{' {
		v, err = p.objectFields(fields)
	} else {
		v, err = p.value(0)
	}
	if err == nil {
		p.skipSpace()
		if p.i < len(p.s) {
			err = fmt.Errorf("data after the JSON value at offset %d", p.i)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	return v, nil
}

// objectFields is object for the top level of parseJSONFields.
func (p *jsonParser) objectFields(fields map[string]struct{}) (any, error) {
	p.i++ // {
	m := make(map[string]any, len(fields))
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, fmt.Errorf("%w: object key expected at offset %d", errJSONSyntax, p.i)
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, fmt.Errorf("%w: ':' expected at offset %d", errJSONSyntax, p.i)
		}
		p.i++
		p.skipSpace()
		if _, ok := fields[k]; ok {
			v, err := p.value(1)
			if err != nil {
				return nil, err
			}
			m[k] = v
		} else if err := p.skip(1); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, errors.New("unexpected end of JSON")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.skipSpace()
		case '}':
			p.i++
			return m, nil
		default:
			return nil, fmt.Errorf("%w: ',' or '}' expected at offset %d", errJSONSyntax, p.i)
		}
	}
}

// skip moves past the JSON value at p.i, checking it as value would, without building it.
func (p *jsonParser) skip(depth int) error {
	if p.i >= len(p.s) {
		return errors.New("unexpected end of JSON")
	}
	switch c := p.s[p.i]; {
	case c == '{' || c == '[':
		if depth+1 > maxJSONDepth {
			return errors.New("JSON nested too deeply")
		}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		p.i++
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			return nil
		}
		for {
			if end == '}' {
				if p.i >= len(p.s) || p.s[p.i] != '"' {
					return fmt.Errorf("%w: object key expected at offset %d", errJSONSyntax, p.i)
				}
				if err := p.skipString(); err != nil {
					return err
				}
				p.skipSpace()
				if p.i >= len(p.s) || p.s[p.i] != ':' {
					return fmt.Errorf("%w: ':' expected at offset %d", errJSONSyntax, p.i)
				}
				p.i++
				p.skipSpace()
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.skipSpace()
			if p.i >= len(p.s) {
				return errors.New("unexpected end of JSON")
			}
			switch p.s[p.i] {
			case ',':
				p.i++
				p.skipSpace()
			case end:
				p.i++
				return nil
			default:
				return fmt.Errorf("%w: ',' or %q expected at offset %d", errJSONSyntax, end, p.i)
			}
		}
	case c == '"':
		return p.skipString()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case p.literal("true"), p.literal("false"), p.literal("null"):
		return nil
	}
	return fmt.Errorf("%w: unexpected %q at offset %d", errJSONSyntax, p.s[p.i], p.i)
}

// skipString moves past the string at p.i, checking what encoding/json checks: no control
// characters, and valid escapes. (Invalid UTF-8 is accepted, as encoding/json accepts it.)
func (p *jsonParser) skipString() error {
	p.i++
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return nil
		case c == '\\':
			if err := p.escape(); err != nil {
				return err
			}
		case c < 0x20:
			return fmt.Errorf("%w: control character in string at offset %d", errJSONSyntax, p.i)
		default:
			p.i++
		}
	}
	return errors.New("unexpected end of JSON in a string")
}

// escape moves past the escape sequence at p.i (its backslash), checking it.
func (p *jsonParser) escape() error {
	if p.i+1 >= len(p.s) {
		return errors.New("unexpected end of JSON in a string")
	}
	switch p.s[p.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.i += 2
	case 'u':
		if len(p.s)-p.i < 6 || !isHex4(p.s[p.i+2:p.i+6]) {
			return fmt.Errorf("%w: bad \\u escape at offset %d", errJSONSyntax, p.i)
		}
		p.i += 6
	default:
		return fmt.Errorf("%w: bad escape at offset %d", errJSONSyntax, p.i)
	}
	return nil
}

func isHex4(s string) bool {
	for i := range 4 {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
