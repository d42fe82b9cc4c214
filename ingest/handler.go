package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hydrantio/hydrant/streams"
)

// The request pipeline. The order of checks is AWS's front end's (reverse-engineered by kinesalite and
// observed on kinesis-local), because it decides which error a broken request gets:
//
//	method → body size → content type → empty body → JSON (or CBOR) syntax → target → signature →
//	types (SerializationException) → constraints (ValidationException) → handler
//
// The PutRecord(s) fast path is tried only when the content type, target and signature are fine; it
// either succeeds — in which case the body was valid JSON, so none of the earlier checks could have
// failed — or gives the body to the generic pipeline unchanged.

// serveAPI is the handler for every request that is not /health.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id, id2 := newRequestIDs()
	h := w.Header()
	h.Set("x-amzn-RequestId", id)
	h.Set("x-amz-id-2", id2)

	// Browsers (the JS SDK in a page) send CORS preflights; AWS answers them for any origin.
	if origin := r.Header.Get("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
				h.Set("Access-Control-Allow-Headers", v)
			}
			if v := r.Header.Get("Access-Control-Request-Method"); v != "" {
				h.Set("Access-Control-Allow-Methods", v)
			}
			h.Set("Access-Control-Max-Age", "172800")
			writeRaw(w, http.StatusOK, "", nil)
			return
		}
		h.Set("Access-Control-Expose-Headers",
			"x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date")
	}

	op, status := s.dispatch(w, r, id)
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("request_id", id),
			slog.String("op", op), slog.Int("status", status), slog.Duration("took", time.Since(start)))
	}
}

// dispatch runs the pipeline and returns the operation's name (as targeted) and the status sent.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, id string) (string, int) {
	if r.Method != http.MethodPost {
		return "", writeXMLError(w, http.StatusForbidden, "AccessDeniedException",
			"Unable to determine service/operation name to be authorized")
	}
	release, err := s.budget.acquire(r.Context(), reservation(r, s.cfg.MaxBodyBytes))
	if err != nil {
		return "", 0 // the client went away while waiting: nobody to answer
	}
	defer release()
	proto := protocolOf(r) // errors are answered in the request's encoding from here on
	bodyBuf, e := s.readBody(w, r)
	if e != nil {
		proto.writeError(w, e)
		return "", e.Code.Status
	}
	defer putBuffer(bodyBuf)
	body := *bodyBuf

	svc, op, svcName, opName := s.reg.lookup(r.Header.Get("X-Amz-Target"))
	fail := func(e *Error) (string, int) {
		proto.writeError(w, e)
		return opName, e.Code.Status
	}

	ct := mediaType(r.Header.Get("Content-Type"))
	switch ct {
	case contentTypeJSON11, contentTypeJSON, contentTypeCBOR:
	default:
		// Any other content type gets the answer AWS gives a content type it does not serve.
		if svcName == "" || opName == "" {
			return opName, writeXMLError(w, http.StatusForbidden, "AccessDeniedException",
				"Unable to determine service/operation name to be authorized")
		}
		return opName, writeXMLError(w, http.StatusNotFound, "UnknownOperationException", "")
	}
	if ct == contentTypeJSON {
		// AWS answers plain application/json with a Coral envelope, whatever the body says.
		writeRaw(w, http.StatusNotFound, contentTypeJSON,
			[]byte(`{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}`))
		return opName, http.StatusNotFound
	}
	if len(body) == 0 {
		if op == nil {
			return fail(&Error{Code: ErrUnknownOperation})
		}
		return fail(&Error{Code: ErrSerialization})
	}

	// The signature is checked after the body parses, but computing it first is free of effects and
	// lets the fast path run only for requests that would get that far.
	cred, authErr := parseAuth(r)
	rc := &reqCtx{id: id, proto: proto, scope: streams.Scope{Account: s.cfg.Account, Region: cred.Region}}
	if rc.scope.Region == "" {
		rc.scope.Region = s.cfg.Region
	}

	if op != nil && op.fast != nil && authErr == nil {
		if run, ok := op.fast(proto, body); ok {
			out, err := s.call(r.Context(), op, func(ctx context.Context) (any, error) { return run(ctx, rc) })
			return opName, s.respond(w, r, svc, op, rc, out, err)
		}
	}

	node, ok := proto.parse(body)
	if !ok {
		return fail(&Error{Code: ErrSerialization})
	}
	if op == nil {
		return fail(&Error{Code: ErrUnknownOperation})
	}
	if authErr != nil {
		return fail(authErr)
	}
	in, e := typeCheck(node, op.shape.input)
	if e != nil {
		return fail(e)
	}
	if e := validate(in, op.shape.input, svc.model.javaPackage); e != nil {
		return fail(e)
	}
	out, err := s.call(r.Context(), op, func(ctx context.Context) (any, error) { return op.run(ctx, rc, in) })
	return opName, s.respond(w, r, svc, op, rc, out, err)
}

