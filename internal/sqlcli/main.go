package sqlcli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Main is the `hydrant sql` command: args without the command name. `check` as the first argument
// checks application files; anything else runs a query. It returns the exit status: 0 on success, 1
// for SQL errors and failed runs, 2 for bad usage. Cancelling ctx (Ctrl-C) ends a query run cleanly.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, stdout, stderr, hooks{})
}

// hooks are what tests inject into a query run: its clock and its wait between polls.
type hooks struct {
	now  func() time.Time
	wait func(context.Context) error
	http *http.Client
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, h hooks) int {
	if len(args) > 0 && args[0] == "check" {
		return checkMain(args[1:], stdout, stderr)
	}
	return queryMain(ctx, args, stdout, stderr, h)
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func checkMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sql check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var inputs, refs multiFlag
	fs.Var(&inputs, "input", "an in-application input stream `name` (repeatable; default: the streams the code reads but does not create, or "+DefaultInput+")")
	schemaFile := fs.String("schema", "", "JSON `file` with the input schema of "+DefaultInput+", in KDA's InputSchema shape "+
		`({"RecordFormat": ..., "RecordColumns": [...]}); without it inputs are planned with every column the code names`)
	fs.Var(&refs, "reference-schema", "a reference table: `NAME=FILE`, FILE a JSON ReferenceSchema (repeatable)")
	quietOK := fs.Bool("q", false, "print nothing for files without errors")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hydrant sql check [flags] app.sql...\n\n"+
			"Parse and plan Kinesis Data Analytics SQL applications and report each error as file:line:col: message.\n"+
			"Every stream the code creates is checked as an output. Exit status 1 when any file has errors.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	cfg := CheckConfig{Inputs: inputs, Tables: map[string]*Schema{}}
	if *schemaFile != "" {
		s, err := LoadSchema(*schemaFile)
		if err != nil {
			fmt.Fprintf(stderr, "hydrant sql check: %v\n", err)
			return 2
		}
		cfg.Schema = s
	}
	for _, ref := range refs {
		name, file, ok := strings.Cut(ref, "=")
		if !ok || name == "" || file == "" {
			fmt.Fprintf(stderr, "hydrant sql check: --reference-schema %q: want NAME=FILE\n", ref)
			return 2
		}
		s, err := LoadSchema(file)
		if err != nil {
			fmt.Fprintf(stderr, "hydrant sql check: %v\n", err)
			return 2
		}
		cfg.Tables[name] = s
	}
	status := 0
	for _, file := range fs.Args() {
		code, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "hydrant sql check: %v\n", err)
			status = 1
			continue
		}
		errs, err := Check(string(code), cfg)
		if err != nil {
			fmt.Fprintf(stderr, "hydrant sql check: %s: %v\n", file, err)
			return 2
		}
		report(stdout, file, errs, *quietOK)
		if len(errs) > 0 {
			status = 1
		}
	}
	return status
}

func queryMain(ctx context.Context, args []string, stdout, stderr io.Writer, h hooks) int {
	fs := flag.NewFlagSet("sql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "http://127.0.0.1:4567", "Kinesis endpoint `URL`")
	region := fs.String("region", "us-east-1", "signing region")
	stream := fs.String("stream", "", "the Kinesis stream to read (required)")
	as := fs.String("as", "", "the in-application `name` the query reads the stream by (default "+DefaultInput+
		", or the stream's own name when FROM uses it)")
	schemaArg := fs.String("schema", "auto", "auto: discover the schema from the first records and print it to stderr; "+
		"or a JSON `file` in KDA's InputSchema shape")
	from := fs.String("from", "latest", "where to start: latest, trim_horizon or at_timestamp:<RFC 3339 time>")
	form := fs.String("format", "table", "output: table, json (one object a line) or csv")
	limit := fs.Int("limit", 0, "stop after `N` rows (0: run until interrupted)")
	sample := fs.Int("sample", 100, "records --schema auto reads before discovering")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hydrant sql [flags] \"SELECT STREAM ...\"\n"+
			"       hydrant sql check [flags] app.sql...\n\n"+
			"Run one query against a live stream and print its rows as they come, until --limit rows or Ctrl-C.\n"+
			"Each record's arrival time is its ROWTIME; windows close as the wall clock passes their end.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nCredentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN,\n"+
			"or are a dummy key when unset. Exit status: 0 when interrupted or after --limit rows, 1 for SQL\n"+
			"and API errors, 2 for bad usage.\n")
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *stream == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "hydrant sql: want --stream NAME and one query")
		fs.Usage()
		return 2
	}
	start, err := ParseStart(*from)
	if err != nil {
		fmt.Fprintf(stderr, "hydrant sql: %v\n", err)
		return 2
	}
	q := Query{SQL: fs.Arg(0), Stream: *stream, As: *as, Start: start, Format: *form, Limit: *limit, Sample: *sample,
		Wait: h.wait}
	if h.now != nil {
		q.Now = h.now
	}
	if *schemaArg != "auto" {
		if q.Schema, err = LoadSchema(*schemaArg); err != nil {
			fmt.Fprintf(stderr, "hydrant sql: %v\n", err)
			return 2
		}
	}
	if _, err := newPrinter(io.Discard, *form, nil); err != nil {
		fmt.Fprintf(stderr, "hydrant sql: %v\n", err)
		return 2
	}
	api, err := newClient(*endpoint, *region, h.http)
	if err != nil {
		fmt.Fprintf(stderr, "hydrant sql: %v\n", err)
		return 2
	}
	if err := Run(ctx, api, q, stdout, stderr); err != nil {
		if se, ok := err.(*SQLError); ok {
			for _, e := range se.Errs {
				fmt.Fprintln(stderr, e.Error())
			}
			return 1
		}
		fmt.Fprintf(stderr, "hydrant sql: %v\n", err)
		return 1
	}
	return 0
}

// newClient makes a Kinesis client of endpoint. Credentials come from the environment, or are a dummy
// key: Hydrant accepts any signature, and reading ~/.aws or the instance metadata would only slow a
// local run down.
func newClient(endpoint, region string, hc *http.Client) (*kinesis.Client, error) {
	if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
		return nil, fmt.Errorf("--endpoint %q: want http://host[:port] or https://host[:port]", endpoint)
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		id, secret = "AKIDHYDRANTSQL", "hydrant"
	}
	cfg := aws.Config{Region: region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN"))}
	if hc != nil {
		cfg.HTTPClient = hc
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(endpoint) }), nil
}
