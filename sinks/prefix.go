package sinks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // CustomTimeZone names must resolve on hosts without a zoneinfo database
)

// Firehose's object names (FIREHOSE.md §5): <evaluated prefix><suffix>, the suffix being
// <stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<id><extension>. A prefix is literal text with
// !{namespace:value} expressions:
//
//	!{timestamp:<Java DateTimeFormatter pattern>}   the oldest record's arrival, in CustomTimeZone
//	!{firehose:random-string}                        11 characters, new for every occurrence
//	!{firehose:error-output-type}                    ErrorOutputPrefix only: processing-failed, ...
//	!{partitionKeyFromQuery:<key>}                   dynamic partitioning: a MetadataExtraction key
//	!{partitionKeyFromLambda:<key>}                  dynamic partitioning: a Lambda's key (refused)
//
// Prefixes are parsed once (ParsePrefix, NewKeys) and evaluated per object without reparsing. Every
// value an evaluation uses comes from the object's log range (its oldest arrival, its id, its
// partition), random strings included, so an object's key is a pure function of what it holds.

// PrefixError is a Prefix or ErrorOutputPrefix that Firehose refuses (an InvalidArgumentException),
// worded as Firehose words it.
type PrefixError struct{ Msg string }

func (e *PrefixError) Error() string { return e.Msg }

func prefixErrorf(format string, args ...any) *PrefixError {
	if len(args) == 0 {
		return &PrefixError{Msg: format}
	}
	return &PrefixError{Msg: fmt.Sprintf(format, args...)}
}

// constraint words the rules that AWS reports through its prefix-constraint validator. The typo is
// AWS's own ("Ths supplied prefix(es) ...", seen in 2019 and 2020 error reports).
func constraint(rule string) *PrefixError {
	return &PrefixError{Msg: "Ths supplied prefix(es) do not satisfy the following constraint: " + rule}
}

// Expression namespaces and the firehose namespace's values.
const (
	nsTimestamp       = "timestamp"
	nsFirehose        = "firehose"
	nsPartitionQuery  = "partitionKeyFromQuery"
	nsPartitionLambda = "partitionKeyFromLambda"

	RandomString    = "random-string"
	ErrorOutputType = "error-output-type"
)

// MaxEvaluatedPrefix is the longest an evaluated Prefix or ErrorOutputPrefix may be.
const MaxEvaluatedPrefix = 512

type partKind uint8

const (
	partLiteral partKind = iota
	partTimestamp
	partRandom
	partErrorType
	partQueryKey
	partLambdaKey
)

type prefixPart struct {
	kind   partKind
	text   string    // literal text, or the partition key's name
	layout []tsToken // partTimestamp
}

// Prefix is a parsed Prefix or ErrorOutputPrefix.
type Prefix struct {
	src   string
	parts []prefixPart
}

// ParsePrefix parses s, the value of field ("Prefix" or "ErrorOutputPrefix", which the messages
// name). It checks the syntax only; NewKeys checks the rules between fields.
func ParsePrefix(field, s string) (*Prefix, error) {
	p := &Prefix{src: s}
	lit := 0 // start of the pending literal
	for i := 0; i < len(s); {
		if !strings.HasPrefix(s[i:], "!{") {
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, prefixErrorf("Invalid expression usage")
		}
		expr := s[i+2 : i+end]
		ns, value, ok := strings.Cut(expr, ":")
		if !ok || ns == "" || value == "" || strings.Contains(expr, "!{") {
			return nil, prefixErrorf("Invalid expression usage")
		}
		if lit < i {
			p.parts = append(p.parts, prefixPart{kind: partLiteral, text: s[lit:i]})
		}
		part, err := parseExpression(field, ns, value)
		if err != nil {
			return nil, err
		}
		p.parts = append(p.parts, part)
		i += end + 1
		lit = i
	}
	if lit < len(s) {
		p.parts = append(p.parts, prefixPart{kind: partLiteral, text: s[lit:]})
	}
	return p, nil
}

