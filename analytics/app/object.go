package app

import (
	"context"
	"fmt"
	"io"
)

// readObject reads an S3 object whole, up to Options.MaxReferenceBytes, within Options.ObjectTimeout.
func (m *Manager) readObject(ctx context.Context, bucketARN, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, m.opts.ObjectTimeout)
	defer cancel()
	bucket, err := bucketOf(bucketARN)
	if err != nil {
		return nil, err
	}
	if m.opts.Objects == nil {
		return nil, errNoObjects
	}
	rc, err := m.opts.Objects.Get(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, m.opts.MaxReferenceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	if int64(len(data)) > m.opts.MaxReferenceBytes {
		return nil, fmt.Errorf("s3://%s/%s is larger than %d bytes", bucket, key, m.opts.MaxReferenceBytes)
	}
	return data, nil
}
