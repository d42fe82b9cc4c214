package e2e

import (
	"os/exec"
	"testing"
)

// TestExamples runs each example script against a real hydrant serve, as a user would.
func TestExamples(t *testing.T) {
	srv := startServer(t, freeAddr(t), t.TempDir())
	for _, ex := range []string{"../examples/log-ingestion/ship_logs.py", "../examples/sql-application/tickers.py"} {
		t.Run(ex, func(t *testing.T) {
			out, err := exec.Command("python3", ex, srv.endpoint()).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s\nserver log:\n%s", ex, err, out, srv.log())
			}
			t.Logf("%s", out)
		})
	}
}