func parseExpression(field, ns, value string) (prefixPart, error) {
	badValue := prefixErrorf("Invalid conversion character used in the value of the expression in %s", field)
	switch ns {
	case nsTimestamp:
		layout, err := parseJavaPattern(value)
		if err != nil {
			if _, ok := err.(*unsupportedLetter); ok {
				return prefixPart{}, prefixErrorf("Hydrant does not support the pattern letter %s in the value of the "+
					"expression in %s", err.Error(), field)
			}
			return prefixPart{}, badValue
		}
		return prefixPart{kind: partTimestamp, text: value, layout: layout}, nil
	case nsFirehose:
		switch value {
		case RandomString:
			return prefixPart{kind: partRandom}, nil
		case ErrorOutputType:
			return prefixPart{kind: partErrorType}, nil
		}
		return prefixPart{}, badValue
	case nsPartitionQuery:
		return prefixPart{kind: partQueryKey, text: value}, nil
	case nsPartitionLambda:
		return prefixPart{kind: partLambdaKey, text: value}, nil
	}
	return prefixPart{}, prefixErrorf("Namespace to the left of colon (%s) is an invalid keyword!", ns)
}

// String returns the prefix as written.
func (p *Prefix) String() string { return p.src }

func (p *Prefix) has(k partKind) bool {
	for _, part := range p.parts {
		if part.kind == k {
			return true
		}
	}
	return false
}

// HasExpressions reports whether the prefix has any !{...} expression.
func (p *Prefix) HasExpressions() bool {
	for _, part := range p.parts {
		if part.kind != partLiteral {
			return true
		}
	}
	return false
}

// HasTimestamp reports whether the prefix has a !{timestamp:...} expression.
func (p *Prefix) HasTimestamp() bool { return p.has(partTimestamp) }

// HasPartitionKeys reports whether the prefix uses a dynamic partitioning namespace.
func (p *Prefix) HasPartitionKeys() bool { return p.has(partQueryKey) || p.has(partLambdaKey) }

