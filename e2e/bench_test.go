package e2e

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestBenchAgainstServer runs `hydrant bench` against `hydrant serve` as a user would: every phase,
// with the server's pid for its CPU and memory, and read-back verification.
// With --protocol cbor the data plane goes in CBOR, as the AWS SDK for Java sends it.
func TestBenchAgainstServer(t *testing.T) {
	srv := startServer(t, freeAddr(t), t.TempDir())
	for _, protocol := range []string{"json", "cbor"} {
		t.Run(protocol, func(t *testing.T) {
			cmd := exec.Command(hydrantBin(t), "bench", "--endpoint", srv.endpoint(), "--mode", "putrecords,putrecord,getrecords",
				"--shards", "2", "--workers", "4", "--batch", "100", "--records", "5000", "--protocol", protocol,
				"--server-pid", strconv.Itoa(srv.cmd.Process.Pid))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bench: %v\n%s\nserver log:\n%s", err, out, srv.log())
			}
			for _, want := range []string{"putrecords", "putrecord ", "getrecords", "verify: ok", "server rss"} {
				if !strings.Contains(string(out), want) {
					t.Fatalf("bench output lacks %q:\n%s", want, out)
				}
			}
			t.Logf("%s", out)
		})
	}
}
