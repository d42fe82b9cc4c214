package value

import (
	"hash/maphash"
	"math"
	"testing"
)

func TestParseType(t *testing.T) {
	for in, want := range map[string]string{
		"VARCHAR(4)": "VARCHAR(4)", "varchar(16)": "VARCHAR(16)", "REAL": "REAL", "INT": "INTEGER",
		"DECIMAL(10, 2)": "DECIMAL(10,2)", "DOUBLE PRECISION": "DOUBLE", "TIMESTAMP": "TIMESTAMP", "CHAR": "CHAR(1)",
		"BIGINT": "BIGINT", "BOOLEAN": "BOOLEAN",
	} {
		ty, err := ParseType(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if ty.String() != want {
			t.Errorf("%s: got %s, want %s", in, ty, want)
		}
	}
	for _, bad := range []string{"VARCHAR(x)", "FOO", "DECIMAL(2,5)", "INTEGER(3)", ""} {
		if _, err := ParseType(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestCompareAndHash(t *testing.T) {
	seed := maphash.MakeSeed()
	hash := func(v Value) uint64 {
		var h maphash.Hash
		h.SetSeed(seed)
		v.Hash(&h)
		return h.Sum64()
	}
	pairs := [][2]Value{{NewInt(1), NewDouble(1)}, {NewString("a"), NewString("a")}, {{}, {}},
		{NewTimestamp(5), NewTimestamp(5)}}
	for _, p := range pairs {
		if Compare(p[0], p[1]) != 0 || hash(p[0]) != hash(p[1]) {
			t.Errorf("%v and %v: compare %d, hashes differ %v", p[0], p[1], Compare(p[0], p[1]), hash(p[0]) != hash(p[1]))
		}
	}
	if Compare(NewInt(1), NewInt(2)) != -1 || Compare(NewString("b"), NewString("a")) != 1 || Compare(Value{}, NewInt(0)) != -1 {
		t.Error("order wrong")
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		v    Value
		want string
	}{
		{NewDouble(1.5), "1.5"}, {NewDouble(100), "100.0"}, {NewInt(-3), "-3"}, {NewBool(true), "true"},
		{NewTimestamp(1500000000123), "2017-07-14 02:40:00.123"}, {NewInterval(90061001), "1 01:01:01.001"},
		{NewDouble(1e-5), "1.0E-5"}, {NewDouble(1.25e10), "1.25E10"}, {Value{}, ""}, {NewRow([]Value{NewInt(1), NewString("x")}), "(1,x)"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%#v: got %q, want %q", c.v, got, c.want)
		}
	}
}

// TestHashNaN: Compare calls NaN equal to NaN (so GROUP BY puts them in one group), so their hashes
// must agree too; maphash.WriteComparable hashes NaN at random.
func TestHashNaN(t *testing.T) {
	seed := maphash.MakeSeed()
	hash := func(v Value) uint64 {
		var h maphash.Hash
		h.SetSeed(seed)
		v.Hash(&h)
		return h.Sum64()
	}
	a, b := NewDouble(math.NaN()), NewDecimal(math.NaN())
	if Compare(a, b) != 0 {
		t.Fatalf("Compare(NaN, NaN) = %d", Compare(a, b))
	}
	if hash(a) != hash(b) || hash(a) != hash(a) {
		t.Error("NaN hashes differ")
	}
	if hash(NewDouble(0)) != hash(NewDouble(math.Copysign(0, -1))) || hash(NewInt(0)) != hash(NewDouble(0)) {
		t.Error("zeros hash differently")
	}
}

func TestRoundDecimal(t *testing.T) {
	for _, tt := range []struct {
		f     float64
		scale int
		want  float64
	}{
		{0.1 + 0.2, 1, 0.3},
		{0.1 + 0.2, 2, 0.3},
		{0.15000000000000002, 2, 0.15},
		{1.005 * 3, 3, 3.015},
		{-0.1 - 0.2, 1, -0.3},
		{2.5, 0, 3},
		{1e17 + 0.5, 2, 1e17 + 0.5}, // past the mantissa: left alone
		{0.125, 19, 0.125},          // past the table: left alone
	} {
		if got := RoundDecimal(tt.f, tt.scale); got != tt.want {
			t.Errorf("RoundDecimal(%v, %d) = %v, want %v", tt.f, tt.scale, got, tt.want)
		}
	}
}
