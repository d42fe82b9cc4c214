package ingest

import (
	"net/http"
	"net/url"
	"strings"
)

// Authentication. Hydrant parses AWS Signature Version 4 — the Authorization header or the presigned
// query parameters — for two reasons: a request without a signature must fail the way AWS fails it
// (SDKs and conformance checks rely on those errors), and the credential scope names the region the
// request acts in. Signatures are NOT verified: any access key and secret are accepted, and every
// request acts in the server's configured account. Hydrant is a local server; put it behind something
// that authenticates if it must not be open.

// credential is what a SigV4 credential scope says: AKID/20261122/us-east-1/kinesis/aws4_request.
type credential struct {
	AccessKeyID string
	Date        string
	Region      string // "" when the scope does not name one
	Service     string
}

// parseAuth checks that r carries a complete SigV4 signature and returns its credential. The checks and
// their messages follow AWS's front end (as kinesalite reverse-engineered it): a header and query
// signature together, no signature at all, and a signature missing a part are each refused.
func parseAuth(r *http.Request) (credential, *Error) {
	header := r.Header.Get("Authorization")
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	inQuery := query.Has("X-Amz-Algorithm")
	switch {
	case header != "" && inQuery:
		return credential{}, errorf(ErrInvalidSignature,
			"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case header == "" && !inQuery:
		return credential{}, errorf(ErrMissingAuthToken, "Missing Authentication Token")
	case header != "":
		return parseAuthHeader(header, r.Header)
	default:
		return parseAuthQuery(query)
	}
}

// parseAuthHeader parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
func parseAuthHeader(header string, h http.Header) (credential, *Error) {
	params := map[string]string{}
	// The first word is the algorithm; the rest are key=value pairs separated by commas and/or spaces.
	_, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
	for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' }) {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = v
	}
	var msg strings.Builder
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[p] == "" {
			msg.WriteString("Authorization header requires '" + p + "' parameter. ")
		}
	}
	if h.Get("X-Amz-Date") == "" && h.Get("Date") == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=" + header)
		return credential{}, errorf(ErrIncompleteSignature, "%s", msg.String())
	}
	return parseCredential(params["Credential"])
}

// parseAuthQuery parses presigned-URL parameters.
func parseAuthQuery(q url.Values) (credential, *Error) {
	var msg strings.Builder
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(p) == "" {
			msg.WriteString("AWS query-string parameters must include '" + p + "'. ")
		}
	}
	if msg.Len() > 0 {
		msg.WriteString("Re-examine the query-string parameters.")
		return credential{}, errorf(ErrIncompleteSignature, "%s", msg.String())
	}
	return parseCredential(q.Get("X-Amz-Credential"))
}

// parseCredential splits a credential scope. A scope too short to name a region leaves the region to
// the server's default; a region that could not be one is refused, because it becomes part of ARNs and
// of the store's namespace.
func parseCredential(s string) (credential, *Error) {
	parts := strings.Split(s, "/")
	c := credential{AccessKeyID: parts[0]}
	if len(parts) > 1 {
		c.Date = parts[1]
	}
	if len(parts) > 2 {
		c.Region = parts[2]
	}
	if len(parts) > 3 {
		c.Service = parts[3]
	}
	if c.Region != "" && !validRegion(c.Region) {
		return credential{}, errorf(ErrInvalidSignature, "Credential should be scoped to a valid region. ")
	}
	return c, nil
}

// validRegion accepts names shaped like AWS regions (us-east-1) and the usual local ones (local).
func validRegion(r string) bool {
	if len(r) > 64 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
