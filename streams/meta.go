package streams

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hydrantio/hydrant/internal/atomicfile"
)

// streamMeta is a stream's durable description, kept in <stream dir>/stream.json and rewritten
// atomically (tmp, fsync, rename, fsync dir) after every change. Record data lives in the shard logs.
type streamMeta struct {
	Version        int               `json:"version"`
	Name           string            `json:"name"`
	Account        string            `json:"account"`
	Region         string            `json:"region"`
	ID             string            `json:"id"`
	Created        int64             `json:"created"` // Unix ms
	Mode           string            `json:"mode"`
	RetentionHours int               `json:"retentionHours"`
	Transition     string            `json:"transition,omitempty"`    // CREATING or UPDATING while in progress
	TransitionEnd  int64             `json:"transitionEnd,omitempty"` // Unix ms when Transition ends
	Shards         []*shardMeta      `json:"shards"`                  // every unexpired shard, by index
	NextShardIndex int               `json:"nextShardIndex"`
	Encryption     string            `json:"encryption"`
	KeyID          string            `json:"keyId,omitempty"`
	Metrics        []string          `json:"metrics,omitempty"`
	MaxRecordKiB   int               `json:"maxRecordSizeKiB"`
	WarmTarget     *int              `json:"warmThroughputMiBps,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	Policy         string            `json:"policy,omitempty"`
	Scalings       []int64           `json:"scalings,omitempty"`  // Unix ms of recent UpdateShardCount calls
	Consumers      []*consumerMeta   `json:"consumers,omitempty"` // enhanced fan-out consumers, by registration
}

const metaVersion = 1

// shardMeta describes one shard. Hash keys are decimal strings so the file reads as the API does.
type shardMeta struct {
	Index          int    `json:"index"`
	Parent         int    `json:"parent"`         // -1 if none
	AdjacentParent int    `json:"adjacentParent"` // -1 if none
	Start          string `json:"start"`
	End            string `json:"end"`
	Created        int64  `json:"created"`          // Unix ms
	Closed         int64  `json:"closed,omitempty"` // Unix ms; 0 while open
	EndSeq         uint64 `json:"endSeq,omitempty"` // the log Seq past the last record, once closed
}

func shardID(index int) string { return fmt.Sprintf("shardId-%012d", index) }

// parseShardID returns the index in "shardId-000000000007"; AWS also accepts the bare index form
// ("7" is not accepted, but leading zeros may vary), so only the prefix and digits are checked.
func parseShardID(id string) (int, bool) {
	const prefix = "shardId-"
	if len(id) <= len(prefix) || id[:len(prefix)] != prefix || len(id) > len(prefix)+12 {
		return 0, false
	}
	n := 0
	for _, c := range id[len(prefix):] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

const metaFile = "stream.json"

func writeMeta(dir string, m *streamMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode stream meta: %w", err)
	}
	return atomicfile.Write(filepath.Join(dir, metaFile), b, 0o644)
}

func readMeta(dir string) (*streamMeta, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, err
	}
	var m streamMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Join(dir, metaFile), err)
	}
	if m.Version != metaVersion {
		return nil, fmt.Errorf("%s: unknown version %d", filepath.Join(dir, metaFile), m.Version)
	}
	return &m, nil
}
