package ingest

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/hydrantio/hydrant/streams"
)

// service is one AWS JSON API served on the port, chosen by the service part of X-Amz-Target
// ("Kinesis_20131202" in "Kinesis_20131202.PutRecords"). Kinesis is the first; Firehose
// (Firehose_20150804) and Kinesis Analytics (KinesisAnalytics_20150814) register the same way, each with
// its own model, handlers and error-kind table, sharing the decoder, validator, auth and error writer.
type service struct {
	name  string // for logs: "Kinesis"
	model *model
	ops   map[string]*operation // every operation of the model
	kinds map[streams.ErrorKind]*Code
	live  liveStreams // its streaming answers, ended at shutdown (stream.go)
}

// registry maps X-Amz-Target service prefixes to services.
type registry map[string]*service

func (r registry) add(s *service) {
	if _, dup := r[s.model.targetPrefix]; dup {
		panic("ingest: service " + s.model.targetPrefix + " registered twice")
	}
	r[s.model.targetPrefix] = s
}

// lookup resolves an X-Amz-Target header. svcName and opName are the header's two parts even when they
// name nothing (the dispatcher words some errors by whether they were present at all).
func (r registry) lookup(target string) (svc *service, op *operation, svcName, opName string) {
	svcName, opName = splitTarget(target)
	svc = r[svcName]
	if svc != nil && opName != "" {
		op = svc.ops[opName]
	}
	return svc, op, svcName, opName
}

// splitTarget splits "Service.Operation"; like AWS's front end it looks only at the first two parts.
func splitTarget(target string) (svc, op string) {
	for i := 0; i < len(target); i++ {
		if target[i] == '.' {
			rest := target[i+1:]
			for j := 0; j < len(rest); j++ {
				if rest[j] == '.' {
					rest = rest[:j]
					break
				}
			}
			return target[:i], rest
		}
	}
	return target, ""
}

// reqCtx is what a handler knows about its request besides its input.
type reqCtx struct {
	id    string        // x-amzn-RequestId
	scope streams.Scope // account and region the request acts in
	proto protocol      // the body encoding of the request, and so of the answer
}

// runFunc runs an operation on a validated input (nil when the model has no input shape).
type runFunc func(ctx context.Context, rc *reqCtx, in *value) (any, error)

// fastFunc tries an operation's fast decoder for protocol p on a raw body. ok is false when the body is
// anything the decoder does not handle; the generic path then runs from scratch, so a decoder must not
// have done anything visible before it gives up. Otherwise run calls the handler on the decoded input (and
// releases the decoder's pooled memory); it is separate so that only the handler runs under the
// dispatcher's panic recovery, and a decoding bug still crashes the tests that look for one.
type fastFunc func(p protocol, body []byte) (run func(ctx context.Context, rc *reqCtx) (any, error), ok bool)

// operation is one API operation as served.
type operation struct {
	name  string
	shape *opShape
	run   runFunc
	fast  fastFunc // nil when the operation has none
	// notYet marks operations of the model that Hydrant does not implement yet.
	notYet bool
}

// opDef defines a handler before its model is known; newService binds it to its shapes.
type opDef struct {
	name  string
	build func(op *opShape) (runFunc, fastFunc, error)
}

// handle defines an operation whose input binds to In (see bind.go) and whose handler returns the
// output: nil for an empty body, a jsonAppender for hand-written encoding, or a value for encoding/json.
func handle[In any](name string, h func(ctx context.Context, rc *reqCtx, in *In) (any, error)) opDef {
	return opDef{name: name, build: func(op *opShape) (runFunc, fastFunc, error) {
		run, err := bindRun(op, h)
		return run, nil, err
	}}
}

// fastDecoder decodes a plain body straight into In. It returns ok=false to hand the body to the
// generic path, and a release func for pooled memory that In refers to.
type fastDecoder[In any] func(body []byte, in *In) (release func(), ok bool)

// handleFast is handle with fast paths: newFast and newCBORFast build, from the operation's shapes,
// decoders of JSON and CBOR bodies that must produce exactly what the generic path binds for every body
// they accept.
func handleFast[In any](name string, h func(ctx context.Context, rc *reqCtx, in *In) (any, error),
	newFast, newCBORFast func(op *opShape) (fastDecoder[In], error)) opDef {
	return opDef{name: name, build: func(op *opShape) (runFunc, fastFunc, error) {
		run, err := bindRun(op, h)
		if err != nil {
			return nil, nil, err
		}
		dec, err := newFast(op)
		if err != nil {
			return nil, nil, fmt.Errorf("%s fast path: %w", name, err)
		}
		cborDec, err := newCBORFast(op)
		if err != nil {
			return nil, nil, fmt.Errorf("%s CBOR fast path: %w", name, err)
		}
		fast := func(p protocol, body []byte) (func(context.Context, *reqCtx) (any, error), bool) {
			d := dec
			if p == protoCBOR {
				d = cborDec
			}
			in := new(In)
			release, ok := d(body, in)
			if !ok {
				return nil, false
			}
			return func(ctx context.Context, rc *reqCtx) (any, error) {
				defer release()
				return h(ctx, rc, in)
			}, true
		}
		return run, fast, nil
	}}
}

func bindRun[In any](op *opShape, h func(ctx context.Context, rc *reqCtx, in *In) (any, error)) (runFunc, error) {
	var bind binder
	if op.input != nil {
		b, err := newBinder(op.input, reflect.TypeFor[In]())
		if err != nil {
			return nil, fmt.Errorf("%s input: %w", op.name, err)
		}
		bind = b
	}
	return func(ctx context.Context, rc *reqCtx, v *value) (any, error) {
		var in In
		if bind != nil && v != nil {
			bind(v, reflect.ValueOf(&in).Elem())
		}
		return h(ctx, rc, &in)
	}, nil
}

// newService binds defs to the model's operations. Every operation of the model is served: those
// without a definition still decode and validate their input generically and then answer
// InvalidArgumentException "<Op> is not supported yet by Hydrant" — an honest "not yet", distinct from
// the UnknownOperationException a client gets for a name the model does not have.
func newService(name string, m *model, kinds map[streams.ErrorKind]*Code, defs []opDef) (*service, error) {
	s := &service{name: name, model: m, kinds: kinds, ops: make(map[string]*operation, len(m.ops))}
	for _, d := range defs {
		shape, ok := m.ops[d.name]
		if !ok {
			return nil, fmt.Errorf("%s: handler for %s, which the model does not have", name, d.name)
		}
		if _, dup := s.ops[d.name]; dup {
			return nil, fmt.Errorf("%s: two handlers for %s", name, d.name)
		}
		run, fast, err := d.build(shape)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		s.ops[d.name] = &operation{name: d.name, shape: shape, run: run, fast: fast}
	}
	for opName, shape := range m.ops {
		if _, ok := s.ops[opName]; ok {
			continue
		}
		msg := opName + " is not supported yet by Hydrant"
		s.ops[opName] = &operation{name: opName, shape: shape, notYet: true,
			run: func(context.Context, *reqCtx, *value) (any, error) {
				return nil, errorf(ErrInvalidArgument, "%s", msg)
			}}
	}
	return s, nil
}

// notYet lists the operations that answer "not supported yet", sorted.
func (s *service) notYet() []string {
	var out []string
	for name, op := range s.ops {
		if op.notYet {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
