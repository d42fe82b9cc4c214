package buffer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/hydrantio/hydrant/internal/atomicfile"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
)

// The Manager is the registry of delivery streams, per account and region: the control plane of the
// Firehose API and the front of its data plane. It persists each delivery stream on its own and
// starts and stops its delivery (engine.go).
//
// On disk, under Options.Dir (<data-dir>/firehose):
//
//	<account>/<region>/<name>/delivery.json   the delivery stream (JSON, written atomically)
//	<account>/<region>/<name>/...             the delivery's own files (its journal of cuts)
//	trash/                                    deletions in progress; emptied at Open
//
// A DirectPut delivery stream's records live in an internal stream of the store (Scope.Namespace
// "firehose", the delivery stream's name, one shard, 24 h retention as Firehose keeps them):
// PutRecordBatch is one store.PutRecords, acknowledged once durable, and the delivery reads them back
// from the log. A KinesisStreamAsSource delivery stream reads a Kinesis stream of the store.
//
// Statuses follow the clock, as the store's do: a delivery stream is CREATING for TransitionDelay
// after its creation, then ACTIVE; once deleted it stays visible as DELETING for TransitionDelay;
// encryption is ENABLING (DISABLING) for TransitionDelay, then ENABLED (DISABLED). No goroutine flips
// them.
//
// Concurrency: Manager.mu guards the map of delivery streams; each delivery stream's mu guards its
// metadata, and its ctl serializes the control operations that stop and start its delivery
// (UpdateDestination, Delete, Close), which run without holding mu.

// Namespace is the store namespace of DirectPut delivery streams' internal streams.
const Namespace = "firehose"

// partitionKey is the partition key of every record of an internal stream, which has one shard.
const partitionKey = "f"

// Firehose's limits.
const (
	MaxBatchRecords   = 500
	MaxBatchBytes     = 4 << 20   // a PutRecordBatch's data
	MaxRecordBytes    = 1_024_000 // one record's data (1,000 KiB)
	maxTags           = 50
	encryptionCalls   = 25 // Start and Stop together, per delivery stream per 24 h
	defaultQuota      = 5000
	internalRetention = 24 // hours
)

// Options configure a Manager. Zero values take the documented defaults.
type Options struct {
	Dir             string         // <data-dir>/firehose; required
	Store           *streams.Store // required
	Now             func() time.Time
	Logger          *slog.Logger
	TransitionDelay time.Duration // how long CREATING, DELETING, ENABLING and DISABLING last; default 0
	Quota           int           // delivery streams per account and region; default 5,000 (Firehose's)
	// Objects is where deliveries put their objects (S3, MinIO or local files). Without it delivery
	// streams take records but deliver nothing.
	Objects sinks.Sink
	// CreateBuckets makes a delivery create its bucket when it starts, if the sink can (the embedded
	// file sink); S3 buckets must exist, as with Firehose.
	CreateBuckets bool
}

// Manager holds every delivery stream. It is safe for concurrent use.
type Manager struct {
	opts   Options
	now    func() time.Time
	log    *slog.Logger
	store  *streams.Store
	engine engineShared // the delivery engine's state (engine.go)

	mu struct {
		sync.Mutex
		streams map[dsKey]*deliveryStream
		closed  bool
	}
}

type dsKey struct{ account, region, name string }

// deliveryStream is one delivery stream. The delivery engine reads it through its methods: Name,
// Scope, ARN, Dir, Config (with the version id), Source and DeliveryStart.
type deliveryStream struct {
	m   *Manager
	key dsKey
	dir string

	// ctl serializes the operations that stop and restart the delivery; run is the engine's state of
	// this delivery stream (engine.go), guarded by ctl.
	ctl sync.Mutex
	run engineRun

	mu struct {
		sync.RWMutex
		meta         *dsMeta
		deleted      bool
		deletedUntil time.Time
		// encSynced is false while the internal stream's encryption at rest may differ from the
		// delivery stream's (a store transition refused the change); puts retry it.
		encSynced bool
	}
}

// dsMeta is a delivery stream's durable description, kept in delivery.json.
type dsMeta struct {
	Format        int               `json:"format"`
	Name          string            `json:"name"`
	Account       string            `json:"account"`
	Region        string            `json:"region"`
	Created       int64             `json:"created"`                 // Unix ms
	CreatingUntil int64             `json:"creatingUntil,omitempty"` // Unix ms: CREATING before
	Updated       int64             `json:"updated,omitempty"`       // Unix ms of the last UpdateDestination
	VersionID     int64             `json:"versionId"`
	DeliveryStart int64             `json:"deliveryStart,omitempty"` // Unix ms; KinesisStreamAsSource
	Config        Config            `json:"config"`
	Tags          map[string]string `json:"tags,omitempty"`
	Encryption    encryptionMeta    `json:"encryption"`
}

