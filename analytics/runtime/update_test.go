package runtime

import (
	"testing"
)

// An application whose code changed since its checkpoint (UpdateApplication on a running application)
// resumes from the checkpoint's positions with fresh state: the old snapshot is refused by the new
// program, and the run must start a new instance rather than use the failed restore's result.
func TestSQLCodeChangedSinceCheckpoint(t *testing.T) {
	e := newEnv(t)
	e.create("src", 3)
	e.create("out", 1)
	dir := t.TempDir()
	r := e.startSQL(e.sqlConfig(dir, tumblingSQL, StartNow, "out"))
	e.putTicks(0, 30, 4)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	r = e.startSQL(e.sqlConfig(dir, filterSQL, StartLastStoppedPoint, "out"))
	defer r.Stop()
	before := len(e.readAll("out"))
	e.putTicks(30, 60, 4)
	// The new code is the filter: it passes ticks 30..59 whose change (i%13 - 6) is positive.
	want := 0
	for i := 30; i < 60; i++ {
		if i%13 > 6 {
			want++
		}
	}
	got := e.waitRecords("out", before+want)
	if len(got) != before+want {
		t.Fatalf("%d rows after the update, want %d", len(got)-before, want)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
}
