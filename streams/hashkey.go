package streams

import (
	"crypto/md5"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// HashKey is a 128-bit hash key: the MD5 of a partition key read as a big-endian unsigned integer, or a
// producer's ExplicitHashKey.
type HashKey struct {
	Hi, Lo uint64
}

// MaxHashKey is 2^128-1, the top of the hash key space.
var MaxHashKey = HashKey{Hi: ^uint64(0), Lo: ^uint64(0)}

// PartitionHash returns the hash key of a partition key: MD5 of its UTF-8 bytes, big-endian.
func PartitionHash(partitionKey string) HashKey {
	sum := md5.Sum([]byte(partitionKey))
	return HashKey{Hi: binary.BigEndian.Uint64(sum[:8]), Lo: binary.BigEndian.Uint64(sum[8:])}
}

// Less reports whether k < o.
func (k HashKey) Less(o HashKey) bool {
	return k.Hi < o.Hi || (k.Hi == o.Hi && k.Lo < o.Lo)
}

// Add returns k+n (wrapping).
func (k HashKey) Add(n uint64) HashKey {
	lo, c := bits.Add64(k.Lo, n, 0)
	return HashKey{Hi: k.Hi + c, Lo: lo}
}

// Sub returns k-n (wrapping).
func (k HashKey) Sub(n uint64) HashKey {
	lo, b := bits.Sub64(k.Lo, n, 0)
	return HashKey{Hi: k.Hi - b, Lo: lo}
}

// Bytes returns the key big-endian.
func (k HashKey) Bytes() [16]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.Hi)
	binary.BigEndian.PutUint64(b[8:], k.Lo)
	return b
}

// hashKeyFromBytes is the inverse of Bytes.
func hashKeyFromBytes(b [16]byte) HashKey {
	return HashKey{Hi: binary.BigEndian.Uint64(b[:8]), Lo: binary.BigEndian.Uint64(b[8:])}
}

// divmod10e19 divides k by 10^19 and returns the quotient and remainder.
func (k HashKey) divmod10e19() (HashKey, uint64) {
	const d = 10_000_000_000_000_000_000
	qHi, r := bits.Div64(0, k.Hi, d)
	qLo, r := bits.Div64(r, k.Lo, d)
	return HashKey{Hi: qHi, Lo: qLo}, r
}

// String returns the key in decimal, as the API carries it.
func (k HashKey) String() string {
	if k.Hi == 0 {
		return strconv.FormatUint(k.Lo, 10)
	}
	q, r0 := k.divmod10e19()
	q, r1 := q.divmod10e19()
	var buf []byte
	if q.Lo != 0 {
		buf = strconv.AppendUint(buf, q.Lo, 10)
		buf = appendPadded(buf, r1, 19)
	} else {
		buf = strconv.AppendUint(buf, r1, 10)
	}
	return string(appendPadded(buf, r0, 19))
}

func appendPadded(dst []byte, v uint64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// ParseHashKey parses a decimal hash key. ok is false if s is not a decimal number in [0, 2^128-1].
func ParseHashKey(s string) (k HashKey, ok bool) {
	if s == "" || len(s) > 39 {
		return HashKey{}, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return HashKey{}, false
		}
		// k = k*10 + c
		hi1, lo := bits.Mul64(k.Lo, 10)
		hi2, hi := bits.Mul64(k.Hi, 10)
		if hi2 != 0 {
			return HashKey{}, false
		}
		hi, carry := bits.Add64(hi, hi1, 0)
		if carry != 0 {
			return HashKey{}, false
		}
		lo, carry = bits.Add64(lo, uint64(c-'0'), 0)
		hi, carry = bits.Add64(hi, 0, carry)
		if carry != 0 {
			return HashKey{}, false
		}
		k = HashKey{Hi: hi, Lo: lo}
	}
	return k, true
}

// splitHashSpace returns the i-th of n equal ranges of the hash key space as AWS lays out a new stream:
// range i is [floor(2^128/n)*i, floor(2^128/n)*(i+1)-1], and the last one ends at 2^128-1.
func splitHashSpace(i, n int) HashRange {
	// floor(2^128/n): divide (1, 0, 0) — i.e. 2^128 — by n with 64-bit limbs.
	step := pow128div(uint64(n))
	start := mul128(step, uint64(i))
	end := mul128(step, uint64(i+1)).Sub(1)
	if i == n-1 {
		end = MaxHashKey
	}
	return HashRange{Start: start, End: end}
}

// pow128div returns floor(2^128 / n) for n >= 2, and 2^128-1 for n == 1 (the caller clamps the end).
func pow128div(n uint64) HashKey {
	if n <= 1 {
		return MaxHashKey
	}
	qHi, r := bits.Div64(1, 0, n) // (2^64 * 1 + 0) / n: high limb of 2^128/n
	qLo, _ := bits.Div64(r, 0, n)
	return HashKey{Hi: qHi, Lo: qLo}
}

func mul128(k HashKey, n uint64) HashKey {
	hi, lo := bits.Mul64(k.Lo, n)
	return HashKey{Hi: k.Hi*n + hi, Lo: lo}
}
