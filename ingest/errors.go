package ingest

import (
	"errors"
	"fmt"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"net/http"

	"github.com/hydrantio/hydrant/streams"
)

// Code is one AWS error type: the __type a client sees, the HTTP status it comes with, and whether the
// AWS SDKs retry it. Codes are values of the table below and are compared by pointer.
type Code struct {
	Name      string // the __type on the wire
	Status    int    // HTTP status
	Retriable bool   // the AWS SDKs retry it (throttling or server fault)
	Fault     bool   // a server fault: rendered without a message and logged
}

// The AWS error types Hydrant answers with. Request-level codes come first, then the Kinesis model's
// exceptions. Firehose and Analytics reuse these where their models declare the same names.
var (
	ErrUnknownOperation    = &Code{Name: "UnknownOperationException", Status: http.StatusBadRequest}
	ErrSerialization       = &Code{Name: "SerializationException", Status: http.StatusBadRequest}
	ErrValidation          = &Code{Name: "ValidationException", Status: http.StatusBadRequest}
	ErrMissingAuthToken    = &Code{Name: "MissingAuthenticationTokenException", Status: http.StatusBadRequest}
	ErrInvalidSignature    = &Code{Name: "InvalidSignatureException", Status: http.StatusBadRequest}
	ErrIncompleteSignature = &Code{Name: "IncompleteSignatureException", Status: http.StatusBadRequest}
	ErrRequestTooLarge     = &Code{Name: "SerializationException", Status: http.StatusRequestEntityTooLarge}
	ErrInternalFailure     = &Code{Name: "InternalFailure", Status: http.StatusInternalServerError, Retriable: true, Fault: true}
	ErrAccessDenied        = &Code{Name: "AccessDeniedException", Status: http.StatusBadRequest}
	ErrExpiredIterator     = &Code{Name: "ExpiredIteratorException", Status: http.StatusBadRequest}
	ErrExpiredNextToken    = &Code{Name: "ExpiredNextTokenException", Status: http.StatusBadRequest}
	ErrInvalidArgument     = &Code{Name: "InvalidArgumentException", Status: http.StatusBadRequest}
	ErrLimitExceeded       = &Code{Name: "LimitExceededException", Status: http.StatusBadRequest, Retriable: true}
	ErrThroughputExceeded  = &Code{Name: "ProvisionedThroughputExceededException", Status: http.StatusBadRequest, Retriable: true}
	ErrResourceInUse       = &Code{Name: "ResourceInUseException", Status: http.StatusBadRequest}
	ErrResourceNotFound    = &Code{Name: "ResourceNotFoundException", Status: http.StatusBadRequest}
	ErrKMSAccessDenied     = &Code{Name: "KMSAccessDeniedException", Status: http.StatusBadRequest}
	ErrKMSDisabled         = &Code{Name: "KMSDisabledException", Status: http.StatusBadRequest}
	ErrKMSInvalidState     = &Code{Name: "KMSInvalidStateException", Status: http.StatusBadRequest}
	ErrKMSNotFound         = &Code{Name: "KMSNotFoundException", Status: http.StatusBadRequest}
	ErrKMSOptInRequired    = &Code{Name: "KMSOptInRequired", Status: http.StatusBadRequest}
	ErrKMSThrottling       = &Code{Name: "KMSThrottlingException", Status: http.StatusBadRequest, Retriable: true}
	// Firehose's own: ServiceUnavailableException is a fault in its model (retried), but it carries
	// its message ("Slow down.").
	ErrServiceUnavailable     = &Code{Name: "ServiceUnavailableException", Status: http.StatusServiceUnavailable, Retriable: true}
	ErrConcurrentModification = &Code{Name: "ConcurrentModificationException", Status: http.StatusBadRequest}
)

// The Kinesis Analytics model's own exceptions.
var (
	ErrCodeValidation              = &Code{Name: "CodeValidationException", Status: http.StatusBadRequest}
	ErrInvalidApplicationConfig    = &Code{Name: "InvalidApplicationConfigurationException", Status: http.StatusBadRequest}
	ErrUnableToDetectSchema        = &Code{Name: "UnableToDetectSchemaException", Status: http.StatusBadRequest}
	ErrTooManyTags                 = &Code{Name: "TooManyTagsException", Status: http.StatusBadRequest}
	ErrUnsupportedOperation        = &Code{Name: "UnsupportedOperationException", Status: http.StatusBadRequest}
	ErrResourceProvisionedThrottle = &Code{Name: "ResourceProvisionedThroughputExceededException", Status: http.StatusBadRequest, Retriable: true}
)

