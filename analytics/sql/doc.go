// Package sql is the front end of Hydrant's Kinesis Data Analytics SQL engine: a hand-written lexer and
// recursive-descent parser for the KDA (SQLstream) dialect that produce an AST, and a printer that writes an AST
// back as canonical SQL text.
//
// It owns the syntax only: CREATE [OR REPLACE] STREAM, PUMP, FUNCTION (SQL-only), TABLE and VIEW, INSERT INTO,
// and SELECT [STREAM] queries with the dialect's window forms (STEP(x BY INTERVAL ...), FLOOR(x TO unit),
// WINDOW w AS (... RANGE INTERVAL ... PRECEDING), OVER on FROM items, WINDOWED BY STAGGER(...),
// TABLE(f(CURSOR(...)))). It does not resolve names, check types or plan: that is the planner's job, which uses
// the positions every node carries to report its own errors at a line and column.
//
// Identifiers follow KDA's case rules: an unquoted identifier is folded to upper case, a double-quoted one keeps
// its case (Ident.Quoted records which). Comments are --, /* */ and // (KDA accepts //). Backquoted identifiers
// are accepted too, as Flink SQL writes them (the Nexmark queries), and mean the same as double-quoted ones.
//
// Every syntax error is a *SyntaxError carrying the line and column (1-based, columns counted in runes) of the
// token where parsing stopped, and says what was expected and what was found.
package sql
