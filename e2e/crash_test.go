package e2e

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// payload is the record a crash-test writer sends as its n-th record: writer, counter, pseudo-random
// filler derived from both, and a CRC32 of the rest, so that any record read back can be checked
// byte for byte and attributed.
func payload(w, n int) []byte {
	r := rand.New(rand.NewPCG(uint64(w), uint64(n)))
	b := make([]byte, 16+r.IntN(2000)+4)
	binary.BigEndian.PutUint64(b, uint64(w))
	binary.BigEndian.PutUint64(b[8:], uint64(n))
	for i := 16; i < len(b)-4; i++ {
		b[i] = byte(r.Uint32())
	}
	binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	return b
}

// parsePayload checks a record read back and returns its writer and counter.
func parsePayload(b []byte) (w, n int, err error) {
	if len(b) < 20 {
		return 0, 0, fmt.Errorf("short record (%d bytes)", len(b))
	}
	if crc32.ChecksumIEEE(b[:len(b)-4]) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return 0, 0, errors.New("checksum mismatch")
	}
	w, n = int(binary.BigEndian.Uint64(b)), int(binary.BigEndian.Uint64(b[8:]))
	if string(payload(w, n)) != string(b) {
		return 0, 0, fmt.Errorf("record w%d/%d differs from what was sent", w, n)
	}
	return w, n, nil
}

type ackKey struct{ w, n int }

// TestCrashKill9 kills a loaded server with SIGKILL at random moments, restarts it, and checks that
// every acknowledged record reads back byte for byte, in order, exactly once.
func TestCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs real processes")
	}
	addr, dir := freeAddr(t), t.TempDir()
	const (
		stream  = "crash"
		rounds  = 5
		writers = 6
	)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var (
		mu     sync.Mutex
		acked  = map[ackKey]string{} // → shard id
		next   = make([]int, writers)
		reads  atomic.Int64
		readMu sync.Mutex
		badRd  []string
	)
	for round := 0; round < rounds; round++ {
		srv := startServer(t, addr, dir)
		c := kinesisClient(srv.endpoint())
		if round == 0 {
			createStream(t, c, stream, 4)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					batch := 1 + rand.IntN(40)
					first := next[w]
					var entries []types.PutRecordsRequestEntry
					for i := 0; i < batch; i++ {
						entries = append(entries, types.PutRecordsRequestEntry{
							Data: payload(w, first+i), PartitionKey: aws.String(fmt.Sprintf("pk-%d-%d", w, (first+i)%13))})
					}
					// A batch whose fate is unknown (the server died) is never resent: its counters are
					// skipped, so a record that did land appears once and is simply not "acknowledged".
					next[w] = first + batch
					out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
					if err != nil {
						return
					}
					mu.Lock()
					for i, r := range out.Records {
						if r.ErrorCode == nil {
							acked[ackKey{w, first + i}] = *r.ShardId
						}
					}
					mu.Unlock()
				}
			}()
		}
		// A reader checks that nothing it reads mid-load is ever corrupt.
		wg.Add(1)
		go func() {
			defer wg.Done()
			it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
				ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			if err != nil {
				return
			}
			iter := it.ShardIterator
			for ctx.Err() == nil && iter != nil {
				out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
				if err != nil {
					return
				}
				for _, r := range out.Records {
					reads.Add(1)
					if _, _, err := parsePayload(r.Data); err != nil {
						readMu.Lock()
						badRd = append(badRd, err.Error())
						readMu.Unlock()
					}
				}
				iter = out.NextShardIterator
			}
		}()
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		srv.kill()
		cancel()
		wg.Wait()
	}
	if len(badRd) > 0 {
		t.Fatalf("reads during load returned corrupt records: %v", badRd)
	}

	srv := startServer(t, addr, dir)
	c := kinesisClient(srv.endpoint())
	seen := map[ackKey]string{}
	for shard := 0; shard < 4; shard++ {
		id := fmt.Sprintf("shardId-%012d", shard)
		it, err := c.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		last := map[int]int{}
		iter := it.ShardIterator
		for iter != nil {
			out, err := getRecordsRetrying(c, iter)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Records {
				w, n, err := parsePayload(r.Data)
				if err != nil {
					t.Fatalf("%s: corrupt record %s: %v", id, *r.SequenceNumber, err)
				}
				k := ackKey{w, n}
				if prev, dup := seen[k]; dup {
					t.Fatalf("record w%d/%d read twice (%s and %s)", w, n, prev, id)
				}
				seen[k] = id
				if p, ok := last[w]; ok && n <= p {
					t.Fatalf("%s: writer %d's record %d after %d", id, w, n, p)
				}
				last[w] = n
			}
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	for k, shard := range acked {
		got, ok := seen[k]
		if !ok {
			t.Fatalf("acknowledged record w%d/%d (shard %s) lost", k.w, k.n, shard)
		}
		if got != shard {
			t.Fatalf("record w%d/%d acknowledged on %s, read from %s", k.w, k.n, shard, got)
		}
	}
	t.Logf("%d rounds: %d records acknowledged, %d read back (%d unacknowledged but landed), %d reads during load",
		rounds, len(acked), len(seen), len(seen)-len(acked), reads.Load())
	if len(acked) < 1000 {
		t.Fatalf("only %d records acknowledged: the test did not load the server", len(acked))
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, srv.log())
	}
}

// getRecordsRetrying retries a GetRecords that failed on the client side. aws-sdk-go-v2's transport
// sometimes closes a connection while a large response is still being read ("use of closed network
// connection", aws/aws-sdk-go-v2#2737); its default retryer retries that, and so does this, since the
// test's client runs without one to see every other error.
func getRecordsRetrying(c *kinesis.Client, iter *string) (*kinesis.GetRecordsOutput, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var out *kinesis.GetRecordsOutput
		if out, err = c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: iter}); err == nil {
			return out, nil
		}
		if !errors.Is(err, net.ErrClosed) {
			return nil, err
		}
	}
	return nil, err
}
