package runtime

import (
	"fmt"
	"strings"
	"testing"
)

func TestSeqSet(t *testing.T) {
	tests := []struct {
		found []uint64
		has   string // for 1..12, which are already written
		last  uint64
	}{
		{nil, "", 0},
		{[]uint64{3}, "3", 3},
		{[]uint64{5, 3, 4, 9, 10, 12}, "3 4 5 9 10 12", 12},
		{[]uint64{2, 2, 1, 3}, "1 2 3", 3}, // a row written twice by a retried call
	}
	for _, tt := range tests {
		s := newSeqSet(append([]uint64(nil), tt.found...))
		if s.last() != tt.last {
			t.Errorf("%v: last %d, want %d", tt.found, s.last(), tt.last)
		}
		var has []string
		for q := uint64(1); q <= 12; q++ {
			if s.has(q) {
				has = append(has, fmt.Sprint(q))
			}
		}
		if got := strings.Join(has, " "); got != tt.has {
			t.Errorf("%v: has %q, want %q", tt.found, got, tt.has)
		}
	}
}

func TestParseKey(t *testing.T) {
	p := keyPrefix("abc", 2)
	tests := []struct {
		key string
		seq uint64
		ok  bool
	}{
		{p + "17", 17, true},
		{keyPrefix("abc", 1) + "17", 0, false}, // another output
		{keyPrefix("abd", 2) + "17", 0, false}, // another application
		{p + "x", 0, false},
		{p, 0, false},
		{"k", 0, false},
	}
	for _, tt := range tests {
		if seq, ok := parseKey(tt.key, p); seq != tt.seq || ok != tt.ok {
			t.Errorf("%q: %d %v, want %d %v", tt.key, seq, ok, tt.seq, tt.ok)
		}
	}
}
