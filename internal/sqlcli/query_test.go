package sqlcli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/hydrantio/hydrant/ingest"
	"github.com/hydrantio/hydrant/streams"
)

// clock is the injected clock of the store, the server and the run: records arrive at its time, and
// the run advances the engine to it, so windows close without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// server is an in-process Hydrant: a store in a temporary directory and the Kinesis API on loopback.
type server struct {
	clock  *clock
	url    string
	client *kinesis.Client
	hc     *http.Client
}

func newServer(t *testing.T) *server {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	store, err := streams.Open(streams.Options{Dir: t.TempDir(), Now: c.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := ingest.NewServer(ingest.Config{Logger: slog.New(slog.DiscardHandler), Now: c.Now}, store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		hc.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		if err := store.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	s := &server{clock: c, url: "http://" + ln.Addr().String(), hc: hc}
	api, err := newClient(s.url, "us-east-1", hc)
	if err != nil {
		t.Fatal(err)
	}
	s.client = api
	return s
}

// hashKeys route a record to the first or the second shard of a two-shard stream.
var hashKeys = []string{"0", "170141183460469231731687303715884105728"}

// put writes data to shard (0 or 1) at the clock's time, then moves the clock on by step.
func (s *server) put(t *testing.T, stream string, shard int, data string, step time.Duration) {
	t.Helper()
	out, err := s.client.PutRecord(t.Context(), &kinesis.PutRecordInput{StreamName: aws.String(stream),
		Data: []byte(data), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(hashKeys[shard])})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("shardId-%012d", shard); aws.ToString(out.ShardId) != want {
		t.Fatalf("record went to %s, want %s", aws.ToString(out.ShardId), want)
	}
	s.clock.Add(step)
}

func (s *server) createStream(t *testing.T, name string, shards int32) {
	t.Helper()
	if _, err := s.client.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String(name),
		ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
}

// runSQL runs `hydrant sql` with args against s. Each wait moves the clock on by tick; a run that
// waits more than 50 times has hung, and is cancelled and failed.
func (s *server) runSQL(t *testing.T, tick time.Duration, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	waits := 0
	h := hooks{now: s.clock.Now, http: s.hc, wait: func(ctx context.Context) error {
		waits++
		if waits > 50 {
			t.Errorf("the run waited %d times: hung", waits)
			cancel()
			return ctx.Err()
		}
		s.clock.Add(tick)
		return ctx.Err()
	}}
	var out, errb bytes.Buffer
	status = run(ctx, append([]string{"--endpoint", s.url}, args...), &out, &errb, h)
	return status, out.String(), errb.String()
}

// TestQueryFilter reads two shards from their start and prints the rows a filter keeps, in arrival
// order across the shards.
func TestQueryFilter(t *testing.T) {
	s := newServer(t)
	s.createStream(t, "ticks", 2)
	s.put(t, "ticks", 0, `{"TICKER":"AMZN","PRICE":27.5}`, time.Second)
	s.put(t, "ticks", 1, `{"TICKER":"ASD","PRICE":5.25}`, time.Second)
	s.put(t, "ticks", 1, `{"TICKER":"MMB","PRICE":12}`, time.Second)
	s.put(t, "ticks", 0, `{"TICKER":"WAS","PRICE":40.5}`, time.Second)
	s.put(t, "ticks", 0, `{"TICKER":"NFS","PRICE":1}`, time.Second)
	schema := writeFile(t, t.TempDir(), "schema.json", `{"RecordFormat": {"RecordFormatType": "JSON",
	  "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
	  "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)", "Mapping": "$.TICKER"},
	                    {"Name": "PRICE", "SqlType": "DOUBLE", "Mapping": "$.PRICE"}]}`)
	query := `SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 10`
	tests := []struct {
		format string
		want   string
	}{
		{"csv", "TICKER,PRICE\nAMZN,27.5\nMMB,12.0\nWAS,40.5\n"},
		{"json", `{"TICKER":"AMZN","PRICE":27.5}` + "\n" + `{"TICKER":"MMB","PRICE":12.0}` + "\n" +
			`{"TICKER":"WAS","PRICE":40.5}` + "\n"},
		{"table", "" +
			"ROWTIME                  TICKER  PRICE\n" +
			"2026-11-22 10:00:00.000  AMZN    27.5\n" +
			"2026-11-22 10:00:02.000  MMB     12.0\n" +
			"2026-11-22 10:00:03.000  WAS     40.5\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			status, out, errs := s.runSQL(t, time.Second, "--stream", "ticks", "--schema", schema,
				"--from", "trim_horizon", "--format", tt.format, "--limit", "3", query)
			if status != 0 || out != tt.want {
				t.Fatalf("status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", status, out, tt.want, errs)
			}
		})
	}
}

// TestQueryTumbling runs a tumbling GROUP BY: its windows print only once the clock has passed their
// end, which the run sees when every shard is caught up.
func TestQueryTumbling(t *testing.T) {
	s := newServer(t)
	s.createStream(t, "clicks", 2)
	for i, page := range []string{"a", "b", "a", "a", "b"} {
		s.put(t, "clicks", i%2, fmt.Sprintf(`{"page":"%s","ms":%d}`, page, i), time.Second)
	}
	// The query names the stream by its own name, and discovers the schema.
	query := `SELECT STREAM "page", COUNT(*) AS hits FROM clicks
	  GROUP BY "page", STEP(clicks.ROWTIME BY INTERVAL '10' SECOND)`
	status, out, errs := s.runSQL(t, 5*time.Second, "--stream", "clicks", "--from", "trim_horizon",
		"--format", "csv", "--limit", "2", query)
	if status != 0 {
		t.Fatalf("status %d\nstdout:\n%s\nstderr:\n%s", status, out, errs)
	}
	if want := "page,HITS\na,3\nb,2\n"; out != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", out, want, errs)
	}
	for _, want := range []string{"schema discovered from 5 records", `"Name": "page"`, `"SqlType": "VARCHAR(4)"`,
		`"Mapping": "$.page"`, `"Name": "ms"`, `"SqlType": "INTEGER"`} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestQueryErrors: an unknown stream gives the API's message, SQL errors their line and column; both
// exit 1.
func TestQueryErrors(t *testing.T) {
	s := newServer(t)
	s.createStream(t, "ticks", 1)
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"unknown stream", []string{"--stream", "nope", `SELECT STREAM * FROM SOURCE_SQL_STREAM_001`}, 1,
			"ResourceNotFoundException: Stream nope"},
		{"syntax", []string{"--stream", "ticks", "SELECT STREAM a\nFROM SOURCE_SQL_STREAM_001 WHERE"}, 1, "2:33: "},
		{"unknown stream in FROM", []string{"--stream", "ticks", `SELECT STREAM a FROM other`}, 1, "1:22: "},
		{"bad format", []string{"--stream", "ticks", "--format", "xml", `SELECT STREAM a FROM ticks`}, 2, "--format"},
		{"bad from", []string{"--stream", "ticks", "--from", "yesterday", `SELECT STREAM a FROM ticks`}, 2, "--from"},
		{"no query", []string{"--stream", "ticks"}, 2, "want --stream NAME and one query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errs := s.runSQL(t, time.Second, tt.args...)
			if status != tt.status || !strings.Contains(errs, tt.stderr) {
				t.Fatalf("status %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stderr containing %q",
					status, tt.status, out, errs, tt.stderr)
			}
		})
	}
}

