package sinks_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/sinks/sinktest"
	"github.com/minio/minio-go/v7"
)

func TestS3AcceptanceMinIO(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket("lake")
	sinktest.Run(t, minioHarness(t, srv, "lake"))
}

func minioHarness(t *testing.T, srv *miniotest.Server, bucket string) sinktest.Harness {
	mc := srv.Client()
	return sinktest.Harness{
		New: func(t *testing.T, c sinktest.Config) sinks.Sink {
			return newS3(t, srv, sinks.S3Options{Budget: c.Budget, Retry: c.Retry})
		},
		Bucket: bucket,
		Read: func(t *testing.T, bucket, key string) (io.ReadCloser, error) {
			obj, err := mc.GetObject(context.Background(), bucket, key, minio.GetObjectOptions{})
			if err != nil {
				return nil, err
			}
			if _, err := obj.Stat(); err != nil {
				obj.Close()
				return nil, err
			}
			return obj, nil
		},
		Leftovers: func(t *testing.T) []string {
			var out []string
			for u := range mc.ListIncompleteUploads(context.Background(), bucket, "", true) {
				if u.Err != nil {
					t.Fatal(u.Err)
				}
				out = append(out, u.Key+" (upload "+u.UploadID+")")
			}
			return out
		},
		Down: func(t *testing.T) func() {
			srv.Stop()
			return srv.Restart
		},
		PartSize: sinks.DefaultPartSize,
	}
}

