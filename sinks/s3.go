package sinks

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// S3Options configures an S3 sink. The zero value talks to AWS with the default credential chain.
type S3Options struct {
	// Endpoint is the S3 endpoint's URL, e.g. http://127.0.0.1:9000 for MinIO. Default:
	// AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS S3 itself.
	Endpoint string
	// Region defaults to AWS_REGION (or the shared config's), else us-east-1.
	Region string
	// Credentials default to the AWS SDK's chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and
	// AWS_SESSION_TOKEN), then AWS_PROFILE and the shared files, then the container or instance role.
	Credentials aws.CredentialsProvider
	// VirtualHostedStyle addresses buckets as bucket.host instead of host/bucket. With a custom
	// Endpoint the default is path-style, which MinIO and most S3-compatible servers need; with AWS
	// the SDK's default (virtual-hosted) applies.
	VirtualHostedStyle bool
	// PartSize is the size of multipart upload parts, and the largest object sent with a single PUT.
	// Default 8 MiB; at least 5 MiB (S3's minimum part), at most 5 GiB. An object can have 10,000
	// parts, so PartSize bounds the object size too (8 MiB parts: 78 GiB).
	PartSize int64
	// PartConcurrency is how many parts of one object are uploaded at once. Default 4.
	PartConcurrency int
	// Budget bounds the part buffers of all Puts in flight; share one among sinks. Default: a budget
	// of 8 parts for this sink alone.
	Budget *Budget
	// Retry sets the waits between attempts while the destination is down.
	Retry Backoff
	// SignPayload signs each request's body with SHA-256 (x-amz-content-sha256). By default bodies
	// are sent as UNSIGNED-PAYLOAD and protected by their CRC-32C checksum instead, which the server
	// verifies: one hash pass fewer over every byte.
	SignPayload bool
	// ResponseTimeout bounds the wait for a response once a request has been sent, so that a hung
	// server counts as down and is retried. Default 2 minutes.
	ResponseTimeout time.Duration
}

// DefaultPartSize is the multipart part size unless S3Options.PartSize says otherwise.
const DefaultPartSize = 8 << 20

const (
	minPartSize = 5 << 20
	maxPartSize = 5 << 30
	maxParts    = 10000
)

// S3 is a Sink that stores objects in S3 buckets.
type S3 struct {
	client *s3.Client
	http   *http.Transport
	opts   S3Options
}

var _ Sink = (*S3)(nil)

