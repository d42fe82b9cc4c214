package engine

import (
	"encoding/binary"
	"math"

	"github.com/hydrantio/hydrant/analytics/value"
)

// appendKey appends an encoding of v under which equal values (as GROUP BY sees them: NULL equals NULL,
// 1 equals 1.0) are equal bytes. Group and partition maps are keyed by these bytes.
func appendKey(b []byte, v value.Value) []byte {
	switch v.K {
	case value.Null:
		return append(b, 0)
	case value.Int, value.Decimal, value.Double:
		if v.K == value.Int {
			b = append(b, 'i')
			return binary.LittleEndian.AppendUint64(b, uint64(v.I))
		}
		if f := v.F; f == math.Trunc(f) && math.Abs(f) < 1<<62 {
			b = append(b, 'i')
			return binary.LittleEndian.AppendUint64(b, uint64(int64(f)))
		}
		b = append(b, 'f')
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
	case value.String, value.Binary:
		b = append(b, 's')
		b = binary.AppendUvarint(b, uint64(len(v.S)))
		return append(b, v.S...)
	case value.Row:
		b = append(b, 'r')
		b = binary.AppendUvarint(b, uint64(len(v.R)))
		for _, f := range v.R {
			b = appendKey(b, f)
		}
		return b
	}
	b = append(b, byte(v.K))
	return binary.LittleEndian.AppendUint64(b, uint64(v.I))
}
