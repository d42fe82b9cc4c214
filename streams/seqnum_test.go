package streams

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestSeqNumRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var prev *big.Int
	for i := 0; i < 5000; i++ {
		s := seqNum{
			shardCreateSecs: 1_700_000_000 + uint64(r.IntN(1e8)),
			shardIndex:      uint32(r.IntN(100000)),
			seqIndex:        r.Uint64() >> 1,
			arrivalSecs:     1_700_000_000 + uint64(r.IntN(1e8)),
		}
		str := s.String()
		if len(str) < 56 || len(str) > 57 {
			t.Fatalf("%+v: %d digits (%s)", s, len(str), str)
		}
		// Cross-check against the hex layout built with math/big.
		hex := "2" + pad(s.shardCreateSecs, 9) + pad(uint64(s.shardIndex&0xF), 1) + pad(s.seqIndex, 16) + "00" +
			pad(s.arrivalSecs, 9) + pad(uint64(s.shardIndex), 8) + "2"
		want, _ := new(big.Int).SetString(hex, 16)
		if str != want.String() {
			t.Fatalf("%+v: got %s want %s", s, str, want)
		}
		back, ok := parseSeqNum(str)
		if !ok || back != s {
			t.Fatalf("parse(%s) = %+v %v, want %+v", str, back, ok, s)
		}
		_ = prev
	}
	for _, bad := range []string{"", "0", "1", "abc"} {
		if _, ok := parseSeqNum(bad); ok {
			t.Errorf("parseSeqNum(%q) ok", bad)
		}
	}
}

func TestSeqNumIncreasesWithinShard(t *testing.T) {
	base := seqNum{shardCreateSecs: 1_763_000_000, shardIndex: 3}
	prev := new(big.Int)
	for i := uint64(0); i < 1000; i++ {
		s := base
		s.seqIndex = i
		s.arrivalSecs = 1_763_000_000 + 1000 - i // even if clocks went backwards, order holds
		n, _ := new(big.Int).SetString(s.String(), 10)
		if n.Cmp(prev) <= 0 {
			t.Fatalf("not increasing at %d", i)
		}
		prev = n
	}
}

func pad(v uint64, w int) string {
	s := new(big.Int).SetUint64(v).Text(16)
	for len(s) < w {
		s = "0" + s
	}
	return s[len(s)-w:]
}

func BenchmarkAppendSeqNum(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 64)
	s := seqNum{shardCreateSecs: 1_763_000_000, shardIndex: 3, seqIndex: 12345, arrivalSecs: 1_763_000_100}
	for b.Loop() {
		s.seqIndex++
		buf = appendSeqNum(buf[:0], s)
	}
}
