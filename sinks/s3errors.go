package sinks

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// s3Error is how the S3 sink treats an error code: its kind, and whether the request is worth
// sending again.
type s3Error struct {
	kind      error
	retriable bool
}

// s3Errors is the one table of S3 error codes the sink knows (AWS's, and MinIO's X-Minio ones).
// Codes not in it are judged by the SDK's retry rules (connection errors, 500/502/503/504,
// throttling codes), then by HTTP status.
var s3Errors = map[string]s3Error{
	"AccessDenied":          {ErrAccessDenied, false},
	"AccountProblem":        {ErrAccessDenied, false},
	"AllAccessDisabled":     {ErrAccessDenied, false},
	"InvalidAccessKeyId":    {ErrAccessDenied, false},
	"InvalidSecurity":       {ErrAccessDenied, false},
	"SignatureDoesNotMatch": {ErrAccessDenied, false},
	"InvalidObjectState":    {ErrAccessDenied, false},
	"ExpiredToken":          {ErrUnavailable, true}, // temporary credentials: the provider refreshes them

	"NoSuchBucket": {ErrNoSuchBucket, false},
	"NoSuchKey":    {ErrNotExist, false},
	"NotFound":     {ErrNotExist, false}, // HEAD's bare 404
	// The upload id is gone (aborted by a lifecycle rule, or completed by an attempt whose answer
	// was lost): the Put decides, and otherwise starts over.
	"NoSuchUpload": {ErrUnavailable, false},
	// If-None-Match: * found an object: the Put compares it.
	"PreconditionFailed": {ErrConflict, false},

	"InvalidBucketName":   {ErrInvalid, false},
	"KeyTooLongError":     {ErrInvalid, false},
	"MetadataTooLarge":    {ErrInvalid, false},
	"EntityTooLarge":      {ErrInvalid, false},
	"EntityTooSmall":      {ErrInvalid, false},
	"InvalidArgument":     {ErrInvalid, false},
	"InvalidRequest":      {ErrInvalid, false},
	"InvalidPart":         {ErrInvalid, false},
	"InvalidPartOrder":    {ErrInvalid, false},
	"NotImplemented":      {ErrInvalid, false},
	"MethodNotAllowed":    {ErrInvalid, false},
	"InvalidStorageClass": {ErrInvalid, false},

	// Damaged in transit, or the server is busy, starting or full: send it again.
	"BadDigest":                   {ErrUnavailable, true},
	"XAmzContentSHA256Mismatch":   {ErrUnavailable, true},
	"XAmzContentChecksumMismatch": {ErrUnavailable, true},
	"InvalidDigest":               {ErrUnavailable, true},
	"IncompleteBody":              {ErrUnavailable, true},
	"RequestTimeout":              {ErrUnavailable, true},
	"RequestTimeTooSkewed":        {ErrUnavailable, true},
	"InternalError":               {ErrUnavailable, true},
	"ServiceUnavailable":          {ErrUnavailable, true},
	"SlowDown":                    {ErrUnavailable, true},
	"OperationAborted":            {ErrUnavailable, true},
	"ConditionalRequestConflict":  {ErrUnavailable, true}, // a concurrent conditional write of the key
	"XMinioServerNotInitialized":  {ErrUnavailable, true},
	"XMinioStorageFull":           {ErrUnavailable, true},
	"XMinioReadQuorum":            {ErrUnavailable, true},
	"XMinioWriteQuorum":           {ErrUnavailable, true},
	"XMinioBackendDown":           {ErrUnavailable, true},
}

// classifyS3 returns an error's kind and whether to send the request again.
func classifyS3(err error) (kind error, retriable bool) {
	var c *classified
	switch {
	case err == nil:
		return nil, false
	case errors.As(err, &c):
		return c.kind, false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if e, ok := s3Errors[ae.ErrorCode()]; ok {
			return e.kind, e.retriable
		}
	}
	if awsretry.IsErrorRetryables(awsretry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return ErrUnavailable, true
	}
	var st interface{ HTTPStatusCode() int }
	if errors.As(err, &st) {
		switch code := st.HTTPStatusCode(); {
		case code >= 500, code == 429, code == 408:
			return ErrUnavailable, true
		case code == 403 || code == 401:
			return ErrAccessDenied, false
		case code == 404:
			return ErrNotExist, false
		}
	}
	return ErrInvalid, false
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func isNotFound(err error) bool {
	kind, _ := classifyS3(err)
	return kind == ErrNotExist
}
