package ingest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

const testAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/kinesis/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef"

// newTestServer returns a server without a store: everything up to the store call works, and a store
// call fails as an internal error (the nil store panics, which the dispatcher recovers).
func newTestServer(t testing.TB) *Server {
	t.Helper()
	return NewServer(Config{Logger: slog.New(slog.DiscardHandler)}, nil)
}

// request builds a signed JSON 1.1 request for a Kinesis operation; mods adjust it.
func request(op, body string, mods ...func(*http.Request)) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", contentTypeJSON11)
	if op != "" {
		r.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	}
	r.Header.Set("Authorization", testAuth)
	r.Header.Set("X-Amz-Date", "20261122T000000Z")
	for _, m := range mods {
		m(r)
	}
	return r
}

func serve(s *Server, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

func setHeader(k, v string) func(*http.Request) {
	return func(r *http.Request) {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
}

func TestRequestLevelErrors(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		body   string
	}{
		{"get", httptest.NewRequest(http.MethodGet, "/", nil), 403,
			"<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"},
		{"put", request("ListStreams", "{}", func(r *http.Request) { r.Method = http.MethodPut }), 403,
			"<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"},
		{"other content type, no target", request("", "{}", setHeader("Content-Type", "text/plain")), 403,
			"<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"},
		{"other content type", request("ListStreams", "{}", setHeader("Content-Type", "text/plain")), 404,
			"<UnknownOperationException/>\n"},
		{"application/json", request("ListStreams", "{}", setHeader("Content-Type", "application/json")), 404,
			`{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}`},
		{"empty body, unknown target", request("Nope", ""), 400, `{"__type":"UnknownOperationException"}`},
		{"empty body", request("ListStreams", ""), 400, `{"__type":"SerializationException"}`},
		{"invalid json", request("ListStreams", "{"), 400, `{"__type":"SerializationException"}`},
		{"invalid json, unknown target", request("Nope", "{"), 400, `{"__type":"SerializationException"}`},
		{"trailing data", request("ListStreams", "{} {}"), 400, `{"__type":"SerializationException"}`},
		{"not an object", request("ListStreams", `"x"`), 400, `{"__type":"SerializationException"}`},
		{"no target", request("", "{}"), 400, `{"__type":"UnknownOperationException"}`},
		{"unknown operation", request("Nope", "{}"), 400, `{"__type":"UnknownOperationException"}`},
		{"unknown service", request("", "{}", setHeader("X-Amz-Target", "DynamoDB_20120810.ListTables")), 400,
			`{"__type":"UnknownOperationException"}`},
		{"service only", request("", "{}", setHeader("X-Amz-Target", "Kinesis_20131202")), 400,
			`{"__type":"UnknownOperationException"}`},
		{"no auth", request("ListStreams", "{}", setHeader("Authorization", "")), 400,
			`{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`},
		{"header and query auth", request("ListStreams", "{}", func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" }), 400,
			`{"__type":"InvalidSignatureException","message":"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."}`},
		{"incomplete header", request("ListStreams", "{}", setHeader("Authorization", "AWS4-HMAC-SHA256 Signature=abc"), setHeader("X-Amz-Date", "")), 400,
			`{"__type":"IncompleteSignatureException","message":"Authorization header requires 'Credential' parameter. ` +
				`Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either ` +
				`a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Signature=abc"}`},
		{"incomplete query", request("ListStreams", "{}", setHeader("Authorization", ""), func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261122%2Fus-east-1%2Fkinesis%2Faws4_request"
		}), 400,
			`{"__type":"IncompleteSignatureException","message":"AWS query-string parameters must include 'X-Amz-Signature'. ` +
				`AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include ` +
				`'X-Amz-Date'. Re-examine the query-string parameters."}`},
		{"bad region", request("ListStreams", "{}", setHeader("Authorization",
			"AWS4-HMAC-SHA256 Credential=AKID/20261122/us_east/kinesis/aws4_request, SignedHeaders=host, Signature=abc")), 400,
			`{"__type":"InvalidSignatureException","message":"Credential should be scoped to a valid region. "}`},
		// Checks run in AWS's order: a body that does not parse is reported before the missing signature.
		{"invalid json before auth", request("ListStreams", "[", setHeader("Authorization", "")), 400, `{"__type":"SerializationException"}`},
		{"unknown target before auth", request("Nope", "{}", setHeader("Authorization", "")), 400, `{"__type":"UnknownOperationException"}`},
		{"auth before types", request("ListStreams", `{"Limit":"x"}`, setHeader("Authorization", "")), 400,
			`{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`},
		{"subscribe, validated first", request("SubscribeToShard", `{}`), 400,
			`{"__type":"ValidationException","message":"3 validation errors detected: ` +
				`Value null at 'consumerARN' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'shardId' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'startingPosition' failed to satisfy constraint: Member must not be null"}`},
		{"neither name nor arn", request("DescribeStream", `{}`), 400,
			`{"__type":"InvalidArgumentException","message":"StreamName or StreamARN is required."}`},
		{"store failure", request("DescribeLimits", `{}`), 500, `{"__type":"InternalFailure"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(s, tc.req)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("got %d %s\nwant %d %s", w.Code, w.Body, tc.status, tc.body)
			}
			if ct := w.Header().Get("Content-Type"); tc.status == 400 && ct != contentTypeJSON11 {
				t.Errorf("Content-Type %q", ct)
			}
			checkRequestIDs(t, w.Header())
		})
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func checkRequestIDs(t *testing.T, h http.Header) {
	t.Helper()
	if id := h.Get("x-amzn-RequestId"); !uuidV4.MatchString(id) {
		t.Errorf("x-amzn-RequestId %q is not a UUID v4", id)
	}
	if b, err := base64.StdEncoding.DecodeString(h.Get("x-amz-id-2")); err != nil || len(b) != 72 {
		t.Errorf("x-amz-id-2 %q is not base64 of 72 bytes", h.Get("x-amz-id-2"))
	}
}

func TestRequestIDsDiffer(t *testing.T) {
	s := newTestServer(t)
	a := serve(s, request("Nope", "{}")).Header().Get("x-amzn-RequestId")
	b := serve(s, request("Nope", "{}")).Header().Get("x-amzn-RequestId")
	if a == b {
		t.Errorf("two requests got the same id %s", a)
	}
}

func TestBodyTooLarge(t *testing.T) {
	s := NewServer(Config{Logger: slog.New(slog.DiscardHandler), MaxBodyBytes: 1000}, nil)
	body := `{"StreamName":"` + strings.Repeat("a", 2000) + `"}`
	want := `{"__type":"SerializationException","Message":"Request body exceeds the maximum size of 1000 bytes."}`

	// Known length: refused before reading.
	w := serve(s, request("DescribeStream", body))
	if w.Code != http.StatusRequestEntityTooLarge || w.Body.String() != want {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
	// Unknown length (chunked): refused once the cap is crossed.
	w = serve(s, request("DescribeStream", "", func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = -1
	}))
	if w.Code != http.StatusRequestEntityTooLarge || w.Body.String() != want {
		t.Errorf("chunked: got %d %s", w.Code, w.Body)
	}
	// At the cap: accepted (and fails later, on the missing store).
	w = serve(s, request("DescribeStream", `{"StreamName":"`+strings.Repeat("a", 1000-17)+`"}`))
	if w.Code == http.StatusRequestEntityTooLarge {
		t.Errorf("a body of exactly the cap was refused")
	}
}

func TestCORSPreflight(t *testing.T) {
	s := newTestServer(t)
	r := httptest.NewRequest(http.MethodOptions, "/", nil)
	r.Header.Set("Origin", "http://localhost:3000")
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "x-amz-target,content-type")
	w := serve(s, r)
	h := w.Header()
	if w.Code != 200 || h.Get("Access-Control-Allow-Origin") != "*" ||
		h.Get("Access-Control-Allow-Methods") != "POST" || h.Get("Access-Control-Allow-Headers") != "x-amz-target,content-type" {
		t.Errorf("preflight: %d %v", w.Code, h)
	}
	w = serve(s, request("Nope", "{}", setHeader("Origin", "http://localhost:3000")))
	if w.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "x-amzn-RequestId") {
		t.Errorf("CORS headers missing: %v", w.Header())
	}
}

func TestHealth(t *testing.T) {
	s := newTestServer(t)
	w := serve(s, httptest.NewRequest(http.MethodGet, "/health", nil))
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Errorf("got %d %q", w.Code, w.Body)
	}
	// POST /health is an API call: AWS ignores the path.
	w = serve(s, request("Nope", "{}", func(r *http.Request) { r.URL.Path = "/health" }))
	if w.Code != 400 {
		t.Errorf("POST /health: %d", w.Code)
	}
}

// decodeError parses an AWS JSON error body the way botocore does.
func decodeError(t *testing.T, body []byte) (code, msg string) {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	code, _ = e["__type"].(string)
	if m, ok := e["message"].(string); ok {
		msg = m
	} else if m, ok := e["Message"].(string); ok {
		msg = m
	}
	return code, msg
}
