package sinks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/sinks"
)

// getter is what analytics reads reference data through.
type getter interface {
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, error)
}

// testGet puts an object through the sink and reads it back, and checks the errors of a missing
// object and a missing bucket.
func testGet(t *testing.T, sink sinks.Sink, g getter) {
	ctx := context.Background()
	body := []byte("TICKER,NAME\nAMZN,Amazon\n")
	if _, err := sink.Put(ctx, sinks.Object{Bucket: "lake", Key: "ref/companies.csv"},
		bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	rc, err := g.Get(ctx, "lake", "ref/companies.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read %q, %v", got, err)
	}
	tests := []struct {
		bucket, key string
		kind        error
	}{
		{"lake", "ref/missing.csv", sinks.ErrNotExist},
		{"lake", "ref", sinks.ErrNotExist}, // a prefix, not an object
		{"lake", "ref/companies.csv/x", sinks.ErrNotExist},
	}
	for _, tt := range tests {
		_, err := g.Get(ctx, tt.bucket, tt.key)
		if !errors.Is(err, tt.kind) {
			t.Errorf("Get %s/%s: %v, want %v", tt.bucket, tt.key, err, tt.kind)
		}
		var se *sinks.Error
		if !errors.As(err, &se) || se.Op != "get" || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("Get %s/%s: error %v does not say get and the key", tt.bucket, tt.key, err)
		}
	}
}

func TestFilesGet(t *testing.T) {
	f, err := sinks.NewFiles(t.TempDir(), sinks.FilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CreateBucket("lake"); err != nil {
		t.Fatal(err)
	}
	testGet(t, f, f)
	if _, err := f.Get(context.Background(), "nobucket", "k"); !errors.Is(err, sinks.ErrNoSuchBucket) {
		t.Fatalf("missing bucket: %v", err)
	}
	if _, err := f.Get(context.Background(), "lake", "../x"); !errors.Is(err, sinks.ErrInvalid) {
		t.Fatalf("bad key: %v", err)
	}
}
