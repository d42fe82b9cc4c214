package tlscert

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func TestSelfSignedGenerates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	c, err := SelfSigned(dir, Hosts("hydrant.test:4567"), t0)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Generated || c.Reason != "none on disk" {
		t.Errorf("Generated %v, Reason %q; want a new certificate because none was on disk", c.Generated, c.Reason)
	}
	if c.CertFile != filepath.Join(dir, "cert.pem") || c.KeyFile != filepath.Join(dir, "key.pem") {
		t.Errorf("files %s, %s", c.CertFile, c.KeyFile)
	}
	leaf := c.TLS.Leaf

	if want := []string{"localhost", "hydrant.test", "127.0.0.1", "::1"}; !slices.Equal(c.Names(), want) {
		t.Errorf("Names() = %v, want %v", c.Names(), want)
	}
	if want := []string{"localhost", "hydrant.test"}; !slices.Equal(leaf.DNSNames, want) {
		t.Errorf("DNS names %v, want %v", leaf.DNSNames, want)
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1"}; !slices.Equal(ips, want) {
		t.Errorf("IP addresses %v, want %v", ips, want)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "hydrant.test"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("does not cover %s: %v", h, err)
		}
	}
	if err := leaf.VerifyHostname("example.com"); err == nil {
		t.Error("covers example.com")
	}

	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() || leaf.SignatureAlgorithm != x509.ECDSAWithSHA256 {
		t.Errorf("key %T, signature %v; want ECDSA P-256 with SHA-256", leaf.PublicKey, leaf.SignatureAlgorithm)
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("key usage %b, want digital signature only", leaf.KeyUsage)
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("extended key usage %v, want server auth", leaf.ExtKeyUsage)
	}
	if !leaf.BasicConstraintsValid || leaf.IsCA {
		t.Errorf("basic constraints valid %v, CA %v; want an end-entity certificate", leaf.BasicConstraintsValid, leaf.IsCA)
	}
	if len(leaf.SubjectKeyId) == 0 || !bytes.Equal(leaf.SubjectKeyId, leaf.AuthorityKeyId) {
		t.Errorf("subject key id %x, authority key id %x; want both, equal", leaf.SubjectKeyId, leaf.AuthorityKeyId)
	}
	if !bytes.Equal(leaf.RawIssuer, leaf.RawSubject) {
		t.Error("issuer differs from subject")
	}
	if err := leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature); err != nil {
		t.Errorf("not signed by its own key: %v", err)
	}
	if !leaf.NotBefore.Equal(t0.Add(-time.Hour)) || !leaf.NotAfter.Equal(t0.Add(825*24*time.Hour)) {
		t.Errorf("valid %v to %v", leaf.NotBefore, leaf.NotAfter)
	}

	// Trusting the certificate file alone, as a client's CA bundle, verifies the server for every name.
	pem, err := os.ReadFile(c.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("cert.pem holds no certificate")
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "hydrant.test"} {
		opts := x509.VerifyOptions{DNSName: h, Roots: roots, CurrentTime: t0,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if _, err := leaf.Verify(opts); err != nil {
			t.Errorf("verify for %s with cert.pem as the CA bundle: %v", h, err)
		}
	}
}

func TestSelfSignedPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "tls")
	if _, err := SelfSigned(dir, Hosts("127.0.0.1:4567"), t0); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		mode fs.FileMode
	}{{".", fs.ModeDir | 0o700}, {"key.pem", 0o600}, {"cert.pem", 0o644}} {
		fi, err := os.Stat(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != f.mode {
			t.Errorf("%s: mode %v, want %v", f.name, fi.Mode(), f.mode)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		t.Errorf("files left in %s: %v", dir, ents)
	}
	key, err := os.ReadFile(filepath.Join(dir, "key.pem"))
	if err != nil || !strings.HasPrefix(string(key), "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("key.pem: %.40q, %v", key, err)
	}
}

// A second start reuses the certificate clients were told to trust, byte for byte.
func TestSelfSignedReuses(t *testing.T) {
	dir := t.TempDir()
	hosts := Hosts("127.0.0.1:4567")
	first, err := SelfSigned(dir, hosts, t0)
	if err != nil {
		t.Fatal(err)
	}
	certBefore, _ := os.ReadFile(first.CertFile)
	keyBefore, _ := os.ReadFile(first.KeyFile)
	for _, later := range []time.Duration{time.Second, 365 * 24 * time.Hour, Validity - RenewBefore - time.Hour} {
		again, err := SelfSigned(dir, hosts, t0.Add(later))
		if err != nil {
			t.Fatal(err)
		}
		if again.Generated || again.Reason != "" || again.Fingerprint() != first.Fingerprint() {
			t.Errorf("after %v: Generated %v (%s), fingerprint %s, want the first one's %s",
				later, again.Generated, again.Reason, again.Fingerprint(), first.Fingerprint())
		}
	}
	certAfter, _ := os.ReadFile(first.CertFile)
	keyAfter, _ := os.ReadFile(first.KeyFile)
	if !bytes.Equal(certBefore, certAfter) || !bytes.Equal(keyBefore, keyAfter) {
		t.Error("files rewritten although reused")
	}
}

// Each row damages or outgrows the pair on disk; the next start must replace it with a working one.
func TestSelfSignedRegenerates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hosts  []string
		at     time.Time
		damage func(t *testing.T, dir string)
		reason string
	}{
		{name: "certificate missing", damage: remove("cert.pem"), reason: "none on disk"},
		{name: "key missing", damage: remove("key.pem"), reason: "none on disk"},
		{name: "certificate garbage", damage: overwrite("cert.pem", "not pem"), reason: "unusable"},
		{name: "key from another pair (crash between the two writes)", damage: foreignKey, reason: "unusable"},
		{name: "expires within 30 days", at: t0.Add(Validity - RenewBefore + time.Hour), reason: "expires 2029-02-24"},
		{name: "expired", at: t0.Add(Validity + time.Hour), reason: "expires 2029-02-24"},
		{name: "clock moved back", at: t0.Add(-2 * time.Hour), reason: "not valid until 2026-11-22T11:00:00Z"},
		{name: "new listen address", hosts: Hosts("10.1.2.3:4567"), reason: "does not cover 10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first, err := SelfSigned(dir, Hosts("hydrant.test:4567"), t0)
			if err != nil {
				t.Fatal(err)
			}
			if tc.damage != nil {
				tc.damage(t, dir)
			}
			at, hosts := tc.at, tc.hosts
			if at.IsZero() {
				at = t0
			}
			if hosts == nil {
				hosts = Hosts("hydrant.test:4567")
			}
			c, err := SelfSigned(dir, hosts, at)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Generated || !strings.HasPrefix(c.Reason, tc.reason) {
				t.Errorf("Generated %v, Reason %q; want a new certificate because %q", c.Generated, c.Reason, tc.reason)
			}
			if c.Fingerprint() == first.Fingerprint() {
				t.Error("same certificate as before")
			}
			for _, h := range hosts {
				if err := c.TLS.Leaf.VerifyHostname(h); err != nil {
					t.Errorf("new certificate does not cover %s", h)
				}
			}
			if tc.hosts != nil && c.TLS.Leaf.VerifyHostname("hydrant.test") != nil {
				t.Error("new certificate dropped a name the old one covered")
			}
			// What is on disk is what was returned, and the next start reuses it.
			again, err := SelfSigned(dir, hosts, at)
			if err != nil || again.Generated || again.Fingerprint() != c.Fingerprint() {
				t.Errorf("next start: %v, Generated %v (%s)", err, again != nil && again.Generated, again.Reason)
			}
		})
	}
}

