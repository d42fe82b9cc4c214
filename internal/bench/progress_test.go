package bench

import (
	"bytes"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestMonitorPrintsAboutOnceASecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		st := new(phaseStats)
		m := startMonitor("putrecords", st, &out, 0)
		for range 3 {
			st.records.Add(50_000)
			st.bytes.Add(50_000 * 1024)
			st.latency.RecordDuration(4 * time.Millisecond)
			time.Sleep(time.Second)
			synctest.Wait()
		}
		m.stop()
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("%d progress lines in 3s, want 3:\n%s", len(lines), out.String())
		}
		for _, l := range lines {
			if !strings.Contains(l, "50000 rec/s") || !strings.Contains(l, "51.2 MB/s") || !strings.Contains(l, "p99 4.00ms") {
				t.Errorf("progress line %q", l)
			}
		}
	})
}

func TestReportText(t *testing.T) {
	rep := &Report{
		Endpoint: "http://x", Stream: "s", Shards: 4, Workers: 8, Batch: 500, RecordSize: 1024, PartitionKeys: 10,
		Phases: []PhaseResult{
			{Name: "putrecords", Elapsed: 10 * time.Second, Records: 1_000_000, RecordsPerSec: 100_000, MBPerSec: 102.4,
				LatencyP50: 3 * time.Millisecond, LatencyP99: 12 * time.Millisecond, LatencyMax: 1500 * time.Millisecond,
				ClientCPU: 5 * time.Second},
			{Name: "getrecords", Elapsed: 2 * time.Second, Records: 1_000_000, LatencyP50: 800 * time.Microsecond},
		},
		Verification: &Verification{Expected: 1_000_000, Read: 999_999, Missing: 1, Problems: []string{"worker 0 record 7 was acknowledged but not read back"}},
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"putrecords", "100000", "102.4", "3.00ms", "1.50s", "800µs", "5.00s 50%",
		"verify: FAILED", "1 records missing", "record 7"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !rep.Failed() {
		t.Error("Failed() is false with a record missing")
	}
}
