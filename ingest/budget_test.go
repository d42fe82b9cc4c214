package ingest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReservation(t *testing.T) {
	for _, tc := range []struct {
		target string
		length int64
		want   int64
	}{
		{"Kinesis_20131202.PutRecords", 1000, 1000},
		{"Kinesis_20131202.PutRecords", -1, 16 << 20}, // unannounced length: the cap
		{"Kinesis_20131202.PutRecords", 1 << 30, 16 << 20},
		{"Kinesis_20131202.GetRecords", 200, 200 + getRecordsReserve},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(""))
		r.ContentLength = tc.length
		r.Header.Set("X-Amz-Target", tc.target)
		if got := reservation(r, 16<<20); got != tc.want {
			t.Errorf("%s, length %d: reserved %d, want %d", tc.target, tc.length, got, tc.want)
		}
	}
}

func TestMemoryBudgetMakesRequestsWait(t *testing.T) {
	b := newMemoryBudget(1 << 20)
	release, err := b.acquire(context.Background(), 800<<10)
	if err != nil {
		t.Fatal(err)
	}
	// A second reservation that does not fit waits, and gives up with its context.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.acquire(ctx, 800<<10); err == nil {
		t.Fatal("second reservation did not wait")
	}
	got := make(chan error, 1)
	go func() {
		r, err := b.acquire(context.Background(), 800<<10)
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// A reservation larger than the whole budget takes all of it rather than never.
	r, err := b.acquire(context.Background(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	r()
}

func TestServerAnswersUnderTightBudget(t *testing.T) {
	// With room for one request at a time, concurrent requests still all get their answers.
	s := NewServer(Config{Logger: slog.New(slog.DiscardHandler), MaxInflightBytes: 64}, nil)
	codes := make(chan int, 8)
	for i := 0; i < 8; i++ {
		go func() {
			w := serve(s, request("DescribeStream", `{"StreamName":"bad name!"}`))
			codes <- w.Code
		}()
	}
	for i := 0; i < 8; i++ {
		if c := <-codes; c != 400 {
			t.Fatalf("status %d, want 400 (ValidationException)", c)
		}
	}
}
