package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hydrantio/hydrant/analytics/app"
	"github.com/hydrantio/hydrant/analytics/runtime"
	"github.com/hydrantio/hydrant/streams"
)

// Wire-level round trips of the Kinesis Analytics API, in its raw JSON 1.1 protocol (there is no
// kinesisanalytics client in the AWS SDK for Go v2 dependencies), against a real server on a real store
// and application manager.

type kaTest struct {
	t     *testing.T
	url   string
	hc    *http.Client
	store *streams.Store
	m     *app.Manager
	runs  *kaRuns
}

// kaRuns is a Starter that records configurations and starts nothing, or fails with fail.
type kaRuns struct {
	mu      sync.Mutex
	fail    error
	running int
}

type kaRun struct{ r *kaRuns }

func (r kaRun) Stop() error {
	r.r.mu.Lock()
	r.r.running--
	r.r.mu.Unlock()
	return nil
}
func (kaRun) Err() error { return nil }

// Done never closes: these runs never end by themselves.
func (kaRun) Done() <-chan struct{} { return nil }

func (r *kaRuns) start(context.Context, *streams.Store, runtime.Config) (app.Run, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return nil, r.fail
	}
	r.running++
	return kaRun{r}, nil
}

func newKATest(t *testing.T) *kaTest {
	t.Helper()
	dir := t.TempDir()
	store := openStore(t, streams.Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	runs := &kaRuns{}
	m, err := app.Open(app.Options{Dir: filepath.Join(dir, "analytics"), Store: store, Start: runs.start})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() }) // before the store's Close, registered earlier
	srv := NewServer(Config{Logger: slog.New(slog.DiscardHandler), Analytics: m}, store)
	url := startServer(t, srv)
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	for _, name := range []string{"src", "dst"} {
		if err := store.CreateStream(streams.Scope{Account: DefaultAccount, Region: DefaultRegion},
			streams.CreateStreamInput{Name: name, ShardCount: 2}); err != nil {
			t.Fatal(err)
		}
	}
	return &kaTest{t: t, url: url, hc: hc, store: store, m: m, runs: runs}
}

// callIn sends op with body (a JSON string) signed for region ("" for the default) and returns the HTTP status
// and the decoded answer.
func (kt *kaTest) callIn(region, op, body string) (int, map[string]any) {
	kt.t.Helper()
	req, err := http.NewRequest(http.MethodPost, kt.url, strings.NewReader(body))
	if err != nil {
		kt.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "KinesisAnalytics_20150814."+op)
	if region == "" {
		region = DefaultRegion
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/"+region+
		"/kinesisanalytics/aws4_request, SignedHeaders=host, Signature=abcd")
	req.Header.Set("X-Amz-Date", "20261122T120000Z")
	resp, err := kt.hc.Do(req)
	if err != nil {
		kt.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		kt.t.Fatal(err)
	}
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			kt.t.Fatalf("%s: answer %q: %v", op, raw, err)
		}
	}
	return resp.StatusCode, out
}

func (kt *kaTest) call(op, body string) (int, map[string]any) {
	kt.t.Helper()
	return kt.callIn("", op, body)
}

// ok calls op and fails the test unless it succeeds.
func (kt *kaTest) ok(op, body string) map[string]any {
	kt.t.Helper()
	status, out := kt.call(op, body)
	if status != http.StatusOK {
		kt.t.Fatalf("%s: %d %v", op, status, out)
	}
	return out
}

// fails calls op and checks its error type and that its message holds msg.
func (kt *kaTest) fails(op, body, errType, msg string) {
	kt.t.Helper()
	status, out := kt.call(op, body)
	if status != http.StatusBadRequest || out["__type"] != errType {
		kt.t.Fatalf("%s: %d %v, want %s", op, status, out, errType)
	}
	if m, _ := out["message"].(string); !strings.Contains(m, msg) {
		kt.t.Fatalf("%s: message %q does not say %q", op, m, msg)
	}
}

func (kt *kaTest) detail(name string) map[string]any {
	kt.t.Helper()
	return kt.ok("DescribeApplication", `{"ApplicationName":"`+name+`"}`)["ApplicationDetail"].(map[string]any)
}

