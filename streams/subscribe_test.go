package streams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

const shard0 = "shardId-000000000000"

// syncStore opens a store on the bubble's clock: call it inside synctest.Test, so that the waits of
// subscriptions (heartbeats, lifetime) run on fake time.
func syncStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(Options{Dir: t.TempDir(), SweepInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func subscribe(t *testing.T, s *Store, arn, shard string, pos StartingPosition) *Subscription {
	t.Helper()
	sub, err := s.Subscribe(sc, arn, shard, pos)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// next returns the next event's data as strings, and the event.
func next(t *testing.T, sub *Subscription) ([]string, SubscribeEvent) {
	t.Helper()
	ev, err := sub.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	var got []string
	for _, r := range ev.Records {
		got = append(got, string(r.Data))
	}
	ev.Release()
	return got, ev
}

func putData(t *testing.T, s *Store, data ...string) []PutResult {
	t.Helper()
	var recs []PutEntry
	for _, d := range data {
		recs = append(recs, PutEntry{PartitionKey: "k", Data: []byte(d)})
	}
	return put(t, s, "s", recs...)
}

func TestSubscribeStartingPositions(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	createStream(t, s, "s", 1)
	ci := register(t, s, "app")
	var res []PutResult
	for _, d := range []string{"a", "b", "c", "d", "e"} {
		res = append(res, putData(t, s, d)...)
		c.Advance(time.Second)
	}
	ts := c.Now().Add(-3 * time.Second) // the arrival of "c"
	for _, tc := range []struct {
		pos  StartingPosition
		want string
	}{
		{StartingPosition{Type: IteratorTrimHorizon}, "abcde"},
		{StartingPosition{Type: IteratorLatest}, ""},
		{StartingPosition{Type: IteratorAtSeq, SequenceNumber: res[1].SequenceNumber}, "bcde"},
		{StartingPosition{Type: IteratorAfterSeq, SequenceNumber: res[1].SequenceNumber}, "cde"},
		{StartingPosition{Type: IteratorAtTimestamp, Timestamp: &ts}, "cde"},
	} {
		// Closing a subscription frees its slot at once: no five-second wait between these.
		sub, err := s.Subscribe(sc, ci.ARN, shard0, tc.pos)
		if err != nil {
			t.Fatalf("%s: %v", tc.pos.Type, err)
		}
		got, ev := next(t, sub)
		sub.Close()
		if strings.Join(got, "") != tc.want || ev.MillisBehindLatest != 0 {
			t.Errorf("%s: got %q (%d ms behind), want %q", tc.pos.Type, got, ev.MillisBehindLatest, tc.want)
		}
		if ev.ContinuationSequenceNumber != res[4].SequenceNumber {
			t.Errorf("%s: continuation %s, want the last record's %s", tc.pos.Type, ev.ContinuationSequenceNumber, res[4].SequenceNumber)
		}
		if _, err := sub.Next(context.Background()); err != io.EOF {
			t.Errorf("Next after Close: %v", err)
		}
	}
}

// The continuation of a subscription that has delivered nothing resumes where it stands.
func TestSubscribeContinuationWithoutRecords(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	createStream(t, s, "s", 1)
	ci := register(t, s, "app")
	info, _ := s.DescribeStream(sc, StreamRef{Name: "s"})
	for _, tc := range []struct {
		name string
		pos  StartingPosition
		want func(res []PutResult) string
	}{
		{"empty shard", StartingPosition{Type: IteratorTrimHorizon}, func([]PutResult) string { return info.Shards[0].StartingSeq }},
		{"latest", StartingPosition{Type: IteratorLatest}, func(res []PutResult) string { return res[len(res)-1].SequenceNumber }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res []PutResult
			if tc.name != "empty shard" {
				res = putData(t, s, "x", "y")
			}
			sub := subscribe(t, s, ci.ARN, shard0, tc.pos)
			got, ev := next(t, sub)
			sub.Close()
			if len(got) != 0 || ev.ContinuationSequenceNumber != tc.want(res) {
				t.Fatalf("got %q, continuation %s, want %s", got, ev.ContinuationSequenceNumber, tc.want(res))
			}
			// Resuming after it reads what comes next, and nothing before.
			more := putData(t, s, "z")
			sub = subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorAfterSeq, SequenceNumber: ev.ContinuationSequenceNumber})
			got, ev = next(t, sub)
			sub.Close()
			if strings.Join(got, "") != "z" || ev.ContinuationSequenceNumber != more[0].SequenceNumber {
				t.Fatalf("resumed: %q, continuation %s", got, ev.ContinuationSequenceNumber)
			}
		})
	}
}

