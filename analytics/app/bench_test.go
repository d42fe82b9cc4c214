package app

import (
	"fmt"
	"testing"
)

// BenchmarkDescribe measures DescribeApplication's Manager side: a copy of the configuration under the
// application's read lock.
func BenchmarkDescribe(b *testing.B) {
	e := newEnv(b)
	if _, err := e.m.Create(scope, CreateInput{Name: "app", Config: tickerConfig()}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.m.Describe(scope, "app"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSampleStream measures DiscoverInputSchema's read of 100 records from a 2-shard stream.
func BenchmarkSampleStream(b *testing.B) {
	e := newEnv(b)
	var records []string
	for i := range 1000 {
		records = append(records, fmt.Sprintf(`{"TICKER":"T%03d","PRICE":%d.25}`, i, i))
	}
	e.put("src", records...)
	b.ReportAllocs()
	for b.Loop() {
		got, err := e.m.sampleStream(srcARN, StartNow)
		if err != nil || len(got) != MaxDiscoverRecords {
			b.Fatal(len(got), err)
		}
	}
}
