package runtime

import (
	"context"
	"errors"

	"github.com/hydrantio/hydrant/streams"
)

// Run is one running application.
type Run struct {
	err error
}

// Start compiles cfg.Code against cfg's inputs and starts reading. It returns an error (with line and
// column for SQL errors) when the application cannot run.
//
// PLACEHOLDER: the runtime is being written; see the runtime helper's task.
func Start(ctx context.Context, store *streams.Store, cfg Config) (*Run, error) {
	return nil, errors.New("runtime: not implemented yet")
}

// Stop stops the run, checkpoints its position (for LAST_STOPPED_POINT) and waits for its goroutines.
func (r *Run) Stop() error { return nil }

// Err is non-nil once the run has failed for good (it stops by itself then).
func (r *Run) Err() error { return r.err }