// call runs a handler, turning a panic into an InternalFailure: a bug in one operation must not take
// the connection (and every request multiplexed on it) down with it.
func (s *Server) call(ctx context.Context, op *operation, fn func(context.Context) (any, error)) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			out, err = nil, internal(fmt.Errorf("%s panicked: %v\n%s", op.name, p, debug.Stack()))
		}
	}()
	return fn(ctx)
}

// respond writes a handler's result and returns the status sent.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, svc *service, op *operation, rc *reqCtx, out any, err error) int {
	if err != nil {
		if rel, ok := out.(releaser); ok {
			rel.release()
		}
		e := toError(err, svc.kinds)
		if e.Code.Fault {
			level := slog.LevelError
			if errors.Is(err, context.Canceled) {
				level = slog.LevelDebug // the client went away
			}
			s.log.LogAttrs(r.Context(), level, "request failed", slog.String("request_id", rc.id),
				slog.String("service", svc.name), slog.String("op", op.name), slog.Any("err", err))
		}
		rc.proto.writeError(w, e)
		return e.Code.Status
	}
	if st, ok := out.(streamer); ok {
		return s.stream(w, r, svc, op, rc, st)
	}
	if werr := rc.proto.writeOutput(w, op, out); werr != nil {
		level := slog.LevelDebug // usually the client went away
		if errors.Is(werr, errLengthMismatch) {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "write response", slog.String("request_id", rc.id),
			slog.String("op", op.name), slog.Any("err", werr))
	}
	return http.StatusOK
}

// readBody reads the request body into a pooled buffer, refusing bodies over the configured cap.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*[]byte, *Error) {
	limit := s.cfg.MaxBodyBytes
	tooLarge := func() *Error {
		return errorf(ErrRequestTooLarge, "Request body exceeds the maximum size of %d bytes.", limit)
	}
	if r.ContentLength > limit {
		return nil, tooLarge()
	}
	size := 4 << 10
	if r.ContentLength > 0 {
		size = int(r.ContentLength) + 1 // room to see EOF without growing
	}
	buf := getBuffer(size)
	b := *buf
	rd := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*buf = b
			putBuffer(buf)
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge()
			}
			return nil, &Error{Code: ErrSerialization, Message: "Unable to read the request body."}
		}
	}
	*buf = b
	return buf, nil
}

// mediaType returns a Content-Type's media type, lower-cased, without parameters.
func mediaType(ct string) string {
	if ct == contentTypeJSON11 {
		return ct
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// writeXMLError writes the XML-shaped errors AWS's front end gives requests that never reach a JSON
// service: wrong method, or a content type it does not serve.
func writeXMLError(w http.ResponseWriter, status int, code, msg string) int {
	var body string
	if msg == "" {
		body = "<" + code + "/>\n"
	} else {
		body = "<" + code + ">\n  <Message>" + msg + "</Message>\n</" + code + ">\n"
	}
	writeRaw(w, status, "application/xml", []byte(body))
	return status
}
