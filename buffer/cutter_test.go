package buffer

import (
	"testing"
	"time"
)

// cuts feeds records (arrival ms, size) through a Cutter as the engine does and returns the index at
// which each object starts: a record that does not fit starts a new object, and so does the record
// after an object that became full.
func cuts(r Rules, recs [][2]int64) []int {
	c := NewCutter(r)
	var starts []int
	cutNext := true
	for i, rec := range recs {
		if cutNext || !c.Fits(rec[0], int(rec[1])) {
			starts = append(starts, i)
			c.Reset()
		}
		c.Add(rec[0], int(rec[1]))
		cutNext = c.Full()
	}
	return starts
}

func TestCutterRules(t *testing.T) {
	r := Rules{Size: 100, Interval: 10 * time.Second}
	for _, tc := range []struct {
		name string
		recs [][2]int64
		want []int
	}{
		{"one object", [][2]int64{{0, 10}, {1000, 10}, {9999, 10}}, []int{0}},
		{"interval on arrival times", [][2]int64{{0, 10}, {5000, 10}, {10000, 10}, {12000, 10}}, []int{0, 2}},
		{"size", [][2]int64{{0, 60}, {1, 60}, {2, 30}}, []int{0, 1}},
		{"a record larger than the hint is an object of its own", [][2]int64{{0, 500}, {1, 10}}, []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cuts(r, append([][2]int64(nil), tc.recs...))
			if len(got) != len(tc.want) {
				t.Fatalf("cuts at %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("cuts at %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestCutterReplayIsDeterministic(t *testing.T) {
	r := Rules{Size: 1000, Interval: 3 * time.Second}
	var recs [][2]int64
	for i := int64(0); i < 5000; i++ {
		recs = append(recs, [2]int64{i * 7, 1 + (i*31)%97})
	}
	a := cuts(r, append([][2]int64(nil), recs...))
	b := cuts(r, append([][2]int64(nil), recs...))
	if len(a) < 10 || len(a) != len(b) {
		t.Fatalf("%d and %d cuts", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("replay cut differently at %d: %d vs %d", i, a[i], b[i])
		}
	}
}

func TestCutterDue(t *testing.T) {
	c := NewCutter(Rules{Size: 1 << 20, Interval: 60 * time.Second})
	if c.Due(1 << 40) {
		t.Fatal("an empty object is never due")
	}
	c.Add(1_000_000, 10)
	if c.Due(1_000_000 + 59_999) {
		t.Fatal("due before the interval")
	}
	if !c.Due(1_000_000 + 60_000) {
		t.Fatal("not due at the interval")
	}
	// Interval 0 (zero buffering): records gather while the delivery reads, and are due at once.
	z := NewCutter(Rules{Size: 1 << 20})
	z.Add(5, 1)
	if !z.Due(5) || !z.Fits(10_000, 1) {
		t.Fatal("zero buffering must gather a read and cut it at once")
	}
}
