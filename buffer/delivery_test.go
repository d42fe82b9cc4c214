package buffer

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
	"github.com/hydrantio/hydrant/transforms"
)

// dirObjects is the real file sink, counting puts so tests can see repeated deliveries.
type dirObjects struct {
	*sinks.Files
	root string
	mu   sync.Mutex
	puts map[string]int
}

func (o *dirObjects) Put(ctx context.Context, obj sinks.Object, body io.Reader) (sinks.PutResult, error) {
	res, err := o.Files.Put(ctx, obj, body)
	if err == nil && !res.Existed {
		o.mu.Lock()
		o.puts[obj.Key]++
		o.mu.Unlock()
	}
	return res, err
}

// objects returns the gunzipped contents of every object, by key.
func (o *dirObjects) objects(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(filepath.Join(o.root, "lake"), func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		f, _ := os.Open(p)
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rel, _ := filepath.Rel(filepath.Join(o.root, "lake"), p)
		out[rel] = string(b)
		return nil
	})
	return out
}

var deliveryScope = streams.Scope{Account: "000000000000", Region: "us-east-1", Namespace: "firehose"}

type fixture struct {
	store   *streams.Store
	objects *dirObjects
	dir     string
}

func newFixture(t *testing.T, shards int) *fixture {
	dir := t.TempDir()
	s, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateStream(deliveryScope, streams.CreateStreamInput{Name: "d", ShardCount: shards}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "bucket", "lake"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := sinks.NewFiles(filepath.Join(dir, "bucket"), sinks.FilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: s, objects: &dirObjects{Files: files, root: filepath.Join(dir, "bucket"), puts: map[string]int{}}, dir: dir}
}

func (f *fixture) start(t *testing.T, rules Rules, process Processor) *Delivery {
	gz, _ := transforms.Lookup("GZIP")
	d, err := StartDelivery(DeliveryConfig{
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		Name:   "d", Store: f.store, Scope: deliveryScope, Source: streams.StreamRef{Name: "d"},
		StartAt: streams.IteratorTrimHorizon, Journal: filepath.Join(f.dir, "cuts.log"), Rules: rules,
		Output: Output{Objects: f.objects, Bucket: "lake", Codec: gz, Process: process,
			Key: func(k KeyInput) (string, error) {
				p := ""
				if !k.Partition.IsZero() {
					p = "customer=" + k.Partition.Get("customer") + "/"
				}
				return p + k.Oldest.UTC().Format("2006/01/02/15/") + "d-1-" + k.ID + ".gz", nil
			},
			ErrorKey: func(k KeyInput) (string, error) { return "errors/" + k.ErrorType + "/" + k.ID + ".gz", nil },
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) put(t *testing.T, recs ...string) {
	var in []streams.PutEntry
	for _, r := range recs {
		in = append(in, streams.PutEntry{PartitionKey: r, Data: []byte(r)})
	}
	if _, _, err := f.store.PutRecords(context.Background(), deliveryScope, streams.StreamRef{Name: "d"}, in); err != nil {
		t.Fatal(err)
	}
}

func lines(n int, prefix string) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("%s-%04d\n", prefix, i))
	}
	return out
}

// TestIntervalRule checks, on a virtual clock, that an object appears when the oldest record is
// Interval old and not before, and holds exactly the records put.
func TestIntervalRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, 1)
		defer f.store.Close()
		d := f.start(t, Rules{Size: 1 << 20, Interval: 60 * time.Second}, nil)
		defer d.Stop()
		recs := lines(100, "a")
		f.put(t, recs...)
		time.Sleep(59 * time.Second)
		synctest.Wait()
		if n := len(f.objects.objects(t)); n != 0 {
			t.Fatalf("%d objects before the interval", n)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		objs := f.objects.objects(t)
		if len(objs) != 1 {
			t.Fatalf("%d objects after the interval, want 1", len(objs))
		}
		for _, body := range objs {
			if body != strings.Join(recs, "") {
				t.Fatalf("object holds %q", body)
			}
		}
	})
}

func TestSizeRuleAndRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, 1)
		defer f.store.Close()
		rules := Rules{Size: 1000, Interval: 300 * time.Second}
		d := f.start(t, rules, nil)
		recs := lines(300, "b") // 7 bytes each: 2100 bytes, two full objects and a rest
		f.put(t, recs...)
		synctest.Wait()
		if n := len(f.objects.objects(t)); n != 2 {
			t.Fatalf("%d objects by size, want 2", n)
		}
		// A restart neither repeats nor loses anything; the rest comes due by the interval.
		d.Stop()
		d = f.start(t, rules, nil)
		defer d.Stop()
		more := lines(10, "c")
		f.put(t, more...)
		time.Sleep(301 * time.Second)
		synctest.Wait()
		objs := f.objects.objects(t)
		var all []string
		for _, body := range objs {
			for _, l := range strings.SplitAfter(body, "\n") {
				if l != "" {
					all = append(all, l)
				}
			}
		}
		want := append(append([]string{}, recs...), more...)
		sort.Strings(all)
		sort.Strings(want)
		if strings.Join(all, "") != strings.Join(want, "") {
			t.Fatalf("delivered %d records, want %d", len(all), len(want))
		}
		for k, n := range f.objects.puts {
			if n != 1 {
				t.Fatalf("object %s put %d times", k, n)
			}
		}
	})
}

// TestPendingCutIsRedelivered simulates a crash between planning a cut and delivering it: the next
// start delivers it, under the key it would have had, once.
func TestPendingCutIsRedelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, 1)
		defer f.store.Close()
		f.put(t, lines(5, "p")...)
		j, err := OpenJournal(filepath.Join(f.dir, "cuts.log"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.PlanNext(Cut{Oldest: 1, Ranges: []Range{{Shard: 0, From: 0, To: 3}}}); err != nil {
			t.Fatal(err)
		}
		j.Close()
		d := f.start(t, Rules{Size: 1 << 20, Interval: time.Second}, nil)
		defer d.Stop()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		objs := f.objects.objects(t)
		if len(objs) != 2 {
			t.Fatalf("%d objects, want the pending cut's and the rest's", len(objs))
		}
		var got []string
		for _, b := range objs {
			got = append(got, b)
		}
		sort.Strings(got)
		if got[0] != "p-0000\np-0001\np-0002\n" || got[1] != "p-0003\np-0004\n" {
			t.Fatalf("objects %q", got)
		}
	})
}

func TestPartitionsAndErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, 1)
		defer f.store.Close()
		process := func(data []byte, emit func(Partition, []byte)) error {
			s := string(data)
			if strings.HasPrefix(s, "bad") {
				return &ProcessingError{OutputType: "partitioning-failed", Code: "DynamicPartitioning.MetadataExtractionFailed", Message: "no customer"}
			}
			emit(NewPartition(map[string]string{"customer": s[:1]}), data)
			return nil
		}
		d := f.start(t, Rules{Size: 1 << 20, Interval: 10 * time.Second}, process)
		defer d.Stop()
		f.put(t, "x1\n", "y1\n", "bad\n", "x2\n", "z1\n")
		time.Sleep(11 * time.Second)
		synctest.Wait()
		objs := f.objects.objects(t)
		var keys []string
		for k := range objs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(objs) != 4 {
			t.Fatalf("objects %v", keys)
		}
		byCustomer := map[string]string{}
		for k, v := range objs {
			if strings.HasPrefix(k, "customer=") {
				byCustomer[k[len("customer="):len("customer=")+1]] = v
			} else if !strings.HasPrefix(k, "errors/partitioning-failed/") || !strings.Contains(v, `"rawData":"YmFkCg=="`) {
				t.Fatalf("unexpected object %s: %s", k, v)
			}
		}
		if byCustomer["x"] != "x1\nx2\n" || byCustomer["y"] != "y1\n" || byCustomer["z"] != "z1\n" {
			t.Fatalf("partitions %q", byCustomer)
		}
	})
}

// testWriter sends a delivery's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// TestSourceStreamCreatedAgain deletes a delivery's source stream and creates it again under the same
// name: delivery starts over on the new stream, from its first record.
func TestSourceStreamCreatedAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, 1)
		defer f.store.Close()
		d := f.start(t, Rules{Size: 1 << 20, Interval: 5 * time.Second}, nil)
		defer d.Stop()
		old := lines(20, "old")
		f.put(t, old...)
		time.Sleep(6 * time.Second)
		synctest.Wait()
		if err := f.store.DeleteStream(deliveryScope, streams.StreamRef{Name: "d"}, false); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if err := f.store.CreateStream(deliveryScope, streams.CreateStreamInput{Name: "d", ShardCount: 1}); err != nil {
			t.Fatal(err)
		}
		fresh := lines(5, "new") // fewer than the old stream held: positions of the old one would skip them
		f.put(t, fresh...)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		var all []string
		for _, body := range f.objects.objects(t) {
			for _, l := range strings.SplitAfter(body, "\n") {
				if l != "" {
					all = append(all, l)
				}
			}
		}
		sort.Strings(all)
		want := append(append([]string{}, fresh...), old...)
		sort.Strings(want)
		if strings.Join(all, "") != strings.Join(want, "") {
			t.Fatalf("delivered %q\nwant %q", all, want)
		}
	})
}
