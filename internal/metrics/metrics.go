// Package metrics exposes Hydrant's figures to Prometheus. It reads the store's and the delivery
// Manager's counters when scraped (a pull collector), so the write and delivery paths pay nothing for
// them. Names follow the CloudWatch metrics of Kinesis and Firehose where those exist (IncomingBytes
// becomes hydrant_kinesis_incoming_bytes_total, DeliveryToS3.Records
// hydrant_firehose_delivery_to_s3_records_total), with Hydrant's own additions beside them.
package metrics

import (
	"net/http"
	"time"

	"github.com/hydrantio/hydrant/buffer"
	"github.com/hydrantio/hydrant/streams"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the /metrics handler for a store and (optionally) a delivery Manager, with the Go
// runtime's and the process's own metrics beside them.
func Handler(store *streams.Store, firehose *buffer.Manager, now func() time.Time) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(&collector{store: store, firehose: firehose, now: now})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

var (
	streamLabels   = []string{"account", "region", "stream"}
	deliveryLabels = []string{"account", "region", "delivery_stream"}

	kinIncomingRecords = prometheus.NewDesc("hydrant_kinesis_incoming_records_total",
		"Records acknowledged by PutRecord and PutRecords (Kinesis IncomingRecords).", streamLabels, nil)
	kinIncomingBytes = prometheus.NewDesc("hydrant_kinesis_incoming_bytes_total",
		"Data bytes of the records acknowledged (Kinesis IncomingBytes).", streamLabels, nil)
	kinGetRecords = prometheus.NewDesc("hydrant_kinesis_get_records_records_total",
		"Records returned by GetRecords (Kinesis GetRecords.Records).", streamLabels, nil)
	kinGetBytes = prometheus.NewDesc("hydrant_kinesis_get_records_bytes_total",
		"Data bytes returned by GetRecords (Kinesis GetRecords.Bytes).", streamLabels, nil)
	kinOpenShards = prometheus.NewDesc("hydrant_kinesis_open_shards",
		"Open shards of the stream.", streamLabels, nil)
	kinDisk = prometheus.NewDesc("hydrant_kinesis_disk_bytes",
		"Bytes the stream's shard logs occupy on disk.", streamLabels, nil)

	fhIncomingRecords = prometheus.NewDesc("hydrant_firehose_incoming_records_total",
		"Records a DirectPut delivery stream acknowledged (Firehose IncomingRecords).", deliveryLabels, nil)
	fhIncomingBytes = prometheus.NewDesc("hydrant_firehose_incoming_bytes_total",
		"Data bytes a DirectPut delivery stream acknowledged (Firehose IncomingBytes).", deliveryLabels, nil)
	fhRecords = prometheus.NewDesc("hydrant_firehose_delivery_to_s3_records_total",
		"Source records delivered to the destination, to objects or the error output (Firehose DeliveryToS3.Records).",
		deliveryLabels, nil)
	fhBytes = prometheus.NewDesc("hydrant_firehose_delivery_to_s3_bytes_total",
		"Source record bytes delivered (Firehose DeliveryToS3.Bytes).", deliveryLabels, nil)
	fhSuccess = prometheus.NewDesc("hydrant_firehose_delivery_to_s3_success",
		"1 while the delivery runs without a fatal error, else 0 (Firehose DeliveryToS3.Success).", deliveryLabels, nil)
	fhFreshness = prometheus.NewDesc("hydrant_firehose_delivery_to_s3_data_freshness_seconds",
		"Age of the oldest record not yet delivered, 0 when none waits (Firehose DeliveryToS3.DataFreshness).",
		deliveryLabels, nil)
	fhBacklog = prometheus.NewDesc("hydrant_firehose_backlog_records",
		"Records in the source log not yet delivered.", deliveryLabels, nil)
	fhObjects = prometheus.NewDesc("hydrant_firehose_delivery_to_s3_objects_total",
		"Objects stored (Firehose DeliveryToS3.ObjectCount).", deliveryLabels, nil)
	fhObjectBytes = prometheus.NewDesc("hydrant_firehose_delivery_to_s3_object_bytes_total",
		"Bytes of the objects stored, after compression: with objects_total, the mean object size.", deliveryLabels, nil)
	fhErrors = prometheus.NewDesc("hydrant_firehose_error_output_records_total",
		"Source records sent to the error output.", deliveryLabels, nil)
)

type collector struct {
	store    *streams.Store
	firehose *buffer.Manager
	now      func() time.Time
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{kinIncomingRecords, kinIncomingBytes, kinGetRecords, kinGetBytes, kinOpenShards,
		kinDisk, fhIncomingRecords, fhIncomingBytes, fhRecords, fhBytes, fhSuccess, fhFreshness, fhBacklog, fhObjects,
		fhObjectBytes, fhErrors} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	internal := map[streams.Scope]map[string]streams.StreamMetrics{}
	for _, m := range c.store.Metrics() {
		if m.Scope.Namespace != "" {
			if internal[m.Scope] == nil {
				internal[m.Scope] = map[string]streams.StreamMetrics{}
			}
			internal[m.Scope][m.Name] = m
			continue
		}
		l := []string{m.Scope.Account, m.Scope.Region, m.Name}
		counter(kinIncomingRecords, m.IncomingRecords, l...)
		counter(kinIncomingBytes, m.IncomingBytes, l...)
		counter(kinGetRecords, m.OutgoingRecords, l...)
		counter(kinGetBytes, m.OutgoingBytes, l...)
		gauge(kinOpenShards, float64(m.OpenShards), l...)
		gauge(kinDisk, float64(m.DiskBytes), l...)
	}
	if c.firehose == nil {
		return
	}
	now := c.now().UnixMilli()
	for _, m := range c.firehose.Metrics() {
		l := []string{m.Scope.Account, m.Scope.Region, m.Name}
		if src, ok := internal[m.SourceScope][m.SourceName]; ok {
			counter(fhIncomingRecords, src.IncomingRecords, l...)
			counter(fhIncomingBytes, src.IncomingBytes, l...)
		}
		st := m.Delivery
		counter(fhRecords, st.Records, l...)
		counter(fhBytes, st.Bytes, l...)
		counter(fhObjects, st.Objects, l...)
		counter(fhObjectBytes, st.ObjectBytes, l...)
		counter(fhErrors, st.Errors, l...)
		gauge(fhBacklog, float64(st.Backlog), l...)
		freshness := 0.0
		if st.OldestUndeliveredMs > 0 {
			freshness = float64(max(0, now-st.OldestUndeliveredMs)) / 1000
		}
		gauge(fhFreshness, freshness, l...)
		success := 0.0
		if m.Running {
			success = 1
		}
		gauge(fhSuccess, success, l...)
	}
}
