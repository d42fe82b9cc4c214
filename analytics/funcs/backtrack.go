package funcs

import (
	"fmt"
	"regexp"
	"time"

	"github.com/dlclark/regexp2"
)

// A javaRegex is a compiled Java regular expression. Most patterns run on Go's RE2, which is linear-time.
// The ones that use what only a backtracking engine can do (back-references \1 and \k<name>, look-around,
// atomic groups, possessive quantifiers) run on github.com/dlclark/regexp2, a port of the .NET engine,
// whose syntax and matching are Java's for those forms; translator writes the few that .NET reads
// otherwise. Match positions are byte offsets into the text, as regexp's are.
type javaRegex struct {
	re2    *regexp.Regexp
	bt     *regexp2.Regexp
	groups int
	names  map[string]int // bt: group numbers by name (regexp2 sees the groups unnamed)
	src    string         // bt: the Java pattern, for messages
}

// RegexTimeout is the error name of a row whose backtracking match ran past backtrackTimeout.
const RegexTimeout = "Regex_timeout"

// backtrackTimeout bounds one search of a backtracking pattern: a pattern such as (a+)+b takes time
// exponential in the length of a text it does not match, and a stream must not hang on one record.
// The row then goes to error_stream. Where that limit falls depends on the machine's speed, so a replay
// on a slower machine could fail a row that passed: the limit is far above what any reasonable pattern
// needs on a log line, so that only a runaway pattern reaches it. regexp2 checks its deadline on a clock
// that ticks every 100 ms, so a search may run that much longer.
const backtrackTimeout = time.Second

// compileBacktracking compiles p, which has groups capturing groups, with regexp2.
func compileBacktracking(p string, groups int) (*javaRegex, error) {
	t := translator{dotnet: true, total: groups}
	if err := t.run(p); err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %w", p, err)
	}
	return newBacktracking(p, t.b.String(), t.groups, t.names)
}

func newBacktracking(p, translated string, groups int, names map[string]int) (*javaRegex, error) {
	re, err := regexp2.Compile(translated, regexp2.None)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %s", p, err.Error())
	}
	re.MatchTimeout = backtrackTimeout
	return &javaRegex{bt: re, groups: groups, names: names, src: p}, nil
}

// NumSubexp returns the number of capturing groups.
func (r *javaRegex) NumSubexp() int { return r.groups }

// SubexpIndex returns the number of the group named name, or -1.
func (r *javaRegex) SubexpIndex(name string) int {
	if r.re2 != nil {
		return r.re2.SubexpIndex(name)
	}
	if g, ok := r.names[name]; ok {
		return g
	}
	return -1
}

// find returns the first match in s and its groups' positions, as regexp's FindStringSubmatchIndex
// does, or nil.
func (r *javaRegex) find(s string) ([]int, error) {
	if r.re2 != nil {
		return r.re2.FindStringSubmatchIndex(s), nil
	}
	ms, err := r.findAll(s, 1)
	if len(ms) == 0 {
		return nil, err
	}
	return ms[0], err
}

// findAll returns the matches of a backtracking pattern as Matcher.find finds them, at most limit of
// them (all when limit < 0). After an empty match .NET, like Java, searches again one character on.
func (r *javaRegex) findAll(s string, limit int) ([][]int, error) {
	runes := []rune(s)
	offs := make([]int, 0, len(runes)+1) // the byte offset of each rune, and of the end
	for i := range s {
		offs = append(offs, i)
	}
	offs = append(offs, len(s))
	var out [][]int
	// MatchTimeout bounds each search; the whole row gets the same bound, so that many slow matches in
	// one text cannot add up.
	start := time.Now()
	m, err := r.bt.FindRunesMatch(runes)
	for err == nil && m != nil && (limit < 0 || len(out) < limit) {
		if time.Since(start) > backtrackTimeout {
			return nil, r.timeout(len(runes))
		}
		loc := make([]int, 2*(r.groups+1))
		for g := 0; g <= r.groups; g++ {
			loc[2*g], loc[2*g+1] = -1, -1
			if gr := m.GroupByNumber(g); gr != nil && len(gr.Captures) > 0 {
				loc[2*g], loc[2*g+1] = offs[gr.Index], offs[gr.Index+gr.Length]
			}
		}
		out = append(out, loc)
		if limit >= 0 && len(out) >= limit {
			break
		}
		m, err = r.bt.FindNextMatch(m)
	}
	if err != nil {
		return nil, r.timeout(len(runes)) // the only error regexp2's matching returns
	}
	return out, nil
}

func (r *javaRegex) timeout(chars int) error {
	return errorf(RegexTimeout, "regular expression %q gave up after %v of backtracking on a text of %d characters",
		r.src, backtrackTimeout, chars)
}

// anchored returns r made to match a whole text, as Matcher.matches() does.
func (r *javaRegex) anchored(p string) (*javaRegex, error) {
	if r.re2 != nil {
		re, err := regexp.Compile(`^(?:` + r.re2.String() + `)$`)
		if err != nil {
			return nil, err
		}
		return &javaRegex{re2: re, groups: r.groups}, nil
	}
	return newBacktracking(p, `\A(?:`+r.bt.String()+`)\z`, r.groups, r.names)
}

// String returns the pattern the engine runs: the RE2 translation, or the regexp2 one.
func (r *javaRegex) String() string {
	if r.re2 != nil {
		return r.re2.String()
	}
	return r.bt.String()
}
