package funcs

import (
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// benchCall binds name once with the arguments in vars as columns and the rest as literals, as the planner
// does, and measures evaluating it.
func benchCall(b *testing.B, name string, vars []int, args ...value.Value) {
	impl, _, err := bind(b, name, args, func(i int) bool {
		for _, v := range vars {
			if v == i {
				return false
			}
		}
		return true
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := impl(args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSubstring(b *testing.B) {
	benchCall(b, "SUBSTRING", []int{0, 2}, str("http://www.amazon.com"), num(12), num(6))
}

func BenchmarkPosition(b *testing.B) {
	benchCall(b, "POSITION", []int{1}, str(".com"), str("http://www.amazon.com"))
}

func BenchmarkRegexLogParse(b *testing.B) {
	b.SetBytes(int64(len(apacheLine)))
	benchCall(b, "REGEX_LOG_PARSE", []int{0}, str(apacheLine), str(`(\S+) (\S+) (\S+) \[([^\]]+)\] "([^"]*)" (\d+) (\d+) "([^"]*)" "([^"]*)"`))
}

func BenchmarkW3CLogParse(b *testing.B) {
	b.SetBytes(int64(len(apacheLine)))
	benchCall(b, "W3C_LOG_PARSE", []int{0}, str(apacheLine), str("NCSA EXTENDED"))
}

func BenchmarkVariableColumnLogParse(b *testing.B) {
	benchCall(b, "VARIABLE_COLUMN_LOG_PARSE", []int{0}, str("AAPL,TECHNOLOGY,1.25,185.5"),
		str("TICKER VARCHAR(4), SECTOR VARCHAR(16), CHANGE DOUBLE, PRICE DOUBLE"), str(","))
}

func BenchmarkCharToTimestamp(b *testing.B) {
	benchCall(b, "CHAR_TO_TIMESTAMP", []int{1}, str("dd/MMM/yyyy:HH:mm:ss Z"), str("25/Mar/2018:15:25:37 -0700"))
}

func BenchmarkTimestampToChar(b *testing.B) {
	benchCall(b, "TIMESTAMP_TO_CHAR", []int{1}, str("yyyy-MM-dd hh:mm:ss"), ts("2018-05-09 12:50:41.337"))
}

func BenchmarkRegexReplace(b *testing.B) {
	benchCall(b, "REGEX_REPLACE", []int{0}, str("http://www.amazon.com"), str("http://"), str("https://"), num(1), num(0))
}

func BenchmarkCastStringToDouble(b *testing.B) {
	v := str("  185.5025 ")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Cast(v, value.DoubleType); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCastStringToTimestamp(b *testing.B) {
	v := str("2018-05-09 12:50:41.337")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Cast(v, value.TimestampType); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStep(b *testing.B) {
	benchCall(b, "STEP", []int{0}, ts("2018-05-09 12:50:41.337"), ival(60_000))
}

func BenchmarkLikeContains(b *testing.B) {
	m, err := CompileLike("%AMZN%", "", true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m("XAMZNX")
	}
}
