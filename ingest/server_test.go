package ingest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startServer serves s on a loopback port until the test ends.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// clients returns an HTTP/1.1 client and a cleartext HTTP/2 client (prior knowledge, as the JS SDK v3
// and the Java SDK v2 connect).
func clients(t *testing.T) map[string]*http.Client {
	var h1, h2 http.Protocols
	h1.SetHTTP1(true)
	h2.SetUnencryptedHTTP2(true)
	out := map[string]*http.Client{
		"HTTP/1.1": {Transport: &http.Transport{Protocols: &h1}},
		"h2c":      {Transport: &http.Transport{Protocols: &h2}},
	}
	t.Cleanup(func() {
		for _, c := range out {
			c.CloseIdleConnections()
		}
	})
	return out
}

func TestServeHTTP1AndH2C(t *testing.T) {
	url := startServer(t, newTestServer(t))
	for name, c := range clients(t) {
		t.Run(name, func(t *testing.T) {
			wantMajor := 1
			if name == "h2c" {
				wantMajor = 2
			}
			resp, err := c.Get(url + "/health")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "ok" || resp.ProtoMajor != wantMajor {
				t.Errorf("health: %s %d %q", resp.Proto, resp.StatusCode, body)
			}

			req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{"StreamName":"s"}`))
			req.Header.Set("Content-Type", contentTypeJSON11)
			req.Header.Set("X-Amz-Target", "Kinesis_20131202.DescribeStream")
			resp, err = c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			want := `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`
			if resp.StatusCode != 400 || string(body) != want || resp.ProtoMajor != wantMajor {
				t.Errorf("error: %s %d %s", resp.Proto, resp.StatusCode, body)
			}
			if resp.Header.Get("Content-Type") != contentTypeJSON11 || !uuidV4.MatchString(resp.Header.Get("X-Amzn-Requestid")) {
				t.Errorf("headers: %v", resp.Header)
			}
		})
	}
}

// Shutdown lets a request that is still arriving finish and be answered.
func TestShutdownIsGraceful(t *testing.T) {
	s := newTestServer(t)
	active := make(chan struct{}, 1)
	s.srv.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateActive {
			select {
			case active <- struct{}{}:
			default:
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	c := clients(t)["HTTP/1.1"]
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/", pr)
	req.Header.Set("Content-Type", contentTypeJSON11)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.Nope")
	type result struct {
		code int
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{code: resp.StatusCode, body: string(b)}
	}()
	if _, err := pw.Write([]byte(`{"Stream`)); err != nil {
		t.Fatal(err)
	}
	<-active
	// The connection is active as soon as a byte of the request arrives; wait until the handler
	// runs (it holds memory budget while it reads the body), so Shutdown meets a request in flight.
	for s.budget.sem.TryAcquire(s.budget.max) {
		s.budget.sem.Release(s.budget.max)
		time.Sleep(time.Millisecond)
	}

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	if w := serve(s, mustRequest(http.MethodGet, "/health")); w.Code != http.StatusServiceUnavailable {
		t.Errorf("health while shutting down: %d", w.Code)
	}
	if _, err := pw.Write([]byte(`Name":"s"}`)); err != nil {
		t.Fatal(err)
	}
	pw.Close()

	r := <-got
	if r.err != nil || r.code != 400 || r.body != `{"__type":"UnknownOperationException"}` {
		t.Errorf("in-flight request: %d %s %v", r.code, r.body, r.err)
	}
	if err := <-shut; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("serve: %v", err)
	}
}

func mustRequest(method, path string) *http.Request {
	r, err := http.NewRequest(method, "http://x"+path, nil)
	if err != nil {
		panic(err)
	}
	return r
}
