package format

import (
	"testing"
	"time"
)

// TestCivilDays checks the day arithmetic against the time package over a wide range.
func TestCivilDays(t *testing.T) {
	for d := int64(-800_000); d <= 800_000; d += 97 {
		tm := time.Unix(d*86400, 0).UTC()
		y, m, dd := civilFromDays(d)
		if y != int64(tm.Year()) || m != int64(tm.Month()) || dd != int64(tm.Day()) {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %v", d, y, m, dd, tm)
		}
		if back := daysFromCivil(y, m, dd); back != d {
			t.Fatalf("daysFromCivil(%d-%d-%d) = %d, want %d", y, m, dd, back, d)
		}
	}
}

func TestAppendTimestamp(t *testing.T) {
	for _, ms := range []int64{0, -1, 1, 1528899065766, -62135596800000, 253402300799999, 951782400000, -86_400_000} {
		want := time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000")
		if got := string(appendTimestamp(nil, ms)); got != want {
			t.Errorf("appendTimestamp(%d) = %s, want %s", ms, got, want)
		}
		if back, ok := parseTimestamp([]byte(want)); !ok || back != ms {
			t.Errorf("parseTimestamp(%s) = %d, %v, want %d", want, back, ok, ms)
		}
	}
}
