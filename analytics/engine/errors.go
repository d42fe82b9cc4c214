package engine

import (
	"fmt"
	"strings"

	"github.com/hydrantio/hydrant/analytics/sql"
)

// Error is a planning error: a statement that parses but cannot run. Line and Col (1-based, columns in
// runes) point at the construct at fault, as sql.SyntaxError does for syntax.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// Errors is every error Compile found, in source order.
type Errors []error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// planError is how the planner bails out of a statement: errorf panics with it and planStmt recovers it,
// so one bad statement is reported and the next ones are still checked.
type planError struct{ err *Error }

// posOf is where an error about n points: a node's start, an identifier's or a data type's position.
func posOf(n any) sql.Pos {
	switch n := n.(type) {
	case sql.Ident:
		return n.Pos
	case *sql.Ident:
		return n.Pos
	case *sql.DataType:
		return n.Pos
	case *sql.WindowSpec:
		return n.Pos
	case sql.Pos:
		return n
	case sql.Node:
		return sql.Start(n)
	}
	return sql.Pos{}
}

func errAt(n any, format string, args ...any) *Error {
	p := posOf(n)
	return &Error{Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}
}

func errorf(n any, format string, args ...any) {
	panic(planError{errAt(n, format, args...)})
}

func errorAtPos(p sql.Pos, format string, args ...any) {
	panic(planError{&Error{Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}})
}

// evalError is a runtime error of one row: it goes to error_stream, with the pump's name.
type evalError struct {
	name, msg string
}

func (e *evalError) Error() string { return e.name + ": " + e.msg }
