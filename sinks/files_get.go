package sinks

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Get opens the object bucket/key for reading: what analytics applications load reference data
// from. A missing object is ErrNotExist, a missing bucket ErrNoSuchBucket. It is not part of Sink,
// which delivery streams use to write.
func (f *Files) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, f.fail("get", bucket, key, err)
	}
	path, err := f.path(bucket, key)
	if err != nil {
		return nil, f.fail("get", bucket, key, withKind(ErrInvalid, err))
	}
	if err := f.checkBucket(bucket); err != nil {
		return nil, f.fail("get", bucket, key, err)
	}
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, f.fail("get", bucket, key, withKind(ErrNotExist, err))
	}
	if err != nil {
		return nil, f.fail("get", bucket, key, err)
	}
	if fi, err := file.Stat(); err != nil || !fi.Mode().IsRegular() {
		file.Close()
		if err == nil {
			err = errors.New("not a regular file")
		}
		return nil, f.fail("get", bucket, key, withKind(ErrNotExist, err))
	}
	return file, nil
}
