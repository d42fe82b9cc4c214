package buffer

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
)

// TestManagerDelivers drives a DirectPut delivery stream through the Manager, from PutRecords to a
// gzip object in a bucket under Firehose's default key shape, across a restart of everything.
func TestManagerDelivers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		lake := filepath.Join(dir, "s3")
		os.MkdirAll(filepath.Join(lake, "lake"), 0o755)
		open := func() (*streams.Store, *Manager) {
			store, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
			if err != nil {
				t.Fatal(err)
			}
			files, err := sinks.NewFiles(lake, sinks.FilesOptions{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := Open(Options{Dir: filepath.Join(dir, "firehose"), Store: store, Objects: files,
				Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
			if err != nil {
				t.Fatal(err)
			}
			return store, m
		}
		store, m := open()
		sc := streams.Scope{Account: "000000000000", Region: "us-east-1"}
		cfg := Config{Type: TypeDirectPut, Destination: Destination{BucketARN: "arn:aws:s3:::lake", Prefix: "clicks/",
			Rules: Rules{Size: 5 << 20, Interval: 60 * time.Second}, Compression: CompressionGzip}}
		if _, err := m.Create(sc, CreateInput{Name: "clicks", Config: cfg}); err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		put := func(from, to int) {
			var recs [][]byte
			for i := from; i < to; i++ {
				r := fmt.Sprintf(`{"n":%d}`+"\n", i)
				want.WriteString(r)
				recs = append(recs, []byte(r))
			}
			res, err := m.PutRecords(context.Background(), sc, "clicks", recs)
			if err != nil || res.Failed != 0 {
				t.Fatalf("put: %v %+v", err, res)
			}
		}
		put(0, 100)
		// Restart before the interval: the records wait in the log, not in memory.
		time.Sleep(30 * time.Second)
		m.Close()
		store.Close()
		store, m = open()
		defer store.Close()
		defer m.Close()
		put(100, 150)
		time.Sleep(31 * time.Second)
		synctest.Wait()

		var got strings.Builder
		var keys []string
		filepath.Walk(filepath.Join(lake, "lake"), func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join(lake, "lake"), p)
			keys = append(keys, rel)
			f, _ := os.Open(p)
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(&got, zr)
			return nil
		})
		shape := regexp.MustCompile(`^clicks/2000/01/01/00/clicks-1-2000-01-01-00-00-00-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$`)
		if len(keys) != 1 || !shape.MatchString(keys[0]) {
			t.Fatalf("objects %q", keys)
		}
		if got.String() != want.String() {
			t.Fatalf("object holds %d bytes, want %d", got.Len(), want.Len())
		}
	})
}
