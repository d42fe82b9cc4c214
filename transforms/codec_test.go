package transforms

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy/xerial"
	"github.com/klauspost/compress/zstd"
)

func TestCodecNames(t *testing.T) {
	tests := []struct {
		codec               Codec
		name, ext, encoding string
	}{
		{Uncompressed, "UNCOMPRESSED", "", ""},
		{GZIP, "GZIP", ".gz", "gzip"},
		{ZIP, "ZIP", ".zip", "zip"},
		{Snappy, "Snappy", ".snappy", "snappy-java"},
		{HadoopSnappy, "HADOOP_SNAPPY", ".snappy", "hadoop-snappy"},
		{ZSTD, "ZSTD", ".zst", "zstd"},
	}
	if got := len(Codecs()); got != len(tests) {
		t.Fatalf("Codecs() has %d codecs, want %d", got, len(tests))
	}
	for i, tt := range tests {
		c := tt.codec
		if c.Name() != tt.name || c.String() != tt.name || c.Extension() != tt.ext || c.ContentEncoding() != tt.encoding {
			t.Errorf("%v: got (%q, %q, %q), want (%q, %q, %q)", c, c.Name(), c.Extension(), c.ContentEncoding(), tt.name, tt.ext, tt.encoding)
		}
		if Codecs()[i] != c {
			t.Errorf("Codecs()[%d] = %v, want %v", i, Codecs()[i], c)
		}
		if got, ok := Lookup(tt.name); !ok || got != c {
			t.Errorf("Lookup(%q) = %v, %v", tt.name, got, ok)
		}
	}
	var zero Codec
	if zero != Uncompressed {
		t.Errorf("the zero Codec is %v, want UNCOMPRESSED (Firehose's default)", zero)
	}
	// Firehose's enum is case-sensitive: "SNAPPY" is refused (FIREHOSE.md §1).
	for _, name := range []string{"SNAPPY", "gzip", "Zip", "hadoop_snappy", "zstd", "", "NONE"} {
		if c, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) = %v, want not found", name, c)
		}
	}
}

// compress writes data through c in writes of chunk bytes (all at once if chunk <= 0).
func compress(t testing.TB, c Codec, data []byte, chunk int, opts ...WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := c.NewWriter(&buf, opts...)
	if err != nil {
		t.Fatalf("%v: NewWriter: %v", c, err)
	}
	if chunk <= 0 {
		chunk = len(data) + 1
	}
	for p := data; len(p) > 0; {
		n := min(chunk, len(p))
		if k, err := w.Write(p[:n]); err != nil || k != n {
			t.Fatalf("%v: Write = %d, %v; want %d", c, k, err, n)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatalf("%v: Close: %v", c, err)
	}
	return buf.Bytes()
}

// decompress decodes an object with the reference Go readers (klauspost/compress's, the standard
// library's archive/zip, and decodeHadoopSnappy below): the fuzz targets' check, and a second
// opinion beside the external tools.
func decompress(c Codec, obj []byte) ([]byte, error) {
	switch c {
	case Uncompressed:
		return obj, nil
	case GZIP:
		zr, err := kgzip.NewReader(bytes.NewReader(obj))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	case ZIP:
		zr, err := zip.NewReader(bytes.NewReader(obj), int64(len(obj)))
		if err != nil {
			return nil, err
		}
		if len(zr.File) != 1 {
			return nil, fmt.Errorf("zip: %d entries, want 1", len(zr.File))
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	case Snappy:
		if !bytes.HasPrefix(obj, xerialHeader) {
			return nil, fmt.Errorf("snappy: no xerial header")
		}
		if len(obj) == len(xerialHeader) {
			return []byte{}, nil
		}
		return xerial.Decode(obj)
	case HadoopSnappy:
		return decodeHadoopSnappy(obj)
	case ZSTD:
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return d.DecodeAll(obj, nil)
	}
	return nil, fmt.Errorf("unknown codec %v", c)
}

// decodeHadoopSnappy reads Hadoop's BlockCompressorStream format, several chunks per block
// allowed, as Hadoop's BlockDecompressorStream does.
func decodeHadoopSnappy(b []byte) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errors.New("hadoop-snappy: short block header")
		}
		want := int(binary.BigEndian.Uint32(b))
		b = b[4:]
		got := 0
		for got < want {
			if len(b) < 4 {
				return nil, errors.New("hadoop-snappy: short chunk header")
			}
			n := int(binary.BigEndian.Uint32(b))
			b = b[4:]
			if n > len(b) {
				return nil, errors.New("hadoop-snappy: short chunk")
			}
			dec, err := s2.Decode(nil, b[:n])
			if err != nil {
				return nil, err
			}
			b = b[n:]
			got += len(dec)
			out = append(out, dec...)
		}
		if got != want {
			return nil, fmt.Errorf("hadoop-snappy: block of %d bytes, header says %d", got, want)
		}
	}
	return out, nil
}

