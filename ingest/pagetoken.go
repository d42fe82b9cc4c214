package ingest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"time"
)

// NextTokens. ListShards, ListStreams and ListStreamConsumers page with opaque tokens that expire 300
// seconds after they are issued (ExpiredNextTokenException afterwards). A token is self-contained — the
// store keeps no cursor — and authenticated with an HMAC under a key drawn when the server starts, so a
// client can neither forge one nor use one across a restart:
//
//	base64url( version 1 | kind 1 | issued unix ms 8 | payload (JSON) | HMAC-SHA256[:16] )

// tokenTTL is how long a NextToken stays valid, as in AWS.
const tokenTTL = 300 * time.Second

// Token kinds keep a ListStreams token out of ListShards and the reverse.
const (
	tokenListShards    byte = 1
	tokenListStreams   byte = 2
	tokenListConsumers byte = 3
)

const (
	tokenVersion = 1
	tokenMACSize = 16
)

type pageTokens struct {
	key [32]byte
	now func() time.Time
}

func newPageTokens(now func() time.Time) *pageTokens {
	p := &pageTokens{now: now}
	_, _ = rand.Read(p.key[:])
	return p
}

// seal issues a token of kind carrying payload.
func (p *pageTokens) seal(kind byte, payload any) (string, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	b := make([]byte, 0, 10+len(body)+tokenMACSize)
	b = append(b, tokenVersion, kind)
	b = binary.BigEndian.AppendUint64(b, uint64(p.now().UnixMilli()))
	b = append(b, body...)
	b = append(b, p.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// open checks a token of kind and decodes its payload into dst. A token that is not one of ours is an
// InvalidArgumentException; one of ours that is too old is an ExpiredNextTokenException.
func (p *pageTokens) open(kind byte, tok string, dst any) *Error {
	invalid := errorf(ErrInvalidArgument, "Invalid NextToken.")
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 10+tokenMACSize {
		return invalid
	}
	msg, sum := b[:len(b)-tokenMACSize], b[len(b)-tokenMACSize:]
	if !hmac.Equal(sum, p.mac(msg)) || msg[0] != tokenVersion || msg[1] != kind {
		return invalid
	}
	issued := time.UnixMilli(int64(binary.BigEndian.Uint64(msg[2:10])))
	if now := p.now(); now.Sub(issued) > tokenTTL {
		return errorf(ErrExpiredNextToken,
			"The NextToken was issued at %s, more than %d seconds before now (%s).",
			formatJavaDate(issued), int(tokenTTL/time.Second), formatJavaDate(now))
	}
	if err := json.Unmarshal(msg[10:], dst); err != nil {
		return invalid
	}
	return nil
}

func (p *pageTokens) mac(msg []byte) []byte {
	h := hmac.New(sha256.New, p.key[:])
	h.Write(msg)
	return h.Sum(nil)[:tokenMACSize]
}
