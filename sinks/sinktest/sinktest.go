// Package sinktest is the acceptance suite that every sinks.Sink passes: the same tests run against
// the file sink and against a real MinIO, reading objects back without the sink under test.
package sinktest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/sinks"
)

// Harness is what the suite needs of a destination.
type Harness struct {
	// New returns a sink over the destination with the given budget and backoff.
	New func(t *testing.T, c Config) sinks.Sink
	// Bucket exists and is empty when Run starts; every test writes under its own prefix.
	Bucket string
	// Read opens an object without the sink under test (minio-go, the filesystem).
	Read func(t *testing.T, bucket, key string) (io.ReadCloser, error)
	// Leftovers lists what failed or cancelled Puts left behind out of sight: incomplete multipart
	// uploads, temporary files.
	Leftovers func(t *testing.T) []string
	// Down makes the destination unavailable (stops the server, makes the directory unwritable)
	// and returns the function that brings it back.
	Down func(t *testing.T) (up func())
	// PartSize is the size beyond which the sink uploads in parts (0: it has no parts), so that the
	// large tests go through its multipart path.
	PartSize int64
}

// Config is how the suite wants a sink configured.
type Config struct {
	Budget *sinks.Budget // nil: the sink's default
	Retry  sinks.Backoff
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	s := &suite{h: h, part: h.PartSize}
	if s.part == 0 {
		s.part = 8 << 20
	}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"PutStat", s.putStat},
		{"Sizes", s.sizes},
		{"StatMissing", s.statMissing},
		{"NoSuchBucket", s.noSuchBucket},
		{"Reput", s.reput},
		{"Concurrent", s.concurrent},
		{"LargeBoundedMemory", s.largeBoundedMemory},
		{"Keys", s.keys},
		{"Cancel", s.cancel},
		{"DownThenUp", s.downThenUp},
		{"DeadlineWhileDown", s.deadlineWhileDown},
	} {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct {
	h    Harness
	part int64
}

// fast is a backoff short enough for tests.
func fast() sinks.Backoff {
	return sinks.Backoff{Base: 20 * time.Millisecond, Max: 250 * time.Millisecond}
}

func (s *suite) sink(t *testing.T) sinks.Sink { return s.h.New(t, Config{Retry: fast()}) }

func (s *suite) obj(t *testing.T, key string) sinks.Object {
	return sinks.Object{Bucket: s.h.Bucket, Key: strings.ReplaceAll(t.Name(), "/", "-") + "/" + key}
}

// data returns n pseudo-random bytes, the same for the same seed, as a stream.
func data(seed uint64, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)}), n)
}

func digest(t *testing.T, r io.Reader) ([32]byte, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil)), n
}

// check reads the object back without the sink and compares it with seed's n bytes.
func (s *suite) check(t *testing.T, key string, seed uint64, n int64) {
	t.Helper()
	rc, err := s.h.Read(t, s.h.Bucket, key)
	if err != nil {
		t.Fatalf("read back %s: %v", key, err)
	}
	defer rc.Close()
	got, gotN := digest(t, rc)
	want, _ := digest(t, data(seed, n))
	if gotN != n || got != want {
		t.Fatalf("%s: read back %d bytes (sha256 %x), want %d bytes (sha256 %x)", key, gotN, got[:6], n, want[:6])
	}
}

func (s *suite) absent(t *testing.T, snk sinks.Sink, key string) {
	t.Helper()
	if _, err := snk.Stat(context.Background(), s.h.Bucket, key); !errors.Is(err, sinks.ErrNotExist) {
		t.Fatalf("Stat(%s) = %v, want ErrNotExist", key, err)
	}
	if rc, err := s.h.Read(t, s.h.Bucket, key); err == nil {
		rc.Close()
		t.Fatalf("%s is readable, want no object", key)
	}
	if l := s.h.Leftovers(t); len(l) > 0 {
		t.Fatalf("leftovers: %q", l)
	}
}

