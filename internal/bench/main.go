package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Main is the `hydrant bench` command: it parses args (without the command
// name), runs, writes the report to stdout and progress and errors to stderr,
// and returns the exit status: 0 on success, 1 when the run failed or the
// read-back check found a problem, 2 for bad usage. ctx should be cancelled on
// interrupt; a stream the run created is deleted even then.
//
// Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, and default to a dummy key.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	def := DefaultConfig()
	var cfg Config
	var asJSON bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hydrant bench [flags]\n\n"+
			"Load-test a Kinesis endpoint (Hydrant or AWS): write records, read them back and check\n"+
			"that every one came back exactly once, intact and in order.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nCredentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN,\n"+
			"or are a dummy key when unset. Exit status: 0 on success, 1 when the run fails or the\n"+
			"read-back check finds a problem, 2 for bad usage.\n")
	}
	fs.StringVar(&cfg.Endpoint, "endpoint", def.Endpoint, "Kinesis endpoint `URL`")
	fs.StringVar(&cfg.Region, "region", def.Region, "signing region")
	fs.StringVar(&cfg.Stream, "stream", "", "stream `name` to use (default: create hydrant-bench-<random> and delete it afterwards)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep a stream the run created")
	fs.IntVar(&cfg.Shards, "shards", def.Shards, "shard count of a stream the run creates")
	fs.IntVar(&cfg.Workers, "workers", def.Workers, "concurrent writers (readers: min(workers, shards))")
	fs.StringVar(&cfg.Mode, "mode", def.Mode, "phases: putrecords, putrecord, getrecords, a comma-separated list, or all (putrecords then getrecords)")
	fs.IntVar(&cfg.Batch, "batch", def.Batch, "records per PutRecords request")
	fs.StringVar(&cfg.Protocol, "protocol", def.Protocol, "data-plane body encoding: json, or cbor (application/x-amz-cbor-1.1, as the AWS SDK for Java sends it)")
	fs.IntVar(&cfg.RecordSize, "record-size", def.RecordSize, "record data size in `bytes` (at least 24)")
	fs.DurationVar(&cfg.Duration, "duration", def.Duration, "length of each put phase")
	fs.Int64Var(&cfg.Records, "records", 0, "end each put phase after `N` records (then -duration applies only if set)")
	fs.IntVar(&cfg.PartitionKeys, "partition-keys", def.PartitionKeys, "distinct partition keys")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "report the CPU time and memory of server process `pid` (Linux /proc)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hydrant bench: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return 2
	}
	durationSet := false
	fs.Visit(func(f *flag.Flag) { durationSet = durationSet || f.Name == "duration" })
	if cfg.Records > 0 && !durationSet {
		cfg.Duration = 0
	}
	if cfg.Duration == 0 && cfg.Records == 0 {
		fmt.Fprintln(stderr, "hydrant bench: duration must be positive unless records is set")
		return 2
	}
	cfg.AccessKeyID = os.Getenv("AWS_ACCESS_KEY_ID")
	cfg.SecretAccessKey = os.Getenv("AWS_SECRET_ACCESS_KEY")
	cfg.SessionToken = os.Getenv("AWS_SESSION_TOKEN")
	if err := cfg.check(); err != nil {
		fmt.Fprintf(stderr, "hydrant bench: %v\n", err)
		return 2
	}

	rep, err := Run(ctx, cfg, stderr)
	if rep != nil {
		var werr error
		if asJSON {
			werr = rep.WriteJSON(stdout)
		} else {
			werr = rep.WriteText(stdout)
		}
		if werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "hydrant bench: %v\n", err)
		return 1
	}
	if rep.Failed() {
		return 1
	}
	return 0
}

// check validates cfg as Run will, so that Main can tell usage errors apart.
func (c Config) check() error {
	c.setDefaults()
	return c.validate()
}
