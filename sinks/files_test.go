package sinks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/sinks/sinktest"
)

func TestFilesAcceptance(t *testing.T) {
	sinktest.Run(t, filesHarness(t))
}

func filesHarness(t *testing.T) sinktest.Harness {
	root := t.TempDir()
	const bucket = "lake"
	f, err := sinks.NewFiles(root, sinks.FilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	return sinktest.Harness{
		New: func(t *testing.T, c sinktest.Config) sinks.Sink {
			f, err := sinks.NewFiles(root, sinks.FilesOptions{Budget: c.Budget, Retry: c.Retry})
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
		Bucket: bucket,
		Read: func(t *testing.T, bucket, key string) (io.ReadCloser, error) {
			return os.Open(filepath.Join(root, bucket, filepath.FromSlash(key)))
		},
		Leftovers: func(t *testing.T) []string {
			entries, err := os.ReadDir(filepath.Join(root, ".hydrant-tmp"))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			return names
		},
		Down: func(t *testing.T) func() { return unwritable(t, filepath.Join(root, bucket)) },
	}
}

// unwritable makes dir refuse new entries until the returned function is called: by its mode, or,
// for root, whom modes do not stop, by the immutable attribute.
func unwritable(t *testing.T, dir string) (restore func()) {
	t.Helper()
	var undo func() error
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		undo = func() error { return os.Chmod(dir, 0o755) }
	} else {
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Skipf("running as root, and chattr +i %s failed (%v: %s): no way to make a directory unwritable here", dir, err, out)
		}
		undo = func() error {
			out, err := exec.Command("chattr", "-i", dir).CombinedOutput()
			if err != nil {
				return errors.New(string(out))
			}
			return nil
		}
	}
	restored := false
	restore = func() {
		if !restored {
			restored = true
			if err := undo(); err != nil {
				t.Fatalf("make %s writable again: %v", dir, err)
			}
		}
	}
	t.Cleanup(restore)
	if err := os.Mkdir(filepath.Join(dir, "probe"), 0o755); err == nil {
		os.Remove(filepath.Join(dir, "probe"))
		restore()
		t.Fatalf("%s is still writable", dir)
	}
	return restore
}

func newFiles(t *testing.T) (*sinks.Files, string) {
	t.Helper()
	root := t.TempDir()
	f, err := sinks.NewFiles(root, sinks.FilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CreateBucket("lake"); err != nil {
		t.Fatal(err)
	}
	return f, root
}

func TestFilesKeys(t *testing.T) {
	f, root := newFiles(t)
	ctx := context.Background()
	for _, key := range []string{"../escape", "a/../b", "/abs", "a//b", "dir/", ".", "a/./b", strings.Repeat("x", 256), "nul\x00", ""} {
		if _, err := f.Put(ctx, sinks.Object{Bucket: "lake", Key: key}, strings.NewReader("x")); !errors.Is(err, sinks.ErrInvalid) {
			t.Errorf("Put(%q) = %v, want ErrInvalid", key, err)
		}
	}
	for _, bucket := range []string{"..", ".hydrant-tmp", "a", "UPPER", "-lead", "has/slash"} {
		if _, err := f.Put(ctx, sinks.Object{Bucket: bucket, Key: "k"}, strings.NewReader("x")); !errors.Is(err, sinks.ErrInvalid) {
			t.Errorf("Put into bucket %q = %v, want ErrInvalid", bucket, err)
		}
	}
	// A file where a directory must go, and the reverse: S3 allows both, a filesystem neither.
	if _, err := f.Put(ctx, sinks.Object{Bucket: "lake", Key: "a"}, strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Put(ctx, sinks.Object{Bucket: "lake", Key: "a/b"}, strings.NewReader("x")); !errors.Is(err, sinks.ErrConflict) {
		t.Errorf("Put(a/b) over the file a = %v, want ErrConflict", err)
	}
	if _, err := f.Put(ctx, sinks.Object{Bucket: "lake", Key: "c/d"}, strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Put(ctx, sinks.Object{Bucket: "lake", Key: "c"}, strings.NewReader("x")); !errors.Is(err, sinks.ErrConflict) {
		t.Errorf("Put(c) over the directory c = %v, want ErrConflict", err)
	}
	if _, err := f.Stat(ctx, "lake", "c"); !errors.Is(err, sinks.ErrNotExist) {
		t.Errorf("Stat of a directory = %v, want ErrNotExist", err)
	}
	if _, err := f.Stat(ctx, "lake", "a/b"); !errors.Is(err, sinks.ErrNotExist) {
		t.Errorf("Stat under a file = %v, want ErrNotExist", err)
	}
	// Nothing of Hydrant's own shows up in the bucket.
	var names []string
	filepath.WalkDir(filepath.Join(root, "lake"), func(p string, d os.DirEntry, err error) error {
		names = append(names, p)
		return err
	})
	if len(names) != 4 { // lake, lake/a, lake/c, lake/c/d
		t.Errorf("bucket holds %q", names)
	}
}

// TestFilesLayout checks where the bytes and the attributes land, and that a new Files clears what
// a crashed one left in its temporary directory.
func TestFilesLayout(t *testing.T) {
	f, root := newFiles(t)
	ctx := context.Background()
	o := sinks.Object{Bucket: "lake", Key: "2026/11/21/obj.gz", ContentEncoding: "gzip", Metadata: map[string]string{"first-seq": "1"}}
	if _, err := f.Put(ctx, o, strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "lake/2026/11/21/obj.gz")); err != nil || string(b) != "hello" {
		t.Fatalf("object file = %q, %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(root, ".hydrant-meta/lake/2026/11/21/obj.gz")); err != nil || !bytes.Contains(b, []byte(`"content_encoding":"gzip"`)) {
		t.Fatalf("attributes = %s, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(root, ".hydrant-tmp/put-123"), []byte("torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sinks.NewFiles(root, sinks.FilesOptions{}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, ".hydrant-tmp")); len(entries) != 0 {
		t.Fatalf("leftovers survive a restart: %v", entries)
	}
	info, err := f.Stat(ctx, "lake", o.Key)
	if err != nil || info.ContentEncoding != "gzip" || info.ContentType != "" || info.Metadata["first-seq"] != "1" || info.Size != 5 {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
}
