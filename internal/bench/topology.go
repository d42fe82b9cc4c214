package bench

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"math/big"
	"strconv"
)

// topology is what the bench knows of the stream's shards and its own partition
// keys: which open shard each key routes to, so that writers can count what
// each shard should hold and readers can check that records landed in the shard
// that owns their key's hash. It is read-only once built.
type topology struct {
	keys    []string
	keyHash [][16]byte // MD5 of each key: the 128-bit hash key, big-endian
	keyOpen []int      // index into shards of the open shard that owns each key
	shards  []shardRange
}

// shardRange is one shard as ListShards describes it.
type shardRange struct {
	ID         string
	Start, End [16]byte // inclusive hash key range, big-endian
	Open       bool     // no ending sequence number: writes go here
}

// partitionKeys returns n distinct partition keys.
func partitionKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "pk-" + strconv.Itoa(i)
	}
	return keys
}

// parseHashKey parses a decimal 128-bit hash key.
func parseHashKey(s string) ([16]byte, error) {
	var out [16]byte
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Sign() < 0 || n.BitLen() > 128 {
		return out, fmt.Errorf("hash key %q is not a 128-bit unsigned decimal", s)
	}
	n.FillBytes(out[:])
	return out, nil
}

func newTopology(keys []string, shards []shardRange) (*topology, error) {
	t := &topology{
		keys:    keys,
		keyHash: make([][16]byte, len(keys)),
		keyOpen: make([]int, len(keys)),
		shards:  shards,
	}
	for i, k := range keys {
		t.keyHash[i] = md5.Sum([]byte(k))
		t.keyOpen[i] = -1
		for s := range shards {
			if shards[s].Open && t.owns(s, i) {
				t.keyOpen[i] = s
				break
			}
		}
		if t.keyOpen[i] < 0 {
			return nil, fmt.Errorf("no open shard owns the hash of partition key %q", k)
		}
	}
	return t, nil
}

// owns reports whether shard s's hash key range holds key k's hash.
func (t *topology) owns(s, k int) bool {
	h := t.keyHash[k][:]
	sh := &t.shards[s]
	return bytes.Compare(h, sh.Start[:]) >= 0 && bytes.Compare(h, sh.End[:]) <= 0
}