// NewS3 returns an S3 sink. It loads the AWS configuration (region, credentials) but makes no
// request.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.Endpoint == "" {
		o.Endpoint = cmp(os.Getenv("AWS_ENDPOINT_URL_S3"), os.Getenv("AWS_ENDPOINT_URL"))
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < minPartSize || o.PartSize > maxPartSize {
		return nil, fmt.Errorf("s3 sink: part size %d is not between 5 MiB and 5 GiB", o.PartSize)
	}
	if o.PartConcurrency <= 0 {
		o.PartConcurrency = 4
	}
	if o.Budget == nil {
		o.Budget = NewBudget(8 * o.PartSize)
	}
	if o.Budget.Size() < o.PartSize {
		return nil, fmt.Errorf("s3 sink: budget of %d bytes is smaller than a part (%d)", o.Budget.Size(), o.PartSize)
	}
	if o.ResponseTimeout <= 0 {
		o.ResponseTimeout = 2 * time.Minute
	}
	o.Retry = o.Retry.withDefaults()

	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.ResponseHeaderTimeout = o.ResponseTimeout
		t.MaxIdleConnsPerHost = 64
	})
	loads := []func(*config.LoadOptions) error{
		config.WithHTTPClient(hc), // buildable, so that the loader can add AWS_CA_BUNDLE's roots
		// One retry policy, ours: it waits as long as ctx allows, where the SDK's gives up after 3.
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if o.Region != "" {
		loads = append(loads, config.WithRegion(o.Region))
	}
	if o.Credentials != nil {
		loads = append(loads, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("s3 sink: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	// Build the HTTP client now, and keep its transport to close its connections.
	var tr *http.Transport
	if b, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		cfg.HTTPClient = b.Freeze()
		if c, ok := cfg.HTTPClient.(*http.Client); ok {
			tr, _ = c.Transport.(*http.Transport)
		}
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
			so.UsePathStyle = !o.VirtualHostedStyle
		}
		if !o.SignPayload {
			so.APIOptions = append(so.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
		}
	})
	return &S3{client: client, http: tr, opts: o}, nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Close closes idle connections.
func (s *S3) Close() error {
	if s.http != nil {
		s.http.CloseIdleConnections()
	}
	return nil
}

// Put implements Sink.
func (s *S3) Put(ctx context.Context, o Object, body io.Reader) (PutResult, error) {
	res, err := s.put(ctx, o, body)
	if err != nil {
		return res, s.fail("put", o.Bucket, o.Key, err)
	}
	return res, nil
}

func (s *S3) put(ctx context.Context, o Object, body io.Reader) (PutResult, error) {
	if err := checkObject(o); err != nil {
		return PutResult{}, withKind(ErrInvalid, err)
	}
	r, err := s.opts.Budget.reserve(ctx, s.opts.PartSize)
	if err != nil {
		return PutResult{}, err
	}
	first := &part{res: r}
	defer func() { first.res.release() }()
	lr := &lookahead{r: body}
	if err := first.fill(lr, s.opts.PartSize); err != nil {
		return PutResult{}, err
	}
	more, err := lr.more()
	if err != nil {
		return PutResult{}, err
	}
	if !more {
		r.shrink()
		return s.putSingle(ctx, o, first)
	}
	return s.putMultipart(ctx, o, first, lr)
}

// putSingle stores an object that fits in one part with a conditional PutObject.
func (s *S3) putSingle(ctx context.Context, o Object, p *part) (PutResult, error) {
	want := PutResult{Size: p.n, CRC32C: p.crc}
	for {
		err := s.retry(ctx, "put object", func(ctx context.Context) error {
			_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
				Bucket:            &o.Bucket,
				Key:               &o.Key,
				Body:              p.reader(),
				ContentLength:     aws.Int64(p.n),
				ContentType:       optional(o.ContentType),
				ContentEncoding:   optional(o.ContentEncoding),
				Metadata:          o.Metadata,
				IfNoneMatch:       aws.String("*"),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
				ChecksumCRC32C:    aws.String(crcString(p.crc)),
			})
			return err
		})
		if !isCode(err, "PreconditionFailed") {
			return want, err
		}
		// Something is there: ours from an attempt whose answer was lost, or an earlier delivery's.
		res, err := s.settle(ctx, o, want)
		if !errors.Is(err, ErrNotExist) {
			return res, err
		}
		// Deleted since the 412: store it again.
	}
}

// putMultipart streams an object larger than one part through a multipart upload. first holds the
// body's first part; lr has the rest.
func (s *S3) putMultipart(ctx context.Context, o Object, first *part, lr *lookahead) (PutResult, error) {
	// A replay finds the object stored already: compare it instead of uploading it again.
	head, err := s.head(ctx, o.Bucket, o.Key)
	switch {
	case err == nil:
		want, err := drain(first, lr)
		if err != nil {
			return want, err
		}
		return compare(o, head, want)
	case !isNotFound(err):
		return PutResult{}, err
	}

	var uploadID string
	err = s.retry(ctx, "create multipart upload", func(ctx context.Context) error {
		out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
			Bucket:            &o.Bucket,
			Key:               &o.Key,
			ContentType:       optional(o.ContentType),
			ContentEncoding:   optional(o.ContentEncoding),
			Metadata:          o.Metadata,
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
			ChecksumType:      types.ChecksumTypeFullObject,
		})
		if err == nil {
			uploadID = aws.ToString(out.UploadId)
		}
		return err
	})
	if err != nil {
		return PutResult{}, err
	}
	completed := false
	defer func() {
		if !completed {
			s.abort(ctx, o, uploadID)
		}
	}()

	parts, err := s.uploadParts(ctx, o, uploadID, first, lr)
	want := PutResult{Size: lr.n, CRC32C: lr.crc}
	if err != nil {
		return want, err
	}

	attempts := 0
	err = s.retry(ctx, "complete multipart upload", func(ctx context.Context) error {
		attempts++
		_, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket:          &o.Bucket,
			Key:             &o.Key,
			UploadId:        &uploadID,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
			IfNoneMatch:     aws.String("*"),
			MpuObjectSize:   aws.Int64(want.Size),
			ChecksumType:    types.ChecksumTypeFullObject,
			ChecksumCRC32C:  aws.String(crcString(want.CRC32C)),
		})
		return err
	})
	switch {
	case err == nil:
		completed = true
		return want, nil
	case isCode(err, "PreconditionFailed"), isCode(err, "NoSuchUpload") && attempts > 1:
		// Stored already, or by an earlier attempt whose answer was lost (the upload is gone then).
		res, err := s.settle(ctx, o, want)
		if errors.Is(err, ErrNotExist) {
			err = errorf(ErrUnavailable, "object not found after its upload was refused or completed")
		}
		return res, err
	case isCode(err, "NoSuchUpload"):
		return want, errorf(ErrUnavailable, "multipart upload %s vanished: %w", uploadID, err)
	}
	return want, err
}

