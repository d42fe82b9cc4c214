package transforms

import "io"

// xerialHeader opens every Snappy (xerial snappy-java stream format) object: the magic
// "\x82SNAPPY\x00", then the format version and the lowest compatible version, both 1, as
// big-endian int32. snappy-java's SnappyOutputStream writes exactly these 16 bytes, even for an
// empty stream (checked with Debian's snappy-java 1.1.8.3), and Firehose's Snappy objects begin
// with them (FIREHOSE.md §9, from floci #2328: real AWS objects are "not framed-Snappy", and
// snappy-java's SnappyInputStream reads them).
var xerialHeader = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

// newSnappyWriter writes the xerial snappy-java stream format:
//
//	+----------------------+---------+---------+--------+------------+--------+------------+-----+
//	| magic "\x82SNAPPY\0" | version | compat  | length | Snappy     | length | Snappy     | ... |
//	| 8 bytes              | BE 1    | BE 1    | BE u32 | block      | BE u32 | block      |     |
//	+----------------------+---------+---------+--------+------------+--------+------------+-----+
//
// Each block is raw Snappy of 32 KiB of input (less for the last). This is not Google's Snappy
// "framing format" (stream identifier "sNaPpY", CRC-32C per chunk), which Firehose never writes.
func newSnappyWriter(dst io.Writer, _ *writerOptions) (io.WriteCloser, error) {
	return newSnappyBlockWriter(dst, false, xerialHeader), nil
}
