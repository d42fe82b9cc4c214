package streams

import (
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// testLayout describes the files of a log built by buildTestLog.
type testLayout struct {
	dir  string
	segs []testSegment
}

type testSegment struct {
	path   string
	first  uint64
	frames []testFrame
}

type testFrame struct{ off, n int64 }

func (lay *testLayout) total() int {
	n := 0
	for _, s := range lay.segs {
		n += len(s.frames)
	}
	return n
}

func (lay *testLayout) last() testSegment { return lay.segs[len(lay.segs)-1] }

// lastFrame is the last frame of the last segment.
func (lay *testLayout) lastFrame() testFrame {
	fs := lay.last().frames
	return fs[len(fs)-1]
}

// buildTestLog writes n entries of 100 bytes, one Append each, over segments of 1 KiB (7 entries),
// closes the log and describes its files.
func buildTestLog(t testing.TB, dir string, n int) []Entry {
	t.Helper()
	l, err := OpenLog(LogOptions{Dir: dir, SegmentBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	var want []Entry
	for i := range n {
		want = append(want, mustAppend(t, l, Entry{PartitionKey: []byte("k"), Data: testPayload(i, 100)})...)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return want
}

func readLayout(t testing.TB, dir string) *testLayout {
	t.Helper()
	lay := &testLayout{dir: dir}
	for _, path := range segmentFiles(t, dir) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := parseSegmentName(filepath.Base(path))
		s := testSegment{path: path, first: first}
		for off := int64(segHeaderSize); off < int64(len(b)); {
			n := int64(logOrder.Uint32(b[off:]))
			s.frames = append(s.frames, testFrame{off, n})
			off += n
		}
		lay.segs = append(lay.segs, s)
	}
	return lay
}

func truncateFile(t testing.TB, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// patchFile overwrites bytes of a file at off.
func patchFile(t testing.TB, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// flipBit flips bit bit of the byte at off.
func flipBit(t testing.TB, path string, off int64, bit uint) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 1 << bit
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendToFile(t testing.TB, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// openFDs counts the process's open file descriptors, or returns -1 where that is unknown.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestRecoverTable applies one kind of damage per row to a closed log of 40 entries over six segments
// and checks what OpenLog makes of it: how many entries survive, and whether OpenLog or a Read reports
// a *CorruptionError.
func TestRecoverTable(t *testing.T) {
	const entries = 40
	cases := []struct {
		name    string
		corrupt func(t *testing.T, lay *testLayout)
		survive func(lay *testLayout) int // entries readable from the start
		openErr bool                      // OpenLog reports a *CorruptionError
		readErr bool                      // Read reports a *CorruptionError after the survivors
	}{
		{
			name:    "clean",
			corrupt: func(t *testing.T, lay *testLayout) {},
			survive: (*testLayout).total,
		},
		{
			name: "torn tail, cut in the middle of the last frame",
			corrupt: func(t *testing.T, lay *testLayout) {
				f := lay.lastFrame()
				truncateFile(t, lay.last().path, f.off+f.n/2)
			},
			survive: func(lay *testLayout) int { return lay.total() - 1 },
		},
		{
			name: "torn tail, cut in the length field of the last frame",
			corrupt: func(t *testing.T, lay *testLayout) {
				truncateFile(t, lay.last().path, lay.lastFrame().off+2)
			},
			survive: func(lay *testLayout) int { return lay.total() - 1 },
		},
		{
			name: "bad CRC in the last frame",
			corrupt: func(t *testing.T, lay *testLayout) {
				f := lay.lastFrame()
				flipBit(t, lay.last().path, f.off+f.n-1, 3)
			},
			survive: func(lay *testLayout) int { return lay.total() - 1 },
		},
		{
			name: "length field out of bounds",
			corrupt: func(t *testing.T, lay *testLayout) {
				patchFile(t, lay.last().path, lay.lastFrame().off, []byte{0xff, 0xff, 0xff, 0xff})
			},
			survive: func(lay *testLayout) int { return lay.total() - 1 },
		},
		{
			name: "length field shorter than the frame",
			corrupt: func(t *testing.T, lay *testLayout) {
				patchFile(t, lay.last().path, lay.lastFrame().off, logOrder.AppendUint32(nil, 40))
			},
			survive: func(lay *testLayout) int { return lay.total() - 1 },
		},
		{
			name: "length field past the end of the file",
			corrupt: func(t *testing.T, lay *testLayout) {
				f := lay.lastFrame()
				patchFile(t, lay.last().path, f.off, logOrder.AppendUint32(nil, uint32(f.n+100)))
			},
			survive: func(lay *testLayout) int { return lay.total() - 1 },
		},
		{
			name: "truncated segment header",
			corrupt: func(t *testing.T, lay *testLayout) {
				truncateFile(t, lay.last().path, 10)
			},
			survive: func(lay *testLayout) int { return lay.total() - len(lay.last().frames) },
		},
		{
			name: "zero-length last segment",
			corrupt: func(t *testing.T, lay *testLayout) {
				truncateFile(t, lay.last().path, 0)
			},
			survive: func(lay *testLayout) int { return lay.total() - len(lay.last().frames) },
		},
		{
			name: "last segment all zeros",
			corrupt: func(t *testing.T, lay *testLayout) {
				if err := os.WriteFile(lay.last().path, make([]byte, 4096), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			survive: func(lay *testLayout) int { return lay.total() - len(lay.last().frames) },
		},
		{
			name: "header-only last segment",
			corrupt: func(t *testing.T, lay *testLayout) {
				truncateFile(t, lay.last().path, segHeaderSize)
			},
			survive: func(lay *testLayout) int { return lay.total() - len(lay.last().frames) },
		},
		{
			name: "zero-filled tail",
			corrupt: func(t *testing.T, lay *testLayout) {
				appendToFile(t, lay.last().path, make([]byte, 4096))
			},
			survive: (*testLayout).total,
		},
		{
			name: "garbage tail",
			corrupt: func(t *testing.T, lay *testLayout) {
				appendToFile(t, lay.last().path, testPayload(7, 300))
			},
			survive: (*testLayout).total,
		},
		{
			name: "bit flip in the middle of the last segment",
			corrupt: func(t *testing.T, lay *testLayout) {
				f := lay.last().frames[2]
				flipBit(t, lay.last().path, f.off+f.n/2, 0)
			},
			survive: func(lay *testLayout) int { return lay.total() - len(lay.last().frames) + 2 },
		},
		{
			name: "seq out of order in the last segment",
			corrupt: func(t *testing.T, lay *testLayout) {
				b, err := os.ReadFile(lay.last().path)
				if err != nil {
					t.Fatal(err)
				}
				f := lay.last().frames[1]
				frame := b[f.off : f.off+f.n]
				logOrder.PutUint64(frame[8:], logOrder.Uint64(frame[8:])+5)
				logOrder.PutUint32(frame[4:], crc32.Checksum(frame[8:], logCRC))
				patchFile(t, lay.last().path, f.off, frame)
			},
			survive: func(lay *testLayout) int { return lay.total() - len(lay.last().frames) + 1 },
		},
		{
			name: "damaged header of a last segment with frames",
			corrupt: func(t *testing.T, lay *testLayout) {
				flipBit(t, lay.last().path, 2, 1)
			},
			openErr: true,
		},
		{
			name: "bit flip in a sealed segment, index intact",
			corrupt: func(t *testing.T, lay *testLayout) {
				f := lay.segs[1].frames[3]
				flipBit(t, lay.segs[1].path, f.off+f.n/2, 5)
			},
			survive: func(lay *testLayout) int { return len(lay.segs[0].frames) + 3 },
			readErr: true,
		},
		{
			name: "bit flip in a sealed segment, index lost",
			corrupt: func(t *testing.T, lay *testLayout) {
				f := lay.segs[1].frames[3]
				flipBit(t, lay.segs[1].path, f.off+f.n/2, 5)
				if err := os.Remove(indexPath(lay.segs[1].path)); err != nil {
					t.Fatal(err)
				}
			},
			openErr: true,
		},
		{
			name: "sealed segment cut in a frame",
			corrupt: func(t *testing.T, lay *testLayout) {
				f := lay.segs[2].frames[4]
				truncateFile(t, lay.segs[2].path, f.off+10)
			},
			openErr: true,
		},
		{
			name: "sealed segment cut between frames",
			corrupt: func(t *testing.T, lay *testLayout) {
				truncateFile(t, lay.segs[2].path, lay.segs[2].frames[4].off)
			},
			openErr: true,
		},
		{
			name: "damaged header of a sealed segment",
			corrupt: func(t *testing.T, lay *testLayout) {
				flipBit(t, lay.segs[1].path, 13, 0) // the first Seq
			},
			openErr: true,
		},
		{
			name: "missing middle segment",
			corrupt: func(t *testing.T, lay *testLayout) {
				if err := os.Remove(lay.segs[2].path); err != nil {
					t.Fatal(err)
				}
			},
			openErr: true,
		},
		{
			name: "missing first segment",
			corrupt: func(t *testing.T, lay *testLayout) {
				if err := os.Remove(lay.segs[0].path); err != nil {
					t.Fatal(err)
				}
			},
			openErr: true,
		},
		{
			name: "damaged index is rebuilt",
			corrupt: func(t *testing.T, lay *testLayout) {
				flipBit(t, indexPath(lay.segs[1].path), 30, 2)
			},
			survive: (*testLayout).total,
		},
		{
			name: "index of another segment is rebuilt",
			corrupt: func(t *testing.T, lay *testLayout) {
				b, err := os.ReadFile(indexPath(lay.segs[0].path))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(indexPath(lay.segs[1].path), b, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			survive: (*testLayout).total,
		},
		{
			name: "leftover temporary files are removed",
			corrupt: func(t *testing.T, lay *testLayout) {
				for _, name := range []string{"00000000000000000007.idx.tmp", ".trim.tmp123"} {
					if err := os.WriteFile(filepath.Join(lay.dir, name), []byte("x"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			},
			survive: (*testLayout).total,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLogGoroutines(t)
			dir := t.TempDir()
			want := buildTestLog(t, dir, entries)
			lay := readLayout(t, dir)
			if len(lay.segs) != 6 || lay.total() != entries {
				t.Fatalf("test log has %d entries in %d segments, want %d in 6", lay.total(), len(lay.segs), entries)
			}
			tc.corrupt(t, lay)

			fds := openFDs()
			l, err := OpenLog(LogOptions{Dir: dir, SegmentBytes: 1024})
			if tc.openErr {
				var ce *CorruptionError
				if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
					if err == nil {
						l.Close()
					}
					t.Fatalf("OpenLog: %v, want a *CorruptionError", err)
				}
				if !slices.ContainsFunc(lay.segs, func(s testSegment) bool { return s.path == ce.Segment }) {
					t.Errorf("CorruptionError names %q, not a segment", ce.Segment)
				}
				if got := openFDs(); got != fds {
					t.Errorf("OpenLog left %d files open", got-fds)
				}
				t.Logf("OpenLog: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("OpenLog: %v", err)
			}
			t.Cleanup(func() { l.Close() })
			survive := tc.survive(lay)
			got, err := readAllErr(l, 5, 1000)
			checkEntries(t, got, want[:survive])
			if tc.readErr {
				var ce *CorruptionError
				if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Read: %v, want a *CorruptionError", err)
				}
				t.Logf("Read: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}

			// The repaired log goes on from the last survivor, and the repair is durable.
			more := mustAppend(t, l, testEntry(99))
			if more[0].Seq != uint64(survive) {
				t.Fatalf("Seq after recovery %d, want %d", more[0].Seq, survive)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l, err = OpenLog(LogOptions{Dir: dir, SegmentBytes: 1024})
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			checkEntries(t, readAll(t, l), append(want[:survive:survive], more...))
			for _, s := range lay.segs[:len(lay.segs)-1] {
				if _, err := os.Stat(indexPath(s.path)); err != nil && survive == lay.total() {
					t.Errorf("index not restored: %v", err)
				}
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, "*tmp*")); len(tmps) > 0 {
				t.Errorf("temporary files left: %v", tmps)
			}
		})
	}
}

// TestRecoverRandomBitFlips flips random bits anywhere in a log's files. OpenLog must either report a
// *CorruptionError or open a log whose every entry, up to where a Read reports a *CorruptionError, is
// one that was written, byte for byte.
func TestRecoverRandomBitFlips(t *testing.T) {
	checkLogGoroutines(t)
	orig := t.TempDir()
	want := buildTestLog(t, orig, 60)
	// A trim marker too.
	l, err := OpenLog(LogOptions{Dir: orig, SegmentBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Trim(want[10].Arrival + 1); err != nil {
		t.Fatal(err)
	}
	trimmed := l.FirstSeq()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(3, 4))
	iterations := 250
	if testing.Short() {
		iterations = 50
	}
	var opened, openErrs, readErrs int
	for i := range iterations {
		dir := filepath.Join(t.TempDir(), "log")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		copyDir(t, orig, dir)
		ents, _ := os.ReadDir(dir)
		var files []string
		var sizes []int64
		var total int64
		for _, de := range ents {
			fi, _ := de.Info()
			files = append(files, filepath.Join(dir, de.Name()))
			sizes = append(sizes, fi.Size())
			total += fi.Size()
		}
		var flips []string
		for range 1 + rng.IntN(3) {
			at := rng.Int64N(total)
			for j, size := range sizes {
				if at < size {
					bit := uint(rng.IntN(8))
					flipBit(t, files[j], at, bit)
					flips = append(flips, filepath.Base(files[j])+"@"+string(rune('0'+bit)))
					break
				}
				at -= size
			}
		}

		l, err := OpenLog(LogOptions{Dir: dir, SegmentBytes: 1024})
		if err != nil {
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("iteration %d (%v): OpenLog: %v, want a *CorruptionError", i, flips, err)
			}
			openErrs++
			continue
		}
		opened++
		got, err := readAllErr(l, 1+rng.IntN(20), rng.IntN(5000))
		if err != nil {
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("iteration %d (%v): Read: %v, want a *CorruptionError", i, flips, err)
			}
			readErrs++
		}
		first := l.FirstSeq()
		if first > trimmed {
			t.Fatalf("iteration %d (%v): FirstSeq %d past the trim point %d", i, flips, first, trimmed)
		}
		for _, e := range got {
			if e.Seq >= uint64(len(want)) || !sameEntry(e, want[e.Seq]) {
				t.Fatalf("iteration %d (%v): Read returned an entry that was never written: seq %d", i, flips, e.Seq)
			}
		}
		if len(got) > 0 && got[0].Seq != first {
			t.Fatalf("iteration %d (%v): first entry %d, FirstSeq %d", i, flips, got[0].Seq, first)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d iterations: %d opened (%d with a Read error), %d refused", iterations, opened, readErrs, openErrs)
}

func TestCorruptionError(t *testing.T) {
	err := error(&CorruptionError{Segment: "x/00000000000000000000.log", Offset: 24, Err: errFrameChecksum})
	if !errors.Is(err, ErrCorrupt) || !errors.Is(err, errFrameChecksum) {
		t.Fatal("CorruptionError does not match ErrCorrupt and its cause")
	}
	if got, want := err.Error(), "corrupt log segment x/00000000000000000000.log at offset 24: frame checksum mismatch"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