// uploadParts uploads first, then reads the rest of the body part by part and uploads each. At most
// PartConcurrency parts of this object are in memory at once, each holding its share of the budget
// until it is stored.
func (s *S3) uploadParts(ctx context.Context, o Object, uploadID string, first *part, lr *lookahead) ([]types.CompletedPart, error) {
	g, gctx := errgroup.WithContext(ctx)
	slots := make(chan struct{}, s.opts.PartConcurrency)
	var done []*types.CompletedPart // written by the reader below; each ETag by its part's uploader

	upload := func(p *part) {
		num := int32(len(done) + 1)
		cp := &types.CompletedPart{PartNumber: aws.Int32(num), ChecksumCRC32C: aws.String(crcString(p.crc))}
		done = append(done, cp)
		g.Go(func() error {
			defer func() {
				p.res.release()
				<-slots
			}()
			return s.retry(gctx, fmt.Sprintf("upload part %d", num), func(ctx context.Context) error {
				out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
					Bucket:            &o.Bucket,
					Key:               &o.Key,
					UploadId:          &uploadID,
					PartNumber:        aws.Int32(num),
					Body:              p.reader(),
					ContentLength:     aws.Int64(p.n),
					ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
					ChecksumCRC32C:    cp.ChecksumCRC32C,
				})
				if err == nil {
					cp.ETag = out.ETag
				}
				return err
			})
		})
	}

	slots <- struct{}{}
	upload(first)
	g.Go(func() error {
		for {
			more, err := lr.more()
			if err != nil || !more {
				return err
			}
			if len(done) == maxParts {
				return errorf(ErrInvalid, "object larger than %d parts of %d bytes", maxParts, s.opts.PartSize)
			}
			select {
			case slots <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			r, err := s.opts.Budget.reserve(gctx, s.opts.PartSize)
			if err != nil {
				<-slots
				return err
			}
			p := &part{res: r}
			if err := p.fill(lr, s.opts.PartSize); err != nil {
				r.release()
				<-slots
				return err
			}
			upload(p)
		}
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	parts := make([]types.CompletedPart, len(done))
	for i, cp := range done {
		parts[i] = *cp
	}
	return parts, nil
}

// abort abandons a multipart upload, so its parts stop taking space. It keeps trying for 10 s even
// when ctx has ended; an upload it cannot abort stays invisible, and a bucket lifecycle rule
// (AbortIncompleteMultipartUpload) reclaims it.
func (s *S3) abort(ctx context.Context, o Object, uploadID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.retry(ctx, "abort multipart upload", func(ctx context.Context) error {
		_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: &o.Bucket, Key: &o.Key, UploadId: &uploadID,
		})
		if isCode(err, "NoSuchUpload") {
			return nil
		}
		return err
	})
}

// settle decides a Put whose object turned out to be stored already.
func (s *S3) settle(ctx context.Context, o Object, want PutResult) (PutResult, error) {
	head, err := s.head(ctx, o.Bucket, o.Key)
	if err != nil {
		if isNotFound(err) {
			return want, withKind(ErrNotExist, err)
		}
		return want, err
	}
	return compare(o, head, want)
}

