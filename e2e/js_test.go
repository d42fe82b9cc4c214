package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestJavaScriptSDKv3 runs the JS SDK v3, which speaks HTTP/2 with prior knowledge to http://
// endpoints, against hydrant serve. scripts/test.sh installs the SDK into a cache and sets
// HYDRANT_JS_MODULES; without it (a bare `go test`), the test is skipped and says why.
func TestJavaScriptSDKv3(t *testing.T) {
	modules := os.Getenv("HYDRANT_JS_MODULES")
	if modules == "" {
		t.Skip("HYDRANT_JS_MODULES not set: run scripts/test.sh, which installs @aws-sdk/client-kinesis")
	}
	srv := startServer(t, freeAddr(t), t.TempDir())
	// Node resolves packages from a node_modules next to the script: link the cache there.
	dir := t.TempDir()
	script, err := os.ReadFile("js/kinesis_h2c.mjs")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "kinesis_h2c.mjs"), script, 0o644)
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", filepath.Join(dir, "kinesis_h2c.mjs"), srv.endpoint()).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s\nserver log:\n%s", err, out, srv.log())
	}
	t.Logf("%s", out)
}
