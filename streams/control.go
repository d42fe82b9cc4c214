package streams

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// ListShards returns the stream's shards that pass the filter, in shard-id order. created, when not
// zero, must match the stream's creation time (StreamCreationTimestamp, to the second) or the call
// fails NotFound: the caller is asking about an earlier stream of the same name.
func (s *Store) ListShards(sc Scope, ref StreamRef, f ShardFilter, created time.Time) (StreamInfo, []ShardInfo, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return StreamInfo{}, nil, err
	}
	now := s.now()
	info := st.info(now, true)
	if !created.IsZero() && created.Unix() != info.Created.Unix() {
		return StreamInfo{}, nil, notFound(st.key)
	}
	trim := now.Add(-time.Duration(info.RetentionHours) * time.Hour)
	openAt := func(sh *ShardInfo, t time.Time) bool {
		born := sh.ParentID == "" && sh.AdjacentParentID == "" || !sh.Created.After(t)
		return born && (sh.Open() || sh.Closed.After(t))
	}
	var keep func(*ShardInfo) bool
	switch f.Type {
	case "", "FROM_TRIM_HORIZON":
		keep = func(*ShardInfo) bool { return true }
	case "AT_TRIM_HORIZON":
		keep = func(sh *ShardInfo) bool { return openAt(sh, trim) }
	case "AT_LATEST":
		keep = func(sh *ShardInfo) bool { return sh.Open() }
	case "AFTER_SHARD_ID":
		idx, ok := parseShardID(f.ShardID)
		if !ok {
			return StreamInfo{}, nil, errorf(KindInvalidArgument, "ShardFilter of type AFTER_SHARD_ID requires a valid ShardId.")
		}
		keep = func(sh *ShardInfo) bool { i, _ := parseShardID(sh.ID); return i > idx }
	case "AT_TIMESTAMP":
		keep = func(sh *ShardInfo) bool { return openAt(sh, f.Timestamp) }
	case "FROM_TIMESTAMP":
		keep = func(sh *ShardInfo) bool { return sh.Open() || sh.Closed.After(f.Timestamp) }
	default:
		return StreamInfo{}, nil, errorf(KindInvalidArgument, "Unknown ShardFilter type %s.", f.Type)
	}
	var out []ShardInfo
	for i := range info.Shards {
		if keep(&info.Shards[i]) {
			out = append(out, info.Shards[i])
		}
	}
	return info, out, nil
}

const (
	minRetentionHours = 24
	maxRetentionHours = 8760
)

// IncreaseRetention lengthens the retention period. Data already trimmed does not come back.
func (s *Store) IncreaseRetention(sc Scope, ref StreamRef, hours int) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	return st.update(func(m *streamMeta) error {
		if hours > maxRetentionHours {
			return errorf(KindInvalidArgument, "Maximum allowed retention period is %d hours. Requested retention period "+
				"(%d hours) is too long.", maxRetentionHours, hours)
		}
		if hours < m.RetentionHours {
			return errorf(KindInvalidArgument, "Requested retention period (%d hours) for stream %s can not be shorter than "+
				"existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, m.Name, m.RetentionHours)
		}
		m.RetentionHours = hours
		return nil
	})
}

// DecreaseRetention shortens the retention period and trims what fell out of it at once.
func (s *Store) DecreaseRetention(sc Scope, ref StreamRef, hours int) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	err = st.update(func(m *streamMeta) error {
		if hours < minRetentionHours {
			return errorf(KindInvalidArgument, "Minimum allowed retention period is %d hours. Requested retention period "+
				"(%d hours) is too short.", minRetentionHours, hours)
		}
		if hours > m.RetentionHours {
			return errorf(KindInvalidArgument, "Requested retention period (%d hours) for stream %s can not be longer than "+
				"existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, m.Name, m.RetentionHours)
		}
		m.RetentionHours = hours
		return nil
	})
	if err != nil {
		return err
	}
	st.enforceRetention(s.now())
	return nil
}

