package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// APIError is an error answer from the Kinesis endpoint.
type APIError struct {
	Op      string
	Status  int
	Code    string // the exception name, without any namespace prefix
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s: %s (HTTP %d)", e.Op, e.Code, e.Status)
	}
	return fmt.Sprintf("%s: %s: %s (HTTP %d)", e.Op, e.Code, e.Message, e.Status)
}

// errorKind says what the bench does about an error code.
type errorKind uint8

const (
	// kindFatal errors stop the run: the request is wrong or not allowed.
	kindFatal errorKind = iota
	// kindThrottled errors mean the request was refused without effect: back off
	// and send it again.
	kindThrottled
	// kindUnknown errors leave the outcome unknown (the server may have applied
	// the request): back off, and do not resend records, which could duplicate
	// them.
	kindUnknown
	// kindExpired is an expired shard iterator: get a new one.
	kindExpired
)

// errorKinds is the table of the Kinesis error codes the bench distinguishes.
// Codes not listed are fatal below HTTP 500 and of unknown outcome from 500 up.
var errorKinds = map[string]errorKind{
	"ProvisionedThroughputExceededException": kindThrottled,
	"LimitExceededException":                 kindThrottled,
	"ThrottlingException":                    kindThrottled,
	"KMSThrottlingException":                 kindThrottled,
	"RequestLimitExceeded":                   kindThrottled,
	"SlowDown":                               kindThrottled,
	"ServiceUnavailable":                     kindUnknown,
	"ServiceUnavailableException":            kindUnknown,
	"InternalFailure":                        kindUnknown,
	"InternalFailureException":               kindUnknown,
	"InternalServerError":                    kindUnknown,
	"ExpiredIteratorException":               kindExpired,
	"ResourceNotFoundException":              kindFatal,
	"ResourceInUseException":                 kindFatal,
	"InvalidArgumentException":               kindFatal,
	"ValidationException":                    kindFatal,
	"AccessDeniedException":                  kindFatal,
	"UnrecognizedClientException":            kindFatal,
	"InvalidSignatureException":              kindFatal,
	"IncompleteSignature":                    kindFatal,
	"MissingAuthenticationToken":             kindFatal,
	"ExpiredTokenException":                  kindFatal,
}

// classify returns what to do about err. Transport errors (no HTTP answer) are
// of unknown outcome.
func classify(err error) errorKind {
	var ae *APIError
	if !errors.As(err, &ae) {
		return kindUnknown
	}
	if k, ok := errorKinds[ae.Code]; ok {
		return k
	}
	if ae.Status >= 500 {
		return kindUnknown
	}
	return kindFatal
}

// entryKind classifies the error code of one failed PutRecords entry. A failed
// entry was not written whatever its code, so anything but a fatal code is
// retried.
func entryKind(code string) errorKind {
	if k, ok := errorKinds[code]; ok && k == kindFatal {
		return kindFatal
	}
	return kindThrottled
}

// parseAPIError builds the APIError for a non-200 answer. The code comes from
// the body's __type (AWS JSON protocols) or the X-Amzn-ErrorType header, and
// may carry a namespace ("com.amazonaws.kinesis.v20131202#...") or a suffix
// (":http://...") that is not part of it.
func parseAPIError(op string, status int, headerType string, body []byte) *APIError {
	var r struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(body, &r) // best effort: the status alone still says something
	e := &APIError{Op: op, Status: status, Message: r.Message}
	if e.Message == "" {
		e.Message = r.MessageU
	}
	code := r.Type
	if code == "" {
		code = r.Code
	}
	if code == "" {
		code = headerType
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if code == "" {
		code = fmt.Sprintf("HTTP%d", status)
		if e.Message == "" && len(body) > 0 && len(body) < 256 {
			e.Message = strings.TrimSpace(string(body))
		}
	}
	e.Code = code
	return e
}
