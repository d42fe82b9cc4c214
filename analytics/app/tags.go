package app

import (
	"strings"
	"unicode"

	"github.com/hydrantio/hydrant/streams"
)

// Tags, addressed by the application's ARN. They are not configuration: they do not change the
// version id, and an application may be tagged in any status.

// Tag adds or replaces tags.
func (m *Manager) Tag(sc streams.Scope, arn string, tags map[string]string) error {
	a, err := m.lookupARN(sc, arn)
	if err != nil {
		return err
	}
	return a.modify(func(meta *appMeta) error {
		if err := checkTags(meta.Tags, tags); err != nil {
			return err
		}
		if meta.Tags == nil {
			meta.Tags = make(map[string]string, len(tags))
		}
		for k, v := range tags {
			meta.Tags[k] = v
		}
		return nil
	})
}

// Untag removes tags; absent keys are ignored.
func (m *Manager) Untag(sc streams.Scope, arn string, keys []string) error {
	a, err := m.lookupARN(sc, arn)
	if err != nil {
		return err
	}
	return a.modify(func(meta *appMeta) error {
		for _, k := range keys {
			delete(meta.Tags, k)
		}
		return nil
	})
}

// Tag is one tag.
type Tag struct{ Key, Value string }

// ListTags returns an application's tags, by key.
func (m *Manager) ListTags(sc streams.Scope, arn string) ([]Tag, error) {
	a, err := m.lookupARN(sc, arn)
	if err != nil {
		return nil, err
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.mu.deleted {
		return nil, notFound(a.key.name)
	}
	out := make([]Tag, 0, len(a.mu.meta.Tags))
	for _, k := range sortedTags(a.mu.meta.Tags) {
		out = append(out, Tag{Key: k, Value: a.mu.meta.Tags[k]})
	}
	return out, nil
}

// checkTags validates tags to be added to existing ones: at most 50 in all (TooManyTagsException),
// keys and values of Unicode letters, digits, white space and _ . : / = + - @, keys not starting
// with "aws:".
func checkTags(existing, add map[string]string) error {
	n := len(existing)
	for k, v := range add {
		if _, ok := existing[k]; !ok {
			n++
		}
		if k == "" || len(k) > 128 || len(v) > 256 || !validTagText(k) || !validTagText(v) {
			return invalidArg("Tag %q: keys are 1 to 128 and values 0 to 256 Unicode letters, digits, white space, "+
				"_ . : / = + - @.", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalidArg("Tag keys may not start with 'aws:'.")
		}
	}
	if n > maxTags {
		return kindErr(KindTooManyTags, "An application can have at most %d tags.", maxTags)
	}
	return nil
}

func validTagText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Z, r) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return false
	}
	return true
}
