package sinks

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Get opens the object bucket/key for reading: what analytics applications load reference data
// from. A missing object is ErrNotExist. It is not part of Sink, which delivery streams use to
// write. The caller closes the body; reading it is not retried (the callers read small objects
// whole and fail the operation on a broken read).
func (s *S3) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	if err := checkBucket(bucket); err != nil {
		return nil, s.fail("get", bucket, key, withKind(ErrInvalid, err))
	}
	var out *s3.GetObjectOutput
	err := s.retry(ctx, "get object", func(ctx context.Context) (err error) {
		out, err = s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		return err
	})
	if err != nil {
		return nil, s.fail("get", bucket, key, err)
	}
	return out.Body, nil
}
