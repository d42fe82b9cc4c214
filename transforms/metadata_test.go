package transforms

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"
)

func TestMetadataQuery(t *testing.T) {
	const firehoseExample = `{customer_id: .customer_id, year: .event_time | strftime("%Y")}`
	tests := []struct {
		query  string
		record string
		want   map[string]string
		err    error
	}{
		// The documentation's example shape (FIREHOSE.md §4.2, the CDK's jq16 example).
		{firehoseExample, `{"customer_id":"c-42","event_time":1763700000}`, map[string]string{"customer_id": "c-42", "year": "2025"}, nil},
		{`{customer_id:.customer_id, device:.type.device, year:.event_timestamp|strftime("%Y")}`,
			`{"customer_id":"c1","type":{"device":"mobile"},"event_timestamp":1700000000}`,
			map[string]string{"customer_id": "c1", "device": "mobile", "year": "2023"}, nil},
		{`{y: .t|strftime("%Y/%m/%d %H")}`, `{"t":1763700000.9}`, map[string]string{"y": "2025/11/21 04"}, nil},
		// Scalars become strings: integers keep their digits, floats and booleans as jq writes them.
		{`{id: .id, big: .big, f: .f, neg: .neg, b: .b, e: .e}`,
			`{"id":42,"big":12345678901234567890,"f":1.5,"neg":-3,"b":true,"e":"é/x y"}`,
			map[string]string{"id": "42", "big": "12345678901234567890", "f": "1.5", "neg": "-3", "b": "true", "e": "é/x y"}, nil},
		{`{n: (.a + .b)}`, `{"a":1,"b":2.5}`, map[string]string{"n": "3.5"}, nil},
		{`{n: (.a * 1000)}`, `{"a":3}`, map[string]string{"n": "3000"}, nil},
		{`{}`, `{"a":1}`, map[string]string{}, nil},
		{`{a: .a}`, ` {"a":"x"} ` + "\n", map[string]string{"a": "x"}, nil},
		// Not JSON.
		{`{a: .a}`, `not json`, nil, ErrNotJSON},
		{`{a: .a}`, ``, nil, ErrNotJSON},
		{`{a: .a}`, `{"a":1}{"a":2}`, nil, ErrNotJSON},
		{`{a: .a}`, `{"a":1`, nil, ErrNotJSON},
		{`{a: .a}`, `{"a":1}}`, nil, ErrNotJSON},
		// The query fails, or gives no result or several.
		{`{a: .a.b}`, `{"a":"str"}`, nil, ErrQueryFailed},
		{`{a: .a}`, `[1,2]`, nil, ErrQueryFailed},
		{`error("boom")`, `{}`, nil, ErrQueryFailed},
		{`empty`, `{}`, nil, ErrQueryFailed},
		{`{a: .a}, {a: .b}`, `{"a":1,"b":2}`, nil, ErrQueryFailed},
		{`{a: (.a|strftime("%Y"))}`, `{"a":"not a time"}`, nil, ErrQueryFailed},
		// The keys are absent, null or not scalars, or the result is no object.
		{`{a: .missing}`, `{"b":1}`, nil, ErrPartitionKey},
		{`{a: .a}`, `{"a":null}`, nil, ErrPartitionKey},
		{`{a: .a}`, `{"a":{"x":1}}`, nil, ErrPartitionKey},
		{`{a: .a}`, `{"a":[1]}`, nil, ErrPartitionKey},
		{`.a`, `{"a":"x"}`, nil, ErrPartitionKey},
		{`[.a]`, `{"a":"x"}`, nil, ErrPartitionKey},
		{`[range(51)] | map({key: "k\(.)", value: .}) | from_entries`, `{}`, nil, ErrPartitionKey},
		// No environment for queries.
		{`{h: $ENV.HOME}`, `{}`, nil, ErrPartitionKey},
		{`{h: env.HOME}`, `{}`, nil, ErrPartitionKey},
	}
	for _, tt := range tests {
		q, err := CompileMetadataQuery(tt.query)
		if err != nil {
			t.Errorf("CompileMetadataQuery(%q): %v", tt.query, err)
			continue
		}
		got, err := q.PartitionKeys(context.Background(), []byte(tt.record))
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s on %s: got %v, %v; want error %v", tt.query, tt.record, got, err, tt.err)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("%s on %s: got %v, %v; want %v", tt.query, tt.record, got, err, tt.want)
		}
	}
	t.Setenv("HYDRANT_SECRET", "s3cr3t")
	q, _ := CompileMetadataQuery(`{v: ($ENV | tostring)}`)
	if got, err := q.PartitionKeys(context.Background(), []byte(`{}`)); err != nil || strings.Contains(got["v"], "s3cr3t") {
		t.Errorf("a query read the environment: %v, %v", got, err)
	}
}

func TestMetadataQueryCompileErrors(t *testing.T) {
	for _, query := range []string{``, `{a: .a`, `{a: undefined_function}`, `{a: $undefined}`, `import "x" as x; {}`} {
		if q, err := CompileMetadataQuery(query); err == nil {
			// An empty query is jq's identity; it compiles, and fails on each record instead.
			if query == "" {
				if _, err := q.PartitionKeys(context.Background(), []byte(`"x"`)); !errors.Is(err, ErrPartitionKey) {
					t.Errorf("empty query: %v", err)
				}
				continue
			}
			t.Errorf("CompileMetadataQuery(%q) succeeded", query)
		}
	}
}

// TestMetadataQueryContext: a runaway query stops when its context ends.
func TestMetadataQueryContext(t *testing.T) {
	q, err := CompileMetadataQuery(`{a: (last(range(1e18)) | tostring)}`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = q.PartitionKeys(ctx, []byte(`{}`))
	if !errors.Is(err, ErrQueryFailed) || time.Since(start) > 5*time.Second {
		t.Errorf("runaway query: %v after %v", err, time.Since(start))
	}
}

// TestMetadataQueryConcurrent runs one query from many goroutines (go test -race checks it).
func TestMetadataQueryConcurrent(t *testing.T) {
	q, err := CompileMetadataQuery(`{customer_id: .customer_id, page: .page}`)
	if err != nil {
		t.Fatal(err)
	}
	recs := splitLines(clickstream(200 << 10))
	done := make(chan error)
	for range 4 {
		go func() {
			for _, r := range recs {
				if _, err := q.PartitionKeys(context.Background(), r); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
