package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdkes "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// BenchmarkFanOut is enhanced fan-out under load against hydrant serve: 5 consumers subscribed to each
// of 4 shards (20 subscriptions over h2c, one connection per consumer, as the KCL holds them) while
// producers write FanOutMBps of 1 KiB records with PutRecords (500 a call). Each iteration is one
// second of production; run it for ten with
//
//	go test ./e2e -run '^$' -bench FanOut -benchtime 10x
//
// It reports whether every consumer kept up (all records delivered within a second of the last
// acknowledgement, keptup=1) and the latency from a PutRecords acknowledgement to the delivery of its
// records (p50, p99, max; a record delivered before its producer saw the acknowledgement counts 0).
// The consumers frame with the AWS SDK for Go's event-stream decoder (checksums included) and find
// the records' partition keys in the JSON without decoding the base64 data.
func BenchmarkFanOut(b *testing.B) {
	const (
		shards       = 4
		consumers    = 5
		recordSize   = 1 << 10
		batchRecords = 500
		mbps         = 50
		producers    = 8
	)
	srv := startServer(b, freeAddr(b), b.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h1 := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: producers}}
	defer h1.CloseIdleConnections()
	call := func(op string, body any) []byte {
		b.Helper()
		raw, _ := json.Marshal(body)
		status, out := postAPI(ctx, h1, srv.endpoint(), op, raw)
		if status != 200 {
			b.Fatalf("%s: %d %s", op, status, out)
		}
		return out
	}
	call("CreateStream", map[string]any{"StreamName": "fanout", "ShardCount": shards})
	var summary struct {
		StreamDescriptionSummary struct{ StreamARN, StreamStatus string }
	}
	for {
		json.Unmarshal(call("DescribeStreamSummary", map[string]any{"StreamName": "fanout"}), &summary)
		if summary.StreamDescriptionSummary.StreamStatus == "ACTIVE" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var consumerARNs []string
	for i := range consumers {
		var out struct{ Consumer struct{ ConsumerARN string } }
		json.Unmarshal(call("RegisterStreamConsumer", map[string]any{"StreamARN": summary.StreamDescriptionSummary.StreamARN,
			"ConsumerName": fmt.Sprint("consumer-", i)}), &out)
		consumerARNs = append(consumerARNs, out.Consumer.ConsumerARN)
	}

	// Subscribe everyone from LATEST before the first record.
	var subs []*fanOutSub
	var wg sync.WaitGroup
	for _, arn := range consumerARNs {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		h2 := &http.Client{Transport: &http.Transport{Protocols: &p}}
		defer h2.CloseIdleConnections()
		for s := range shards {
			sub := &fanOutSub{shard: s, first: make(chan struct{})}
			body := fmt.Sprintf(`{"ConsumerARN":%q,"ShardId":"shardId-%012d","StartingPosition":{"Type":"LATEST"}}`, arn, s)
			resp, err := doAPI(ctx, h2, srv.endpoint(), "SubscribeToShard", []byte(body))
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("SubscribeToShard: %v %v", err, resp)
			}
			subs = append(subs, sub)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer resp.Body.Close()
				sub.read(resp.Body)
			}()
		}
	}
	for _, sub := range subs { // every subscription is live once its first event came
		<-sub.first
	}

	// Produce: batch k is due at start + k*interval; late batches go at once.
	data := make([]byte, recordSize)
	rand.Read(data)
	data64 := base64.StdEncoding.EncodeToString(data)
	var hashKeys [shards]string
	for s := range shards {
		hashKeys[s] = new(big.Int).Add(new(big.Int).Lsh(big.NewInt(int64(s)), 126), big.NewInt(1)).String()
	}
	interval := time.Duration(float64(time.Second) * batchRecords * recordSize / (mbps << 20))
	total := b.N * int(time.Second/interval)
	acks := make([]time.Time, total)
	sent := make([]time.Time, total)
	var perShard [shards]atomic.Int64
	next := make(chan int)
	var pwg sync.WaitGroup
	var failed atomic.Value
	for range producers {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			var body bytes.Buffer
			for k := range next {
				body.Reset()
				body.WriteString(`{"StreamName":"fanout","Records":[`)
				for i := range batchRecords {
					if i > 0 {
						body.WriteByte(',')
					}
					fmt.Fprintf(&body, `{"Data":"%s","PartitionKey":"b%d-%d","ExplicitHashKey":"%s"}`, data64, k, i, hashKeys[i%shards])
				}
				body.WriteString(`]}`)
				sent[k] = time.Now()
				status, out := postAPI(ctx, h1, srv.endpoint(), "PutRecords", body.Bytes())
				acks[k] = time.Now()
				if status != 200 || !bytes.Contains(out, []byte(`"FailedRecordCount":0`)) {
					failed.Store(fmt.Sprintf("PutRecords: %d %.200s", status, out))
				}
			}
		}()
	}
	for i := range batchRecords {
		perShard[i%shards].Add(int64(total))
	}
	b.ResetTimer()
	cpu0 := processCPU(srv.cmd.Process.Pid)
	self0 := processCPU(os.Getpid())
	start := time.Now()
	for k := range total {
		if d := time.Until(start.Add(time.Duration(k) * interval)); d > 0 {
			time.Sleep(d)
		}
		next <- k
	}
	close(next)
	pwg.Wait()
	produced := time.Since(start)
	serverCPU := processCPU(srv.cmd.Process.Pid) - cpu0
	clientCPU := processCPU(os.Getpid()) - self0
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	lastAck := slices.MaxFunc(acks, func(x, y time.Time) int { return x.Compare(y) })

	// Every subscription must get all its shard's records; how long after the last acknowledgement?
	caughtUp := true
	deadline := lastAck.Add(10 * time.Second)
	for _, sub := range subs {
		for sub.count.Load() < perShard[sub.shard].Load() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if sub.count.Load() != perShard[sub.shard].Load() {
			caughtUp = false
		}
	}
	drained := time.Since(lastAck)
	cancel()
	wg.Wait()

	var puts []time.Duration
	for k := range acks {
		puts = append(puts, acks[k].Sub(sent[k]))
	}
	slices.Sort(puts)
	var lat, fromSend []time.Duration // one entry per record
	var behind int64
	for _, sub := range subs {
		if sub.err != nil && ctx.Err() == nil {
			b.Errorf("subscription to shard %d: %v", sub.shard, sub.err)
		}
		behind = max(behind, sub.maxBehind)
		for _, d := range sub.deliveries {
			l := max(0, d.at.Sub(acks[d.batch]))
			s := d.at.Sub(sent[d.batch])
			for range d.n {
				lat = append(lat, l)
				fromSend = append(fromSend, s)
			}
		}
	}
	slices.Sort(lat)
	slices.Sort(fromSend)
	pct := func(s []time.Duration, p float64) float64 {
		if len(s) == 0 {
			return 0
		}
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	keptUp := 0.0
	if caughtUp && drained < time.Second {
		keptUp = 1
	}
	inMBps := float64(total*batchRecords*recordSize) / (1 << 20) / produced.Seconds()
	b.ReportMetric(inMBps, "MB/s-in")
	b.ReportMetric(inMBps*consumers, "MB/s-out")
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.99), "p99-ms")
	b.ReportMetric(pct(lat, 1), "max-ms")
	b.ReportMetric(pct(fromSend, 0.99), "p99-from-send-ms")
	b.ReportMetric(pct(puts, 0.99), "put-p99-ms")
	b.ReportMetric(float64(behind), "max-behind-ms")
	b.ReportMetric(keptUp, "keptup")
	b.ReportMetric(serverCPU.Seconds()/produced.Seconds(), "server-cores")
	b.ReportMetric(clientCPU.Seconds()/produced.Seconds(), "client-cores")
	b.Logf("%d records in %v (%.1f MB/s in, %.1f MB/s out to %d subscriptions); all delivered %v after the last ack; "+
		"ack->delivery p50 %.1f ms p99 %.1f ms max %.1f ms; send->delivery p99 %.1f ms; PutRecords p50 %.1f ms p99 %.1f ms; "+
		"max MillisBehindLatest %d; server %.2f cores, client %.2f cores; load average %s",
		total*batchRecords, produced.Round(time.Millisecond), inMBps, inMBps*consumers, len(subs), drained.Round(time.Millisecond),
		pct(lat, 0.5), pct(lat, 0.99), pct(lat, 1), pct(fromSend, 0.99), pct(puts, 0.5), pct(puts, 0.99), behind,
		serverCPU.Seconds()/produced.Seconds(), clientCPU.Seconds()/produced.Seconds(), loadAverage())
	if !caughtUp {
		b.Errorf("not every consumer got every record")
	}
}

