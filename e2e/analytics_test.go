package e2e

import (
	"os/exec"
	"strconv"
	"testing"
)

// TestAnalyticsCrashRestart runs a Kinesis Data Analytics application (created with boto3) over a
// real hydrant serve, kills the server with SIGKILL in the middle of the run, restarts it on the same data
// directory and checks that the destination holds each tumbling window's row exactly once, with every
// acknowledged tick counted.
func TestAnalyticsCrashRestart(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	srv := startServer(t, addr, dir)
	py := func(srv *server, args ...string) {
		t.Helper()
		out, err := exec.Command("python3", append([]string{"py/analytics_restart.py", args[0], srv.endpoint()}, args[1:]...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("analytics_restart.py %v: %v\n%s\nserver log:\n%s", args, err, out, srv.log())
		}
		t.Logf("%s %s", args[0], out)
	}
	run := strconv.FormatInt(int64(len(dir)), 36) + "x"
	py(srv, "setup", run)
	py(srv, "produce", run, "0", "400")
	srv.kill()
	srv = startServer(t, addr, dir)
	py(srv, "produce", run, "400", "800")
	srv.kill()
	srv = startServer(t, addr, dir)
	py(srv, "verify", run, "800")
}

// TestAnalyticsFirehose runs an application from a Firehose delivery stream, joined with a reference
// table read from the local-files S3 default, into another delivery stream that delivers objects, with
// error_stream routed to a Kinesis stream: all configured with boto3 against a real hydrant serve.
func TestAnalyticsFirehose(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	srv := startServer(t, freeAddr(t), dir)
	out, err := exec.Command("python3", "py/analytics_firehose.py", srv.endpoint(), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("analytics_firehose.py: %v\n%s\nserver log:\n%s", err, out, srv.log())
	}
	t.Logf("%s", out)
}
