package sqlcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Query is one `hydrant sql` run: a SELECT STREAM query over a stream.
type Query struct {
	SQL    string
	Stream string
	// As is the in-application name the query reads the stream by. Empty: DefaultInput, or the
	// stream's own name when the query's FROM uses it.
	As string
	// Schema maps records to rows. Nil: discover it from the first records read (up to Sample), and
	// say what it found on stderr.
	Schema *Schema
	Sample int // records auto discovery samples; default 100
	Start  Start
	Format string // table (default), json or csv
	Limit  int    // stop after this many rows; 0: no limit

	// Now is the wall clock the engine advances to when every shard is caught up. Default time.Now.
	Now func() time.Time
	// Wait pauses when every shard is caught up, before polling again. Default: PollInterval.
	Wait func(ctx context.Context) error
	// PollInterval is the default Wait's pause: 200ms (five GetRecords a second per shard at most, the
	// AWS limit).
	PollInterval time.Duration
}

// errLimit ends a run that printed Limit rows.
var errLimit = errors.New("limit reached")

// SQLError is the query's SQL errors, each "line:col: message".
type SQLError struct{ Errs []CheckError }

func (e *SQLError) Error() string {
	parts := make([]string, len(e.Errs))
	for i, x := range e.Errs {
		parts[i] = x.Error()
	}
	return strings.Join(parts, "\n")
}

// Run reads q.Stream through api and prints the query's rows to stdout as they come; discovery and
// rejected records go to stderr. It returns nil when ctx is cancelled (Ctrl-C) or Limit rows are
// printed, a *SQLError for a query that does not compile, and the API's error otherwise.
func Run(ctx context.Context, api API, q Query, stdout, stderr io.Writer) error {
	q.setDefaults()
	parsed, err := sql.ParseQuery(q.SQL)
	if err != nil {
		return &SQLError{located(err)}
	}
	input := q.inputName(parsed)
	// Check the SQL before reading anything: with auto discovery the first records may be long coming.
	if _, err := engine.CompileQuery(q.SQL, engine.Config{Inputs: []engine.Input{{Name: input, Open: true}}}); err != nil {
		return &SQLError{located(err)}
	}
	r := newReader(api, q.Stream, q.Start)
	if err := r.list(ctx); err != nil {
		return err
	}
	schema := q.Schema
	if schema == nil {
		if schema, err = q.discover(ctx, r, stderr); err != nil {
			return quiet(ctx, err)
		}
	}
	mapper, err := schema.Mapper()
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	prog, err := engine.CompileQuery(q.SQL, engine.Config{Inputs: []engine.Input{{Name: input, Columns: mapper.Columns()}}})
	if err != nil {
		return &SQLError{located(err)}
	}
	pr, err := newPrinter(stdout, q.Format, prog.OutputColumns()[0])
	if err != nil {
		return err
	}
	if err := pr.header(); err != nil {
		return err
	}
	s := &session{q: &q, r: r, mapper: mapper, pr: pr, stderr: stderr, rowtime: -1 << 63}
	s.inst = prog.Start(s)
	return quiet(ctx, s.loop(ctx))
}

// quiet turns the ends of a run that are not failures into nil: the limit, and Ctrl-C, whatever
// call it interrupted (the SDK does not always wrap the context's error).
func quiet(ctx context.Context, err error) error {
	if errors.Is(err, errLimit) || ctx.Err() != nil {
		return nil
	}
	return err
}

func (q *Query) setDefaults() {
	if q.Sample <= 0 {
		q.Sample = 100
	}
	if q.Format == "" {
		q.Format = "table"
	}
	if q.Start.Type == "" {
		q.Start.Type = types.ShardIteratorTypeLatest
	}
	if q.Now == nil {
		q.Now = time.Now
	}
	if q.PollInterval <= 0 {
		q.PollInterval = 200 * time.Millisecond
	}
	if q.Wait == nil {
		d := q.PollInterval
		q.Wait = func(ctx context.Context) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
}

// inputName is the name the stream is registered under: As, else DefaultInput if FROM names it, else
// the stream's own name as FROM spells it (FROM clicks reads CLICKS, folded as SQL folds it), else
// DefaultInput, which then gives the engine's "does not exist" error at the right place.
func (q *Query) inputName(parsed sql.QueryExpr) string {
	if q.As != "" {
		return q.As
	}
	var refs []string
	tableRefs(parsed, func(id sql.Ident) { refs = append(refs, id.Name) })
	if slices.Contains(refs, DefaultInput) {
		return DefaultInput
	}
	for _, name := range refs {
		if name == q.Stream {
			return name
		}
	}
	for _, name := range refs {
		if strings.EqualFold(name, q.Stream) {
			return name
		}
	}
	return DefaultInput
}

// discover reads until it has Sample records, or some and every shard is caught up, infers a schema
// from them with format.Discover and prints it to stderr as a --schema file would hold it. The records
// stay buffered: the run maps them too.
func (q *Query) discover(ctx context.Context, r *reader, stderr io.Writer) (*Schema, error) {
	for r.buffered() < q.Sample {
		if _, err := r.pollAll(ctx, false); err != nil {
			return nil, err
		}
		if !r.caughtUpAll() {
			continue
		}
		if r.buffered() > 0 {
			break
		}
		if err := q.Wait(ctx); err != nil {
			return nil, err
		}
	}
	var sample [][]byte
	for _, s := range r.order {
		for _, rec := range s.buf {
			if len(sample) < q.Sample {
				sample = append(sample, rec.Data)
			}
		}
	}
	d, err := format.Discover(sample)
	if err != nil {
		return nil, fmt.Errorf("discover a schema from %d records: %w", len(sample), err)
	}
	schema := schemaOf(d)
	b, _ := json.MarshalIndent(schema, "", "  ")
	fmt.Fprintf(stderr, "schema discovered from %d records (save it and pass --schema FILE to fix it; "+
		"names are case-sensitive: quote those not in upper case, as in \"page\"):\n%s\n", len(sample), b)
	return schema, nil
}

// caughtUpAll says every shard being read was at its tip when last polled.
func (r *reader) caughtUpAll() bool {
	for _, s := range r.order {
		if r.active(s) && (!s.started || !s.caughtUp) {
			return false
		}
	}
	return true
}

// session is a running query: the one goroutine that reads, merges, pushes and prints. It is the
// engine's Sink.
type session struct {
	q       *Query
	r       *reader
	mapper  *format.Mapper
	inst    *engine.Instance
	pr      *printer
	stderr  io.Writer
	rowtime int64 // the last ROWTIME pushed or advanced to: ROWTIME never goes back
	rows    int
	err     error // the first print error, or errLimit
}

func (s *session) loop(ctx context.Context) error {
	for {
		for sh := s.r.next(); sh != nil; sh = s.r.next() {
			rec := sh.pop()
			s.push(sh.id, &rec)
			if s.err != nil {
				return s.err
			}
		}
		if s.r.idle() {
			if t := s.q.Now().UnixMilli(); t > s.rowtime {
				s.rowtime = t
				s.inst.Advance(t)
				if s.err != nil {
					return s.err
				}
			}
			if err := s.q.Wait(ctx); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := s.r.pollAll(ctx, true); err != nil {
			return err
		}
	}
}

// push maps one record and pushes its rows at its arrival time.
func (s *session) push(shardID string, rec *types.Record) {
	t := max(arrival(rec), s.rowtime)
	s.rowtime = t
	s.mapper.Map(rec.Data, func(row []value.Value) {
		s.inst.Push(0, engine.Row{Time: t, Cols: slices.Clone(row)})
	}, func(e *format.MapError) {
		fmt.Fprintf(s.stderr, "error_stream: %s: %s (shard %s, sequence number %s)\n", e.Name, e.Message,
			shardID, aws.ToString(rec.SequenceNumber))
	})
}

// Emit prints a result row; after Limit rows it ends the run.
func (s *session) Emit(_ int, r engine.Row) {
	if s.err != nil {
		return
	}
	if err := s.pr.row(r); err != nil {
		s.err = err
		return
	}
	s.rows++
	if s.q.Limit > 0 && s.rows >= s.q.Limit {
		s.err = errLimit
	}
}

// Error prints a row the query rejected, as error_stream would hold it.
func (s *session) Error(e engine.ErrorRow) {
	fmt.Fprintf(s.stderr, "error_stream: %s: %s\n", e.Name, e.Message)
}
