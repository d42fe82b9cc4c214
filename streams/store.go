package streams

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hydrantio/hydrant/internal/atomicfile"
)

// Options configure a Store. Zero values take the documented defaults.
type Options struct {
	Dir             string        // data directory; required
	Sync            SyncMode      // SyncAlways (default): acknowledge after fsync
	SyncInterval    time.Duration // for SyncInterval; default 200ms
	ShardLimits     bool          // enforce AWS per-shard throughput limits
	TransitionDelay time.Duration // how long CREATING/UPDATING/DELETING last; default 0 (immediate)
	ShardQuota      int           // open shards per account and region; default 20000
	SegmentBytes    int64         // shard log segment size; default the log's (64 MiB)
	SweepInterval   time.Duration // how often retention runs; default 1 minute
	Now             func() time.Time
	Logger          *slog.Logger

	// openFile, when set, opens the shard logs' files (tests inject faults through it).
	openFile func(name string, flag int, perm os.FileMode) (logFile, error)
}

// Store holds every stream of every account and region under one data directory.
//
// Layout:
//
//	<dir>/iterator.key                         HMAC key authenticating shard iterators
//	<dir>/encryption.key                       AES-256 key for streams with encryption on
//	<dir>/accounts/<account>/<region>.json     account settings
//	<dir>/streams/<account>/<region>/<name>/stream.json
//	<dir>/streams/<account>/<region>/<name>/shardId-000000000000/   one shard log (see LogOptions)
//	<dir>/trash/                               streams being deleted; emptied at start-up
//
// Concurrency: Store.mu guards the stream map; each stream has its own lock for its metadata and
// shards. Record appends take the stream's read lock only to route and queue, never while waiting for
// fsync.
type Store struct {
	opts    Options
	now     func() time.Time
	logger  *slog.Logger
	iterKey []byte
	crypt   *crypter

	mu struct {
		sync.RWMutex
		streams  map[streamKey]*stream
		settings map[Scope]string
		closed   bool
	}

	stop chan struct{}
	wg   sync.WaitGroup
}

type streamKey struct {
	account, region, name string
	namespace             string // Scope.Namespace
}

func (k streamKey) scope() Scope {
	return Scope{Account: k.account, Region: k.region, Namespace: k.namespace}
}

// Open opens the store in opts.Dir, recovering every stream's logs.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("streams: Options.Dir is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShardQuota == 0 {
		opts.ShardQuota = 20000
	}
	if opts.SweepInterval == 0 {
		opts.SweepInterval = time.Minute
	}
	s := &Store{opts: opts, now: opts.Now, logger: opts.Logger, stop: make(chan struct{})}
	s.mu.streams = make(map[streamKey]*stream)
	s.mu.settings = make(map[Scope]string)
	for _, d := range []string{opts.Dir, s.streamsDir(), s.trashDir(), filepath.Join(opts.Dir, "accounts")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	var err error
	if s.iterKey, err = loadOrCreateKey(filepath.Join(opts.Dir, "iterator.key")); err != nil {
		return nil, err
	}
	key, err := loadOrCreateKey(filepath.Join(opts.Dir, "encryption.key"))
	if err != nil {
		return nil, err
	}
	if s.crypt, err = newCrypter(key); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(s.trashDir()); err != nil {
		return nil, fmt.Errorf("empty trash: %w", err)
	}
	if err := os.MkdirAll(s.trashDir(), 0o755); err != nil {
		return nil, err
	}
	if err := s.loadSettings(); err != nil {
		return nil, err
	}
	if err := s.loadStreams(); err != nil {
		s.closeStreams()
		return nil, err
	}
	s.sweep()
	s.wg.Add(1)
	go s.sweepLoop()
	return s, nil
}

func (s *Store) streamsDir() string { return filepath.Join(s.opts.Dir, "streams") }
func (s *Store) trashDir() string   { return filepath.Join(s.opts.Dir, "trash") }

func (s *Store) streamDir(k streamKey) string {
	if k.namespace != "" {
		return filepath.Join(s.internalDir(), k.namespace, k.account, k.region, k.name)
	}
	return filepath.Join(s.streamsDir(), k.account, k.region, k.name)
}

// internalDir holds namespaced streams: internal/<namespace>/<account>/<region>/<name>.
func (s *Store) internalDir() string { return filepath.Join(s.opts.Dir, "internal") }

func loadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) != 32 {
			return nil, fmt.Errorf("%s: want 32 bytes, have %d", path, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Store) loadStreams() error {
	if err := s.loadStreamsIn(s.streamsDir(), ""); err != nil {
		return err
	}
	namespaces, err := os.ReadDir(s.internalDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, ns := range namespaces {
		if err := s.loadStreamsIn(filepath.Join(s.internalDir(), ns.Name()), ns.Name()); err != nil {
			return err
		}
	}
	return nil
}

// loadStreamsIn opens every stream under root/<account>/<region>/<name>.
func (s *Store) loadStreamsIn(root, namespace string) error {
	accounts, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		regions, err := os.ReadDir(filepath.Join(root, a.Name()))
		if err != nil {
			return err
		}
		for _, r := range regions {
			names, err := os.ReadDir(filepath.Join(root, a.Name(), r.Name()))
			if err != nil {
				return err
			}
			for _, n := range names {
				k := streamKey{account: a.Name(), region: r.Name(), name: n.Name(), namespace: namespace}
				dir := s.streamDir(k)
				m, err := readMeta(dir)
				if errors.Is(err, fs.ErrNotExist) {
					// CreateStream crashed before its metadata was durable: it was never acknowledged.
					s.logger.Warn("removing stream directory without metadata", "dir", dir)
					os.RemoveAll(dir)
					continue
				}
				if err != nil {
					return err
				}
				st, err := openStream(s, k, dir, m)
				if err != nil {
					return fmt.Errorf("open stream %s: %w", dir, err)
				}
				s.mu.streams[k] = st
			}
		}
	}
	return nil
}

// Close stops the store's goroutines and closes every log.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return nil
	}
	s.mu.closed = true
	s.mu.Unlock()
	close(s.stop)
	s.wg.Wait()
	return s.closeStreams()
}

