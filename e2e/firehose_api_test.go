package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/streams"
)

// TestFirehoseAPI drives the Firehose API of a real `hydrant serve` with the aws CLI and boto3, restarts
// the server, and then reads the delivery streams' logs back from the data directory: every record
// PutRecordBatch acknowledged is there, in order, under the RecordId it was given.
func TestFirehoseAPI(t *testing.T) {
	for _, tool := range []string{"aws", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed", tool)
		}
	}
	dataDir := t.TempDir()
	addr := freeAddr(t)
	srv := startServer(t, addr, dataDir)

	cli := newAWSCLI(t)
	cli.run(srv, "firehose", "create-delivery-stream", "--delivery-stream-name", "clicks",
		"--extended-s3-destination-configuration", `{"BucketARN":"arn:aws:s3:::lake","RoleARN":"arn:aws:iam::000000000000:role/x",`+
			`"Prefix":"clicks/!{timestamp:yyyy/MM/dd}/","ErrorOutputPrefix":"errors/!{firehose:error-output-type}/",`+
			`"BufferingHints":{"SizeInMBs":64,"IntervalInSeconds":60},"CompressionFormat":"GZIP"}`)
	var want []string // every record acknowledged, in order
	var ids []string
	putBatch := func(srv *server, n int) {
		t.Helper()
		var recs []map[string]string
		for i := 0; i < n; i++ {
			data := fmt.Sprintf(`{"click":%d}`+"\n", len(want))
			want = append(want, data)
			recs = append(recs, map[string]string{"Data": data})
		}
		b, _ := json.Marshal(recs)
		var out struct {
			FailedPutCount   int
			Encrypted        bool
			RequestResponses []struct{ RecordId, ErrorCode string }
		}
		cli.runJSON(srv, &out, "firehose", "put-record-batch", "--delivery-stream-name", "clicks", "--records", string(b))
		if out.FailedPutCount != 0 || len(out.RequestResponses) != n {
			t.Fatalf("put-record-batch: %+v", out)
		}
		for _, r := range out.RequestResponses {
			if len(ids) > 0 && !less(ids[len(ids)-1], r.RecordId) {
				t.Fatalf("record id %s after %s", r.RecordId, ids[len(ids)-1])
			}
			ids = append(ids, r.RecordId)
		}
	}
	putBatch(srv, 3)
	putBatch(srv, 4)
	var d struct {
		DeliveryStreamDescription struct{ DeliveryStreamStatus, VersionId, DeliveryStreamType string }
	}
	cli.runJSON(srv, &d, "firehose", "describe-delivery-stream", "--delivery-stream-name", "clicks")
	if s := d.DeliveryStreamDescription; s.DeliveryStreamStatus != "ACTIVE" || s.VersionId != "1" || s.DeliveryStreamType != "DirectPut" {
		t.Fatalf("describe-delivery-stream: %+v", s)
	}

	out, err := exec.Command("python3", "py/firehose_api.py", srv.endpoint(), "boto").CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.log())
	}
	_, idList, _ := strings.Cut(string(out), "record ids:\n")
	botoIDs := strings.Fields(idList)
	if len(botoIDs) != 11 {
		t.Fatalf("boto3 printed %d record ids:\n%s", len(botoIDs), out)
	}

	// A restart keeps the delivery streams, their versions and their logs.
	if err := srv.stop(); err != nil {
		t.Fatalf("stop: %v\n%s", err, srv.log())
	}
	srv = startServer(t, addr, dataDir)
	var boto struct {
		DeliveryStreamDescription struct {
			VersionId    string
			Destinations []struct {
				ExtendedS3DestinationDescription struct{ CompressionFormat string }
			}
		}
	}
	cli.runJSON(srv, &boto, "firehose", "describe-delivery-stream", "--delivery-stream-name", "boto")
	if b := boto.DeliveryStreamDescription; b.VersionId != "2" || b.Destinations[0].ExtendedS3DestinationDescription.CompressionFormat != "Snappy" {
		t.Fatalf("after a restart: %+v", b)
	}
	var list struct{ DeliveryStreamNames []string }
	cli.runJSON(srv, &list, "firehose", "list-delivery-streams")
	if strings.Join(list.DeliveryStreamNames, ",") != "boto,clicks" {
		t.Fatalf("list-delivery-streams after a restart: %v", list.DeliveryStreamNames)
	}
	putBatch(srv, 2)
	if err := srv.stop(); err != nil {
		t.Fatalf("stop: %v\n%s", err, srv.log())
	}

	// Read the logs back from the data directory.
	store, err := streams.Open(streams.Options{Dir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	read := func(name string) []string {
		t.Helper()
		sc := streams.Scope{Account: "000000000000", Region: "us-east-1", Namespace: "firehose"}
		b, _, err := store.ReadShard(sc, streams.StreamRef{Name: name}, "shardId-000000000000", 0, 10000, 64<<20, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range b.Entries {
			out = append(out, string(e.Data))
		}
		return out
	}
	if got := read("clicks"); strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("the log of clicks holds\n%q\nwant\n%q", got, want)
	}
	if got := read("boto"); len(got) != 11 || got[0] != "batch 0 record 0\n" || got[10] != "encrypted\n" {
		t.Fatalf("the log of boto holds %q", got)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "firehose", "000000000000", "us-east-1", "clicks", "delivery.json")); err != nil {
		t.Fatal(err)
	}
}

// less compares two record ids (decimal sequence numbers of the same width or not).
func less(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// awsCLI runs the aws CLI (v1 or v2) with test credentials and blobs given as text.
type awsCLI struct {
	t    *testing.T
	env  []string
	args []string
}

func newAWSCLI(t *testing.T) *awsCLI {
	c := &awsCLI{t: t, env: append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null")}
	v, err := exec.Command("aws", "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("aws --version: %v\n%s", err, v)
	}
	if strings.HasPrefix(string(v), "aws-cli/2") {
		c.args = []string{"--cli-binary-format", "raw-in-base64-out"} // v1 takes blobs as text already
	}
	return c
}

func (c *awsCLI) run(srv *server, args ...string) []byte {
	c.t.Helper()
	cmd := exec.Command("aws", append(append([]string{"--endpoint-url", srv.endpoint(), "--output", "json"}, c.args...), args...)...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("aws %s: %v\n%s\nserver log:\n%s", strings.Join(args, " "), err, out, srv.log())
	}
	return out
}

func (c *awsCLI) runJSON(srv *server, v any, args ...string) {
	c.t.Helper()
	out := c.run(srv, args...)
	if err := json.Unmarshal(out, v); err != nil {
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
