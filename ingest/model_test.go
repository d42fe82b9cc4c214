package ingest

import (
	"slices"
	"testing"
)

func TestKinesisModelLoads(t *testing.T) {
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.ops), 39; got != want {
		t.Errorf("operations: got %d, want %d", got, want)
	}
	if m.targetPrefix != "Kinesis_20131202" {
		t.Errorf("target prefix %q", m.targetPrefix)
	}
	if m.javaPackage != "com.amazonaws.kinesis.v20131202" {
		t.Errorf("java package %q", m.javaPackage)
	}
	if len(m.unsupportedPatterns) != 0 {
		t.Errorf("patterns RE2 cannot compile: %v", m.unsupportedPatterns)
	}
	in := m.ops["PutRecords"].input
	var names []string
	for _, mb := range in.members {
		names = append(names, mb.name)
	}
	if want := []string{"Records", "StreamName", "StreamARN", "StreamId"}; !slices.Equal(names, want) {
		t.Errorf("PutRecordsInput members in model order: got %v, want %v", names, want)
	}
	if !in.byName["Records"].required || in.byName["StreamName"].required {
		t.Error("PutRecordsInput: Records must be required and StreamName not")
	}
	if p := in.byName["StreamARN"].path; p != "streamARN" {
		t.Errorf("path of StreamARN: %q", p)
	}
	data := in.byName["Records"].shape.elem.byName["Data"].shape
	if !data.hasMax || data.max != 10485760 {
		t.Errorf("Data max: %v", data.max)
	}
}

// Every operation of the model is served, none of them "not yet".
func TestKinesisServiceCoversModel(t *testing.T) {
	svc, err := newKinesis(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name := range svc.model.ops {
		if svc.ops[name] == nil {
			t.Errorf("%s has no operation", name)
		}
	}
	if got := svc.notYet(); len(got) != 0 {
		t.Errorf("not supported yet: %v", got)
	}
	for _, name := range []string{"PutRecord", "PutRecords"} {
		if svc.ops[name].fast == nil {
			t.Errorf("%s has no fast path", name)
		}
	}
}

// Patterns are Java regular expressions; the ones in AWS models that RE2 can express must compile to
// the same language, and the others must be reported, not mistranslated.
func TestCompilePattern(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{`[a-zA-Z0-9_.-]+`, []string{"a", "my-stream_1.x"}, []string{"", "a b", "a/b", "é"}},
		{`0|([1-9]\d{0,38})`, []string{"0", "1", "340282366920938463463374607431768211455"},
			[]string{"", "01", "-1", "1a", "1234567890123456789012345678901234567890"}},
		{`arn:aws.*:kinesis:.*:\d{12}:stream/\S+`, []string{"arn:aws:kinesis:us-east-1:000000000000:stream/s"},
			[]string{"arn:aws:kinesis:us-east-1:00000000000:stream/s", "x arn:aws:kinesis:us-east-1:000000000000:stream/s"}},
		{`[\u0001-\uFFFF]*`, []string{"", "abc", "é"}, []string{"\x00"}},
		{`arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}+:\d{12}+:application/[a-z]+`,
			[]string{"arn:aws:kinesisanalytics:us-east-1:000000000000:application/app"}, nil},
	} {
		p, err := compilePattern(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		for _, s := range tc.match {
			if !match(p, s) || !match(p, []byte(s)) || !p.re.MatchString(s) {
				t.Errorf("%s should match %q", tc.pattern, s)
			}
		}
		for _, s := range tc.noMatch {
			if match(p, s) || match(p, []byte(s)) || p.re.MatchString(s) {
				t.Errorf("%s should not match %q", tc.pattern, s)
			}
		}
	}
	if _, err := compilePattern(`^(?!aws:)[\p{L}]*$`); err == nil {
		t.Error("a look-ahead must be reported as unsupported")
	}
}

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "日本": 2, "😀": 2, "a😀b": 4} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
