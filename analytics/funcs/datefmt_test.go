package funcs

import (
	"testing"
	"time"
)

// TestDateFormatWeekFields checks the week-based fields against java.text.SimpleDateFormat in the US
// locale (the JVM default KDA ran with): weeks start on Sunday and week 1 is the week that holds
// January 1, so 'YYYY' differs from 'yyyy' only in the last days of December. ISO weeks (Monday start,
// week 1 holds the first Thursday) give other answers on all of these dates.
func TestDateFormatWeekFields(t *testing.T) {
	f, err := compileDateFormat("YYYY-ww yyyy-MM-dd")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ day, want string }{
		{"2019-12-28", "2019-52 2019-12-28"}, // Saturday
		{"2019-12-29", "2020-01 2019-12-29"}, // Sunday: the week holds 2020-01-01 (ISO: 2019-W52)
		{"2019-12-31", "2020-01 2019-12-31"},
		{"2021-01-01", "2021-01 2021-01-01"}, // Friday (ISO: 2020-W53)
		{"2021-01-03", "2021-02 2021-01-03"}, // Sunday starts week 2 (ISO: 2020-W53)
		{"2021-01-04", "2021-02 2021-01-04"},
		{"2020-12-31", "2021-01 2020-12-31"},
		{"2017-01-01", "2017-01 2017-01-01"}, // a Sunday January 1 (ISO: 2016-W52)
		{"2016-12-31", "2016-53 2016-12-31"}, // Saturday, the 53rd week of 2016
	} {
		d, err := time.Parse("2006-01-02", c.day)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(f.append(nil, d)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.day, got, c.want)
		}
	}
}
