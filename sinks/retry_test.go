package sinks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

var errBad = errors.New("bad")

// classifyTest retries errDown only.
func classifyTest(err error) (error, bool) {
	if err.Error() == "down" {
		return ErrUnavailable, true
	}
	return ErrInvalid, false
}

func TestBackoffWaits(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: 2 * time.Second}
	for attempt, bound := range []time.Duration{100, 200, 400, 800, 1600, 2000, 2000} {
		bound *= time.Millisecond
		if attempt == 6 {
			attempt = 1000 // no overflow far out
		}
		var longest time.Duration
		for range 1000 {
			d := b.wait(attempt)
			if d <= 0 || d > bound {
				t.Fatalf("wait(%d) = %v, want in (0, %v]", attempt, d, bound)
			}
			longest = max(longest, d)
		}
		if longest < bound/2 {
			t.Errorf("wait(%d): longest of 1000 draws %v, want the range up to %v used (full jitter)", attempt, longest, bound)
		}
	}
}

func TestRetry(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}.withDefaults()
	flaky := func(failures int, final error) (func(context.Context) error, *int) {
		calls := 0
		return func(context.Context) error {
			calls++
			if calls <= failures {
				return fmt.Errorf("attempt %d: %w", calls, errors.New("down"))
			}
			return final
		}, &calls
	}
	classify := func(err error) (error, bool) {
		if errors.Unwrap(err) != nil && errors.Unwrap(err).Error() == "down" {
			return ErrUnavailable, true
		}
		return classifyTest(err)
	}

	t.Run("until success", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			op, calls := flaky(5, nil)
			var waits []time.Duration
			b := b
			b.OnRetry = func(_ string, _ error, d time.Duration) { waits = append(waits, d) }
			start := time.Now()
			if err := retry(context.Background(), b, "op", classify, op); err != nil {
				t.Fatal(err)
			}
			var sum time.Duration
			for _, w := range waits {
				sum += w
			}
			if *calls != 6 || len(waits) != 5 || time.Since(start) != sum {
				t.Fatalf("%d calls, waits %v over %v", *calls, waits, time.Since(start))
			}
			if sum > 100*time.Millisecond+200*time.Millisecond+400*time.Millisecond+800*time.Millisecond+time.Second {
				t.Fatalf("waited %v, more than the bounds allow", sum)
			}
		})
	})
	t.Run("permanent at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			op, calls := flaky(2, errBad)
			start := time.Now()
			err := retry(context.Background(), b, "op", classify, op)
			if err != errBad || *calls != 3 {
				t.Fatalf("err %v after %d calls", err, *calls)
			}
			if time.Since(start) > 300*time.Millisecond {
				t.Fatalf("took %v", time.Since(start))
			}
		})
	})
	t.Run("deadline while down", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			op, calls := flaky(1<<30, nil)
			start := time.Now()
			err := retry(ctx, b, "op", classify, op)
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || err.Error() == "" {
				t.Fatalf("err = %v", err)
			}
			if d := time.Since(start); d != time.Minute {
				t.Fatalf("returned after %v, want at the deadline", d)
			}
			if *calls < 55 || *calls > 700 { // waits average Max/2 once past the ramp
				t.Fatalf("%d attempts in a minute", *calls)
			}
		})
	})
	t.Run("cancelled during the attempt", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		err := retry(ctx, b, "op", classify, func(ctx context.Context) error {
			cancel()
			return fmt.Errorf("request: %w", ctx.Err())
		})
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v, want the bare cancellation", err)
		}
	})
}