func (s *Store) closeStreams() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var first error
	for _, st := range s.mu.streams {
		if err := st.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// resolve turns a scope and a reference into a stream key, checking that a name and an ARN agree.
func resolve(sc Scope, ref StreamRef) (streamKey, error) {
	if ref.ARN != "" {
		a, err := parseStreamARN(ref.ARN)
		if err != nil {
			return streamKey{}, err
		}
		if ref.Name != "" && ref.Name != a.name {
			return streamKey{}, errorf(KindInvalidArgument,
				"StreamARN %s and StreamName %s do not refer to the same stream.", ref.ARN, ref.Name)
		}
		return a, nil
	}
	if ref.Name == "" {
		return streamKey{}, errorf(KindInvalidArgument, "StreamName or StreamARN is required.")
	}
	return streamKey{account: sc.Account, region: sc.Region, name: ref.Name, namespace: sc.Namespace}, nil
}

// parseStreamARN parses arn:aws:kinesis:<region>:<account>:stream/<name>.
func parseStreamARN(arn string) (streamKey, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" ||
		!strings.HasPrefix(parts[5], "stream/") {
		return streamKey{}, errorf(KindInvalidArgument, "Invalid StreamARN %s.", arn)
	}
	name := strings.TrimPrefix(parts[5], "stream/")
	if i := strings.IndexByte(name, '/'); i >= 0 { // a consumer ARN names its stream first
		name = name[:i]
	}
	if name == "" || parts[3] == "" || parts[4] == "" {
		return streamKey{}, errorf(KindInvalidArgument, "Invalid StreamARN %s.", arn)
	}
	return streamKey{account: parts[4], region: parts[3], name: name}, nil
}

func streamARN(k streamKey) string {
	return "arn:aws:kinesis:" + k.region + ":" + k.account + ":stream/" + k.name
}

func notFound(k streamKey) *Error {
	return errorf(KindNotFound, "Stream %s under account %s not found.", k.name, k.account)
}

// lookup finds a stream that exists (in any state but deleted).
func (s *Store) lookup(sc Scope, ref StreamRef) (*stream, error) {
	k, err := resolve(sc, ref)
	if err != nil {
		return nil, err
	}
	return s.lookupKey(k)
}

func (s *Store) lookupKey(k streamKey) (*stream, error) {
	s.mu.RLock()
	st := s.mu.streams[k]
	s.mu.RUnlock()
	if st == nil {
		return nil, notFound(k)
	}
	if st.gone(s.now()) {
		s.forget(st)
		return nil, notFound(k)
	}
	return st, nil
}

// forget drops a stream whose DELETING period is over.
func (s *Store) forget(st *stream) {
	s.mu.Lock()
	if s.mu.streams[st.key] == st {
		delete(s.mu.streams, st.key)
	}
	s.mu.Unlock()
}

// CreateStream creates a stream. With TransitionDelay zero it is ACTIVE when this returns.
func (s *Store) CreateStream(sc Scope, in CreateStreamInput) error {
	mode := in.Mode
	if mode == "" {
		mode = ModeProvisioned
	}
	shards := in.ShardCount
	switch mode {
	case ModeProvisioned:
		if shards <= 0 {
			return errorf(KindInvalidArgument, "ShardCount is required for a PROVISIONED stream.")
		}
		if in.WarmThroughput != nil {
			return errorf(KindInvalidArgument, "WarmThroughputMiBps is only supported for ON_DEMAND streams.")
		}
	case ModeOnDemand:
		if shards != 0 {
			return errorf(KindInvalidArgument, "ShardCount cannot be specified for an ON_DEMAND stream.")
		}
		shards = 4
	default:
		return errorf(KindInvalidArgument, "Unknown StreamMode %s.", mode)
	}
	maxKiB := in.MaxRecordSizeKiB
	if maxKiB == 0 {
		maxKiB = 1024
	}
	if maxKiB < 1024 || maxKiB > 10240 {
		return errorf(KindInvalidArgument, "MaxRecordSizeInKiB must be between 1024 and 10240.")
	}
	if err := checkTags(nil, in.Tags); err != nil {
		return err
	}
	k := streamKey{account: sc.Account, region: sc.Region, name: in.Name, namespace: sc.Namespace}
	now := s.now()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return errors.New("store closed")
	}
	if old := s.mu.streams[k]; old != nil {
		if !old.gone(now) {
			return errorf(KindInUse, "Stream %s under account %s already exists.", k.name, k.account)
		}
		delete(s.mu.streams, k)
	}
	open, onDemand := s.usageLocked(sc, now)
	if open+shards > s.opts.ShardQuota {
		return errorf(KindLimitExceeded, "This request would exceed the shard limit for the account %s in %s. "+
			"Current shard count for the account: %d. Limit: %d. Number of additional shards that would have "+
			"resulted from this request: %d. Refer to the AWS Service Limits page "+
			"(https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how "+
			"to request higher limits.", sc.Account, sc.Region, open, s.opts.ShardQuota, shards)
	}
	if mode == ModeOnDemand && onDemand >= onDemandStreamLimit {
		return errorf(KindLimitExceeded, "This request would exceed the limit of %d ON_DEMAND streams for the account %s in %s.",
			onDemandStreamLimit, sc.Account, sc.Region)
	}
	m := &streamMeta{
		Version:        metaVersion,
		Name:           in.Name,
		Account:        sc.Account,
		Region:         sc.Region,
		ID:             newStreamID(),
		Created:        now.UnixMilli(),
		Mode:           mode,
		RetentionHours: 24,
		Encryption:     EncryptionNone,
		MaxRecordKiB:   maxKiB,
		WarmTarget:     in.WarmThroughput,
		Tags:           copyTags(in.Tags),
	}
	if s.opts.TransitionDelay > 0 {
		m.Transition = StatusCreating
		m.TransitionEnd = now.Add(s.opts.TransitionDelay).UnixMilli()
	}
	for i := 0; i < shards; i++ {
		r := splitHashSpace(i, shards)
		m.Shards = append(m.Shards, &shardMeta{Index: i, Parent: -1, AdjacentParent: -1,
			Start: r.Start.String(), End: r.End.String(), Created: m.Created})
	}
	m.NextShardIndex = shards
	dir := s.streamDir(k)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	// A leftover directory (a create that crashed before writing metadata) is replaced.
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	st, err := openStream(s, k, dir, m)
	if err == nil {
		err = writeMeta(dir, m)
	}
	if err != nil {
		if st != nil {
			st.close()
		}
		os.RemoveAll(dir)
		return fmt.Errorf("create stream %s: %w", k.name, err)
	}
	s.mu.streams[k] = st
	return nil
}

const onDemandStreamLimit = 50

// usageLocked counts open shards and on-demand streams in a scope.
func (s *Store) usageLocked(sc Scope, now time.Time) (openShards, onDemand int) {
	for k, st := range s.mu.streams {
		if k.scope() != sc || st.gone(now) {
			continue
		}
		st.mu.RLock()
		for _, sh := range st.mu.shards {
			if sh.meta.Closed == 0 {
				openShards++
			}
		}
		if st.mu.meta.Mode == ModeOnDemand {
			onDemand++
		}
		st.mu.RUnlock()
	}
	return openShards, onDemand
}

func newStreamID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	b[20] = '-'
	return string(b)
}