// get walks a decoded answer: keys for objects, ints for arrays.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

const (
	kaSrc  = "arn:aws:kinesis:us-east-1:000000000000:stream/src"
	kaDst  = "arn:aws:kinesis:us-east-1:000000000000:stream/dst"
	kaRole = "arn:aws:iam::000000000000:role/ka"
	kaCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), PRICE REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM * FROM "SOURCE_SQL_STREAM_001";`
	kaInputJSON = `{"NamePrefix":"SOURCE_SQL_STREAM","KinesisStreamsInput":{"ResourceARN":"` + kaSrc + `","RoleARN":"` + kaRole + `"},
	  "InputSchema":{"RecordFormat":{"RecordFormatType":"JSON","MappingParameters":{"JSONMappingParameters":{"RecordRowPath":"$"}}},
	  "RecordColumns":[{"Name":"TICKER","SqlType":"VARCHAR(4)","Mapping":"$.TICKER"},{"Name":"PRICE","SqlType":"REAL","Mapping":"$.PRICE"}]}}`
	kaOutputJSON = `{"Name":"DESTINATION_SQL_STREAM","KinesisStreamsOutput":{"ResourceARN":"` + kaDst + `","RoleARN":"` + kaRole + `"},
	  "DestinationSchema":{"RecordFormatType":"JSON"}}`
)

func createBody(name string) string {
	code, _ := json.Marshal(kaCode)
	return `{"ApplicationName":"` + name + `","ApplicationDescription":"prices","ApplicationCode":` + string(code) +
		`,"Inputs":[` + kaInputJSON + `],"Outputs":[` + kaOutputJSON + `],"Tags":[{"Key":"team","Value":"data"}]}`
}

func TestAnalyticsApplicationLifecycle(t *testing.T) {
	kt := newKATest(t)
	out := kt.ok("CreateApplication", createBody("tickers"))
	arn := "arn:aws:kinesisanalytics:us-east-1:000000000000:application/tickers"
	if s := get(out, "ApplicationSummary"); get(s, "ApplicationARN") != arn || get(s, "ApplicationStatus") != "READY" ||
		get(s, "ApplicationName") != "tickers" {
		t.Fatalf("summary %v", s)
	}
	kt.fails("CreateApplication", createBody("tickers"), "ResourceInUseException", "Application tickers already exists.")

	d := kt.detail("tickers")
	for path, want := range map[string]any{
		"ApplicationStatus":      "READY",
		"ApplicationVersionId":   1.0,
		"ApplicationCode":        kaCode,
		"ApplicationDescription": "prices",
	} {
		if got := d[path]; got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if _, ok := d["CreateTimestamp"].(float64); !ok {
		t.Fatalf("CreateTimestamp %v", d["CreateTimestamp"])
	}
	in := get(d, "InputDescriptions", 0)
	if get(in, "InputId") != "1.1" || get(in, "InAppStreamNames", 0) != "SOURCE_SQL_STREAM_001" ||
		get(in, "KinesisStreamsInputDescription", "ResourceARN") != kaSrc || get(in, "InputParallelism", "Count") != 1.0 ||
		get(in, "InputSchema", "RecordFormat", "MappingParameters", "JSONMappingParameters", "RecordRowPath") != "$" ||
		get(in, "InputSchema", "RecordColumns", 1, "SqlType") != "REAL" {
		t.Fatalf("input description %v", in)
	}
	if o := get(d, "OutputDescriptions", 0); get(o, "OutputId") != "1.1" || get(o, "KinesisStreamsOutputDescription", "ResourceARN") != kaDst ||
		get(o, "DestinationSchema", "RecordFormatType") != "JSON" {
		t.Fatalf("output description %v", o)
	}

	// Configuration changes check and bump the version id.
	kt.fails("AddApplicationOutput", `{"ApplicationName":"tickers","CurrentApplicationVersionId":7,"Output":`+kaOutputJSON+`}`,
		"ConcurrentModificationException", "(7) does not match the current application version id (1)")
	kt.ok("AddApplicationOutput", `{"ApplicationName":"tickers","CurrentApplicationVersionId":1,"Output":`+kaOutputJSON+`}`)
	kt.ok("AddApplicationCloudWatchLoggingOption", `{"ApplicationName":"tickers","CurrentApplicationVersionId":2,
	  "CloudWatchLoggingOption":{"LogStreamARN":"arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s","RoleARN":"`+kaRole+`"}}`)
	kt.ok("AddApplicationReferenceDataSource", `{"ApplicationName":"tickers","CurrentApplicationVersionId":3,"ReferenceDataSource":{
	  "TableName":"COMPANY","S3ReferenceDataSource":{"BucketARN":"arn:aws:s3:::refs","FileKey":"c.csv","ReferenceRoleARN":"`+kaRole+`"},
	  "ReferenceSchema":{"RecordFormat":{"RecordFormatType":"CSV","MappingParameters":{"CSVMappingParameters":{"RecordRowDelimiter":"\n","RecordColumnDelimiter":","}}},
	  "RecordColumns":[{"Name":"TICKER","SqlType":"VARCHAR(4)"},{"Name":"NAME","SqlType":"VARCHAR(64)"}]}}}`)
	kt.ok("AddApplicationInputProcessingConfiguration", `{"ApplicationName":"tickers","CurrentApplicationVersionId":4,"InputId":"1.1",
	  "InputProcessingConfiguration":{"InputLambdaProcessor":{"ResourceARN":"arn:aws:lambda:us-east-1:000000000000:function:f","RoleARN":"`+kaRole+`"}}}`)
	d = kt.detail("tickers")
	if d["ApplicationVersionId"] != 5.0 || get(d, "OutputDescriptions", 1, "OutputId") != "1.2" ||
		get(d, "CloudWatchLoggingOptionDescriptions", 0, "CloudWatchLoggingOptionId") != "1.1" ||
		get(d, "ReferenceDataSourceDescriptions", 0, "S3ReferenceDataSourceDescription", "FileKey") != "c.csv" ||
		get(d, "ReferenceDataSourceDescriptions", 0, "ReferenceSchema", "RecordFormat", "MappingParameters", "CSVMappingParameters", "RecordRowDelimiter") != "\n" ||
		get(d, "InputDescriptions", 0, "InputProcessingConfigurationDescription", "InputLambdaProcessorDescription", "ResourceARN") == nil {
		t.Fatalf("after additions: %v", d)
	}
	// Hydrant does not run Lambda: the preprocessor keeps the application from starting.
	kt.fails("StartApplication", `{"ApplicationName":"tickers","InputConfigurations":[{"Id":"1.1","InputStartingPositionConfiguration":{"InputStartingPosition":"NOW"}}]}`,
		"InvalidApplicationConfigurationException", "does not invoke AWS Lambda")
	for _, op := range []string{
		`DeleteApplicationInputProcessingConfiguration","{"ApplicationName":"tickers","CurrentApplicationVersionId":5,"InputId":"1.1"}`,
		`DeleteApplicationOutput","{"ApplicationName":"tickers","CurrentApplicationVersionId":6,"OutputId":"1.2"}`,
		`DeleteApplicationReferenceDataSource","{"ApplicationName":"tickers","CurrentApplicationVersionId":7,"ReferenceId":"1.1"}`,
		`DeleteApplicationCloudWatchLoggingOption","{"ApplicationName":"tickers","CurrentApplicationVersionId":8,"CloudWatchLoggingOptionId":"1.1"}`,
	} {
		name, body, _ := strings.Cut(op, `","`)
		kt.ok(name, body)
	}
	kt.fails("DeleteApplicationOutput", `{"ApplicationName":"tickers","CurrentApplicationVersionId":9,"OutputId":"1.2"}`,
		"ResourceNotFoundException", "Output id 1.2 not found.")
	kt.ok("UpdateApplication", `{"ApplicationName":"tickers","CurrentApplicationVersionId":9,"ApplicationUpdate":{
	  "InputUpdates":[{"InputId":"1.1","NamePrefixUpdate":"IN","InputParallelismUpdate":{"CountUpdate":2},
	    "InputSchemaUpdate":{"RecordColumnUpdates":[{"Name":"T","SqlType":"VARCHAR(8)","Mapping":"$.T"}]}}],
	  "OutputUpdates":[{"OutputId":"1.1","DestinationSchemaUpdate":{"RecordFormatType":"CSV"}}],
	  "ApplicationCodeUpdate":"-- empty"}}`)
	d = kt.detail("tickers")
	in = get(d, "InputDescriptions", 0)
	if d["ApplicationVersionId"] != 10.0 || d["ApplicationCode"] != "-- empty" || get(in, "InAppStreamNames", 1) != "IN_002" ||
		get(in, "InputSchema", "RecordColumns", 0, "Name") != "T" || get(d, "OutputDescriptions", 0, "DestinationSchema", "RecordFormatType") != "CSV" {
		t.Fatalf("after update: %v", d)
	}
	kt.fails("UpdateApplication", `{"ApplicationName":"tickers","CurrentApplicationVersionId":10,"ApplicationUpdate":{"ApplicationCodeUpdate":"SELECT STREAM FROM"}}`,
		"CodeValidationException", "Application code is invalid: 1:")

	// Start and stop; neither changes the version id.
	start := `{"ApplicationName":"tickers","InputConfigurations":[{"Id":"1.1","InputStartingPositionConfiguration":{"InputStartingPosition":"TRIM_HORIZON"}}]}`
	kt.ok("StartApplication", start)
	d = kt.detail("tickers")
	if d["ApplicationStatus"] != "RUNNING" || d["ApplicationVersionId"] != 10.0 ||
		get(d, "InputDescriptions", 0, "InputStartingPositionConfiguration", "InputStartingPosition") != "TRIM_HORIZON" {
		t.Fatalf("after start: %v", d)
	}
	kt.fails("StartApplication", start, "ResourceInUseException", "RUNNING")
	kt.ok("StopApplication", `{"ApplicationName":"tickers"}`)
	kt.fails("StopApplication", `{"ApplicationName":"tickers"}`, "ResourceInUseException", "READY")

	// Tags.
	kt.ok("TagResource", `{"ResourceARN":"`+arn+`","Tags":[{"Key":"env","Value":"prod"}]}`)
	kt.ok("UntagResource", `{"ResourceARN":"`+arn+`","TagKeys":["team"]}`)
	tags := kt.ok("ListTagsForResource", `{"ResourceARN":"`+arn+`"}`)
	if get(tags, "Tags", 0, "Key") != "env" || get(tags, "Tags", 1) != nil {
		t.Fatalf("tags %v", tags)
	}
	if kt.detail("tickers")["ApplicationVersionId"] != 10.0 {
		t.Fatal("tags changed the version id")
	}

	// Delete with the CreateTimestamp DescribeApplication gave.
	created, _ := json.Marshal(d["CreateTimestamp"])
	kt.fails("DeleteApplication", `{"ApplicationName":"tickers","CreateTimestamp":1}`, "ConcurrentModificationException", "CreateTimestamp")
	kt.ok("DeleteApplication", `{"ApplicationName":"tickers","CreateTimestamp":`+string(created)+`}`)
	kt.fails("DescribeApplication", `{"ApplicationName":"tickers"}`, "ResourceNotFoundException", "Application tickers is not found.")
}

func TestAnalyticsErrors(t *testing.T) {
	kt := newKATest(t)
	kt.ok("CreateApplication", createBody("app"))
	fourOutputs := `{"ApplicationName":"many","Outputs":[` + strings.Repeat(kaOutputJSON+",", 3) + kaOutputJSON + `]}`
	tests := []struct {
		name, op, body, errType, msg string
	}{
		{"model validation", "CreateApplication", `{"ApplicationName":"bad name"}`, "ValidationException", "applicationName"},
		{"not found", "DescribeApplication", `{"ApplicationName":"nope"}`, "ResourceNotFoundException", "Application nope is not found."},
		{"bad sql", "CreateApplication", `{"ApplicationName":"sql","ApplicationCode":"CREATE OR REPLACE PUMP"}`, "CodeValidationException", "1:"},
		{"four outputs", "CreateApplication", fourOutputs, "InvalidArgumentException", "at most 3 outputs"},
		{"two sources", "CreateApplication", `{"ApplicationName":"two","Inputs":[` + strings.Replace(kaInputJSON, `"KinesisStreamsInput"`,
			`"KinesisFirehoseInput":{"ResourceARN":"arn:aws:firehose:us-east-1:000000000000:deliverystream/f","RoleARN":"`+kaRole+`"},"KinesisStreamsInput"`, 1) + `]}`,
			"InvalidArgumentException", "Exactly one of KinesisStreamsInput or KinesisFirehoseInput"},
		{"bad stream arn", "AddApplicationOutput", `{"ApplicationName":"app","CurrentApplicationVersionId":1,"Output":` +
			strings.Replace(kaOutputJSON, kaDst, "arn:aws:kinesis:us-east-1:000000000000:table/x", 1) + `}`,
			"InvalidArgumentException", "is not a valid Kinesis stream ARN"},
		{"second input", "AddApplicationInput", `{"ApplicationName":"app","CurrentApplicationVersionId":1,"Input":` + kaInputJSON + `}`,
			"InvalidArgumentException", "already has an input"},
		{"unknown input id", "StartApplication", `{"ApplicationName":"app","InputConfigurations":[{"Id":"2.1","InputStartingPositionConfiguration":{}}]}`,
			"InvalidArgumentException", "Input id 2.1 not found"},
		{"tag arn", "ListTagsForResource", `{"ResourceARN":"arn:aws:kinesisanalytics:us-east-1:000000000000:application/nope"}`,
			"ResourceNotFoundException", "Application nope is not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kt.t = t
			kt.fails(tt.op, tt.body, tt.errType, tt.msg)
		})
	}
	kt.t = t
	var tags []string
	for i := range 51 {
		tags = append(tags, `{"Key":"k`+strings.Repeat("x", i)+`","Value":"v"}`)
	}
	kt.fails("TagResource", `{"ResourceARN":"arn:aws:kinesisanalytics:us-east-1:000000000000:application/app","Tags":[`+
		strings.Join(tags[:50], ",")+`]}`, "TooManyTagsException", "at most 50 tags")

	// A run that cannot start leaves the application READY and says why.
	kt.runs.fail = errors.New(`3:14: unknown column "PRICES"`)
	kt.fails("StartApplication", `{"ApplicationName":"app","InputConfigurations":[{"Id":"1.1","InputStartingPositionConfiguration":{"InputStartingPosition":"NOW"}}]}`,
		"InvalidApplicationConfigurationException", `Application app cannot start: 3:14: unknown column "PRICES"`)
	if kt.detail("app")["ApplicationStatus"] != "READY" {
		t.Fatal("a failed start left the application not READY")
	}
}

func TestAnalyticsListAndRegions(t *testing.T) {
	kt := newKATest(t)
	for _, name := range []string{"b", "a", "c"} {
		kt.ok("CreateApplication", `{"ApplicationName":"`+name+`"}`)
	}
	if status, out := kt.callIn("eu-west-1", "CreateApplication", `{"ApplicationName":"a"}`); status != 200 ||
		get(out, "ApplicationSummary", "ApplicationARN") != "arn:aws:kinesisanalytics:eu-west-1:000000000000:application/a" {
		t.Fatalf("%d %v", status, out)
	}
	page := kt.ok("ListApplications", `{"Limit":2}`)
	if get(page, "ApplicationSummaries", 0, "ApplicationName") != "a" || get(page, "ApplicationSummaries", 1, "ApplicationName") != "b" ||
		page["HasMoreApplications"] != true {
		t.Fatalf("page 1 %v", page)
	}
	page = kt.ok("ListApplications", `{"Limit":2,"ExclusiveStartApplicationName":"b"}`)
	if get(page, "ApplicationSummaries", 0, "ApplicationName") != "c" || get(page, "ApplicationSummaries", 1) != nil ||
		page["HasMoreApplications"] != false {
		t.Fatalf("page 2 %v", page)
	}
	_, west := kt.callIn("eu-west-1", "ListApplications", `{}`)
	if get(west, "ApplicationSummaries", 0, "ApplicationStatus") != "READY" || get(west, "ApplicationSummaries", 1) != nil {
		t.Fatalf("eu-west-1 lists %v", west)
	}
	if status, out := kt.callIn("eu-west-1", "DescribeApplication", `{"ApplicationName":"b"}`); status != 400 ||
		out["__type"] != "ResourceNotFoundException" {
		t.Fatalf("eu-west-1 sees b: %d %v", status, out)
	}
	empty := kt.ok("ListApplications", `{"ExclusiveStartApplicationName":"z"}`)
	if s, ok := empty["ApplicationSummaries"].([]any); !ok || len(s) != 0 {
		t.Fatalf("empty page %v", empty)
	}
}

func TestAnalyticsServiceCoversModel(t *testing.T) {
	kt := newKATest(t)
	model, err := loadModel(analyticsModel)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := newAnalytics(kt.m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(svc.ops) != len(model.ops) {
		t.Fatalf("%d operations served, the model has %d", len(svc.ops), len(model.ops))
	}
	if n := svc.notYet(); len(n) != 0 {
		t.Fatalf("not served: %v", n)
	}
}

func TestAnalyticsDiscoverInputSchema(t *testing.T) {
	kt := newKATest(t)
	kt.fails("DiscoverInputSchema", `{"ResourceARN":"`+kaDst+`","RoleARN":"`+kaRole+`","InputStartingPositionConfiguration":{"InputStartingPosition":"NOW"}}`,
		"UnableToDetectSchemaException", "No data was found in the stream "+kaDst)
	sc := streams.Scope{Account: DefaultAccount, Region: DefaultRegion}
	put := func(stream string, records ...string) {
		var entries []streams.PutEntry
		for _, r := range records {
			entries = append(entries, streams.PutEntry{Data: []byte(r), PartitionKey: r})
		}
		if _, _, err := kt.store.PutRecords(context.Background(), sc, streams.StreamRef{Name: stream}, entries); err != nil {
			t.Fatal(err)
		}
	}
	put("src", `{"TICKER":"AMZN","PRICE":101.5}`, `{"TICKER":"MSFT","PRICE":300.25}`)
	put("dst", "AMZN|101.5", "MSFT|300.25")
	for _, tt := range []struct{ arn, format string }{{kaSrc, "JSON"}, {kaDst, "CSV"}} {
		status, out := kt.call("DiscoverInputSchema", `{"ResourceARN":"`+tt.arn+`","RoleARN":"`+kaRole+
			`","InputStartingPositionConfiguration":{"InputStartingPosition":"TRIM_HORIZON"}}`)
		if status != http.StatusOK || get(out, "InputSchema", "RecordFormat", "RecordFormatType") != tt.format ||
			get(out, "InputSchema", "RecordColumns", 1, "Name") == nil || get(out, "ParsedInputRecords", 1, 1) == nil ||
			get(out, "RawInputRecords", 1) == nil {
			t.Fatalf("%s: %d %v", tt.arn, status, out)
		}
	}
	// Records with nothing to infer from: the exception carries what was read, as the model's
	// RawInputRecords and ProcessedInputRecords.
	if err := kt.store.CreateStream(sc, streams.CreateStreamInput{Name: "blank", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	put("blank", "{}", "{}")
	blank := strings.Replace(kaSrc, "/src", "/blank", 1)
	body := `{"ResourceARN":"` + blank + `","RoleARN":"` + kaRole + `","InputStartingPositionConfiguration":{"InputStartingPosition":"TRIM_HORIZON"}}`
	kt.fails("DiscoverInputSchema", body, "UnableToDetectSchemaException", "Unable to detect a schema")
	_, out := kt.call("DiscoverInputSchema", body)
	for _, member := range []string{"RawInputRecords", "ProcessedInputRecords"} {
		if got, _ := out[member].([]any); len(got) != 2 || got[0] != "{}" || got[1] != "{}" {
			t.Fatalf("%s: %v", member, out)
		}
	}
}
