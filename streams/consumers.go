package streams

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Enhanced fan-out consumers. A consumer belongs to one stream and is kept in the stream's metadata
// (stream.json), so it is saved, recovered and deleted with the stream. Its status follows the clock as
// a stream's does, with no goroutine flipping it: CREATING until Options.TransitionDelay after it is
// registered, then ACTIVE; DeregisterConsumer makes it DELETING for TransitionDelay, after which it is
// gone (and dropped from the metadata at the stream's next consumer change). Its ARN carries its
// creation time in seconds, so a consumer registered again under the same name gets a new ARN and the
// old ARN finds nothing, as in AWS.

// Consumer limits, as in AWS (the 50-consumer limit of On-demand Advantage streams is not modelled).
const (
	maxConsumers         = 20 // registered consumers per stream
	maxCreatingConsumers = 5  // consumers of a stream in CREATING at once
)

// consumerMeta is one consumer as stream.json keeps it.
type consumerMeta struct {
	Name          string            `json:"name"`
	Created       int64             `json:"created"`                 // Unix ms
	ActiveAt      int64             `json:"activeAt,omitempty"`      // Unix ms when CREATING ends; 0: at once
	Deleting      bool              `json:"deleting,omitempty"`      // deregistered
	DeletingUntil int64             `json:"deletingUntil,omitempty"` // Unix ms when DELETING ends
	Tags          map[string]string `json:"tags,omitempty"`
	Policy        string            `json:"policy,omitempty"`
}

// status is the consumer's status at now, or "" once it is gone.
func (c *consumerMeta) status(now time.Time) string {
	ms := now.UnixMilli()
	switch {
	case c.Deleting && ms >= c.DeletingUntil:
		return ""
	case c.Deleting:
		return StatusDeleting
	case ms < c.ActiveAt:
		return StatusCreating
	}
	return StatusActive
}

// ConsumerRef addresses a consumer by its ARN, or by its stream's ARN and its name. When the ARN and
// the others are all given they must agree.
type ConsumerRef struct {
	ARN       string
	StreamARN string
	Name      string
}

// ConsumerInfo describes a consumer.
type ConsumerInfo struct {
	Name      string
	ARN       string
	Status    string // StatusCreating, StatusActive or StatusDeleting
	Created   time.Time
	StreamARN string
}

// consumerKey identifies a consumer: its stream, its name and its creation second (-1 when it was
// addressed by name, which matches any).
type consumerKey struct {
	stream      streamKey
	name        string
	createdSecs int64
}

func consumerARN(k streamKey, name string, createdMs int64) string {
	return streamARN(k) + "/consumer/" + name + ":" + strconv.FormatInt(createdMs/1000, 10)
}

// isConsumerARN tells a consumer's ARN from a stream's, for the operations that take either.
func isConsumerARN(arn string) bool { return strings.Contains(arn, "/consumer/") }

// parseConsumerARN parses arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<secs>.
func parseConsumerARN(arn string) (consumerKey, error) {
	invalid := errorf(KindInvalidArgument, "Invalid ConsumerARN %s.", arn)
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" ||
		parts[3] == "" || parts[4] == "" {
		return consumerKey{}, invalid
	}
	stream, name, ok := strings.Cut(strings.TrimPrefix(parts[5], "stream/"), "/consumer/")
	secs, err := strconv.ParseInt(parts[6], 10, 64)
	if !ok || !strings.HasPrefix(parts[5], "stream/") || stream == "" || name == "" || strings.Contains(name, "/") ||
		err != nil || secs < 0 {
		return consumerKey{}, invalid
	}
	return consumerKey{stream: streamKey{account: parts[4], region: parts[3], name: stream}, name: name, createdSecs: secs}, nil
}

