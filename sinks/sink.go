package sinks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"
	"unicode/utf8"
)

// Sink stores objects in a destination. See the package doc for the exactly-once contract.
type Sink interface {
	// Put stores body under o.Bucket and o.Key unless an object is already there. It reads body to
	// its end (also when the object exists, to compare it) and never holds more of it in memory than
	// its Budget allows. It returns Existed when an identical object was already stored, and an
	// *Error otherwise.
	Put(ctx context.Context, o Object, body io.Reader) (PutResult, error)

	// Stat describes the object under key, or returns an error matching ErrNotExist.
	Stat(ctx context.Context, bucket, key string) (Info, error)

	// List yields the objects whose keys start with prefix, in byte order of their keys. Each Info
	// has Key, Size and ModTime (and ETag on S3), not the content type or metadata. After an error
	// it yields nothing more.
	List(ctx context.Context, bucket, prefix string) iter.Seq2[Info, error]
}

// Object names an object and the attributes it is stored with.
type Object struct {
	Bucket          string
	Key             string // 1 to 1,024 bytes of UTF-8
	ContentType     string // stored as Content-Type; empty means none
	ContentEncoding string // stored as Content-Encoding, e.g. "gzip"; empty means none
	// Metadata is user metadata (x-amz-meta-* on S3). Names are lower case ASCII letters, digits,
	// '-' and '_'; values printable ASCII; 2 KiB in all, as S3 allows.
	Metadata map[string]string
}

// PutResult reports what Put did.
type PutResult struct {
	Size    int64  // bytes read from the body
	CRC32C  uint32 // CRC-32C (Castagnoli) of the body
	Existed bool   // an identical object was already stored; nothing was written
}

// Info describes a stored object.
type Info struct {
	Bucket          string
	Key             string
	Size            int64
	ModTime         time.Time
	ETag            string // S3 only
	ContentType     string
	ContentEncoding string
	Metadata        map[string]string
}

// Exists reports whether an object is stored under key.
func Exists(ctx context.Context, s Sink, bucket, key string) (bool, error) {
	_, err := s.Stat(ctx, bucket, key)
	if errors.Is(err, ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

const (
	maxKeyLen      = 1024
	maxMetadataLen = 2048
)

// checkObject validates what every destination accepts: S3's limits.
func checkObject(o Object) error {
	if err := checkBucket(o.Bucket); err != nil {
		return err
	}
	if err := checkKey(o.Key); err != nil {
		return err
	}
	size := 0
	for k, v := range o.Metadata {
		if k == "" {
			return errors.New("metadata name is empty")
		}
		for _, c := range []byte(k) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("metadata name %q: only a-z, 0-9, '-' and '_' are allowed", k)
			}
		}
		for _, c := range []byte(v) {
			if c < 0x20 || c > 0x7e {
				return fmt.Errorf("metadata %q: value must be printable ASCII", k)
			}
		}
		size += len(k) + len(v)
	}
	if size > maxMetadataLen {
		return fmt.Errorf("metadata is %d bytes, more than %d", size, maxMetadataLen)
	}
	return nil
}

// checkBucket applies S3's bucket naming rules: 3 to 63 lower case letters, digits, '.' and '-',
// starting and ending with a letter or digit. The file sink relies on them too: a bucket name is
// never ".", "..", nor starts with the '.' of its own bookkeeping directories.
func checkBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q: must be 3 to 63 characters", b)
	}
	for i, c := range []byte(b) {
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || i == len(b)-1 || c != '.' && c != '-') {
			return fmt.Errorf("bucket name %q: only a-z, 0-9, '.' and '-', starting and ending with a letter or digit", b)
		}
	}
	return nil
}

func checkKey(k string) error {
	if k == "" || len(k) > maxKeyLen {
		return fmt.Errorf("key must be 1 to %d bytes, not %d", maxKeyLen, len(k))
	}
	if !utf8.ValidString(k) {
		return fmt.Errorf("key %q is not valid UTF-8", k)
	}
	return nil
}
