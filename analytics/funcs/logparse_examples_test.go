package funcs

import "testing"

// The examples of the SQL reference's Log Parsing Functions pages, input for input (FAST_REGEX_LOG_PARSER's
// are in logparse_fast_test.go). FIXED_COLUMN_LOG_PARSE's and SYS_LOG_PARSE's pages show no example rows,
// only a column definition, which TestFixedAndSysLogParse runs.

// W3C_LOG_PARSE page (sql-reference-w3c-log-parse).
func TestW3CLogParsePageExamples(t *testing.T) {
	john := `192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pb.gif HTTP/1.1" 304 0`
	jane := `192.168.254.30 - Jane [24/May/2004:22:01:02 -0700] "GET /icons/small/dir.gif HTTP/1.1" 304 0`
	johnRow := row(str("192.168.254.30"), str("-"), str("John"), str("[24/May/2004:22:01:02 -0700]"),
		str("GET /icons/apache_pb.gif HTTP/1.1"), str("304"), str("0"))
	janeRow := row(str("192.168.254.30"), str("-"), str("Jane"), str("[24/May/2004:22:01:02 -0700]"),
		str("GET /icons/small/dir.gif HTTP/1.1"), str("304"), str("0"))
	runCases(t, []evalCase{
		// Example 1, COMMON.
		{name: "W3C_LOG_PARSE", args: vals(str(john), str("COMMON")), want: johnRow},
		{name: "W3C_LOG_PARSE", args: vals(str(jane), str("COMMON")), want: janeRow},
		// W3C Customized Formats: "The same results would be created by naming the specifiers directly",
		// written with the quotes escaped as in an Apache LogFormat: '%h %l %u %t \"%r\" %>s %b'.
		{name: "W3C_LOG_PARSE", args: vals(str(john), str(`%h %l %u %t \"%r\" %>s %b`)), want: johnRow},
		{name: "W3C_LOG_PARSE", args: vals(str(jane), str(`%h %l %u %t "%r" %>s %b`)), want: janeRow},
		// "If you change %t to [%t], the date column contains the following: 24/May/2004:22:01:02 -0700".
		{name: "W3C_LOG_PARSE", args: vals(str(john), str(`%h %l %u [%t] \"%r\" %>s %b`)), want: row(str("192.168.254.30"), str("-"),
			str("John"), str("24/May/2004:22:01:02 -0700"), str("GET /icons/apache_pb.gif HTTP/1.1"), str("304"), str("0"))},
	})
}