// resolveConsumer turns a ConsumerRef into a key.
func resolveConsumer(sc Scope, ref ConsumerRef) (consumerKey, error) {
	if ref.ARN == "" {
		if ref.StreamARN == "" || ref.Name == "" {
			return consumerKey{}, errorf(KindInvalidArgument, "Either ConsumerARN or both ConsumerName and StreamARN must be specified.")
		}
		k, err := resolve(sc, StreamRef{ARN: ref.StreamARN})
		if err != nil {
			return consumerKey{}, err
		}
		return consumerKey{stream: k, name: ref.Name, createdSecs: -1}, nil
	}
	ck, err := parseConsumerARN(ref.ARN)
	if err != nil {
		return consumerKey{}, err
	}
	if ref.StreamARN != "" {
		k, err := resolve(sc, StreamRef{ARN: ref.StreamARN})
		if err != nil {
			return consumerKey{}, err
		}
		if k != ck.stream {
			return consumerKey{}, errorf(KindInvalidArgument, "ConsumerARN %s does not belong to stream %s.", ref.ARN, ref.StreamARN)
		}
	}
	if ref.Name != "" && ref.Name != ck.name {
		return consumerKey{}, errorf(KindInvalidArgument, "ConsumerARN %s and ConsumerName %s do not refer to the same consumer.",
			ref.ARN, ref.Name)
	}
	return ck, nil
}

func consumerNotFound(ck consumerKey) *Error {
	if ck.createdSecs >= 0 {
		return errorf(KindNotFound, "Consumer %s under account %s not found.",
			consumerARN(ck.stream, ck.name, ck.createdSecs*1000), ck.stream.account)
	}
	return errorf(KindNotFound, "Consumer %s for stream %s under account %s not found.", ck.name, ck.stream.name, ck.stream.account)
}

// consumerLocked finds a consumer that is not gone. The caller holds st.mu.
func (st *stream) consumerLocked(ck consumerKey, now time.Time) *consumerMeta {
	for _, c := range st.mu.meta.Consumers {
		if c.Name == ck.name && (ck.createdSecs < 0 || c.Created/1000 == ck.createdSecs) && c.status(now) != "" {
			return c
		}
	}
	return nil
}

// consumerCountLocked counts the consumers that are not gone.
func (st *stream) consumerCountLocked(now time.Time) int {
	n := 0
	for _, c := range st.mu.meta.Consumers {
		if c.status(now) != "" {
			n++
		}
	}
	return n
}

func (st *stream) consumerInfoLocked(c *consumerMeta, now time.Time) ConsumerInfo {
	return ConsumerInfo{Name: c.Name, ARN: consumerARN(st.key, c.Name, c.Created), Status: c.status(now),
		Created: time.UnixMilli(c.Created), StreamARN: streamARN(st.key)}
}

// lookupConsumerStream finds the stream of a consumer reference.
func (s *Store) lookupConsumerStream(sc Scope, ref ConsumerRef) (*stream, consumerKey, error) {
	ck, err := resolveConsumer(sc, ref)
	if err != nil {
		return nil, ck, err
	}
	st, err := s.lookupKey(ck.stream)
	return st, ck, err
}

// RegisterConsumer registers a consumer with the stream streamARN names. With TransitionDelay zero it
// is ACTIVE when this returns.
func (s *Store) RegisterConsumer(sc Scope, streamARN, name string, tags map[string]string) (ConsumerInfo, error) {
	if streamARN == "" {
		return ConsumerInfo{}, errorf(KindInvalidArgument, "StreamARN is required.")
	}
	st, err := s.lookup(sc, StreamRef{ARN: streamARN})
	if err != nil {
		return ConsumerInfo{}, err
	}
	if err := checkTags(nil, tags); err != nil {
		return ConsumerInfo{}, err
	}
	now := s.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mu.deleted {
		return ConsumerInfo{}, notFound(st.key)
	}
	if status := st.statusLocked(now); status == StatusCreating {
		return ConsumerInfo{}, errorf(KindInUse, "Stream %s under account %s not ACTIVE, instead in state %s", st.key.name, st.key.account, status)
	}
	var live []*consumerMeta // the consumers not gone, in registration order
	creating := 0
	for _, c := range st.mu.meta.Consumers {
		switch c.status(now) {
		case "":
			continue
		case StatusCreating:
			creating++
		}
		if c.Name == name {
			return ConsumerInfo{}, errorf(KindInUse, "Consumer %s already exists under stream %s under account %s.",
				name, st.key.name, st.key.account)
		}
		live = append(live, c)
	}
	if len(live) >= maxConsumers {
		return ConsumerInfo{}, errorf(KindLimitExceeded, "Stream %s under account %s already has %d registered consumers, "+
			"the maximum allowed.", st.key.name, st.key.account, maxConsumers)
	}
	if creating >= maxCreatingConsumers {
		return ConsumerInfo{}, errorf(KindLimitExceeded, "Stream %s under account %s already has %d consumers in CREATING "+
			"status, the maximum allowed at once.", st.key.name, st.key.account, maxCreatingConsumers)
	}
	c := &consumerMeta{Name: name, Created: now.UnixMilli(), Tags: copyTags(tags)}
	if d := s.opts.TransitionDelay; d > 0 {
		c.ActiveAt = now.Add(d).UnixMilli()
	}
	if err := st.setConsumersLocked(append(live, c)); err != nil {
		return ConsumerInfo{}, err
	}
	return st.consumerInfoLocked(c, now), nil
}

// setConsumersLocked replaces the consumer list and saves the metadata, restoring the list if the save
// fails. Lists are never changed in place, so a copy of the metadata stays valid.
func (st *stream) setConsumersLocked(cs []*consumerMeta) error {
	old := st.mu.meta.Consumers
	st.mu.meta.Consumers = cs
	if err := st.saveLocked(); err != nil {
		st.mu.meta.Consumers = old
		return err
	}
	return nil
}

// DescribeConsumer describes a consumer.
func (s *Store) DescribeConsumer(sc Scope, ref ConsumerRef) (ConsumerInfo, error) {
	st, ck, err := s.lookupConsumerStream(sc, ref)
	if err != nil {
		return ConsumerInfo{}, err
	}
	now := s.now()
	st.mu.RLock()
	defer st.mu.RUnlock()
	c := st.consumerLocked(ck, now)
	if c == nil || st.mu.deleted {
		return ConsumerInfo{}, consumerNotFound(ck)
	}
	return st.consumerInfoLocked(c, now), nil
}

