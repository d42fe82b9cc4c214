package app

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// TestRunPump starts an application on the real runtime: a pump copies the source's rows to the
// destination stream.
func TestRunPump(t *testing.T) {
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
	var entries []streams.PutEntry
	for i := range 3 {
		entries = append(entries, streams.PutEntry{PartitionKey: "k",
			Data: fmt.Appendf(nil, `{"TICKER":"T%d","PRICE":%d.5}`, i, i)})
	}
	if _, _, err := store.PutRecords(context.Background(), scope, streams.StreamRef{Name: "src"}, entries); err != nil {
		t.Fatal(err)
	}
	m, err := Open(Options{Dir: filepath.Join(dir, "analytics"), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Create(scope, CreateInput{Name: "pump", Config: tickerConfig()}); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(scope, "pump", map[string]string{"1.1": StartTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	dst := streams.StreamRef{Name: "dst"}
	var got []map[string]any
	deadline := time.After(30 * time.Second)
	for len(got) < 3 {
		batch, _, err := store.ReadShard(scope, dst, "shardId-000000000000", uint64(len(got)), 10, 1<<20, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range batch.Entries {
			row := map[string]any{}
			if err := json.Unmarshal(e.Data, &row); err != nil {
				t.Fatalf("output record %q: %v", e.Data, err)
			}
			got = append(got, row)
		}
		if len(batch.Entries) > 0 {
			continue
		}
		select {
		case <-batch.Changed:
		case <-deadline:
			t.Fatalf("%d output rows after 30 s, want 3 (run error: %v)", len(got), m.RunErr(scope, "pump"))
		}
	}
	for i, row := range got {
		if row["TICKER"] != fmt.Sprintf("T%d", i) || row["PRICE"] != float64(i)+0.5 {
			t.Errorf("row %d: %v", i, row)
		}
	}
	if err := m.Stop(scope, "pump"); err != nil {
		t.Fatal(err)
	}
}
