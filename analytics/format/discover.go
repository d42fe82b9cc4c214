package format

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hydrantio/hydrant/analytics/value"
)

// Discovered is what DiscoverInputSchema returns: the inferred input schema, the sample rows as the
// schema parses them (ParsedInputRecords, NULL as "") and the sample records (RawInputRecords).
type Discovered struct {
	Format  RecordFormat
	Columns []Column
	Parsed  [][]string
	Raw     []string
}

// ErrNoSchema is Discover's error when the records give nothing to infer from; the API reports it as
// UnableToDetectSchemaException.
var ErrNoSchema = errors.New("unable to detect a schema from the sample records")

// Discover infers an input schema from sample record payloads, as DiscoverInputSchema does.
//
// Records that are all JSON give a JSON schema, RecordRowPath "$": each member becomes a column
// mapped by its JSONPath, nested objects are flattened ($.address.city), and arrays are one VARCHAR
// column of their text ($.orders[0:]). A record that is a JSON array is a list of rows. Anything else
// is read as CSV, with "\r\n" or "\n" rows and the column delimiter among , \t | ; that splits every
// row alike.
//
// Types follow what the developer guide shows discovery inferring: integers are INTEGER (BIGINT past
// 32 bits), numbers with a fraction REAL (TICKER VARCHAR(4), PRICE REAL for {"TICKER": "TBV",
// "PRICE": 33.11}; DOUBLE past REAL's range), true/false BOOLEAN, and everything else VARCHAR(n) with
// n the longest value rounded up to a power of two, at least 4 (sch-dis-ref.html: "AK" gives
// VARCHAR(4), "ShortTons" VARCHAR(16), "ElectricGeneratorsElectricUtilities" VARCHAR(64)). Timestamp
// text stays VARCHAR: the guide's examples change EVENT_TIME to TIMESTAMP in the schema editor after
// discovery. A column mixing types is VARCHAR.
//
// Names keep the source's (case kept) unless it is a reserved word, has characters other than
// letters, digits and _, starts with a digit or is longer than 100 characters: then it is COL_
// followed by what remains of it, or COL_<position> (from 0) when nothing remains (sch-dis.html:
// USER -> COL_USER, USER@DOMAIN -> COL_USERDOMAIN, @@ -> COL_0). A nested member is named by its own
// key; when two columns would share a name, the later one is named by its whole path joined with _.
// CSV columns are named from a header row when the first row is text over columns whose other rows
// are numbers (sch-dis-ref.html: year,month,... over 2001,1,... gives COL_year, COL_month, state...),
// else COL_0, COL_1, ...
func Discover(records [][]byte) (Discovered, error) {
	var d Discovered
	for _, r := range records {
		d.Raw = append(d.Raw, string(r))
	}
	if allJSON(records) {
		return discoverJSON(records, d)
	}
	return discoverCSV(records, d)
}

func allJSON(records [][]byte) bool {
	n := 0
	var stack []byte
	for _, r := range records {
		i := skipSpace(r, 0)
		if i == len(r) {
			continue
		}
		if r[i] != '{' && r[i] != '[' {
			return false
		}
		end, st, ok := skipValue(r, i, stack)
		stack = st
		if !ok || skipSpace(r, end) != len(r) {
			return false
		}
		n++
	}
	return n > 0
}

// fieldStats gathers what the sample values of one column say about its type.
type fieldStats struct {
	steps                      []step
	ints, floats, bools, texts int
	bigInt, bigFloat           bool
	maxLen                     int
}

func (s *fieldStats) sqlType() string {
	switch {
	case s.texts > 0 || s.bools > 0 && s.ints+s.floats > 0:
		return "VARCHAR(" + strconv.Itoa(varcharLen(s.maxLen)) + ")"
	case s.bools > 0:
		return "BOOLEAN"
	case s.floats > 0 && s.bigFloat:
		return "DOUBLE"
	case s.floats > 0:
		return "REAL"
	case s.ints > 0 && s.bigInt:
		return "BIGINT"
	case s.ints > 0:
		return "INTEGER"
	}
	return "VARCHAR(" + strconv.Itoa(varcharLen(s.maxLen)) + ")"
}

// varcharLen sizes a discovered VARCHAR: the longest value rounded up to a power of two, at least 4.
func varcharLen(n int) int {
	l := 4
	for l < n && l < 65535 {
		l *= 2
	}
	return min(l, 65535)
}

// observe records one value given as text: JSON numbers and booleans, or CSV fields.
func (s *fieldStats) observe(kind tokKind, text []byte) {
	s.maxLen = max(s.maxLen, utf8.RuneCount(text))
	switch kind {
	case tokTrue, tokFalse:
		s.bools++
	case tokNumber:
		if n, ok := plainInt(text); ok {
			s.ints++
			s.bigInt = s.bigInt || n < math.MinInt32 || n > math.MaxInt32
			return
		}
		s.floats++
		if f, ok := parseFloat(text); !ok || math.Abs(f) > math.MaxFloat32 {
			s.bigFloat = true
		}
	case tokNull, tokMissing:
	default:
		s.texts++
	}
}

// plainInt reads digits with an optional sign and nothing else.
func plainInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	for i, c := range b {
		if (c < '0' || c > '9') && !(i == 0 && c == '-' && len(b) > 1) {
			return 0, false
		}
	}
	return parseInt(b)
}

func discoverJSON(records [][]byte, d Discovered) (Discovered, error) {
	var fields []*fieldStats
	index := map[string]*fieldStats{}
	var stack []byte
	var walk func(b []byte, i int, prefix []step) int
	field := func(steps []step) *fieldStats {
		k := pathString(steps)
		f := index[k]
		if f == nil {
			f = &fieldStats{steps: append([]step(nil), steps...)}
			index[k] = f
			fields = append(fields, f)
		}
		return f
	}
	// walk reads the object at b[i] (validated already) and returns the offset after it.
	walk = func(b []byte, i int, prefix []step) int {
		i = skipSpace(b, i+1)
		for i < len(b) && b[i] == '"' {
			end, esc, _ := scanString(b, i)
			key := b[i+1 : end-1]
			if esc {
				key = appendUnquoted(nil, key)
			}
			i = skipSpace(b, end)
			i = skipSpace(b, i+1) // ':'
			steps := append(prefix[:len(prefix):len(prefix)], step{kind: stepKey, key: string(key)})
			var vend int
			switch {
			case b[i] == '{' && b[skipSpace(b, i+1)] != '}' && len(steps) < 32:
				vend = walk(b, i, steps)
			case b[i] == '{' || b[i] == '[':
				vend, stack, _ = skipValue(b, i, stack)
				kind := tokObject
				if b[i] == '[' {
					kind = tokArray
					steps = append(steps, step{kind: stepAll})
				}
				field(steps).observe(kind, appendCompact(nil, b[i:vend]))
			default:
				t, e, _ := scalar(b, i)
				vend = e
				field(steps).observe(t.kind, b[t.start:t.end])
			}
			i = skipSpace(b, vend)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
			}
		}
		return i + 1 // '}'
	}
	for _, r := range records {
		i := skipSpace(r, 0)
		if i == len(r) {
			continue
		}
		if r[i] == '{' {
			walk(r, i, nil)
			continue
		}
		// An array of rows.
		i = skipSpace(r, i+1)
		for i < len(r) && r[i] != ']' {
			var end int
			if r[i] == '{' {
				end = walk(r, i, nil)
			} else {
				end, stack, _ = skipValue(r, i, stack)
			}
			i = skipSpace(r, end)
			if i < len(r) && r[i] == ',' {
				i = skipSpace(r, i+1)
			}
		}
	}
	if len(fields) == 0 {
		return d, ErrNoSchema
	}
	fields = fields[:min(len(fields), maxColumns)] // the API's limit on RecordColumns
	used := map[string]bool{}
	for pos, f := range fields {
		keys := f.steps
		if keys[len(keys)-1].kind == stepAll {
			keys = keys[:len(keys)-1]
		}
		name := columnName(keys[len(keys)-1].key, pos)
		if used[strings.ToUpper(name)] {
			parts := make([]string, len(keys))
			for i, s := range keys {
				parts[i] = s.key
			}
			name = columnName(strings.Join(parts, "_"), pos)
		}
		name = dedupe(name, used)
		d.Columns = append(d.Columns, Column{Name: name, SQLType: f.sqlType(), Mapping: pathString(f.steps)})
	}
	d.Format = RecordFormat{Type: "JSON", RecordRowPath: "$"}
	m, err := NewMapper(d.Format, d.Columns)
	if err != nil {
		return d, err
	}
	for _, r := range records {
		m.Map(r, func(row []value.Value) { d.Parsed = append(d.Parsed, rowText(row)) }, nil)
	}
	return d, nil
}

func rowText(row []value.Value) []string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = v.String()
	}
	return out
}

// dedupe makes name unique among used (compared as SQL compares unquoted names, ignoring case).
func dedupe(name string, used map[string]bool) string {
	n := name
	for k := 2; used[strings.ToUpper(n)]; k++ {
		n = name + "_" + strconv.Itoa(k)
	}
	used[strings.ToUpper(n)] = true
	return n
}

// columnName applies discovery's renaming rules (sch-dis.html) to a source name.
func columnName(src string, pos int) string {
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	kept := b.String()
	if kept == "" {
		return "COL_" + strconv.Itoa(pos)
	}
	if kept != src || reservedWords[strings.ToUpper(kept)] || kept[0] >= '0' && kept[0] <= '9' || len(kept) > 100 {
		kept = "COL_" + kept
		if len(kept) > 100 {
			kept = kept[:100]
		}
	}
	return kept
}

// reservedWords are the SQL reserved words discovery does not use as column names as they are
// (sch-dis.html names TIMESTAMP, USER, VALUES and YEAR; the rest are SQL:2008's reserved words, which
// SQLstream reserves too).
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`ABS ALL ALLOCATE ALTER AND ANY ARE ARRAY AS ASENSITIVE ASYMMETRIC AT ATOMIC
	AUTHORIZATION AVG BEGIN BETWEEN BIGINT BINARY BLOB BOOLEAN BOTH BY CALL CALLED CARDINALITY CASCADED CASE CAST
	CEIL CEILING CHAR CHARACTER CHARACTER_LENGTH CHAR_LENGTH CHECK CLOB CLOSE COALESCE COLLATE COLLECT COLUMN COMMIT
	CONDITION CONNECT CONSTRAINT CONVERT CORR CORRESPONDING COUNT COVAR_POP COVAR_SAMP CREATE CROSS CUBE CUME_DIST
	CURRENT CURRENT_DATE CURRENT_ROW CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR CYCLE DATE DAY DEALLOCATE
	DEC DECIMAL DECLARE DEFAULT DELETE DENSE_RANK DEREF DESCRIBE DETERMINISTIC DISALLOW DISCONNECT DISTINCT DOUBLE
	DROP DYNAMIC EACH ELEMENT ELSE END END-EXEC ESCAPE EVERY EXCEPT EXEC EXECUTE EXISTS EXP EXTERNAL EXTRACT FALSE
	FETCH FILTER FIRST_VALUE FLOAT FLOOR FOR FOREIGN FREE FROM FULL FUNCTION FUSION GET GLOBAL GRANT GROUP GROUPING
	HAVING HOLD HOUR IDENTITY IMPORT IN INDICATOR INNER INOUT INSENSITIVE INSERT INT INTEGER INTERSECT INTERSECTION
	INTERVAL INTO IS JOIN LAG LANGUAGE LARGE LAST_VALUE LATERAL LEAD LEADING LEFT LIKE LN LOCAL LOCALTIME
	LOCALTIMESTAMP LOWER MATCH MAX MEMBER MERGE METHOD MIN MINUTE MOD MODIFIES MODULE MONTH MULTISET NATIONAL
	NATURAL NCHAR NCLOB NEW NO NONE NORMALIZE NOT NULL NULLIF NUMERIC OCTET_LENGTH OF OLD ON ONLY OPEN OR ORDER OUT
	OUTER OVER OVERLAPS OVERLAY PARAMETER PARTITION PERCENTILE_CONT PERCENTILE_DISC PERCENT_RANK POSITION POWER
	PRECISION PREPARE PRIMARY PROCEDURE RANGE RANK READS REAL RECURSIVE REF REFERENCES REFERENCING RELEASE RESULT
	RETURN RETURNS REVOKE RIGHT ROLLBACK ROLLUP ROW ROWS ROW_NUMBER ROWTIME SAVEPOINT SCOPE SCROLL SEARCH SECOND
	SELECT SENSITIVE SESSION_USER SET SIMILAR SMALLINT SOME SPECIFIC SPECIFICTYPE SQL SQLEXCEPTION SQLSTATE
	SQLWARNING SQRT START STATIC STDDEV_POP STDDEV_SAMP STREAM SUBMULTISET SUBSTRING SUM SYMMETRIC SYSTEM
	SYSTEM_USER TABLE TABLESAMPLE THEN TIME TIMESTAMP TIMEZONE_HOUR TIMEZONE_MINUTE TINYINT TO TRAILING TRANSLATE
	TRANSLATION TREAT TRIGGER TRIM TRUE UESCAPE UNION UNIQUE UNKNOWN UNNEST UPDATE UPPER USER USING VALUE VALUES
	VARBINARY VARCHAR VARYING VAR_POP VAR_SAMP WHEN WHENEVER WHERE WIDTH_BUCKET WINDOW WITH WITHIN WITHOUT YEAR`) {
		m[w] = true
	}
	return m
}()

var csvDelimiters = []string{",", "\t", "|", ";"}

