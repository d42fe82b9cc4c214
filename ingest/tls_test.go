package ingest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hydrantio/hydrant/internal/tlscert"
	"github.com/hydrantio/hydrant/streams"
)

// startTLSServer serves a server with TLS on a loopback port and returns its https URL and the pool
// that trusts its self-signed certificate.
func startTLSServer(t *testing.T, store *streams.Store) (string, *x509.CertPool) {
	t.Helper()
	cert, err := tlscert.SelfSigned(t.TempDir(), tlscert.Hosts("127.0.0.1:0"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.TLS.Leaf)
	srv := NewServer(Config{
		Logger: slog.New(slog.DiscardHandler),
		TLS:    &tls.Config{Certificates: []tls.Certificate{cert.TLS}},
	}, store)
	url := startServer(t, srv)
	return "https://" + strings.TrimPrefix(url, "http://"), roots
}

// tlsClients returns clients by the ALPN protocols they offer: "h2" offers HTTP/2 and HTTP/1.1, as the
// Java SDK's async client and most HTTP/2-capable clients do; "h2 last" offers them the other way
// round, and gets HTTP/2 all the same because the server's preference decides; "HTTP/1.1" offers only
// HTTP/1.1, as boto3 and the aws CLI do.
func tlsClients(t *testing.T, roots *x509.CertPool) map[string]*http.Client {
	var both, h1 http.Protocols
	both.SetHTTP1(true)
	both.SetHTTP2(true)
	h1.SetHTTP1(true)
	h2Last := &tls.Config{RootCAs: roots, NextProtos: []string{"http/1.1", "h2"}}
	out := map[string]*http.Client{
		"h2":       {Transport: &http.Transport{Protocols: &both, TLSClientConfig: &tls.Config{RootCAs: roots}}},
		"h2 last":  {Transport: &http.Transport{Protocols: &both, TLSClientConfig: h2Last}},
		"HTTP/1.1": {Transport: &http.Transport{Protocols: &h1, TLSClientConfig: &tls.Config{RootCAs: roots, NextProtos: []string{"http/1.1"}}}},
	}
	t.Cleanup(func() {
		for _, c := range out {
			c.CloseIdleConnections()
		}
	})
	return out
}

func TestServeTLS(t *testing.T) {
	url, roots := startTLSServer(t, nil)
	for name, c := range tlsClients(t, roots) {
		t.Run(name, func(t *testing.T) {
			wantMajor, wantALPN := 1, "http/1.1"
			if strings.HasPrefix(name, "h2") {
				wantMajor, wantALPN = 2, "h2"
			}
			resp, err := c.Get(url + "/health")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "ok" {
				t.Errorf("health: %s %d %q", resp.Proto, resp.StatusCode, body)
			}
			if resp.ProtoMajor != wantMajor || resp.TLS == nil || resp.TLS.NegotiatedProtocol != wantALPN {
				t.Errorf("protocol: %s, ALPN %q; want HTTP/%d.x, ALPN %q", resp.Proto, resp.TLS.NegotiatedProtocol, wantMajor, wantALPN)
			}

			req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{"StreamName":"s"}`))
			req.Header.Set("Content-Type", contentTypeJSON11)
			req.Header.Set("X-Amz-Target", "Kinesis_20131202.DescribeStream")
			resp, err = c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			want := `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`
			if resp.StatusCode != 400 || string(body) != want || resp.ProtoMajor != wantMajor {
				t.Errorf("error: %s %d %s", resp.Proto, resp.StatusCode, body)
			}
		})
	}
}

// With TLS on, the port speaks HTTPS only: plain HTTP/1.1 and h2c are refused.
func TestServeTLSRefusesCleartext(t *testing.T) {
	url, _ := startTLSServer(t, nil)
	plain := "http://" + strings.TrimPrefix(url, "https://")
	for name, c := range clients(t) {
		t.Run(name, func(t *testing.T) {
			resp, err := c.Get(plain + "/health")
			if err != nil {
				if name == "HTTP/1.1" {
					t.Errorf("want a 400 naming HTTPS, got %v", err)
				}
				return // h2c: the server answers the preface in HTTP/1.x and closes
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "HTTPS") {
				t.Errorf("cleartext request answered %s %d %q", resp.Proto, resp.StatusCode, body)
			}
		})
	}
}

// The AWS SDK for Go v2 over HTTPS and HTTP/2: the path the Java SDK's async client takes.
func TestServeTLSKinesisOverHTTP2(t *testing.T) {
	store := openStore(t, streams.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	url, roots := startTLSServer(t, store)
	hc := tlsClients(t, roots)["h2"]
	var protos []string
	c := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient: clientFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := hc.Do(r)
			if err == nil {
				protos = append(protos, resp.Proto)
			}
			return resp, err
		}),
	})
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("tls"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "tls")
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("tls"), PartitionKey: aws.String("k"), Data: []byte("over h2")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("tls"),
		ShardId: put.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || !bytes.Equal(got.Records[0].Data, []byte("over h2")) {
		t.Errorf("GetRecords: %+v", got.Records)
	}
	for _, p := range protos {
		if p != "HTTP/2.0" {
			t.Errorf("a request went over %s, want HTTP/2.0 (all: %v)", p, protos)
			break
		}
	}
}

type clientFunc func(*http.Request) (*http.Response, error)

func (f clientFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func waitActive(t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	for range 500 {
		d, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if d.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("stream %s never ACTIVE", name)
}
