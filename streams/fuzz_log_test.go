package streams

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var writeLogFuzzSeeds = flag.Bool("log.fuzzseeds", false, "rewrite the seed corpora of FuzzRecover and FuzzDecodeFrame in testdata/fuzz")

// validSegment returns a segment file holding testEntry(0) .. testEntry(n-1).
func validSegment(n int) []byte {
	b := appendSegHeader(nil, 0)
	for i := range n {
		e := testEntry(i)
		e.Seq, e.Arrival = uint64(i), 1_700_000_000_000+int64(i/3)
		b = appendFrame(b, &e)
	}
	return b
}

func recoverSeeds() map[string][]byte {
	full := validSegment(12)
	return map[string][]byte{
		"empty":       {},
		"header-only": appendSegHeader(nil, 0),
		"one-entry":   validSegment(1),
		"entries":     full,
		"torn":        full[:len(full)-7],
		"zero-tail":   append(slices.Clone(full), make([]byte, 64)...),
		"zero-header": make([]byte, 100),
	}
}

func decodeFrameSeeds() map[string][]byte {
	seeds := map[string][]byte{}
	for i := range 7 { // testEntry's seven kinds
		e := testEntry(i)
		e.Seq, e.Arrival = uint64(i)<<40, 1_700_000_000_000
		seeds[fmt.Sprintf("frame-%d", i)] = appendFrame(nil, &e)
	}
	seeds["short"] = seeds["frame-1"][:20]
	seeds["trailing"] = append(slices.Clone(seeds["frame-3"]), 1, 2, 3)
	return seeds
}

// TestWriteLogFuzzSeeds rewrites the committed seed corpora when run with -log.fuzzseeds.
func TestWriteLogFuzzSeeds(t *testing.T) {
	if !*writeLogFuzzSeeds {
		t.Skip("run with -log.fuzzseeds to rewrite testdata/fuzz")
	}
	for target, seeds := range map[string]map[string][]byte{
		"FuzzRecover":     recoverSeeds(),
		"FuzzDecodeFrame": decodeFrameSeeds(),
	} {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// FuzzRecover opens a log whose only segment holds the input. OpenLog must not panic; it either reports
// a *CorruptionError or cuts the segment to a prefix of the input whose frames Read returns.
func FuzzRecover(f *testing.F) {
	seeds := recoverSeeds()
	for _, name := range slices.Sorted(maps.Keys(seeds)) {
		f.Add(seeds[name])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, segmentName(0))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		// Without fsync: the fuzzer explores decoding and repair, not the disk.
		l, err := openLog(LogOptions{Dir: dir, Sync: SyncInterval}, logHooks{openFile: openNoSyncFile})
		if err != nil {
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("OpenLog: %v, want nil or a *CorruptionError", err)
			}
			return
		}
		defer l.Close()
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, after) && !bytes.Equal(after, appendSegHeader(nil, 0)) {
			t.Fatalf("recovery left %d bytes that are not a prefix of the %d input bytes", len(after), len(data))
		}
		entries, err := readAllErr(l, 3, 1<<20)
		if err != nil {
			t.Fatalf("Read after recovery: %v", err)
		}
		off := segHeaderSize
		for i, e := range entries {
			if e.Seq != uint64(i) {
				t.Fatalf("entry %d has Seq %d", i, e.Seq)
			}
			frame := appendFrame(nil, &e)
			if !bytes.Equal(frame, after[off:min(off+len(frame), len(after))]) {
				t.Fatalf("entry %d is not the frame at offset %d", i, off)
			}
			off += len(frame)
		}
		if off != len(after) {
			t.Fatalf("entries cover %d bytes of the %d-byte segment", off, len(after))
		}
	})
}

// FuzzDecodeFrame decodes arbitrary bytes as a frame: what decodes must encode back to the same bytes.
func FuzzDecodeFrame(f *testing.F) {
	seeds := decodeFrameSeeds()
	for _, name := range slices.Sorted(maps.Keys(seeds)) {
		f.Add(seeds[name])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Entry
		n, err := decodeFrame(data, &e)
		if err != nil {
			return
		}
		if n < frameHeaderSize || n > len(data) {
			t.Fatalf("decoded a frame of %d bytes from %d", n, len(data))
		}
		if err := checkEntry(&e); err != nil {
			t.Fatalf("decoded an entry Append would refuse: %v", err)
		}
		if got := appendFrame(nil, &e); !bytes.Equal(got, data[:n]) {
			t.Fatalf("re-encoded frame differs:\n got %x\nwant %x", got, data[:n])
		}
	})
}

type noSyncFile struct{ *os.File }

func (noSyncFile) Sync() error { return nil }

func openNoSyncFile(name string, flag int, perm os.FileMode) (logFile, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return noSyncFile{f}, nil
}
