package streams

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"
)

const testStreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s"

func createStream(t *testing.T, s *Store, name string, shards int) {
	t.Helper()
	if err := s.CreateStream(sc, CreateStreamInput{Name: name, ShardCount: shards}); err != nil {
		t.Fatal(err)
	}
}

func register(t *testing.T, s *Store, name string) ConsumerInfo {
	t.Helper()
	c, err := s.RegisterConsumer(sc, testStreamARN, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConsumerLifecycle(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := openStore(t, dir, c)
	createStream(t, s, "s", 1)

	a := register(t, s, "a")
	wantARN := fmt.Sprintf("%s/consumer/a:%d", testStreamARN, c.Now().Unix())
	if a.ARN != wantARN || a.Status != StatusActive || a.Name != "a" || !a.Created.Equal(c.Now()) || a.StreamARN != testStreamARN {
		t.Fatalf("registered %+v, want ARN %s", a, wantARN)
	}
	if !regexp.MustCompile(`^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+$`).MatchString(a.ARN) {
		t.Fatalf("ARN %s does not match the model's pattern", a.ARN)
	}
	_, err := s.RegisterConsumer(sc, testStreamARN, "a", nil)
	mustKind(t, err, KindInUse)
	c.Advance(1500 * time.Millisecond)
	b := register(t, s, "b")

	for _, ref := range []ConsumerRef{{ARN: a.ARN}, {StreamARN: testStreamARN, Name: "a"}, {ARN: a.ARN, StreamARN: testStreamARN, Name: "a"}} {
		got, err := s.DescribeConsumer(sc, ref)
		if err != nil || got != a {
			t.Fatalf("describe %+v: %+v %v", ref, got, err)
		}
	}
	for _, tc := range []struct {
		ref  ConsumerRef
		kind ErrorKind
	}{
		{ConsumerRef{}, KindInvalidArgument},
		{ConsumerRef{Name: "a"}, KindInvalidArgument},
		{ConsumerRef{ARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s"}, KindInvalidArgument},
		{ConsumerRef{ARN: a.ARN, Name: "b"}, KindInvalidArgument},
		{ConsumerRef{ARN: a.ARN, StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/t"}, KindInvalidArgument},
		{ConsumerRef{ARN: testStreamARN + "/consumer/a:1"}, KindNotFound}, // another creation second
		{ConsumerRef{StreamARN: testStreamARN, Name: "nope"}, KindNotFound},
		{ConsumerRef{StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/t", Name: "a"}, KindNotFound},
	} {
		_, err := s.DescribeConsumer(sc, tc.ref)
		mustKind(t, err, tc.kind)
	}

	list, err := s.ListConsumers(sc, testStreamARN, time.Time{})
	if err != nil || len(list) != 2 || list[0] != a || list[1] != b {
		t.Fatalf("list: %+v %v", list, err)
	}
	info, _ := s.DescribeStream(sc, StreamRef{Name: "s"})
	if info.ConsumerCount != 2 {
		t.Fatalf("ConsumerCount %d", info.ConsumerCount)
	}
	_, err = s.ListConsumers(sc, testStreamARN, info.Created.Add(-time.Hour))
	mustKind(t, err, KindNotFound)

	// Consumers are saved with the stream.
	s.Close()
	s = openStore(t, dir, c)
	if got, err := s.DescribeConsumer(sc, ConsumerRef{ARN: b.ARN}); err != nil || got != b {
		t.Fatalf("after reopen: %+v %v", got, err)
	}

	mustKind(t, s.DeleteStream(sc, StreamRef{Name: "s"}, false), KindInUse)
	if err := s.DeregisterConsumer(sc, ConsumerRef{ARN: a.ARN}); err != nil {
		t.Fatal(err)
	}
	mustKind(t, s.DeregisterConsumer(sc, ConsumerRef{ARN: a.ARN}), KindNotFound)
	_, err = s.DescribeConsumer(sc, ConsumerRef{ARN: a.ARN})
	mustKind(t, err, KindNotFound)
	// A consumer registered again under the same name is another consumer, with another ARN.
	c.Advance(time.Second)
	a2 := register(t, s, "a")
	if a2.ARN == a.ARN {
		t.Fatal("re-registered consumer kept its ARN")
	}
	_, err = s.DescribeConsumer(sc, ConsumerRef{ARN: a.ARN})
	mustKind(t, err, KindNotFound)
	if err := s.DeleteStream(sc, StreamRef{Name: "s"}, true); err != nil {
		t.Fatal(err)
	}
	_, err = s.DescribeConsumer(sc, ConsumerRef{ARN: b.ARN})
	mustKind(t, err, KindNotFound)
}

func TestConsumerTransitionsAndLimits(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c, func(o *Options) { o.TransitionDelay = 10 * time.Second })
	_, err := s.RegisterConsumer(sc, testStreamARN, "x", nil)
	mustKind(t, err, KindNotFound)
	createStream(t, s, "s", 1)
	_, err = s.RegisterConsumer(sc, testStreamARN, "x", nil)
	mustKind(t, err, KindInUse) // the stream is CREATING
	c.Advance(10 * time.Second)

	// At most five CREATING at once.
	var first ConsumerInfo
	for i := range maxCreatingConsumers {
		ci := register(t, s, fmt.Sprintf("c%02d", i))
		if ci.Status != StatusCreating {
			t.Fatalf("status %s", ci.Status)
		}
		if i == 0 {
			first = ci
		}
	}
	_, err = s.RegisterConsumer(sc, testStreamARN, "c05", nil)
	mustKind(t, err, KindLimitExceeded)
	c.Advance(10 * time.Second)
	if got, _ := s.DescribeConsumer(sc, ConsumerRef{ARN: first.ARN}); got.Status != StatusActive {
		t.Fatalf("after the delay: %s", got.Status)
	}
	// At most twenty registered.
	for i := maxCreatingConsumers; i < maxConsumers; i++ {
		register(t, s, fmt.Sprintf("c%02d", i))
		if i%maxCreatingConsumers == maxCreatingConsumers-1 {
			c.Advance(10 * time.Second)
		}
	}
	_, err = s.RegisterConsumer(sc, testStreamARN, "c20", nil)
	mustKind(t, err, KindLimitExceeded)

	// Deregistering: DELETING for the delay (still listed, still counted), then gone.
	if err := s.DeregisterConsumer(sc, ConsumerRef{StreamARN: testStreamARN, Name: "c00"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DescribeConsumer(sc, ConsumerRef{ARN: first.ARN}); got.Status != StatusDeleting {
		t.Fatalf("deregistered: %s", got.Status)
	}
	list, _ := s.ListConsumers(sc, testStreamARN, time.Time{})
	if len(list) != maxConsumers || list[0].Status != StatusDeleting {
		t.Fatalf("list while DELETING: %d, %+v", len(list), list[0])
	}
	_, err = s.RegisterConsumer(sc, testStreamARN, "c00", nil)
	mustKind(t, err, KindInUse)
	c.Advance(10 * time.Second)
	_, err = s.DescribeConsumer(sc, ConsumerRef{ARN: first.ARN})
	mustKind(t, err, KindNotFound)
	if info, _ := s.DescribeStream(sc, StreamRef{Name: "s"}); info.ConsumerCount != maxConsumers-1 {
		t.Fatalf("ConsumerCount %d", info.ConsumerCount)
	}
	register(t, s, "c00")
}

func TestConsumerTagsAndPolicies(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	createStream(t, s, "s", 1)
	ci, err := s.RegisterConsumer(sc, testStreamARN, "a", map[string]string{"team": "data"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.RegisterConsumer(sc, testStreamARN, "bad", map[string]string{"k": "<script>"})
	mustKind(t, err, KindInvalidArgument)

	if err := s.AddResourceTags(sc, ci.ARN, map[string]string{"env": "prod"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddResourceTags(sc, testStreamARN, map[string]string{"stream": "yes"}); err != nil {
		t.Fatal(err)
	}
	tags, err := s.ResourceTags(sc, ci.ARN)
	if err != nil || len(tags) != 2 || tags["team"] != "data" || tags["env"] != "prod" {
		t.Fatalf("consumer tags %v %v", tags, err)
	}
	if tags, _ := s.ResourceTags(sc, testStreamARN); len(tags) != 1 || tags["stream"] != "yes" {
		t.Fatalf("stream tags %v", tags)
	}
	if err := s.RemoveResourceTags(sc, ci.ARN, []string{"team", "absent"}); err != nil {
		t.Fatal(err)
	}
	if tags, _ := s.ResourceTags(sc, ci.ARN); len(tags) != 1 || tags["env"] != "prod" {
		t.Fatalf("after untag %v", tags)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprint("k", i)] = "v"
	}
	mustKind(t, s.AddResourceTags(sc, ci.ARN, many), KindInvalidArgument)
	mustKind(t, s.AddResourceTags(sc, testStreamARN+"/consumer/a:1", many), KindNotFound)

	const policy = `{"Version":"2012-10-17","Statement":[]}`
	if err := s.PutResourcePolicy(sc, ci.ARN, policy); err != nil {
		t.Fatal(err)
	}
	if p, err := s.GetResourcePolicy(sc, ci.ARN); err != nil || p != policy {
		t.Fatalf("policy %q %v", p, err)
	}
	if p, _ := s.GetResourcePolicy(sc, testStreamARN); p != "" {
		t.Fatalf("the stream got the consumer's policy: %q", p)
	}
	if err := s.DeleteResourcePolicy(sc, ci.ARN); err != nil {
		t.Fatal(err)
	}
	mustKind(t, s.DeleteResourcePolicy(sc, ci.ARN), KindNotFound)
}

func TestParseConsumerARN(t *testing.T) {
	good := "arn:aws:kinesis:eu-west-1:123456789012:stream/my.stream/consumer/my-app_1:1700000000"
	ck, err := parseConsumerARN(good)
	if err != nil || ck.stream != (streamKey{account: "123456789012", region: "eu-west-1", name: "my.stream"}) ||
		ck.name != "my-app_1" || ck.createdSecs != 1700000000 {
		t.Fatalf("%+v %v", ck, err)
	}
	if consumerARN(ck.stream, ck.name, ck.createdSecs*1000) != good {
		t.Fatal("round trip")
	}
	for _, bad := range []string{
		"", "arn:aws:kinesis:eu-west-1:123456789012:stream/s",
		"arn:aws:kinesis:eu-west-1:123456789012:stream/s/consumer/c",
		"arn:aws:kinesis:eu-west-1:123456789012:stream/s/consumer/c:x",
		"arn:aws:kinesis:eu-west-1:123456789012:stream/s/consumer/:1",
		"arn:aws:kinesis:eu-west-1:123456789012:stream//consumer/c:1",
		"arn:aws:s3:eu-west-1:123456789012:stream/s/consumer/c:1",
		"arn:aws:kinesis::123456789012:stream/s/consumer/c:1",
		"arn:aws:kinesis:eu-west-1:123456789012:stream/s/consumer/c/d:1",
		"arn:aws:kinesis:eu-west-1:123456789012:table/s/consumer/c:1",
	} {
		if _, err := parseConsumerARN(bad); KindOf(err) != KindInvalidArgument {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if !slices.Equal([]bool{isConsumerARN(good), isConsumerARN(testStreamARN)}, []bool{true, false}) {
		t.Error("isConsumerARN")
	}
}
