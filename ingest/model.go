package ingest

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
)

// models holds the botocore service models the wire layer is driven by. They are copied verbatim from
// botocore's data directory (botocore/data/<service>/<version>/service-2.json.gz).
//
//go:embed models/*.json.gz
var models embed.FS

// shapeType is a botocore shape type.
type shapeType uint8

const (
	typeStructure shapeType = iota + 1
	typeList
	typeMap
	typeString
	typeInteger
	typeLong
	typeDouble
	typeFloat
	typeBoolean
	typeBlob
	typeTimestamp
)

var shapeTypes = map[string]shapeType{
	"structure": typeStructure, "list": typeList, "map": typeMap, "string": typeString,
	"integer": typeInteger, "long": typeLong, "double": typeDouble, "float": typeFloat,
	"boolean": typeBoolean, "blob": typeBlob, "timestamp": typeTimestamp,
}

// shape is one botocore shape with its constraints, resolved and compiled once.
type shape struct {
	name string
	typ  shapeType

	members []*member          // structure, in model order (the order validation reports in)
	byName  map[string]*member // structure
	elem    *shape             // list
	key     *shape             // map
	value   *shape             // map

	hasMin, hasMax bool
	min, max       float64 // length for strings, lists, maps and blobs; value for numbers

	pattern *pattern // nil when none
	enum    []string // nil when none
}

// member is a structure member.
type member struct {
	name     string // as on the wire: "StreamName"
	path     string // as Coral names it in messages: "streamName"
	shape    *shape
	required bool
}

// operation's input and output shapes as the model declares them.
type opShape struct {
	name   string
	input  *shape // nil when the operation takes no input
	output *shape // nil when it returns an empty body
}

// model is a loaded botocore service model.
type model struct {
	targetPrefix string // X-Amz-Target prefix: "Kinesis_20131202"
	// javaPackage is the package of Coral's generated classes, which appear in validation messages
	// that print a list of structures: "com.amazonaws.kinesis.v20131202".
	javaPackage string
	ops         map[string]*opShape
	// unsupportedPatterns lists the shapes whose Java pattern RE2 cannot express; their pattern is not
	// checked (see compilePattern).
	unsupportedPatterns []string
}

// rawModel is the subset of service-2.json the wire layer needs.
type rawModel struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		EndpointPrefix string `json:"endpointPrefix"`
		TargetPrefix   string `json:"targetPrefix"`
		JSONVersion    string `json:"jsonVersion"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input  *struct{ Shape string } `json:"input"`
		Output *struct{ Shape string } `json:"output"`
	} `json:"operations"`
	Shapes map[string]rawShape `json:"shapes"`
}

type rawShape struct {
	Type     string   `json:"type"`
	Required []string `json:"required"`
	Members  map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member  *struct{ Shape string } `json:"member"`
	Key     *struct{ Shape string } `json:"key"`
	Value   *struct{ Shape string } `json:"value"`
	Min     *float64                `json:"min"`
	Max     *float64                `json:"max"`
	Pattern *string                 `json:"pattern"`
	Enum    []string                `json:"enum"`
}

// loadModel reads and resolves an embedded model.
func loadModel(file string) (*model, error) {
	gz, err := models.ReadFile("models/" + file)
	if err != nil {
		return nil, fmt.Errorf("read model %s: %w", file, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("read model %s: %w", file, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read model %s: %w", file, err)
	}
	return parseModel(raw)
}

func parseModel(raw []byte) (*model, error) {
	var rm rawModel
	if err := json.Unmarshal(raw, &rm); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	// Member order matters (validation messages list members in it) and encoding/json forgets map
	// order, so read each structure's member names again in document order.
	order, err := memberOrder(raw)
	if err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	m := &model{
		targetPrefix: rm.Metadata.TargetPrefix,
		javaPackage: "com.amazonaws." + rm.Metadata.EndpointPrefix + ".v" +
			strings.ReplaceAll(rm.Metadata.APIVersion, "-", ""),
		ops: make(map[string]*opShape, len(rm.Operations)),
	}
	shapes := make(map[string]*shape, len(rm.Shapes))
	for name, rs := range rm.Shapes {
		typ, ok := shapeTypes[rs.Type]
		if !ok {
			return nil, fmt.Errorf("parse model: shape %s: unknown type %q", name, rs.Type)
		}
		shapes[name] = &shape{name: name, typ: typ}
	}
	lookup := func(owner, name string) (*shape, error) {
		s, ok := shapes[name]
		if !ok {
			return nil, fmt.Errorf("parse model: shape %s refers to unknown shape %s", owner, name)
		}
		return s, nil
	}
	for name, rs := range rm.Shapes {
		s := shapes[name]
		if rs.Min != nil {
			s.hasMin, s.min = true, *rs.Min
		}
		if rs.Max != nil {
			s.hasMax, s.max = true, *rs.Max
		}
		s.enum = rs.Enum
		if rs.Pattern != nil {
			p, err := compilePattern(*rs.Pattern)
			if err != nil {
				m.unsupportedPatterns = append(m.unsupportedPatterns, name)
			} else {
				s.pattern = p
			}
		}
		switch s.typ {
		case typeStructure:
			s.byName = make(map[string]*member, len(rs.Members))
			for _, mname := range order[name] {
				rm, ok := rs.Members[mname]
				if !ok {
					continue
				}
				ms, err := lookup(name, rm.Shape)
				if err != nil {
					return nil, err
				}
				mb := &member{name: mname, path: lowerFirst(mname), shape: ms, required: slices.Contains(rs.Required, mname)}
				s.members = append(s.members, mb)
				s.byName[mname] = mb
			}
			if len(s.members) != len(rs.Members) {
				return nil, fmt.Errorf("parse model: shape %s: member order lost", name)
			}
		case typeList:
			if rs.Member == nil {
				return nil, fmt.Errorf("parse model: list %s has no member", name)
			}
			if s.elem, err = lookup(name, rs.Member.Shape); err != nil {
				return nil, err
			}
		case typeMap:
			if rs.Key == nil || rs.Value == nil {
				return nil, fmt.Errorf("parse model: map %s has no key or value", name)
			}
			if s.key, err = lookup(name, rs.Key.Shape); err != nil {
				return nil, err
			}
			if s.value, err = lookup(name, rs.Value.Shape); err != nil {
				return nil, err
			}
		}
	}
	for name, ro := range rm.Operations {
		op := &opShape{name: name}
		if ro.Input != nil {
			if op.input, err = lookup(name, ro.Input.Shape); err != nil {
				return nil, err
			}
		}
		if ro.Output != nil {
			if op.output, err = lookup(name, ro.Output.Shape); err != nil {
				return nil, err
			}
		}
		m.ops[name] = op
	}
	slices.Sort(m.unsupportedPatterns)
	return m, nil
}

// memberOrder returns, for each structure shape, its member names in document order.
func memberOrder(raw []byte) (map[string][]string, error) {
	var doc struct {
		Shapes map[string]json.RawMessage `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	order := make(map[string][]string, len(doc.Shapes))
	for name, rs := range doc.Shapes {
		var s struct {
			Members json.RawMessage `json:"members"`
		}
		if err := json.Unmarshal(rs, &s); err != nil {
			return nil, err
		}
		if len(s.Members) == 0 {
			continue
		}
		keys, err := objectKeys(s.Members)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
		order[name] = keys
	}
	return order, nil
}