const metaFormat = 1

// Encryption key types and statuses.
const (
	KeyAWSOwned        = "AWS_OWNED_CMK"
	KeyCustomerManaged = "CUSTOMER_MANAGED_CMK"

	EncryptionEnabled   = "ENABLED"
	EncryptionEnabling  = "ENABLING"
	EncryptionDisabled  = "DISABLED"
	EncryptionDisabling = "DISABLING"
)

// Delivery stream statuses.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusDeleting = "DELETING"
)

type encryptionMeta struct {
	On      bool    `json:"on,omitempty"` // the target: ENABLED, else DISABLED
	KeyType string  `json:"keyType,omitempty"`
	KeyARN  string  `json:"keyArn,omitempty"`
	Until   int64   `json:"until,omitempty"` // Unix ms: ENABLING or DISABLING before
	Calls   []int64 `json:"calls,omitempty"` // Unix ms of Start and Stop calls in the last 24 h
}

// Open loads every delivery stream under opts.Dir and starts their deliveries.
func Open(opts Options) (*Manager, error) {
	if opts.Dir == "" || opts.Store == nil {
		return nil, errors.New("buffer: Options.Dir and Options.Store are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Quota <= 0 {
		opts.Quota = defaultQuota
	}
	m := &Manager{opts: opts, now: opts.Now, log: opts.Logger, store: opts.Store}
	m.mu.streams = make(map[dsKey]*deliveryStream)
	if err := os.RemoveAll(m.trashDir()); err != nil {
		return nil, fmt.Errorf("empty firehose trash: %w", err)
	}
	if err := os.MkdirAll(m.trashDir(), 0o755); err != nil {
		return nil, err
	}
	metas, err := filepath.Glob(filepath.Join(opts.Dir, "*", "*", "*", "delivery.json"))
	if err != nil {
		return nil, err
	}
	for _, path := range metas {
		dir := filepath.Dir(path)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		meta := new(dsMeta)
		if err := json.Unmarshal(b, meta); err != nil {
			return nil, fmt.Errorf("load delivery stream %s: %w", dir, err)
		}
		if meta.Format != metaFormat {
			return nil, fmt.Errorf("load delivery stream %s: unknown format %d", dir, meta.Format)
		}
		ds := &deliveryStream{m: m, key: dsKey{meta.Account, meta.Region, meta.Name}, dir: dir}
		ds.mu.meta = meta
		if meta.Config.Type == TypeDirectPut {
			if err := m.ensureInternal(ds); err != nil {
				return nil, err
			}
		}
		m.mu.streams[ds.key] = ds
	}
	for _, ds := range m.sorted() {
		ds.ctl.Lock()
		m.startDelivery(ds)
		ds.ctl.Unlock()
	}
	return m, nil
}

// Close stops every delivery. The Manager refuses everything afterwards; the store is the caller's
// to close, after.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return nil
	}
	m.mu.closed = true
	m.mu.Unlock()
	for _, ds := range m.sorted() {
		ds.ctl.Lock()
		m.stopDelivery(ds)
		ds.ctl.Unlock()
	}
	return nil
}

// startIfOpen starts ds's delivery unless the Manager is closing (Close stops every delivery, each
// under its ctl, which the caller holds).
func (m *Manager) startIfOpen(ds *deliveryStream) {
	m.mu.Lock()
	closed := m.mu.closed
	m.mu.Unlock()
	if !closed {
		m.startDelivery(ds)
	}
}

