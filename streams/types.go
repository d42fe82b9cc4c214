package streams

import (
	"time"
)

// Scope is the account and region a request acts in. Streams are namespaced by both, as in AWS.
type Scope struct {
	Account string
	Region  string
	// Namespace keeps apart the streams Hydrant holds for its own use (a Firehose DirectPut delivery
	// stream's log, say) from the Kinesis API's, which have none. A namespaced stream is invisible to
	// the Kinesis API and does not count against its quotas.
	Namespace string
}

// StreamRef addresses a stream by name, by ARN, or both (they must then agree). An ARN carries its own
// account and region, which take precedence over the request's scope.
type StreamRef struct {
	Name string
	ARN  string
}

// Stream statuses.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
)

// Capacity modes.
const (
	ModeProvisioned = "PROVISIONED"
	ModeOnDemand    = "ON_DEMAND"
)

// Encryption types.
const (
	EncryptionNone = "NONE"
	EncryptionKMS  = "KMS"
)

// CreateStreamInput is what CreateStream takes. Zero values mean "not given".
type CreateStreamInput struct {
	Name             string
	ShardCount       int    // required for PROVISIONED; ON_DEMAND defaults to 4
	Mode             string // ModeProvisioned (default) or ModeOnDemand
	Tags             map[string]string
	WarmThroughput   *int // MiB/s, on-demand only
	MaxRecordSizeKiB int  // 1024..10240; default 1024
}

// HashRange is an inclusive range of 128-bit hash keys.
type HashRange struct {
	Start, End HashKey
}

// ShardInfo describes one shard.
type ShardInfo struct {
	ID               string
	ParentID         string // "" if none
	AdjacentParentID string // "" if none
	Hash             HashRange
	StartingSeq      string
	EndingSeq        string // "" while open
	Created          time.Time
	Closed           time.Time // zero while open
}

// Open reports whether the shard still accepts records.
func (s *ShardInfo) Open() bool { return s.EndingSeq == "" }

// WarmThroughput is an on-demand stream's warm throughput setting.
type WarmThroughput struct {
	TargetMiBps  int
	CurrentMiBps int
}

// StreamInfo is a snapshot of a stream's description.
type StreamInfo struct {
	Name              string
	ARN               string
	ID                string // the StreamId AWS returns: [a-z0-9]{20}-[a-z0-9]{3}
	Status            string
	Mode              string
	RetentionHours    int
	Created           time.Time
	Shards            []ShardInfo // every shard not yet expired, in shard-id order
	OpenShards        int
	EncryptionType    string // EncryptionNone or EncryptionKMS
	KeyID             string // set when EncryptionType is KMS
	ShardLevelMetrics []string
	MaxRecordSizeKiB  int
	WarmThroughput    *WarmThroughput // on-demand streams only
	ConsumerCount     int
}

// ShardFilter is ListShards' ShardFilter. Type "" means FROM_TRIM_HORIZON.
type ShardFilter struct {
	Type      string // AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP
	ShardID   string
	Timestamp time.Time
}

// PutEntry is one record to write.
type PutEntry struct {
	Data            []byte
	PartitionKey    string
	ExplicitHashKey string // decimal; "" when not given
}

// PutResult is the outcome for one PutEntry: either ShardID and SequenceNumber, or ErrorCode and
// ErrorMessage (per-record throttling, only with Options.ShardLimits).
type PutResult struct {
	ShardID        string
	SequenceNumber string
	ErrorCode      string
	ErrorMessage   string
}

// Record is one record returned by GetRecords. Data aliases the result's buffer.
type Record struct {
	SequenceNumber string
	Arrival        time.Time // millisecond precision
	Data           []byte
	PartitionKey   string
	Encrypted      bool // the record is stored encrypted (EncryptionType KMS on the wire)
}

// ChildShard describes a child of a closed shard, returned when a reader reaches its end.
type ChildShard struct {
	ShardID string
	Parents []string
	Hash    HashRange
}

// GetRecordsResult is what GetRecords returns. Call Release when done with Records.
type GetRecordsResult struct {
	Records            []Record
	NextIterator       string // "" at the end of a closed shard
	MillisBehindLatest int64
	ChildShards        []ChildShard
	release            func()
}

// Release returns the result's buffers to the store for reuse. Records must not be used afterwards.
func (r *GetRecordsResult) Release() {
	if r.release != nil {
		r.release()
		r.release = nil
	}
}

// Limits is DescribeLimits' answer.
type Limits struct {
	ShardLimit               int
	OpenShardCount           int
	OnDemandStreamCount      int
	OnDemandStreamCountLimit int
}

// Iterator types for GetShardIterator.
const (
	IteratorTrimHorizon = "TRIM_HORIZON"
	IteratorLatest      = "LATEST"
	IteratorAtSeq       = "AT_SEQUENCE_NUMBER"
	IteratorAfterSeq    = "AFTER_SEQUENCE_NUMBER"
	IteratorAtTimestamp = "AT_TIMESTAMP"
)