const maxTags = 50

// checkTags validates tags to be added to existing ones.
func checkTags(existing, add map[string]string) error {
	n := len(existing)
	for k, v := range add {
		if _, ok := existing[k]; !ok {
			n++
		}
		if !validTagText(k) || !validTagText(v) {
			return errorf(KindInvalidArgument, "Some tags contain invalid characters. Valid characters: Unicode letters, "+
				"digits, white space, _ . / = + - %% @.")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errorf(KindInvalidArgument, "Some tags start with 'aws:'. Tag keys may not start with 'aws:'.")
		}
	}
	if n > maxTags {
		return errorf(KindInvalidArgument, "Failed to add tags because a given stream cannot have more than %d tags.", maxTags)
	}
	return nil
}

func validTagText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("_./=+-%@:", r) {
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

// AddTags adds or overwrites tags; ref may carry only an ARN (TagResource).
func (s *Store) AddTags(sc Scope, ref StreamRef, tags map[string]string) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	return st.modify(func(m *streamMeta) error {
		if err := checkTags(m.Tags, tags); err != nil {
			return err
		}
		m.Tags = copyTags(m.Tags)
		if m.Tags == nil {
			m.Tags = make(map[string]string, len(tags))
		}
		for k, v := range tags {
			m.Tags[k] = v
		}
		return nil
	})
}

// RemoveTags removes tags; absent keys are ignored.
func (s *Store) RemoveTags(sc Scope, ref StreamRef, keys []string) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	return st.modify(func(m *streamMeta) error {
		m.Tags = copyTags(m.Tags)
		for _, k := range keys {
			delete(m.Tags, k)
		}
		return nil
	})
}

// ListTags returns the stream's tags.
func (s *Store) ListTags(sc Scope, ref StreamRef) (map[string]string, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return nil, err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	return copyTags(st.mu.meta.Tags), nil
}

// StartEncryption turns on encryption at rest for records written from now on.
func (s *Store) StartEncryption(sc Scope, ref StreamRef, keyID string) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	return st.update(func(m *streamMeta) error {
		m.Encryption, m.KeyID = EncryptionKMS, keyID
		return nil
	})
}

// StopEncryption turns encryption off for records written from now on; records already sealed stay so
// and still read back.
func (s *Store) StopEncryption(sc Scope, ref StreamRef, keyID string) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	return st.update(func(m *streamMeta) error {
		if m.Encryption != EncryptionKMS {
			return errorf(KindInvalidArgument, "Encryption is not enabled on stream %s under account %s.", m.Name, st.key.account)
		}
		m.Encryption, m.KeyID = EncryptionNone, ""
		return nil
	})
}

// ShardLevelMetrics are the metrics EnableEnhancedMonitoring accepts, besides "ALL".
var ShardLevelMetrics = []string{"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"}

// SetEnhancedMonitoring enables (or disables) shard-level metrics ("ALL" means all seven) and returns
// the info before the change and the metrics after it.
func (s *Store) SetEnhancedMonitoring(sc Scope, ref StreamRef, metrics []string, enable bool) (StreamInfo, []string, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return StreamInfo{}, nil, err
	}
	before := st.info(s.now(), false)
	var after []string
	err = st.modify(func(m *streamMeta) error {
		set := map[string]bool{}
		for _, x := range m.Metrics {
			set[x] = true
		}
		for _, x := range metrics {
			names := []string{x}
			if x == "ALL" {
				names = ShardLevelMetrics
			} else if !slices.Contains(ShardLevelMetrics, x) {
				return errorf(KindInvalidArgument, "Unknown shard level metric %s.", x)
			}
			for _, n := range names {
				set[n] = enable
			}
		}
		m.Metrics = nil
		for _, x := range ShardLevelMetrics {
			if set[x] {
				m.Metrics = append(m.Metrics, x)
			}
		}
		after = append([]string{}, m.Metrics...)
		return nil
	})
	return before, after, err
}

