// Package ingest is Hydrant's network front: it serves the AWS JSON 1.1 APIs — Kinesis Data Streams
// now, Firehose and Kinesis Analytics later — over HTTP/1.1 and cleartext HTTP/2 on one port, and
// Kinesis's CBOR flavour of JSON 1.1 that the AWS SDK for Java speaks (cbor.go).
//
// It owns the wire protocol: dispatch by the X-Amz-Target service prefix to a per-service registry,
// SigV4 parsing (signatures are not verified; see auth.go), request decoding and model-driven
// validation against the embedded botocore models (decode.go, validate.go, bind.go), AWS's error
// shapes and messages (errors.go), and encoding of outputs. It owns no state beyond short-lived
// pagination tokens: every stream operation calls a *streams.Store, whose *streams.Error kinds are
// mapped to AWS error types in one table.
//
// A request flows through handler.go: checks in the order AWS's front end makes them, then either the
// PutRecord(s) fast path (fastpath.go) or the generic path (JSON tree → typed value → constraints →
// Go input struct), then the operation's handler (kinesis_*.go), then the response writer.
//
// Concurrency: a Server is safe for concurrent use; every request runs on the goroutine net/http gives
// it, and the package starts no goroutines of its own besides the http.Server's, which Shutdown stops.
// Handlers share only immutable state (models, compiled patterns) and sync.Pools.
package ingest