// sorted returns every delivery stream in the map, by account, region and name.
func (m *Manager) sorted() []*deliveryStream {
	m.mu.Lock()
	out := make([]*deliveryStream, 0, len(m.mu.streams))
	for _, ds := range m.mu.streams {
		out = append(out, ds)
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

func (m *Manager) streamDir(k dsKey) string {
	return filepath.Join(m.opts.Dir, k.account, k.region, k.name)
}

func keyOf(sc streams.Scope, name string) dsKey { return dsKey{sc.Account, sc.Region, name} }

// ARN returns a delivery stream's ARN.
func ARN(sc streams.Scope, name string) string {
	return "arn:aws:firehose:" + sc.Region + ":" + sc.Account + ":deliverystream/" + name
}

func notFound(k dsKey) *streams.Error {
	return &streams.Error{Kind: streams.KindNotFound, Msg: fmt.Sprintf("Firehose %s under account %s not found.", k.name, k.account)}
}

func kindErr(kind streams.ErrorKind, format string, args ...any) *streams.Error {
	return &streams.Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

var errClosed = errors.New("buffer: manager closed")

// lookup finds a delivery stream that exists (in any state, DELETING included).
func (m *Manager) lookup(sc streams.Scope, name string) (*deliveryStream, error) {
	k := keyOf(sc, name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil, errClosed
	}
	ds := m.mu.streams[k]
	if ds == nil {
		return nil, notFound(k)
	}
	if ds.gone(m.now()) {
		delete(m.mu.streams, k)
		return nil, notFound(k)
	}
	return ds, nil
}

// Name is the delivery stream's name.
func (ds *deliveryStream) Name() string { return ds.key.name }

// Scope is the account and region the delivery stream lives in (no namespace).
func (ds *deliveryStream) Scope() streams.Scope {
	return streams.Scope{Account: ds.key.account, Region: ds.key.region}
}

// ARN is the delivery stream's ARN.
func (ds *deliveryStream) ARN() string { return ARN(ds.Scope(), ds.key.name) }

// Dir is the delivery stream's directory, where the delivery keeps its own files (its journal). Delete
// removes it after stopDelivery returns.
func (ds *deliveryStream) Dir() string { return ds.dir }

// Config returns the delivery stream's configuration and the version id it has (the version in
// object names).
func (ds *deliveryStream) Config() (Config, int64) {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	return ds.mu.meta.Config, ds.mu.meta.VersionID
}

// Source returns where the delivery reads the records, in the store's terms, and where a first start
// begins: a DirectPut delivery stream's internal stream from its first record, or the Kinesis stream
// from Source.StartingPosition (LATEST meaning the records that arrived from DeliveryStart on).
func (ds *deliveryStream) Source() (sc streams.Scope, ref streams.StreamRef, startAt string) {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	c := &ds.mu.meta.Config
	if c.Type == TypeKinesisStreamAsSource {
		return ds.Scope(), streams.StreamRef{ARN: c.Source.StreamARN}, c.Source.StartingPosition
	}
	return ds.internalScope(), streams.StreamRef{Name: ds.key.name}, streams.IteratorTrimHorizon
}

// DeliveryStart is when a KinesisStreamAsSource delivery stream starts reading its source (its
// creation), the zero time for DirectPut.
func (ds *deliveryStream) DeliveryStart() time.Time {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	if ds.mu.meta.DeliveryStart == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ds.mu.meta.DeliveryStart)
}

func (ds *deliveryStream) internalScope() streams.Scope {
	return streams.Scope{Account: ds.key.account, Region: ds.key.region, Namespace: Namespace}
}

func (ds *deliveryStream) gone(now time.Time) bool {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	return ds.mu.deleted && !now.Before(ds.mu.deletedUntil)
}

func (ds *deliveryStream) statusLocked(now time.Time) string {
	if ds.mu.deleted {
		return StatusDeleting
	}
	if now.UnixMilli() < ds.mu.meta.CreatingUntil {
		return StatusCreating
	}
	return StatusActive
}

func (e *encryptionMeta) status(now time.Time) string {
	transition := now.UnixMilli() < e.Until
	switch {
	case e.On && transition:
		return EncryptionEnabling
	case e.On:
		return EncryptionEnabled
	case transition:
		return EncryptionDisabling
	}
	return EncryptionDisabled
}

// saveLocked writes the metadata atomically.
func (ds *deliveryStream) saveLocked() error {
	b, err := json.Marshal(ds.mu.meta)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(ds.dir, "delivery.json"), b, 0o644); err != nil {
		return fmt.Errorf("save delivery stream %s: %w", ds.key.name, err)
	}
	return nil
}

// modify runs fn on a copy of the metadata under the write lock and saves the result; fn's error, or a
// failed save, leaves the metadata as it was.
func (ds *deliveryStream) modify(fn func(m *dsMeta) error) error {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.mu.deleted {
		return notFound(ds.key)
	}
	old := ds.mu.meta
	m := *old
	m.Tags = copyTags(old.Tags)
	m.Encryption.Calls = append([]int64(nil), old.Encryption.Calls...)
	if err := fn(&m); err != nil {
		return err
	}
	ds.mu.meta = &m
	if err := ds.saveLocked(); err != nil {
		ds.mu.meta = old
		return err
	}
	return nil
}

// EncryptionInput is DeliveryStreamEncryptionConfigurationInput.
type EncryptionInput struct {
	KeyType string // KeyAWSOwned or KeyCustomerManaged
	KeyARN  string // CUSTOMER_MANAGED_CMK only
}

func (e *EncryptionInput) validate() error {
	switch e.KeyType {
	case KeyAWSOwned:
		if e.KeyARN != "" {
			return kindErr(streams.KindInvalidArgument, "KeyARN cannot be specified when KeyType is AWS_OWNED_CMK")
		}
	case KeyCustomerManaged:
		if e.KeyARN == "" {
			return kindErr(streams.KindInvalidArgument, "KeyARN has to be specified when KeyType is CUSTOMER_MANAGED_CMK")
		}
	default:
		return kindErr(streams.KindInvalidArgument, "Invalid KeyType %s.", e.KeyType)
	}
	return nil
}

var errEncryptionSource = kindErr(streams.KindInvalidArgument, "Server side encryption from firehose is only allowed "+
	"for direct put delivery streams and database as a source delivery streams")

// CreateInput is what Create takes.
type CreateInput struct {
	Name       string
	Config     Config
	Tags       map[string]string
	Encryption *EncryptionInput // nil: no server-side encryption
}

// Create creates a delivery stream and starts its delivery. It is CREATING for TransitionDelay.
func (m *Manager) Create(sc streams.Scope, in CreateInput) (arn string, err error) {
	k := keyOf(sc, in.Name)
	if in.Name == "." || in.Name == ".." {
		return "", kindErr(streams.KindInvalidArgument, "Hydrant cannot name a delivery stream %s.", in.Name)
	}
	if err := in.Config.Validate(); err != nil {
		return "", err
	}
	if in.Encryption != nil {
		if in.Config.Type != TypeDirectPut {
			return "", errEncryptionSource
		}
		if err := in.Encryption.validate(); err != nil {
			return "", err
		}
	}
	if err := checkTags(nil, in.Tags); err != nil {
		return "", err
	}
	if in.Config.Type == TypeKinesisStreamAsSource {
		info, err := m.store.DescribeStream(streams.Scope{Account: sc.Account, Region: sc.Region},
			streams.StreamRef{ARN: in.Config.Source.StreamARN})
		if err != nil {
			if streams.KindOf(err) == 0 {
				return "", err
			}
			return "", kindErr(streams.KindInvalidArgument, "Firehose cannot read the source stream %s: %s",
				in.Config.Source.StreamARN, err.Error())
		}
		in.Config.Source.StreamARN = info.ARN
	}

	ds, err := m.create(k, in)
	if err != nil {
		return "", err
	}
	ds.ctl.Lock()
	m.startIfOpen(ds)
	ds.ctl.Unlock()
	return ds.ARN(), nil
}

// create makes the delivery stream's files and internal stream and enters it in the map.
func (m *Manager) create(k dsKey, in CreateInput) (*deliveryStream, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil, errClosed
	}
	if old := m.mu.streams[k]; old != nil {
		if !old.gone(now) {
			return nil, kindErr(streams.KindInUse, "Firehose %s under accountId %s already exists", k.name, k.account)
		}
		delete(m.mu.streams, k)
	}
	n := 0
	for ok, ds := range m.mu.streams {
		if ok.account == k.account && ok.region == k.region && !ds.gone(now) {
			n++
		}
	}
	if n >= m.opts.Quota {
		return nil, kindErr(streams.KindLimitExceeded, "You have already consumed your firehose quota of %d hoses "+
			"in account %s in %s.", m.opts.Quota, k.account, k.region)
	}
	meta := &dsMeta{
		Format:    metaFormat,
		Name:      k.name,
		Account:   k.account,
		Region:    k.region,
		Created:   now.UnixMilli(),
		VersionID: 1,
		Config:    in.Config,
		Tags:      copyTags(in.Tags),
	}
	if d := m.opts.TransitionDelay; d > 0 {
		meta.CreatingUntil = now.Add(d).UnixMilli()
	}
	if in.Config.Type == TypeKinesisStreamAsSource {
		meta.DeliveryStart = now.UnixMilli()
	}
	if e := in.Encryption; e != nil {
		meta.Encryption = encryptionMeta{On: true, KeyType: e.KeyType, KeyARN: e.KeyARN}
	}
	ds := &deliveryStream{m: m, key: k, dir: m.streamDir(k)}
	ds.mu.meta = meta
	// A directory left by a delete or create that crashed half way is replaced.
	if err := os.RemoveAll(ds.dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(ds.dir, 0o755); err != nil {
		return nil, err
	}
	if in.Config.Type == TypeDirectPut {
		if err := m.createInternal(ds); err != nil {
			os.RemoveAll(ds.dir)
			return nil, err
		}
	}
	ds.mu.Lock()
	err := ds.saveLocked()
	ds.mu.Unlock()
	if err == nil {
		err = atomicfile.SyncDir(filepath.Dir(ds.dir))
	}
	if err != nil {
		os.RemoveAll(ds.dir)
		if in.Config.Type == TypeDirectPut {
			m.deleteInternal(ds)
		}
		return nil, err
	}
	m.mu.streams[k] = ds
	return ds, nil
}

// createInternal creates a DirectPut delivery stream's internal stream, replacing one left over by a
// delete that crashed before removing it.
func (m *Manager) createInternal(ds *deliveryStream) error {
	in := streams.CreateStreamInput{Name: ds.key.name, ShardCount: 1}
	err := m.store.CreateStream(ds.internalScope(), in)
	if streams.KindOf(err) == streams.KindInUse {
		m.log.Warn("firehose: replacing a leftover internal stream", "delivery_stream", ds.key.name)
		if err := m.store.DeleteStream(ds.internalScope(), streams.StreamRef{Name: ds.key.name}, true); err != nil {
			return fmt.Errorf("replace internal stream of %s: %w", ds.key.name, err)
		}
		err = m.store.CreateStream(ds.internalScope(), in)
	}
	if err != nil {
		return fmt.Errorf("create internal stream of %s: %w", ds.key.name, err)
	}
	ds.syncEncryption()
	return nil
}

// ensureInternal recreates the internal stream of a loaded DirectPut delivery stream if it is missing
// (its records are then lost; the store holds them, so only a damaged data directory does that).
func (m *Manager) ensureInternal(ds *deliveryStream) error {
	if _, err := m.store.DescribeStream(ds.internalScope(), streams.StreamRef{Name: ds.key.name}); err == nil {
		ds.syncEncryption()
		return nil
	} else if streams.KindOf(err) != streams.KindNotFound {
		return err
	}
	m.log.Error("firehose: internal stream missing, recreated empty", "delivery_stream", ds.key.name,
		"account", ds.key.account, "region", ds.key.region)
	return m.createInternal(ds)
}

func (m *Manager) deleteInternal(ds *deliveryStream) {
	err := m.store.DeleteStream(ds.internalScope(), streams.StreamRef{Name: ds.key.name}, true)
	if err != nil && streams.KindOf(err) != streams.KindNotFound {
		m.log.Warn("firehose: delete internal stream", "delivery_stream", ds.key.name, "err", err)
	}
}

// syncEncryption brings the internal stream's encryption at rest in line with the delivery stream's
// (records written from now on are sealed, or not). A store transition in progress refuses the
// change; puts try again until it is made.
func (ds *deliveryStream) syncEncryption() {
	ds.mu.RLock()
	on := ds.mu.meta.Encryption.On
	ds.mu.RUnlock()
	sc, ref := ds.internalScope(), streams.StreamRef{Name: ds.key.name}
	info, err := ds.m.store.DescribeStream(sc, ref)
	if err == nil && (info.EncryptionType == streams.EncryptionKMS) != on {
		if on {
			err = ds.m.store.StartEncryption(sc, ref, "alias/aws/firehose")
		} else {
			err = ds.m.store.StopEncryption(sc, ref, info.KeyID)
		}
	}
	ds.mu.Lock()
	ds.mu.encSynced = err == nil
	ds.mu.Unlock()
}

// Delete deletes a delivery stream: it stops its delivery (records not yet delivered are dropped, as
// Firehose drops them), then removes its internal stream and its directory. With a TransitionDelay
// it stays visible as DELETING for that long.
func (m *Manager) Delete(sc streams.Scope, name string) error {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	ds.ctl.Lock()
	defer ds.ctl.Unlock()
	now := m.now()
	ds.mu.Lock()
	switch ds.statusLocked(now) {
	case StatusDeleting:
		ds.mu.Unlock()
		return notFound(ds.key)
	case StatusCreating:
		ds.mu.Unlock()
		return kindErr(streams.KindInUse, "Firehose %s under account %s is in CREATING state and cannot be deleted "+
			"until it is ACTIVE.", ds.key.name, ds.key.account)
	}
	ds.mu.deleted = true
	ds.mu.deletedUntil = now.Add(m.opts.TransitionDelay)
	typ := ds.mu.meta.Config.Type
	ds.mu.Unlock()

	m.stopDelivery(ds)
	trash := filepath.Join(m.trashDir(), fmt.Sprintf("%s-%s-%s-%d", ds.key.account, ds.key.region, ds.key.name, now.UnixNano()))
	if err := os.Rename(ds.dir, trash); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete delivery stream %s: %w", ds.key.name, err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(ds.dir)); err != nil {
		return err
	}
	if typ == TypeDirectPut {
		m.deleteInternal(ds)
	}
	if m.opts.TransitionDelay == 0 {
		m.mu.Lock()
		if m.mu.streams[ds.key] == ds {
			delete(m.mu.streams, ds.key)
		}
		m.mu.Unlock()
	}
	return os.RemoveAll(trash)
}

