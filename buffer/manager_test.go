package buffer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// clock is the injected clock of the store and the manager.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var testScope = streams.Scope{Account: "123456789012", Region: "eu-west-1"}

type env struct {
	t     *testing.T
	dir   string
	clock *clock
	delay time.Duration
	store *streams.Store
	m     *Manager
}

// newEnv opens a store and a manager in a temporary directory; delay is the TransitionDelay of both.
func newEnv(t *testing.T, delay time.Duration) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}, delay: delay}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	e.t.Helper()
	s, err := streams.Open(streams.Options{Dir: filepath.Join(e.dir, "data"), Now: e.clock.Now, TransitionDelay: e.delay})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := Open(Options{Dir: filepath.Join(e.dir, "data", "firehose"), Store: s, Now: e.clock.Now, TransitionDelay: e.delay})
	if err != nil {
		s.Close()
		e.t.Fatal(err)
	}
	e.store, e.m = s, m
}

func (e *env) close() {
	if e.m == nil {
		return
	}
	if err := e.m.Close(); err != nil {
		e.t.Error(err)
	}
	if err := e.store.Close(); err != nil {
		e.t.Error(err)
	}
	e.m, e.store = nil, nil
}

func (e *env) reopen() {
	e.close()
	e.open()
}

func s3Config() Config {
	return Config{Type: TypeDirectPut, API: []byte(`{"BucketARN":"arn:aws:s3:::lake"}`),
		Destination: Destination{BucketARN: "arn:aws:s3:::lake", RoleARN: "arn:aws:iam::123456789012:role/x",
			Rules: DefaultRules, Compression: CompressionGzip}}
}

