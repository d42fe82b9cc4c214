package sqlcli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/sql"
)

// DefaultInput is the in-application stream KDA maps an application's source to.
const DefaultInput = "SOURCE_SQL_STREAM_001"

// CheckConfig is what `hydrant sql check` plans an application against.
type CheckConfig struct {
	// Inputs are the in-application input streams. Empty: the streams the code reads but does not
	// create, or DefaultInput when it reads none.
	Inputs []string
	// Schema, if set, gives DefaultInput its columns; without it every input is planned open, each
	// column the code names resolving with an unknown type.
	Schema *Schema
	// Tables are reference tables with their schema, by in-application name. A name the code reads
	// that is neither created, an input nor a table here is planned as an open input.
	Tables map[string]*Schema
}

// Pos is an error's place in a file.
type Pos struct{ Line, Col int }

// CheckError is one error Check found, at its place in the file.
type CheckError struct {
	Pos
	Msg string
}

func (e CheckError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// Check parses and plans application code against cfg and returns every error it finds, in source
// order. Every stream the code creates is an output, so that streams no pump reads are checked too.
func Check(code string, cfg CheckConfig) ([]CheckError, error) {
	script, err := sql.Parse(code)
	if err != nil {
		return located(err), nil
	}
	ecfg, err := checkConfig(script, cfg)
	if err != nil {
		return nil, err
	}
	_, err = engine.Compile(code, ecfg)
	errs := located(err)
	if len(errs) > 0 && len(cfg.Inputs) == 0 {
		// Without schemas, a name the code reads but does not create is an input stream or a reference
		// table. Inputs are named <NamePrefix>_001 ...; try the other names as (open) reference tables,
		// and keep whichever reading finds fewer errors.
		var tables []string
		for _, in := range ecfg.Inputs {
			if in.Open && !inputName.MatchString(in.Name) {
				tables = append(tables, in.Name)
			}
		}
		if len(tables) > 0 {
			alt := ecfg
			alt.Inputs = nil
			for _, in := range ecfg.Inputs {
				if slices.Contains(tables, in.Name) {
					alt.Tables = append(alt.Tables, engine.Table{Name: in.Name, Open: true})
				} else {
					alt.Inputs = append(alt.Inputs, in)
				}
			}
			if len(alt.Inputs) > 0 {
				_, err := engine.Compile(code, alt)
				if altErrs := located(err); len(altErrs) < len(errs) {
					errs = altErrs
				}
			}
		}
	}
	return errs, nil
}

// inputName is how KDA names in-application input streams: NamePrefix_001 to NamePrefix_064.
var inputName = regexp.MustCompile(`_[0-9]{3}$`)

// checkConfig builds the engine configuration Check plans with.
func checkConfig(script *sql.Script, cfg CheckConfig) (engine.Config, error) {
	var ecfg engine.Config
	inputs := cfg.Inputs
	if len(inputs) == 0 {
		for _, name := range readNames(script) {
			if cfg.Tables[name] == nil {
				inputs = append(inputs, name)
			}
		}
	}
	if len(inputs) == 0 {
		inputs = []string{DefaultInput}
	}
	if cfg.Schema != nil && !slices.Contains(inputs, DefaultInput) {
		inputs = append(inputs, DefaultInput)
	}
	for _, name := range inputs {
		in := engine.Input{Name: name, Open: true}
		if name == DefaultInput && cfg.Schema != nil {
			cols, err := cfg.Schema.Columns()
			if err != nil {
				return ecfg, fmt.Errorf("--schema: %w", err)
			}
			in = engine.Input{Name: name, Columns: cols}
		}
		ecfg.Inputs = append(ecfg.Inputs, in)
	}
	names := make([]string, 0, len(cfg.Tables))
	for name := range cfg.Tables {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		cols, err := cfg.Tables[name].Columns()
		if err != nil {
			return ecfg, fmt.Errorf("--reference-schema %s: %w", name, err)
		}
		ecfg.Tables = append(ecfg.Tables, engine.Table{Name: name, Columns: cols})
	}
	ecfg.Outputs = createdStreams(script)
	return ecfg, nil
}

// located turns the engine's and the parser's errors into CheckErrors, sorted by place.
func located(err error) []CheckError {
	if err == nil {
		return nil
	}
	var out []CheckError
	var walk func(error)
	walk = func(err error) {
		var es engine.Errors
		var se *sql.SyntaxError
		var ee *engine.Error
		switch {
		case errors.As(err, &es):
			for _, e := range es {
				walk(e)
			}
		case errors.As(err, &se):
			out = append(out, CheckError{Pos{se.Line, se.Col}, se.Msg})
		case errors.As(err, &ee):
			out = append(out, CheckError{Pos{ee.Line, ee.Col}, ee.Msg})
		default:
			out = append(out, CheckError{Pos{1, 1}, err.Error()})
		}
	}
	walk(err)
	slices.SortStableFunc(out, func(a, b CheckError) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return out
}

// report prints errs as go vet does ("file:line:col: message"), or "file: ok".
func report(w io.Writer, file string, errs []CheckError, quiet bool) {
	for _, e := range errs {
		fmt.Fprintf(w, "%s:%d:%d: %s\n", file, e.Line, e.Col, e.Msg)
	}
	if len(errs) == 0 && !quiet {
		fmt.Fprintf(w, "%s: ok\n", file)
	}
}