// objectKeys returns the keys of a JSON object in document order.
func objectKeys(obj []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// lowerFirst is how Coral names a member in a validation message: "StreamName" → "streamName".
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// pattern is a model pattern, compiled once. Coral matches the whole value (Java's Pattern.matches).
type pattern struct {
	src  string
	re   *regexp.Regexp
	kind patternKind // a hand-written matcher equivalent to re, for the patterns on the hot path
}

type patternKind uint8

const (
	patternRegexp    patternKind = iota
	patternName                  // [a-zA-Z0-9_.-]+
	patternHashKey               // 0|([1-9]\d{0,38})
	patternSeqNumber             // 0|([1-9]\d{0,128})
)

// match reports whether the whole of s matches. It takes bytes as well as strings so that the fast
// path can check values without copying them.
func match[T ~string | ~[]byte](p *pattern, s T) bool {
	switch p.kind {
	case patternName:
		return isNameChars(s)
	case patternHashKey:
		return isDecimal(s, 39)
	case patternSeqNumber:
		return isDecimal(s, 129)
	}
	switch v := any(s).(type) {
	case []byte:
		return p.re.Match(v)
	default:
		return p.re.MatchString(string(s))
	}
}

// javaEscape matches the Java-only \uXXXX escapes that RE2 spells \x{XXXX}.
var javaEscape = regexp.MustCompile(`\\u([0-9a-fA-F]{4})`)

// javaPossessive matches a possessive counted repetition (\d{12}+, found in AWS models), which RE2 lacks;
// an exact count cannot backtrack anyway, so the plain form accepts the same strings.
var javaPossessive = regexp.MustCompile(`(\{[0-9]+\})\+`)

// compilePattern compiles a model's Java regular expression as an anchored RE2 one. Patterns RE2
// cannot express (look-around) return an error; their constraint is then not checked, which only
// lets through values AWS would reject.
func compilePattern(src string) (*pattern, error) {
	expr := javaEscape.ReplaceAllString(src, `\x{$1}`)
	expr = javaPossessive.ReplaceAllString(expr, "$1")
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, err
	}
	p := &pattern{src: src, re: re}
	switch src {
	case `[a-zA-Z0-9_.-]+`:
		p.kind = patternName
	case `0|([1-9]\d{0,38})`:
		p.kind = patternHashKey
	case `0|([1-9]\d{0,128})`:
		p.kind = patternSeqNumber
	}
	return p, nil
}

// isNameChars reports whether s matches [a-zA-Z0-9_.-]+, the pattern of stream, shard and consumer
// names.
func isNameChars[T ~string | ~[]byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// isDecimal reports whether s matches 0|([1-9]\d{0,maxDigits-1}): a decimal without leading zeros.
func isDecimal[T ~string | ~[]byte](s T, maxDigits int) bool {
	if len(s) == 0 || len(s) > maxDigits || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// lengthOK reports whether n satisfies the shape's length bounds.
func (s *shape) lengthOK(n int) bool {
	return (!s.hasMin || float64(n) >= s.min) && (!s.hasMax || float64(n) <= s.max)
}

// validText reports whether v, valid UTF-8, satisfies every constraint of a string shape. The fast
// paths use it to decide whether the generic path (which words the errors) must take over.
func validText[T ~string | ~[]byte](s *shape, v T) bool {
	if !s.lengthOK(utf16Len(v)) {
		return false
	}
	if s.pattern != nil && !match(s.pattern, v) {
		return false
	}
	if s.enum == nil {
		return true
	}
	for _, e := range s.enum {
		if string(v) == e {
			return true
		}
	}
	return false
}

// formatBound prints a constraint bound as Coral does: an integer without a fraction.
func formatBound(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e18 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%g", v)
}
