package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/streams"
)

func (e *env) put(stream string, records ...string) {
	e.t.Helper()
	var entries []streams.PutEntry
	for i, r := range records {
		entries = append(entries, streams.PutEntry{Data: []byte(r), PartitionKey: fmt.Sprint(i)})
	}
	if _, _, err := e.store.PutRecords(context.Background(), scope, streams.StreamRef{Name: stream}, entries); err != nil {
		e.t.Fatal(err)
	}
}

func TestSampleStream(t *testing.T) {
	e := newEnv(t)
	var records []string
	for i := range 300 {
		records = append(records, fmt.Sprintf(`{"N":%d}`, i))
	}
	e.put("src", records...)
	count := func(got [][]byte) (n int, lowest, highest int) {
		lowest, highest = 1<<30, -1
		for _, r := range got {
			var v int
			fmt.Sscanf(string(r), `{"N":%d}`, &v)
			lowest, highest = min(lowest, v), max(highest, v)
		}
		return len(got), lowest, highest
	}
	oldest, err := e.m.sampleStream(srcARN, StartTrimHorizon)
	if err != nil {
		t.Fatal(err)
	}
	if n, lo, _ := count(oldest); n != MaxDiscoverRecords || lo != 0 {
		t.Fatalf("TRIM_HORIZON: %d records from %d", n, lo)
	}
	newest, err := e.m.sampleStream(srcARN, StartNow)
	if err != nil {
		t.Fatal(err)
	}
	if n, lo, hi := count(newest); n != MaxDiscoverRecords || hi != 299 || lo < 150 {
		t.Fatalf("NOW: %d records from %d to %d, want the newest of each shard", n, lo, hi)
	}
	if got, err := e.m.sampleStream(dstARN, StartTrimHorizon); err != nil || len(got) != 0 {
		t.Fatalf("empty stream: %d records, %v", len(got), err)
	}
	_, err = e.m.Discover(context.Background(), DiscoverInput{ResourceARN: dstARN, StartingPosition: StartNow})
	wantKind(t, err, KindUnableToDetectSchema, "No data was found in the stream "+dstARN)
	_, err = e.m.Discover(context.Background(), DiscoverInput{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/nope"})
	wantKind(t, err, streams.KindInvalidArgument, "stream/nope cannot be used")
	_, err = e.m.Discover(context.Background(), DiscoverInput{})
	wantKind(t, err, streams.KindInvalidArgument, "Either ResourceARN or S3Configuration is required.")
	_, err = e.m.Discover(context.Background(), DiscoverInput{ResourceARN: srcARN, Processing: true})
	wantKind(t, err, streams.KindInvalidArgument, "does not invoke AWS Lambda")
}

// objects is an ObjectReader over a map of "bucket/key" to contents.
type objects map[string]string

func (o objects) Get(_ context.Context, bucket, key string) (io.ReadCloser, error) {
	s, ok := o[bucket+"/"+key]
	if !ok {
		return nil, errors.New("no such object " + bucket + "/" + key)
	}
	return io.NopCloser(strings.NewReader(s)), nil
}

func TestDiscover(t *testing.T) {
	e := newEnv(t)
	e.put("src", `{"TICKER":"AMZN","PRICE":101.5,"VOLUME":12}`, `{"TICKER":"MSFT","PRICE":300.25,"VOLUME":7}`)
	e.put("dst", "AMZN,101.5,12", "MSFT,300.25,7")
	e.m.opts.Objects = objects{"refs/companies.csv": "AMZN,Amazon\nMSFT,Microsoft\n"}
	tests := []struct {
		name    string
		in      DiscoverInput
		format  string
		columns int
		raw0    string
	}{
		{"json stream", DiscoverInput{ResourceARN: srcARN, StartingPosition: StartTrimHorizon}, "JSON", 3,
			`{"TICKER":"AMZN","PRICE":101.5,"VOLUME":12}`},
		{"csv stream", DiscoverInput{ResourceARN: dstARN, StartingPosition: StartTrimHorizon}, "CSV", 3, "AMZN,101.5,12"},
		{"s3 object", DiscoverInput{BucketARN: "arn:aws:s3:::refs", FileKey: "companies.csv"}, "CSV", 2, "AMZN,Amazon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.m.Discover(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if d.Schema.Format.Type != tt.format || len(d.Schema.Columns) != tt.columns || len(d.Raw) != 2 ||
				len(d.Parsed) != 2 || len(d.Parsed[0]) != tt.columns {
				t.Fatalf("discovered %+v", d)
			}
			if !bytes.Contains([]byte(strings.Join(d.Raw, "\n")), []byte(tt.raw0)) {
				t.Fatalf("raw records %q do not hold %q", d.Raw, tt.raw0)
			}
			if err := d.Schema.validate("InputSchema"); err != nil {
				t.Fatalf("the discovered schema is not one CreateApplication takes: %v", err)
			}
		})
	}
	_, err := e.m.Discover(context.Background(), DiscoverInput{BucketARN: "arn:aws:s3:::refs", FileKey: "nope"})
	wantKind(t, err, streams.KindInvalidArgument, "S3 object nope cannot be read")
}

func TestReferenceData(t *testing.T) {
	ref := Reference{TableName: "COMPANY", BucketARN: "arn:aws:s3:::refs", FileKey: "companies.csv", RoleARN: role,
		Schema: Schema{Format: format.RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","},
			Columns: []format.Column{{Name: "TICKER", SQLType: "VARCHAR(4)"}, {Name: "EMPLOYEES", SQLType: "INTEGER"}}}}
	jsonRef := ref
	jsonRef.FileKey = "companies.json"
	jsonRef.Schema = Schema{Format: format.RecordFormat{Type: "JSON", RecordRowPath: "$"},
		Columns: []format.Column{{Name: "TICKER", SQLType: "VARCHAR(4)", Mapping: "$.t"}, {Name: "EMPLOYEES", SQLType: "INTEGER", Mapping: "$.n"}}}
	bad := ref
	bad.FileKey = "bad.csv"
	tests := []struct {
		name string
		ref  Reference
		rows int
		err  string
	}{
		{"csv", ref, 2, ""},
		{"json lines", jsonRef, 2, ""},
		{"bad row", bad, 0, "cannot be loaded: row 2: Type_conversion_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.m.opts.Objects = objects{
				"refs/companies.csv":  "AMZN,1500000\nMSFT,220000\n",
				"refs/companies.json": "{\"t\":\"AMZN\",\"n\":1500000}\n{\"t\":\"MSFT\",\"n\":220000}\n",
				"refs/bad.csv":        "AMZN,1500000\nMSFT,many\n",
			}
			cfg := tickerConfig()
			cfg.References = []Reference{tt.ref}
			e.create("app", cfg)
			err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow})
			if tt.err != "" {
				wantKind(t, err, KindInvalidConfiguration, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tab := e.runs.last().Tables[0]
			if tab.Name != "COMPANY" || len(tab.Columns) != 2 || len(tab.Rows) != tt.rows ||
				tab.Rows[1][0].String() != "MSFT" {
				t.Fatalf("table %+v", tab)
			}
		})
	}
}

