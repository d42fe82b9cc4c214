package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/hydrantio/hydrant/analytics/runtime"
	"github.com/hydrantio/hydrant/internal/atomicfile"
	"github.com/hydrantio/hydrant/streams"
)

// Application statuses.
const (
	StatusReady    = "READY"
	StatusStarting = "STARTING"
	StatusRunning  = "RUNNING"
	StatusStopping = "STOPPING"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
)

// DefaultQuota is the number of applications an account may have per region (Kinesis Data
// Analytics' default limit).
const DefaultQuota = 50

// DefaultMaxReferenceBytes bounds the size of a reference data object, which is held in memory.
const DefaultMaxReferenceBytes = 64 << 20

// DefaultObjectTimeout bounds the reading of one S3 object (reference data, DiscoverInputSchema's S3
// form). The S3 reader retries an unreachable endpoint until its context ends, and a start holds its
// application meanwhile: without a bound, a down endpoint would hang StartApplication, the server's
// start (which resumes RUNNING applications) and its shutdown.
const DefaultObjectTimeout = 30 * time.Second

// DeliveryStreams gives the analytics runtime access to Firehose delivery streams without importing
// buffer (buffer and analytics are siblings over streams); buffer/analytics.go implements it.
type DeliveryStreams interface {
	// Log is the internal stream holding a DirectPut delivery stream's records: the runtime reads it for
	// a Firehose input and appends to it for a Firehose output. Errors: not found, or not DirectPut.
	Log(sc streams.Scope, name string) (streams.Scope, streams.StreamRef, error)
}

// ObjectReader reads S3 objects: reference data, and the S3 form of DiscoverInputSchema. The S3 and
// file sinks provide it.
type ObjectReader interface {
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, error)
}

// Run is a running application: what runtime.Start returns.
type Run interface {
	Stop() error
	Err() error            // the error that ended the run by itself, once Done is closed
	Done() <-chan struct{} // closed when the run has ended, stopped or by itself
}

// Starter starts a run; runtime.Start by default. Tests give their own.
type Starter func(ctx context.Context, store *streams.Store, cfg runtime.Config) (Run, error)

// Options configure a Manager. Zero values take the documented defaults.
type Options struct {
	Dir               string          // <data-dir>/analytics; required
	Store             *streams.Store  // required
	DeliveryStreams   DeliveryStreams // Firehose inputs and outputs; without it they cannot start
	Objects           ObjectReader    // reference data; without it applications with one cannot start
	Now               func() time.Time
	Logger            *slog.Logger
	Quota             int           // applications per account and region; default DefaultQuota
	MaxReferenceBytes int64         // default DefaultMaxReferenceBytes
	ObjectTimeout     time.Duration // default DefaultObjectTimeout
	Start             Starter       // default runtime.Start
	// ResumeRetry is the first wait before trying again to resume, after a failure, an application that
	// was RUNNING when the server stopped; it doubles up to a minute. Default one second.
	ResumeRetry time.Duration
}

// Manager holds every application. It is safe for concurrent use.
type Manager struct {
	opts Options
	now  func() time.Time
	log  *slog.Logger
	// ctx is the runs' context: a run outlives the request that started it, and ends with Close.
	ctx      context.Context
	cancel   context.CancelFunc
	resumers sync.WaitGroup // goroutines watching runs and retrying applications (resume.go)

	mu struct {
		sync.Mutex
		apps   map[appKey]*application
		closed bool
	}
}

type appKey struct{ account, region, name string }

func keyOf(sc streams.Scope, name string) appKey { return appKey{sc.Account, sc.Region, name} }

// application is one application. ctl serializes the operations that change it or its run; run is
// guarded by ctl; mu guards the metadata and the transient status.
type application struct {
	m   *Manager
	key appKey
	dir string

	ctl sync.Mutex
	run Run
	// Under ctl, for the retries of resume.go: the error that ended or refused the last run (RunErr),
	// whether a goroutine is retrying, its wait before the next attempt, and the channel that has it
	// start that wait again.
	lastErr  error
	retrying bool
	backoff  time.Duration
	kick     chan struct{}

	mu struct {
		sync.RWMutex
		meta *appMeta
		// transient is STARTING, STOPPING, UPDATING or DELETING while an operation is under way, "" else.
		transient string
		deleted   bool
	}
}

// appMeta is an application's durable description, kept in application.json.
type appMeta struct {
	Format  int               `json:"format"`
	Name    string            `json:"name"`
	Account string            `json:"account"`
	Region  string            `json:"region"`
	Created int64             `json:"created"` // Unix ms
	Updated int64             `json:"updated"` // Unix ms of the last configuration change
	Version int64             `json:"version"`
	Status  string            `json:"status"` // READY or RUNNING: what a restart of the server resumes
	Config  Config            `json:"config"`
	Tags    map[string]string `json:"tags,omitempty"`
	// LastID counts the ids given so far, per kind, so that a deleted id is never given again.
	LastID struct {
		Input     int `json:"input,omitempty"`
		Output    int `json:"output,omitempty"`
		Reference int `json:"reference,omitempty"`
		Logging   int `json:"logging,omitempty"`
	} `json:"lastId"`
}

const metaFormat = 1

// ARN returns an application's ARN.
func ARN(sc streams.Scope, name string) string {
	return "arn:aws:kinesisanalytics:" + sc.Region + ":" + sc.Account + ":application/" + name
}

var errClosed = errors.New("analytics: manager closed")

