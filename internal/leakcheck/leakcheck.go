// Package leakcheck fails a test binary whose tests leave goroutines behind: every goroutine has an
// owner that must stop it and wait for it. It is the hand-written equivalent of goleak's
// VerifyTestMain, narrowed to the goroutines a package owns.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Main runs the tests and, if they pass, waits up to 5 s for every goroutine whose stack mentions
// one of markers (such as "hydrant/sinks.") to end; those still running fail the run, listed with
// their stacks. Call it from TestMain.
func Main(m *testing.M, markers ...string) {
	code := m.Run()
	if code == 0 {
		if leaked := Leaked(5*time.Second, markers...); leaked != "" {
			fmt.Fprintf(os.Stderr, "leaked goroutines:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// Leaked waits up to timeout for the goroutines matching markers to end and returns the stacks of
// those that did not, or "".
func Leaked(timeout time.Duration, markers ...string) string {
	var leaked []string
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		leaked = matching(markers)
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
	}
}

func matching(markers []string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "leakcheck.Leaked(") { // the goroutine asking
			continue
		}
		for _, m := range markers {
			if strings.Contains(g, m) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
