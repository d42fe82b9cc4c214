package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestFirehoseCLIFlow runs the README's Firehose flow with the aws CLI (sh/firehose_cli.sh flow)
// against hydrant serve delivering to MinIO, reading the objects back with `aws s3` and gzip -dc.
func TestFirehoseCLIFlow(t *testing.T) {
	runLakeScript(t, "bash", []string{"sh/firehose_cli.sh", "flow"}, "aws", "jq", "gzip")
}

// TestFirehoseCLICompression delivers records with every compression format through the aws CLI
// (sh/firehose_cli.sh codecs) and opens each object with a reader that is not Hydrant's.
func TestFirehoseCLICompression(t *testing.T) {
	runLakeScript(t, "bash", []string{"sh/firehose_cli.sh", "codecs"}, "aws", "jq", "gzip", "unzip", "zstd", "java", "python3")
}

// TestFirehoseBoto3Flow runs the same flow with boto3 (py/firehose_lake.py), reading the objects back
// with boto3's S3 client and python's gzip and zipfile modules.
func TestFirehoseBoto3Flow(t *testing.T) {
	runLakeScript(t, "python3", []string{"py/firehose_lake.py"})
}

// runLakeScript runs script (a path and its first arguments) with interp, given hydrant's and MinIO's
// endpoints (bucket "lake" made, its credentials in the environment).
func runLakeScript(t *testing.T, interp string, script []string, tools ...string) {
	for _, tool := range append(tools, interp) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed", tool)
		}
	}
	mio, srv, _ := startWithMinIO(t)
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	args := append(append([]string(nil), script...), srv.endpoint(), mio.Endpoint())
	out, err := exec.Command(interp, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s\nserver log:\n%s", strings.Join(script, " "), err, out, srv.log())
	}
	t.Logf("%s", out)
}
