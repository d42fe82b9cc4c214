// Package transforms is what a delivery stream does to records and objects between the log and a
// sink: the compression codecs of S3 objects (Firehose's CompressionFormat: UNCOMPRESSED, GZIP,
// ZIP, Snappy, HADOOP_SNAPPY, and Hydrant's ZSTD) and the per-record processors of Firehose's
// ProcessingConfiguration.
//
// It owns formats and pure functions only. It knows nothing of streams, delivery streams, sinks or
// wire protocols: the delivery engine decides which records go into which object, and calls in
// here to turn records into bytes.
//
// Compressed objects stream: Codec.NewWriter compresses as records are written, so an object is
// never held whole in memory, and its bytes are a pure function of its content and options (not of
// how writes were split, nor of the clock), which exactly-once delivery relies on to rebuild an
// object after a crash with the same bytes.
//
// Concurrency: Codec values and the package functions are safe for concurrent use. A writer
// returned by NewWriter belongs to one goroutine and owns no goroutine of its own.
package transforms