func TestSubscribeErrors(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c, func(o *Options) { o.TransitionDelay = time.Second })
	createStream(t, s, "s", 1)
	c.Advance(time.Second)
	ci := register(t, s, "app")
	_, err := s.Subscribe(sc, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
	mustKind(t, err, KindInUse) // CREATING
	c.Advance(time.Second)
	future := c.Now().Add(time.Minute)
	for _, tc := range []struct {
		arn, shard string
		pos        StartingPosition
		kind       ErrorKind
	}{
		{"arn:aws:kinesis:us-east-1:000000000000:stream/s", shard0, StartingPosition{Type: IteratorLatest}, KindInvalidArgument},
		{testStreamARN + "/consumer/nope:1", shard0, StartingPosition{Type: IteratorLatest}, KindNotFound},
		{"arn:aws:kinesis:us-east-1:000000000000:stream/t/consumer/app:1", shard0, StartingPosition{Type: IteratorLatest}, KindNotFound},
		{ci.ARN, "shardId-000000000009", StartingPosition{Type: IteratorLatest}, KindNotFound},
		{ci.ARN, shard0, StartingPosition{Type: "SOMEWHERE"}, KindInvalidArgument},
		{ci.ARN, shard0, StartingPosition{Type: IteratorAtSeq}, KindInvalidArgument},
		{ci.ARN, shard0, StartingPosition{Type: IteratorAtSeq, SequenceNumber: "12"}, KindInvalidArgument},
		{ci.ARN, shard0, StartingPosition{Type: IteratorLatest, SequenceNumber: "12"}, KindInvalidArgument},
		{ci.ARN, shard0, StartingPosition{Type: IteratorAtTimestamp}, KindInvalidArgument},
		{ci.ARN, shard0, StartingPosition{Type: IteratorAtTimestamp, Timestamp: &future}, KindInvalidArgument},
	} {
		_, err := s.Subscribe(sc, tc.arn, tc.shard, tc.pos)
		if KindOf(err) != tc.kind {
			t.Errorf("%s %s %+v: %v, want kind %d", tc.arn, tc.shard, tc.pos, err, tc.kind)
		}
	}
	// A failed subscribe holds no slot.
	subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
}

// A second subscription of the same consumer to the same shard is refused for five seconds after the
// first started, and takes over after that; the first then fails with InUse.
func TestSubscribeTakeover(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	createStream(t, s, "s", 2)
	a, b := register(t, s, "a"), register(t, s, "b")
	first := subscribe(t, s, a.ARN, shard0, StartingPosition{Type: IteratorLatest})
	next(t, first)

	// Another consumer, or another shard, is another slot.
	subscribe(t, s, b.ARN, shard0, StartingPosition{Type: IteratorLatest})
	subscribe(t, s, a.ARN, "shardId-000000000001", StartingPosition{Type: IteratorLatest})

	c.Advance(SubscriptionTakeover - time.Millisecond)
	_, err := s.Subscribe(sc, a.ARN, shard0, StartingPosition{Type: IteratorLatest})
	mustKind(t, err, KindInUse)
	c.Advance(time.Millisecond)
	second := subscribe(t, s, a.ARN, shard0, StartingPosition{Type: IteratorLatest})
	_, err = first.Next(context.Background())
	mustKind(t, err, KindInUse)
	if !strings.Contains(err.Error(), "taken over") {
		t.Errorf("message: %v", err)
	}
	_, err = first.Next(context.Background())
	mustKind(t, err, KindInUse) // it stays ended
	// Closing the old one does not free the new one's slot.
	first.Close()
	_, err = s.Subscribe(sc, a.ARN, shard0, StartingPosition{Type: IteratorLatest})
	mustKind(t, err, KindInUse)
	put(t, s, "s", PutEntry{PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("after")})
	if got, _ := next(t, second); len(got) != 1 || got[0] != "after" {
		t.Fatalf("second got %q", got)
	}
}

