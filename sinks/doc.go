// Package sinks writes objects to destinations: an S3 bucket (AWS, MinIO or any S3 endpoint) or a
// directory of local files; and it names objects as Firehose does (prefix.go: the prefix expression
// language and the default key shape). It knows nothing of streams or wire protocols: the delivery
// engine decides what goes into an object and what it is called, and a Sink stores it.
//
// # Exactly once
//
// Every Sink is built for a caller that derives each object's key from the log range the object
// holds, so that a retry, or a replay after a crash at any moment, writes the same bytes under the
// same key. Put therefore creates an object only if none exists under its key, atomically: readers
// see the whole object or nothing, never a part. When an object is already there, Put compares it
// with the body it was given (size, and CRC-32C where the destination keeps one) and reports
// Existed on a match, or ErrConflict when a different object is in the way. How each sink detects
// the object:
//
//   - S3: PutObject and CompleteMultipartUpload carry If-None-Match: *, so the destination itself
//     refuses to overwrite (412 PreconditionFailed; AWS S3 and MinIO both honour it on both calls).
//     Objects are stored with a full-object CRC-32C checksum, which HeadObject returns for the
//     comparison. Before a multipart upload, Put asks HeadObject first, so a replay of a large object
//     costs reading the body, not uploading it again.
//   - Files: the object is written to a temporary file, fsynced, then hard-linked to its final name,
//     which fails if the name exists (unlike rename, which would replace it); the directory is then
//     fsynced. The existing file's size and CRC-32C are compared by reading it.
//
// # Memory
//
// Bodies are streams of any length. Memory for them comes from a Budget that any number of sinks
// and Puts share: an S3 Put holds at most PartConcurrency part buffers of PartSize bytes at a time
// and waits for the budget before reading each part, and a file Put holds one 1 MiB copy buffer. So
// the memory of all uploads in flight is bounded by the budget, whatever the object sizes and however
// many objects or partitions are being written. Small objects give back the unused part of their
// reservation as soon as their body ends.
//
// # Failures
//
// While the destination is down (connection refused, 5xx, throttling, a full or read-only disk),
// every step of a Put is retried with exponential backoff and full jitter until it succeeds or ctx
// ends; a part already read is kept and sent again, so the body is read once. Permanent failures
// return at once as an *Error whose kind (ErrNoSuchBucket, ErrAccessDenied, ErrInvalid, ErrConflict)
// errors.Is recognises, so the caller can route them. ErrUnavailable marks an error worth retrying
// with a fresh Put: ctx ended while the destination was down, or the upload was lost (an S3 upload
// id that vanished, a failed fsync) and must start over from the body's first byte.
//
// A Put that fails or is cancelled leaves no visible object: an S3 multipart upload is aborted, a
// temporary file is removed.
//
// # Concurrency
//
// Sinks are safe for concurrent use. A Put owns the goroutines it starts (one per part in flight)
// and waits for them before it returns. Concurrent Puts of the same key with the same body produce
// one object; exactly one of them reports Existed false.
package sinks