func put(t *testing.T, snk sinks.Sink, o sinks.Object, seed uint64, n int64) sinks.PutResult {
	t.Helper()
	res, err := snk.Put(context.Background(), o, data(seed, n))
	if err != nil {
		t.Fatalf("Put(%s, %d bytes): %v", o.Key, n, err)
	}
	if res.Size != n {
		t.Fatalf("Put(%s) reports %d bytes, want %d", o.Key, res.Size, n)
	}
	return res
}

func (s *suite) putStat(t *testing.T) {
	snk := s.sink(t)
	o := s.obj(t, "object.json.gz")
	o.ContentType = "application/json"
	o.ContentEncoding = "gzip"
	o.Metadata = map[string]string{"first-seq": "42", "shard_id": "shardId-000000000001"}
	res := put(t, snk, o, 1, 1000)
	if res.Existed {
		t.Fatal("first Put reports Existed")
	}
	s.check(t, o.Key, 1, 1000)
	info, err := snk.Stat(context.Background(), o.Bucket, o.Key)
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != o.Key || info.Size != 1000 || info.ContentType != o.ContentType || info.ContentEncoding != "gzip" ||
		info.Metadata["first-seq"] != "42" || info.Metadata["shard_id"] != "shardId-000000000001" || info.ModTime.IsZero() {
		t.Fatalf("Stat = %+v", info)
	}
	if ok, err := sinks.Exists(context.Background(), snk, o.Bucket, o.Key); !ok || err != nil {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
}

// sizes round-trips the sizes around the part boundary: single PUT, exactly one part, one byte
// more (two parts, the last of one byte), and several parts.
func (s *suite) sizes(t *testing.T) {
	snk := s.sink(t)
	for i, n := range []int64{0, 1, 1<<20 + 7, s.part - 1, s.part, s.part + 1, 2*s.part + 12345} {
		o := s.obj(t, fmt.Sprintf("size-%d", n))
		put(t, snk, o, uint64(i), n)
		s.check(t, o.Key, uint64(i), n)
		info, err := snk.Stat(context.Background(), o.Bucket, o.Key)
		if err != nil || info.Size != n {
			t.Fatalf("Stat(%s) = %+v, %v", o.Key, info, err)
		}
	}
}

func (s *suite) statMissing(t *testing.T) {
	snk := s.sink(t)
	_, err := snk.Stat(context.Background(), s.h.Bucket, s.obj(t, "nothing-here").Key)
	var se *sinks.Error
	if !errors.Is(err, sinks.ErrNotExist) || !errors.As(err, &se) || se.Op != "stat" {
		t.Fatalf("Stat of a missing key = %v, want an *Error matching ErrNotExist", err)
	}
	if ok, err := sinks.Exists(context.Background(), snk, s.h.Bucket, s.obj(t, "nothing-here").Key); ok || err != nil {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
}

// noSuchBucket: a permanent error comes back at once, not after retries.
func (s *suite) noSuchBucket(t *testing.T) {
	snk := s.h.New(t, Config{Retry: sinks.Backoff{Base: time.Minute, Max: time.Minute}})
	start := time.Now()
	for _, n := range []int64{10, s.part + 10} {
		_, err := snk.Put(context.Background(), sinks.Object{Bucket: "no-such-bucket-here", Key: "k"}, data(1, n))
		if !errors.Is(err, sinks.ErrNoSuchBucket) || sinks.Temporary(err) {
			t.Fatalf("Put of %d bytes into a missing bucket = %v, want ErrNoSuchBucket", n, err)
		}
	}
	if _, err := snk.Stat(context.Background(), "no-such-bucket-here", "k"); !errors.Is(err, sinks.ErrNoSuchBucket) {
		t.Fatalf("Stat in a missing bucket = %v, want ErrNoSuchBucket", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("permanent errors took %v: they were retried", d)
	}
	if l := s.h.Leftovers(t); len(l) > 0 {
		t.Fatalf("leftovers: %q", l)
	}
}

// reput: the same key and bytes again is success and writes nothing; different bytes are a
// conflict and leave the stored object alone.
func (s *suite) reput(t *testing.T) {
	snk := s.sink(t)
	for _, n := range []int64{1000, 2*s.part + 99} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			o := s.obj(t, "object")
			first := put(t, snk, o, 7, n)
			again := put(t, snk, o, 7, n)
			if !again.Existed || again.CRC32C != first.CRC32C {
				t.Fatalf("second Put = %+v, want Existed with the same CRC-32C as %+v", again, first)
			}
			for _, tc := range []struct {
				name string
				body io.Reader
			}{
				{"other size", data(7, n+1)},
				{"same size, other bytes", data(8, n)},
			} {
				_, err := snk.Put(context.Background(), o, tc.body)
				if !errors.Is(err, sinks.ErrConflict) || sinks.Temporary(err) {
					t.Fatalf("Put with %s = %v, want ErrConflict", tc.name, err)
				}
			}
			s.check(t, o.Key, 7, n)
			var keys []string
			for info, err := range snk.List(context.Background(), o.Bucket, o.Key) {
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, info.Key)
			}
			if !slices.Equal(keys, []string{o.Key}) {
				t.Fatalf("List = %q, want the one object", keys)
			}
		})
	}
}

