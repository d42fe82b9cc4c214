package sinks

import (
	"errors"
	"fmt"
)

// The kinds of failure a caller routes on. Every error a Sink returns is an *Error, and errors.Is
// matches it against its kind.
var (
	// ErrNotExist: no object under the key (Stat).
	ErrNotExist = errors.New("object does not exist")
	// ErrNoSuchBucket: the bucket (for files, the directory <root>/<bucket>) does not exist.
	ErrNoSuchBucket = errors.New("bucket does not exist")
	// ErrAccessDenied: the destination refuses the credentials or the operation.
	ErrAccessDenied = errors.New("access denied")
	// ErrConflict: a different object is stored under the key (another size or checksum), or, for
	// files, a key needs a directory where a file is, or the reverse.
	ErrConflict = errors.New("a different object exists under the key")
	// ErrInvalid: the destination can never accept the request as it is (a bad name, an object too
	// large).
	ErrInvalid = errors.New("invalid request")
	// ErrUnavailable: worth retrying with a fresh Put. Either ctx ended while the destination was
	// down (the error also matches ctx's error and holds the last attempt's), or the upload was lost
	// and must start over from the body's first byte.
	ErrUnavailable = errors.New("destination unavailable")
)

// Error is the error of a Sink operation.
type Error struct {
	Op     string // put, stat, list
	Bucket string
	Key    string
	Kind   error // one of the Err* values, or nil: the body's reader failed, or ctx ended
	Err    error
}

func (e *Error) Error() string {
	where := e.Bucket
	if e.Key != "" {
		where += "/" + e.Key
	}
	if e.Kind != nil && !errors.Is(e.Err, e.Kind) {
		return fmt.Sprintf("%s %s: %v: %v", e.Op, where, e.Kind, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Op, where, e.Err)
}

// Unwrap returns the kind and the underlying error, so errors.Is finds either.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// Temporary reports whether err is worth retrying with a fresh Put.
func Temporary(err error) bool { return errors.Is(err, ErrUnavailable) }

// classified is an error a sink has already given a kind.
type classified struct {
	kind error
	err  error
}

func (c *classified) Error() string {
	if errors.Is(c.err, c.kind) {
		return c.err.Error()
	}
	return c.kind.Error() + ": " + c.err.Error()
}
func (c *classified) Unwrap() []error { return []error{c.kind, c.err} }

func withKind(kind, err error) error { return &classified{kind: kind, err: err} }

func errorf(kind error, format string, args ...any) error {
	return withKind(kind, fmt.Errorf(format, args...))
}
