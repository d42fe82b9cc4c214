package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func smallConfig(endpoint string) Config {
	return Config{
		Endpoint:      endpoint,
		Shards:        3,
		Workers:       4,
		Batch:         50,
		RecordSize:    100,
		Records:       3000,
		PartitionKeys: 100,
		ReadIdle:      200 * time.Millisecond,
	}
}

func TestRunRoundTrip(t *testing.T) {
	for _, mode := range []string{"all", "putrecord,getrecords", "putrecords,putrecord,getrecords"} {
		t.Run(mode, func(t *testing.T) {
			f, srv := newFakeKinesis(t)
			cfg := smallConfig(srv.URL)
			cfg.Mode = mode
			cfg.Records = 500
			rep, err := Run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			phases := strings.Split(strings.ReplaceAll(mode, "all", "putrecords,getrecords"), ",")
			if len(rep.Phases) != len(phases) {
				t.Fatalf("got %d phases, want %d", len(rep.Phases), len(phases))
			}
			var written int64
			for i, p := range rep.Phases {
				if p.Name != phases[i] {
					t.Errorf("phase %d is %s, want %s", i, p.Name, phases[i])
				}
				if p.Name != PhaseGetRecords {
					written += p.Records
					if p.Records != cfg.Records || p.Bytes != cfg.Records*int64(cfg.RecordSize) {
						t.Errorf("%s wrote %d records, %d bytes; want %d", p.Name, p.Records, p.Bytes, cfg.Records)
					}
				} else if p.Records != written {
					t.Errorf("read %d records, want %d", p.Records, written)
				}
				if p.Requests == 0 || p.LatencyP50 <= 0 || p.LatencyP99 < p.LatencyP50 || p.LatencyMax < p.LatencyP99 {
					t.Errorf("%s: implausible figures %+v", p.Name, p)
				}
			}
			v := rep.Verification
			if v == nil || !v.OK() || v.Read != written || v.Expected != written {
				t.Fatalf("verification %+v, want %d records ok", v, written)
			}
			if rep.Failed() {
				t.Error("Failed() with a good verification")
			}
			if len(f.streams) != 0 {
				t.Errorf("stream not deleted: %v", f.streams)
			}
		})
	}
}

// The bench copes with throttling and partial failures without reporting them
// as data loss.
func TestRunRetries(t *testing.T) {
	f, srv := newFakeKinesis(t)
	f.throttleEvery = 7
	f.failEntry = func(n int) bool { return n%13 == 0 }
	cfg := smallConfig(srv.URL)
	rep, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	put := rep.Phases[0]
	if put.Records != cfg.Records {
		t.Errorf("wrote %d records, want %d", put.Records, cfg.Records)
	}
	if put.Retries == 0 || put.Throttled == 0 || put.Errors == 0 {
		t.Errorf("retries %d, throttled %d, errors %d: want all nonzero", put.Retries, put.Throttled, put.Errors)
	}
	if v := rep.Verification; !v.OK() || v.Read != cfg.Records {
		t.Fatalf("verification %+v", v)
	}
}

// Records of requests that failed with an unknown outcome are never resent,
// and the check accepts them whether or not they were written.
func TestRunUnknownOutcome(t *testing.T) {
	for _, mode := range []string{ModeAll, "putrecord,getrecords"} {
		for _, written := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/written=%v", mode, written), func(t *testing.T) {
				f, srv := newFakeKinesis(t)
				f.internalEvery = 5
				f.writeAnyway = written
				cfg := smallConfig(srv.URL)
				cfg.Mode = mode
				cfg.Records = 500
				rep, err := Run(context.Background(), cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				v := rep.Verification
				if !v.OK() || v.UncertainSent == 0 || v.Expected+v.UncertainSent != cfg.Records || rep.Phases[0].Errors == 0 {
					t.Fatalf("verification %+v, put %+v", v, rep.Phases[0])
				}
				if want := map[bool]int64{false: 0, true: v.UncertainSent}[written]; v.UncertainRead != want {
					t.Errorf("%d uncertain records read back, want %d", v.UncertainRead, want)
				}
			})
		}
	}
}