// codecInput is one round-trip input.
type codecInput struct {
	name string
	data []byte
}

// codecInputs are the round-trip inputs: sizes 0, 1, 1 KiB, several MiB, and incompressible data.
// They are made once: tests must not change them.
var codecInputs = sync.OnceValue(func() []codecInput {
	return []codecInput{
		{"empty", []byte{}},
		{"1B", []byte("x")},
		{"1KiB", clickstream(1 << 10)},
		{"block-edge", clickstream(snappyBlockSize)},
		{"5MiB-json", clickstream(5 << 20)},
		{"3MiB-random", incompressible(3<<20 + 7)},
	}
})

func TestCodecRoundTrip(t *testing.T) {
	for _, c := range Codecs() {
		for _, in := range codecInputs() {
			obj := compress(t, c, in.data, 1000)
			got, err := decompress(c, obj)
			if err != nil {
				t.Errorf("%v %s: decompress: %v", c, in.name, err)
				continue
			}
			if !bytes.Equal(got, in.data) {
				t.Errorf("%v %s: round trip gave %d bytes, want %d", c, in.name, len(got), len(in.data))
			}
		}
	}
}

// TestCodecDeterministic checks what exactly-once objects rely on: an object's bytes depend only on
// its content and options, not on how the writes were split nor on which pooled compressor ran.
func TestCodecDeterministic(t *testing.T) {
	data := clickstream(300 << 10)
	mtime := time.Date(2026, 11, 21, 10, 4, 5, 0, time.UTC)
	for _, c := range Codecs() {
		want := compress(t, c, data, 0, EntryName("e"), ModTime(mtime))
		for _, chunk := range []int{1, 1000, 7919, snappyBlockSize, snappyBlockSize + 1, 1 << 20} {
			if chunk == 1 && len(data) > 64<<10 {
				if got := compress(t, c, data[:64<<10], 1, EntryName("e"), ModTime(mtime)); !bytes.Equal(got, compress(t, c, data[:64<<10], 0, EntryName("e"), ModTime(mtime))) {
					t.Errorf("%v: 1-byte writes change the output", c)
				}
				continue
			}
			if got := compress(t, c, data, chunk, EntryName("e"), ModTime(mtime)); !bytes.Equal(got, want) {
				t.Errorf("%v: writes of %d bytes change the output", c, chunk)
			}
		}
	}
}

