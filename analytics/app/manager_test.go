package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/runtime"
	"github.com/hydrantio/hydrant/streams"
)

var (
	scope   = streams.Scope{Account: "123456789012", Region: "us-east-1"}
	role    = "arn:aws:iam::123456789012:role/ka"
	srcARN  = "arn:aws:kinesis:us-east-1:123456789012:stream/src"
	dstARN  = "arn:aws:kinesis:us-east-1:123456789012:stream/dst"
	fhARN   = "arn:aws:firehose:us-east-1:123456789012:deliverystream/fh"
	pumpSQL = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), PRICE REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM * FROM "SOURCE_SQL_STREAM_001";`
)

// fakeRuns is a Starter that records the configurations it was given and starts nothing.
type fakeRuns struct {
	mu      sync.Mutex
	cfgs    []runtime.Config
	runs    []*fakeRun
	fail    error
	badCode string // a code that fails to start, as SQL that does not compile
	running int
	// onStart and onStop, when set, run at the start of every start and Stop, outside mu: tests block
	// there to interleave other operations with a start or a stop.
	onStart func()
	onStop  func()
}

type fakeRun struct {
	f    *fakeRuns
	done chan struct{}
	once sync.Once
	err  error // set before done is closed by fail
}

// Stop ends the run; after fail, it only counts it out as the runtime's does (the run is over).
func (r *fakeRun) Stop() error {
	if r.f.onStop != nil {
		r.f.onStop()
	}
	r.end()
	return nil
}

// fail ends the run by itself with err, as a run whose destination was deleted does.
func (r *fakeRun) fail(err error) {
	r.err = err
	r.end()
}

func (r *fakeRun) end() {
	r.once.Do(func() {
		r.f.mu.Lock()
		r.f.running--
		r.f.mu.Unlock()
		close(r.done)
	})
}

func (r *fakeRun) Err() error {
	select {
	case <-r.done:
		return r.err
	default:
		return nil
	}
}

func (r *fakeRun) Done() <-chan struct{} { return r.done }

func (f *fakeRuns) start(_ context.Context, _ *streams.Store, cfg runtime.Config) (Run, error) {
	if f.onStart != nil {
		f.onStart()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	if f.badCode != "" && cfg.Code == f.badCode {
		return nil, errors.New(`1:15: stream "NOPE" does not exist`)
	}
	for _, o := range cfg.Outputs {
		if o.Name == "NOPE" {
			return nil, errors.New(`1:1: output "NOPE" names no in-application stream of the application code`)
		}
	}
	f.cfgs = append(f.cfgs, cfg)
	f.running++
	r := &fakeRun{f: f, done: make(chan struct{})}
	f.runs = append(f.runs, r)
	return r, nil
}

// lastRun returns the run started last.
func (f *fakeRuns) lastRun() *fakeRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs[len(f.runs)-1]
}

func (f *fakeRuns) last() runtime.Config {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfgs[len(f.cfgs)-1]
}

// fakeDeliveryStreams maps every delivery stream named "fh" to an internal stream "fh" in namespace
// "firehose", and refuses others.
type fakeDeliveryStreams struct{}

func (fakeDeliveryStreams) Log(sc streams.Scope, name string) (streams.Scope, streams.StreamRef, error) {
	if name != "fh" {
		return streams.Scope{}, streams.StreamRef{}, &streams.Error{Kind: streams.KindNotFound, Msg: "Firehose " + name + " not found."}
	}
	sc.Namespace = "firehose"
	return sc, streams.StreamRef{Name: name}, nil
}

type env struct {
	t     testing.TB
	dir   string
	store *streams.Store
	runs  *fakeRuns
	m     *Manager
	now   time.Time
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), runs: &fakeRuns{}, now: time.UnixMilli(1_700_000_000_123)}
	s, err := streams.Open(streams.Options{Dir: filepath.Join(e.dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	e.store = s
	t.Cleanup(func() { s.Close() })
	for _, name := range []string{"src", "dst"} {
		if err := s.CreateStream(scope, streams.CreateStreamInput{Name: name, ShardCount: 2}); err != nil {
			t.Fatal(err)
		}
	}
	e.open()
	return e
}

func (e *env) open() {
	e.t.Helper()
	m, err := Open(Options{Dir: filepath.Join(e.dir, "analytics"), Store: e.store, Now: func() time.Time { return e.now },
		DeliveryStreams: fakeDeliveryStreams{}, Start: e.runs.start, Quota: 3, ResumeRetry: time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	e.m = m
	e.t.Cleanup(func() { m.Close() })
}

func (e *env) reopen() {
	e.t.Helper()
	if err := e.m.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

func jsonSchema() Schema {
	return Schema{Format: format.RecordFormat{Type: "JSON", RecordRowPath: "$"},
		Columns: []format.Column{{Name: "TICKER", SQLType: "VARCHAR(4)", Mapping: "$.TICKER"},
			{Name: "PRICE", SQLType: "REAL", Mapping: "$.PRICE"}}}
}

func tickerConfig() Config {
	return Config{
		Code: pumpSQL,
		Inputs: []Input{{NamePrefix: "SOURCE_SQL_STREAM", Parallelism: 1,
			Source: Resource{Type: KinesisStreams, ARN: srcARN, RoleARN: role}, Schema: jsonSchema()}},
		Outputs: []Output{{Name: "DESTINATION_SQL_STREAM", Format: "JSON",
			Destination: Resource{Type: KinesisStreams, ARN: dstARN, RoleARN: role}}},
	}
}

func (e *env) create(name string, cfg Config) Summary {
	e.t.Helper()
	s, err := e.m.Create(scope, CreateInput{Name: name, Config: cfg})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) describe(name string) Detail {
	e.t.Helper()
	d, err := e.m.Describe(scope, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func wantKind(t *testing.T, err error, kind streams.ErrorKind, msgPart string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want kind %d", kind)
	}
	if got := streams.KindOf(err); got != kind {
		t.Fatalf("error %q has kind %d, want %d", err, got, kind)
	}
	if !strings.Contains(err.Error(), msgPart) {
		t.Fatalf("error %q does not say %q", err, msgPart)
	}
}

func TestCreateDescribe(t *testing.T) {
	e := newEnv(t)
	cfg := tickerConfig()
	cfg.Inputs[0].Parallelism = 3
	cfg.Outputs = append(cfg.Outputs, Output{Name: "ERRORS", Format: "CSV",
		Destination: Resource{Type: KinesisFirehose, ARN: fhARN, RoleARN: role}})
	cfg.Logging = []LoggingOption{{LogStreamARN: "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", RoleARN: role}}
	s := e.create("tickers", cfg)
	if s.ARN != "arn:aws:kinesisanalytics:us-east-1:123456789012:application/tickers" || s.Status != StatusReady {
		t.Fatalf("summary %+v", s)
	}
	d := e.describe("tickers")
	if d.Version != 1 || !d.Created.Equal(e.now) || d.Config.Code != pumpSQL {
		t.Fatalf("detail %+v", d)
	}
	if got := d.Config.Inputs[0].ID; got != "1.1" {
		t.Errorf("input id %s", got)
	}
	if a, b := d.Config.Outputs[0].ID, d.Config.Outputs[1].ID; a != "1.1" || b != "1.2" {
		t.Errorf("output ids %s %s", a, b)
	}
	if got := d.Config.Logging[0].ID; got != "1.1" {
		t.Errorf("logging id %s", got)
	}
	names := d.Config.Inputs[0].InAppStreamNames()
	if strings.Join(names, ",") != "SOURCE_SQL_STREAM_001,SOURCE_SQL_STREAM_002,SOURCE_SQL_STREAM_003" {
		t.Errorf("in-app names %v", names)
	}
}

func TestCreateErrors(t *testing.T) {
	e := newEnv(t)
	e.create("taken", Config{})
	many := map[string]string{}
	for i := range 51 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	tests := []struct {
		name   string
		in     func(*CreateInput)
		kind   streams.ErrorKind
		substr string
	}{
		{"exists", func(c *CreateInput) { c.Name = "taken" }, streams.KindInUse, "already exists"},
		{"bad source arn", func(c *CreateInput) { c.Config.Inputs[0].Source.ARN = "arn:aws:s3:::b" }, streams.KindInvalidArgument, "not a valid Kinesis stream ARN"},
		{"two inputs", func(c *CreateInput) { c.Config.Inputs = append(c.Config.Inputs, c.Config.Inputs[0]) }, streams.KindInvalidArgument, "at most 1 input"},
		{"four outputs", func(c *CreateInput) {
			for range 3 {
				c.Config.Outputs = append(c.Config.Outputs, c.Config.Outputs[0])
			}
		}, streams.KindInvalidArgument, "at most 3 outputs"},
		{"bad sql", func(c *CreateInput) { c.Config.Code = "CREATE OR REPLACE STREAM (" }, KindCodeValidation, "1:"},
		{"csv without delimiters", func(c *CreateInput) { c.Config.Inputs[0].Schema.Format = format.RecordFormat{Type: "CSV"} }, streams.KindInvalidArgument, "CSVMappingParameters"},
		{"duplicate column", func(c *CreateInput) {
			c.Config.Inputs[0].Schema.Columns[1].Name = "ticker"
		}, streams.KindInvalidArgument, "twice"},
		{"parallelism", func(c *CreateInput) { c.Config.Inputs[0].Parallelism = 65 }, streams.KindInvalidArgument, "between 1 and 64"},
		{"too many tags", func(c *CreateInput) { c.Tags = many }, KindTooManyTags, "at most 50 tags"},
		{"aws tag", func(c *CreateInput) { c.Tags = map[string]string{"aws:x": "1"} }, streams.KindInvalidArgument, "aws:"},
		{"lambda output arn", func(c *CreateInput) {
			c.Config.Outputs[0].Destination = Resource{Type: Lambda, ARN: srcARN}
		}, streams.KindInvalidArgument, "not a Lambda function ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := CreateInput{Name: "app", Config: tickerConfig()}
			tt.in(&in)
			_, err := e.m.Create(scope, in)
			wantKind(t, err, tt.kind, tt.substr)
		})
	}
	e.create("second", Config{})
	e.create("third", Config{})
	_, err := e.m.Create(scope, CreateInput{Name: "fourth"})
	wantKind(t, err, streams.KindLimitExceeded, "limit of 3 applications")
	// The quota is per region.
	if _, err := e.m.Create(streams.Scope{Account: scope.Account, Region: "eu-west-1"}, CreateInput{Name: "fourth"}); err != nil {
		t.Fatal(err)
	}
}

func TestVersions(t *testing.T) {
	e := newEnv(t)
	e.create("app", Config{Code: pumpSQL})
	v := int64(1)
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		v++
		if got := e.describe("app").Version; got != v {
			t.Fatalf("%s: version %d, want %d", what, got, v)
		}
	}
	cfg := tickerConfig()
	step("add input", e.m.AddInput(scope, "app", v, cfg.Inputs[0]))
	err := e.m.AddInput(scope, "app", v, cfg.Inputs[0])
	wantKind(t, err, streams.KindInvalidArgument, "already has an input")
	wantKind(t, e.m.AddOutput(scope, "app", v-1, cfg.Outputs[0]), streams.KindConflict, "(1) does not match the current application version id (2)")
	step("add output", e.m.AddOutput(scope, "app", v, cfg.Outputs[0]))
	step("add output", e.m.AddOutput(scope, "app", v, cfg.Outputs[0]))
	step("delete output", e.m.DeleteOutput(scope, "app", v, "1.1"))
	step("add output", e.m.AddOutput(scope, "app", v, cfg.Outputs[0]))
	d := e.describe("app")
	if a, b := d.Config.Outputs[0].ID, d.Config.Outputs[1].ID; a != "1.2" || b != "1.3" {
		t.Fatalf("output ids after a delete: %s %s (ids are never given twice)", a, b)
	}
	wantKind(t, e.m.DeleteOutput(scope, "app", v, "1.1"), streams.KindNotFound, "Output id 1.1 not found")
	ref := Reference{TableName: "COMPANY", BucketARN: "arn:aws:s3:::refs", FileKey: "companies.csv", RoleARN: role,
		Schema: Schema{Format: format.RecordFormat{Type: "CSV", RowDelimiter: "\n", ColumnDelimiter: ","},
			Columns: []format.Column{{Name: "TICKER", SQLType: "VARCHAR(4)"}, {Name: "NAME", SQLType: "VARCHAR(64)"}}}}
	step("add reference", e.m.AddReference(scope, "app", v, ref))
	wantKind(t, e.m.AddReference(scope, "app", v, ref), streams.KindInvalidArgument, "at most 1")
	step("delete reference", e.m.DeleteReference(scope, "app", v, "1.1"))
	lambda := Resource{ARN: "arn:aws:lambda:us-east-1:123456789012:function:pre", RoleARN: role}
	step("add processing", e.m.AddInputProcessing(scope, "app", v, "1.1", lambda))
	wantKind(t, e.m.AddInputProcessing(scope, "app", v, "1.1", lambda), streams.KindInvalidArgument, "already has")
	wantKind(t, e.m.AddInputProcessing(scope, "app", v, "9.9", lambda), streams.KindNotFound, "Input id 9.9")
	step("delete processing", e.m.DeleteInputProcessing(scope, "app", v, "1.1"))
	opt := LoggingOption{LogStreamARN: "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", RoleARN: role}
	step("add logging", e.m.AddLogging(scope, "app", v, opt))
	step("delete logging", e.m.DeleteLogging(scope, "app", v, "1.1"))
	step("update", e.m.Update(scope, "app", v, func(c *Config) error {
		c.Code = "-- nothing"
		in, err := c.InputByID("1.1")
		if err != nil {
			return err
		}
		in.Parallelism = 2
		return nil
	}))
	d = e.describe("app")
	if d.Config.Code != "-- nothing" || d.Config.Inputs[0].Parallelism != 2 {
		t.Fatalf("update not applied: %+v", d.Config)
	}
	wantKind(t, e.m.Update(scope, "app", v, func(c *Config) error { c.Code = "SELECT FROM"; return nil }), KindCodeValidation, "invalid")
	// Tags are not configuration.
	if err := e.m.Tag(scope, d.ARN, map[string]string{"team": "data"}); err != nil {
		t.Fatal(err)
	}
	if got := e.describe("app").Version; got != v {
		t.Fatalf("a tag changed the version to %d", got)
	}
}

func TestStartStop(t *testing.T) {
	e := newEnv(t)
	cfg := tickerConfig()
	cfg.Outputs = append(cfg.Outputs, Output{Name: "DESTINATION_SQL_STREAM", Format: "CSV",
		Destination: Resource{Type: KinesisFirehose, ARN: fhARN, RoleARN: role}})
	e.create("app", cfg)
	wantKind(t, e.m.Stop(scope, "app"), streams.KindInUse, "only a RUNNING application")
	wantKind(t, e.m.Start(scope, "app", map[string]string{"2.1": StartNow}), streams.KindInvalidArgument, "Input id 2.1 not found")
	wantKind(t, e.m.Start(scope, "app", nil), streams.KindInvalidArgument, "no starting position for input 1.1")
	if err := e.m.Start(scope, "app", map[string]string{"1.1": StartTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	d := e.describe("app")
	if d.Status != StatusRunning || d.Version != 1 || d.Config.Inputs[0].StartingPosition != StartTrimHorizon {
		t.Fatalf("after start: %s v%d %q", d.Status, d.Version, d.Config.Inputs[0].StartingPosition)
	}
	rc := e.runs.last()
	in := rc.Inputs[0]
	if in.Scope != (streams.Scope{Account: scope.Account, Region: scope.Region}) || in.Ref.ARN != srcARN ||
		in.Start != StartTrimHorizon || in.NamePrefix != "SOURCE_SQL_STREAM" || in.Parallelism != 1 || len(in.Columns) != 2 {
		t.Fatalf("runtime input %+v", in)
	}
	if o := rc.Outputs[1]; o.Scope.Namespace != "firehose" || o.Ref.Name != "fh" || o.Format != "CSV" {
		t.Fatalf("firehose output %+v", o)
	}
	if rc.Code != pumpSQL || rc.Dir != filepath.Join(e.dir, "analytics", scope.Account, scope.Region, "app", "run") ||
		rc.ARN != ARN(scope, "app") {
		t.Fatalf("runtime config %+v", rc)
	}
	wantKind(t, e.m.Start(scope, "app", map[string]string{"1.1": StartNow}), streams.KindInUse, "RUNNING state")
	// A change restarts the run from where it stopped.
	if err := e.m.AddOutput(scope, "app", 1, cfg.Outputs[0]); err != nil {
		t.Fatal(err)
	}
	if rc := e.runs.last(); len(rc.Outputs) != 3 || rc.Inputs[0].Start != StartLastStoppedPoint {
		t.Fatalf("restarted run: %d outputs, start %s", len(rc.Outputs), rc.Inputs[0].Start)
	}
	if e.runs.running != 1 || e.describe("app").Status != StatusRunning {
		t.Fatalf("%d runs, status %s", e.runs.running, e.describe("app").Status)
	}
	// An update the runtime refuses leaves the application running as it was.
	e.runs.badCode = "SELECT STREAM * FROM NOPE"
	err := e.m.Update(scope, "app", 2, func(c *Config) error { c.Code = e.runs.badCode; return nil })
	wantKind(t, err, KindCodeValidation, `app cannot start: 1:15: stream "NOPE" does not exist`)
	if d := e.describe("app"); d.Status != StatusRunning || d.Version != 2 || d.Config.Code != pumpSQL ||
		e.runs.running != 1 || e.runs.last().Code != pumpSQL {
		t.Fatalf("after a refused update: %s v%d, %d runs", d.Status, d.Version, e.runs.running)
	}
	if err := e.m.Stop(scope, "app"); err != nil {
		t.Fatal(err)
	}
	if st := e.describe("app").Status; st != StatusReady || e.runs.running != 0 {
		t.Fatalf("after stop: %s, %d runs", st, e.runs.running)
	}
}

func TestStartRefusals(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(*Config)
		pos    string
		fail   error
		kind   streams.ErrorKind
		substr string
	}{
		{"missing source", func(c *Config) { c.Inputs[0].Source.ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/nope" },
			StartNow, nil, KindInvalidConfiguration, "stream/nope cannot be used"},
		{"firehose trim horizon", func(c *Config) { c.Inputs[0].Source = Resource{Type: KinesisFirehose, ARN: fhARN, RoleARN: role} },
			StartTrimHorizon, nil, streams.KindInvalidArgument, "TRIM_HORIZON is not supported"},
		{"missing delivery stream", func(c *Config) {
			c.Outputs[0].Destination = Resource{Type: KinesisFirehose, ARN: "arn:aws:firehose:us-east-1:123456789012:deliverystream/x", RoleARN: role}
		}, StartNow, nil, KindInvalidConfiguration, "Firehose x not found"},
		{"lambda output", func(c *Config) {
			c.Outputs[0].Destination = Resource{Type: Lambda, ARN: "arn:aws:lambda:us-east-1:123456789012:function:f", RoleARN: role}
		}, StartNow, nil, KindInvalidConfiguration, "does not invoke AWS Lambda"},
		{"lambda preprocessor", func(c *Config) {
			c.Inputs[0].Processor = &Resource{Type: Lambda, ARN: "arn:aws:lambda:us-east-1:123456789012:function:f", RoleARN: role}
		}, StartNow, nil, KindInvalidConfiguration, "DeleteApplicationInputProcessingConfiguration"},
		{"reference without objects", func(c *Config) {
			c.References = []Reference{{TableName: "T", BucketARN: "arn:aws:s3:::b", FileKey: "k", RoleARN: role,
				Schema: Schema{Format: format.RecordFormat{Type: "JSON", RecordRowPath: "$"}, Columns: []format.Column{{Name: "A", SQLType: "INTEGER", Mapping: "$.A"}}}}}
		}, StartNow, nil, KindInvalidConfiguration, "(s3://b/k) cannot be loaded: this server reads no S3 objects"},
		{"no input", func(c *Config) { c.Inputs = nil }, StartNow, nil, KindInvalidConfiguration, "has no input"},
		{"sql error", func(*Config) {}, StartNow, errors.New(`2:10: unknown stream "SOURCE"`), KindInvalidConfiguration,
			`app cannot start: 2:10: unknown stream "SOURCE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			cfg := tickerConfig()
			tt.cfg(&cfg)
			e.create("app", cfg)
			e.runs.fail = tt.fail
			err := e.m.Start(scope, "app", map[string]string{"1.1": tt.pos})
			if tt.name == "no input" {
				err = e.m.Start(scope, "app", nil)
			}
			wantKind(t, err, tt.kind, tt.substr)
			if st := e.describe("app").Status; st != StatusReady {
				t.Fatalf("status %s after a failed start", st)
			}
		})
	}
}

