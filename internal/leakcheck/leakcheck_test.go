package leakcheck

import (
	"strings"
	"testing"
	"time"
)

func leakyWorker(started, stop chan struct{}) {
	close(started)
	<-stop
}

func TestLeakedFindsAndForgets(t *testing.T) {
	started, stop := make(chan struct{}), make(chan struct{})
	go leakyWorker(started, stop)
	<-started
	if got := Leaked(50*time.Millisecond, "leakcheck.leakyWorker"); !strings.Contains(got, "leakyWorker") {
		t.Fatalf("a running goroutine was not reported: %q", got)
	}
	close(stop)
	if got := Leaked(5*time.Second, "leakcheck.leakyWorker"); got != "" {
		t.Fatalf("a stopped goroutine was reported:\n%s", got)
	}
}
