package bench

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
)

// headerSize is the length of the self-describing header at the start of every
// payload the bench writes. It is a multiple of 3 so that the base64 of the
// header and the base64 of the filler concatenate to the base64 of the whole.
const headerSize = 24

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// header is the decoded form of a payload header; see the package doc for the
// layout.
type header struct {
	Run     uint32 // random per run; tells this run's records from older ones
	Worker  uint32 // the writer goroutine that produced the record
	Counter uint64 // that worker's record number, dense from 0
	Key     uint32 // index of the partition key the record was sent with
}

// putHeader writes h into b[:headerSize] and seals it with the checksum of the
// header and tail, where the payload is b[:headerSize] followed by tail.
func putHeader(b []byte, h header, tail []byte) {
	_ = b[headerSize-1]
	binary.LittleEndian.PutUint32(b[0:], h.Run)
	binary.LittleEndian.PutUint32(b[4:], h.Worker)
	binary.LittleEndian.PutUint64(b[8:], h.Counter)
	binary.LittleEndian.PutUint32(b[16:], h.Key)
	sum := crc32.Update(crc32.Checksum(b[:20], castagnoli), castagnoli, tail)
	binary.LittleEndian.PutUint32(b[20:], sum)
}

// parsePayload decodes the header of a payload and reports whether its checksum
// holds. ok is false for payloads shorter than a header.
func parsePayload(p []byte) (h header, ok bool) {
	if len(p) < headerSize {
		return header{}, false
	}
	h = header{
		Run:     binary.LittleEndian.Uint32(p[0:]),
		Worker:  binary.LittleEndian.Uint32(p[4:]),
		Counter: binary.LittleEndian.Uint64(p[8:]),
		Key:     binary.LittleEndian.Uint32(p[16:]),
	}
	sum := crc32.Update(crc32.Checksum(p[:20], castagnoli), castagnoli, p[headerSize:])
	return h, sum == binary.LittleEndian.Uint32(p[20:])
}

// poolSlack is how far past a record's length the random pool extends, so that
// records start at different offsets and their tails differ.
const poolSlack = 64 << 10

// generator makes the payloads of one writer. It is owned by that writer.
type generator struct {
	run, worker uint32
	next        uint64 // counter of the next record
	tailLen     int
	pool        []byte // random bytes, tailLen+poolSlack long
	keys        int
	rng         *rand.Rand
}

func newGenerator(run, worker uint32, recordSize, keys int, seed [32]byte) *generator {
	src := rand.NewChaCha8(seed)
	g := &generator{
		run:     run,
		worker:  worker,
		tailLen: recordSize - headerSize,
		keys:    keys,
		rng:     rand.New(src),
	}
	g.pool = make([]byte, g.tailLen+poolSlack)
	_, _ = src.Read(g.pool) // ChaCha8.Read never fails
	return g
}

// fill makes the next record: it writes its header into head and returns its
// tail, which aliases the pool and must not be modified, and its key index.
func (g *generator) fill(head []byte) (tail []byte, key int) {
	off := g.rng.IntN(poolSlack + 1)
	tail = g.pool[off : off+g.tailLen]
	key = g.rng.IntN(g.keys)
	putHeader(head, header{Run: g.run, Worker: g.worker, Counter: g.next, Key: uint32(key)}, tail)
	g.next++
	return tail, key
}
