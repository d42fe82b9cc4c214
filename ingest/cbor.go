package ingest

import "net/http"

// CBOR: the AWS SDK for Java (v1 ≥ 1.11.71 and v2), and so the KCL and the Flink and Spark connectors,
// send Kinesis requests as CBOR (Content-Type application/x-amz-cbor-1.1) unless told not to. The
// protocol is AWS JSON 1.1 with the bodies in CBOR: same X-Amz-Target, same shapes, same errors, and
// the answer in the encoding of the request. Two things differ besides the bytes:
//
//   - blobs are CBOR byte strings, not base64 text;
//   - timestamps count epoch milliseconds, not seconds. The Java SDKs send tag 1 and an integer
//     (SdkCborGenerator.writeValue(Instant): writeTag(1), writeNumber(toEpochMilli())), which RFC 8949
//     defines as seconds: read as seconds, a timestamp lands in the year 58000 (floci#2368,
//     aws-sdk-java-v2#4661). They read a timestamp back as the text of its number parsed with
//     Long.parseLong (StringToInstant, UNIX_TIMESTAMP_MILLIS), so an answer must carry an integer:
//     a float (1.603149588042E9) fails with "Unable to parse date" (localstack#3134, #3243).
//     Answers therefore carry tag 1 and an integer of milliseconds, as AWS's do.
//
// A request is decoded into the JSON decoder's tree (cbor_decode.go) and from there goes through the
// same type checks, validation and binding as a JSON request, so both get the same errors. PutRecord(s)
// have a fast decoder (cbor_fastpath.go) like their JSON one. Answers: PutRecord(s) and GetRecords
// encode themselves (cbor_records.go); every other output is its JSON encoding transcoded by the
// model's output shape (cbor_encode.go), so no handler knows about CBOR.

// contentTypeCBOR is the content type of the CBOR flavour of AWS JSON 1.1.
const contentTypeCBOR = "application/x-amz-cbor-1.1"

// protocol is the body encoding of a request, and so of its answer. The zero value is JSON.
type protocol uint8

const (
	protoJSON protocol = iota // application/x-amz-json-1.1
	protoCBOR                 // application/x-amz-cbor-1.1
)

// protocolOf returns the body encoding a request declares. Anything but CBOR is answered in JSON (the
// dispatcher refuses content types it does not serve before it decodes anything).
func protocolOf(r *http.Request) protocol {
	ct := r.Header.Get("Content-Type")
	if ct == contentTypeJSON11 {
		return protoJSON
	}
	if ct == contentTypeCBOR || mediaType(ct) == contentTypeCBOR {
		return protoCBOR
	}
	return protoJSON
}

// parse parses a request body into the generic tree.
func (p protocol) parse(body []byte) (*jsonNode, bool) {
	if p == protoCBOR {
		return parseCBOR(body)
	}
	return parseJSON(body)
}

// writeError writes an error response in the protocol's encoding.
func (p protocol) writeError(w http.ResponseWriter, e *Error) {
	if p == protoCBOR {
		writeCBORError(w, e)
		return
	}
	writeError(w, e)
}

// writeOutput writes an operation's successful answer in the protocol's encoding.
func (p protocol) writeOutput(w http.ResponseWriter, op *operation, out any) error {
	if p == protoCBOR {
		return writeCBOROutput(w, out, op.shape.output)
	}
	return writeOutput(w, out)
}