func newS3(t testing.TB, srv *miniotest.Server, o sinks.S3Options) *sinks.S3 {
	t.Helper()
	o.Endpoint = srv.Endpoint()
	o.Region = miniotest.Region
	if o.Credentials == nil {
		o.Credentials = staticCredentials()
	}
	s, err := sinks.NewS3(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestMinIOConditionalWrites is the evidence the S3 sink's exactly-once rests on, asked of the real
// server with the plain SDK: If-None-Match: * refuses to replace an object on PutObject and on
// CompleteMultipartUpload (412 PreconditionFailed), concurrent conditional PUTs of one key have one
// winner, and a full-object CRC-32C given at upload comes back from HeadObject.
func TestMinIOConditionalWrites(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket("lake")
	ctx := context.Background()
	c := s3.New(s3.Options{
		Region:       miniotest.Region,
		BaseEndpoint: aws.String(srv.Endpoint()),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(miniotest.AccessKey, miniotest.SecretKey, ""),
	})
	put := func(key string, body []byte) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String(key),
			Body: bytes.NewReader(body), IfNoneMatch: aws.String("*")})
		return err
	}
	code := func(err error) string {
		var ae smithy.APIError
		var re *smithyhttp.ResponseError
		if errors.As(err, &ae) && errors.As(err, &re) {
			return fmt.Sprintf("%d %s", re.HTTPStatusCode(), ae.ErrorCode())
		}
		return fmt.Sprint(err)
	}
	if err := put("k", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if got := code(put("k", []byte("two"))); got != "412 PreconditionFailed" {
		t.Fatalf("second conditional PutObject: %s, want 412 PreconditionFailed", got)
	}

	// CompleteMultipartUpload onto an existing key.
	body := bytes.Repeat([]byte("x"), 5<<20)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("lake"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c, ChecksumType: types.ChecksumTypeFullObject})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("lake"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(key string) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("lake"), Key: aws.String(key),
			UploadId: up.UploadId, IfNoneMatch: aws.String("*"), ChecksumType: types.ChecksumTypeFullObject,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
				{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32C: part.ChecksumCRC32C}}}})
		return err
	}
	if got := code(complete("k")); got != "412 PreconditionFailed" {
		t.Fatalf("conditional CompleteMultipartUpload onto an object: %s, want 412 PreconditionFailed", got)
	}
	c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("lake"), Key: aws.String("k"), UploadId: up.UploadId})
	if b := read(t, srv, "lake", "k"); string(b) != "one" {
		t.Fatalf("object replaced: %q", b)
	}

	// One winner among concurrent conditional PUTs.
	for round := range 5 {
		var wg sync.WaitGroup
		var won, refused atomic.Int32
		for range 8 {
			wg.Go(func() {
				switch err := put(fmt.Sprint("race-", round), body[:1<<20]); {
				case err == nil:
					won.Add(1)
				case code(err) == "412 PreconditionFailed":
					refused.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 || refused.Load() != 7 {
			t.Fatalf("round %d: %d conditional PUTs won, %d refused; want 1 and 7", round, won.Load(), refused.Load())
		}
	}

	// The full-object CRC-32C the sink compares.
	s := newS3(t, srv, sinks.S3Options{})
	res, err := s.Put(ctx, sinks.Object{Bucket: "lake", Key: "crc"}, bytes.NewReader(body[:3<<20]))
	if err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lake"), Key: aws.String("crc"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	want := binary.BigEndian.AppendUint32(nil, crc32.Checksum(body[:3<<20], crc32.MakeTable(crc32.Castagnoli)))
	if aws.ToString(head.ChecksumCRC32C) != base64.StdEncoding.EncodeToString(want) || res.CRC32C != binary.BigEndian.Uint32(want) {
		t.Fatalf("HeadObject CRC-32C %s, Put %08x; want %x", aws.ToString(head.ChecksumCRC32C), res.CRC32C, want)
	}
	t.Logf("HeadObject: ChecksumCRC32C %s, ChecksumType %s", aws.ToString(head.ChecksumCRC32C), head.ChecksumType)
}

func read(t *testing.T, srv *miniotest.Server, bucket, key string) []byte {
	t.Helper()
	obj, err := srv.Client().GetObject(context.Background(), bucket, key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestS3PartBoundary: an object of exactly PartSize bytes goes up in one PUT, one byte more in two
// parts (a multipart ETag ends in -2).
func TestS3PartBoundary(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket("lake")
	s := newS3(t, srv, sinks.S3Options{PartSize: 5 << 20})
	for _, tc := range []struct {
		size       int64
		multipart  bool
		etagSuffix string
	}{{5 << 20, false, ""}, {5<<20 + 1, true, "-2"}, {15 << 20, true, "-3"}} {
		key := fmt.Sprint(tc.size)
		if _, err := s.Put(context.Background(), sinks.Object{Bucket: "lake", Key: key}, io.LimitReader(rand.NewChaCha8([32]byte{}), tc.size)); err != nil {
			t.Fatal(err)
		}
		st, err := srv.Client().StatObject(context.Background(), "lake", key, minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(st.ETag, "-"); got != tc.multipart || !strings.HasSuffix(st.ETag, tc.etagSuffix) || st.Size != tc.size {
			t.Errorf("%d bytes: ETag %s, size %d; want multipart %v", tc.size, st.ETag, st.Size, tc.multipart)
		}
	}
}

// TestS3AccessDenied: wrong credentials are a permanent error, returned at once.
func TestS3AccessDenied(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket("lake")
	s := newS3(t, srv, sinks.S3Options{
		Credentials: credentials.NewStaticCredentialsProvider(miniotest.AccessKey, "wrong-secret", ""),
		Retry:       sinks.Backoff{Base: time.Minute, Max: time.Minute},
	})
	for _, n := range []int64{10, 9 << 20} {
		_, err := s.Put(context.Background(), sinks.Object{Bucket: "lake", Key: "k"}, io.LimitReader(rand.NewChaCha8([32]byte{}), n))
		if !errors.Is(err, sinks.ErrAccessDenied) || sinks.Temporary(err) {
			t.Fatalf("Put of %d bytes with a wrong secret = %v, want ErrAccessDenied", n, err)
		}
	}
	if _, err := s.Stat(context.Background(), "lake", "k"); !errors.Is(err, sinks.ErrAccessDenied) {
		t.Fatalf("Stat with a wrong secret = %v, want ErrAccessDenied", err)
	}
}

// TestS3FromEnvironment: with no options, the endpoint and credentials come from the usual AWS_*
// variables, and a custom endpoint is addressed path-style.
func TestS3FromEnvironment(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket("lake")
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.Endpoint())
	t.Setenv("AWS_ACCESS_KEY_ID", miniotest.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", miniotest.SecretKey)
	t.Setenv("AWS_REGION", miniotest.Region)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	s, err := sinks.NewS3(context.Background(), sinks.S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Put(context.Background(), sinks.Object{Bucket: "lake", Key: "from-env"}, strings.NewReader("hi")); err != nil {
		t.Fatal(err)
	}
	if b := read(t, srv, "lake", "from-env"); string(b) != "hi" {
		t.Fatalf("read %q", b)
	}
}

func staticCredentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(miniotest.AccessKey, miniotest.SecretKey, "")
}
