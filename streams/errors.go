package streams

import (
	"errors"
	"fmt"
)

// ErrorKind classifies the errors the store returns for bad requests. The ingest package maps each kind
// to the AWS error type of the API being served; the store knows nothing of wire protocols.
type ErrorKind uint8

// Error kinds.
const (
	KindNotFound           ErrorKind = iota + 1 // the stream, shard or resource does not exist
	KindInUse                                   // the resource exists but is in the wrong state
	KindInvalidArgument                         // a semantic problem with an argument
	KindLimitExceeded                           // a quota would be exceeded
	KindExpiredIterator                         // a shard iterator is older than IteratorTTL
	KindExpiredNextToken                        // a pagination token is too old
	KindThroughputExceeded                      // a per-shard rate limit (only with Options.ShardLimits)
	KindValidation                              // an operation the stream's mode does not allow
	KindAccessDenied                            // the caller may not touch this resource
	KindConflict                                // the resource changed since the version the caller gave
)

// Error is a request the store refused. Msg is the message a client sees, worded as AWS words it.
type Error struct {
	Kind ErrorKind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of a store *Error in err's chain, or 0 for any other error (an internal
// failure).
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
