package ingest

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hydrantio/hydrant/analytics/app"
	"github.com/hydrantio/hydrant/buffer"
	"github.com/hydrantio/hydrant/streams"
)

// Config configures a Server. Zero values take the documented defaults.
type Config struct {
	// Addr is the TCP address ListenAndServe listens on. Default ":4567" (kinesalite's port).
	Addr string
	// Region is the region of requests whose signature does not name one. Default "us-east-1".
	Region string
	// Account is the AWS account every request acts in (signatures are not verified, so the access key
	// does not choose one). Default "000000000000".
	Account string
	// MaxBodyBytes caps a request body. Default 16 MiB: a 10 MiB PutRecords grows by a third in base64,
	// plus JSON and partition keys. Larger bodies get 413.
	MaxBodyBytes int64
	// Metrics, when set, serves GET /metrics (Prometheus exposition).
	Metrics http.Handler
	// MaxInflightBytes bounds the memory all requests in flight may hold together (bodies, and the
	// records a GetRecords reads); requests beyond it wait. Default 256 MiB.
	MaxInflightBytes int64
	// Logger receives internal failures (Error) and one line per request (Debug). Default slog.Default().
	Logger *slog.Logger
	// Now is the clock for pagination tokens. Default time.Now.
	Now func() time.Time
	// ReadHeaderTimeout bounds how long a client may take to send request headers. Default 30s.
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long. Default 120s.
	IdleTimeout time.Duration
	// Firehose, if set, serves the Firehose API (Firehose_20150804.*) from these delivery streams on
	// the same port. Default nil: Firehose targets are unknown operations.
	Firehose *buffer.Manager
	// Analytics, if set, serves the Kinesis Analytics API (KinesisAnalytics_20150814.*, SQL
	// applications) from these applications on the same port. Default nil: its targets are unknown
	// operations.
	Analytics *app.Manager
	// TLS, if set, makes the server speak HTTPS only, HTTP/2 negotiated by ALPN ("h2", then
	// "http/1.1"), instead of HTTP/1.1 and h2c. It needs a certificate (Certificates or
	// GetCertificate); the server uses a copy. Default nil: no TLS.
	TLS *tls.Config
}

// Defaults.
const (
	DefaultAddr         = ":4567"
	DefaultRegion       = "us-east-1"
	DefaultAccount      = "000000000000"
	DefaultMaxBodyBytes = 16 << 20
	DefaultMaxInflight  = 256 << 20
)

func (c *Config) setDefaults() {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Account == "" {
		c.Account = DefaultAccount
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxInflightBytes <= 0 {
		c.MaxInflightBytes = DefaultMaxInflight
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = 30 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 120 * time.Second
	}
}

// Server serves the AWS APIs over HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge, which the JS
// SDK v3 and the Java SDK v2 use) on one port; or, with Config.TLS, over HTTPS with HTTP/2 or HTTP/1.1
// chosen by ALPN (the Java SDK's async client speaks HTTP/2 only over TLS).
type Server struct {
	cfg     Config
	store   *streams.Store
	log     *slog.Logger
	reg     registry
	handler http.Handler
	srv     *http.Server
	closing atomic.Bool
	budget  *memoryBudget
}

// NewServer returns a server for store. It panics if an embedded service model or a handler definition
// is broken, which the package's tests rule out.
func NewServer(cfg Config, store *streams.Store) *Server {
	cfg.setDefaults()
	s := &Server{cfg: cfg, store: store, log: cfg.Logger, reg: registry{}, budget: newMemoryBudget(cfg.MaxInflightBytes)}
	kin, err := newKinesis(store, cfg.Now)
	if err != nil {
		panic("ingest: " + err.Error())
	}
	s.reg.add(kin)
	if cfg.Firehose != nil {
		fh, err := newFirehose(cfg.Firehose, cfg.Now)
		if err != nil {
			panic("ingest: " + err.Error())
		}
		s.reg.add(fh)
	}
	if cfg.Analytics != nil {
		ka, err := newAnalytics(cfg.Analytics, cfg.Now)
		if err != nil {
			panic("ingest: " + err.Error())
		}
		s.reg.add(ka)
	}

	// Not a ServeMux: AWS ignores the path of API requests, and a mux would redirect unclean ones.
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.serveHealth(w, r)
			return
		}
		if r.URL.Path == "/metrics" && r.Method == http.MethodGet && cfg.Metrics != nil {
			cfg.Metrics.ServeHTTP(w, r)
			return
		}
		s.serveAPI(w, r)
	})

	var protocols http.Protocols
	protocols.SetHTTP1(true)
	var tlsConfig *tls.Config
	if cfg.TLS != nil {
		tlsConfig = cfg.TLS.Clone()
		if len(tlsConfig.NextProtos) == 0 {
			tlsConfig.NextProtos = []string{"h2", "http/1.1"}
		}
		protocols.SetHTTP2(true)
	} else {
		protocols.SetUnencryptedHTTP2(true)
	}
	s.srv = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s.handler,
		Protocols:         &protocols,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		HTTP2: &http.HTTP2Config{
			// Large flow-control windows let a 10 MiB PutRecords stream in without waiting on
			// WINDOW_UPDATEs; they bound memory per connection, not per request.
			MaxReceiveBufferPerStream:     8 << 20,
			MaxReceiveBufferPerConnection: 16 << 20,
		},
	}
	return s
}

// Handler returns the server's HTTP handler, for embedding in another server or httptest.
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe listens on Config.Addr and serves until Shutdown. It returns http.ErrServerClosed
// after a Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve serves connections from ln until Shutdown, over TLS if Config.TLS is set. It returns
// http.ErrServerClosed after a Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if s.srv.TLSConfig != nil {
		return s.srv.ServeTLS(ln, "", "")
	}
	return s.srv.Serve(ln)
}

// Shutdown stops accepting connections and waits, until ctx is done, for in-flight requests to finish.
// /health answers 503 from the moment it is called.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// serveHealth answers load balancers and orchestrators: 200 "ok" while serving.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if s.closing.Load() {
		writeRaw(w, http.StatusServiceUnavailable, "text/plain; charset=utf-8", []byte("shutting down"))
		return
	}
	writeRaw(w, http.StatusOK, "text/plain; charset=utf-8", []byte("ok"))
}
