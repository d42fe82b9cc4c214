package streams

import (
	"sync"
	"time"
)

// AWS's per-shard limits, enforced only with Options.ShardLimits.
const (
	writeBytesPerSec   = 1 << 20
	writeRecordsPerSec = 1000
	readBytesPerSec    = 2 << 20
	readCallsPerSec    = 5
)

// bucket is a token bucket refilled continuously at rate per second up to burst. Reads may overdraw
// it: AWS lets one GetRecords return up to 10 MiB and then refuses reads until the debt is repaid.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() {
		b.tokens += now.Sub(b.last).Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	b.last = now
}

// shardLimiter holds one shard's write and read buckets.
type shardLimiter struct {
	now func() time.Time
	mu  sync.Mutex
	wb  bucket // write bytes
	wr  bucket // write records
	rb  bucket // read bytes
	rc  bucket // read calls
}

func newShardLimiter(now func() time.Time) *shardLimiter {
	return &shardLimiter{
		now: now,
		wb:  bucket{rate: writeBytesPerSec, burst: writeBytesPerSec, tokens: writeBytesPerSec},
		wr:  bucket{rate: writeRecordsPerSec, burst: writeRecordsPerSec, tokens: writeRecordsPerSec},
		rb:  bucket{rate: readBytesPerSec, burst: readBytesPerSec, tokens: readBytesPerSec},
		rc:  bucket{rate: readCallsPerSec, burst: readCallsPerSec, tokens: readCallsPerSec},
	}
}

// allowWrite takes one record of n bytes, or reports that the shard is over its write limit.
func (l *shardLimiter) allowWrite(n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.wb.refill(now)
	l.wr.refill(now)
	if l.wr.tokens < 1 || l.wb.tokens < float64(n) {
		return false
	}
	l.wr.tokens--
	l.wb.tokens -= float64(n)
	return true
}

// allowRead takes one GetRecords call, or reports that the shard is over its read limits.
func (l *shardLimiter) allowRead() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.rc.refill(now)
	l.rb.refill(now)
	if l.rc.tokens < 1 || l.rb.tokens <= 0 {
		return false
	}
	l.rc.tokens--
	return true
}

// chargeRead takes n bytes read, possibly overdrawing.
func (l *shardLimiter) chargeRead(n int) {
	l.mu.Lock()
	l.rb.tokens -= float64(n)
	l.mu.Unlock()
}
