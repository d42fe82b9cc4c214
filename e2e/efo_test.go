package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Enhanced fan-out against hydrant serve with the clients that read it: boto3 (SubscribeToShard over
// HTTP/1.1 chunked, reading across a shard split and a takeover) and the JavaScript SDK v3 (over h2c).

func TestEnhancedFanOutBoto3(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 not installed")
	}
	srv := startServer(t, freeAddr(t), t.TempDir())
	out, err := exec.Command("python3", "efo_boto3.py", srv.endpoint()).CombinedOutput()
	if err != nil {
		t.Fatalf("efo_boto3.py: %v\n%s\nserver log:\n%s", err, out, srv.log())
	}
	t.Logf("%s", out)
}

// TestEnhancedFanOutJavaScriptSDKv3 needs the SDK that scripts/test.sh installs (HYDRANT_JS_MODULES),
// like TestJavaScriptSDKv3.
func TestEnhancedFanOutJavaScriptSDKv3(t *testing.T) {
	modules := os.Getenv("HYDRANT_JS_MODULES")
	if modules == "" {
		t.Skip("HYDRANT_JS_MODULES not set: run scripts/test.sh, which installs @aws-sdk/client-kinesis")
	}
	srv := startServer(t, freeAddr(t), t.TempDir())
	dir := t.TempDir()
	script, err := os.ReadFile("js/subscribe_h2c.mjs")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "subscribe_h2c.mjs"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", filepath.Join(dir, "subscribe_h2c.mjs"), srv.endpoint()).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s\nserver log:\n%s", err, out, srv.log())
	}
	t.Logf("%s", out)
}
