package transforms

import "testing"

func TestAppendDelimiter(t *testing.T) {
	var obj []byte
	for _, r := range []string{"abc", "", "line\n", `{"a":1}`} {
		obj = AppendDelimiter(obj, []byte(r))
	}
	if want := "abc\n\nline\n\n{\"a\":1}\n"; string(obj) != want {
		t.Errorf("got %q, want %q", obj, want)
	}
}

func BenchmarkAppendDelimiter(b *testing.B) {
	rec := clickstream(1000)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		buf = AppendDelimiter(buf[:0], rec)
	}
}