// ListConsumers returns a stream's consumers, DELETING ones included, sorted by name. created, when not
// zero, must match the stream's creation time (to the second) or the call fails NotFound.
func (s *Store) ListConsumers(sc Scope, streamARN string, created time.Time) ([]ConsumerInfo, error) {
	if streamARN == "" {
		return nil, errorf(KindInvalidArgument, "StreamARN is required.")
	}
	st, err := s.lookup(sc, StreamRef{ARN: streamARN})
	if err != nil {
		return nil, err
	}
	now := s.now()
	st.mu.RLock()
	defer st.mu.RUnlock()
	if !created.IsZero() && created.Unix() != st.mu.meta.Created/1000 {
		return nil, notFound(st.key)
	}
	var out []ConsumerInfo
	for _, c := range st.mu.meta.Consumers {
		if c.status(now) != "" {
			out = append(out, st.consumerInfoLocked(c, now))
		}
	}
	slices.SortFunc(out, func(a, b ConsumerInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// DeregisterConsumer deregisters a consumer: it is DELETING for TransitionDelay, then gone. Its
// subscriptions end at once with a NotFound error.
func (s *Store) DeregisterConsumer(sc Scope, ref ConsumerRef) error {
	st, ck, err := s.lookupConsumerStream(sc, ref)
	if err != nil {
		return err
	}
	now := s.now()
	st.mu.Lock()
	c := st.consumerLocked(ck, now)
	if c == nil || c.Deleting || st.mu.deleted {
		st.mu.Unlock()
		return consumerNotFound(ck)
	}
	var cs []*consumerMeta
	for _, x := range st.mu.meta.Consumers {
		switch {
		case x.status(now) == "":
		case x != c:
			cs = append(cs, x)
		case s.opts.TransitionDelay > 0:
			d := *x
			d.Deleting, d.DeletingUntil = true, now.Add(s.opts.TransitionDelay).UnixMilli()
			cs = append(cs, &d)
		}
	}
	err = st.setConsumersLocked(cs)
	st.mu.Unlock()
	if err != nil {
		return err
	}
	st.endSubscriptions(func(k subKey) bool { return k.consumer == c.Name && k.consumerCreated == c.Created },
		errorf(KindNotFound, "Consumer %s under account %s was deregistered.", consumerARN(st.key, c.Name, c.Created), st.key.account))
	return nil
}

// modifyConsumer runs fn on a copy of the consumer an ARN names and saves it. fn returns an error to
// refuse the change.
func (s *Store) modifyConsumer(sc Scope, arn string, fn func(c *consumerMeta) error) error {
	st, ck, err := s.lookupConsumerStream(sc, ConsumerRef{ARN: arn})
	if err != nil {
		return err
	}
	now := s.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.consumerLocked(ck, now)
	if c == nil || st.mu.deleted {
		return consumerNotFound(ck)
	}
	d := *c
	if err := fn(&d); err != nil {
		return err
	}
	cs := slices.Clone(st.mu.meta.Consumers)
	cs[slices.Index(cs, c)] = &d
	return st.setConsumersLocked(cs)
}

// readConsumer runs fn on the consumer an ARN names, under the stream's read lock.
func (s *Store) readConsumer(sc Scope, arn string, fn func(c *consumerMeta)) error {
	st, ck, err := s.lookupConsumerStream(sc, ConsumerRef{ARN: arn})
	if err != nil {
		return err
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	c := st.consumerLocked(ck, s.now())
	if c == nil || st.mu.deleted {
		return consumerNotFound(ck)
	}
	fn(c)
	return nil
}

// AddResourceTags adds or overwrites the tags of the stream or consumer an ARN names (TagResource).
func (s *Store) AddResourceTags(sc Scope, arn string, tags map[string]string) error {
	if !isConsumerARN(arn) {
		return s.AddTags(sc, StreamRef{ARN: arn}, tags)
	}
	return s.modifyConsumer(sc, arn, func(c *consumerMeta) error {
		if err := checkTags(c.Tags, tags); err != nil {
			return err
		}
		m := make(map[string]string, len(c.Tags)+len(tags))
		for k, v := range c.Tags {
			m[k] = v
		}
		for k, v := range tags {
			m[k] = v
		}
		c.Tags = m
		return nil
	})
}

// RemoveResourceTags removes tags from the stream or consumer an ARN names (UntagResource); absent keys
// are ignored.
func (s *Store) RemoveResourceTags(sc Scope, arn string, keys []string) error {
	if !isConsumerARN(arn) {
		return s.RemoveTags(sc, StreamRef{ARN: arn}, keys)
	}
	return s.modifyConsumer(sc, arn, func(c *consumerMeta) error {
		c.Tags = copyTags(c.Tags)
		for _, k := range keys {
			delete(c.Tags, k)
		}
		return nil
	})
}

// ResourceTags returns the tags of the stream or consumer an ARN names (ListTagsForResource).
func (s *Store) ResourceTags(sc Scope, arn string) (map[string]string, error) {
	if !isConsumerARN(arn) {
		return s.ListTags(sc, StreamRef{ARN: arn})
	}
	var tags map[string]string
	err := s.readConsumer(sc, arn, func(c *consumerMeta) { tags = copyTags(c.Tags) })
	return tags, err
}