// The check catches what a broken server does.
func TestRunCatchesServerBugs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mangle func(shard int, recs []fakeRecord) []fakeRecord
		field  func(*Verification) int64
	}{
		{"duplicate", func(s int, r []fakeRecord) []fakeRecord {
			if s == 1 && len(r) > 5 {
				r = append(r, r[3])
			}
			return r
		}, func(v *Verification) int64 { return v.Duplicated }},
		{"loss", func(s int, r []fakeRecord) []fakeRecord {
			if s == 0 && len(r) > 5 {
				r = append(r[:2], r[3:]...)
			}
			return r
		}, func(v *Verification) int64 { return v.Missing }},
		{"corruption", func(s int, r []fakeRecord) []fakeRecord {
			if s == 2 && len(r) > 5 {
				d := bytes.Clone(r[4].Data)
				d[len(d)-1] ^= 1
				r[4].Data = d
			}
			return r
		}, func(v *Verification) int64 { return v.Corrupted }},
		{"reorder", func(s int, r []fakeRecord) []fakeRecord {
			if s == 0 && len(r) > 5 {
				// Records 1 and 4 of one page: swap the data, keep the sequence numbers.
				r[1].Data, r[1].Key, r[4].Data, r[4].Key = r[4].Data, r[4].Key, r[1].Data, r[1].Key
			}
			return r
		}, func(v *Verification) int64 { return v.Reordered }},
		{"sequence", func(s int, r []fakeRecord) []fakeRecord {
			if s == 1 && len(r) > 5 {
				r[2].Seq, r[3].Seq = r[3].Seq, r[2].Seq
			}
			return r
		}, func(v *Verification) int64 { return v.SequenceErrors }},
		{"misrouted", misroute(), func(v *Verification) int64 { return v.Misrouted }},
		{"foreign", func(s int, r []fakeRecord) []fakeRecord {
			if s == 2 && len(r) > 0 {
				r = append(r, fakeRecord{Seq: "99999999999999999999999999", Key: "x", Data: []byte("not a bench record")})
			}
			return r
		}, func(v *Verification) int64 { return v.Unexpected }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeKinesis(t)
			f.mangle = tc.mangle
			cfg := smallConfig(srv.URL)
			cfg.Workers = 1 // one writer: each shard holds one ordered run of counters
			rep, err := Run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Failed() || tc.field(rep.Verification) == 0 {
				t.Fatalf("%s not caught: %+v", tc.name, rep.Verification)
			}
		})
	}
}

// misroute moves a record of shard 1 into shard 2. With one reader, shards are
// read in order.
func misroute() func(int, []fakeRecord) []fakeRecord {
	var moved *fakeRecord
	return func(s int, r []fakeRecord) []fakeRecord {
		if s == 1 && moved == nil && len(r) > 5 {
			moved = &r[len(r)-1]
			return r[:len(r)-1]
		}
		if s == 2 && moved != nil && len(r) > 0 {
			m := *moved
			m.Seq = r[len(r)-1].Seq + "1"
			r = append(r, m)
			moved = &fakeRecord{}
		}
		return r
	}
}

