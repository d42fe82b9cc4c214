// Package miniotest runs a real MinIO server for tests: on a free loopback port, with a temporary data
// directory and known credentials, stopped when the test ends. Tests can stop it and start it again on
// the same port and data directory to play a destination that goes down and comes back.
//
// The binary is built once by scripts/minio.sh (a pinned `go install` into a cache), and found through
// HYDRANT_MINIO_BIN, which scripts/test.sh exports together with HYDRANT_REQUIRE_MINIO=1. Without the
// variable a test skips with a message saying how to get the binary; with HYDRANT_REQUIRE_MINIO=1 (or
// CI=true) it fails instead, so the test script can never pass by skipping.
//
// Read objects back with Client (minio-go), a client independent of the code under test.
package miniotest

import (
	"context"
	"errors"
	"fmt"
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

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The credentials and region of every test server.
const (
	AccessKey = "hydrant-test"
	SecretKey = "hydrant-test-secret"
	Region    = "us-east-1"
)

// BinEnv names the variable that holds the path of the MinIO binary.
const BinEnv = "HYDRANT_MINIO_BIN"

// RequireEnv, set to 1, turns a missing binary into a test failure instead of a skip.
const RequireEnv = "HYDRANT_REQUIRE_MINIO"

// Bin returns the MinIO binary's path, or skips (fails when required) if there is none.
func Bin(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv(BinEnv)
	required := os.Getenv(RequireEnv) == "1" || os.Getenv("CI") == "true"
	if bin == "" {
		if required {
			tb.Fatalf("%s is not set: scripts/test.sh builds MinIO with scripts/minio.sh and exports it", BinEnv)
		}
		tb.Skipf("needs a MinIO server: run scripts/test.sh, or export %s=$(scripts/minio.sh)", BinEnv)
	}
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("%s=%s: %v", BinEnv, bin, err)
	}
	return bin
}

// Server is a MinIO process that the test owns.
type Server struct {
	tb      testing.TB
	bin     string
	addr    string
	dataDir string
	cfgDir  string

	mu struct {
		sync.Mutex
		cmd  *exec.Cmd
		done chan struct{} // closed when cmd has exited
		log  tail
	}
}

// Start runs a MinIO server on a free loopback port with a fresh data directory and waits until it
// serves requests. It is stopped when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, bin: Bin(tb), dataDir: tb.TempDir(), cfgDir: tb.TempDir()}
	var err error
	for range 5 { // another process may take the port between our probe and MinIO's bind
		s.addr = freeAddr(tb)
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// Endpoint is the server's URL, http://127.0.0.1:port.
func (s *Server) Endpoint() string { return "http://" + s.addr }

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// DataDir is the directory that holds the server's objects.
func (s *Server) DataDir() string { return s.dataDir }

// Pid is the running server's process id, 0 when it is stopped: benchmarks read its CPU time from
// /proc/<pid>/stat.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.cmd == nil {
		return 0
	}
	return s.mu.cmd.Process.Pid
}

// Log returns the tail of the server's output.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.log.String()
}

// Restart starts the server again after Stop or Kill, on the same port and data directory, and
// waits until it is ready.
func (s *Server) Restart() {
	s.tb.Helper()
	var err error
	deadline := time.Now().Add(30 * time.Second)
	for { // the port can stay busy for a moment after the old process is gone
		if err = s.start(); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		s.tb.Fatal(err)
	}
}

// Stop ends the server with SIGTERM (SIGKILL after 10 s) and waits for it to exit. Stopping a stopped
// server does nothing.
func (s *Server) Stop() { s.signal(syscall.SIGTERM, 10*time.Second) }

// Kill ends the server with SIGKILL and waits for it to exit.
func (s *Server) Kill() { s.signal(syscall.SIGKILL, 10*time.Second) }

func (s *Server) signal(sig syscall.Signal, grace time.Duration) {
	s.mu.Lock()
	cmd, done := s.mu.cmd, s.mu.done
	s.mu.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(grace):
		cmd.Process.Kill()
		<-done
	}
}

// start runs the process and waits until it is ready, or returns why it is not.
func (s *Server) start() error {
	s.mu.Lock()
	if s.mu.cmd != nil {
		s.mu.Unlock()
		return errors.New("miniotest: server already running")
	}
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", s.addr,
		"--certs-dir", filepath.Join(s.cfgDir, "certs"), s.dataDir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+AccessKey,
		"MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_REGION="+Region,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_CALLHOME_ENABLE=off",
		"HOME="+s.cfgDir, // MinIO keeps client state under $HOME/.minio
	)
	setProcAttr(cmd)
	w := &logWriter{s: s}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("start minio: %w", err)
	}
	done := make(chan struct{})
	s.mu.cmd, s.mu.done = cmd, done
	s.mu.Unlock()
	go func() {
		cmd.Wait()
		close(done)
	}()

	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := hc.Get(s.Endpoint() + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			s.mu.Lock()
			s.mu.cmd = nil
			s.mu.Unlock()
			return fmt.Errorf("minio exited before it was ready (%v):\n%s", cmd.ProcessState, s.Log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("minio not ready after 60s:\n%s", s.Log())
		}
	}
}

// Client returns a minio-go client for the server: an S3 client independent of Hydrant's.
func (s *Server) Client() *minio.Client {
	s.tb.Helper()
	c, err := minio.New(s.addr, &minio.Options{
		Creds:  credentials.NewStaticV4(AccessKey, SecretKey, ""),
		Region: Region,
		Secure: false,
	})
	if err != nil {
		s.tb.Fatal(err)
	}
	return c
}

// CreateBucket creates a bucket.
func (s *Server) CreateBucket(name string) {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Client().MakeBucket(ctx, name, minio.MakeBucketOptions{Region: Region}); err != nil {
		s.tb.Fatalf("create bucket %s: %v", name, err)
	}
}

func freeAddr(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type logWriter struct{ s *Server }

func (w *logWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.s.mu.log.write(p)
	return len(p), nil
}

// tail keeps the last 64 KiB of a process's output.
type tail struct{ b []byte }

const tailMax = 64 << 10

func (t *tail) write(p []byte) {
	t.b = append(t.b, p...)
	if len(t.b) > tailMax {
		t.b = append(t.b[:0], t.b[len(t.b)-tailMax:]...)
	}
}

func (t *tail) String() string { return strings.ToValidUTF8(string(t.b), "?") }
