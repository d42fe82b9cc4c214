package streams

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
)

// crypter seals record data at rest for streams with encryption on. The key is the store's
// encryption.key (32 bytes, under the data directory); the stream's KeyId is recorded but, with no KMS
// here, names no separate key. A sealed Data is nonce (12) | AES-256-GCM ciphertext and tag.
type crypter struct {
	aead cipher.AEAD
}

func newCrypter(key []byte) (*crypter, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &crypter{aead: aead}, nil
}

// seal returns a new slice holding the sealed form of data.
func (c *crypter) seal(data []byte) []byte {
	ns := c.aead.NonceSize()
	out := make([]byte, ns, ns+len(data)+c.aead.Overhead())
	rand.Read(out)
	return c.aead.Seal(out, out[:ns], data, nil)
}

var errBadCiphertext = errors.New("sealed record does not authenticate")

// open decrypts sealed in place and returns the plaintext, which aliases sealed.
func (c *crypter) open(sealed []byte) ([]byte, error) {
	ns := c.aead.NonceSize()
	if len(sealed) < ns+c.aead.Overhead() {
		return nil, errBadCiphertext
	}
	pt, err := c.aead.Open(sealed[ns:ns], sealed[:ns], sealed[ns:], nil)
	if err != nil {
		return nil, errBadCiphertext
	}
	return pt, nil
}