// concurrent: distinct keys all land; many Puts of one key give one object and exactly one of them
// creates it.
func (s *suite) concurrent(t *testing.T) {
	snk := s.h.New(t, Config{Retry: fast(), Budget: sinks.NewBudget(4 * s.part)})
	var wg sync.WaitGroup
	sizes := []int64{0, 10, 1 << 10, 100 << 10, 1 << 20, 3 << 20, s.part + 1, 2 * s.part}
	errs := make(chan error, 64)
	for i, n := range sizes {
		wg.Go(func() {
			o := s.obj(t, fmt.Sprintf("distinct-%d", i))
			if _, err := snk.Put(context.Background(), o, data(uint64(i), n)); err != nil {
				errs <- err
			}
		})
	}
	var created atomic.Int32
	for _, n := range []int64{5 << 10, s.part + 5} {
		o := s.obj(t, fmt.Sprintf("same-%d", n))
		for range 6 {
			wg.Go(func() {
				res, err := snk.Put(context.Background(), o, data(99, n))
				if err != nil {
					errs <- err
				} else if !res.Existed {
					created.Add(1)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if c := created.Load(); c != 2 {
		t.Errorf("%d Puts created the 2 contended objects, want exactly 2", c)
	}
	for i, n := range sizes {
		s.check(t, s.obj(t, fmt.Sprintf("distinct-%d", i)).Key, uint64(i), n)
	}
	for _, n := range []int64{5 << 10, s.part + 5} {
		s.check(t, s.obj(t, fmt.Sprintf("same-%d", n)).Key, 99, n)
	}
}

// largeBoundedMemory streams 50 MiB objects, one alone and then three at once, through a budget
// of two parts, and measures the heap: it must stay within the budget (plus the SDK's and the
// runtime's small change), far below the objects' size.
func (s *suite) largeBoundedMemory(t *testing.T) {
	const size = 50 << 20
	budget := sinks.NewBudget(2 * s.part)
	snk := s.h.New(t, Config{Retry: fast(), Budget: budget})
	limit := uint64(budget.Size()) + 12<<20
	for _, n := range []int{1, 3} {
		var wg sync.WaitGroup
		errs := make([]error, n)
		growth := peakHeapGrowth(func() {
			for i := range n {
				wg.Go(func() {
					_, errs[i] = snk.Put(context.Background(), s.obj(t, fmt.Sprintf("%d-of-%d", i, n)), data(uint64(i), size))
				})
			}
			wg.Wait()
		})
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d × %d MiB at once, budget %d MiB: heap grew by %.1f MiB", n, size>>20, budget.Size()>>20, float64(growth)/(1<<20))
		if growth > limit {
			t.Errorf("heap grew by %d MiB writing %d × %d MiB, more than the budget (%d MiB) + 12 MiB", growth>>20, n, size>>20, budget.Size()>>20)
		}
		for i := range n {
			s.check(t, s.obj(t, fmt.Sprintf("%d-of-%d", i, n)).Key, uint64(i), size)
		}
	}
}

// peakHeapGrowth runs f and returns how far the heap in use rose above where it was before.
func peakHeapGrowth(f func()) uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		p := base
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- p
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				p = max(p, m.HeapInuse)
			}
		}
	}()
	f()
	close(stop)
	return <-peak - base
}

// keys: slashes, unicode, spaces and the characters URLs escape; List returns them in byte order,
// with prefixes that cut through a name or end at a '/'.
func (s *suite) keys(t *testing.T) {
	snk := s.sink(t)
	base := s.obj(t, "").Key
	rel := []string{
		"a",
		"a-c",
		"a.b",
		"ab",
		"b/c/d/e/f/g/h/deep.gz",
		"b/c.txt",
		"dir/ünïcødé/日本語 ファイル.json",
		"dir/emoji-🚀/x",
		"odd/sp ace+plus%25percent&amp=eq?q#hash~tilde'quote",
		"x=1/y=2/hive-style",
	}
	for i, k := range rel {
		put(t, snk, sinks.Object{Bucket: s.h.Bucket, Key: base + k}, uint64(i), int64(100+i))
	}
	for i, k := range rel {
		s.check(t, base+k, uint64(i), int64(100+i))
		if info, err := snk.Stat(context.Background(), s.h.Bucket, base+k); err != nil || info.Size != int64(100+i) {
			t.Fatalf("Stat(%q) = %+v, %v", k, info, err)
		}
	}
	list := func(prefix string) []string {
		var out []string
		for info, err := range snk.List(context.Background(), s.h.Bucket, base+prefix) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimPrefix(info.Key, base))
		}
		return out
	}
	sorted := slices.Clone(rel)
	slices.Sort(sorted)
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", sorted},
		{"a", []string{"a", "a-c", "a.b", "ab"}},
		{"b/", []string{"b/c.txt", "b/c/d/e/f/g/h/deep.gz"}},
		{"b/c", []string{"b/c.txt", "b/c/d/e/f/g/h/deep.gz"}},
		{"b/c/", []string{"b/c/d/e/f/g/h/deep.gz"}},
		{"dir/ü", []string{"dir/ünïcødé/日本語 ファイル.json"}},
		{"nothing", nil},
	} {
		if got := list(tc.prefix); !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
	// Stopping early is allowed.
	for range snk.List(context.Background(), s.h.Bucket, base) {
		break
	}
}

