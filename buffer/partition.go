package buffer

import (
	"sort"
	"strings"
)

// Partition is a dynamic partition: the values of the partition keys a record's metadata extraction
// gave, canonically encoded so that equal key sets compare equal. The zero Partition is the only one
// of a delivery without dynamic partitioning.
type Partition struct{ enc string }

// NewPartition returns the partition of the given key values.
func NewPartition(kv map[string]string) Partition {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(kv[k])
		b.WriteByte(0)
	}
	return Partition{enc: b.String()}
}

// Get returns the value of a partition key, or "" if the partition has none.
func (p Partition) Get(key string) string {
	rest := p.enc
	for rest != "" {
		k, r, _ := strings.Cut(rest, "\x00")
		v, r2, _ := strings.Cut(r, "\x00")
		if k == key {
			return v
		}
		rest = r2
	}
	return ""
}

// IsZero reports whether p is the partition of a delivery without dynamic partitioning.
func (p Partition) IsZero() bool { return p.enc == "" }

func (p Partition) less(q Partition) bool { return p.enc < q.enc }
