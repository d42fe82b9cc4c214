package sql

import "fmt"

// SyntaxError reports SQL text that does not parse. Line and Col are 1-based; Col counts runes.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }
