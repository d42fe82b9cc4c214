package buffer

import (
	"github.com/hydrantio/hydrant/streams"
)

// AnalyticsStreams gives Kinesis Data Analytics applications (analytics/app.DeliveryStreams) the
// internal logs of DirectPut delivery streams: an application reads a Firehose input there, and
// writes a Firehose output there with store.PutRecords, which is what PutRecordBatch does. buffer and
// analytics are siblings over streams; this adapter keeps either from importing the other.
type AnalyticsStreams struct{ M *Manager }

// Log returns the internal stream of the DirectPut delivery stream name in sc's account and region.
// A delivery stream that reads a Kinesis stream has no log of its own: an application reads that
// stream directly, as a KinesisStreamsInput.
func (a AnalyticsStreams) Log(sc streams.Scope, name string) (streams.Scope, streams.StreamRef, error) {
	ds, err := a.M.lookup(streams.Scope{Account: sc.Account, Region: sc.Region}, name)
	if err != nil {
		return streams.Scope{}, streams.StreamRef{}, err
	}
	ds.mu.RLock()
	deleted, typ := ds.mu.deleted, ds.mu.meta.Config.Type
	ds.mu.RUnlock()
	if deleted {
		return streams.Scope{}, streams.StreamRef{}, notFound(ds.key)
	}
	if typ != TypeDirectPut {
		return streams.Scope{}, streams.StreamRef{}, kindErr(streams.KindInvalidArgument, "Firehose %s under account %s "+
			"is a %s delivery stream: only a DirectPut delivery stream can be read or written by an application.",
			name, sc.Account, typ)
	}
	return ds.internalScope(), streams.StreamRef{Name: ds.key.name}, nil
}
