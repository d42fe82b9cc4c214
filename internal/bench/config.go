package bench

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Phase names, also the values of Config.Mode.
const (
	PhasePutRecords = "putrecords"
	PhasePutRecord  = "putrecord"
	PhaseGetRecords = "getrecords"
	ModeAll         = "all" // putrecords, then getrecords
)

// Kinesis limits the configuration is checked against.
const (
	maxBatch        = 500     // records per PutRecords
	maxRecordSize   = 1 << 20 // bytes of data per record
	maxPutRecords   = 5 << 20 // bytes per PutRecords request (data and keys)
	getRecordsLimit = 10000   // records per GetRecords
)

// Config is one bench run. The zero value of every field means its default.
type Config struct {
	// Endpoint is the Kinesis endpoint URL. Default http://127.0.0.1:4567.
	Endpoint string
	// Region signs requests. Default us-east-1.
	Region string
	// AccessKeyID, SecretAccessKey and SessionToken sign requests. Default: a
	// dummy key, which Hydrant accepts when it does not check signatures.
	AccessKeyID, SecretAccessKey, SessionToken string

	// Stream is the stream to use. Default: a new stream hydrant-bench-<random>.
	// A stream the run creates is deleted at the end unless Keep is set.
	Stream string
	Keep   bool
	// Shards is the shard count of a stream the run creates. Default 4.
	Shards int

	// Mode is a phase name, a comma-separated list of them, or "all"
	// (putrecords then getrecords). Phases run in the order putrecords,
	// putrecord, getrecords whatever the order given. Default all.
	Mode string
	// Workers is the number of concurrent writers, and bounds the number of
	// concurrent shard readers. Default 8.
	Workers int
	// Batch is the number of records per PutRecords request. Default 500.
	Batch int
	// RecordSize is the data size of each record, at least 24. Default 1024.
	RecordSize int
	// Duration bounds each put phase. Default 10s, or no bound when Records is
	// set.
	Duration time.Duration
	// Records, when set, ends each put phase after that many records.
	Records int64
	// PartitionKeys is the number of distinct partition keys. Default 10000.
	PartitionKeys int

	// Protocol is the data plane's body encoding: "json" (AWS JSON 1.1, base64 data) or "cbor"
	// (application/x-amz-cbor-1.1, as the AWS SDK for Java sends it). Control-plane calls are always
	// JSON. Default json.
	Protocol string

	// ServerPID, when set, is the server process whose CPU time and memory
	// are reported from /proc.
	ServerPID int

	// Transport, when set, carries the requests instead of the bench's own
	// HTTP/1.1 transport (one kept-alive connection per worker, no
	// compression): for tests and for embedding the bench in a process.
	Transport http.RoundTripper

	// ReadIdle ends the read of a shard that has been at its tip for this long
	// without yielding every record expected in it. Default 10s.
	ReadIdle time.Duration
	// ActiveTimeout bounds the wait for a new stream to be ACTIVE. Default 5m.
	ActiveTimeout time.Duration
}

// DefaultConfig returns the configuration with every default filled in.
func DefaultConfig() Config {
	var c Config
	c.setDefaults()
	return c
}

func (c *Config) setDefaults() {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Endpoint == "" {
		c.Endpoint = "http://127.0.0.1:4567"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccessKeyID == "" && c.SecretAccessKey == "" {
		c.AccessKeyID, c.SecretAccessKey = "hydrant", "hydrant-bench-dummy-secret"
	}
	if c.Mode == "" {
		c.Mode = ModeAll
	}
	if c.Protocol == "" {
		c.Protocol = ProtocolJSON
	}
	def(&c.Shards, 4)
	def(&c.Workers, 8)
	def(&c.Batch, maxBatch)
	def(&c.RecordSize, 1024)
	def(&c.PartitionKeys, 10000)
	if c.Duration == 0 && c.Records == 0 {
		c.Duration = 10 * time.Second
	}
	if c.ReadIdle == 0 {
		c.ReadIdle = 10 * time.Second
	}
	if c.ActiveTimeout == 0 {
		c.ActiveTimeout = 5 * time.Minute
	}
}

// phases returns the phases Mode names, in the order they run.
func (c *Config) phases() ([]string, error) {
	want := map[string]bool{}
	for m := range strings.SplitSeq(c.Mode, ",") {
		switch m = strings.TrimSpace(m); m {
		case ModeAll:
			want[PhasePutRecords], want[PhaseGetRecords] = true, true
		case PhasePutRecords, PhasePutRecord, PhaseGetRecords:
			want[m] = true
		default:
			return nil, fmt.Errorf("mode %q: want putrecords, putrecord, getrecords or all", m)
		}
	}
	var out []string
	for _, p := range []string{PhasePutRecords, PhasePutRecord, PhaseGetRecords} {
		if want[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

// validate checks a configuration whose defaults are set.
func (c *Config) validate() error {
	phases, err := c.phases()
	if err != nil {
		return err
	}
	if _, err := parseEndpoint(c.Endpoint); err != nil {
		return err
	}
	if err := checkProtocol(c.Protocol); err != nil {
		return err
	}
	switch {
	case c.Shards < 1:
		return fmt.Errorf("shards must be at least 1, got %d", c.Shards)
	case c.Workers < 1:
		return fmt.Errorf("workers must be at least 1, got %d", c.Workers)
	case c.Batch < 1 || c.Batch > maxBatch:
		return fmt.Errorf("batch must be between 1 and %d, got %d", maxBatch, c.Batch)
	case c.RecordSize < headerSize || c.RecordSize > maxRecordSize:
		return fmt.Errorf("record-size must be between %d and %d bytes, got %d", headerSize, maxRecordSize, c.RecordSize)
	case c.Duration < 0:
		return fmt.Errorf("duration must not be negative, got %v", c.Duration)
	case c.Records < 0:
		return fmt.Errorf("records must not be negative, got %d", c.Records)
	case c.PartitionKeys < 1:
		return fmt.Errorf("partition-keys must be at least 1, got %d", c.PartitionKeys)
	case c.ServerPID < 0:
		return fmt.Errorf("server-pid must be positive, got %d", c.ServerPID)
	}
	keyLen := len(partitionKeys(c.PartitionKeys)[c.PartitionKeys-1])
	if slices.Contains(phases, PhasePutRecords) && c.Batch*(c.RecordSize+keyLen) > maxPutRecords {
		return fmt.Errorf("batch × record-size must be at most %d bytes per PutRecords request, got %d × %d", maxPutRecords, c.Batch, c.RecordSize)
	}
	if len(phases) == 1 && phases[0] == PhaseGetRecords && c.Stream == "" {
		return fmt.Errorf("mode getrecords alone reads an existing stream: set stream")
	}
	return nil
}