// DeleteStream deletes a stream and frees its disk space at once; with a TransitionDelay the stream
// stays visible as DELETING for that long.
func (s *Store) DeleteStream(sc Scope, ref StreamRef, enforceConsumerDeletion bool) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	now := s.now()
	st.mu.Lock()
	if st.mu.deleted {
		st.mu.Unlock()
		return notFound(st.key)
	}
	if st.statusLocked(now) == StatusCreating {
		st.mu.Unlock()
		return errorf(KindInUse, "Stream %s under account %s not ACTIVE, instead in state %s", st.key.name, st.key.account, StatusCreating)
	}
	if n := st.consumerCountLocked(now); n > 0 && !enforceConsumerDeletion {
		st.mu.Unlock()
		return errorf(KindInUse, "Stream %s under account %s has %d registered consumers: deregister them or set "+
			"EnforceConsumerDeletion.", st.key.name, st.key.account, n)
	}
	st.mu.deleted = true
	st.mu.deletedUntil = now.Add(s.opts.TransitionDelay)
	st.mu.Unlock()

	if err := st.close(); err != nil {
		s.logger.Warn("close stream logs", "stream", st.key.name, "err", err)
	}
	trash := filepath.Join(s.trashDir(), fmt.Sprintf("%s-%s-%s-%d", st.key.account, st.key.region, st.key.name, now.UnixNano()))
	if err := os.Rename(st.dir, trash); err != nil {
		return fmt.Errorf("delete stream %s: %w", st.key.name, err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(st.dir)); err != nil {
		return err
	}
	if s.opts.TransitionDelay == 0 {
		s.forget(st)
	}
	return os.RemoveAll(trash)
}

// DescribeStream returns the stream's description with all its unexpired shards.
func (s *Store) DescribeStream(sc Scope, ref StreamRef) (StreamInfo, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return StreamInfo{}, err
	}
	return st.info(s.now(), true), nil
}

// ListStreams returns every stream in the scope, sorted by name, without shards.
func (s *Store) ListStreams(sc Scope) []StreamInfo {
	now := s.now()
	s.mu.RLock()
	var sts []*stream
	for k, st := range s.mu.streams {
		if k.scope() == sc && !st.gone(now) {
			sts = append(sts, st)
		}
	}
	s.mu.RUnlock()
	out := make([]StreamInfo, 0, len(sts))
	for _, st := range sts {
		out = append(out, st.info(now, false))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DescribeLimits reports the account's shard quota and usage in the scope's region.
func (s *Store) DescribeLimits(sc Scope) Limits {
	s.mu.RLock()
	open, onDemand := s.usageLocked(sc, s.now())
	s.mu.RUnlock()
	return Limits{ShardLimit: s.opts.ShardQuota, OpenShardCount: open, OnDemandStreamCount: onDemand,
		OnDemandStreamCountLimit: onDemandStreamLimit}
}

func (s *Store) settingsPath(sc Scope) string {
	return filepath.Join(s.opts.Dir, "accounts", sc.Account, sc.Region+".json")
}

type accountSettings struct {
	MinimumThroughputBillingCommitment string `json:"minimumThroughputBillingCommitment"`
}

func (s *Store) loadSettings() error {
	root := filepath.Join(s.opts.Dir, "accounts")
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		parts := strings.Split(rel, string(filepath.Separator))
		if len(parts) != 2 {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var as accountSettings
		if err := json.Unmarshal(b, &as); err != nil {
			return fmt.Errorf("decode %s: %w", path, err)
		}
		s.mu.settings[Scope{Account: parts[0], Region: strings.TrimSuffix(parts[1], ".json")}] = as.MinimumThroughputBillingCommitment
		return nil
	})
}

// AccountSettings returns the MinimumThroughputBillingCommitment status ("DISABLED" unless set).
func (s *Store) AccountSettings(sc Scope) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if v := s.mu.settings[sc]; v != "" {
		return v
	}
	return "DISABLED"
}

// SetAccountSettings stores the MinimumThroughputBillingCommitment status.
func (s *Store) SetAccountSettings(sc Scope, status string) error {
	if status != "ENABLED" && status != "DISABLED" {
		return errorf(KindInvalidArgument, "Invalid MinimumThroughputBillingCommitment status %s.", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.settingsPath(sc)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	b, _ := json.Marshal(accountSettings{MinimumThroughputBillingCommitment: status})
	if err := atomicfile.Write(p, b, 0o644); err != nil {
		return err
	}
	s.mu.settings[sc] = status
	return nil
}
