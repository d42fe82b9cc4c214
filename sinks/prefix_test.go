package sinks

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// at is 10:30:05.123 UTC on Aug 27, 2018, the instant of the developer guide's prefix examples.
var at = time.Date(2018, 8, 27, 10, 30, 5, 123_000_000, time.UTC)

const testID = "a9fa96af-e4e4-409f-bac3-1f804714faaa"

func obj(ext string) *ObjectName {
	return &ObjectName{Stream: "my-delivery-stream", Version: 1, Oldest: at, ID: testID, Extension: ext}
}

// TestKeys evaluates the examples of the developer guide (s3-prefixes, "Example prefixes"),
// FIREHOSE.md and the Firehose issue: the records key and the error key of one object.
func TestKeys(t *testing.T) {
	const suffix = "my-delivery-stream-1-2018-08-27-10-30-05-" + testID
	for _, tc := range []struct {
		name              string
		cfg               KeyConfig
		key, errorKey     string
		partitionKeys     map[string]string
		ext, keyHasRandom string
	}{
		{
			name:     "no prefix: the default yyyy/MM/dd/HH/",
			cfg:      KeyConfig{ErrorOutputPrefix: "myFirehoseFailures/!{firehose:error-output-type}/"},
			key:      "2018/08/27/10/" + suffix,
			errorKey: "myFirehoseFailures/processing-failed/" + suffix,
		},
		{
			name: "timestamps and literal text",
			cfg: KeyConfig{
				Prefix:            "myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
				ErrorOutputPrefix: "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}",
			},
			key:      "myPrefix/year=2018/month=08/day=27/hour=10/" + suffix,
			errorKey: "myErrorPrefix/year=2018/month=08/day=27/hour=10/processing-failed" + suffix,
		},
		{
			name: "a prefix without expressions gets yyyy/MM/dd/HH/ concatenated (floci's probe of AWS)",
			cfg:  KeyConfig{Prefix: "myFirehosePrefix"},
			key:  "myFirehosePrefix2018/08/27/10/" + suffix,
			// The guide: ErrorOutputPrefix evaluates to <specified-prefix><error-output-type>YYYY/MM/DD/HH/
			// in its rules, with a slash after the type in its example.
			errorKey: "myFirehosePrefixprocessing-failed/2018/08/27/10/" + suffix,
		},
		{
			name:     "a folder prefix",
			cfg:      KeyConfig{Prefix: "logs/"},
			key:      "logs/2018/08/27/10/" + suffix + ".gz",
			errorKey: "logs/processing-failed/2018/08/27/10/" + suffix + ".gz",
			ext:      ".gz",
		},
		{
			name: "the issue's quick tour",
			cfg: KeyConfig{Prefix: "clicks/!{timestamp:yyyy/MM/dd}/",
				ErrorOutputPrefix: "errors/!{firehose:error-output-type}/"},
			key:      "clicks/2018/08/27/" + suffix + ".gz",
			errorKey: "errors/processing-failed/" + suffix + ".gz",
			ext:      ".gz",
		},
		{
			name: "quoted literals in a timestamp (FIREHOSE.md §5.2)",
			cfg: KeyConfig{Prefix: "!{timestamp:yyyy'-'MM'-'dd}/",
				ErrorOutputPrefix: "e/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}"},
			key:      "2018-08-27/" + suffix,
			errorKey: "e/processing-failed/2018/anyMonth/27" + suffix,
		},
		{
			name: "dynamic partitioning, Hive style: no date directories appended",
			cfg: KeyConfig{Prefix: "data/customer_id=!{partitionKeyFromQuery:customer_id}/hour=!{partitionKeyFromQuery:hour}/",
				ErrorOutputPrefix: "errors/!{firehose:error-output-type}/", DynamicPartitioning: true},
			partitionKeys: map[string]string{"customer_id": "1234567890", "hour": "20"},
			key:           "data/customer_id=1234567890/hour=20/" + suffix,
			errorKey:      "errors/processing-failed/" + suffix,
		},
		{
			name: "random strings (a random string alone does not stop the date directories)",
			cfg: KeyConfig{Prefix: "!{firehose:random-string}/",
				ErrorOutputPrefix: "!{firehose:error-output-type}/"},
			keyHasRandom: "/2018/08/27/10/" + suffix,
			errorKey:     "processing-failed/" + suffix,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKeys(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			o := obj(tc.ext)
			if tc.partitionKeys != nil {
				o.PartitionKey = func(n string) string { return tc.partitionKeys[n] }
			}
			key, err := k.Key(o)
			if err != nil {
				t.Fatal(err)
			}
			if tc.keyHasRandom != "" {
				if len(key) != 11+len(tc.keyHasRandom) || !strings.HasSuffix(key, tc.keyHasRandom) || key[8] != '-' {
					t.Errorf("key %q: want 11 random characters then %q", key, tc.keyHasRandom)
				}
			} else if key != tc.key {
				t.Errorf("key\n got %q\nwant %q", key, tc.key)
			}
			ek, err := k.ErrorKey(o, "processing-failed")
			if err != nil {
				t.Fatal(err)
			}
			if ek != tc.errorKey {
				t.Errorf("error key\n got %q\nwant %q", ek, tc.errorKey)
			}
		})
	}
}

