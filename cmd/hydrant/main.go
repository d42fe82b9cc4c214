// Command hydrant runs the Hydrant streaming server and its tools.
//
//	hydrant serve [flags]     serve the Kinesis Data Streams API
//	hydrant bench [flags]     load-test any Kinesis endpoint
//	hydrant sql [flags] QUERY run a query on a live stream; hydrant sql check app.sql checks applications
//	hydrant version           print the version
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hydrantio/hydrant/analytics/app"
	"github.com/hydrantio/hydrant/buffer"
	"github.com/hydrantio/hydrant/ingest"
	"github.com/hydrantio/hydrant/internal/bench"
	"github.com/hydrantio/hydrant/internal/metrics"
	"github.com/hydrantio/hydrant/internal/tlscert"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "bench":
		return bench.Main(ctx, args[1:], stdout, stderr)
	case "sql":
		return sqlCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "hydrant", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "hydrant: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: hydrant <command> [flags]

commands:
  serve     serve the Kinesis Data Streams API (hydrant serve -h for flags)
  bench     load-test a Kinesis endpoint (hydrant bench -h for flags)
  sql       run a SELECT STREAM query on a stream, or check application files (hydrant sql -h)
  version   print the version
`)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4567", "address to listen on (HTTP/1.1 and h2c; with TLS, HTTPS only, HTTP/2 by ALPN)")
	dataDir := fs.String("data-dir", "./hydrant-data", "directory holding all streams")
	region := fs.String("region", "us-east-1", "region for requests whose signature names none")
	account := fs.String("account-id", "000000000000", "account id in ARNs and messages")
	fsync := fs.String("fsync", "always", "always: acknowledge writes after fsync (group commit); "+
		"interval: acknowledge after write(2) and fsync every --fsync-interval (a machine crash may lose that much)")
	fsyncInterval := fs.Duration("fsync-interval", 200*time.Millisecond, "fsync period with --fsync interval")
	shardLimits := fs.Bool("shard-limits", false, "enforce AWS per-shard limits (1 MiB/s and 1000 records/s in, 2 MiB/s and 5 reads/s out)")
	delay := fs.Duration("state-delay", 0, "how long CREATING, UPDATING and DELETING last (AWS-like: 10s; 0 = immediate)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	s3Endpoint := fs.String("s3-endpoint", os.Getenv("AWS_ENDPOINT_URL_S3"), "S3 endpoint delivery streams write to (MinIO: "+
		"http://127.0.0.1:9000; credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); default $AWS_ENDPOINT_URL_S3, "+
		"and without one, files under <data-dir>/s3/<bucket>/<key>")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate (chain); needs --tls-key")
	tlsKey := fs.String("tls-key", "", "PEM private key of --tls-cert")
	selfSigned := fs.Bool("tls-self-signed", false, "serve HTTPS with a self-signed certificate made once in <data-dir>/tls "+
		"and reused; point clients at its cert.pem (aws --ca-bundle, AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stderr, "hydrant: --tls-cert and --tls-key go together: give both or neither")
		return 2
	}
	if *selfSigned && *tlsCert != "" {
		fmt.Fprintln(stderr, "hydrant: --tls-self-signed makes its own certificate: give it or --tls-cert and --tls-key, not both")
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "hydrant: bad --log-level %q\n", *logLevel)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	opts := streams.Options{Dir: *dataDir, ShardLimits: *shardLimits, TransitionDelay: *delay,
		SyncInterval: *fsyncInterval, Logger: logger}
	switch strings.ToLower(*fsync) {
	case "always":
		opts.Sync = streams.SyncAlways
	case "interval":
		opts.Sync = streams.SyncInterval
	default:
		fmt.Fprintf(stderr, "hydrant: bad --fsync %q (always or interval)\n", *fsync)
		return 2
	}
	store, err := streams.Open(opts)
	if err != nil {
		logger.Error("open data directory", "dir", *dataDir, "err", err)
		return 1
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("close store", "err", err)
		}
	}()
	objects, local, err := openObjects(ctx, *s3Endpoint, filepath.Join(*dataDir, "s3"))
	if err != nil {
		logger.Error("open the delivery destination", "err", err)
		return 1
	}
	firehose, err := buffer.Open(buffer.Options{Dir: filepath.Join(*dataDir, "firehose"), Store: store,
		TransitionDelay: *delay, Logger: logger, Objects: objects, CreateBuckets: local})
	if err != nil {
		logger.Error("open delivery streams", "dir", filepath.Join(*dataDir, "firehose"), "err", err)
		return 1
	}
	defer func() { // before the store's Close, deferred earlier
		if err := firehose.Close(); err != nil {
			logger.Error("close delivery streams", "err", err)
		}
	}()
	// Applications read reference data from the same objects delivery streams write.
	reader, _ := objects.(app.ObjectReader)
	analytics, err := app.Open(app.Options{Dir: filepath.Join(*dataDir, "analytics"), Store: store, Logger: logger,
		DeliveryStreams: buffer.AnalyticsStreams{M: firehose}, Objects: reader})
	if err != nil {
		logger.Error("open analytics applications", "dir", filepath.Join(*dataDir, "analytics"), "err", err)
		return 1
	}
	defer func() { // before the delivery streams' and the store's Close, deferred earlier
		if err := analytics.Close(); err != nil {
			logger.Error("close analytics applications", "err", err)
		}
	}()
	cfg := ingest.Config{Region: *region, Account: *account, Logger: logger, Firehose: firehose, Analytics: analytics,
		Metrics: metrics.Handler(store, firehose, time.Now)}
	serving := []any{"data_dir", *dataDir, "version", version, "fsync", *fsync}
	if local {
		serving = append(serving, "deliveries_to", filepath.Join(*dataDir, "s3"))
	} else {
		serving = append(serving, "deliveries_to", *s3Endpoint)
	}
	if *tlsCert != "" || *selfSigned {
		var cert *tlscert.Cert
		if *selfSigned {
			cert, err = tlscert.SelfSigned(filepath.Join(*dataDir, "tls"), tlscert.Hosts(*addr), time.Now())
		} else {
			cert, err = tlscert.Load(*tlsCert, *tlsKey)
		}
		if err != nil {
			logger.Error("tls certificate", "err", err)
			return 1
		}
		if cert.Generated {
			logger.Info("generated a self-signed TLS certificate", "cert", cert.CertFile, "why", cert.Reason,
				"names", strings.Join(cert.Names(), ","),
				"not_after", cert.TLS.Leaf.NotAfter.Format(time.RFC3339))
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
		certPath := cert.CertFile
		if abs, err := filepath.Abs(certPath); err == nil {
			certPath = abs // the path users paste into AWS_CA_BUNDLE and the like
		}
		serving = append(serving, "tls_cert", certPath, "tls_sha256", cert.Fingerprint())
	}
	srv := ingest.NewServer(cfg, store)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listen", "addr", *addr, "err", err)
		return 1
	}
	logger.Info("hydrant serving", append([]any{"addr", ln.Addr().String()}, serving...)...)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "err", err)
			return 1
		}
	case <-ctx.Done():
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			logger.Error("shutdown", "err", err)
		}
		<-errc
	}
	return 0
}

// openObjects opens where delivery streams put their objects: the S3 endpoint if one is given, else
// files under dir (the embedded default, which creates buckets as delivery streams name them).
func openObjects(ctx context.Context, endpoint, dir string) (sink sinks.Sink, local bool, err error) {
	if endpoint != "" {
		s3, err := sinks.NewS3(ctx, sinks.S3Options{Endpoint: endpoint})
		return s3, false, err
	}
	files, err := sinks.NewFiles(dir, sinks.FilesOptions{})
	return files, true, err
}
