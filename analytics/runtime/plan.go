package runtime

import (
	"fmt"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/format"
	"github.com/hydrantio/hydrant/analytics/value"
)

// processor is what the run feeds: an *engine.Instance (or, in tests, a stand-in).
type processor interface {
	Push(input int, r engine.Row)
	Advance(t int64)
	Snapshot() ([]byte, error)
}

// rowMapper turns a source record into rows (format.Mapper). emit's row is reused after it returns.
type rowMapper interface {
	Map(rec []byte, emit func(row []value.Value), onErr func(*format.MapError))
}

// rowEncoder writes a row as a destination record (format.Encoder).
type rowEncoder interface {
	Append(dst []byte, row []value.Value) []byte
}

// plan is an application made ready to run: a mapper per input, the engine program, an encoder per
// output.
type plan struct {
	mappers  []rowMapper  // per Config.Inputs
	outputs  []string     // the engine's outputs: Config.Outputs' names but error_stream, each once
	encoders []rowEncoder // per Config.Outputs
	start    func(engine.Sink) processor
	restore  func([]byte, engine.Sink) (processor, error)
}

// errorColumns are error_stream's columns, as KDA defines them.
var errorColumns = []value.Column{
	{Name: "ERROR_TIME", Type: value.TimestampType},
	{Name: "ERROR_LEVEL", Type: value.Varchar(10)},
	{Name: "ERROR_NAME", Type: value.Varchar(32)},
	{Name: "MESSAGE", Type: value.Varchar(4096)},
	{Name: "DATA_ROWTIME", Type: value.TimestampType},
	{Name: "DATA_ROW", Type: value.Varchar(49152)},
	{Name: "PUMP_NAME", Type: value.Varchar(128)},
}

// compile maps the inputs, compiles the SQL and makes the output encoders.
func compile(cfg *Config) (*plan, error) {
	p := &plan{}
	var inputs []engine.Input
	for i, in := range cfg.Inputs {
		m, cols, err := newMapper(in)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		p.mappers = append(p.mappers, m)
		for k := 1; k <= parallelism(in); k++ {
			inputs = append(inputs, engine.Input{Name: inAppName(in.NamePrefix, k), Columns: cols})
		}
	}
	p.outputs = engineOutputs(cfg.Outputs)
	prog, err := engine.Compile(cfg.Code, engine.Config{Inputs: inputs, Tables: cfg.Tables, Outputs: p.outputs})
	if err != nil {
		return nil, err
	}
	cols := prog.OutputColumns()
	for k, o := range cfg.Outputs {
		c := errorColumns
		if o.Name != engine.ErrorStream {
			c = cols[indexOf(p.outputs, o.Name)]
		}
		e, err := newEncoder(o.Format, c)
		if err != nil {
			return nil, fmt.Errorf("output %d (%s): %w", k, o.Name, err)
		}
		p.encoders = append(p.encoders, e)
	}
	p.start = func(s engine.Sink) processor { return prog.Start(s) }
	p.restore = func(snap []byte, s engine.Sink) (processor, error) {
		in, err := prog.Restore(snap, s)
		if err != nil {
			return nil, err // not a nil *Instance in a non-nil processor
		}
		return in, nil
	}
	return p, nil
}

func parallelism(in Input) int { return max(in.Parallelism, 1) }

// inAppName is the name of an input's k-th in-application stream (from 1): SOURCE_SQL_STREAM_001.
func inAppName(prefix string, k int) string { return fmt.Sprintf("%s_%03d", prefix, k) }

func engineOutputs(outs []Output) []string {
	var names []string
	for _, o := range outs {
		if o.Name != engine.ErrorStream && indexOf(names, o.Name) < 0 {
			names = append(names, o.Name)
		}
	}
	return names
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