// Description is a delivery stream as DescribeDeliveryStream shows it.
type Description struct {
	Name          string
	ARN           string
	Status        string
	VersionID     int64
	Created       time.Time
	Updated       time.Time // zero until the first UpdateDestination
	DeliveryStart time.Time // KinesisStreamAsSource
	Config        Config
	DestinationID string
	Encryption    EncryptionStatus
}

// EncryptionStatus is DeliveryStreamEncryptionConfiguration.
type EncryptionStatus struct {
	KeyType string // "" when never enabled
	KeyARN  string
	Status  string // ENABLED, ENABLING, DISABLED, DISABLING
}

func (ds *deliveryStream) describe(now time.Time) Description {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	m := ds.mu.meta
	d := Description{
		Name:          m.Name,
		ARN:           ds.ARN(),
		Status:        ds.statusLocked(now),
		VersionID:     m.VersionID,
		Created:       time.UnixMilli(m.Created).UTC(),
		Config:        m.Config,
		DestinationID: DestinationID,
		Encryption:    EncryptionStatus{KeyType: m.Encryption.KeyType, KeyARN: m.Encryption.KeyARN, Status: m.Encryption.status(now)},
	}
	if m.Updated != 0 {
		d.Updated = time.UnixMilli(m.Updated).UTC()
	}
	if m.DeliveryStart != 0 {
		d.DeliveryStart = time.UnixMilli(m.DeliveryStart).UTC()
	}
	return d
}