// Records are pushed as soon as they are durable: Next wakes on the commit, not on a timer.
func TestSubscribePushesOnCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := syncStore(t)
		createStream(t, s, "s", 1)
		ci := register(t, s, "app")
		sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
		if got, _ := next(t, sub); len(got) != 0 { // the first event comes at once
			t.Fatalf("first event %q", got)
		}
		start := time.Now()
		type result struct {
			got []string
			ev  SubscribeEvent
		}
		done := make(chan result)
		go func() {
			got, ev := next(t, sub)
			done <- result{got, ev}
		}()
		synctest.Wait()
		select {
		case r := <-done:
			t.Fatalf("Next returned %q before any record", r.got)
		default:
		}
		time.Sleep(time.Second) // on the bubble's clock
		res := putData(t, s, "one", "two")
		r := <-done
		if strings.Join(r.got, ",") != "one,two" || r.ev.ContinuationSequenceNumber != res[1].SequenceNumber || r.ev.MillisBehindLatest != 0 {
			t.Fatalf("got %q %+v", r.got, r.ev)
		}
		if took := time.Since(start); took != time.Second {
			t.Fatalf("delivered after %v, want at the commit (1s)", took)
		}
	})
}

// Without records a subscription sends an event every five seconds, and ends after five minutes.
func TestSubscribeHeartbeatAndLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := syncStore(t)
		createStream(t, s, "s", 1)
		ci := register(t, s, "app")
		start := time.Now()
		sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorTrimHorizon})
		var times []time.Duration
		for {
			ev, err := sub.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ev.Records) != 0 || ev.ContinuationSequenceNumber == "" || ev.ChildShards != nil {
				t.Fatalf("heartbeat %+v", ev)
			}
			times = append(times, time.Since(start))
		}
		if end := time.Since(start); end != SubscriptionLifetime {
			t.Fatalf("ended after %v", end)
		}
		if len(times) != 60 {
			t.Fatalf("%d events in five minutes: %v", len(times), times)
		}
		for i, d := range times {
			if d != time.Duration(i)*SubscriptionHeartbeat {
				t.Fatalf("event %d at %v", i, d)
			}
		}
		// The slot is free again.
		subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorTrimHorizon})
	})
}

// Records keep the heartbeat away: an event goes five seconds after the last one, whatever it held.
func TestSubscribeHeartbeatAfterRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := syncStore(t)
		createStream(t, s, "s", 1)
		ci := register(t, s, "app")
		sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
		next(t, sub)
		time.Sleep(3 * time.Second)
		putData(t, s, "r")
		if got, _ := next(t, sub); len(got) != 1 {
			t.Fatalf("got %q", got)
		}
		start := time.Now()
		if got, _ := next(t, sub); len(got) != 0 || time.Since(start) != SubscriptionHeartbeat {
			t.Fatalf("heartbeat after %v: %q", time.Since(start), got)
		}
	})
}