// fanOutSub is one subscription's reader.
type fanOutSub struct {
	shard      int
	count      atomic.Int64  // records received
	first      chan struct{} // closed at the first event
	deliveries []delivery    // one per batch per event
	maxBehind  int64
	err        error
}

type delivery struct {
	batch int
	at    time.Time
	n     int
}

var (
	keyField    = []byte(`"PartitionKey":"b`)
	behindField = []byte(`"MillisBehindLatest":`)
)

func (s *fanOutSub) read(body io.Reader) {
	body = bufio.NewReaderSize(body, 256<<10) // the decoder reads a few bytes at a time
	dec := sdkes.NewDecoder()
	var buf []byte
	for n := 0; ; n++ {
		m, err := dec.Decode(body, buf[:0])
		if err != nil {
			s.err = err
			return
		}
		at := time.Now()
		buf = m.Payload
		if n == 0 { // the initial-response
			continue
		}
		if n == 1 {
			close(s.first)
		}
		if v := m.Headers.Get(":message-type"); v == nil || v.String() != "event" {
			s.err = fmt.Errorf("%s: %s", m.Headers.Get(":exception-type"), m.Payload)
			return
		}
		p := m.Payload
		last, count := -1, 0
		for {
			i := bytes.Index(p, keyField)
			if i < 0 {
				break
			}
			p = p[i+len(keyField):]
			batch, _ := strconv.Atoi(string(p[:bytes.IndexByte(p, '-')]))
			if batch != last && count > 0 {
				s.deliveries = append(s.deliveries, delivery{last, at, count})
				count = 0
			}
			last = batch
			count++
			s.count.Add(1)
		}
		if count > 0 {
			s.deliveries = append(s.deliveries, delivery{last, at, count})
		}
		if i := bytes.LastIndex(p, behindField); i >= 0 {
			v := p[i+len(behindField):]
			end := bytes.IndexAny(v, ",}")
			ms, _ := strconv.ParseInt(string(v[:end]), 10, 64)
			s.maxBehind = max(s.maxBehind, ms)
		}
	}
}

// loadAverage is the machine's 1-minute load average: a busy machine shows in the latencies.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// processCPU is the user and system CPU time a process has used, from /proc.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // clock ticks (USER_HZ)
}

func doAPI(ctx context.Context, c *http.Client, endpoint, op string, body []byte) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/kinesis/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
	req.Header.Set("X-Amz-Date", "20261122T000000Z")
	return c.Do(req)
}

func postAPI(ctx context.Context, c *http.Client, endpoint, op string, body []byte) (int, []byte) {
	resp, err := doAPI(ctx, c, endpoint, op, body)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}