// TestQueryReshard reads a stream whose shard was split and whose children were then merged: each
// shard is read only after its parents, and rows come in arrival order across all of them.
func TestQueryReshard(t *testing.T) {
	s := newServer(t)
	s.createStream(t, "ticks", 1)
	put := func(shard, data string) {
		t.Helper()
		out, err := s.client.PutRecord(t.Context(), &kinesis.PutRecordInput{StreamName: aws.String("ticks"),
			Data: []byte(data), PartitionKey: aws.String(data)})
		if err != nil {
			t.Fatal(err)
		}
		if shard != "" && aws.ToString(out.ShardId) != shard {
			t.Fatalf("record %s went to %s, want %s", data, aws.ToString(out.ShardId), shard)
		}
		s.clock.Add(time.Second)
	}
	put("shardId-000000000000", "1")
	put("shardId-000000000000", "2")
	if _, err := s.client.SplitShard(t.Context(), &kinesis.SplitShardInput{StreamName: aws.String("ticks"),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(hashKeys[1])}); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(time.Second)
	for i := 3; i <= 8; i++ {
		put("", fmt.Sprint(i))
	}
	if _, err := s.client.MergeShards(t.Context(), &kinesis.MergeShardsInput{StreamName: aws.String("ticks"),
		ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")}); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(time.Second)
	put("shardId-000000000003", "9")
	put("shardId-000000000003", "10")
	schema := writeFile(t, t.TempDir(), "schema.json", `{"RecordFormat": {"RecordFormatType": "CSV",
	  "MappingParameters": {"CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
	  "RecordColumns": [{"Name": "N", "SqlType": "INTEGER"}]}`)
	status, out, errs := s.runSQL(t, time.Second, "--stream", "ticks", "--schema", schema, "--from", "trim_horizon",
		"--format", "csv", "--limit", "10", `SELECT STREAM n FROM ticks`)
	if want := "N\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"; status != 0 || out != want {
		t.Fatalf("status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", status, out, want, errs)
	}
}

// TestQueryInterrupt: cancelling the context (Ctrl-C) ends a run that is waiting for records, with
// status 0 and what it printed so far.
func TestQueryInterrupt(t *testing.T) {
	s := newServer(t)
	s.createStream(t, "ticks", 2)
	s.put(t, "ticks", 1, "7", time.Second)
	schema := writeFile(t, t.TempDir(), "schema.json", `{"RecordFormat": {"RecordFormatType": "CSV"},
	  "RecordColumns": [{"Name": "N", "SqlType": "INTEGER"}]}`)
	ctx, cancel := context.WithCancel(t.Context())
	waits := 0
	h := hooks{now: s.clock.Now, http: s.hc, wait: func(ctx context.Context) error {
		if waits++; waits == 3 {
			cancel() // as signal.NotifyContext does on SIGINT
		}
		s.clock.Add(time.Second)
		return ctx.Err()
	}}
	var out, errb bytes.Buffer
	status := run(ctx, []string{"--endpoint", s.url, "--stream", "ticks", "--schema", schema, "--from", "trim_horizon",
		"--format", "csv", `SELECT STREAM n FROM ticks`}, &out, &errb, h)
	if status != 0 || out.String() != "N\n7\n" || waits != 3 {
		t.Fatalf("status %d after %d waits\nstdout:\n%s\nstderr:\n%s", status, waits, &out, &errb)
	}
}

// TestQueryRejectedRecords: a record the schema cannot map is reported on stderr as error_stream would
// hold it, and the run goes on with the next.
func TestQueryRejectedRecords(t *testing.T) {
	s := newServer(t)
	s.createStream(t, "ticks", 2)
	s.put(t, "ticks", 0, `{"TICKER":"AMZN","PRICE":27.5}`, time.Second)
	s.put(t, "ticks", 1, `not json`, time.Second)
	s.put(t, "ticks", 0, `{"TICKER":"WAS","PRICE":"forty"}`, time.Second)
	s.put(t, "ticks", 1, `{"TICKER":"MMB","PRICE":12}`, time.Second)
	schema := writeFile(t, t.TempDir(), "schema.json", `{"RecordFormat": {"RecordFormatType": "JSON"},
	  "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)", "Mapping": "$.TICKER"},
	                    {"Name": "PRICE", "SqlType": "DOUBLE", "Mapping": "$.PRICE"}]}`)
	status, out, errs := s.runSQL(t, time.Second, "--stream", "ticks", "--schema", schema, "--from", "trim_horizon",
		"--format", "csv", "--limit", "2", `SELECT STREAM * FROM ticks`)
	if want := "TICKER,PRICE\nAMZN,27.5\nMMB,12.0\n"; status != 0 || out != want {
		t.Fatalf("status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", status, out, want, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "error_stream: Parse_error: ") ||
		!strings.Contains(lines[0], "(shard shardId-000000000001, sequence number ") ||
		!strings.HasPrefix(lines[1], "error_stream: Type_conversion_error: ") {
		t.Fatalf("stderr:\n%s", errs)
	}
}