func TestSubscribeChildShardsAtShardEnd(t *testing.T) {
	wantChildren := func(t *testing.T, ev SubscribeEvent) {
		t.Helper()
		if ev.ContinuationSequenceNumber != "" || len(ev.ChildShards) != 2 ||
			ev.ChildShards[0].ShardID != "shardId-000000000001" || ev.ChildShards[1].ShardID != "shardId-000000000002" ||
			len(ev.ChildShards[0].Parents) != 1 || ev.ChildShards[0].Parents[0] != shard0 {
			t.Fatalf("last event %+v", ev)
		}
	}
	t.Run("closed before", func(t *testing.T) {
		c := newClock()
		s := openStore(t, t.TempDir(), c)
		createStream(t, s, "s", 1)
		ci := register(t, s, "app")
		putData(t, s, "a", "b")
		if err := s.SplitShard(sc, StreamRef{Name: "s"}, shard0, "170141183460469231731687303715884105728"); err != nil {
			t.Fatal(err)
		}
		sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorTrimHorizon})
		got, ev := next(t, sub)
		if strings.Join(got, "") != "ab" {
			t.Fatalf("got %q", got)
		}
		wantChildren(t, ev)
		if _, err := sub.Next(context.Background()); err != io.EOF {
			t.Fatalf("after the shard's end: %v", err)
		}
		// The children are read by subscribing to them.
		putData(t, s, "c")
		sub1 := subscribe(t, s, ci.ARN, "shardId-000000000001", StartingPosition{Type: IteratorTrimHorizon})
		sub2 := subscribe(t, s, ci.ARN, "shardId-000000000002", StartingPosition{Type: IteratorTrimHorizon})
		g1, _ := next(t, sub1)
		g2, _ := next(t, sub2)
		if len(g1)+len(g2) != 1 {
			t.Fatalf("children read %q %q", g1, g2)
		}
	})
	t.Run("closed while subscribed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := syncStore(t)
			createStream(t, s, "s", 1)
			ci := register(t, s, "app")
			sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
			next(t, sub)
			done := make(chan SubscribeEvent)
			go func() {
				_, ev := next(t, sub)
				done <- ev
			}()
			time.Sleep(time.Second)
			putData(t, s, "x")
			if ev := <-done; len(ev.Records) != 1 || ev.ContinuationSequenceNumber == "" {
				t.Fatalf("before the split: %+v", ev)
			}
			go func() {
				_, ev := next(t, sub)
				done <- ev
			}()
			start := time.Now()
			time.Sleep(time.Second)
			if err := s.SplitShard(sc, StreamRef{Name: "s"}, shard0, "170141183460469231731687303715884105728"); err != nil {
				t.Fatal(err)
			}
			ev := <-done
			if time.Since(start) != time.Second {
				t.Fatalf("shard end delivered after %v", time.Since(start))
			}
			wantChildren(t, ev)
			if _, err := sub.Next(context.Background()); err != io.EOF {
				t.Fatalf("after the shard's end: %v", err)
			}
		})
	})
}

func TestSubscribeEndsWithConsumerOrStream(t *testing.T) {
	for _, tc := range []struct {
		name string
		kill func(s *Store, ci ConsumerInfo) error
	}{
		{"deregister", func(s *Store, ci ConsumerInfo) error { return s.DeregisterConsumer(sc, ConsumerRef{ARN: ci.ARN}) }},
		{"delete stream", func(s *Store, ci ConsumerInfo) error { return s.DeleteStream(sc, StreamRef{Name: "s"}, true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := syncStore(t)
				createStream(t, s, "s", 1)
				ci := register(t, s, "app")
				sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
				next(t, sub)
				errc := make(chan error)
				go func() {
					_, err := sub.Next(context.Background())
					errc <- err
				}()
				time.Sleep(time.Second)
				if err := tc.kill(s, ci); err != nil {
					t.Fatal(err)
				}
				mustKind(t, <-errc, KindNotFound)
			})
		})
	}
}

func TestSubscribeContextCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := syncStore(t)
		createStream(t, s, "s", 1)
		ci := register(t, s, "app")
		sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
		next(t, sub)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error)
		go func() {
			_, err := sub.Next(ctx)
			errc <- err
		}()
		time.Sleep(time.Second)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("Next: %v", err)
		}
		// The slot is free: the owner gave up.
		subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
	})
}

// A reader behind the tip reads in events of at most 1 MiB and is told how far behind it is.
func TestSubscribeMillisBehindLatest(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	createStream(t, s, "s", 1)
	ci := register(t, s, "app")
	big := bytes.Repeat([]byte("x"), 400<<10)
	var want []string
	for i := range 6 {
		d := fmt.Sprint(i) + string(big)
		want = append(want, d)
		putData(t, s, d)
		c.Advance(time.Second)
	}
	c.Advance(10 * time.Second)
	sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorTrimHorizon})
	var got []string
	var behind []int64
	for len(got) < len(want) {
		g, ev := next(t, sub)
		got = append(got, g...)
		behind = append(behind, ev.MillisBehindLatest)
	}
	// 2 records (800 KiB) fit an event, a third would not: events of 2, 2, 2, the last one caught up.
	// The clock is 16 s past the first record.
	if len(behind) != 3 || behind[0] != 15000 || behind[1] != 13000 || behind[2] != 0 {
		t.Fatalf("MillisBehindLatest per event: %v", behind)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d differs", i)
		}
	}
}

