package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// TestRunUpdateCode changes the code of a RUNNING application on the real runtime: the run restarts
// from its checkpoint, whose engine state belongs to the old code, so it goes on with fresh state
// (as KDA does after an update) and the new code's rows reach the destination.
func TestRunUpdateCode(t *testing.T) {
	dir := t.TempDir()
	store, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, name := range []string{"src", "dst"} {
		if err := store.CreateStream(scope, streams.CreateStreamInput{Name: name, ShardCount: 1}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(from, n int) {
		var entries []streams.PutEntry
		for i := from; i < from+n; i++ {
			entries = append(entries, streams.PutEntry{PartitionKey: "k", Data: fmt.Appendf(nil, `{"TICKER":"T%d","PRICE":%d}`, i, i)})
		}
		if _, _, err := store.PutRecords(context.Background(), scope, streams.StreamRef{Name: "src"}, entries); err != nil {
			t.Fatal(err)
		}
	}
	var read []string
	waitRows := func(n int) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for len(read) < n {
			batch, _, err := store.ReadShard(scope, streams.StreamRef{Name: "dst"}, "shardId-000000000000", uint64(len(read)), 10, 1<<20, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range batch.Entries {
				read = append(read, string(e.Data))
			}
			if len(batch.Entries) > 0 {
				continue
			}
			select {
			case <-batch.Changed:
			case <-deadline:
				t.Fatalf("%d output rows after 30 s, want %d: %q", len(read), n, read)
			}
		}
	}
	m, err := Open(Options{Dir: filepath.Join(dir, "analytics"), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Create(scope, CreateInput{Name: "pump", Config: tickerConfig()}); err != nil {
		t.Fatal(err)
	}
	put(0, 2)
	if err := m.Start(scope, "pump", map[string]string{"1.1": StartTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	waitRows(2)
	filtered := strings.Replace(pumpSQL, `FROM "SOURCE_SQL_STREAM_001"`, `FROM "SOURCE_SQL_STREAM_001" WHERE PRICE >= 3`, 1)
	if err := m.Update(scope, "pump", 1, func(c *Config) error { c.Code = filtered; return nil }); err != nil {
		t.Fatal(err)
	}
	put(2, 3) // T2 is filtered out by the new code
	waitRows(4)
	if !strings.Contains(read[2], `"T3"`) || !strings.Contains(read[3], `"T4"`) {
		t.Fatalf("rows after the update: %q", read[2:])
	}
	if err := m.RunErr(scope, "pump"); err != nil {
		t.Fatal(err)
	}
}
