// Package e2e drives a real `hydrant serve` process: the acceptance walk-throughs, the crash test and
// the client SDKs that only a separate process exercises honestly.
package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// hydrantBin builds cmd/hydrant once per test binary.
func hydrantBin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hydrant-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "hydrant")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/hydrant").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is a running `hydrant serve`.
type server struct {
	t       testing.TB
	cmd     *exec.Cmd
	addr    string
	dataDir string
	caFile  string // with --tls-*: the certificate clients trust (it may not exist until the server makes it)
	logs    *strings.Builder
	logsMu  *sync.Mutex
	done    chan struct{}
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer starts hydrant serve on addr with dataDir and waits for /health, over HTTPS when extra
// turns TLS on.
func startServer(t testing.TB, addr, dataDir string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--addr", addr, "--data-dir", dataDir}, extra...)
	cmd := exec.Command(hydrantBin(t), args...)
	s := &server{t: t, cmd: cmd, addr: addr, dataDir: dataDir, logs: &strings.Builder{}, logsMu: &sync.Mutex{}, done: make(chan struct{})}
	for i, a := range extra {
		switch {
		case a == "--tls-self-signed":
			s.caFile = filepath.Join(dataDir, "tls", "cert.pem")
		case a == "--tls-cert" && i+1 < len(extra):
			s.caFile = extra[i+1]
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.logsMu.Lock()
			s.logs.WriteString(sc.Text() + "\n")
			s.logsMu.Unlock()
		}
		cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _, err := s.httpGet("/health"); err == nil && status == 200 {
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("hydrant exited before becoming healthy:\n%s", s.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("hydrant not healthy after 30s:\n%s", s.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) log() string {
	s.logsMu.Lock()
	defer s.logsMu.Unlock()
	return s.logs.String()
}

func (s *server) endpoint() string {
	if s.caFile != "" {
		return "https://" + s.addr
	}
	return "http://" + s.addr
}

// httpClient returns a client for the server: with TLS, one trusting only its certificate and
// offering HTTP/2 and HTTP/1.1 by ALPN.
func (s *server) httpClient() (*http.Client, error) {
	if s.caFile == "" {
		return &http.Client{Timeout: 30 * time.Second}, nil
	}
	pem, err := os.ReadFile(s.caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", s.caFile)
	}
	var protos http.Protocols
	protos.SetHTTP1(true)
	protos.SetHTTP2(true)
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Protocols: &protos, TLSClientConfig: &tls.Config{RootCAs: roots}}}, nil
}

// httpGet gets path from the server on a connection of its own, and closes it.
func (s *server) httpGet(path string) (status int, body []byte, err error) {
	c, err := s.httpClient()
	if err != nil {
		return 0, nil, err
	}
	defer c.CloseIdleConnections()
	resp, err := c.Get(s.endpoint() + path)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.done
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no exit 30s after SIGTERM")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("exit status %d", code)
	}
	return nil
}

func kinesisClient(endpoint string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

func createStream(t *testing.T, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err == nil && d.StreamDescriptionSummary.StreamStatus == "ACTIVE" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("stream never ACTIVE")
}
