package transforms

import "io"

// newHadoopSnappyWriter writes Hadoop's BlockCompressorStream format, which Hadoop's SnappyCodec
// (and Hive, Spark, Athena text tables, python-snappy's hadoop_snappy, snzip -t hadoop-snappy)
// read. There is no file header; each block is
//
//	+---------------------+-------------------+--------------+
//	| uncompressed length | compressed length | Snappy block |
//	| BE uint32           | BE uint32         |              |
//	+---------------------+-------------------+--------------+
//
// with 32 KiB of input per block (less for the last), one compressed chunk per block. Hadoop
// allows several chunks until a block's uncompressed length is reached; one is what
// snappy-java's SnappyHadoopCompatibleOutputStream writes, whose output matched real Firehose
// HADOOP_SNAPPY objects byte for byte (FIREHOSE.md §9). An empty object is empty, as from
// snappy-java.
func newHadoopSnappyWriter(dst io.Writer, _ *writerOptions) (io.WriteCloser, error) {
	return newSnappyBlockWriter(dst, true, nil), nil
}
