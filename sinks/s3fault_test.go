package sinks_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hydrantio/hydrant/internal/miniotest"
	"github.com/hydrantio/hydrant/sinks"
)

// faultProxy stands between the S3 sink and MinIO, counts the S3 operations that pass, and plays the
// failures a network and a busy server produce: an answer lost after the server acted on the
// request, or a 503 SlowDown instead of an answer.
type faultProxy struct {
	t      *testing.T
	target *url.URL
	mu     struct {
		sync.Mutex
		counts map[string]int
		faults map[string][]string // operation -> faults to play on its next requests: "lose", "slowdown"
	}
}

func newFaultProxy(t *testing.T, srv *miniotest.Server) (*faultProxy, string) {
	u, err := url.Parse(srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, target: u}
	p.mu.counts = map[string]int{}
	p.mu.faults = map[string][]string{}
	hs := httptest.NewServer(p)
	t.Cleanup(hs.Close)
	return p, hs.URL
}

// operation names an S3 request by its method and query.
func operation(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPut && q.Has("partNumber"):
		return "UploadPart"
	case r.Method == http.MethodPut:
		return "PutObject"
	case r.Method == http.MethodPost && q.Has("uploads"):
		return "CreateMultipartUpload"
	case r.Method == http.MethodPost && q.Has("uploadId"):
		return "CompleteMultipartUpload"
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		return "AbortMultipartUpload"
	case r.Method == http.MethodHead:
		return "HeadObject"
	}
	return r.Method
}

func (p *faultProxy) inject(op string, faults ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mu.faults[op] = append(p.mu.faults[op], faults...)
}

func (p *faultProxy) count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mu.counts[op]
}

func (p *faultProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.mu.counts)
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := operation(r)
	p.mu.Lock()
	p.mu.counts[op]++
	fault := ""
	if f := p.mu.faults[op]; len(f) > 0 {
		fault, p.mu.faults[op] = f[0], f[1:]
	}
	p.mu.Unlock()

	if fault == "slowdown" {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
		return
	}
	out := r.Clone(context.Background())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.Host = r.Host // what the client signed
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if fault == "lose" { // the server has acted; the client never hears of it
		io.Copy(io.Discard, resp.Body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			p.t.Error(err)
			return
		}
		conn.Close()
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// TestS3Faults plays, against a real MinIO, the failures that make exactly-once hard: the answer to
// a PUT or to the completion of a multipart upload lost after MinIO stored the object, and 503s. In
// each case the Put succeeds with one object, and the object is right.
func TestS3Faults(t *testing.T) {
	srv := miniotest.Start(t)
	srv.CreateBucket("lake")
	proxy, endpoint := newFaultProxy(t, srv)
	s, err := sinks.NewS3(context.Background(), sinks.S3Options{
		Endpoint:    endpoint,
		Region:      miniotest.Region,
		Credentials: staticCredentials(),
		Retry:       sinks.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	body := func(n int) []byte {
		b := make([]byte, n)
		rand.NewChaCha8([32]byte{byte(n)}).Read(b)
		return b
	}
	for _, tc := range []struct {
		name   string
		size   int
		faults map[string][]string
		want   map[string]int // operation counts
		// Existed: the retry finds the object its lost attempt stored.
		existed bool
	}{
		{"PutObject answer lost", 1000, map[string][]string{"PutObject": {"lose"}},
			map[string]int{"PutObject": 2}, true},
		{"PutObject slowdown", 1000, map[string][]string{"PutObject": {"slowdown", "slowdown"}},
			map[string]int{"PutObject": 3}, false},
		{"UploadPart lost and slowed", 20 << 20, map[string][]string{"UploadPart": {"lose", "slowdown"}},
			map[string]int{"CreateMultipartUpload": 1, "UploadPart": 5, "CompleteMultipartUpload": 1}, false},
		{"CompleteMultipartUpload answer lost", 20 << 20, map[string][]string{"CompleteMultipartUpload": {"lose"}},
			map[string]int{"CreateMultipartUpload": 1, "UploadPart": 3, "CompleteMultipartUpload": 2}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := strings.ReplaceAll(tc.name, " ", "-")
			b := body(tc.size)
			proxy.reset()
			for op, f := range tc.faults {
				proxy.inject(op, f...)
			}
			res, err := s.Put(context.Background(), sinks.Object{Bucket: "lake", Key: key}, bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if res.Existed != tc.existed || res.Size != int64(tc.size) {
				t.Errorf("Put = %+v, want Existed %v", res, tc.existed)
			}
			for op, n := range tc.want {
				if got := proxy.count(op); got != n {
					t.Errorf("%d %s requests, want %d", got, op, n)
				}
			}
			if got := read(t, srv, "lake", key); !bytes.Equal(got, b) {
				t.Fatalf("stored %d bytes, not the body's %d", len(got), len(b))
			}

			// A replay (the same key and bytes, after a crash) stores nothing and uploads nothing.
			proxy.reset()
			res, err = s.Put(context.Background(), sinks.Object{Bucket: "lake", Key: key}, bytes.NewReader(b))
			if err != nil || !res.Existed {
				t.Fatalf("replay: %+v, %v", res, err)
			}
			if n := proxy.count("UploadPart") + proxy.count("CreateMultipartUpload"); n != 0 {
				t.Errorf("the replay of a stored object sent %d multipart requests", n)
			}
		})
	}
	if l := minioHarness(t, srv, "lake").Leftovers(t); len(l) > 0 {
		t.Fatalf("leftovers: %q", l)
	}
}