func (e *env) create(name string, cfg Config) {
	e.t.Helper()
	if _, err := e.m.Create(testScope, CreateInput{Name: name, Config: cfg}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) describe(name string) Description {
	e.t.Helper()
	d, err := e.m.Describe(testScope, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// wantErr checks that err is a *streams.Error of kind with a message containing msg.
func wantErr(t *testing.T, err error, kind streams.ErrorKind, msg string) {
	t.Helper()
	var se *streams.Error
	if !errors.As(err, &se) || se.Kind != kind || !strings.Contains(se.Msg, msg) {
		t.Fatalf("got %v, want kind %d with %q", err, kind, msg)
	}
}

func TestCreateDescribe(t *testing.T) {
	e := newEnv(t, 0)
	arn, err := e.m.Create(testScope, CreateInput{Name: "clicks", Config: s3Config(), Tags: map[string]string{"team": "web"}})
	if err != nil {
		t.Fatal(err)
	}
	if arn != "arn:aws:firehose:eu-west-1:123456789012:deliverystream/clicks" {
		t.Fatalf("ARN %s", arn)
	}
	d := e.describe("clicks")
	want := Description{Name: "clicks", ARN: arn, Status: StatusActive, VersionID: 1, Created: e.clock.Now(),
		Config: s3Config(), DestinationID: "destinationId-000000000001", Encryption: EncryptionStatus{Status: EncryptionDisabled}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("description\n got %+v\nwant %+v", d, want)
	}
	// The internal stream: one shard, 24 h, namespaced, so invisible to the Kinesis API.
	info, err := e.store.DescribeStream(streams.Scope{Account: testScope.Account, Region: testScope.Region, Namespace: Namespace},
		streams.StreamRef{Name: "clicks"})
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Shards) != 1 || info.RetentionHours != internalRetention {
		t.Fatalf("internal stream: %d shards, %d h", len(info.Shards), info.RetentionHours)
	}
	if l := e.store.ListStreams(testScope); len(l) != 0 {
		t.Fatalf("the Kinesis API sees %d streams", len(l))
	}
	if _, err := os.Stat(filepath.Join(e.dir, "data", "firehose", testScope.Account, testScope.Region, "clicks", "delivery.json")); err != nil {
		t.Fatal(err)
	}
	_, err = e.m.Create(testScope, CreateInput{Name: "clicks", Config: s3Config()})
	wantErr(t, err, streams.KindInUse, "Firehose clicks under accountId 123456789012 already exists")
	_, err = e.m.Describe(testScope, "nope")
	wantErr(t, err, streams.KindNotFound, "Firehose nope under account 123456789012 not found.")
	// Another region is another namespace of names.
	if _, err := e.m.Create(streams.Scope{Account: testScope.Account, Region: "us-east-1"}, CreateInput{Name: "clicks", Config: s3Config()}); err != nil {
		t.Fatal(err)
	}
}

func TestStatusesFollowTheClock(t *testing.T) {
	e := newEnv(t, 10*time.Second)
	e.create("s", s3Config())
	if st := e.describe("s").Status; st != StatusCreating {
		t.Fatalf("status %s, want CREATING", st)
	}
	_, err := e.m.PutRecords(bg, testScope, "s", [][]byte{[]byte("x")})
	wantErr(t, err, streams.KindNotFound, "not found")
	wantErr(t, e.m.Delete(testScope, "s"), streams.KindInUse, "CREATING")
	wantErr(t, e.m.UpdateDestination(testScope, "s", "1", DestinationID, keep), streams.KindInUse, "CREATING")
	e.clock.Advance(10 * time.Second)
	if st := e.describe("s").Status; st != StatusActive {
		t.Fatalf("status %s, want ACTIVE", st)
	}
	if _, err := e.m.PutRecords(bg, testScope, "s", [][]byte{[]byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Delete(testScope, "s"); err != nil {
		t.Fatal(err)
	}
	if st := e.describe("s").Status; st != StatusDeleting {
		t.Fatalf("status %s, want DELETING", st)
	}
	if names := e.m.List(testScope, ""); !reflect.DeepEqual(names, []string{"s"}) {
		t.Fatalf("List while DELETING: %v", names)
	}
	wantErr(t, e.m.Delete(testScope, "s"), streams.KindNotFound, "not found")
	_, err = e.m.PutRecords(bg, testScope, "s", [][]byte{[]byte("x")})
	wantErr(t, err, streams.KindNotFound, "not found")
	e.clock.Advance(10 * time.Second)
	_, err = e.m.Describe(testScope, "s")
	wantErr(t, err, streams.KindNotFound, "not found")
	if names := e.m.List(testScope, ""); len(names) != 0 {
		t.Fatalf("List after DELETING: %v", names)
	}
}

var bg = context.Background()

func keep(c Config) (Config, error) { return c, nil }

func TestDeleteRemovesEverything(t *testing.T) {
	e := newEnv(t, 0)
	e.create("s", s3Config())
	res, err := e.m.PutRecords(bg, testScope, "s", [][]byte{[]byte("old")})
	if err != nil || res.Failed != 0 {
		t.Fatal(res, err)
	}
	if err := e.m.Delete(testScope, "s"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "data", "firehose", testScope.Account, testScope.Region, "s")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("directory still there: %v", err)
	}
	internal := streams.Scope{Account: testScope.Account, Region: testScope.Region, Namespace: Namespace}
	if _, err := e.store.DescribeStream(internal, streams.StreamRef{Name: "s"}); streams.KindOf(err) != streams.KindNotFound {
		t.Fatalf("internal stream still there: %v", err)
	}
	// A new delivery stream of the same name starts empty.
	e.create("s", s3Config())
	if n := readInternal(t, e.store, "s"); len(n) != 0 {
		t.Fatalf("the new delivery stream holds %d old records", len(n))
	}
	e.reopen()
	if ents, _ := os.ReadDir(filepath.Join(e.dir, "data", "firehose", "trash")); len(ents) != 0 {
		t.Fatalf("trash not emptied: %v", ents)
	}
}

// readInternal reads every record of a delivery stream's internal stream.
func readInternal(t *testing.T, s *streams.Store, name string) []streams.Entry {
	t.Helper()
	internal := streams.Scope{Account: testScope.Account, Region: testScope.Region, Namespace: Namespace}
	b, _, err := s.ReadShard(internal, streams.StreamRef{Name: name}, "shardId-000000000000", 0, 10000, 64<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.Entries
}

func TestPutRecords(t *testing.T) {
	e := newEnv(t, 0)
	e.create("s", s3Config())
	var ids []string
	for i := 0; i < 3; i++ {
		batch := [][]byte{[]byte(fmt.Sprintf("a%d\n", i)), []byte(fmt.Sprintf("b%d\n", i))}
		res, err := e.m.PutRecords(bg, testScope, "s", batch)
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed != 0 || res.Encrypted || len(res.Records) != 2 {
			t.Fatalf("%+v", res)
		}
		for _, r := range res.Records {
			ids = append(ids, r.RecordID)
		}
	}
	recs := readInternal(t, e.store, "s")
	if len(recs) != 6 {
		t.Fatalf("%d records durable, want 6", len(recs))
	}
	for i, r := range recs {
		if i > 0 && ids[i] <= ids[i-1] {
			t.Fatalf("record ids not increasing: %s then %s", ids[i-1], ids[i])
		}
		if want := fmt.Sprintf("%c%d\n", "ab"[i%2], i/2); string(r.Data) != want {
			t.Fatalf("record %d: %q, want %q", i, r.Data, want)
		}
		if len(ids[i]) != 56 {
			t.Fatalf("record id %s: want 56 digits, as Firehose's", ids[i])
		}
	}

	big := make([]byte, MaxRecordBytes)
	if _, err := e.m.PutRecords(bg, testScope, "s", [][]byte{big}); err != nil {
		t.Fatalf("a record of exactly 1,000 KiB: %v", err)
	}
	_, err := e.m.PutRecords(bg, testScope, "s", [][]byte{append(big, 0)})
	wantErr(t, err, streams.KindInvalidArgument, "Record size exceeds")
	_, err = e.m.PutRecords(bg, testScope, "s", [][]byte{big, big, big, big, big[:len(big)/2]})
	wantErr(t, err, streams.KindInvalidArgument, "Records size exceeds 4 MB limit")
	_, err = e.m.PutRecords(bg, testScope, "s", make([][]byte, MaxBatchRecords+1))
	wantErr(t, err, streams.KindInvalidArgument, "500")
	_, err = e.m.PutRecords(bg, testScope, "nope", [][]byte{big})
	wantErr(t, err, streams.KindNotFound, "Firehose nope under account 123456789012 not found.")
	if n := len(readInternal(t, e.store, "s")); n != 7 {
		t.Fatalf("%d records, want 7: a refused batch must write nothing", n)
	}
}

func kinesisConfig(arn string) Config {
	c := s3Config()
	c.Type = TypeKinesisStreamAsSource
	c.Source = Source{StreamARN: arn, RoleARN: "arn:aws:iam::123456789012:role/x", StartingPosition: streams.IteratorLatest}
	return c
}

func TestKinesisSource(t *testing.T) {
	e := newEnv(t, 0)
	arn := "arn:aws:kinesis:eu-west-1:123456789012:stream/events"
	_, err := e.m.Create(testScope, CreateInput{Name: "k", Config: kinesisConfig(arn)})
	wantErr(t, err, streams.KindInvalidArgument, "Firehose cannot read the source stream "+arn)
	if err := e.store.CreateStream(testScope, streams.CreateStreamInput{Name: "events", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	e.create("k", kinesisConfig(arn))
	d := e.describe("k")
	if !d.DeliveryStart.Equal(e.clock.Now()) || d.Config.Source.StreamARN != arn {
		t.Fatalf("%+v", d)
	}
	_, err = e.m.PutRecords(bg, testScope, "k", [][]byte{[]byte("x")})
	wantErr(t, err, streams.KindInvalidArgument, "This operation is not permitted on KinesisStreamAsSource delivery stream type.")
	wantErr(t, e.m.StartEncryption(testScope, "k", EncryptionInput{KeyType: KeyAWSOwned}), streams.KindInvalidArgument,
		"Server side encryption from firehose is only allowed for direct put delivery streams")
	_, err = e.m.Create(testScope, CreateInput{Name: "k2", Config: kinesisConfig(arn), Encryption: &EncryptionInput{KeyType: KeyAWSOwned}})
	wantErr(t, err, streams.KindInvalidArgument, "Server side encryption from firehose")
	// No internal stream for a Kinesis source; the delivery reads the source.
	internal := streams.Scope{Account: testScope.Account, Region: testScope.Region, Namespace: Namespace}
	if l := e.store.ListStreams(internal); len(l) != 0 {
		t.Fatalf("internal streams: %v", l)
	}
	e.m.mu.Lock()
	ds := e.m.mu.streams[keyOf(testScope, "k")]
	e.m.mu.Unlock()
	sc, ref, start := ds.Source()
	if sc != testScope || ref.ARN != arn || start != streams.IteratorLatest {
		t.Fatalf("Source() = %v %v %s", sc, ref, start)
	}
	trim := kinesisConfig(arn)
	trim.Source.StartingPosition = streams.IteratorTrimHorizon
	e.create("k3", trim)
	if err := e.m.Delete(testScope, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.DescribeStream(testScope, streams.StreamRef{Name: "events"}); err != nil {
		t.Fatalf("deleting the delivery stream touched its source: %v", err)
	}
}

func TestUpdateDestination(t *testing.T) {
	e := newEnv(t, 0)
	e.create("s", s3Config())
	e.clock.Advance(time.Minute)
	err := e.m.UpdateDestination(testScope, "s", "1", DestinationID, func(c Config) (Config, error) {
		c.Destination.Prefix = "p/"
		c.API = []byte(`{"Prefix":"p/"}`)
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := e.describe("s")
	if d.VersionID != 2 || d.Config.Destination.Prefix != "p/" || !d.Updated.Equal(e.clock.Now()) || string(d.Config.API) != `{"Prefix":"p/"}` {
		t.Fatalf("%+v", d)
	}
	wantErr(t, e.m.UpdateDestination(testScope, "s", "1", DestinationID, keep), streams.KindConflict,
		"Cannot update firehose: s since the current version id: 2 and specified version id: 1 do not match")
	wantErr(t, e.m.UpdateDestination(testScope, "s", "2", "destinationId-000000000002", keep), streams.KindInvalidArgument,
		"Destination Id destinationId-000000000002 not found")
	// The update function's refusal, and an invalid result, change nothing.
	refusal := &streams.Error{Kind: streams.KindInvalidArgument, Msg: "no"}
	if err := e.m.UpdateDestination(testScope, "s", "2", DestinationID, func(Config) (Config, error) { return Config{}, refusal }); err != refusal {
		t.Fatal(err)
	}
	wantErr(t, e.m.UpdateDestination(testScope, "s", "2", DestinationID, func(c Config) (Config, error) {
		c.Destination.Prefix = "!{timestamp:yyyy}/"
		return c, nil
	}), streams.KindInvalidArgument, "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")
	wantErr(t, e.m.UpdateDestination(testScope, "s", "2", DestinationID, func(c Config) (Config, error) {
		c.Destination.DynamicPartitioning = true
		return c, nil
	}), streams.KindInvalidArgument, "Dynamic Partitioning can only be enabled when the delivery stream is created")
	// Neither the type nor the source changes.
	if err := e.m.UpdateDestination(testScope, "s", "2", DestinationID, func(c Config) (Config, error) {
		c.Type = TypeKinesisStreamAsSource
		c.Destination.Compression = CompressionZstd
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	d = e.describe("s")
	if d.VersionID != 3 || d.Config.Type != TypeDirectPut || d.Config.Destination.Compression != CompressionZstd {
		t.Fatalf("%+v", d)
	}
}

func TestEncryption(t *testing.T) {
	e := newEnv(t, 5*time.Second)
	_, err := e.m.Create(testScope, CreateInput{Name: "s", Config: s3Config(), Encryption: &EncryptionInput{KeyType: KeyCustomerManaged}})
	wantErr(t, err, streams.KindInvalidArgument, "KeyARN has to be specified when KeyType is CUSTOMER_MANAGED_CMK")
	_, err = e.m.Create(testScope, CreateInput{Name: "s", Config: s3Config(), Encryption: &EncryptionInput{KeyType: KeyAWSOwned, KeyARN: "arn:aws:kms:eu-west-1:123456789012:key/k"}})
	wantErr(t, err, streams.KindInvalidArgument, "KeyARN cannot be specified when KeyType is AWS_OWNED_CMK")
	e.create("s", s3Config())
	e.clock.Advance(5 * time.Second)
	put := func() bool {
		t.Helper()
		res, err := e.m.PutRecords(bg, testScope, "s", [][]byte{[]byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		return res.Encrypted
	}
	status := func() string { return e.describe("s").Encryption.Status }
	if status() != EncryptionDisabled || put() {
		t.Fatal("encrypted from the start")
	}
	if err := e.m.StopEncryption(testScope, "s"); err != nil {
		t.Fatalf("stopping encryption that is off: %v", err)
	}
	if err := e.m.StartEncryption(testScope, "s", EncryptionInput{KeyType: KeyAWSOwned}); err != nil {
		t.Fatal(err)
	}
	if status() != EncryptionEnabling || put() {
		t.Fatalf("status %s right after Start, want ENABLING and puts not reported encrypted", status())
	}
	wantErr(t, e.m.StopEncryption(testScope, "s"), streams.KindInUse, "ENABLING")
	e.clock.Advance(5 * time.Second)
	if status() != EncryptionEnabled || !put() {
		t.Fatalf("status %s, want ENABLED and puts encrypted", status())
	}
	// Records are sealed at rest in the internal stream.
	internal := streams.Scope{Account: testScope.Account, Region: testScope.Region, Namespace: Namespace}
	if info, err := e.store.DescribeStream(internal, streams.StreamRef{Name: "s"}); err != nil || info.EncryptionType != streams.EncryptionKMS {
		t.Fatalf("internal stream encryption %q, %v", info.EncryptionType, err)
	}
	if d := e.describe("s"); d.Encryption.KeyType != KeyAWSOwned {
		t.Fatalf("%+v", d.Encryption)
	}
	if err := e.m.StopEncryption(testScope, "s"); err != nil {
		t.Fatal(err)
	}
	if status() != EncryptionDisabling {
		t.Fatalf("status %s, want DISABLING", status())
	}
	e.clock.Advance(5 * time.Second)
	if status() != EncryptionDisabled || put() {
		t.Fatal("still encrypted after DISABLING")
	}
	// 25 Start and Stop calls per 24 h: 2 made so far (neither the no-op Stop nor the refused one counts).
	for i := 2; i < encryptionCalls; i++ {
		var err error
		if i%2 == 0 {
			err = e.m.StartEncryption(testScope, "s", EncryptionInput{KeyType: KeyAWSOwned})
		} else {
			err = e.m.StopEncryption(testScope, "s")
		}
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		e.clock.Advance(5 * time.Second)
	}
	wantErr(t, e.m.StartEncryption(testScope, "s", EncryptionInput{KeyType: KeyAWSOwned}), streams.KindLimitExceeded, "24 hours")
	e.clock.Advance(24 * time.Hour)
	if err := e.m.StartEncryption(testScope, "s", EncryptionInput{KeyType: KeyCustomerManaged, KeyARN: "arn:aws:kms:eu-west-1:123456789012:key/k"}); err != nil {
		t.Fatal(err)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t, 0)
	e.create("s", s3Config())
	tags := map[string]string{}
	for i := 0; i < maxTags; i++ {
		tags["k"+strconv.Itoa(i)] = "v"
	}
	if err := e.m.Tag(testScope, "s", tags); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.m.Tag(testScope, "s", map[string]string{"one-more": ""}), streams.KindLimitExceeded, "50 tags")
	if err := e.m.Tag(testScope, "s", map[string]string{"k0": "replaced"}); err != nil {
		t.Fatalf("replacing a tag at the limit: %v", err)
	}
	wantErr(t, e.m.Tag(testScope, "s", map[string]string{"aws:x": "v"}), streams.KindInvalidArgument, "aws:")
	wantErr(t, e.m.Tag(testScope, "s", map[string]string{"bad*": "v"}), streams.KindInvalidArgument, "Unicode letters")
	if err := e.m.Untag(testScope, "s", []string{"k1", "absent"}); err != nil {
		t.Fatal(err)
	}
	got, err := e.m.ListTags(testScope, "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != maxTags-1 || got["k0"] != "replaced" || got["k1"] != "" {
		t.Fatalf("%d tags: %v", len(got), got)
	}
	_, err = e.m.ListTags(testScope, "nope")
	wantErr(t, err, streams.KindNotFound, "not found")
}

func TestList(t *testing.T) {
	e := newEnv(t, 0)
	if err := e.store.CreateStream(testScope, streams.CreateStreamInput{Name: "events", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"c", "a", "b"} {
		e.create(n, s3Config())
	}
	e.create("k", kinesisConfig("arn:aws:kinesis:eu-west-1:123456789012:stream/events"))
	for _, tc := range []struct {
		typ  string
		want []string
	}{{"", []string{"a", "b", "c", "k"}}, {TypeDirectPut, []string{"a", "b", "c"}}, {TypeKinesisStreamAsSource, []string{"k"}}} {
		if got := e.m.List(testScope, tc.typ); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("List(%q) = %v, want %v", tc.typ, got, tc.want)
		}
	}
	if got := e.m.List(streams.Scope{Account: testScope.Account, Region: "us-east-1"}, ""); len(got) != 0 {
		t.Errorf("another region lists %v", got)
	}
}

func TestQuota(t *testing.T) {
	e := newEnv(t, 0)
	e.m.opts.Quota = 2
	e.create("a", s3Config())
	e.create("b", s3Config())
	_, err := e.m.Create(testScope, CreateInput{Name: "c", Config: s3Config()})
	wantErr(t, err, streams.KindLimitExceeded, "quota of 2")
}

// TestReopen: everything a delivery stream is survives a restart, records included.
func TestReopen(t *testing.T) {
	e := newEnv(t, 3*time.Second)
	if err := e.store.CreateStream(testScope, streams.CreateStreamInput{Name: "events", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Second)
	e.create("s", s3Config())
	e.create("k", kinesisConfig("arn:aws:kinesis:eu-west-1:123456789012:stream/events"))
	e.clock.Advance(3 * time.Second)
	if err := e.m.Tag(testScope, "s", map[string]string{"team": "web"}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.UpdateDestination(testScope, "s", "1", DestinationID, func(c Config) (Config, error) {
		c.Destination.Prefix = "logs/"
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.StartEncryption(testScope, "s", EncryptionInput{KeyType: KeyAWSOwned}); err != nil {
		t.Fatal(err)
	}
	res, err := e.m.PutRecords(bg, testScope, "s", [][]byte{[]byte("one"), []byte("two")})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]Description{"s": e.describe("s"), "k": e.describe("k")}

	e.reopen()
	for name, want := range before {
		if got := e.describe(name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s after reopen\n got %+v\nwant %+v", name, got, want)
		}
	}
	if tags, _ := e.m.ListTags(testScope, "s"); tags["team"] != "web" {
		t.Errorf("tags %v", tags)
	}
	recs := readInternal(t, e.store, "s")
	if len(recs) != 2 || string(recs[1].Data) != "two" || res.Records[1].RecordID <= res.Records[0].RecordID {
		t.Fatalf("records after reopen: %v", recs)
	}
	e.clock.Advance(3 * time.Second)
	if st := e.describe("s").Encryption.Status; st != EncryptionEnabled {
		t.Fatalf("encryption %s after the transition", st)
	}
	if err := e.m.UpdateDestination(testScope, "s", "2", DestinationID, keep); err != nil {
		t.Fatalf("the version id did not survive: %v", err)
	}
}

// TestOpenRecreatesMissingInternalStream: a data directory that lost an internal stream still opens.
func TestOpenRecreatesMissingInternalStream(t *testing.T) {
	e := newEnv(t, 0)
	e.create("s", s3Config())
	internal := streams.Scope{Account: testScope.Account, Region: testScope.Region, Namespace: Namespace}
	if err := e.store.DeleteStream(internal, streams.StreamRef{Name: "s"}, true); err != nil {
		t.Fatal(err)
	}
	e.reopen()
	if _, err := e.m.PutRecords(bg, testScope, "s", [][]byte{[]byte("x")}); err != nil {
		t.Fatal(err)
	}
}

func TestClosedManager(t *testing.T) {
	e := newEnv(t, 0)
	e.create("s", s3Config())
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Describe(testScope, "s"); !errors.Is(err, errClosed) {
		t.Fatalf("Describe after Close: %v", err)
	}
	if _, err := e.m.Create(testScope, CreateInput{Name: "t", Config: s3Config()}); !errors.Is(err, errClosed) {
		t.Fatalf("Create after Close: %v", err)
	}
}
