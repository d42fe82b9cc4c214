package streams

import (
	"crypto/md5"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestHashKeyStringParse(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		k := HashKey{Hi: r.Uint64() >> (r.IntN(64)), Lo: r.Uint64()}
		if i%3 == 0 {
			k.Hi = 0
		}
		want := new(big.Int).Lsh(new(big.Int).SetUint64(k.Hi), 64)
		want.Or(want, new(big.Int).SetUint64(k.Lo))
		if got := k.String(); got != want.String() {
			t.Fatalf("String(%x,%x) = %s, want %s", k.Hi, k.Lo, got, want)
		}
		back, ok := ParseHashKey(want.String())
		if !ok || back != k {
			t.Fatalf("ParseHashKey(%s) = %v %v, want %v", want, back, ok, k)
		}
	}
	if MaxHashKey.String() != "340282366920938463463374607431768211455" {
		t.Fatalf("max = %s", MaxHashKey)
	}
	for _, bad := range []string{"", "-1", "340282366920938463463374607431768211456", "1a", "9999999999999999999999999999999999999999"} {
		if _, ok := ParseHashKey(bad); ok {
			t.Errorf("ParseHashKey(%q) ok", bad)
		}
	}
}

func TestSplitHashSpace(t *testing.T) {
	two128 := new(big.Int).Lsh(big.NewInt(1), 128)
	for _, n := range []int{1, 2, 3, 4, 7, 100, 1000} {
		step := new(big.Int).Div(two128, big.NewInt(int64(n)))
		for i := 0; i < n; i++ {
			r := splitHashSpace(i, n)
			ws := new(big.Int).Mul(step, big.NewInt(int64(i)))
			we := new(big.Int).Sub(new(big.Int).Mul(step, big.NewInt(int64(i+1))), big.NewInt(1))
			if i == n-1 {
				we = new(big.Int).Sub(two128, big.NewInt(1))
			}
			if r.Start.String() != ws.String() || r.End.String() != we.String() {
				t.Fatalf("n=%d i=%d: got [%s,%s] want [%s,%s]", n, i, r.Start, r.End, ws, we)
			}
		}
	}
}

func TestPartitionHash(t *testing.T) {
	sum := md5.Sum([]byte("user_123"))
	want := new(big.Int).SetBytes(sum[:])
	if got := PartitionHash("user_123").String(); got != want.String() {
		t.Fatalf("got %s want %s", got, want)
	}
}
