package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// acceptanceDirs are where the first users' walk-throughs live: the copy committed with the project,
// and the shared originals when this checkout sits next to them.
func acceptanceScripts(t *testing.T, name string) []string {
	var out []string
	for _, dir := range []string{"../testdata/acceptance", "../../shared/acceptance"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s found", name)
	}
	return out
}

func TestAcceptanceWalkthroughs(t *testing.T) {
	srv := startServer(t, freeAddr(t), t.TempDir())
	for _, tc := range []struct{ script, interp string }{{"seed_cli.sh", "bash"}, {"seed_notebook.py", "python3"}} {
		for _, p := range acceptanceScripts(t, tc.script) {
			t.Run(p, func(t *testing.T) {
				if _, err := exec.LookPath(tc.interp); err != nil {
					t.Fatalf("%s not installed", tc.interp)
				}
				cmd := exec.Command(tc.interp, p, srv.endpoint())
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s failed: %v\n%s\nserver log:\n%s", p, err, out, srv.log())
				}
				t.Logf("%s", out)
			})
		}
	}
}