// Describe returns a delivery stream's description.
func (m *Manager) Describe(sc streams.Scope, name string) (Description, error) {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return Description{}, err
	}
	return ds.describe(m.now()), nil
}

// List returns the names of the scope's delivery streams of type typ ("" for all types), sorted.
func (m *Manager) List(sc streams.Scope, typ string) []string {
	now := m.now()
	var names []string
	for _, ds := range m.sorted() {
		if ds.key.account != sc.Account || ds.key.region != sc.Region || ds.gone(now) {
			continue
		}
		ds.mu.RLock()
		t := ds.mu.meta.Config.Type
		ds.mu.RUnlock()
		if typ == "" || t == typ {
			names = append(names, ds.key.name)
		}
	}
	return names
}

// UpdateDestination changes a delivery stream's destination. versionID must be the current version id
// (else KindConflict: ConcurrentModificationException) and destinationID the destination's. update
// gets the current configuration and returns the new one (the ingest layer merges the API's update
// into Config.API there); it runs under the delivery stream's control lock, so updates do not
// interleave. The type and the source do not change. The version id goes up by one and the delivery
// restarts with the new configuration.
func (m *Manager) UpdateDestination(sc streams.Scope, name, versionID, destinationID string,
	update func(cur Config) (Config, error)) error {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	ds.ctl.Lock()
	defer ds.ctl.Unlock()
	now := m.now()
	ds.mu.RLock()
	status := ds.statusLocked(now)
	cur := ds.mu.meta.Config
	version := ds.mu.meta.VersionID
	ds.mu.RUnlock()
	switch status {
	case StatusDeleting:
		return notFound(ds.key)
	case StatusCreating:
		return kindErr(streams.KindInUse, "Firehose %s under account %s is not ACTIVE, instead in state %s.",
			ds.key.name, ds.key.account, status)
	}
	if versionID != strconv.FormatInt(version, 10) {
		return kindErr(streams.KindConflict, "Cannot update firehose: %s since the current version id: %d and "+
			"specified version id: %s do not match", ds.key.name, version, versionID)
	}
	if destinationID != DestinationID {
		return kindErr(streams.KindInvalidArgument, "Destination Id %s not found", destinationID)
	}
	next, err := update(cur)
	if err != nil {
		return err
	}
	next.Type, next.Source = cur.Type, cur.Source
	if next.Destination.DynamicPartitioning != cur.Destination.DynamicPartitioning {
		return kindErr(streams.KindInvalidArgument, "Dynamic Partitioning can only be enabled when the delivery stream is "+
			"created, and never disabled.")
	}
	if err := next.Validate(); err != nil {
		return err
	}
	m.stopDelivery(ds)
	err = ds.modify(func(meta *dsMeta) error {
		meta.Config = next
		meta.VersionID++
		meta.Updated = now.UnixMilli()
		return nil
	})
	m.startIfOpen(ds)
	return err
}

