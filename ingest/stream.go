package ingest

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
)

// Streaming answers. Most operations answer with one body that the response writer encodes; an output
// that implements streamer answers with a stream of messages instead (SubscribeToShard's event stream)
// and writes it itself, status and headers included, flushing after every message. The dispatcher
// hands such an output to Server.stream instead of the body encoder.
//
// A stream lasts as long as its output wants (a subscription, five minutes). So that a shutdown does
// not wait for it, every streaming answer runs under a context that Shutdown cancels (through
// http.Server.RegisterOnShutdown, registered with a service's first stream).

// streamer is an output that streams its answer.
type streamer interface {
	// stream writes the answer to w until it is complete, ctx is done or a write fails. It returns
	// the error that cut it short, if any (for the log: the client has seen the status already).
	stream(ctx context.Context, w http.ResponseWriter) error
}

// liveStreams ends a service's streaming answers when its server shuts down. The zero value is ready.
type liveStreams struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
}

// context returns the context that s's shutdown cancels, registering the cancellation with the
// http.Server the first time.
func (ls *liveStreams) context(s *Server) context.Context {
	ls.once.Do(func() {
		ls.ctx, ls.cancel = context.WithCancel(context.Background())
		s.srv.RegisterOnShutdown(ls.cancel)
		// A Shutdown that began before the registration did not run it: closing is set before
		// http.Server.Shutdown runs its hooks, so checking it after registering misses nothing.
		if s.closing.Load() {
			ls.cancel()
		}
	})
	return ls.ctx
}

// stream writes a streaming answer and returns the status sent.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, svc *service, op *operation, rc *reqCtx, out streamer) int {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(svc.live.context(s), cancel)()
	if err := out.stream(ctx, w); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "stream ended", slog.String("request_id", rc.id),
			slog.String("op", op.name), slog.Any("err", err))
	}
	return http.StatusOK
}