// QueryKeys returns the names used with !{partitionKeyFromQuery:...}, in order of first use.
func (p *Prefix) QueryKeys() []string {
	var keys []string
	for _, part := range p.parts {
		if part.kind == partQueryKey && !contains(keys, part.text) {
			keys = append(keys, part.text)
		}
	}
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// minLength is the least an evaluation can yield: the literal text, one character per partition key,
// the shortest timestamp and error type, 11 per random string.
func (p *Prefix) minLength() int {
	n := 0
	for _, part := range p.parts {
		switch part.kind {
		case partLiteral:
			n += len(part.text)
		case partRandom:
			n += randomStringLen
		default:
			n++
		}
	}
	return n
}

// Values are what one evaluation of a prefix takes from its object.
type Values struct {
	Time            time.Time // the oldest record's arrival, already in the delivery's time zone
	Seed            string    // random strings derive from it; an object's id serves
	ErrorOutputType string    // the !{firehose:error-output-type} of an error object
	// PartitionKey returns a partition key's value (dynamic partitioning); nil when there are none.
	PartitionKey func(name string) string
}

// AppendEval appends the prefix evaluated for v.
func (p *Prefix) AppendEval(dst []byte, v *Values) []byte {
	random := 0
	for _, part := range p.parts {
		switch part.kind {
		case partLiteral:
			dst = append(dst, part.text...)
		case partTimestamp:
			dst = appendJavaTime(dst, part.layout, v.Time)
		case partRandom:
			dst = appendRandomString(dst, v.Seed, random)
			random++
		case partErrorType:
			dst = append(dst, v.ErrorOutputType...)
		case partQueryKey, partLambdaKey:
			if v.PartitionKey != nil {
				dst = append(dst, v.PartitionKey(part.text)...)
			}
		}
	}
	return dst
}

const randomStringLen = 11

// appendRandomString appends the n-th random string of an evaluation: 11 characters shaped like those
// Firehose writes (the head of a UUID, "046b6c7f-0b"), derived from seed so that a replay names the
// object the same.
func appendRandomString(dst []byte, seed string, n int) []byte {
	h := sha256.Sum256([]byte("random-string\x00" + strconv.Itoa(n) + "\x00" + seed))
	var x [10]byte
	hex.Encode(x[:], h[:5])
	dst = append(dst, x[:8]...)
	dst = append(dst, '-')
	return append(dst, x[8:10]...)
}

// KeyConfig is what names a delivery's objects.
type KeyConfig struct {
	Prefix              string
	ErrorOutputPrefix   string
	DynamicPartitioning bool
	CustomTimeZone      string // IANA name; "" means UTC
}

// Keys names a delivery's objects. It is immutable and safe for concurrent use.
type Keys struct {
	prefix      *Prefix
	errorPrefix *Prefix // nil when ErrorOutputPrefix is empty
	loc         *time.Location
	// appendTime: the Prefix has no timestamp (nor partition key) expression, so Firehose appends
	// yyyy/MM/dd/HH/ to it.
	appendTime bool
}

// NewKeys parses and validates a destination's prefixes and time zone as Firehose does at
// CreateDeliveryStream and UpdateDestination. Its errors are *PrefixError.
func NewKeys(c KeyConfig) (*Keys, error) {
	prefix, err := ParsePrefix("Prefix", c.Prefix)
	if err != nil {
		return nil, err
	}
	errPrefix, err := ParsePrefix("ErrorOutputPrefix", c.ErrorOutputPrefix)
	if err != nil {
		return nil, err
	}
	if prefix.has(partErrorType) {
		return nil, constraint("Prefix must not contain any occurrence of !{firehose:error-output-type}")
	}
	if prefix.HasExpressions() && c.ErrorOutputPrefix == "" {
		return nil, constraint("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")
	}
	if errPrefix.HasExpressions() && !errPrefix.has(partErrorType) {
		return nil, constraint("ErrorOutputPrefix must contain at least one occurrence of !{firehose:error-output-type}")
	}
	if errPrefix.HasPartitionKeys() {
		return nil, prefixErrorf("Dynamic Partitioning Namespaces can't be part of an error prefix expression")
	}
	if c.DynamicPartitioning && !prefix.HasPartitionKeys() {
		return nil, prefixErrorf("S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled")
	}
	if !c.DynamicPartitioning && prefix.HasPartitionKeys() {
		return nil, prefixErrorf("Dynamic Partitioning Namespaces can only be used when Dynamic Partitioning is enabled")
	}
	for _, part := range prefix.parts {
		if part.kind == partLambdaKey {
			return nil, prefixErrorf("Hydrant does not run Lambda functions, so !{partitionKeyFromLambda:%s} cannot be "+
				"evaluated: use !{partitionKeyFromQuery:%s} with a MetadataExtraction processor", part.text, part.text)
		}
	}
	if prefix.minLength() > MaxEvaluatedPrefix {
		return nil, prefixErrorf("Length of evaluated prefix cannot be greater than %d", MaxEvaluatedPrefix)
	}
	if errPrefix.minLength() > MaxEvaluatedPrefix {
		return nil, prefixErrorf("Length of evaluated ErrorOutputPrefix cannot be greater than %d", MaxEvaluatedPrefix)
	}
	loc, err := LoadTimeZone(c.CustomTimeZone)
	if err != nil {
		return nil, err
	}
	k := &Keys{prefix: prefix, loc: loc, appendTime: !prefix.HasTimestamp() && !prefix.HasPartitionKeys()}
	if c.ErrorOutputPrefix != "" {
		k.errorPrefix = errPrefix
	}
	return k, nil
}

// LoadTimeZone resolves a CustomTimeZone: "" is UTC.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	bad := prefixErrorf("CustomTimeZone %s is not a supported time zone: use an IANA time zone name such as "+
		"Asia/Tokyo, or UTC", name)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '_') {
			return nil, bad
		}
	}
	if name == "Local" {
		return nil, bad // Go's name for the host's zone, which would make keys depend on the host
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bad
	}
	return loc, nil
}

