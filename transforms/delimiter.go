package transforms

// AppendDelimiter appends record and then a newline to dst, as Firehose's AppendDelimiterToRecord
// processor delivers each record (FIREHOSE.md §4.2; the processor takes no parameter, per the
// Processor API reference). The newline is added whether or not the record already ends with
// one: Firehose does not look inside records, and without the processor it adds nothing at all
// (records are concatenated verbatim, FIREHOSE.md §4.1).
func AppendDelimiter(dst, record []byte) []byte {
	dst = append(dst, record...)
	return append(dst, '\n')
}
