package miniotest_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/minio/minio-go/v7"
)

// TestRestartKeepsData: a server stopped and started again serves on the same port from the same
// data directory, which is what tests of a destination that goes down rely on.
func TestRestartKeepsData(t *testing.T) {
	s := miniotest.Start(t)
	s.CreateBucket("lake")
	ctx := context.Background()
	c := s.Client()
	if _, err := c.PutObject(ctx, "lake", "k", bytes.NewReader([]byte("kept")), 4, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	addr := s.Addr()
	s.Stop()
	if _, err := c.StatObject(ctx, "lake", "k", minio.StatObjectOptions{}); err == nil {
		t.Fatal("a stopped server answers")
	}
	s.Stop() // stopping twice is harmless
	s.Restart()
	if s.Addr() != addr {
		t.Fatalf("restarted on %s, was %s", s.Addr(), addr)
	}
	obj, err := c.GetObject(ctx, "lake", "k", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if b, err := io.ReadAll(obj); err != nil || string(b) != "kept" {
		t.Fatalf("after restart: %q, %v", b, err)
	}
	s.Kill()
	s.Restart()
}