func TestPersistence(t *testing.T) {
	e := newEnv(t)
	e.create("running", tickerConfig())
	e.create("ready", tickerConfig())
	if err := e.m.Tag(scope, ARN(scope, "ready"), map[string]string{"a": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Start(scope, "running", map[string]string{"1.1": StartNow}); err != nil {
		t.Fatal(err)
	}
	before := e.describe("ready")
	e.reopen()
	if e.runs.running != 1 {
		t.Fatalf("%d runs after reopen, want the RUNNING application's", e.runs.running)
	}
	if rc := e.runs.last(); rc.Name != "running" || rc.Inputs[0].Start != StartLastStoppedPoint {
		t.Fatalf("resumed run %s from %s", rc.Name, rc.Inputs[0].Start)
	}
	if d := e.describe("running"); d.Status != StatusRunning || d.Config.Inputs[0].StartingPosition != StartNow {
		t.Fatalf("resumed application %s %q", d.Status, d.Config.Inputs[0].StartingPosition)
	}
	after := e.describe("ready")
	if after.Status != StatusReady || after.Version != before.Version || !after.Created.Equal(before.Created) ||
		len(after.Config.Inputs) != 1 || after.Config.Inputs[0].Schema.Columns[1] != before.Config.Inputs[0].Schema.Columns[1] {
		t.Fatalf("reloaded %+v, want %+v", after, before)
	}
	tags, err := e.m.ListTags(scope, after.ARN)
	if err != nil || len(tags) != 1 || tags[0] != (Tag{"a", "1"}) {
		t.Fatalf("tags %v %v", tags, err)
	}
	// A RUNNING application that cannot start again (its S3 endpoint is not up yet, say) stays RUNNING,
	// and is tried again until it starts.
	e.runs.mu.Lock()
	e.runs.fail = errors.New("broken")
	e.runs.mu.Unlock()
	attempts := make(chan struct{}, 100)
	e.runs.onStart = func() {
		select {
		case attempts <- struct{}{}:
		default:
		}
	}
	e.reopen()
	if st := e.describe("running").Status; st != StatusRunning {
		t.Fatalf("status %s after a failed resume", st)
	}
	<-attempts // the resume at Open
	<-attempts // a retry
	e.runs.mu.Lock()
	running := e.runs.running
	e.runs.fail = nil
	e.runs.mu.Unlock()
	// Attempts that read fail before now failed; one reading it from now on starts the application.
	// That may be the attempt already under way (it signalled before taking mu), so the count is
	// checked before waiting for another attempt.
	deadline := time.After(20 * time.Second)
	for {
		e.m.RunErr(scope, "running") // takes the application's lock: returns once any attempt under way is over
		e.runs.mu.Lock()
		n := e.runs.running
		e.runs.mu.Unlock()
		if n > running {
			return
		}
		select {
		case <-attempts:
		case <-deadline:
			t.Fatal("the application was not resumed once it could start")
		}
	}
}

func TestScopesAndList(t *testing.T) {
	e := newEnv(t)
	other := streams.Scope{Account: "210987654321", Region: "us-east-1"}
	west := streams.Scope{Account: scope.Account, Region: "us-west-2"}
	for _, name := range []string{"c", "a", "b"} {
		e.create(name, Config{})
	}
	if _, err := e.m.Create(other, CreateInput{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Create(west, CreateInput{Name: "a", Config: Config{Description: "west"}}); err != nil {
		t.Fatal(err)
	}
	if d, err := e.m.Describe(west, "a"); err != nil || d.Config.Description != "west" {
		t.Fatalf("%+v %v", d, err)
	}
	if _, err := e.m.Describe(other, "b"); streams.KindOf(err) != streams.KindNotFound {
		t.Fatalf("another account sees b: %v", err)
	}
	if _, err := e.m.ListTags(other, ARN(scope, "a")); streams.KindOf(err) != streams.KindNotFound {
		t.Fatalf("another account reads tags by ARN: %v", err)
	}
	page, more := e.m.List(scope, 2, "")
	if len(page) != 2 || page[0].Name != "a" || page[1].Name != "b" || !more {
		t.Fatalf("page 1: %+v %v", page, more)
	}
	page, more = e.m.List(scope, 2, "b")
	if len(page) != 1 || page[0].Name != "c" || more {
		t.Fatalf("page 2: %+v %v", page, more)
	}
	if page, _ := e.m.List(other, 50, ""); len(page) != 1 || page[0].ARN != ARN(other, "a") {
		t.Fatalf("other account: %+v", page)
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	e.create("app", tickerConfig())
	if err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.m.Delete(scope, "app", e.now.Add(time.Second)), streams.KindConflict, "CreateTimestamp")
	wantKind(t, e.m.Delete(scope, "nope", e.now), streams.KindNotFound, "Application nope is not found.")
	// A timestamp read back from the wire as float seconds rounds to the same millisecond.
	sent := time.Unix(0, int64(float64(e.now.UnixMilli())/1000*1e9))
	// botocore sends whole seconds.
	if !sameCreation(time.Unix(e.now.Unix(), 0), e.now.UnixMilli()) || sameCreation(e.now.Add(time.Millisecond), e.now.UnixMilli()) {
		t.Fatal("sameCreation")
	}
	if err := e.m.Delete(scope, "app", sent); err != nil {
		t.Fatal(err)
	}
	if e.runs.running != 0 {
		t.Fatal("the run of a deleted application still runs")
	}
	if _, err := e.m.Describe(scope, "app"); streams.KindOf(err) != streams.KindNotFound {
		t.Fatalf("describe after delete: %v", err)
	}
	e.create("app", Config{})
	e.reopen()
	if d := e.describe("app"); len(d.Config.Inputs) != 0 {
		t.Fatalf("the deleted application came back: %+v", d)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	s := e.create("app", Config{})
	if err := e.m.Tag(scope, s.ARN, map[string]string{"b": "2", "a": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Untag(scope, s.ARN, []string{"b", "zz"}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.m.ListTags(scope, s.ARN)
	if err != nil || len(tags) != 1 || tags[0].Key != "a" {
		t.Fatalf("%v %v", tags, err)
	}
	many := map[string]string{}
	for i := range 50 {
		many[strings.Repeat("x", i+1)] = ""
	}
	wantKind(t, e.m.Tag(scope, s.ARN, many), KindTooManyTags, "at most 50")
	wantKind(t, e.m.Tag(scope, "arn:aws:kinesis:us-east-1:1:stream/x", many), streams.KindInvalidArgument, "Invalid application ARN")
}
