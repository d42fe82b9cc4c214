// Package tlscert loads the certificate `hydrant serve` presents over TLS, and makes a self-signed one
// for users who have none: an ECDSA P-256 key and a certificate valid for the loopback names and the
// listen address, generated once under the data directory and reused on every later start so that
// clients told to trust it keep trusting it.
//
// It does not serve anything, and does not reload certificates while the server runs.
//
// # Files
//
//	<dir>/key.pem     the private key, PKCS #8 "PRIVATE KEY", mode 0600
//	<dir>/cert.pem    the certificate, "CERTIFICATE": give this file to clients as their CA bundle
//
// Each is replaced atomically (internal/atomicfile), the key first. A crash between the two leaves a
// key that does not match the certificate, which the next start notices and mends by generating both
// again, as it does for a missing, unreadable or expiring pair or one that does not cover the names
// asked for.
package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hydrantio/hydrant/internal/atomicfile"
)

// File names in the directory given to SelfSigned.
const (
	CertFile = "cert.pem"
	KeyFile  = "key.pem"
)

const (
	// Validity is how long a generated certificate lasts: 825 days, the most Apple's TLS clients
	// accept from any certificate authority, including one a user added.
	Validity = 825 * 24 * time.Hour
	// RenewBefore is how close to its expiry a generated certificate is replaced at start-up.
	RenewBefore = 30 * 24 * time.Hour
	// backdate allows for clients whose clocks run behind the server's.
	backdate = time.Hour
)

// Cert is a loaded certificate and key.
type Cert struct {
	// CertFile and KeyFile are the files they were read from or written to.
	CertFile, KeyFile string
	// TLS holds the chain and key, with Leaf parsed, for tls.Config.Certificates.
	TLS tls.Certificate
	// Generated tells whether SelfSigned made a new certificate (true) or reused the one on disk.
	Generated bool
	// Reason says why SelfSigned generated one: "none on disk", "expires soon", ... Empty otherwise.
	Reason string
}

// Names returns the host names and IP addresses the leaf certificate is valid for.
func (c *Cert) Names() []string {
	names := slices.Clone(c.TLS.Leaf.DNSNames)
	for _, ip := range c.TLS.Leaf.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}

// Fingerprint returns the SHA-256 fingerprint of the leaf certificate, in the form
// `openssl x509 -noout -fingerprint -sha256` prints.
func (c *Cert) Fingerprint() string { return Fingerprint(c.TLS.Leaf.Raw) }

// Fingerprint returns the SHA-256 digest of a DER certificate as upper-case hex pairs joined by colons.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// Load reads a PEM certificate chain and its private key, as given to --tls-cert and --tls-key.
func Load(certFile, keyFile string) (*Cert, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &Cert{CertFile: certFile, KeyFile: keyFile, TLS: pair}, nil
}

// Hosts returns the names a self-signed certificate for a server listening on addr (host:port) should
// cover: localhost, 127.0.0.1 and ::1, and addr's host. When addr's host is empty or unspecified
// (0.0.0.0, ::), which listens on every interface, the machine's host name stands for it.
func Hosts(addr string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host, _ = os.Hostname()
	}
	return addHost(hosts, host)
}

// addHost appends host to hosts unless it is empty or already there (IPs compared as addresses).
func addHost(hosts []string, host string) []string {
	if host == "" {
		return hosts
	}
	for _, h := range hosts {
		if strings.EqualFold(h, host) {
			return hosts
		}
		if a, b := net.ParseIP(h), net.ParseIP(host); a != nil && a.Equal(b) {
			return hosts
		}
	}
	return append(hosts, host)
}

// SelfSigned returns the self-signed certificate kept in dir, valid for hosts (names and IP
// addresses) at now. It reuses the one on disk if it matches its key, covers every host and is not
// within RenewBefore of its expiry; otherwise it generates a new key and certificate, covering the
// hosts the old one did too, and writes them (dir is created with mode 0700 if missing).
func SelfSigned(dir string, hosts []string, now time.Time) (*Cert, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	old, err := Load(certPath, keyPath)
	var reason string
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		reason = "none on disk"
	case err != nil:
		reason = fmt.Sprintf("unusable (%v)", err)
	case now.Add(RenewBefore).After(old.TLS.Leaf.NotAfter):
		reason = "expires " + old.TLS.Leaf.NotAfter.UTC().Format(time.DateOnly)
	case now.Before(old.TLS.Leaf.NotBefore):
		reason = "not valid until " + old.TLS.Leaf.NotBefore.UTC().Format(time.RFC3339)
	default:
		for _, h := range hosts {
			if old.TLS.Leaf.VerifyHostname(h) != nil {
				reason = "does not cover " + h
				break
			}
		}
	}
	if reason == "" {
		return old, nil
	}
	if old != nil {
		for _, n := range old.TLS.Leaf.DNSNames {
			hosts = addHost(hosts, n)
		}
		for _, ip := range old.TLS.Leaf.IPAddresses {
			hosts = addHost(hosts, ip.String())
		}
	}
	certPEM, keyPEM, err := generate(hosts, now)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if err := atomicfile.Write(keyPath, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(certPath, certPEM, 0o644); err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("generated certificate: %w", err)
	}
	return &Cert{CertFile: certPath, KeyFile: keyPath, TLS: pair, Generated: true, Reason: reason}, nil
}

// generate makes a P-256 key and a self-signed server certificate for hosts, PEM-encoded.
//
// The certificate is an end-entity one (CA:FALSE) that clients trust directly by listing it as a CA:
// OpenSSL (Python, the aws CLI, Node, curl), Go and Java accept a self-signed leaf as its own trust
// anchor, whereas webpki (rustls) refuses a CA certificate presented as a server's. It carries subject
// and authority key identifiers, which OpenSSL's strict mode (Python 3.13's default) requires.
func generate(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, fmt.Errorf("generate serial: %w", err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal public key: %w", err)
	}
	skid := sha1.Sum(spki) // RFC 5280 4.2.1.2's method (1) hashes the key bits; any unique value will do
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization: []string{"Hydrant self-signed"},
			CommonName:   hosts[0],
		},
		NotBefore:             now.Add(-backdate).UTC().Truncate(time.Second),
		NotAfter:              now.Add(Validity).UTC().Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          skid[:],
		AuthorityKeyId:        skid[:],
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	return certPEM, keyPEM, nil
}