// Location is the time zone of the delivery's timestamps.
func (k *Keys) Location() *time.Location { return k.loc }

// ObjectName is what names one object. Every field is a function of the object's log range.
type ObjectName struct {
	Stream  string    // the delivery stream's name
	Version int64     // the delivery stream's version id
	Oldest  time.Time // arrival of the object's oldest record
	ID      string    // the object's id, derived from its range (a UUID's shape, as Firehose's)
	// PartitionKey returns a partition key's value, for dynamic partitioning; nil otherwise.
	PartitionKey func(name string) string
	Extension    string // ".gz", FileExtension, ...; "" for none
}

// ErrPrefixTooLong is returned for an object whose evaluated prefix (its partition keys can make it
// long) exceeds MaxEvaluatedPrefix; such records belong in the error output.
var ErrPrefixTooLong = &PrefixError{Msg: "Length of evaluated prefix cannot be greater than 512"}

// Key returns the key of a records object:
// <prefix>[yyyy/MM/dd/HH/]<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id><extension>, the date
// directories appended when the Prefix has no timestamp (nor partition key) expression, as Firehose
// does (an empty Prefix gives the default yyyy/MM/dd/HH/).
func (k *Keys) Key(o *ObjectName) (string, error) {
	t := o.Oldest.In(k.loc)
	v := Values{Time: t, Seed: o.ID, PartitionKey: o.PartitionKey}
	b := make([]byte, 0, 128)
	b = k.prefix.AppendEval(b, &v)
	if k.appendTime {
		b = appendDateDirs(b, t)
	}
	if len(b) > MaxEvaluatedPrefix {
		return "", ErrPrefixTooLong
	}
	return string(appendSuffix(b, o, t)), nil
}

// ErrorKey returns the key of an error object whose records failed with errorOutputType
// ("processing-failed", ...). With no ErrorOutputPrefix (allowed only when the Prefix has no
// expressions) it is <Prefix><errorOutputType>/yyyy/MM/dd/HH/ (the guide's rule and example disagree
// on the slash after the type; Hydrant puts one, as the example shows).
func (k *Keys) ErrorKey(o *ObjectName, errorOutputType string) (string, error) {
	t := o.Oldest.In(k.loc)
	b := make([]byte, 0, 128)
	if k.errorPrefix != nil {
		v := Values{Time: t, Seed: o.ID, ErrorOutputType: errorOutputType}
		b = k.errorPrefix.AppendEval(b, &v)
	} else {
		b = append(b, k.prefix.src...)
		b = append(b, errorOutputType...)
		b = append(b, '/')
		b = appendDateDirs(b, t)
	}
	if len(b) > MaxEvaluatedPrefix {
		return "", &PrefixError{Msg: "Length of evaluated ErrorOutputPrefix cannot be greater than 512"}
	}
	return string(appendSuffix(b, o, t)), nil
}

// appendDateDirs appends yyyy/MM/dd/HH/.
func appendDateDirs(b []byte, t time.Time) []byte {
	b = appendPadded(b, t.Year(), 4)
	b = append(b, '/')
	b = appendPadded(b, int(t.Month()), 2)
	b = append(b, '/')
	b = appendPadded(b, t.Day(), 2)
	b = append(b, '/')
	b = appendPadded(b, t.Hour(), 2)
	return append(b, '/')
}

// appendSuffix appends <stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<id><extension>.
func appendSuffix(b []byte, o *ObjectName, t time.Time) []byte {
	b = append(b, o.Stream...)
	b = append(b, '-')
	b = strconv.AppendInt(b, o.Version, 10)
	for i, n := range [6]int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()} {
		b = append(b, '-')
		w := 2
		if i == 0 {
			w = 4
		}
		b = appendPadded(b, n, w)
	}
	b = append(b, '-')
	b = append(b, o.ID...)
	return append(b, o.Extension...)
}

