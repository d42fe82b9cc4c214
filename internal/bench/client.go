package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// apiVersion prefixes every X-Amz-Target of the Kinesis JSON 1.1 protocol.
const apiVersion = "Kinesis_20131202."

// client speaks Kinesis JSON 1.1 over HTTP/1.1 and signs with SigV4. It is safe
// for concurrent use; each caller brings its own body and response buffers.
type client struct {
	http   *http.Client
	url    string
	region string
	creds  aws.Credentials
	signer *v4.Signer
}

// newClient returns a client of endpoint. With a nil transport it makes its
// own, sized for conns concurrent requests.
func newClient(endpoint, region string, creds aws.Credentials, conns int, transport http.RoundTripper) (*client, error) {
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if transport == nil {
		transport = newTransport(conns)
	}
	return &client{
		http:   &http.Client{Transport: transport, Timeout: 2 * time.Minute},
		url:    u.String(),
		region: region,
		creds:  creds,
		signer: v4.NewSigner(),
	}, nil
}

// parseEndpoint checks an endpoint URL and gives it a path.
func parseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		err = fmt.Errorf("want http://host[:port] or https://host[:port]")
	}
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// newTransport returns the bench's HTTP transport: one connection per worker,
// kept alive, HTTP/1.1, as HTTP/2 would put every worker on one connection and
// measure its flow control rather than the server. No compression: record data
// is random, and the server would spend CPU on it that the figures should not
// include.
func newTransport(conns int) *http.Transport {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		Protocols:           &protocols,
		MaxIdleConns:        conns + 4,
		MaxIdleConnsPerHost: conns + 4,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		DisableCompression:  true,
		WriteBufferSize:     64 << 10,
		ReadBufferSize:      64 << 10,
	}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// requestBody hands a buffer to the transport and says when the transport is
// done with it: net/http may close (and stop reading) a request body after Do
// returns, and the buffer is reused for the next request.
type requestBody struct {
	r      bytes.Reader
	closed atomic.Bool
	done   chan struct{}
}

func (b *requestBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *requestBody) Close() error {
	if b.closed.CompareAndSwap(false, true) {
		close(b.done)
	}
	return nil
}

// exchange is one request/response round trip's buffers, owned by one
// goroutine and reused across its requests.
type exchange struct {
	body []byte // the request body, built by the caller
	resp []byte // the response body, valid until the next call
	cbor bool   // body is CBOR (application/x-amz-cbor-1.1), and so is the answer
}

// call sends op with x.body and reads the answer into x.resp. latency is the
// time from sending the request to having read the whole answer, and is zero
// when no answer came. A non-200 answer is an *APIError.
//
// The payload's SHA-256 is computed here, as SigV4 requires: real Kinesis does
// not accept UNSIGNED-PAYLOAD. It is part of the client CPU the report shows.
func (c *client) call(ctx context.Context, op string, x *exchange) (latency time.Duration, err error) {
	rb := &requestBody{done: make(chan struct{})}
	rb.r.Reset(x.body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, rb)
	if err != nil {
		return 0, err
	}
	req.ContentLength = int64(len(x.body))
	if x.cbor {
		req.Header.Set("Content-Type", contentTypeCBOR)
	} else {
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	}
	req.Header.Set("X-Amz-Target", apiVersion+op)
	if err := c.signer.SignHTTP(ctx, c.creds, req, payloadHash(x.body), "kinesis", c.region, time.Now()); err != nil {
		return 0, fmt.Errorf("%s: sign: %w", op, err)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		x.body = nil // the transport may still hold it
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	x.resp, err = readBody(x.resp[:0], resp)
	latency = time.Since(start)
	if err != nil {
		x.body = nil
		return latency, fmt.Errorf("%s: read response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		x.body = nil // the server may have answered before reading it all
		body := x.resp
		if resp.Header.Get("Content-Type") == contentTypeCBOR {
			body = cborErrorAsJSON(body)
		}
		return latency, parseAPIError(op, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
	}
	// The server answered 200, so it read the whole body; the transport closes
	// it right after writing the last byte.
	select {
	case <-rb.done:
	case <-ctx.Done():
		x.body = nil
	}
	return latency, nil
}

// maxResponse bounds the response bodies the bench reads. GetRecords answers
// at most 10 MB of data, about 14 MB once base64-encoded.
const maxResponse = 64 << 20

// payloadHash is the hex SHA-256 of a request body, as SigV4 signs it.
func payloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// readBody reads and closes resp.Body, appending to dst.
func readBody(dst []byte, resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n > maxResponse {
		return dst, fmt.Errorf("response of %d bytes exceeds the %d byte limit", n, maxResponse)
	} else if n >= 0 {
		dst = slices.Grow(dst, int(n)+1) // +1: room to see EOF without growing
	}
	for {
		if len(dst) == cap(dst) {
			if len(dst) > maxResponse {
				return dst, fmt.Errorf("response exceeds the %d byte limit", maxResponse)
			}
			dst = slices.Grow(dst, max(4096, len(dst)))
		}
		n, err := resp.Body.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// callJSON sends a control-plane request built from in and decodes the answer
// into out (when not nil). It is not on any measured path.
func (c *client) callJSON(ctx context.Context, op string, in, out any) error {
	var x exchange
	var err error
	if x.body, err = json.Marshal(in); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := c.call(ctx, op, &x); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(x.resp, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", op, err)
	}
	return nil
}