// UpdateStreamMode switches between PROVISIONED and ON_DEMAND. The shards stay as they are, as in
// AWS, where a switch keeps the current shards and on-demand scaling starts from them.
func (s *Store) UpdateStreamMode(sc Scope, ref StreamRef, mode string, warm *int) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	return st.update(func(m *streamMeta) error {
		switch mode {
		case ModeOnDemand:
			m.WarmTarget = warm
		case ModeProvisioned:
			if warm != nil {
				return errorf(KindInvalidArgument, "WarmThroughputMiBps is only supported for ON_DEMAND streams.")
			}
			m.WarmTarget = nil
		default:
			return errorf(KindInvalidArgument, "Unknown StreamMode %s.", mode)
		}
		if m.Mode == mode {
			return errorf(KindInvalidArgument, "Stream %s under account %s is already in %s capacity mode.", m.Name, st.key.account, mode)
		}
		m.Mode = mode
		return nil
	})
}

// UpdateMaxRecordSize sets the largest record (data plus partition key) the stream accepts.
func (s *Store) UpdateMaxRecordSize(sc Scope, ref StreamRef, kib int) error {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return err
	}
	if kib < 1024 || kib > 10240 {
		return errorf(KindInvalidArgument, "MaxRecordSizeInKiB must be between 1024 and 10240.")
	}
	return st.update(func(m *streamMeta) error {
		m.MaxRecordKiB = kib
		return nil
	})
}

// UpdateWarmThroughput sets an on-demand stream's warm throughput and returns the stream's info after.
func (s *Store) UpdateWarmThroughput(sc Scope, ref StreamRef, mibps int) (StreamInfo, error) {
	st, err := s.lookup(sc, ref)
	if err != nil {
		return StreamInfo{}, err
	}
	err = st.update(func(m *streamMeta) error {
		if m.Mode != ModeOnDemand {
			return errorf(KindInvalidArgument, "WarmThroughputMiBps is only supported for ON_DEMAND streams.")
		}
		m.WarmTarget = &mibps
		return nil
	})
	if err != nil {
		return StreamInfo{}, err
	}
	return st.info(s.now(), false), nil
}

// PutResourcePolicy stores a policy document on a stream or a consumer, addressed by ARN.
func (s *Store) PutResourcePolicy(sc Scope, arn, policy string) error {
	if isConsumerARN(arn) {
		return s.modifyConsumer(sc, arn, func(c *consumerMeta) error { c.Policy = policy; return nil })
	}
	st, err := s.lookup(sc, StreamRef{ARN: arn})
	if err != nil {
		return err
	}
	return st.modify(func(m *streamMeta) error {
		m.Policy = policy
		return nil
	})
}

// GetResourcePolicy returns the stored policy, or "" if none.
func (s *Store) GetResourcePolicy(sc Scope, arn string) (string, error) {
	if isConsumerARN(arn) {
		var p string
		err := s.readConsumer(sc, arn, func(c *consumerMeta) { p = c.Policy })
		return p, err
	}
	st, err := s.lookup(sc, StreamRef{ARN: arn})
	if err != nil {
		return "", err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.mu.meta.Policy, nil
}

// DeleteResourcePolicy removes the stored policy.
func (s *Store) DeleteResourcePolicy(sc Scope, arn string) error {
	if isConsumerARN(arn) {
		return s.modifyConsumer(sc, arn, func(c *consumerMeta) error {
			if c.Policy == "" {
				return errorf(KindNotFound, "No resource policy found for resource %s.", arn)
			}
			c.Policy = ""
			return nil
		})
	}
	st, err := s.lookup(sc, StreamRef{ARN: arn})
	if err != nil {
		return err
	}
	return st.modify(func(m *streamMeta) error {
		if m.Policy == "" {
			return errorf(KindNotFound, "No resource policy found for resource %s.", arn)
		}
		m.Policy = ""
		return nil
	})
}
