package buffer

import "github.com/hydrantio/hydrant/streams"

// DeliveryMetrics is one delivery stream's figures at the moment Metrics was called.
type DeliveryMetrics struct {
	Scope    streams.Scope
	Name     string
	Running  bool // its delivery runs (it is ACTIVE, has a destination, and no fatal error stopped it)
	Delivery DeliveryStats
	// Source is the stream the delivery reads: a DirectPut delivery stream's internal stream, whose
	// incoming counters are the delivery stream's IncomingRecords and IncomingBytes.
	SourceScope streams.Scope
	SourceName  string
}

// Metrics snapshots every delivery stream, sorted by account, region and name.
func (m *Manager) Metrics() []DeliveryMetrics {
	var out []DeliveryMetrics
	for _, ds := range m.sorted() {
		dm := DeliveryMetrics{Scope: ds.Scope(), Name: ds.Name()}
		sc, ref, _ := ds.Source()
		dm.SourceScope, dm.SourceName = sc, ref.Name
		ds.ctl.Lock()
		if d := ds.run.d; d != nil {
			dm.Running = d.Err() == nil
			dm.Delivery = d.Stats()
		}
		ds.ctl.Unlock()
		out = append(out, dm)
	}
	return out
}