func TestClassifyS3(t *testing.T) {
	status := func(code int, err error) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: err}
	}
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	op := func(err error) error {
		return &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject", Err: err}
	}
	for _, tc := range []struct {
		name      string
		err       error
		kind      error
		retriable bool
	}{
		{"access denied", op(status(403, api("AccessDenied"))), ErrAccessDenied, false},
		{"bad signature", op(status(403, api("SignatureDoesNotMatch"))), ErrAccessDenied, false},
		{"no such bucket", op(status(404, api("NoSuchBucket"))), ErrNoSuchBucket, false},
		{"HEAD 404", op(status(404, api("NotFound"))), ErrNotExist, false},
		{"HEAD 403 without a code", op(status(403, api("Forbidden"))), ErrAccessDenied, false},
		{"slow down", op(status(503, api("SlowDown"))), ErrUnavailable, true},
		{"internal error", op(status(500, api("InternalError"))), ErrUnavailable, true},
		{"unknown 502", op(status(502, api("Whatever"))), ErrUnavailable, true},
		{"throttled 429", op(status(429, api("TooManyRequests"))), ErrUnavailable, true},
		{"minio starting", op(status(503, api("XMinioServerNotInitialized"))), ErrUnavailable, true},
		{"conditional conflict", op(status(409, api("ConditionalRequestConflict"))), ErrUnavailable, true},
		{"bad digest", op(status(400, api("BadDigest"))), ErrUnavailable, true},
		{"precondition", op(status(412, api("PreconditionFailed"))), ErrConflict, false},
		{"key too long", op(status(400, api("KeyTooLongError"))), ErrInvalid, false},
		{"unknown 400", op(status(400, api("Weird"))), ErrInvalid, false},
		{"connection refused", op(&smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}), ErrUnavailable, true},
		{"connection reset", op(fmt.Errorf("read: %w", syscall.ECONNRESET)), ErrUnavailable, true},
		{"timeout", op(&net.OpError{Op: "read", Err: timeoutError{}}), ErrUnavailable, true},
		{"cancelled", op(context.Canceled), nil, false},
		{"already decided", errorf(ErrConflict, "x"), ErrConflict, false},
		{"body reader", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), ErrInvalid, false},
	} {
		kind, retriable := classifyS3(tc.err)
		if kind != tc.kind || retriable != tc.retriable {
			t.Errorf("%s: classifyS3(%v) = %v, %v; want %v, %v", tc.name, tc.err, kind, retriable, tc.kind, tc.retriable)
		}
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestClassifyFile(t *testing.T) {
	pe := func(errno syscall.Errno) error { return &fs.PathError{Op: "open", Path: "/x", Err: errno} }
	for _, tc := range []struct {
		err       error
		kind      error
		retriable bool
	}{
		{pe(syscall.EACCES), ErrUnavailable, true},
		{pe(syscall.EPERM), ErrUnavailable, true},
		{pe(syscall.ENOSPC), ErrUnavailable, true},
		{pe(syscall.EROFS), ErrUnavailable, true},
		{pe(syscall.EIO), ErrUnavailable, true},
		{&os.LinkError{Op: "link", Old: "a", New: "b", Err: syscall.EDQUOT}, ErrUnavailable, true},
		{pe(syscall.ENOENT), ErrNotExist, false},
		{pe(syscall.ENOTDIR), ErrConflict, false},
		{pe(syscall.ENAMETOOLONG), ErrInvalid, false},
		{context.Canceled, nil, false},
		{errors.New("read body: boom"), nil, false},
		{errorf(ErrNoSuchBucket, "x"), ErrNoSuchBucket, false},
	} {
		kind, retriable := classifyFile(tc.err)
		if kind != tc.kind || retriable != tc.retriable {
			t.Errorf("classifyFile(%v) = %v, %v; want %v, %v", tc.err, kind, retriable, tc.kind, tc.retriable)
		}
	}
}

func TestErrorMatching(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := &Error{Op: "put", Bucket: "lake", Key: "a/b", Kind: ErrUnavailable, Err: unavailable(ctx, errors.New("connection refused"))}
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) || !Temporary(err) || errors.Is(err, ErrConflict) {
		t.Fatalf("matching %v", err)
	}
	want := "put lake/a/b: destination unavailable: context canceled; last attempt: connection refused"
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
	var se *Error
	if !errors.As(fmt.Errorf("deliver: %w", err), &se) || se.Key != "a/b" {
		t.Fatal("errors.As through a wrap")
	}
	plain := &Error{Op: "stat", Bucket: "lake", Key: "k", Kind: ErrNotExist, Err: withKind(ErrNotExist, errors.New("no object /r/lake/k"))}
	if plain.Error() != "stat lake/k: object does not exist: no object /r/lake/k" {
		t.Fatalf("Error() = %q", plain.Error())
	}
}
