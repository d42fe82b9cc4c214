package streams

import (
	"math/big"
	"math/bits"
	"strconv"
)

// Sequence numbers follow the layout real Kinesis numbers have (as reverse-engineered by kinesalite and
// adopted by kinesis-mock), 47 hex digits printed in decimal (56 or 57 digits, starting "4968..."):
//
//	hex: 2 | shardCreateSecs (9) | shardIndex&0xF (1) | seqIndex (16) | 00 | arrivalSecs (9) | shardIndex (8) | 2
//
// seqIndex is the log's Seq plus one (0 is the shard's StartingSequenceNumber; 0x7fffffffffffffff its
// EndingSequenceNumber once closed). Because seqIndex sits above the arrival time, numbers increase
// strictly within a shard; the shard index in the low bits makes them unique within a stream.

const endSeqIndex = 0x7fffffffffffffff

// seqNum is the decoded form of a sequence number.
type seqNum struct {
	shardCreateSecs uint64
	shardIndex      uint32
	seqIndex        uint64
	arrivalSecs     uint64
}

// uint192 is a 192-bit unsigned integer, most significant limb first.
type uint192 [3]uint64

// push shifts u left by n bits (n < 64) and ors in v.
func (u *uint192) push(v uint64, n uint) {
	u[0] = u[0]<<n | u[1]>>(64-n)
	u[1] = u[1]<<n | u[2]>>(64-n)
	u[2] = u[2]<<n | (v & (1<<n - 1))
}

func (s seqNum) bits() uint192 {
	var u uint192
	u.push(2, 4)
	u.push(s.shardCreateSecs, 36)
	u.push(uint64(s.shardIndex), 4)
	u.push(s.seqIndex>>32, 32)
	u.push(s.seqIndex, 32)
	u.push(0, 8)
	u.push(s.arrivalSecs, 36)
	u.push(uint64(s.shardIndex), 32)
	u.push(2, 4)
	return u
}

// appendSeqNum appends the decimal form of s to dst.
func appendSeqNum(dst []byte, s seqNum) []byte {
	const d = 10_000_000_000_000_000_000
	u := s.bits()
	var parts [3]uint64 // base-10^19 digits, least significant first
	for i := 0; i < 3; i++ {
		var r uint64
		u[0], r = bits.Div64(0, u[0], d)
		u[1], r = bits.Div64(r, u[1], d)
		u[2], r = bits.Div64(r, u[2], d)
		parts[i] = r
	}
	started := false
	for i := 2; i >= 0; i-- {
		switch {
		case started:
			dst = appendPadded(dst, parts[i], 19)
		case parts[i] != 0 || i == 0:
			dst = strconv.AppendUint(dst, parts[i], 10)
			started = true
		}
	}
	return dst
}

func (s seqNum) String() string {
	var buf [64]byte
	return string(appendSeqNum(buf[:0], s))
}

// parseSeqNum decodes a sequence number produced by appendSeqNum. ok is false for anything else.
func parseSeqNum(str string) (s seqNum, ok bool) {
	if len(str) == 0 || len(str) > 60 {
		return s, false
	}
	n, good := new(big.Int).SetString(str, 10)
	if !good || n.Sign() < 0 || n.BitLen() > 188 || n.BitLen() < 185 {
		return s, false
	}
	var b [24]byte
	n.FillBytes(b[:])
	u := uint192{beUint64(b[0:8]), beUint64(b[8:16]), beUint64(b[16:24])}
	pop := func(n uint) uint64 {
		v := u[2] & (1<<n - 1)
		u[2] = u[2]>>n | u[1]<<(64-n)
		u[1] = u[1]>>n | u[0]<<(64-n)
		u[0] >>= n
		return v
	}
	if pop(4) != 2 {
		return s, false
	}
	s.shardIndex = uint32(pop(32))
	s.arrivalSecs = pop(36)
	if pop(8) != 0 {
		return s, false
	}
	lo := pop(32)
	s.seqIndex = pop(32)<<32 | lo
	if pop(4) != uint64(s.shardIndex&0xF) {
		return s, false
	}
	s.shardCreateSecs = pop(36)
	if pop(4) != 2 || u != (uint192{}) {
		return s, false
	}
	return s, true
}

func beUint64(b []byte) uint64 {
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}
