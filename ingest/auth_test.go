package ingest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParseAuth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		date   string
		query  string
		want   credential
		code   *Code
	}{
		{name: "header", date: "20261122T000000Z",
			header: "AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-3/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd",
			want:   credential{AccessKeyID: "AKID", Date: "20261122", Region: "eu-west-3", Service: "kinesis"}},
		{name: "header without spaces after commas", date: "20261122T000000Z",
			header: "AWS4-HMAC-SHA256 Credential=AKID/20261122/local/kinesis/aws4_request,SignedHeaders=host,Signature=abcd",
			want:   credential{AccessKeyID: "AKID", Date: "20261122", Region: "local", Service: "kinesis"}},
		{name: "Date header instead of X-Amz-Date",
			header: "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-west-2/kinesis/aws4_request, SignedHeaders=host, Signature=abcd",
			want:   credential{AccessKeyID: "AKID", Date: "20261122", Region: "us-west-2", Service: "kinesis"}},
		{name: "short scope keeps the default region", date: "x",
			header: "AWS4-HMAC-SHA256 Credential=AKID, SignedHeaders=host, Signature=abcd",
			want:   credential{AccessKeyID: "AKID"}},
		{name: "presigned",
			query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261122%2Fap-south-1%2Fkinesis%2Faws4_request" +
				"&X-Amz-Signature=abcd&X-Amz-SignedHeaders=host&X-Amz-Date=20261122T000000Z",
			want: credential{AccessKeyID: "AKID", Date: "20261122", Region: "ap-south-1", Service: "kinesis"}},
		{name: "missing", code: ErrMissingAuthToken},
		{name: "both", header: "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=h, Signature=s", date: "x",
			query: "X-Amz-Algorithm=AWS4-HMAC-SHA256", code: ErrInvalidSignature},
		{name: "no signature", header: "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=h", date: "x", code: ErrIncompleteSignature},
		{name: "no date", header: "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=h, Signature=s", code: ErrIncompleteSignature},
		{name: "other scheme", header: "Bearer token", date: "x", code: ErrIncompleteSignature},
		{name: "query without credential", query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=a&X-Amz-SignedHeaders=h&X-Amz-Date=d",
			code: ErrIncompleteSignature},
		{name: "invalid region", date: "x",
			header: "AWS4-HMAC-SHA256 Credential=AKID/20261122/us_east.1/kinesis/aws4_request, SignedHeaders=host, Signature=abcd",
			code:   ErrInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/?"+tc.query, nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			if tc.date == "x" {
				r.Header.Set("X-Amz-Date", "20261122T000000Z")
			} else if tc.date != "" {
				r.Header.Set("X-Amz-Date", tc.date)
			} else if tc.name == "Date header instead of X-Amz-Date" {
				r.Header.Set("Date", "Sun, 22 Nov 2026 00:00:00 GMT")
			}
			got, err := parseAuth(r)
			if tc.code != nil {
				if err == nil || err.Code != tc.code {
					t.Fatalf("got %v, %v; want %s", got, err, tc.code.Name)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