// ObjectID derives an object id shaped like the UUID Firehose puts at the end of a name (a version 8,
// name-based UUID) from what identifies the object: its delivery, range, partition, error type.
func ObjectID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], u[10:16])
	return string(s[:])
}

// appendPadded appends n in decimal, zero-padded to width digits (a minus sign does not count).
func appendPadded(b []byte, n, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// The timestamp namespace takes a Java DateTimeFormatter pattern (java.time.format), formatted as
// Java does in an English locale (Locale.US: weeks start on Sunday, week 1 holds January 1). Letters
// are fields, repeated for width or style; text in single quotes is literal ('' is a quote); other
// characters are literal; [ ] (optional sections) always print, since every field is known. Letters
// that are no pattern letter are refused, as are V and p, which Firehose refuses too (probed over
// all 52 ASCII letters: C I J P R T U V b f i j l o p r t fail), and the reserved # { }.

// tsToken is one element of a compiled pattern: a field letter repeated count times, or literal text.
type tsToken struct {
	letter byte // 0 for literal text
	count  int
	text   string
}

// unsupportedLetter is a letter Java formats but Hydrant does not (B, the day period).
type unsupportedLetter struct{ letter byte }

func (e *unsupportedLetter) Error() string { return string(e.letter) }

type patternError struct{}

func (patternError) Error() string { return "invalid pattern" }

// maxLetters is, per pattern letter, the most repetitions Java accepts (0: any number).
var maxLetters = [128]int8{
	'G': 5, 'u': 0, 'y': 0, 'Y': 0, 'D': 3, 'M': 5, 'L': 5, 'd': 2, 'Q': 5, 'q': 5, 'w': 2, 'W': 1,
	'E': 5, 'e': 5, 'c': 5, 'F': 1, 'a': 1, 'h': 2, 'K': 2, 'k': 2, 'H': 2, 'm': 2, 's': 2, 'S': 0,
	'A': 0, 'n': 0, 'N': 0, 'z': 4, 'Z': 5, 'O': 4, 'X': 5, 'x': 5, 'v': 4, 'g': 0, 'B': 5,
}

// patternLetters are the letters a pattern may use.
const patternLetters = "GuyYDMLdQqwWEecFahKkHmsSAnNzZOXxvgB"

func parseJavaPattern(p string) ([]tsToken, error) {
	var out []tsToken
	lit := func(s string) {
		if n := len(out); n > 0 && out[n-1].letter == 0 {
			out[n-1].text += s
			return
		}
		out = append(out, tsToken{text: s})
	}
	depth := 0
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			j := i + 1
			var b strings.Builder
			closed := false
			for j < len(p) {
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					break
				}
				b.WriteByte(p[j])
				j++
			}
			if !closed {
				return nil, patternError{}
			}
			if j == i+1 {
				lit("'") // '' outside a literal is a quote
			} else {
				lit(b.String())
			}
			i = j + 1
		case c == '[':
			depth++
			i++
		case c == ']':
			if depth == 0 {
				return nil, patternError{}
			}
			depth--
			i++
		case c == '#' || c == '{' || c == '}':
			return nil, patternError{}
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			if strings.IndexByte(patternLetters, c) < 0 {
				return nil, patternError{}
			}
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			n := j - i
			if max := int(maxLetters[c]); max > 0 && n > max {
				return nil, patternError{}
			}
			switch {
			case c == 'B':
				return nil, &unsupportedLetter{letter: c}
			case c == 'c' && n == 2, c == 'O' && n != 1 && n != 4, c == 'v' && n != 1 && n != 4:
				return nil, patternError{}
			}
			out = append(out, tsToken{letter: c, count: n})
			i = j
		default:
			lit(string(c))
			i++
		}
	}
	return out, nil
}

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
	dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// appendText appends a name in Java's TextStyle for count letters: 1-3 short, 4 full, 5 narrow.
