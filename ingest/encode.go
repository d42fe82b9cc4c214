package ingest

import (
	"strconv"
	"time"
)

// Output encoding shared by every service. Outputs are Go structs encoded by encoding/json, with two
// conventions: members a model marks optional carry omitempty/omitzero so that absent members are
// omitted (AWS never sends null), and timestamps use epoch, which AWS JSON renders as seconds since the
// epoch with the milliseconds as a fraction (1506440188.749). The hot outputs (PutRecords, GetRecords)
// bypass reflection with jsonAppender.

// epoch is a timestamp as the JSON protocols send it.
type epoch time.Time

// IsZero lets omitzero drop absent timestamps.
func (e epoch) IsZero() bool { return time.Time(e).IsZero() }

// MarshalJSON implements json.Marshaler.
func (e epoch) MarshalJSON() ([]byte, error) {
	return appendEpoch(nil, time.Time(e)), nil
}

// appendEpoch appends t as epoch seconds with millisecond precision, without trailing zeros:
// 1506440188.749, 1506440188.75, 1506440188.
func appendEpoch(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	dst = strconv.AppendInt(dst, sec, 10)
	if frac == 0 {
		return dst
	}
	d := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for d[n-1] == '0' {
		n--
	}
	dst = append(dst, '.')
	return append(dst, d[:n]...)
}
