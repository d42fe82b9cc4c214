package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestTLSSelfSigned starts `hydrant serve --tls-self-signed` and talks to it as users are told to:
// boto3 with verify=<cert.pem>, the aws CLI with --ca-bundle and with AWS_CA_BUNDLE, and the Go SDK over
// HTTP/2. A restart must reuse the certificate.
func TestTLSSelfSigned(t *testing.T) {
	addr, dataDir := freeAddr(t), t.TempDir()
	srv := startServer(t, addr, dataDir, "--tls-self-signed")
	caFile := filepath.Join(dataDir, "tls", "cert.pem")
	fingerprint := startupFingerprint(t, srv, caFile)

	stream := fmt.Sprintf("tls-%d", time.Now().UnixNano())
	env := cleanAWSEnv()
	boto := exec.Command("python3", "py/boto3_tls.py", srv.endpoint(), caFile, stream)
	boto.Env = env
	if out, err := boto.CombinedOutput(); err != nil {
		t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.log())
	} else {
		t.Logf("boto3:\n%s", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		env  []string
	}{
		{"--ca-bundle", []string{"--ca-bundle", caFile}, nil},
		{"AWS_CA_BUNDLE", nil, []string{"AWS_CA_BUNDLE=" + caFile}},
	} {
		t.Run("aws CLI "+tc.name, func(t *testing.T) {
			args := append([]string{"--endpoint-url", srv.endpoint(), "--output", "json"}, tc.args...)
			cmd := exec.Command("aws", append(args, "kinesis", "list-streams")...)
			cmd.Env = append(env, tc.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("aws kinesis list-streams: %v\n%s%s", err, out, stderr.String())
			}
			var got struct{ StreamNames []string }
			if err := json.Unmarshal(out, &got); err != nil || !slices.Contains(got.StreamNames, stream) {
				t.Errorf("list-streams: %s (%v); want %s listed", out, err, stream)
			}
		})
	}

	if err := srv.stop(); err != nil {
		t.Fatalf("stop: %v\n%s", err, srv.log())
	}
	srv = startServer(t, addr, dataDir, "--tls-self-signed")
	if again := startupFingerprint(t, srv, caFile); again != fingerprint {
		t.Errorf("restart made a new certificate: %s, was %s", again, fingerprint)
	}
	if strings.Contains(srv.log(), "generated a self-signed") {
		t.Errorf("restart logged a new certificate:\n%s", srv.log())
	}
	readOverHTTP2(t, srv, stream, []byte("over https"))
}

// startupFingerprint checks that the start-up log line names caFile and its SHA-256 fingerprint, as
// `openssl x509 -fingerprint -sha256` prints it, and returns the fingerprint.
func startupFingerprint(t *testing.T, srv *server, caFile string) string {
	t.Helper()
	data, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s holds no PEM", caFile)
	}
	sum := sha256.Sum256(block.Bytes)
	var hexPairs []string
	for _, b := range sum {
		hexPairs = append(hexPairs, fmt.Sprintf("%02X", b))
	}
	want := strings.Join(hexPairs, ":")
	line := regexp.MustCompile(`msg="hydrant serving".*`).FindString(srv.log())
	if !strings.Contains(line, " tls_cert="+caFile+" ") || !strings.Contains(line, " tls_sha256="+want) {
		t.Errorf("start-up line %q; want tls_cert=%s tls_sha256=%s", line, caFile, want)
	}
	return want
}

// readOverHTTP2 reads stream's first shard with the Go SDK and checks that every request went over
// HTTP/2.
func readOverHTTP2(t *testing.T, srv *server, stream string, want []byte) {
	t.Helper()
	hc, err := srv.httpClient()
	if err != nil {
		t.Fatal(err)
	}
	defer hc.CloseIdleConnections()
	var protos []string
	c := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.endpoint()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient: doerFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := hc.Do(r)
			if err == nil {
				protos = append(protos, resp.Proto)
			}
			return resp, err
		}),
	})
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || !bytes.Equal(got.Records[0].Data, want) {
		t.Errorf("GetRecords after restart: %+v", got.Records)
	}
	if slices.ContainsFunc(protos, func(p string) bool { return p != "HTTP/2.0" }) {
		t.Errorf("protocols %v, want HTTP/2.0 only", protos)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// cleanAWSEnv is the environment without settings that would change which certificates the AWS
// clients trust or which credentials they use.
func cleanAWSEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "REQUESTS_CA_BUNDLE=") ||
			strings.HasPrefix(kv, "SSL_CERT_")
	})
	return append(env, "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
}

// TestServeRefusesBadTLSFlags: flag mistakes exit with status 2 and say what is wrong, before touching
// the data directory; a certificate that cannot be loaded exits with status 1 and names the file.
func TestServeRefusesBadTLSFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"cert without key", []string{"--tls-cert", "cert.pem"}, 2, "--tls-cert and --tls-key go together: give both or neither"},
		{"key without cert", []string{"--tls-key", "key.pem"}, 2, "--tls-cert and --tls-key go together: give both or neither"},
		{"self-signed and files", []string{"--tls-self-signed", "--tls-cert", "cert.pem", "--tls-key", "key.pem"}, 2, "not both"},
		{"missing files", []string{"--tls-cert", "nope-cert.pem", "--tls-key", "nope-key.pem"}, 1, "nope-cert.pem"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			args := append([]string{"serve", "--addr", freeAddr(t), "--data-dir", dataDir}, tc.args...)
			out, err := exec.CommandContext(ctx, hydrantBin(t), args...).CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.code {
				t.Fatalf("hydrant serve %v: %v, want exit status %d\n%s", tc.args, err, tc.code, out)
			}
			if !strings.Contains(string(out), tc.msg) {
				t.Errorf("output %q does not say %q", out, tc.msg)
			}
			if _, err := os.Stat(dataDir); tc.code == 2 && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("data directory touched on a usage error: %v", err)
			}
		})
	}
}
