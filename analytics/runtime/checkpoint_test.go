package runtime

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func sampleCheckpoint() *checkpoint {
	return &checkpoint{
		RunID:    "0123456789abcdef",
		Advanced: 1763805600123,
		Inputs: []inputCheckpoint{{Created: 1763805600000, Shards: []shardCheckpoint{
			{Index: 0, Pos: 120, Done: true}, {Index: 1, Pos: 7}, {Index: 2, Pos: 1 << 40}}}},
		Outputs: []outputCheckpoint{
			{Emitted: 99, Created: -5, Tips: []shardTip{{Index: 0, Tip: 3}, {Index: 4, Tip: 1 << 33}}},
			{},
		},
		Snapshot: []byte("engine state"),
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	for _, c := range []*checkpoint{sampleCheckpoint(), {RunID: "x", Snapshot: nil}, {Snapshot: []byte{}}} {
		dir := t.TempDir()
		if _, err := saveCheckpoint(dir, c, nil); err != nil {
			t.Fatal(err)
		}
		got, err := loadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		norm := func(c *checkpoint) {
			if c.Inputs == nil {
				c.Inputs = []inputCheckpoint{}
			}
			if c.Outputs == nil {
				c.Outputs = []outputCheckpoint{}
			}
			for i := range c.Inputs {
				if c.Inputs[i].Shards == nil {
					c.Inputs[i].Shards = []shardCheckpoint{}
				}
			}
			for i := range c.Outputs {
				if c.Outputs[i].Tips == nil {
					c.Outputs[i].Tips = []shardTip{}
				}
			}
		}
		norm(c)
		norm(got)
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("round trip\n got %+v\nwant %+v", got, c)
		}
	}
	// No file: no checkpoint, no error.
	if c, err := loadCheckpoint(t.TempDir()); c != nil || err != nil {
		t.Fatalf("missing file: %v %v", c, err)
	}
}

func TestCheckpointCorruption(t *testing.T) {
	good := appendCheckpoint(nil, sampleCheckpoint())
	tests := []struct {
		name   string
		mangle func(b []byte) []byte
	}{
		{"empty", func(b []byte) []byte { return nil }},
		{"truncated header", func(b []byte) []byte { return b[:10] }},
		{"truncated body", func(b []byte) []byte { return b[:len(b)-9] }},
		{"extra byte", func(b []byte) []byte { return append(b, 0) }},
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return b }},
		{"unknown version", func(b []byte) []byte { b[8] = 9; return b }},
		{"flipped body bit", func(b []byte) []byte { b[20] ^= 4; return b }},
		{"flipped crc bit", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }},
		{"length lies", func(b []byte) []byte { b[12]++; return b }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			b := tt.mangle(append([]byte(nil), good...))
			if err := os.WriteFile(filepath.Join(dir, checkpointFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := loadCheckpoint(dir)
			var ce *CorruptionError
			if !errors.As(err, &ce) || c != nil {
				t.Fatalf("got %v, %v; want a *CorruptionError", c, err)
			}
		})
	}
	// Every single bit flip is caught.
	for i := range len(good) * 8 {
		b := append([]byte(nil), good...)
		b[i/8] ^= 1 << (i % 8)
		if _, err := decodeCheckpoint(b); err == nil {
			t.Fatalf("bit %d flipped: decoded", i)
		}
	}
}

func FuzzDecodeCheckpoint(f *testing.F) {
	f.Add(appendCheckpoint(nil, sampleCheckpoint()))
	f.Add(appendCheckpoint(nil, &checkpoint{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		// What decodes encodes back to the same bytes.
		if again := appendCheckpoint(nil, c); string(again) != string(b) {
			t.Fatalf("re-encoded differently:\n%x\n%x", again, b)
		}
	})
}

func FuzzDecodeCheckpointBody(f *testing.F) {
	// The CRC keeps random bytes from reaching the body decoder: this fuzzes the body itself, sealed
	// with a correct header and CRC.
	good := appendCheckpoint(nil, sampleCheckpoint())
	f.Add(good[checkpointHeader : len(good)-4])
	f.Fuzz(func(t *testing.T, body []byte) {
		b := seal(body)
		c, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		if again := appendCheckpoint(nil, c); string(again) != string(b) {
			// Varints have non-minimal encodings; a decoded checkpoint must at least encode stably.
			c2, err := decodeCheckpoint(again)
			if err != nil || !reflect.DeepEqual(c, c2) {
				t.Fatalf("unstable: %v %+v %+v", err, c, c2)
			}
		}
	})
}

// seal frames a body with the header and CRC.
func seal(body []byte) []byte {
	b := append([]byte(checkpointMagic), 0, 0, 0, 0, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[8:], checkpointVersion)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(body)))
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}
