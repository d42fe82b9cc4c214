package buffer

import "time"

// Rules are a delivery stream's buffering hints: an object ends when it holds Size bytes of records
// (before processing and compression, as Firehose counts) or when Interval has passed since its
// oldest record arrived, whichever comes first. Interval 0 (Firehose's zero buffering) delivers what
// has arrived as soon as the delivery has caught up with the log.
type Rules struct {
	Size     int64
	Interval time.Duration
}

// DefaultRules are Firehose's defaults for S3: 5 MiB and 300 s.
var DefaultRules = Rules{Size: 5 << 20, Interval: 300 * time.Second}

// Cutter decides where objects end. It sees the records of the object being built in log order and
// answers with the log's own arrival times, so the same records always give the same cuts; only the
// cut of a quiet stream depends on the wall clock (Due), and that cut is journaled before it is used.
type Cutter struct {
	rules  Rules
	oldest int64 // arrival of the object's first record, Unix ms
	size   int64
	count  int
}

// NewCutter returns a Cutter for rules.
func NewCutter(rules Rules) *Cutter { return &Cutter{rules: rules} }

// Fits reports whether a record of size bytes that arrived at arrivalMs belongs to the current object;
// when it does not, the caller cuts the object before it and calls Reset. The first record of an
// object always fits, however large.
func (c *Cutter) Fits(arrivalMs int64, size int) bool {
	if c.count == 0 {
		return true
	}
	if c.size+int64(size) > c.rules.Size {
		return false
	}
	return c.rules.Interval == 0 || arrivalMs-c.oldest < c.rules.Interval.Milliseconds()
}

// Add accounts for a record that fits.
func (c *Cutter) Add(arrivalMs int64, size int) {
	if c.count == 0 {
		c.oldest = arrivalMs
	}
	c.size += int64(size)
	c.count++
}

// Full reports whether the object has reached the size hint and should be cut now.
func (c *Cutter) Full() bool { return c.count > 0 && c.size >= c.rules.Size }

// Due reports whether the object should be cut because the wall clock has passed its oldest record's
// arrival plus the interval (a quiet stream), with nowMs the current time.
func (c *Cutter) Due(nowMs int64) bool {
	return c.count > 0 && nowMs-c.oldest >= c.rules.Interval.Milliseconds()
}

// Empty reports whether the current object holds no record.
func (c *Cutter) Empty() bool { return c.count == 0 }

// Oldest is the arrival of the current object's first record, Unix ms.
func (c *Cutter) Oldest() int64 { return c.oldest }

// Size is the bytes of records in the current object.
func (c *Cutter) Size() int64 { return c.size }

// Reset starts a new object.
func (c *Cutter) Reset() { *c = Cutter{rules: c.rules} }