func remove(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func overwrite(name, data string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func foreignKey(t *testing.T, dir string) {
	_, key, err := generate([]string{"localhost"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	overwrite("key.pem", string(key))(t, dir)
}

func TestSelfSignedUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := SelfSigned(filepath.Join(file, "tls"), Hosts(":4567"), t0); err == nil {
		t.Fatal("want an error for a directory under a regular file")
	}
}

func TestHosts(t *testing.T) {
	loopback := []string{"localhost", "127.0.0.1", "::1"}
	wildcard := loopback
	if hostname, _ := os.Hostname(); hostname != "" && !strings.EqualFold(hostname, "localhost") {
		wildcard = append(loopback, hostname)
	}
	for _, tc := range []struct {
		addr string
		want []string
	}{
		{"127.0.0.1:4567", loopback},
		{"localhost:4567", loopback},
		{"LOCALHOST:4567", loopback},
		{"[::1]:4567", loopback},
		{"[0:0:0:0:0:0:0:1]:4567", loopback},
		{"hydrant.test:4567", append(loopback, "hydrant.test")},
		{"hydrant.test.:4567", append(loopback, "hydrant.test")},
		{"10.1.2.3:4567", append(loopback, "10.1.2.3")},
		{"[2001:db8::1]:4567", append(loopback, "2001:db8::1")},
		{"hydrant.test", append(loopback, "hydrant.test")}, // no port
		{":4567", wildcard},
		{"0.0.0.0:4567", wildcard},
		{"[::]:4567", wildcard},
	} {
		if got := Hosts(tc.addr); !slices.Equal(got, tc.want) {
			t.Errorf("Hosts(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	// SHA-256("abc") from FIPS 180-2.
	want := "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
	if got := Fingerprint([]byte("abc")); got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
}

// The fingerprint logged at start-up is the one users get from openssl, and OpenSSL's strict checks
// (Python 3.13 turns them on) accept the certificate as its own trust anchor for TLS servers.
func TestOpenSSLAgrees(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	c, err := SelfSigned(t.TempDir(), Hosts("127.0.0.1:4567"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", c.CertFile).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl x509: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); !strings.HasSuffix(got, "="+c.Fingerprint()) {
		t.Errorf("openssl says %q, we say %s", got, c.Fingerprint())
	}
	for _, host := range []string{"-verify_hostname=localhost", "-verify_ip=127.0.0.1", "-verify_ip=::1"} {
		out, err = exec.Command("openssl", "verify", "-x509_strict", "-purpose", "sslserver", host,
			"-CAfile", c.CertFile, c.CertFile).CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), ": OK") {
			t.Errorf("openssl verify %s: %v\n%s", host, err, out)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	gen, err := SelfSigned(dir, Hosts("127.0.0.1:1"), t0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(gen.CertFile, gen.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if c.Generated || c.Fingerprint() != gen.Fingerprint() || c.TLS.Leaf == nil {
		t.Errorf("Load: Generated %v, fingerprint %s, want %s", c.Generated, c.Fingerprint(), gen.Fingerprint())
	}
	_, err = Load(filepath.Join(dir, "nope.pem"), gen.KeyFile)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nope.pem") {
		t.Errorf("missing certificate: %v", err)
	}
	_, err = Load(gen.KeyFile, gen.CertFile)
	if err == nil {
		t.Error("swapped files loaded")
	}
}