// Tag adds or replaces tags.
func (m *Manager) Tag(sc streams.Scope, name string, tags map[string]string) error {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	return ds.modify(func(meta *dsMeta) error {
		if err := checkTags(meta.Tags, tags); err != nil {
			return err
		}
		if meta.Tags == nil {
			meta.Tags = make(map[string]string, len(tags))
		}
		for k, v := range tags {
			meta.Tags[k] = v
		}
		return nil
	})
}

// Untag removes tags; absent keys are ignored.
func (m *Manager) Untag(sc streams.Scope, name string, keys []string) error {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	return ds.modify(func(meta *dsMeta) error {
		for _, k := range keys {
			delete(meta.Tags, k)
		}
		return nil
	})
}

// ListTags returns a delivery stream's tags.
func (m *Manager) ListTags(sc streams.Scope, name string) (map[string]string, error) {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return nil, err
	}
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	if ds.mu.deleted {
		return nil, notFound(ds.key)
	}
	return copyTags(ds.mu.meta.Tags), nil
}

// checkTags validates tags to be added to existing ones: at most 50 in all, keys and values of
// Unicode letters, digits, white space and _ . : / = + - @ %, keys not starting with "aws:".
func checkTags(existing, add map[string]string) error {
	n := len(existing)
	for k, v := range add {
		if _, ok := existing[k]; !ok {
			n++
		}
		if k == "" || len(k) > 128 || len(v) > 256 || !validTagText(k) || !validTagText(v) {
			return kindErr(streams.KindInvalidArgument, "Tag %q: keys are 1 to 128 and values 0 to 256 Unicode letters, "+
				"digits, white space, _ . : / = + - @ %%.", k)
		}
		if strings.HasPrefix(k, "aws:") {
			return kindErr(streams.KindInvalidArgument, "Tag keys may not start with 'aws:'.")
		}
	}
	if n > maxTags {
		return kindErr(streams.KindLimitExceeded, "A delivery stream cannot have more than %d tags.", maxTags)
	}
	return nil
}