// Encrypted records come back decrypted, marked as such.
func TestSubscribeEncrypted(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	createStream(t, s, "s", 1)
	ci := register(t, s, "app")
	if err := s.StartEncryption(sc, StreamRef{Name: "s"}, "alias/aws/kinesis"); err != nil {
		t.Fatal(err)
	}
	putData(t, s, "secret")
	sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorTrimHorizon})
	ev, err := sub.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Release()
	if len(ev.Records) != 1 || string(ev.Records[0].Data) != "secret" || !ev.Records[0].Encrypted {
		t.Fatalf("%+v", ev.Records)
	}
}

// The consumers one commit wakes share the batch they read, and what they derive from it (Memo).
func TestSubscribeSharesBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := syncStore(t)
		createStream(t, s, "s", 1)
		const consumers = 5
		var subs []*Subscription
		for i := range consumers {
			ci := register(t, s, fmt.Sprint("c", i))
			sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorLatest})
			next(t, sub)
			subs = append(subs, sub)
		}
		events := make(chan SubscribeEvent, consumers)
		for _, sub := range subs {
			go func() {
				ev, err := sub.Next(context.Background())
				if err != nil {
					t.Error(err)
				}
				events <- ev // held, not released, until every consumer has its event
			}()
		}
		synctest.Wait()
		putData(t, s, "a", "b", "c")
		builds, frees := 0, 0
		var first SubscribeEvent
		var memo []byte
		for i := range consumers {
			ev := <-events
			if len(ev.Records) != 3 || string(ev.Records[2].Data) != "c" {
				t.Fatalf("event %d: %+v", i, ev.Records)
			}
			m := ev.Memo("json", func() []byte { builds++; return []byte("encoded") }, func([]byte) { frees++ })
			if i == 0 {
				first, memo = ev, m
				continue
			}
			if &ev.Records[0] != &first.Records[0] || &m[0] != &memo[0] {
				t.Errorf("consumer %d read its own batch", i)
			}
			ev.Release()
		}
		if builds != 1 {
			t.Errorf("Memo built %d times", builds)
		}
		// The last release frees the batch (its buffers go back to the pool, its memo to free): a later
		// reader at the same position reads anew, and derives anew.
		if frees != 0 {
			t.Errorf("memo freed while in use")
		}
		first.Release()
		if frees != 1 {
			t.Errorf("memo freed %d times", frees)
		}
		sub := subscribe(t, s, register(t, s, "late").ARN, shard0, StartingPosition{Type: IteratorTrimHorizon})
		ev, err := sub.Next(context.Background())
		if err != nil || len(ev.Records) != 3 {
			t.Fatalf("late reader: %v %+v", err, ev.Records)
		}
		if got := ev.Memo("json", func() []byte { builds++; return nil }, nil); got != nil || builds != 2 {
			t.Errorf("memo of a new batch: %q, %d builds", got, builds)
		}
		ev.Release()
	})
}

// A closed shard whose records all expired is dropped with its log: its subscriptions end NotFound.
func TestSubscribeShardExpires(t *testing.T) {
	c := newClock()
	s := openStore(t, t.TempDir(), c)
	createStream(t, s, "s", 1)
	ci := register(t, s, "app")
	putData(t, s, "old")
	if err := s.SplitShard(sc, StreamRef{Name: "s"}, shard0, "170141183460469231731687303715884105728"); err != nil {
		t.Fatal(err)
	}
	c.Advance(25 * time.Hour) // expired, but not swept yet
	sub := subscribe(t, s, ci.ARN, shard0, StartingPosition{Type: IteratorTrimHorizon})
	s.sweep()
	_, err := sub.Next(context.Background())
	mustKind(t, err, KindNotFound)
	if !strings.Contains(err.Error(), "Shard "+shard0) {
		t.Errorf("message: %v", err)
	}
}
