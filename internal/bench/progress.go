package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Monitor timing: the server's memory is sampled more often than progress is
// printed, so that short peaks are seen.
const (
	sampleEvery   = 250 * time.Millisecond
	printEvery    = 4 // samples per progress line
	progressWidth = 79
)

// monitor prints a phase's progress about once a second and samples the
// server's memory. It owns its goroutine: stop ends it and waits.
type monitor struct {
	name string
	st   *phaseStats
	w    io.Writer // nil: no progress lines
	tty  bool
	pid  int

	stopc chan struct{}
	wg    sync.WaitGroup

	// Owned by the monitor goroutine until stop returns.
	maxRSS     int64
	lastLen    int
	lastTime   time.Time
	lastRecs   int64
	lastBytes  int64
	printedAny bool
}

func startMonitor(name string, st *phaseStats, w io.Writer, pid int) *monitor {
	m := &monitor{
		name:     name,
		st:       st,
		w:        w,
		tty:      isTerminal(w),
		pid:      pid,
		stopc:    make(chan struct{}),
		lastTime: time.Now(),
	}
	m.sample()
	m.wg.Go(m.run)
	return m
}

func (m *monitor) run() {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-m.stopc:
			return
		case <-t.C:
		}
		m.sample()
		if n%printEvery == 0 {
			m.print()
		}
	}
}

func (m *monitor) sample() {
	if m.pid == 0 {
		return
	}
	if s, err := readProc(m.pid); err == nil {
		m.maxRSS = max(m.maxRSS, s.RSS)
	}
}

func (m *monitor) print() {
	if m.w == nil {
		return
	}
	now := time.Now()
	recs, bytes := m.st.records.Load(), m.st.bytes.Load()
	secs := now.Sub(m.lastTime).Seconds()
	line := fmt.Sprintf("%-10s %10.0f rec/s %9.1f MB/s  p99 %-8s  errors %d",
		m.name, float64(recs-m.lastRecs)/secs, float64(bytes-m.lastBytes)/secs/1e6,
		fmtLatency(time.Duration(m.st.latency.Quantile(0.99))), m.st.errors.Load())
	m.lastTime, m.lastRecs, m.lastBytes = now, recs, bytes
	if m.tty {
		pad := max(0, m.lastLen-len(line))
		fmt.Fprintf(m.w, "\r%s%s", line, strings.Repeat(" ", pad))
		m.lastLen = len(line)
	} else {
		fmt.Fprintln(m.w, line)
	}
	m.printedAny = true
}

// stop ends the monitor and returns the largest server RSS it saw.
func (m *monitor) stop() (maxRSS int64) {
	close(m.stopc)
	m.wg.Wait()
	m.sample()
	if m.tty && m.printedAny {
		fmt.Fprintln(m.w)
	}
	return m.maxRSS
}

// isTerminal reports whether w is a character device, where progress lines
// overwrite each other.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
