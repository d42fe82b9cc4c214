package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
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

// logSignal is a slog handler that sends each record's message whose text it was given on a channel.
type logSignal struct {
	msg string
	ch  chan slog.Record
}

func (h *logSignal) Enabled(context.Context, slog.Level) bool { return true }
func (h *logSignal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.ch <- r:
		default:
		}
	}
	return nil
}
func (h *logSignal) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logSignal) WithGroup(string) slog.Handler      { return h }

// TestRunSourceDeleted: on the real runtime, a run whose source stream is deleted under it ends by
// itself; the application stays RUNNING and is retried, RunErr says why, and StopApplication ends it.
func TestRunSourceDeleted(t *testing.T) {
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
	failed := &logSignal{msg: "analytics: application run failed; restarting it from its last checkpoint",
		ch: make(chan slog.Record, 1)}
	m, err := Open(Options{Dir: filepath.Join(dir, "analytics"), Store: store, Logger: slog.New(failed),
		ResumeRetry: time.Millisecond})
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
	if err := store.DeleteStream(scope, streams.StreamRef{Name: "src"}, false); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-failed.ch:
		var cause string
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "err" {
				cause = a.Value.String()
			}
			return true
		})
		if !strings.Contains(cause, "src") {
			t.Fatalf("the run failed with %q, want the missing source", cause)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end after its source was deleted")
	}
	d, err := m.Describe(scope, "pump")
	if err != nil || d.Status != StatusRunning {
		t.Fatalf("status %s %v after the run failed", d.Status, err)
	}
	if err := m.RunErr(scope, "pump"); err == nil || !strings.Contains(err.Error(), "src") {
		t.Fatalf("RunErr %v while retrying", err)
	}
	if err := m.Stop(scope, "pump"); err != nil {
		t.Fatal(err)
	}
	if d, _ := m.Describe(scope, "pump"); d.Status != StatusReady || m.RunErr(scope, "pump") != nil {
		t.Fatalf("status %s, RunErr %v after Stop", d.Status, m.RunErr(scope, "pump"))
	}
}