func validTagText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Z, r) ||
			strings.ContainsRune("_.:/=+-@%", r) {
			continue
		}
		return false
	}
	return true
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

// StartEncryption turns on server-side encryption (DirectPut only): ENABLING for TransitionDelay,
// then ENABLED. On an encrypted delivery stream it changes the key.
func (m *Manager) StartEncryption(sc streams.Scope, name string, in EncryptionInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return m.setEncryption(sc, name, true, in)
}

// StopEncryption turns server-side encryption off: DISABLING for TransitionDelay, then DISABLED.
// Stopping it when it is off does nothing.
func (m *Manager) StopEncryption(sc streams.Scope, name string) error {
	return m.setEncryption(sc, name, false, EncryptionInput{})
}

func (m *Manager) setEncryption(sc streams.Scope, name string, on bool, in EncryptionInput) error {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	now := m.now()
	changed := false
	err = ds.modify(func(meta *dsMeta) error {
		if meta.Config.Type != TypeDirectPut {
			return errEncryptionSource
		}
		if status := ds.statusLocked(now); status != StatusActive {
			return kindErr(streams.KindInUse, "Firehose %s under account %s is not ACTIVE, instead in state %s.",
				ds.key.name, ds.key.account, status)
		}
		e := &meta.Encryption
		switch st := e.status(now); st {
		case EncryptionEnabling, EncryptionDisabling:
			return kindErr(streams.KindInUse, "Firehose %s under account %s has encryption status %s: wait until it "+
				"is done.", ds.key.name, ds.key.account, st)
		case EncryptionDisabled:
			if !on {
				return nil
			}
		}
		calls := e.Calls[:0]
		for _, c := range e.Calls {
			if now.UnixMilli()-c < (24 * time.Hour).Milliseconds() {
				calls = append(calls, c)
			}
		}
		if len(calls) >= encryptionCalls {
			return kindErr(streams.KindLimitExceeded, "Firehose %s under account %s has had %d "+
				"StartDeliveryStreamEncryption and StopDeliveryStreamEncryption calls in the last 24 hours, the limit.",
				ds.key.name, ds.key.account, encryptionCalls)
		}
		e.Calls = append(calls, now.UnixMilli())
		e.On = on
		if on {
			e.KeyType, e.KeyARN = in.KeyType, in.KeyARN
		}
		e.Until = 0
		if d := m.opts.TransitionDelay; d > 0 {
			e.Until = now.Add(d).UnixMilli()
		}
		changed = true
		return nil
	})
	if err == nil && changed {
		ds.syncEncryption()
	}
	return err
}