// TestKeysDeterministic: a key is a pure function of its object, random strings included, and every
// occurrence of random-string differs.
func TestKeysDeterministic(t *testing.T) {
	k, err := NewKeys(KeyConfig{Prefix: "!{firehose:random-string}/x/!{firehose:random-string}/",
		ErrorOutputPrefix: "e/!{firehose:error-output-type}/"})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := k.Key(obj(""))
	b, _ := k.Key(obj(""))
	if a != b {
		t.Fatalf("same object, two keys: %q %q", a, b)
	}
	parts := strings.Split(a, "/")
	if len(parts[0]) != 11 || len(parts[2]) != 11 || parts[0] == parts[2] {
		t.Fatalf("random strings %q and %q: want two different 11-character strings", parts[0], parts[2])
	}
	o := obj("")
	o.ID = ObjectID("other")
	if c, _ := k.Key(o); c[:11] == a[:11] {
		t.Fatalf("another object, same random string: %q %q", a, c)
	}
}

func TestObjectID(t *testing.T) {
	id := ObjectID("clicks", "0", "10", "20")
	if id != ObjectID("clicks", "0", "10", "20") || id == ObjectID("clicks", "0", "10", "21") {
		t.Fatal("ObjectID is not a function of its parts")
	}
	if len(id) != 36 || id[8] != '-' || id[14] != '8' || strings.Count(id, "-") != 4 {
		t.Fatalf("ObjectID %q is not a version 8 UUID", id)
	}
	// The parts are delimited: ("ab", "c") and ("a", "bc") differ.
	if ObjectID("ab", "c") == ObjectID("a", "bc") {
		t.Fatal("ObjectID parts run together")
	}
}

