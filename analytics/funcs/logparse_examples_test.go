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

// VARIABLE_COLUMN_LOG_PARSE page (sql-reference-variable-column-log-parse).
func TestVariableColumnLogParsePageExamples(t *testing.T) {
	runCases(t, []evalCase{
		// "if the <delimiter-string> specified a comma, and the <escape-string> specified a backslash,
		// then an input of "a,b' would be split into two fields "a" and "b", but an input of "a\,b" would
		// result in a single field "a,b"."
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("a,b"), num(2), str(","), str(`\`)), want: row(str("a"), str("b"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(`a\,b`), num(2), str(","), str(`\`)), want: row(str("a,b"), null)},
		// A quoted string "appears in one field, even if it contains a delimiter". With one quote
		// character, "it is used as both to begin and to end quoted strings"; with two, "The <begin quote
		// character> can be used to start and end the quoted string, or the <begin quote character> can
		// start the quoted string and the <end quote character> used to end that quoted string."
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(`'a,b',c`), num(2), str(","), str(""), str("'")), want: row(str("a,b"), str("c"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(`<a,b>,c`), num(2), str(","), str(""), str("<>")), want: row(str("a,b"), str("c"))},
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str(`<a,b<,c`), num(2), str(","), str(""), str("<>")), want: row(str("a,b"), str("c"))},
		// "By default, the output columns are named COLUMN1, COLUMN2, COLUMN3, etc., each of SQL data type
		// VARCHAR(1024)", and a tab delimiter is a string of one tab.
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("x\ty\tz"), num(3), str("\t")), want: row(str("x"), str("y"), str("z"))},
		// The page's column definition with a format string.
		{name: "VARIABLE_COLUMN_LOG_PARSE", args: vals(str("GET|25/Mar/2018:15:25:37"), str(`m TYPE VARCHAR(4), "name" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss'`), str("|")),
			want: row(str("GET"), ts("2018-03-25 15:25:37"))},
	})
}

// REGEX_LOG_PARSE page (sql-reference-regex-log-parse): Examples 1 and 2 run '.*([E].).*([R].*)' on the
// sample stock stream's SECTOR; the page's result figure shows rows for the healthcare and energy
// sectors only.
func TestRegexLogParsePageExamples(t *testing.T) {
	const p = `.*([E].).*([R].*)`
	runCases(t, []evalCase{
		{name: "REGEX_LOG_PARSE", args: vals(str("ENERGY"), str(p)), want: row(str("EN"), str("RGY"))},
		{name: "REGEX_LOG_PARSE", args: vals(str("HEALTHCARE"), str(p)), want: row(str("EA"), str("RE"))},
		{name: "REGEX_LOG_PARSE", args: vals(str("TECHNOLOGY"), str(p)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("FINANCIAL"), str(p)), want: null},
		{name: "REGEX_LOG_PARSE", args: vals(str("RETAIL"), str(p)), want: null},
	})
}