func TestMainJSONAndExitStatus(t *testing.T) {
	_, srv := newFakeKinesis(t)
	var stdout, stderr bytes.Buffer
	args := []string{"--endpoint", srv.URL, "--records", "400", "--batch", "100", "--workers", "2",
		"--shards", "2", "--record-size", "64", "--partition-keys", "50", "--json"}
	if code := Main(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	var rep Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	if len(rep.Phases) != 2 || rep.Phases[0].Records != 400 || rep.Verification == nil || rep.Verification.Read != 400 {
		t.Errorf("report %+v", rep)
	}

	stdout.Reset()
	args = append(args[:len(args)-1], "--server-pid", itoa(os.Getpid()))
	if code := Main(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"putrecords", "getrecords", "server rss", "verify: ok: 400 records"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

func TestMainUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--batch", "501"},
		{"--record-size", "10"},
		{"--mode", "scan"},
		{"--mode", "getrecords"}, // needs --stream
		{"--duration", "0"},
		{"--nope"},
		{"--endpoint", "127.0.0.1:4567"},
		{"extra"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr:\n%s", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stderr.String(), "-partition-keys") {
		t.Errorf("-h: exit %d, usage:\n%s", code, stderr.String())
	}
}

// An interrupted run still deletes the stream it created.
func TestRunCancelDeletesStream(t *testing.T) {
	f, srv := newFakeKinesis(t)
	cfg := smallConfig(srv.URL)
	cfg.Records = 0
	cfg.Duration = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	_, err := Run(ctx, cfg, nil)
	if err == nil {
		t.Fatal("no error from an interrupted run")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.streams) != 0 || f.calls["DeleteStream"] != 1 {
		t.Errorf("streams left %v, DeleteStream calls %d", f.streams, f.calls["DeleteStream"])
	}
}

// With a named, existing stream and --keep semantics, nothing is deleted, and
// getrecords alone reads what is there without a verification.
func TestRunExistingStream(t *testing.T) {
	f, srv := newFakeKinesis(t)
	cfg := smallConfig(srv.URL)
	cfg.Stream = "mine"
	cfg.Keep = true
	cfg.Mode = PhasePutRecords
	if _, err := Run(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	cfg.Keep = false
	cfg.Mode = PhaseGetRecords
	rep, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created || rep.Verification != nil || rep.Phases[0].Records != cfg.Records {
		t.Errorf("report %+v", rep)
	}
	// Writing again and reading back: the older run's records are foreign, not
	// errors.
	cfg.Mode = ModeAll
	rep, err = Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := rep.Verification; !v.OK() || v.Foreign != cfg.Records || v.Read != cfg.Records {
		t.Errorf("verification %+v", v)
	}
	if _, ok := f.streams["mine"]; !ok {
		t.Error("a stream the run did not create was deleted")
	}
	cfg.Stream, cfg.Mode = "absent", PhaseGetRecords
	if _, err := Run(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("reading a stream that does not exist: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Under synctest every request takes exactly 1ms of fake time, so the figures
// of a duration-bound phase are known exactly.
func TestRunTimingSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeHandler(t)
		cfg := smallConfig("http://127.0.0.1:4567")
		cfg.Transport = handlerTransport{h: f, latency: time.Millisecond}
		cfg.Records = 0
		cfg.Duration = 2 * time.Second
		cfg.Workers = 2
		cfg.Batch = 10
		var progress bytes.Buffer
		rep, err := Run(context.Background(), cfg, &progress)
		if err != nil {
			t.Fatal(err)
		}
		put := rep.Phases[0]
		// 2 workers × 2000 requests of 10 records, give or take the request
		// in flight when the time is up.
		if put.Records < 40_000 || put.Records > 40_020 {
			t.Errorf("wrote %d records in 2s, want 40000", put.Records)
		}
		if put.Elapsed < 2*time.Second || put.Elapsed > 2*time.Second+2*time.Millisecond {
			t.Errorf("phase took %v, want 2s", put.Elapsed)
		}
		if put.RecordsPerSec < 19_900 || put.RecordsPerSec > 20_010 {
			t.Errorf("%.0f records/s, want 20000", put.RecordsPerSec)
		}
		if put.LatencyP50 != time.Millisecond || put.LatencyP99 != time.Millisecond || put.LatencyMax != time.Millisecond {
			t.Errorf("latency p50 %v p99 %v max %v, want 1ms", put.LatencyP50, put.LatencyP99, put.LatencyMax)
		}
		lines := strings.Count(progress.String(), "putrecords")
		if lines < 1 || lines > 2 {
			t.Errorf("%d progress lines for a 2s phase:\n%s", lines, progress.String())
		}
		if v := rep.Verification; !v.OK() || v.Read != put.Records {
			t.Errorf("verification %+v", v)
		}
	})
}