// cancel: a Put whose ctx ends partway leaves nothing visible and nothing behind.
func (s *suite) cancel(t *testing.T) {
	snk := s.sink(t)
	for _, tc := range []struct {
		name     string
		size     int64
		cancelAt int64 // cancel once the sink has read this much of the body
	}{
		{"small", 1 << 20, 512 << 10},
		{"multipart", 4 * s.part, 2*s.part + 1},
		{"before", 1000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := s.obj(t, "object")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelAt == 0 {
				cancel()
			}
			body := &hookReader{r: data(1, tc.size), at: tc.cancelAt, hook: cancel}
			_, err := snk.Put(ctx, o, body)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled Put = %v, want context.Canceled", err)
			}
			s.absent(t, snk, o.Key)
		})
	}
	t.Run("blocked body", func(t *testing.T) {
		o := s.obj(t, "object")
		ctx, cancel := context.WithCancel(context.Background())
		body := io.MultiReader(data(1, s.part+100), &ctxReader{ctx})
		time.AfterFunc(500*time.Millisecond, cancel)
		if _, err := snk.Put(ctx, o, body); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Put = %v, want context.Canceled", err)
		}
		s.absent(t, snk, o.Key)
	})
}

// hookReader calls hook once at least `at` bytes have been read.
type hookReader struct {
	r    io.Reader
	n    int64
	at   int64
	hook func()
	once sync.Once
}

func (h *hookReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	if h.n >= h.at {
		h.once.Do(h.hook)
	}
	return n, err
}

// ctxReader blocks until ctx ends, like a producer that stalls.
type ctxReader struct{ ctx context.Context }

