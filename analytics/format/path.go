package format

import (
	"fmt"
	"strconv"
	"strings"
)

// A step is one hop of a JSONPath: a member name, an array index, or the array wildcard [0:].
type step struct {
	key   string
	index int // >= 0 for [n]
	kind  stepKind
}

type stepKind uint8

const (
	stepKey stepKind = iota
	stepIndex
	stepAll // [0:]: every element
)

// parsePath parses the JSONPath subset KDA accepts: $ followed by .name, ['name'], [n] and [0:]
// (about-json-path.html: "Currently, the only index expression supported is 0:"; explicit indexes
// such as $.a[0] are accepted too, as discovery and the forum announcement of JSON support describe).
// [*] is read as [0:]. Filters, recursive descent and slices other than 0: are refused: KDA refuses
// them, and accepting them would map records differently from the service.
func parsePath(p string) ([]step, error) {
	if p == "" {
		return nil, fmt.Errorf("empty JSONPath")
	}
	if p[0] != '$' {
		return nil, fmt.Errorf("JSONPath %q does not start with $", p)
	}
	var steps []step
	i := 1
	for i < len(p) {
		switch p[i] {
		case '.':
			i++
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("JSONPath %q has an empty member name at offset %d", p, i)
			}
			name := p[i:j]
			if name == "*" || strings.HasPrefix(name, ".") {
				return nil, fmt.Errorf("JSONPath %q: wildcards and recursive descent are not supported", p)
			}
			steps = append(steps, step{key: name, kind: stepKey})
			i = j
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("JSONPath %q has an unclosed [", p)
			}
			in := strings.TrimSpace(p[i+1 : i+end])
			i += end + 1
			switch {
			case in == "0:" || in == "*":
				steps = append(steps, step{kind: stepAll})
			case len(in) >= 2 && (in[0] == '\'' && in[len(in)-1] == '\'' || in[0] == '"' && in[len(in)-1] == '"'):
				if len(in) == 2 {
					return nil, fmt.Errorf("JSONPath %q has an empty member name", p)
				}
				steps = append(steps, step{key: in[1 : len(in)-1], kind: stepKey})
			default:
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 || in[0] == '+' {
					return nil, fmt.Errorf("JSONPath %q: index [%s] is not supported (only [n] and [0:])", p, in)
				}
				steps = append(steps, step{index: n, kind: stepIndex})
			}
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q at offset %d", p, p[i], i)
		}
	}
	return steps, nil
}

// pathString writes steps back as a JSONPath, the form Discover returns.
func pathString(steps []step) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range steps {
		switch s.kind {
		case stepKey:
			if strings.ContainsAny(s.key, ".[]'") {
				b.WriteString("['" + s.key + "']")
			} else {
				b.WriteByte('.')
				b.WriteString(s.key)
			}
		case stepIndex:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case stepAll:
			b.WriteString("[0:]")
		}
	}
	return b.String()
}
