package sqlcli

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/value"
)

func rec(ms int64, seq string) types.Record {
	return types.Record{ApproximateArrivalTimestamp: aws.Time(time.UnixMilli(ms)), SequenceNumber: aws.String(seq)}
}

// TestMergeOrder: records leave in arrival order, ties by shard id then sequence number, and a shard
// that is behind and empty holds the merge back while a caught-up empty one does not.
func TestMergeOrder(t *testing.T) {
	r := &reader{shards: map[string]*shard{}}
	a := &shard{id: "shardId-000000000000", started: true, caughtUp: true,
		buf: []types.Record{rec(10, "9"), rec(20, "10"), rec(30, "11")}}
	b := &shard{id: "shardId-000000000001", started: true, caughtUp: true,
		buf: []types.Record{rec(10, "5"), rec(20, "6"), rec(20, "7")}}
	c := &shard{id: "shardId-000000000002", started: true, caughtUp: true}
	for _, s := range []*shard{a, b, c} {
		r.shards[s.id] = s
		r.order = append(r.order, s)
	}
	var got []string
	for s := r.next(); s != nil; s = r.next() {
		x := s.pop()
		got = append(got, fmt.Sprintf("%s/%d/%s", s.id[len(s.id)-1:], arrival(&x), aws.ToString(x.SequenceNumber)))
	}
	want := "[0/10/9 1/10/5 0/20/10 1/20/6 1/20/7 0/30/11]"
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if !r.idle() {
		t.Fatal("not idle with every shard caught up and drained")
	}
	a.buf, c.caughtUp = []types.Record{rec(40, "12")}, false
	if s := r.next(); s != nil {
		t.Fatalf("merged %s while shard 2 is behind", s.id)
	}
}

func TestLessSeq(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1", "2", true}, {"2", "1", false}, {"9", "10", true}, {"10", "9", false}, {"007", "10", true},
		{"49590338271490256608559692538361571095921575989136588898", "49590338271490256608559692540925702759324208523137515618", true},
		{"5", "5", false},
	}
	for _, tt := range tests {
		if got := lessSeq(tt.a, tt.b); got != tt.want {
			t.Errorf("lessSeq(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

// BenchmarkMerge measures ordering records across shards, per record.
func BenchmarkMerge(b *testing.B) {
	for _, shards := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			b.ReportAllocs()
			const per = 256
			recs := make([][]types.Record, shards)
			for i := range recs {
				for j := range per {
					recs[i] = append(recs[i], rec(int64(j*shards+i), fmt.Sprint(j)))
				}
			}
			r := &reader{shards: map[string]*shard{}}
			for i := range shards {
				s := &shard{id: fmt.Sprintf("shardId-%012d", i), started: true, caughtUp: true}
				r.shards[s.id] = s
				r.order = append(r.order, s)
			}
			n := 0
			for b.Loop() {
				if n == 0 {
					for i, s := range r.order {
						s.buf = append(s.buf[:0], recs[i]...)
					}
					n = shards * per
				}
				s := r.next()
				s.pop()
				n--
			}
		})
	}
}

// BenchmarkPrint measures printing a result row in each format.
func BenchmarkPrint(b *testing.B) {
	cols := []value.Column{{Name: "TICKER", Type: value.Varchar(4)}, {Name: "PRICE", Type: value.Type{Base: value.TDouble}},
		{Name: "N", Type: value.Type{Base: value.TBigint}}}
	row := engine.Row{Time: 1_700_000_000_000, Cols: []value.Value{value.NewString("AMZN"), value.NewDouble(27.5), value.NewInt(42)}}
	for _, f := range Formats {
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			p, err := newPrinter(io.Discard, f, cols)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := p.row(row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