func (c *ctxReader) Read([]byte) (int, error) {
	<-c.ctx.Done()
	return 0, c.ctx.Err()
}

// downThenUp: Puts started or running while the destination is down wait, retrying, and succeed
// once it is back, with every byte in place.
func (s *suite) downThenUp(t *testing.T) {
	var retries atomic.Int64
	retry := fast()
	retry.OnRetry = func(string, error, time.Duration) { retries.Add(1) }
	snk := s.h.New(t, Config{Retry: retry, Budget: sinks.NewBudget(4 * s.part)})
	// waitRetries keeps the destination down for at least 2 s and n retries.
	waitRetries := func(t *testing.T, n int64, done <-chan error) {
		t.Helper()
		start := time.Now()
		deadline := start.Add(60 * time.Second)
		for retries.Load() < n || time.Since(start) < 2*time.Second {
			select {
			case err := <-done:
				t.Fatalf("Put returned %v while the destination was down", err)
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no retries after 60 s")
			}
		}
	}

	t.Run("down before", func(t *testing.T) {
		retries.Store(0)
		small, large := s.obj(t, "small"), s.obj(t, "large")
		up := s.h.Down(t)
		done := make(chan error, 2)
		go func() { _, err := snk.Put(context.Background(), small, data(1, 1000)); done <- err }()
		go func() { _, err := snk.Put(context.Background(), large, data(2, 3*s.part+5)); done <- err }()
		waitRetries(t, 6, done)
		up()
		for range 2 {
			if err := <-done; err != nil {
				t.Fatalf("Put after the destination came back: %v", err)
			}
		}
		s.check(t, small.Key, 1, 1000)
		s.check(t, large.Key, 2, 3*s.part+5)
	})

	t.Run("down midway", func(t *testing.T) {
		retries.Store(0)
		o := s.obj(t, "large")
		const seed = 3
		size := 5*s.part + 77
		gate := make(chan struct{})
		reached := make(chan struct{})
		r := &gateReader{r: data(seed, size), at: s.part + s.part/2, gate: gate, reached: reached}
		done := make(chan error, 1)
		go func() { _, err := snk.Put(context.Background(), o, r); done <- err }()
		select {
		case <-reached:
		case err := <-done:
			t.Fatalf("Put returned early: %v", err)
		}
		time.Sleep(200 * time.Millisecond) // let the first part go up before the destination goes down
		up := s.h.Down(t)
		close(gate)
		waitRetries(t, 4, done)
		up()
		if err := <-done; err != nil {
			t.Fatalf("Put after the destination came back: %v", err)
		}
		s.check(t, o.Key, seed, size)
	})
}

// gateReader stops at `at` bytes, closes reached, and waits for gate before going on.
type gateReader struct {
	r       io.Reader
	n, at   int64
	gate    chan struct{}
	reached chan struct{}
	once    sync.Once
}

func (g *gateReader) Read(p []byte) (int, error) {
	if g.n >= g.at {
		g.once.Do(func() { close(g.reached) })
		<-g.gate
	} else if int64(len(p)) > g.at-g.n {
		p = p[:g.at-g.n]
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// deadlineWhileDown: when ctx ends while the destination is down, the error says both, is
// Temporary, and nothing is visible once the destination is back.
func (s *suite) deadlineWhileDown(t *testing.T) {
	snk := s.sink(t)
	for _, n := range []int64{1000, 2*s.part + 1} {
		o := s.obj(t, fmt.Sprint(n))
		up := s.h.Down(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := snk.Put(ctx, o, data(1, n))
		cancel()
		up()
		if !errors.Is(err, sinks.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || !sinks.Temporary(err) {
			t.Fatalf("Put of %d bytes timing out while down = %v, want ErrUnavailable and DeadlineExceeded", n, err)
		}
		var se *sinks.Error
		if !errors.As(err, &se) || se.Op != "put" || se.Key != o.Key {
			t.Fatalf("error %v is not an *Error naming the put", err)
		}
		s.absent(t, snk, o.Key)
	}
}
