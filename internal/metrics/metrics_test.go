package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hydrantio/hydrant/buffer"
	"github.com/hydrantio/hydrant/sinks"
	"github.com/hydrantio/hydrant/streams"
)

// TestScrape puts records into a Kinesis stream and a delivery stream, lets the delivery deliver,
// and reads the figures back from the exposition text.
func TestScrape(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		store, err := streams.Open(streams.Options{Dir: filepath.Join(dir, "data")})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		os.MkdirAll(filepath.Join(dir, "s3", "lake"), 0o755)
		files, _ := sinks.NewFiles(filepath.Join(dir, "s3"), sinks.FilesOptions{})
		m, err := buffer.Open(buffer.Options{Dir: filepath.Join(dir, "firehose"), Store: store, Objects: files})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		sc := streams.Scope{Account: "000000000000", Region: "us-east-1"}
		store.CreateStream(sc, streams.CreateStreamInput{Name: "clicks", ShardCount: 2})
		store.PutRecords(context.Background(), sc, streams.StreamRef{Name: "clicks"},
			[]streams.PutEntry{{PartitionKey: "a", Data: []byte("12345")}, {PartitionKey: "b", Data: []byte("678")}})
		cfg := buffer.Config{Type: buffer.TypeDirectPut, Destination: buffer.Destination{BucketARN: "arn:aws:s3:::lake",
			Rules: buffer.Rules{Size: 1 << 20, Interval: 10 * time.Second}, Compression: buffer.CompressionGzip}}
		if _, err := m.Create(sc, buffer.CreateInput{Name: "fh", Config: cfg}); err != nil {
			t.Fatal(err)
		}
		m.PutRecords(context.Background(), sc, "fh", [][]byte{[]byte("abc"), []byte("defg")})
		time.Sleep(5 * time.Second)
		synctest.Wait()
		before := scrape(t, store, m)
		for _, want := range []string{
			`hydrant_kinesis_incoming_records_total{account="000000000000",region="us-east-1",stream="clicks"} 2`,
			`hydrant_kinesis_incoming_bytes_total{account="000000000000",region="us-east-1",stream="clicks"} 8`,
			`hydrant_kinesis_open_shards{account="000000000000",region="us-east-1",stream="clicks"} 2`,
			`hydrant_firehose_incoming_records_total{account="000000000000",delivery_stream="fh",region="us-east-1"} 2`,
			`hydrant_firehose_incoming_bytes_total{account="000000000000",delivery_stream="fh",region="us-east-1"} 7`,
			`hydrant_firehose_delivery_to_s3_data_freshness_seconds{account="000000000000",delivery_stream="fh",region="us-east-1"} 5`,
			`hydrant_firehose_delivery_to_s3_records_total{account="000000000000",delivery_stream="fh",region="us-east-1"} 0`,
		} {
			if !strings.Contains(before, want+"\n") {
				t.Errorf("before delivery, missing %s", want)
			}
		}
		time.Sleep(6 * time.Second)
		synctest.Wait()
		after := scrape(t, store, m)
		for _, want := range []string{
			`hydrant_firehose_delivery_to_s3_records_total{account="000000000000",delivery_stream="fh",region="us-east-1"} 2`,
			`hydrant_firehose_delivery_to_s3_bytes_total{account="000000000000",delivery_stream="fh",region="us-east-1"} 7`,
			`hydrant_firehose_delivery_to_s3_objects_total{account="000000000000",delivery_stream="fh",region="us-east-1"} 1`,
			`hydrant_firehose_delivery_to_s3_data_freshness_seconds{account="000000000000",delivery_stream="fh",region="us-east-1"} 0`,
			`hydrant_firehose_delivery_to_s3_success{account="000000000000",delivery_stream="fh",region="us-east-1"} 1`,
			`hydrant_firehose_backlog_records{account="000000000000",delivery_stream="fh",region="us-east-1"} 0`,
		} {
			if !strings.Contains(after, want+"\n") {
				t.Errorf("after delivery, missing %s", want)
			}
		}
		if strings.Contains(after, `region="us-east-1",stream="fh"`) {
			t.Error("the delivery stream's internal log is listed as a Kinesis stream")
		}
	})
}

func scrape(t *testing.T, store *streams.Store, m *buffer.Manager) string {
	w := httptest.NewRecorder()
	Handler(store, m, time.Now).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Result().Body)
	return string(b)
}
