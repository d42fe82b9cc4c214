package format

import (
	"strconv"
	"testing"
)

// TestCoercion walks the table of sch-mapping.html ("Mapping JSON Data Types to SQL Data Types"):
// each JSON type into each kind of SQL type. want is the value's text, "<nil>" for NULL, or "ERR" for
// a coercion error written to the error stream.
func TestCoercion(t *testing.T) {
	tests := []struct {
		typ, json, want string
	}{
		// "A null literal ... converts to a SQL null regardless of destination data type."
		{"INTEGER", `null`, "<nil>"},
		{"VARCHAR(4)", `null`, "<nil>"},
		{"BOOLEAN", `null`, "<nil>"},
		{"TIMESTAMP", `null`, "<nil>"},
		{"VARBINARY(4)", `null`, "<nil>"},
		// A member that is not there is NULL too ("If no element appears at the location ... returns null").
		{"INTEGER", ``, "<nil>"},

		// Boolean literal. "Numeric (DECIMAL, INT, and so on): true converts to 1; false converts to 0."
		{"INTEGER", `true`, "1"},
		{"TINYINT", `false`, "0"},
		{"DECIMAL(5,2)", `true`, "1.0"},
		{"DOUBLE", `false`, "0.0"},
		// "Binary: true: Result has lowest bit set ... Conversion to VARBINARY results in a value 1 byte in length."
		{"VARBINARY(8)", `true`, "\x01"},
		{"BINARY(1)", `false`, "\x00"},
		// "BOOLEAN: Converts to the corresponding SQL BOOLEAN value."
		{"BOOLEAN", `true`, "true"},
		{"BOOLEAN", `false`, "false"},
		// "Character: Converts to the corresponding string value (true or false). The value is truncated
		// to fit the length of the field."
		{"VARCHAR(8)", `true`, "true"},
		{"VARCHAR(3)", `false`, "fal"},
		{"CHAR(5)", `false`, "false"},
		// "Datetime (DATE, TIME, or TIMESTAMP): Conversion fails and a coercion error is written to the error stream."
		{"TIMESTAMP", `true`, "ERR"},
		{"DATE", `false`, "ERR"},
		{"TIME", `true`, "ERR"},

		// Number. "Numeric: Converts directly. If the converted value exceeds the size or precision of
		// the target data type (that is, converting 123.4 to INT), conversion fails".
		{"INTEGER", `67321`, "67321"},
		{"INTEGER", `123.4`, "ERR"},
		{"INTEGER", `123.0`, "123"},
		{"INTEGER", `1e3`, "1000"},
		{"INTEGER", `2147483647`, "2147483647"},
		{"INTEGER", `2147483648`, "ERR"},
		{"INTEGER", `-2147483648`, "-2147483648"},
		{"TINYINT", `127`, "127"},
		{"TINYINT", `128`, "ERR"},
		{"SMALLINT", `-32769`, "ERR"},
		{"BIGINT", `9223372036854775807`, "9223372036854775807"},
		{"BIGINT", `9223372036854775808`, "ERR"},
		{"BIGINT", `-9223372036854775808`, "-9223372036854775808"},
		{"DECIMAL(5,2)", `123.45`, "123.45"},
		{"DECIMAL(5,2)", `1234.5`, "ERR"},
		{"DECIMAL(5,2)", `1.005`, "1.0"}, // rounded to scale (1.005 is 1.00499... as a double)
		{"DECIMAL(5,2)", `1.006`, "1.01"},
		{"DECIMAL", `12345678901234567`, "1.2345678901234568E16"},
		{"REAL", `33.11`, "33.11"},
		{"REAL", `1e39`, "ERR"},
		{"DOUBLE", `-0.76`, "-0.76"},
		{"DOUBLE", `7.921782426109737`, "7.921782426109737"},
		{"DOUBLE", `1e400`, "ERR"},
		{"DOUBLE", `2.5E-3`, "0.0025"},
		// "Binary (BINARY or VARBINARY): Conversion fails"
		{"VARBINARY(8)", `12`, "ERR"},
		// "BOOLEAN: 0: Converts to false. All other numbers: Converts to true."
		{"BOOLEAN", `0`, "false"},
		{"BOOLEAN", `0.0`, "false"},
		{"BOOLEAN", `-3.5`, "true"},
		// "Character (CHAR or VARCHAR): Converts to a string representation of the number."
		{"VARCHAR(8)", `67321`, "67321"},
		{"VARCHAR(8)", `-1.50e2`, "-1.50e2"},
		{"VARCHAR(3)", `67321`, "673"},
		// "Datetime: Conversion fails"
		{"TIMESTAMP", `1528899065766`, "ERR"},
		{"DATE", `19920214`, "ERR"},

		// String. "Numeric: ... attempts to convert the value to the target data type. If the value
		// cannot be converted, conversion fails".
		{"INTEGER", `"101"`, "101"},
		{"INTEGER", `" 101 "`, "101"},
		{"INTEGER", `"1.5"`, "ERR"},
		{"INTEGER", `"abc"`, "ERR"},
		{"INTEGER", `""`, "ERR"},
		{"BIGINT", `"-42"`, "-42"},
		{"DOUBLE", `"33.99"`, "33.99"},
		{"DECIMAL(4,2)", `"22.50"`, "22.5"},
		{"REAL", `"x"`, "ERR"},
		// Strings are read as Java reads numbers: Go-only forms (hex, lower-case inf and nan, digit
		// separators) are not numbers; Java's own NaN and Infinity are, for approximate types only.
		{"INTEGER", `"0x1p4"`, "ERR"},
		{"BIGINT", `"0x10"`, "ERR"},
		{"DOUBLE", `"inf"`, "ERR"},
		{"DOUBLE", `"nan"`, "ERR"},
		{"DOUBLE", `"0x_1p4"`, "ERR"},
		{"DECIMAL(5,1)", `"0x1p4"`, "ERR"},
		{"DOUBLE", `"Infinity"`, "Infinity"},
		{"DOUBLE", `"-Infinity"`, "-Infinity"},
		{"DOUBLE", `"NaN"`, "NaN"},
		{"DOUBLE", `" 1.5e3 "`, "1500.0"},
		{"INTEGER", `"Infinity"`, "ERR"},
		// "Binary: If the source string is a valid binary literal (that is, X'3F67A23A' ...), the value
		// is converted". Base64, the Data Types table's BINARY form, too.
		{"VARBINARY(8)", `"X'3F67A23A'"`, "\x3f\x67\xa2\x3a"},
		{"VARBINARY(8)", `"X'3F6'"`, "ERR"},
		{"VARBINARY(8)", `"AQID"`, "\x01\x02\x03"},
		{"VARBINARY(2)", `"AQID"`, "\x01\x02"},
		{"VARBINARY(8)", `"not base64!"`, "ERR"},
		// "BOOLEAN: If the source string is "true", converts to true. This comparison is
		// case-insensitive. Otherwise, converts to false."
		{"BOOLEAN", `"true"`, "true"},
		{"BOOLEAN", `"TRUE"`, "true"},
		{"BOOLEAN", `"True"`, "true"},
		{"BOOLEAN", `"yes"`, "false"},
		{"BOOLEAN", `""`, "false"},
		// "Character: Converts to the string value in the input. If the value is longer than the target
		// data type, it is truncated and no error is written to the error stream."
		{"VARCHAR(16)", `"John Doe"`, "John Doe"},
		{"VARCHAR(4)", `"TECHNOLOGY"`, "TECH"},
		{"VARCHAR(3)", `"héllo"`, "hél"}, // characters, not bytes
		{"VARCHAR", `"no limit at all"`, "no limit at all"},
		{"VARCHAR(32)", `"a\"b\\c\nd\u00e9\ud83d\ude00"`, "a\"b\\c\ndé😀"},
		// "Datetime: If the source string is in a format that can be converted to the target value, the
		// value is converted. ... Valid datetime formats include: "1992-02-14", "1992-02-14 18:35:44.0""
		{"TIMESTAMP", `"1992-02-14"`, "1992-02-14 00:00:00.000"},
		{"TIMESTAMP", `"1992-02-14 18:35:44.0"`, "1992-02-14 18:35:44.000"},
		{"TIMESTAMP", `"2018-06-13T14:11:05.766191"`, "2018-06-13 14:11:05.766"},
		{"TIMESTAMP", `"2018-06-13T14:11:05Z"`, "2018-06-13 14:11:05.000"},
		{"TIMESTAMP", `"2018-06-13T16:11:05.5+02:00"`, "2018-06-13 14:11:05.500"},
		{"TIMESTAMP", `"2018-06-13 14:11"`, "2018-06-13 14:11:00.000"},
		{"TIMESTAMP", `"1969-12-31 23:59:59.999"`, "1969-12-31 23:59:59.999"},
		{"TIMESTAMP", `"2018-02-30 00:00:00"`, "ERR"},
		{"TIMESTAMP", `"2018-06-13 25:00:00"`, "ERR"},
		{"TIMESTAMP", `"yesterday"`, "ERR"},
		{"DATE", `"1992-02-14"`, "1992-02-14"},
		{"DATE", `"1992-02-14 18:35:44.0"`, "1992-02-14"},
		{"TIME", `"18:35:44.25"`, "18:35:44.250"},
		{"TIME", `"1992-02-14 18:35:44"`, "18:35:44.000"},
		{"TIME", `"18h"`, "ERR"},

		// Array or object. "Character (CHAR or VARCHAR): Converts to the source text of the array or
		// object." "All other data types: Conversion fails".
		{"VARCHAR(64)", `[1, 2, {"a": "b c"}]`, `[1,2,{"a":"b c"}]`},
		{"VARCHAR(64)", `{"a":1}`, `{"a":1}`},
		{"VARCHAR(4)", `{"a":1}`, `{"a"`},
		{"INTEGER", `[1]`, "ERR"},
		{"BOOLEAN", `{}`, "ERR"},
		{"TIMESTAMP", `["1992-02-14"]`, "ERR"},
		{"VARBINARY(4)", `[]`, "ERR"},
		{"DOUBLE", `{"v":1.5}`, "ERR"},
	}
	for _, tt := range tests {
		rec := `{"v": ` + tt.json + `}`
		if tt.json == "" {
			rec = `{}`
		}
		m := mustMapper(t, jsonFormat, col("V", tt.typ, "$.v"))
		rows, errs := mapAll(t, m, rec)
		got := "ERR"
		if len(rows) == 1 {
			got = rows[0][0]
		}
		if len(rows)+len(errs) != 1 || len(errs) == 1 && errs[0] != ErrTypeConversion {
			t.Errorf("%s <- %s: rows %v errors %v", tt.typ, tt.json, rows, errs)
			continue
		}
		if got != tt.want {
			t.Errorf("%s <- %s = %q, want %q", tt.typ, tt.json, got, tt.want)
		}
	}
}

func TestFastFloatMatchesStrconv(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "33.11", "-0.76", "7.921782426109737", "9007199254740992", "9007199254740993",
		"0.1", "123456789.123456789", "1.0000000000000002", "4.35", "0.000001", "99999999999999999999", "1.", ".5"} {
		got, ok := parseFloat([]byte(s))
		want, err := parseFloatStd(s)
		if ok != (err == nil) || ok && got != want {
			t.Errorf("parseFloat(%q) = %v, %v; strconv %v, %v", s, got, ok, want, err)
		}
	}
}

func parseFloatStd(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