// TestCustomTimeZone: the prefix's timestamps and the suffix are both in the custom time zone.
func TestCustomTimeZone(t *testing.T) {
	k, err := NewKeys(KeyConfig{Prefix: "p/", CustomTimeZone: "Asia/Tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	o := obj("")
	o.Oldest = time.Date(2018, 8, 27, 20, 30, 5, 0, time.UTC) // 05:30 on the 28th in Tokyo
	key, _ := k.Key(o)
	want := "p/2018/08/28/05/my-delivery-stream-1-2018-08-28-05-30-05-" + testID
	if key != want {
		t.Fatalf("got %q, want %q", key, want)
	}
	for _, tz := range []string{"Local", "Mars/Olympus", "UTC+9", "Asia/Tokyo "} {
		if _, err := NewKeys(KeyConfig{CustomTimeZone: tz}); err == nil {
			t.Errorf("CustomTimeZone %q accepted", tz)
		}
	}
	if _, err := NewKeys(KeyConfig{CustomTimeZone: "UTC"}); err != nil {
		t.Error(err)
	}
}

// TestPrefixValidation: every rule of the guide's "Semantic rules", with the messages AWS gives.
func TestPrefixValidation(t *testing.T) {
	for _, tc := range []struct {
		cfg KeyConfig
		msg string // "" when valid
	}{
		{KeyConfig{}, ""},
		{KeyConfig{Prefix: "plain/"}, ""},
		{KeyConfig{Prefix: "plain/", ErrorOutputPrefix: "errors/"}, ""},
		{KeyConfig{ErrorOutputPrefix: "errors/!{firehose:error-output-type}"}, ""},
		{KeyConfig{Prefix: "!{timestamp:yyyy/MM/dd}"},
			"Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"},
		{KeyConfig{Prefix: "!{firehose:random-string}/"},
			"Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"},
		{KeyConfig{Prefix: "a/", ErrorOutputPrefix: "e/!{timestamp:yyyy}/"},
			"Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix must contain at least one occurrence of !{firehose:error-output-type}"},
		{KeyConfig{Prefix: "a/!{firehose:error-output-type}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/"},
			"Ths supplied prefix(es) do not satisfy the following constraint: Prefix must not contain any occurrence of !{firehose:error-output-type}"},
		{KeyConfig{Prefix: "a/!{", ErrorOutputPrefix: "e/"}, "Invalid expression usage"},
		{KeyConfig{Prefix: "a/!{timestamp}", ErrorOutputPrefix: "e/"}, "Invalid expression usage"},
		{KeyConfig{Prefix: "a/!{timestamp:}", ErrorOutputPrefix: "e/"}, "Invalid expression usage"},
		{KeyConfig{Prefix: "a/!{timestamp:yyyy!{x}", ErrorOutputPrefix: "e/"}, "Invalid expression usage"},
		{KeyConfig{Prefix: "a/!{time:yyyy}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Namespace to the left of colon (time) is an invalid keyword!"},
		{KeyConfig{Prefix: "a/!{firehose:uuid}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Invalid conversion character used in the value of the expression in Prefix"},
		{KeyConfig{Prefix: "a/!{timestamp:yyyy-bb}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Invalid conversion character used in the value of the expression in Prefix"},
		{KeyConfig{Prefix: "a/", ErrorOutputPrefix: "e/!{firehose:error-output-type}/!{timestamp:'x}"},
			"Invalid conversion character used in the value of the expression in ErrorOutputPrefix"},
		{KeyConfig{Prefix: "a/!{timestamp:dddd}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Invalid conversion character used in the value of the expression in Prefix"},
		{KeyConfig{Prefix: "a/!{timestamp:B}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Hydrant does not support the pattern letter B in the value of the expression in Prefix"},
		// Dynamic partitioning.
		{KeyConfig{Prefix: "c=!{partitionKeyFromQuery:c}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}", DynamicPartitioning: true}, ""},
		{KeyConfig{Prefix: "c=!{partitionKeyFromQuery:c}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Dynamic Partitioning Namespaces can only be used when Dynamic Partitioning is enabled"},
		{KeyConfig{Prefix: "c/!{timestamp:yyyy}/", ErrorOutputPrefix: "e/!{firehose:error-output-type}", DynamicPartitioning: true},
			"S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled"},
		{KeyConfig{Prefix: "c=!{partitionKeyFromQuery:c}/", DynamicPartitioning: true},
			"Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"},
		{KeyConfig{Prefix: "c=!{partitionKeyFromQuery:c}/", DynamicPartitioning: true,
			ErrorOutputPrefix: "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:c}"},
			"Dynamic Partitioning Namespaces can't be part of an error prefix expression"},
		{KeyConfig{Prefix: "c=!{partitionKeyFromLambda:c}/", DynamicPartitioning: true, ErrorOutputPrefix: "e/!{firehose:error-output-type}"},
			"Hydrant does not run Lambda functions, so !{partitionKeyFromLambda:c} cannot be evaluated: use " +
				"!{partitionKeyFromQuery:c} with a MetadataExtraction processor"},
		// Length after evaluation.
		{KeyConfig{Prefix: strings.Repeat("a", 513)}, "Length of evaluated prefix cannot be greater than 512"},
		{KeyConfig{Prefix: strings.Repeat("a", 512)}, ""},
		{KeyConfig{Prefix: strings.Repeat("a", 300) + "!{firehose:random-string}" + strings.Repeat("b", 202),
			ErrorOutputPrefix: "e/!{firehose:error-output-type}"}, "Length of evaluated prefix cannot be greater than 512"},
		{KeyConfig{Prefix: "a/", ErrorOutputPrefix: strings.Repeat("e", 513)},
			"Length of evaluated ErrorOutputPrefix cannot be greater than 512"},
	} {
		_, err := NewKeys(tc.cfg)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("%+v: %v", tc.cfg, err)
		case tc.msg != "" && err == nil:
			t.Errorf("%+v: accepted, want %q", tc.cfg, tc.msg)
		case tc.msg != "":
			var pe *PrefixError
			if !errors.As(err, &pe) || pe.Msg != tc.msg {
				t.Errorf("%+v:\n got %q\nwant %q", tc.cfg, err, tc.msg)
			}
		}
	}
}

// TestPrefixTooLongAtDelivery: partition keys can make an evaluated prefix too long, which only the
// evaluation can tell.
func TestPrefixTooLongAtDelivery(t *testing.T) {
	k, err := NewKeys(KeyConfig{Prefix: "c=!{partitionKeyFromQuery:c}/", DynamicPartitioning: true,
		ErrorOutputPrefix: "e/!{firehose:error-output-type}"})
	if err != nil {
		t.Fatal(err)
	}
	o := obj("")
	o.PartitionKey = func(string) string { return strings.Repeat("x", 600) }
	if _, err := k.Key(o); err != ErrPrefixTooLong {
		t.Fatalf("got %v, want ErrPrefixTooLong", err)
	}
	if key, err := k.ErrorKey(o, "processing-failed"); err != nil || !strings.HasPrefix(key, "e/processing-failed") {
		t.Fatalf("error key %q, %v", key, err)
	}
}

// TestJavaPatterns formats patterns as java.time.format.DateTimeFormatter does in Locale.US (the
// expected strings are what Java 17 prints for these instants).
func TestJavaPatterns(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	sun := time.Date(2017, 12, 31, 23, 5, 9, 7_000_000, time.UTC) // a Sunday; US week 1 of 2018
	for _, tc := range []struct {
		pattern string
		t       time.Time
		want    string
	}{
		{"yyyy/MM/dd/HH/", at, "2018/08/27/10/"},
		{"yyyy-MM-dd'T'HH:mm:ss.SSS", at, "2018-08-27T10:30:05.123"},
		{"yy", at, "18"},
		{"y", at, "2018"},
		{"yyyyy", at, "02018"},
		{"uuuu", at, "2018"},
		{"M/L MMM MMMM MMMMM", at, "8/8 Aug August A"},
		{"d dd D DD DDD", at, "27 27 239 239 239"},
		{"D DD DDD", time.Date(2018, 1, 5, 0, 0, 0, 0, time.UTC), "5 05 005"},
		{"E EEE EEEE EEEEE", at, "Mon Mon Monday M"},
		{"e ee c eee", at, "2 02 2 Mon"},
		{"Q QQ QQQ QQQQ q", at, "3 03 Q3 3rd quarter 3"},
		{"h:mm a", at, "10:30 AM"},
		{"hh KK kk HH", time.Date(2018, 1, 1, 0, 7, 0, 0, time.UTC), "12 00 24 00"},
		{"h a", time.Date(2018, 1, 1, 13, 0, 0, 0, time.UTC), "1 PM"},
		{"S SS SSSS SSSSSSSSS", at, "1 12 1230 123000000"},
		{"A n", at, "37805123 123000000"},
		{"G GGGG GGGGG", at, "AD Anno Domini A"},
		{"'quoted '' text' ''", at, "quoted ' text '"},
		{"[yyyy]-[MM]", at, "2018-08"},
		{"yyyy_MM.dd/HH=mm", at, "2018_08.27/10=30"},
		{"YYYY ww w W F", sun, "2018 01 1 6 3"},
		{"YYYY ww", time.Date(2018, 12, 29, 0, 0, 0, 0, time.UTC), "2018 52"},
		{"Z ZZZZ ZZZZZ X XX XXX x xxx O OOOO", at.In(tokyo), "+0900 GMT+09:00 +09:00 +09 +0900 +09:00 +09 +09:00 GMT+9 GMT+09:00"},
		{"Z ZZZZ ZZZZZ X x O", at, "+0000 GMT Z Z +00 GMT"},
		{"X O", at.In(kolkata), "+0530 GMT+5:30"},
		{"z", at.In(tokyo), "JST"},
		{"z", at, "UTC"},
		{"HH z", at.In(ny), "06 EDT"},
		{"g", at, "58357"},
	} {
		layout, err := parseJavaPattern(tc.pattern)
		if err != nil {
			t.Errorf("%q: %v", tc.pattern, err)
			continue
		}
		if got := string(appendJavaTime(nil, layout, tc.t)); got != tc.want {
			t.Errorf("%q at %v:\n got %q\nwant %q", tc.pattern, tc.t, got, tc.want)
		}
	}
}

// TestJavaPatternLetters: exactly the letters Firehose refuses are refused (probed by a third party
// over all 52 ASCII letters: C I J P R T U V b f i j l o p r t), plus malformed patterns.
func TestJavaPatternLetters(t *testing.T) {
	refused := "CIJPRTUVbfijloprt"
	for c := byte('A'); c <= 'z'; c++ {
		if c > 'Z' && c < 'a' {
			continue
		}
		_, err := parseJavaPattern(string(c))
		if got, want := err != nil, strings.IndexByte(refused, c) >= 0 || c == 'B'; got != want {
			t.Errorf("letter %c: refused %v, want %v", c, got, want)
		}
	}
	for _, p := range []string{"'open", "yyyy]", "#", "{", "ddd", "HHH", "aa", "WW", "cc", "OO", "vv", "ZZZZZZ"} {
		if _, err := parseJavaPattern(p); err == nil {
			t.Errorf("pattern %q accepted", p)
		}
	}
}

func BenchmarkKey(b *testing.B) {
	k, err := NewKeys(KeyConfig{Prefix: "logs/!{timestamp:yyyy/MM/dd}/!{firehose:random-string}/",
		ErrorOutputPrefix: "e/!{firehose:error-output-type}/"})
	if err != nil {
		b.Fatal(err)
	}
	o := obj(".gz")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Key(o); err != nil {
			b.Fatal(err)
		}
	}
}