// Open loads every application under opts.Dir and starts again those that were RUNNING.
func Open(opts Options) (*Manager, error) {
	if opts.Dir == "" || opts.Store == nil {
		return nil, errors.New("analytics: Options.Dir and Options.Store are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Quota <= 0 {
		opts.Quota = DefaultQuota
	}
	if opts.MaxReferenceBytes <= 0 {
		opts.MaxReferenceBytes = DefaultMaxReferenceBytes
	}
	if opts.ObjectTimeout <= 0 {
		opts.ObjectTimeout = DefaultObjectTimeout
	}
	if opts.ResumeRetry <= 0 {
		opts.ResumeRetry = time.Second
	}
	if opts.Start == nil {
		opts.Start = func(ctx context.Context, store *streams.Store, cfg runtime.Config) (Run, error) {
			r, err := runtime.Start(ctx, store, cfg)
			if err != nil {
				return nil, err
			}
			return r, nil
		}
	}
	m := &Manager{opts: opts, now: opts.Now, log: opts.Logger}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.mu.apps = make(map[appKey]*application)
	if err := os.RemoveAll(m.trashDir()); err != nil {
		return nil, fmt.Errorf("empty analytics trash: %w", err)
	}
	if err := os.MkdirAll(m.trashDir(), 0o755); err != nil {
		return nil, err
	}
	paths, err := filepath.Glob(filepath.Join(opts.Dir, "*", "*", "*", "application.json"))
	if err != nil {
		return nil, err
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		meta := new(appMeta)
		if err := json.Unmarshal(b, meta); err != nil {
			return nil, fmt.Errorf("load application %s: %w", filepath.Dir(path), err)
		}
		if meta.Format != metaFormat {
			return nil, fmt.Errorf("load application %s: unknown format %d", filepath.Dir(path), meta.Format)
		}
		a := &application{m: m, key: appKey{meta.Account, meta.Region, meta.Name}, dir: filepath.Dir(path)}
		a.mu.meta = meta
		m.mu.apps[a.key] = a
	}
	for _, a := range m.sorted() {
		a.ctl.Lock()
		if a.meta().Status == StatusRunning {
			m.resume(a)
		}
		a.ctl.Unlock()
	}
	return m, nil
}

// Close stops every run, each with a checkpoint; RUNNING applications stay RUNNING on disk, so that
// the next Open starts them again. The store is the caller's to close, after.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return nil
	}
	m.mu.closed = true
	m.mu.Unlock()
	var errs []error
	for _, a := range m.sorted() {
		a.ctl.Lock()
		if a.run != nil {
			if err := a.run.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop application %s: %w", a.key.name, err))
			}
			a.run = nil
		}
		a.ctl.Unlock()
	}
	m.cancel()
	m.resumers.Wait()
	return errors.Join(errs...)
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mu.closed
}

// sorted returns every application by account, region and name.
func (m *Manager) sorted() []*application {
	m.mu.Lock()
	out := make([]*application, 0, len(m.mu.apps))
	for _, a := range m.mu.apps {
		out = append(out, a)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].key, out[j].key
		if a.account != b.account {
			return a.account < b.account
		}
		if a.region != b.region {
			return a.region < b.region
		}
		return a.name < b.name
	})
	return out
}

func (m *Manager) trashDir() string { return filepath.Join(m.opts.Dir, "trash") }

func (m *Manager) appDir(k appKey) string {
	return filepath.Join(m.opts.Dir, k.account, k.region, k.name)
}

// lookup finds an application that exists.
func (m *Manager) lookup(sc streams.Scope, name string) (*application, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil, errClosed
	}
	a := m.mu.apps[keyOf(sc, name)]
	if a == nil {
		return nil, notFound(name)
	}
	return a, nil
}

// lookupARN finds an application by its ARN, which must be of the scope's account and region.
func (m *Manager) lookupARN(sc streams.Scope, arn string) (*application, error) {
	region, account, name, ok := parseARN(arn, "kinesisanalytics", "application/")
	if !ok {
		return nil, invalidArg("Invalid application ARN %s.", arn)
	}
	if region != sc.Region || account != sc.Account {
		return nil, notFound(name)
	}
	return m.lookup(sc, name)
}

func (a *application) scope() streams.Scope {
	return streams.Scope{Account: a.key.account, Region: a.key.region}
}

func (a *application) meta() *appMeta {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.mu.meta
}

func (a *application) status() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.statusLocked()
}

func (a *application) statusLocked() string {
	if a.mu.transient != "" {
		return a.mu.transient
	}
	return a.mu.meta.Status
}

func (a *application) setTransient(s string) {
	a.mu.Lock()
	a.mu.transient = s
	a.mu.Unlock()
}

// saveLocked writes the metadata atomically; the caller holds a.mu.
func (a *application) saveLocked() error {
	b, err := json.Marshal(a.mu.meta)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(a.dir, "application.json"), b, 0o644); err != nil {
		return fmt.Errorf("save application %s: %w", a.key.name, err)
	}
	return nil
}

// modify runs fn on a copy of the metadata and saves the result; fn's error, or a failed save, leaves
// the metadata as it was. Metadata is replaced, never changed in place, so a *appMeta read under mu
// stays valid without it.
func (a *application) modify(fn func(m *appMeta) error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.mu.deleted {
		return notFound(a.key.name)
	}
	if a.mu.transient == StatusDeleting {
		// Only tags change without ctl; the directory they would be saved in is going away.
		return kindErr(streams.KindInUse, "Application %s is in DELETING state.", a.key.name)
	}
	old := a.mu.meta
	m := *old
	m.Config = old.Config.clone()
	m.Tags = copyTags(old.Tags)
	if err := fn(&m); err != nil {
		return err
	}
	a.mu.meta = &m
	if err := a.saveLocked(); err != nil {
		a.mu.meta = old
		return err
	}
	return nil
}

func copyTags(t map[string]string) map[string]string {
	if len(t) == 0 {
		return nil
	}
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}
