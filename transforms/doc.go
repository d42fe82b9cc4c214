// Package transforms is what a delivery stream does to records and objects between the log and a
// sink:
//
//   - the compression codecs of S3 objects (codec.go and a file per codec): Firehose's
//     CompressionFormat values UNCOMPRESSED, GZIP, ZIP, Snappy and HADOOP_SNAPPY, and Hydrant's
//     ZSTD, with the extension and Content-Encoding Firehose gives each;
//   - the per-record processors of Firehose's ProcessingConfiguration: AppendDelimiterToRecord
//     (delimiter.go), RecordDeAggregation of KPL aggregated records (kpl.go, over the protobuf
//     primitives in protowire.go) and of JSON or delimited sub-records (subrecords.go), and
//     MetadataExtraction, the jq query that computes the
//     partition keys of dynamic partitioning (metadata.go, with its JSON parser in jsonvalue.go
//     and the analysis that lets it parse only the fields a query reads in queryfields.go).
//
// It owns formats and pure functions only. It knows nothing of streams, delivery streams, sinks or
// wire protocols: the delivery engine decides which records go into which object, calls in here
// to turn records into bytes, and sends a record whose processor fails (every processor error is
// about that one record) to the error output.
//
// Compressed objects stream: Codec.NewWriter compresses as records are written, so an object is
// never held whole in memory, and its bytes are a pure function of its content and options (not of
// how writes were split, nor of the clock), which exactly-once delivery relies on to rebuild an
// object after a crash with the same bytes. Processor results are likewise functions of the
// record alone (a query that calls jq's now excepted).
//
// Concurrency: Codec values, a compiled MetadataQuery and the package functions are safe for
// concurrent use. A writer returned by NewWriter belongs to one goroutine and owns no goroutine of
// its own.
package transforms
