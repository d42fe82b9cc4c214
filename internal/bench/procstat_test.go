package bench

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and parentheses; utime 250, stime 50 ticks.
	stat := []byte("1234 (hy drant) (x)) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 50 0 0 20 0 12 0 100 1000000 2000 18446744073709551615\n")
	got, err := parseProcStat(stat)
	if err != nil || got != 3*time.Second {
		t.Errorf("parseProcStat = %v, %v; want 3s", got, err)
	}
	for _, bad := range []string{"", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 u s"} {
		if _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("parseProcStat(%q) succeeds", bad)
		}
	}
}

func TestParseProcStatus(t *testing.T) {
	status := []byte("Name:\thydrant\nVmPeak:\t  900000 kB\nVmHWM:\t   524288 kB\nVmRSS:\t   262144 kB\nThreads:\t12\n")
	rss, hwm := parseProcStatus(status)
	if rss != 256<<20 || hwm != 512<<20 {
		t.Errorf("rss %d hwm %d, want %d %d", rss, hwm, 256<<20, 512<<20)
	}
	if rss, hwm := parseProcStatus(nil); rss != 0 || hwm != 0 {
		t.Errorf("empty status: rss %d hwm %d", rss, hwm)
	}
}

func TestReadProcSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	// Burn some CPU so that it shows in ticks.
	deadline := time.Now().Add(50 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	s, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.CPU <= 0 || s.RSS <= 0 || s.HWM < s.RSS {
		t.Errorf("implausible sample %+v", s)
	}
	if cpu := selfCPU(); cpu < s.CPU/2 {
		t.Errorf("getrusage says %v, /proc says %v", cpu, s.CPU)
	}
	if _, err := readProc(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
