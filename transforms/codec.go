package transforms

import (
	"errors"
	"io"
	"time"
)

// A Codec compresses the objects of a delivery stream. It is one of the Firehose CompressionFormat
// values (UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY) or Hydrant's ZSTD. The zero Codec is
// Uncompressed, Firehose's default. Codecs are comparable values, safe for concurrent use.
type Codec struct{ id codecID }

type codecID uint8

const (
	idUncompressed codecID = iota
	idGZIP
	idZIP
	idSnappy
	idHadoopSnappy
	idZSTD
)

// The codecs, named as Firehose's CompressionFormat enum names them (case matters: Firehose
// refuses "SNAPPY").
var (
	Uncompressed = Codec{idUncompressed}
	GZIP         = Codec{idGZIP}
	ZIP          = Codec{idZIP}
	Snappy       = Codec{idSnappy}
	HadoopSnappy = Codec{idHadoopSnappy}
	ZSTD         = Codec{idZSTD} // a Hydrant extension: Firehose has no zstd
)

// codecInfo is what a Codec knows. The extensions and Content-Encodings are those real Firehose
// gives S3 objects: see shared/firehose/FIREHOSE.md §5.3 and §9 ([D] the "s3-object-name" page of
// the Firehose developer guide for the extensions; [F] floci-io/floci issue #2328 and PR #2410,
// whose authors read the objects real AWS wrote, for Content-Encoding and for the Snappy framings).
type codecInfo struct {
	name      string
	extension string
	encoding  string
	newWriter func(dst io.Writer, o *writerOptions) (io.WriteCloser, error)
}

var codecs = [...]codecInfo{
	// UNCOMPRESSED: no extension, no Content-Encoding [D, F].
	idUncompressed: {"UNCOMPRESSED", "", "", newPlainWriter},
	// GZIP: ".gz" [D], Content-Encoding "gzip" [F].
	idGZIP: {"GZIP", ".gz", "gzip", newGZIPWriter},
	// ZIP: ".zip" [D], Content-Encoding "zip" [F] (not a registered HTTP content coding, but what
	// AWS sets), one deflated entry.
	idZIP: {"ZIP", ".zip", "zip", newZIPWriter},
	// Snappy: ".snappy" [D], Content-Encoding "snappy-java" [F]: the xerial snappy-java stream
	// format, byte-for-byte what snappy-java's SnappyOutputStream writes (F reproduced real AWS
	// objects with it).
	idSnappy: {"Snappy", ".snappy", "snappy-java", newSnappyWriter},
	// HADOOP_SNAPPY: ".snappy" [F] (the docs' table says ".hsnappy", but F saw ".snappy" on objects
	// AWS wrote on two dates), Content-Encoding "hadoop-snappy" [F]: Hadoop's block format.
	idHadoopSnappy: {"HADOOP_SNAPPY", ".snappy", "hadoop-snappy", newHadoopSnappyWriter},
	// ZSTD: not Firehose's. ".zst" is zstd's own extension (the zstd command writes it) and "zstd"
	// the content coding registered for it by RFC 8878.
	idZSTD: {"ZSTD", ".zst", "zstd", newZSTDWriter},
}

// Codecs returns every codec: Firehose's five in the order of its enum, then ZSTD.
func Codecs() []Codec {
	all := make([]Codec, len(codecs))
	for i := range codecs {
		all[i] = Codec{codecID(i)}
	}
	return all
}

// Lookup returns the codec with the given CompressionFormat name. Names are case-sensitive, as in
// Firehose.
func Lookup(name string) (Codec, bool) {
	for i := range codecs {
		if codecs[i].name == name {
			return Codec{codecID(i)}, true
		}
	}
	return Codec{}, false
}

// Name returns the codec's CompressionFormat value, such as "GZIP" or "HADOOP_SNAPPY".
func (c Codec) Name() string { return c.info().name }

// String returns the codec's name.
func (c Codec) String() string { return c.Name() }

// Extension returns the file extension Firehose gives the codec's objects, with its dot (".gz"),
// or "" for Uncompressed. A delivery stream's FileExtension setting replaces it.
func (c Codec) Extension() string { return c.info().extension }

// ContentEncoding returns the Content-Encoding Firehose sets on the codec's S3 objects, or "" for
// none.
func (c Codec) ContentEncoding() string { return c.info().encoding }

// NewWriter returns a writer that compresses what is written to it into dst as it arrives, so an
// object streams through without being held whole in memory; at most one block of input is
// buffered (32 KiB for the Snappy codecs, a compressor's window for the others). Close ends the
// compressed stream (trailers, ZIP's central directory) but does not close dst. A writer is for one
// goroutine. Its output depends only on the bytes written and the options, never on how the
// writes were split or on the time, so an object rebuilt from the same records is byte for byte
// the same.
func (c Codec) NewWriter(dst io.Writer, opts ...WriterOption) (io.WriteCloser, error) {
	var o writerOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.entryName == "" {
		o.entryName = DefaultEntryName
	}
	return c.info().newWriter(dst, &o)
}

func (c Codec) info() *codecInfo {
	if int(c.id) >= len(codecs) {
		return &codecs[idUncompressed]
	}
	return &codecs[c.id]
}

// DefaultEntryName names the one entry of a ZIP object when the writer is given no EntryName.
// Firehose names it with a random UUID (FIREHOSE.md §5.3); a name that is a pure function of the
// object's content keeps redelivered objects identical, so a caller should pass one (the id in the
// object key, say).
const DefaultEntryName = "records"

// A WriterOption sets a property of the compressed object.
type WriterOption func(*writerOptions)

type writerOptions struct {
	entryName string
	modTime   time.Time
}

// EntryName names the one entry of a ZIP object. Other codecs ignore it.
func EntryName(name string) WriterOption {
	return func(o *writerOptions) { o.entryName = name }
}

// ModTime sets the modification time recorded in a ZIP entry or a GZIP header (by default none:
// the zero time, which GZIP writes as "no time" and ZIP as the DOS epoch). Other codecs ignore it.
// Take it from the records (the oldest arrival time), never from the clock, so that a rebuilt
// object keeps its bytes.
func ModTime(t time.Time) WriterOption {
	return func(o *writerOptions) { o.modTime = t }
}

// errClosed is returned by a writer used after Close.
var errClosed = errors.New("transforms: write to a closed compressed writer")