// compare reports Existed if the stored object has the body's size and, when the destination keeps
// one, its CRC-32C.
func compare(o Object, head *s3.HeadObjectOutput, want PutResult) (PutResult, error) {
	if size := aws.ToInt64(head.ContentLength); size != want.Size {
		return want, errorf(ErrConflict, "stored object is %d bytes, this one %d", size, want.Size)
	}
	if c := aws.ToString(head.ChecksumCRC32C); c != "" && head.ChecksumType != types.ChecksumTypeComposite && c != crcString(want.CRC32C) {
		return want, errorf(ErrConflict, "stored object has CRC-32C %s, this one %s", c, crcString(want.CRC32C))
	}
	want.Existed = true
	return want, nil
}

// drain reads the rest of a body through the first part's buffer, for its size and checksum.
func drain(first *part, lr *lookahead) (PutResult, error) {
	buf := first.res.chunks[0]
	for {
		_, err := lr.Read(buf)
		if err == io.EOF {
			return PutResult{Size: lr.n, CRC32C: lr.crc}, nil
		}
		if err != nil {
			return PutResult{}, fmt.Errorf("read body: %w", err)
		}
	}
}

func (s *S3) head(ctx context.Context, bucket, key string) (*s3.HeadObjectOutput, error) {
	var out *s3.HeadObjectOutput
	err := s.retry(ctx, "head object", func(ctx context.Context) (err error) {
		out, err = s.client.HeadObject(ctx, &s3.HeadObjectInput{
			Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled,
		})
		return err
	})
	return out, err
}

// Stat implements Sink.
func (s *S3) Stat(ctx context.Context, bucket, key string) (Info, error) {
	if err := checkBucket(bucket); err != nil {
		return Info{}, s.fail("stat", bucket, key, withKind(ErrInvalid, err))
	}
	head, err := s.head(ctx, bucket, key)
	if isNotFound(err) {
		// HEAD answers a bare 404 for a missing bucket too: ask which.
		berr := s.retry(ctx, "head bucket", func(ctx context.Context) error {
			_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
			return err
		})
		if isNotFound(berr) {
			err = withKind(ErrNoSuchBucket, berr)
		} else if berr == nil {
			err = withKind(ErrNotExist, err)
		}
	}
	if err != nil {
		return Info{}, s.fail("stat", bucket, key, err)
	}
	return Info{
		Bucket:          bucket,
		Key:             key,
		Size:            aws.ToInt64(head.ContentLength),
		ModTime:         aws.ToTime(head.LastModified),
		ETag:            aws.ToString(head.ETag),
		ContentType:     aws.ToString(head.ContentType),
		ContentEncoding: aws.ToString(head.ContentEncoding),
		Metadata:        head.Metadata,
	}, nil
}

// List implements Sink.
func (s *S3) List(ctx context.Context, bucket, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		in := &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: optional(prefix)}
		for {
			var out *s3.ListObjectsV2Output
			err := s.retry(ctx, "list objects", func(ctx context.Context) (err error) {
				out, err = s.client.ListObjectsV2(ctx, in)
				return err
			})
			if err != nil {
				yield(Info{}, s.fail("list", bucket, prefix, err))
				return
			}
			for _, obj := range out.Contents {
				if !yield(Info{
					Bucket:  bucket,
					Key:     aws.ToString(obj.Key),
					Size:    aws.ToInt64(obj.Size),
					ModTime: aws.ToTime(obj.LastModified),
					ETag:    aws.ToString(obj.ETag),
				}, nil) {
					return
				}
			}
			if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
				return
			}
			in.ContinuationToken = out.NextContinuationToken
		}
	}
}

func (s *S3) retry(ctx context.Context, op string, f func(context.Context) error) error {
	return retry(ctx, s.opts.Retry, op, classifyS3, f)
}

func (s *S3) fail(op, bucket, key string, err error) error {
	kind, _ := classifyS3(err)
	return &Error{Op: op, Bucket: bucket, Key: key, Kind: kind, Err: err}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// crcString is a CRC-32C as S3 writes it: the 4 big-endian bytes in base64.
func crcString(c uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], c)
	return base64.StdEncoding.EncodeToString(b[:])
}