// PutResult is PutRecordBatch's answer: one entry per record, in request order.
type PutResult struct {
	Records   []RecordResult
	Failed    int  // entries with an ErrorCode
	Encrypted bool // server-side encryption is ENABLED
}

// RecordResult is the outcome of one record: a RecordId, or an error code and message.
type RecordResult struct {
	RecordID     string
	ErrorCode    string
	ErrorMessage string
}

// PutRecords writes records to a DirectPut delivery stream and returns once they are durable in its
// internal stream. A record's RecordId is its sequence number there. Records the log refuses one by
// one (its throughput limits) fail with ServiceUnavailableException, as Firehose throttles.
func (m *Manager) PutRecords(ctx context.Context, sc streams.Scope, name string, records [][]byte) (PutResult, error) {
	ds, err := m.lookup(sc, name)
	if err != nil {
		return PutResult{}, err
	}
	now := m.now()
	ds.mu.RLock()
	status := ds.statusLocked(now)
	typ := ds.mu.meta.Config.Type
	encrypted := ds.mu.meta.Encryption.status(now) == EncryptionEnabled
	synced := ds.mu.encSynced
	ds.mu.RUnlock()
	if status != StatusActive {
		return PutResult{}, notFound(ds.key)
	}
	if typ != TypeDirectPut {
		return PutResult{}, kindErr(streams.KindInvalidArgument, "This operation is not permitted on %s delivery stream type.", typ)
	}
	if len(records) == 0 || len(records) > MaxBatchRecords {
		return PutResult{}, kindErr(streams.KindInvalidArgument, "A batch holds 1 to %d records.", MaxBatchRecords)
	}
	total := 0
	for _, r := range records {
		if len(r) > MaxRecordBytes {
			return PutResult{}, kindErr(streams.KindInvalidArgument, "Record size exceeds %d bytes limit.", MaxRecordBytes)
		}
		total += len(r)
	}
	if total > MaxBatchBytes {
		return PutResult{}, kindErr(streams.KindInvalidArgument, "Records size exceeds 4 MB limit")
	}
	if !synced {
		ds.syncEncryption()
	}
	entries := make([]streams.PutEntry, len(records))
	for i, r := range records {
		entries[i] = streams.PutEntry{Data: r, PartitionKey: partitionKey}
	}
	res, _, err := m.store.PutRecords(ctx, ds.internalScope(), streams.StreamRef{Name: ds.key.name}, entries)
	if err != nil {
		if streams.KindOf(err) == streams.KindNotFound {
			// The internal stream is not writable yet (the store's own CREATING), or is being deleted.
			return PutResult{}, kindErr(streams.KindThroughputExceeded, "Slow down.")
		}
		return PutResult{}, err
	}
	out := PutResult{Records: make([]RecordResult, len(res)), Encrypted: encrypted}
	for i, r := range res {
		switch r.ErrorCode {
		case "":
		case "InternalFailure": // the internal stream's shard failed to write (a disk error)
			out.Records[i] = RecordResult{ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure."}
			out.Failed++
			continue
		default: // throttled
			out.Records[i] = RecordResult{ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down."}
			out.Failed++
			continue
		}
		out.Records[i] = RecordResult{RecordID: r.SequenceNumber}
	}
	return out, nil
}
