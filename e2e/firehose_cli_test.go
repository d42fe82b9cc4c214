package e2e

import (
	"os"
	"os/exec"
	"testing"
)

// TestFirehoseCLIFlow runs the README's Firehose flow with the aws CLI (sh/firehose_cli.sh) against
// hydrant serve delivering to MinIO: the objects are read back with `aws s3` and standard
// decompressors, every compression format included.
func TestFirehoseCLIFlow(t *testing.T) {
	runLakeScript(t, "bash", "sh/firehose_cli.sh", "aws", "jq", "gzip", "unzip", "zstd", "java", "python3")
}

// TestFirehoseBoto3Flow runs the same flow with boto3 (py/firehose_lake.py), reading the objects back
// with boto3's S3 client and python's gzip and zipfile modules.
func TestFirehoseBoto3Flow(t *testing.T) {
	runLakeScript(t, "python3", "py/firehose_lake.py")
}

// runLakeScript runs script with interp, given hydrant's and MinIO's endpoints (bucket "lake" made,
// its credentials in the environment).
func runLakeScript(t *testing.T, interp, script string, tools ...string) {
	for _, tool := range append(tools, interp) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed", tool)
		}
	}
	mio, srv, _ := startWithMinIO(t)
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	out, err := exec.Command(interp, script, srv.endpoint(), mio.Endpoint()).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s\nserver log:\n%s", script, err, out, srv.log())
	}
	t.Logf("%s", out)
}
