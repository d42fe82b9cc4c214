package streams

import (
	"sort"
	"sync/atomic"
)

// streamStats counts a stream's traffic since the process started: what CloudWatch shows as
// IncomingRecords, IncomingBytes (PutRecord and PutRecords), GetRecords.Records and GetRecords.Bytes.
type streamStats struct {
	incomingRecords, incomingBytes atomic.Int64
	outgoingRecords, outgoingBytes atomic.Int64
}

// StreamMetrics is one stream's counters and sizes at the moment Metrics was called.
type StreamMetrics struct {
	Scope           Scope
	Name            string
	OpenShards      int
	IncomingRecords int64 // records acknowledged by PutRecord(s)
	IncomingBytes   int64 // their data bytes
	OutgoingRecords int64 // records returned by GetRecords
	OutgoingBytes   int64
	DiskBytes       int64 // the shard logs' size on disk
}

// Metrics snapshots every stream's counters, namespaced streams included, sorted by scope and name.
// It takes no lock on the write path: counters are atomic.
func (s *Store) Metrics() []StreamMetrics {
	s.mu.RLock()
	sts := make([]*stream, 0, len(s.mu.streams))
	for _, st := range s.mu.streams {
		sts = append(sts, st)
	}
	s.mu.RUnlock()
	out := make([]StreamMetrics, 0, len(sts))
	for _, st := range sts {
		m := StreamMetrics{Scope: st.key.scope(), Name: st.key.name,
			IncomingRecords: st.stats.incomingRecords.Load(), IncomingBytes: st.stats.incomingBytes.Load(),
			OutgoingRecords: st.stats.outgoingRecords.Load(), OutgoingBytes: st.stats.outgoingBytes.Load()}
		st.mu.RLock()
		if st.mu.deleted {
			st.mu.RUnlock()
			continue
		}
		for _, sh := range st.mu.shards {
			if sh.meta.Closed == 0 {
				m.OpenShards++
			}
			m.DiskBytes += sh.log.Size()
		}
		st.mu.RUnlock()
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Scope != b.Scope {
			return a.Scope.Account+a.Scope.Region+a.Scope.Namespace < b.Scope.Account+b.Scope.Region+b.Scope.Namespace
		}
		return a.Name < b.Name
	})
	return out
}
