package buffer

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/transforms"
	"golang.org/x/sync/semaphore"
)

// The Manager runs one Delivery per ACTIVE delivery stream, built from its Config.

// engineShared is what every delivery of a Manager shares: the slots bounding the objects written
// at once, sized to what the sink's budget serves.
type engineShared struct {
	once  sync.Once
	slots *semaphore.Weighted
}

// engineRun is one delivery stream's running delivery, guarded by deliveryStream.ctl.
type engineRun struct {
	d *Delivery
}

// openObjects is how many objects all deliveries write at once: the sinks' default budgets serve
// eight concurrent Puts (8 S3 parts of 8 MiB, or 16 file copy buffers).
const openObjects = 8

// startDelivery starts ds's delivery with its current configuration. A configuration that cannot run
// (it passed validation, so this means a bug or a hand-edited file) is logged and leaves the delivery
// stopped.
func (m *Manager) startDelivery(ds *deliveryStream) {
	if m.opts.Objects == nil || ds.run.d != nil {
		return
	}
	m.engine.once.Do(func() { m.engine.slots = semaphore.NewWeighted(openObjects) })
	cfg, version := ds.Config()
	d, err := m.newDelivery(ds, &cfg, version)
	if err != nil {
		m.log.Error("start delivery", "delivery_stream", ds.Name(), "err", err)
		return
	}
	ds.run.d = d
}

func (m *Manager) newDelivery(ds *deliveryStream, cfg *Config, version int64) (*Delivery, error) {
	dest := &cfg.Destination
	codec, ok := transforms.Lookup(dest.Compression)
	if !ok && dest.Compression != "" {
		return nil, invalid("Unknown CompressionFormat %s.", dest.Compression)
	}
	keys, err := dest.Keys()
	if err != nil {
		return nil, err
	}
	ext := codec.Extension()
	if dest.FileExtension != "" {
		ext = dest.FileExtension
	}
	process, err := newProcessor(cfg)
	if err != nil {
		return nil, err
	}
	name := ds.Name()
	objectName := func(k KeyInput) *sinks.ObjectName {
		o := &sinks.ObjectName{Stream: name, Version: version, Oldest: k.Oldest, ID: k.ID, Extension: ext}
		if !k.Partition.IsZero() {
			o.PartitionKey = k.Partition.Get
		}
		return o
	}
	if c, ok := m.opts.Objects.(interface{ CreateBucket(string) error }); ok && m.opts.CreateBuckets {
		if err := c.CreateBucket(dest.Bucket()); err != nil {
			return nil, err
		}
	}
	sc, ref, startAt := ds.Source()
	ds.mu.RLock()
	created := ds.mu.meta.Created
	ds.mu.RUnlock()
	return StartDelivery(DeliveryConfig{
		Name:          name,
		Identity:      fmt.Sprintf("%s@%d", ds.ARN(), created),
		Store:         m.store,
		Scope:         sc,
		Source:        ref,
		StartAt:       startAt,
		DeliveryStart: ds.DeliveryStart(),
		Journal:       filepath.Join(ds.Dir(), "cuts.log"),
		Rules:         dest.Rules,
		Now:           m.now,
		Logger:        m.log,
		Output: Output{
			Objects: m.opts.Objects,
			Bucket:  dest.Bucket(),
			Codec:   codec,
			Process: process,
			Key:     func(k KeyInput) (string, error) { return keys.Key(objectName(k)) },
			ErrorKey: func(k KeyInput) (string, error) {
				return keys.ErrorKey(objectName(k), k.ErrorType)
			},
			OpenObjects: openObjects,
			Slots:       m.engine.slots,
		},
	})
}

// stopDelivery stops ds's delivery; its journal lets the next start finish what was in progress.
func (m *Manager) stopDelivery(ds *deliveryStream) {
	if ds.run.d == nil {
		return
	}
	if err := ds.run.d.Stop(); err != nil {
		m.log.Warn("stop delivery", "delivery_stream", ds.Name(), "err", err)
	}
	ds.run.d = nil
}