func appendText(b []byte, name string, count int) []byte {
	switch {
	case count == 4:
		return append(b, name...)
	case count == 5:
		return append(b, name[0])
	}
	return append(b, name[:3]...)
}

// appendNumber appends n as Java's appendValue for count letters: count 1 unpadded, else padded.
func appendNumber(b []byte, n, count int) []byte {
	if count == 1 {
		return strconv.AppendInt(b, int64(n), 10)
	}
	return appendPadded(b, n, count)
}

// appendYear appends a year as Java's y, u and Y do: yy is the last two digits, any other count pads.
func appendYear(b []byte, year, count int) []byte {
	if count == 2 {
		return appendPadded(b, ((year%100)+100)%100, 2)
	}
	if count >= 4 && year > 9999 {
		b = append(b, '+') // SignStyle.EXCEEDS_PAD
	}
	return appendNumber(b, year, count)
}

// weekFields computes the week-based fields of Locale.US (first day Sunday, minimal days 1).
func weekOfYearUS(t time.Time) (weekYear, week int) {
	start := func(year int) time.Time {
		jan1 := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
		return jan1.AddDate(0, 0, -int(jan1.Weekday()))
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	weekYear = t.Year()
	if !day.Before(start(weekYear + 1)) {
		weekYear++
	} else if day.Before(start(weekYear)) {
		weekYear--
	}
	return weekYear, int(day.Sub(start(weekYear)).Hours()/24)/7 + 1
}

func appendOffset(b []byte, off int, colon, withSeconds, optionalMinutes bool) []byte {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, s := off/3600, off/60%60, off%60
	b = append(b, sign)
	b = appendPadded(b, h, 2)
	if optionalMinutes && m == 0 && s == 0 {
		return b
	}
	if colon {
		b = append(b, ':')
	}
	b = appendPadded(b, m, 2)
	if withSeconds && s != 0 {
		if colon {
			b = append(b, ':')
		}
		b = appendPadded(b, s, 2)
	}
	return b
}

// appendLocalizedOffset appends Java's O (and ZZZZ): GMT, GMT+9, GMT+09:00.
func appendLocalizedOffset(b []byte, off int, full bool) []byte {
	b = append(b, "GMT"...)
	if off == 0 {
		return b
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, s := off/3600, off/60%60, off%60
	b = append(b, sign)
	if full {
		b = appendPadded(b, h, 2)
		b = append(b, ':')
		b = appendPadded(b, m, 2)
	} else {
		b = strconv.AppendInt(b, int64(h), 10)
		if m != 0 || s != 0 {
			b = append(b, ':')
			b = appendPadded(b, m, 2)
		}
	}
	if s != 0 {
		b = append(b, ':')
		b = appendPadded(b, s, 2)
	}
	return b
}

// appendJavaTime formats t by a compiled pattern.
func appendJavaTime(b []byte, layout []tsToken, t time.Time) []byte {
	_, off := t.Zone()
	for _, tok := range layout {
		n := tok.count
		switch tok.letter {
		case 0:
			b = append(b, tok.text...)
		case 'G':
			era := "AD"
			if t.Year() <= 0 {
				era = "BC"
			}
			switch n {
			case 4:
				if era == "AD" {
					b = append(b, "Anno Domini"...)
				} else {
					b = append(b, "Before Christ"...)
				}
			case 5:
				b = append(b, era[0])
			default:
				b = append(b, era...)
			}
		case 'y':
			y := t.Year()
			if y <= 0 {
				y = 1 - y // year of era
			}
			b = appendYear(b, y, n)
		case 'u':
			b = appendYear(b, t.Year(), n)
		case 'Y':
			wy, _ := weekOfYearUS(t)
			b = appendYear(b, wy, n)
		case 'D':
			b = appendNumber(b, t.YearDay(), n)
		case 'M', 'L':
			if n <= 2 {
				b = appendNumber(b, int(t.Month()), n)
			} else {
				b = appendText(b, monthNames[t.Month()-1], n)
			}
		case 'd':
			b = appendNumber(b, t.Day(), n)
		case 'Q', 'q':
			q := (int(t.Month())-1)/3 + 1
			switch n {
			case 1, 2:
				b = appendNumber(b, q, n)
			case 3:
				b = append(b, 'Q')
				b = strconv.AppendInt(b, int64(q), 10)
			case 4:
				b = append(b, [...]string{"1st", "2nd", "3rd", "4th"}[q-1]...)
				b = append(b, " quarter"...)
			default:
				b = strconv.AppendInt(b, int64(q), 10)
			}
		case 'w':
			_, w := weekOfYearUS(t)
			b = appendNumber(b, w, n)
		case 'W':
			first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Weekday()
			b = strconv.AppendInt(b, int64((t.Day()+int(first)-1)/7+1), 10)
		case 'E':
			b = appendText(b, dayNames[t.Weekday()], n)
		case 'e', 'c':
			if n <= 2 {
				b = appendNumber(b, int(t.Weekday())+1, n) // Locale.US: Sunday is 1
			} else {
				b = appendText(b, dayNames[t.Weekday()], n)
			}
		case 'F':
			b = strconv.AppendInt(b, int64((t.Day()-1)%7+1), 10)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendNumber(b, h, n)
		case 'K':
			b = appendNumber(b, t.Hour()%12, n)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b = appendNumber(b, h, n)
		case 'H':
			b = appendNumber(b, t.Hour(), n)
		case 'm':
			b = appendNumber(b, t.Minute(), n)
		case 's':
			b = appendNumber(b, t.Second(), n)
		case 'S':
			var d [9]byte
			ns := t.Nanosecond()
			for i := 8; i >= 0; i-- {
				d[i] = byte('0' + ns%10)
				ns /= 10
			}
			for i := 0; i < n; i++ {
				if i < 9 {
					b = append(b, d[i])
				} else {
					b = append(b, '0')
				}
			}
		case 'A':
			ms := ((t.Hour()*60+t.Minute())*60+t.Second())*1000 + t.Nanosecond()/1e6
			b = appendNumber(b, ms, n)
		case 'n':
			b = appendNumber(b, t.Nanosecond(), n)
		case 'N':
			ns := int64((t.Hour()*60+t.Minute())*60+t.Second())*1e9 + int64(t.Nanosecond())
			b = appendPadded64(b, ns, n)
		case 'g':
			mjd := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix()/86400 + 40587
			b = appendPadded64(b, mjd, n)
		case 'z', 'v':
			name, _ := t.Zone()
			if n == 4 || name == "" || name[0] == '+' || name[0] == '-' {
				name = t.Location().String() // Go has no long zone names; the zone id stands in
			}
			b = append(b, name...)
		case 'Z':
			switch {
			case n <= 3:
				b = appendOffset(b, off, false, true, false)
			case n == 4:
				b = appendLocalizedOffset(b, off, true)
			case off == 0:
				b = append(b, 'Z')
			default:
				b = appendOffset(b, off, true, true, false)
			}
		case 'O':
			b = appendLocalizedOffset(b, off, n == 4)
		case 'X', 'x':
			if tok.letter == 'X' && off == 0 {
				b = append(b, 'Z')
				break
			}
			switch n {
			case 1:
				b = appendOffset(b, off, false, false, true)
			case 2:
				b = appendOffset(b, off, false, false, false)
			case 3:
				b = appendOffset(b, off, true, false, false)
			case 4:
				b = appendOffset(b, off, false, true, false)
			default:
				b = appendOffset(b, off, true, true, false)
			}
		}
	}
	return b
}

func appendPadded64(b []byte, n int64, width int) []byte {
	var d [20]byte
	s := strconv.AppendInt(d[:0], n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