// stuckObjects is an object store that never answers (an S3 endpoint that is down: the S3 reader
// retries until its context ends).
type stuckObjects struct{}

func (stuckObjects) Get(ctx context.Context, _, _ string) (io.ReadCloser, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestReferenceDataUnreachable starts an application whose reference data cannot be read: the start
// must fail within Options.ObjectTimeout rather than hold the application (and Close, and a server
// start that resumes it) forever.
func TestReferenceDataUnreachable(t *testing.T) {
	e := newEnv(t)
	e.m.opts.Objects = stuckObjects{}
	e.m.opts.ObjectTimeout = time.Millisecond
	cfg := tickerConfig()
	cfg.References = []Reference{{TableName: "COMPANY", BucketARN: "arn:aws:s3:::refs", FileKey: "companies.csv",
		RoleARN: role, Schema: Schema{Format: format.RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","},
			Columns: []format.Column{{Name: "TICKER", SQLType: "VARCHAR(4)"}}}}}
	e.create("app", cfg)
	done := make(chan error, 1)
	go func() { done <- e.m.Start(scope, "app", map[string]string{"1.1": StartNow}) }()
	select {
	case err := <-done:
		wantKind(t, err, KindInvalidConfiguration, "cannot be loaded")
	case <-time.After(time.Minute):
		t.Fatal("StartApplication still waits for an unreachable object store after a minute")
	}
	_, err := e.m.Discover(context.Background(), DiscoverInput{BucketARN: "arn:aws:s3:::refs", FileKey: "x"})
	wantKind(t, err, streams.KindInvalidArgument, "cannot be read")
}
