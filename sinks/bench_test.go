package sinks_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/minio/minio-go/v7"
)

// BenchmarkPut measures what a sink alone sustains, in MB/s of object bytes: each iteration streams
// one object of the size from memory (random bytes, so that nothing on the way compresses them) and
// removes it afterwards, outside the timing. The MinIO server shares the machine's cores.
//
//	go test -run '^$' -bench Put -benchtime 20x ./sinks/   (with HYDRANT_MINIO_BIN for MinIO)
func BenchmarkPut(b *testing.B) {
	sizes := []int64{8 << 20, 128 << 20}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("files/%dMiB", size>>20), func(b *testing.B) {
			root := b.TempDir()
			f, err := sinks.NewFiles(root, sinks.FilesOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if err := f.CreateBucket("lake"); err != nil {
				b.Fatal(err)
			}
			benchPut(b, f, size, func(key string) error { return os.Remove(filepath.Join(root, "lake", key)) })
		})
	}
	var srv *miniotest.Server
	for _, size := range sizes {
		for _, signed := range []bool{false, true} {
			name := fmt.Sprintf("minio/%dMiB", size>>20)
			if signed {
				name = fmt.Sprintf("minio-signed-payload/%dMiB", size>>20)
			}
			b.Run(name, func(sb *testing.B) {
				if srv == nil { // one server for all, started only if a MinIO benchmark runs
					srv = miniotest.Start(b)
					srv.CreateBucket("lake")
				}
				s := newS3(sb, srv, sinks.S3Options{SignPayload: signed})
				mc := srv.Client()
				benchPut(sb, s, size, func(key string) error {
					return mc.RemoveObject(context.Background(), "lake", key, minio.RemoveObjectOptions{})
				})
			})
		}
	}
}

func benchPut(b *testing.B, s sinks.Sink, size int64, remove func(key string) error) {
	src := make([]byte, 8<<20)
	rand.NewChaCha8([32]byte{1}).Read(src)
	b.SetBytes(size)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("bench/%d", i)
		i++
		if _, err := s.Put(context.Background(), sinks.Object{Bucket: "lake", Key: key}, &repeatReader{src: src, left: size}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := remove(key); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// repeatReader yields src over and over, left bytes in all.
type repeatReader struct {
	src  []byte
	off  int
	left int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if r.off == len(r.src) {
		r.off = 0
	}
	n := copy(p[:min(int64(len(p)), r.left)], r.src[r.off:])
	r.off += n
	r.left -= int64(n)
	return n, nil
}