func discoverCSV(records [][]byte, d Discovered) (Discovered, error) {
	rowDelim := "\n"
	for _, r := range records {
		if bytes.Contains(r, []byte("\r\n")) {
			rowDelim = "\r\n"
			break
		}
	}
	var rows [][]byte
	for _, r := range records {
		for _, line := range bytes.Split(r, []byte(rowDelim)) {
			if len(bytes.TrimSpace(line)) > 0 {
				rows = append(rows, line)
			}
		}
	}
	if len(rows) == 0 {
		return d, ErrNoSchema
	}
	colDelim := pickDelimiter(rows)
	fields := make([][]string, len(rows))
	ncols := 0
	for i, r := range rows {
		fields[i] = splitCSV(r, colDelim)
		ncols = max(ncols, len(fields[i]))
	}
	ncols = min(ncols, maxColumns) // the API's limit on RecordColumns; the rest is not imported
	header := hasHeader(fields, ncols)
	data := fields
	if header {
		data = fields[1:]
	}
	used := map[string]bool{}
	stats := make([]fieldStats, ncols)
	for _, row := range data {
		for j, f := range row[:min(len(row), ncols)] {
			stats[j].observe(csvKind(f), []byte(f))
		}
	}
	for j := range ncols {
		name := "COL_" + strconv.Itoa(j)
		if header && j < len(fields[0]) && fields[0][j] != "" {
			name = columnName(fields[0][j], j)
		}
		d.Columns = append(d.Columns, Column{Name: dedupe(name, used), SQLType: stats[j].sqlType()})
	}
	d.Format = RecordFormat{Type: "CSV", RowDelimiter: rowDelim, ColumnDelimiter: colDelim}
	// ParsedInputRecords holds every row, the header too, with NULL where a field does not parse as
	// its column's type (sch-dis-ref.html shows the header "year" as null under INTEGER).
	for _, row := range fields {
		out := make([]string, ncols)
		for j := range ncols {
			if j < len(row) && fitsType(row[j], d.Columns[j].SQLType) {
				out[j] = row[j]
			}
		}
		d.Parsed = append(d.Parsed, out)
	}
	return d, nil
}

// csvKind classifies a CSV field as JSON would type it.
func csvKind(f string) tokKind {
	switch {
	case f == "":
		return tokNull
	case strings.EqualFold(f, "true"):
		return tokTrue
	case strings.EqualFold(f, "false"):
		return tokFalse
	}
	if end, ok := scanNumber([]byte(f), 0); ok && end == len(f) {
		return tokNumber
	}
	return tokString
}

func fitsType(f, sqlType string) bool {
	switch k := csvKind(f); sqlType {
	case "BOOLEAN":
		return k == tokTrue || k == tokFalse
	case "INTEGER", "BIGINT", "REAL", "DOUBLE":
		return k == tokNumber
	}
	return true
}

// pickDelimiter chooses the delimiter that splits every row into the same number of fields, the
// most fields first; failing that, the one present in the most rows; failing that, a comma (one
// column).
func pickDelimiter(rows [][]byte) string {
	best, bestScore := ",", -1
	for _, c := range csvDelimiters {
		lo, hi, present := math.MaxInt, 0, 0
		for _, r := range rows {
			n := len(splitCSV(r, c)) - 1
			lo, hi = min(lo, n), max(hi, n)
			if n > 0 {
				present++
			}
		}
		score := 0
		switch {
		case lo > 0 && lo == hi:
			score = 1_000_000 + lo
		case present > 0:
			score = present
		}
		if score > bestScore && score > 0 {
			best, bestScore = c, score
		}
	}
	return best
}

// splitCSV splits one row into fields, with the mapper's quote rules.
func splitCSV(r []byte, delim string) []string {
	var out []string
	d := []byte(delim)
	i := 0
	for {
		if i < len(r) && r[i] == '"' {
			if end, esc, ok := scanQuoted(r, i); ok && (end == len(r) || bytes.HasPrefix(r[end:], d)) {
				f := r[i+1 : end-1]
				if esc {
					f = appendCSVUnquoted(nil, f)
				}
				out = append(out, string(f))
				i = end
				if i == len(r) {
					return out
				}
				i += len(d)
				continue
			}
		}
		j := bytes.Index(r[i:], d)
		if j < 0 {
			return append(out, string(r[i:]))
		}
		out = append(out, string(r[i:i+j]))
		i += j + len(d)
	}
}

// hasHeader reports whether the first row names the columns: it is text over a column that is
// numeric or boolean in every other row.
func hasHeader(fields [][]string, ncols int) bool {
	if len(fields) < 2 {
		return false
	}
	for j := range ncols {
		if j >= len(fields[0]) || csvKind(fields[0][j]) != tokString {
			continue
		}
		typed := true
		for _, row := range fields[1:] {
			if j >= len(row) {
				typed = false
				break
			}
			if k := csvKind(row[j]); k == tokString || k == tokNull {
				typed = false
				break
			}
		}
		if typed {
			return true
		}
	}
	return false
}
