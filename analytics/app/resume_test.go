package app

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// attemptLog records the (bubble) time of every start attempt; the attempts come from the Manager's
// goroutines, so it locks.
type attemptLog struct {
	mu    sync.Mutex
	times []time.Time
}

func (l *attemptLog) add() {
	l.mu.Lock()
	l.times = append(l.times, time.Now())
	l.mu.Unlock()
}

func (l *attemptLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.times)
}

func (l *attemptLog) last() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.times[len(l.times)-1]
}

func (l *attemptLog) waits() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(l.times); i++ {
		out = append(out, l.times[i].Sub(l.times[i-1]))
	}
	return out
}

// counts returns how many runs are going and how many were started.
func (f *fakeRuns) counts() (running, started int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.running, len(f.cfgs)
}

func (f *fakeRuns) setFail(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

// A run that ends by itself (its destination was deleted, a disk filled) is started again from its
// last checkpoint: the application stays RUNNING, as in Kinesis Data Analytics, and its run comes back.
func TestRunFailureRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.create("app", tickerConfig())
		if err := e.m.Start(scope, "app", map[string]string{"1.1": StartTrimHorizon}); err != nil {
			t.Fatal(err)
		}
		first := e.runs.lastRun()
		first.fail(errors.New("destination dst was deleted"))
		synctest.Wait()
		time.Sleep(time.Second) // past the first wait (ResumeRetry is 1 ms here)
		synctest.Wait()
		if running, started := e.runs.counts(); running != 1 || started != 2 {
			t.Fatalf("%d runs going, %d started, want the failed one started again", running, started)
		}
		if rc := e.runs.last(); rc.Inputs[0].Start != StartLastStoppedPoint {
			t.Fatalf("restarted from %s, want the last checkpoint", rc.Inputs[0].Start)
		}
		if d := e.describe("app"); d.Status != StatusRunning {
			t.Fatalf("status %s", d.Status)
		}
		if err := e.m.RunErr(scope, "app"); err != nil {
			t.Fatalf("RunErr %v once a run is going again", err)
		}

		// Stopped by the user, a run is not started again.
		if err := e.m.Stop(scope, "app"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if running, started := e.runs.counts(); running != 0 || started != 2 || e.describe("app").Status != StatusReady {
			t.Fatalf("after Stop: %d running, %d started, %s", running, started, e.describe("app").Status)
		}
	})
}

// While the run cannot start again, the attempts come with a doubling wait up to a minute, RunErr says
// why, and StopApplication ends the retrying.
func TestRunFailureRetriesUntilStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.create("app", tickerConfig())
		if err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow}); err != nil {
			t.Fatal(err)
		}
		var log attemptLog
		e.runs.onStart = log.add
		e.runs.setFail(errors.New("source src is gone"))
		e.runs.lastRun().fail(errors.New("source src is gone"))
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		waits := log.waits()
		if len(waits) < 12 {
			t.Fatalf("%d attempts in 5 minutes: %v", log.len(), waits)
		}
		for i, w := range waits {
			want := min(time.Millisecond<<(i+1), maxRetryWait)
			if w != want {
				t.Fatalf("wait %d is %v, want %v (all: %v)", i, w, want, waits)
			}
		}
		if err := e.m.RunErr(scope, "app"); err == nil || !strings.Contains(err.Error(), "source src is gone") {
			t.Fatalf("RunErr %v while retrying", err)
		}
		if running, _ := e.runs.counts(); e.describe("app").Status != StatusRunning || running != 0 {
			t.Fatalf("status %s with %d runs while retrying", e.describe("app").Status, running)
		}
		if err := e.m.Stop(scope, "app"); err != nil {
			t.Fatal(err)
		}
		n := log.len()
		e.runs.setFail(nil)
		time.Sleep(time.Hour)
		synctest.Wait()
		if running, _ := e.runs.counts(); log.len() != n || running != 0 || e.describe("app").Status != StatusReady {
			t.Fatalf("after Stop: %d more attempts, %d running, %s", log.len()-n, running, e.describe("app").Status)
		}
		if err := e.m.RunErr(scope, "app"); err != nil {
			t.Fatalf("RunErr %v once stopped", err)
		}
	})
}

// An update to an application that is being retried starts the new configuration at once; a run that
// fails as soon as it starts is retried less and less often, and a run that lasted starts the waits
// afresh.
func TestRunFailureUpdateAndBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.create("app", tickerConfig())
		if err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow}); err != nil {
			t.Fatal(err)
		}
		e.runs.setFail(errors.New("destination dst is gone"))
		e.runs.lastRun().fail(errors.New("destination dst is gone"))
		time.Sleep(10 * time.Second)
		synctest.Wait()
		e.runs.setFail(nil)
		if err := e.m.Update(scope, "app", 1, func(c *Config) error { c.Description = "v2"; return nil }); err != nil {
			t.Fatal(err)
		}
		if running, _ := e.runs.counts(); running != 1 || e.runs.last().Inputs[0].Start != StartLastStoppedPoint {
			t.Fatalf("%d runs after the update", running)
		}
		if d := e.describe("app"); d.Status != StatusRunning || d.Config.Description != "v2" {
			t.Fatalf("%s %q", d.Status, d.Config.Description)
		}

		// Runs that fail at once wait twice as long as the one before; a run that lasted starts afresh.
		var started attemptLog
		e.runs.onStart = started.add
		restartAfter := func() time.Duration {
			t.Helper()
			failed := time.Now()
			e.runs.lastRun().fail(errors.New("write to dst: disk full"))
			synctest.Wait()
			for running, _ := e.runs.counts(); running == 0; running, _ = e.runs.counts() {
				time.Sleep(time.Millisecond)
				synctest.Wait()
			}
			return started.last().Sub(failed)
		}
		for i, want := range []time.Duration{1, 2, 4, 8, 16} {
			if got := restartAfter(); got != want*time.Millisecond {
				t.Fatalf("restart %d after %v, want %v", i, got, want*time.Millisecond)
			}
		}
		time.Sleep(stableRun)
		if got := restartAfter(); got != time.Millisecond {
			t.Fatalf("a run that lasted %v restarted after %v, want the first wait", stableRun, got)
		}
		if running, _ := e.runs.counts(); started.len() != 6 || running != 1 || e.describe("app").Status != StatusRunning {
			t.Fatalf("%d restarts, %d running", started.len(), running)
		}
	})
}
