package sqlcli

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hydrantio/hydrant/analytics/sql"
)

func TestInputName(t *testing.T) {
	tests := []struct {
		stream, as, query, want string
	}{
		{"clicks", "", `SELECT STREAM * FROM SOURCE_SQL_STREAM_001`, DefaultInput},
		{"clicks", "", `SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"`, DefaultInput},
		{"clicks", "", `SELECT STREAM * FROM clicks`, "CLICKS"},
		{"clicks", "", `SELECT STREAM * FROM "clicks"`, "clicks"},
		{"clicks", "", `SELECT STREAM * FROM (SELECT STREAM * FROM clicks) AS c`, "CLICKS"},
		{"clicks", "", `SELECT STREAM * FROM other`, DefaultInput},
		{"clicks", "IN1", `SELECT STREAM * FROM IN1`, "IN1"},
	}
	for _, tt := range tests {
		q, err := sql.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := (&Query{Stream: tt.stream, As: tt.as}).inputName(q); got != tt.want {
			t.Errorf("%s over %s: got %s, want %s", tt.query, tt.stream, got, tt.want)
		}
	}
}

func TestReadNames(t *testing.T) {
	s, err := sql.Parse(`CREATE STREAM "OUT" (a INT);
CREATE PUMP p AS INSERT INTO "OUT" SELECT STREAM a FROM TABLE(TOP_K_ITEMS_TUMBLING(
  CURSOR(SELECT STREAM * FROM "IN_002"), 'A', 5, 60)) JOIN "Ref" ON TRUE
  WHERE a IN (SELECT STREAM a FROM "SOURCE_SQL_STREAM_001");
CREATE PUMP q AS INSERT INTO "OUT" SELECT STREAM a FROM "OUT";`)
	if err != nil {
		t.Fatal(err)
	}
	got := readNames(s)
	want := []string{"IN_002", "Ref", "SOURCE_SQL_STREAM_001"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

func TestParseStart(t *testing.T) {
	tests := []struct {
		in   string
		want Start
		bad  bool
	}{
		{"latest", Start{Type: types.ShardIteratorTypeLatest}, false},
		{"TRIM_HORIZON", Start{Type: types.ShardIteratorTypeTrimHorizon}, false},
		{"at_timestamp:2026-11-22T10:00:00Z", Start{Type: types.ShardIteratorTypeAtTimestamp,
			At: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}, false},
		{"at_timestamp:yesterday", Start{}, true},
		{"earliest", Start{}, true},
	}
	for _, tt := range tests {
		got, err := ParseStart(tt.in)
		if (err != nil) != tt.bad || got.Type != tt.want.Type || !got.At.Equal(tt.want.At) {
			t.Errorf("ParseStart(%q) = %+v, %v", tt.in, got, err)
		}
	}
}
