package streams

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// IteratorTTL is how long a shard iterator stays valid, as in AWS.
const IteratorTTL = 5 * time.Minute

// iterator is a position in a shard, handed to clients as an opaque token:
//
//	base64( version(1) | issued ms (8) | stream created ms (8) | shard index (4) | position (8)
//	        | len+account | len+region | len+name | HMAC-SHA256(key, all before)[:16] )
//
// The MAC, keyed with a secret kept under the data directory, makes a forged or edited token fail to
// decode; the creation time of the stream makes a token of a deleted and re-created stream fail too.
type iterator struct {
	issued   int64 // Unix ms
	created  int64 // the stream's creation, Unix ms
	shard    int
	position uint64 // the log Seq to read next
	key      streamKey
}

const (
	iteratorVersion = 1
	iteratorMACLen  = 16
)

func (s *Store) encodeIterator(it iterator) string {
	b := make([]byte, 0, 64+len(it.key.account)+len(it.key.region)+len(it.key.name))
	b = append(b, iteratorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(it.issued))
	b = binary.BigEndian.AppendUint64(b, uint64(it.created))
	b = binary.BigEndian.AppendUint32(b, uint32(it.shard))
	b = binary.BigEndian.AppendUint64(b, it.position)
	for _, f := range []string{it.key.account, it.key.region, it.key.name} {
		b = append(b, byte(len(f)))
		b = append(b, f...)
	}
	m := hmac.New(sha256.New, s.iterKey)
	m.Write(b)
	b = m.Sum(b)[:len(b)+iteratorMACLen]
	return base64.StdEncoding.EncodeToString(b)
}

func (s *Store) decodeIterator(tok string) (iterator, bool) {
	var it iterator
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) < 1+8+8+4+8+3+iteratorMACLen || b[0] != iteratorVersion {
		return it, false
	}
	body, mac := b[:len(b)-iteratorMACLen], b[len(b)-iteratorMACLen:]
	m := hmac.New(sha256.New, s.iterKey)
	m.Write(body)
	if !hmac.Equal(m.Sum(nil)[:iteratorMACLen], mac) {
		return it, false
	}
	it.issued = int64(binary.BigEndian.Uint64(body[1:]))
	it.created = int64(binary.BigEndian.Uint64(body[9:]))
	it.shard = int(binary.BigEndian.Uint32(body[17:]))
	it.position = binary.BigEndian.Uint64(body[21:])
	rest := body[29:]
	var fields [3]string
	for i := range fields {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return it, false
		}
		fields[i] = string(rest[1 : 1+rest[0]])
		rest = rest[1+rest[0]:]
	}
	if len(rest) != 0 {
		return it, false
	}
	it.key = streamKey{account: fields[0], region: fields[1], name: fields[2]}
	return it, true
}

// javaTime formats t as java.util.Date.toString does, which is what AWS's messages print.
func javaTime(t time.Time) string {
	return t.UTC().Format("Mon Jan 02 15:04:05 MST 2006")
}