// codes lists every Code, for tests and documentation.
var codes = []*Code{
	ErrUnknownOperation, ErrSerialization, ErrValidation, ErrMissingAuthToken, ErrInvalidSignature,
	ErrIncompleteSignature, ErrRequestTooLarge, ErrInternalFailure, ErrAccessDenied, ErrExpiredIterator,
	ErrExpiredNextToken, ErrInvalidArgument, ErrLimitExceeded, ErrThroughputExceeded, ErrResourceInUse,
	ErrResourceNotFound, ErrKMSAccessDenied, ErrKMSDisabled, ErrKMSInvalidState, ErrKMSNotFound,
	ErrKMSOptInRequired, ErrKMSThrottling, ErrServiceUnavailable, ErrConcurrentModification,
	ErrCodeValidation, ErrInvalidApplicationConfig, ErrUnableToDetectSchema, ErrTooManyTags,
	ErrUnsupportedOperation, ErrResourceProvisionedThrottle,
}

// kindCodes maps the store's error kinds to the AWS error types of the Kinesis API. A service whose
// model names them differently gives its own map to its service entry.
var kindCodes = map[streams.ErrorKind]*Code{
	streams.KindNotFound:           ErrResourceNotFound,
	streams.KindInUse:              ErrResourceInUse,
	streams.KindInvalidArgument:    ErrInvalidArgument,
	streams.KindLimitExceeded:      ErrLimitExceeded,
	streams.KindExpiredIterator:    ErrExpiredIterator,
	streams.KindExpiredNextToken:   ErrExpiredNextToken,
	streams.KindThroughputExceeded: ErrThroughputExceeded,
	streams.KindValidation:         ErrValidation,
	streams.KindAccessDenied:       ErrAccessDenied,
}

// Error is a request refused with an AWS error type. Handlers return it (or a *streams.Error, which
// the dispatcher maps through the service's kind table); writeError is the one place that renders it.
type Error struct {
	Code    *Code
	Message string // "" renders no message member at all, as AWS does for UnknownOperationException
	// Members are the exception's other members as JSON, each preceded by a comma
	// (`,"RawInputRecords":[...]`), for the few exceptions whose model gives them any.
	Members []byte
	Err     error // the cause of an internal failure, logged and never sent
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code.Name + ": " + e.Err.Error()
	}
	if e.Message == "" {
		return e.Code.Name
	}
	return e.Code.Name + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// errorf returns an *Error of code with a formatted message.
func errorf(code *Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// internal wraps an unexpected error as an InternalFailure.
func internal(err error) *Error {
	return &Error{Code: ErrInternalFailure, Err: err}
}

// toError turns any error a handler returns into an *Error: store errors through kinds, everything
// else into an InternalFailure.
func toError(err error, kinds map[streams.ErrorKind]*Code) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var se *streams.Error
	if errors.As(err, &se) {
		if code, ok := kinds[se.Kind]; ok {
			return &Error{Code: code, Message: se.Msg}
		}
	}
	return internal(err)
}

// appendErrorBody renders e as AWS's JSON 1.1 error body. SerializationException spells its message
// member "Message" (Coral's Java exception), every other type "message"; faults carry no message so
// that nothing internal leaks.
func appendErrorBody(dst []byte, e *Error) []byte {
	dst = append(dst, `{"__type":`...)
	dst = jsontext.AppendString(dst, e.Code.Name)
	if e.Message != "" && !e.Code.Fault {
		dst = append(dst, ',')
		dst = jsontext.AppendString(dst, messageMember(e.Code))
		dst = append(dst, ':')
		dst = jsontext.AppendString(dst, e.Message)
	}
	if !e.Code.Fault {
		dst = append(dst, e.Members...)
	}
	return append(dst, '}')
}

// messageMember is the name of an error body's message member: "Message" for SerializationException
// (Coral's Java exception), "message" for every other type.
func messageMember(c *Code) string {
	if c.Name == ErrSerialization.Name {
		return "Message"
	}
	return "message"
}