// TestSnappyFraming pins the container bytes against what snappy-java 1.1.8.3 (Debian's
// libsnappy-java) writes for the same input: SnappyOutputStream and
// SnappyHadoopCompatibleOutputStream. For inputs this small both sides emit one literal, so the
// whole object must match byte for byte.
func TestSnappyFraming(t *testing.T) {
	tests := []struct {
		codec Codec
		in    []byte
		want  string
	}{
		{Snappy, nil, "82534e41505059000000000100000001"},
		{Snappy, []byte{0}, "82534e41505059000000000100000001" + "00000003" + "010000"},
		{HadoopSnappy, nil, ""},
		{HadoopSnappy, []byte{0}, "00000001" + "00000003" + "010000"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(compress(t, tt.codec, tt.in, 0)); got != tt.want {
			t.Errorf("%v of %d bytes = %s, want %s", tt.codec, len(tt.in), got, tt.want)
		}
	}
	// Larger input: blocks of exactly 32 KiB of input, then the rest.
	data := clickstream(2*snappyBlockSize + 100)
	h := compress(t, HadoopSnappy, data, 0)
	var sizes []int
	for b := h; len(b) > 0; {
		u, c := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
		sizes = append(sizes, int(u))
		b = b[8+c:]
	}
	if fmt.Sprint(sizes) != "[32768 32768 100]" {
		t.Errorf("HADOOP_SNAPPY blocks hold %v bytes of input, want [32768 32768 100]", sizes)
	}
	x := compress(t, Snappy, data, 0)
	var n int
	for b := x[len(xerialHeader):]; len(b) > 0; n++ {
		b = b[4+binary.BigEndian.Uint32(b):]
	}
	if n != 3 {
		t.Errorf("Snappy object has %d blocks, want 3", n)
	}
}

func TestZIPEntry(t *testing.T) {
	mtime := time.Date(2026, 11, 21, 10, 4, 6, 0, time.UTC)
	for _, tt := range []struct {
		opts     []WriterOption
		name     string
		modified time.Time
	}{
		{nil, DefaultEntryName, time.Time{}},
		{[]WriterOption{EntryName("a9fa96af-e4e4-409f-bac3-1f804714faaa"), ModTime(mtime)}, "a9fa96af-e4e4-409f-bac3-1f804714faaa", mtime},
	} {
		obj := compress(t, ZIP, []byte("abc\n"), 0, tt.opts...)
		zr, err := zip.NewReader(bytes.NewReader(obj), int64(len(obj)))
		if err != nil {
			t.Fatal(err)
		}
		f := zr.File[0]
		if len(zr.File) != 1 || f.Name != tt.name || f.Method != zip.Deflate {
			t.Errorf("entries %d, first %q method %d; want 1, %q, deflate", len(zr.File), f.Name, f.Method, tt.name)
		}
		if !tt.modified.IsZero() && !f.Modified.Equal(tt.modified) {
			t.Errorf("entry modified %v, want %v", f.Modified, tt.modified)
		}
	}
}

func TestGZIPHeader(t *testing.T) {
	mtime := time.Date(2026, 11, 21, 10, 4, 6, 0, time.UTC)
	// RFC 1952: MTIME (bytes 4-7, little-endian) 0 means "no time"; FLG (byte 3) 0 means no name,
	// comment or extra field; OS (byte 9) 255 is "unknown".
	check := func(obj []byte, want uint32) {
		t.Helper()
		if got := binary.LittleEndian.Uint32(obj[4:8]); got != want || obj[3] != 0 || obj[9] != 255 {
			t.Errorf("header %x: MTIME %d FLG %d OS %d; want %d, 0, 255", obj[:10], got, obj[3], obj[9], want)
		}
	}
	check(compress(t, GZIP, []byte("abc\n"), 0), 0)
	check(compress(t, GZIP, []byte("abc\n"), 0, ModTime(mtime)), uint32(mtime.Unix()))
	// A pooled compressor must not carry the header of the object before.
	check(compress(t, GZIP, []byte("x"), 0), 0)
	// Times a gzip header cannot hold are left out.
	check(compress(t, GZIP, []byte("x"), 0, ModTime(time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC))), 0)
}

func TestCodecWriteAfterClose(t *testing.T) {
	for _, c := range Codecs() {
		w, err := c.NewWriter(io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("%v: Close: %v", c, err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%v: second Close: %v", c, err)
		}
		if _, err := w.Write([]byte("x")); err == nil {
			t.Errorf("%v: Write after Close succeeded", c)
		}
	}
}

type failWriter struct{ after int }

var errDst = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after < len(p) {
		return 0, errDst
	}
	f.after -= len(p)
	return len(p), nil
}

// TestCodecWriteError checks that a failure of dst reaches the caller, from Write or at the latest
// from Close.
func TestCodecWriteError(t *testing.T) {
	data := incompressible(1 << 20)
	for _, c := range Codecs() {
		w, err := c.NewWriter(&failWriter{after: 100 << 10})
		if err != nil {
			t.Fatal(err)
		}
		_, werr := w.Write(data)
		cerr := w.Close()
		if !errors.Is(werr, errDst) && !errors.Is(cerr, errDst) {
			t.Errorf("%v: Write = %v, Close = %v; want %v from one of them", c, werr, cerr, errDst)
		}
	}
}
