package funcs

import (
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// aws_doc_21's sample LOGENTRY.
const apacheLine = `203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200 125 "-" "Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"`

func fieldNames(t value.Type) string {
	names := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		names[i] = f.Name + " " + f.Type.String()
	}
	return strings.Join(names, ", ")
}

func TestRegexLogParse(t *testing.T) {
	// aws_doc_21: REGEX_LOG_PARSE(LOGENTRY, '(\w.+) (\d.+) (\w.+) (\w.+)') AS REC, then T.REC.COLUMN1 and
	// T.REC.COLUMN2 into VARCHAR(24) columns. Java's greedy groups make COLUMN1 run to the last " 200".
	args := vals(str(apacheLine), str(`(\w.+) (\d.+) (\w.+) (\w.+)`))
	impl, typ, err := bind(t, "REGEX_LOG_PARSE", args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fieldNames(typ), "COLUMN1 VARCHAR(1024), COLUMN2 VARCHAR(1024), COLUMN3 VARCHAR(1024), COLUMN4 VARCHAR(1024)"; got != want {
		t.Errorf("type = %s, want %s", got, want)
	}
	got, err := impl(args)
	if err != nil {
		t.Fatal(err)
	}
	want := row(str(`203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200`),
		str(`125 "-" "Mozilla/5.0 [en]`), str(`Gecko/20100101`), str(`Firefox/52.0"`))
	if !same(got, want) {
		t.Errorf("REGEX_LOG_PARSE = %s\nwant %s", show(got), show(want))
	}
	// Into the example's VARCHAR(24) columns.
	m1, _ := Cast(got.R[0], value.Varchar(24))
	m2, _ := Cast(got.R[1], value.Varchar(24))
	if m1.S != "203.0.113.24 - - [25/Mar" || m2.S != `125 "-" "Mozilla/5.0 [en` {
		t.Errorf("MATCH1, MATCH2 = %q, %q", m1.S, m2.S)
	}

	runCases(t, []evalCase{
		// The whole line must match: no match is a NULL ROW.
		{name: "REGEX_LOG_PARSE", args: vals(str("ENERGY"), str(`.*([E].).*([R].*)`)), want: row(str("EN"), str("RGY"))},
		{name: "REGEX_LOG_PARSE", args: vals(str("TECHNOLOGY"), str(`.*([E].).*([R].*)`)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("ENERGY"), str(`([E].)`)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("abc"), str(`(x)?abc`)), want: row(null)},
		{name: "REGEX_LOG_PARSE", args: vals(null, str(`(a)`)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("a=1,b=2.5"), str(`a=(\d+),b=(.*)`), str("A INTEGER, B DOUBLE")), want: row(num(1), dbl(2.5))},
		{name: "REGEX_LOG_PARSE", args: vals(str("a=x,b=2.5"), str(`a=(\w+),b=(.*)`), str("A INTEGER, B DOUBLE")), err: TypeConversionError},
		{name: "REGEX_LOG_PARSE", args: vals(str("k=42"), str(`(\w)=(\d+)`), str(`"key", VAL BIGINT`)), want: row(str("k"), num(42))},
		{name: "FAST_REGEX_LOG_PARSER", args: vals(str("k=v"), str(`(\w)=(\w)`)), want: row(str("k"), str("v"))},
		{name: "REGEX_LOG_PARSE", args: vals(str("abc"), str(`abc`)), err: "bind"},
		{name: "REGEX_LOG_PARSE", args: vals(str("abc"), str(`(abc`)), err: "bind"},
	})
}

func TestW3CLogParse(t *testing.T) {
	// aws_doc_22: W3C_LOG_PARSE("log", 'COMMON') read as l.r.COLUMN1..COLUMN7.
	line := `192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pba.gif HTTP/1.1" 304 0`
	args := vals(str(line), str("COMMON"))
	impl, typ, err := bind(t, "W3C_LOG_PARSE", args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(typ.Fields) != 7 || typ.Fields[6].Name != "COLUMN7" {
		t.Fatalf("type = %s", fieldNames(typ))
	}
	got, err := impl(args)
	want := row(str("192.168.254.30"), str("-"), str("John"), str("[24/May/2004:22:01:02 -0700]"),
		str("GET /icons/apache_pba.gif HTTP/1.1"), str("304"), str("0"))
	if err != nil || !same(got, want) {
		t.Errorf("W3C_LOG_PARSE COMMON = %s, %v\nwant %s", show(got), err, show(want))
	}

	runCases(t, []evalCase{
		{name: "W3C_LOG_PARSE", args: vals(str(apacheLine), str("NCSA EXTENDED")), want: row(str("203.0.113.24"), str("-"), str("-"),
			str("[25/Mar/2018:15:25:37 -0700]"), str("GET /index.php HTTP/1.1"), str("200"), str("125"), str("-"),
			str("Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"))},
		{name: "W3C_LOG_PARSE", args: vals(str("www.example.com "+line), str("common with vhost")), want: row(str("www.example.com"),
			str("192.168.254.30"), str("-"), str("John"), str("[24/May/2004:22:01:02 -0700]"),
			str("GET /icons/apache_pba.gif HTTP/1.1"), str("304"), str("0"))},
		{name: "W3C_LOG_PARSE", args: vals(str("http://a.example/x ---> /index.html"), str("REFERER")), want: row(str("http://a.example/x"), str("/index.html"))},
		{name: "W3C_LOG_PARSE", args: vals(str("Mozilla/5.0 (X11)"), str("AGENT")), want: row(str("Mozilla/5.0 (X11)"))},
		{name: "W3C_LOG_PARSE", args: vals(str("10.0.0.1 42ms"), str("%a %Dms")), want: row(str("10.0.0.1"), str("42"))},
		{name: "W3C_LOG_PARSE", args: vals(str("not a log line"), str("COMMON")), want: null},
		{name: "W3C_LOG_PARSE", args: vals(str("x"), str("SOMETHING")), err: "bind"},
		{name: "W3C_LOG_PARSE", args: vals(str("x"), str("%{Referer")), err: "bind"},
	})
}

func TestVariableColumnLogParse(t *testing.T) {
	// aws_doc_23: the spec and delimiter of the example, on its sample "value,value,value,value".
	spec := "COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)"
	args := vals(str("value,value,value,value"), str(spec), str(","))
	impl, typ, err := bind(t, "VARIABLE_COLUMN_LOG_PARSE", args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fieldNames(typ), "COL_1 VARCHAR(16), COL_2 VARCHAR(16), COL_3 VARCHAR(16)"; got != want {
		t.Errorf("type = %s, want %s", got, want)
	}
	if got, err := impl(args); err != nil || !same(got, row(str("value"), str("value"), str("value"))) {
		t.Errorf("VARIABLE_COLUMN_LOG_PARSE = %s, %v", show(got), err)
	}

	runCases(t, []evalCase{
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a,b"), num(3), str(",")), want: row(str("a"), str("b"), null)},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a,,c"), num(3), str(",")), want: row(str("a"), str(""), str("c"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a||b||c"), num(2), str("||")), want: row(str("a"), str("b"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("toolongvalue,x"), str("C1 VARCHAR(4), C2 VARCHAR(4)"), str(",")), want: row(str("tool"), str("x"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("7\t2.5\t2018-05-09 12:00:00"), str(`"n" INTEGER, d DECIMAL(10, 2), t TIMESTAMP`), str("\t")),
			want: row(num(7), dec(2.5), ts("2018-05-09 12:00:00"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(",x"), str("N INTEGER, S VARCHAR(3)"), str(",")), want: row(null, str("x"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("seven,x"), str("N INTEGER, S VARCHAR(3)"), str(",")), err: TypeConversionError},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(",x"), str("N INTEGER NOT NULL, S VARCHAR(3)"), str(",")), err: TypeConversionError},
		// The reference: with a backslash escape, "a\,b" is one field.
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(`a\,b,c`), num(2), str(","), str(`\`), str(`"`)), want: row(str("a,b"), str("c"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(`"a,b",c`), num(2), str(","), str(`\`), str(`"`)), want: row(str("a,b"), str("c"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(`[a,b],c`), num(2), str(","), str(""), str(`[]`)), want: row(str("a,b"), str("c"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a"), str("C1 BLOB"), str(",")), err: "bind"},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a"), num(0), str(",")), err: "bind"},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a"), num(2), str("")), err: "bind"},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a"), str("A INTEGER, A INTEGER"), str(",")), err: "bind"},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(null, num(2), str(",")), want: null},
	})
}

func TestFixedAndSysLogParse(t *testing.T) {
	runCases(t, []evalCase{
		{name: "FIXED_COLUMN_LOG_PARSE", args: vals(str("ABCD0042rest of line"),
			str("code TYPE VARCHAR(4) START 0 FOR 4, n TYPE INTEGER START 4 FOR 4, msg TYPE VARCHAR(32) START 8")),
			want: row(str("ABCD"), num(42), str("rest of line"))},
		{name: "FIXED_COLUMN_LOG_PARSE", args: vals(str("25/Mar/2018:15:25:37 x"),
			str(`"name" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' START 0 FOR 20, "tail" TYPE VARCHAR(4) START 30`)),
			want: row(ts("2018-03-25 15:25:37"), null)},
		{name: "FIXED_COLUMN_LOG_PARSE", args: vals(str("x"), str("a TYPE INTEGER")), err: "bind"},
		{name: "SYS_LOG_PARSE", args: vals(str("Nov  2 10:00:01 host1 sshd[42]: accepted")),
			want: row(ts("1970-11-02 10:00:01"), str("host1 sshd[42]: accepted"))},
		{name: "SYS_LOG_PARSE", args: vals(str("Mar 25 15:25:37 web kernel: up")), want: row(ts("1970-03-25 15:25:37"), str("web kernel: up"))},
		{name: "SYS_LOG_PARSE", args: vals(str("garbage")), want: null},
	})
}

func TestColumnSpecErrors(t *testing.T) {
	for _, spec := range []string{"", "A", "A, B INTEGER", "A VARCHAR(3", "A VARCHAR(3)), B INTEGER", "A INTEGER,, B INTEGER",
		`"A INTEGER`, "A INTEGER NOT", "A INTEGER 'yyyy'", "A TIMESTAMP 'yyyy", "A INTEGER START 1", "A ROW(x INTEGER)"} {
		if _, err := parseColumnSpecs(spec, false); err == nil {
			t.Errorf("parseColumnSpecs(%q) accepted a bad specification", spec)
		}
	}
}

// W3C_LOG_PARSE's IIS format is named by the reference without its specifiers: the error says so.
func TestW3CLogParseIIS(t *testing.T) {
	_, err := call(t, "W3C_LOG_PARSE", str("2004-05-24 22:01:02 192.168.1.1 GET /index.htm 200"), str("iis"))
	if err == nil || !strings.Contains(err.Error(), "IIS format is not supported") {
		t.Fatalf("error %v, want the IIS format named as unsupported", err)
	}
}
