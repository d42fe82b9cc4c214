package sql

import (
	"strconv"
	"strings"
)

// reserved words cannot be unquoted identifiers or aliases: they start or end clauses. Other keywords (STREAM,
// STEP, FLOOR, TIMESTAMP, CURRENT, ...) are recognised only where they are meaningful.
var reserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`ALL AND AS BETWEEN BY CASE CREATE CROSS DAY DISTINCT ELSE END ESCAPE EXCEPT
		FALSE FOLLOWING FOR FROM FULL GROUP HAVING HOUR IN INNER INSERT INTERSECT INTERVAL INTO IS JOIN LEFT
		LIKE MINUTE MONTH NATURAL NOT NULL ON OR ORDER OUTER OVER PARTITION PRECEDING RANGE RIGHT ROWS SECOND
		SELECT SIMILAR THEN TO TRUE UNION USING VALUES WHEN WHERE WINDOW WINDOWED YEAR`) {
		reserved[w] = true
	}
}

// intervalUnits are the reserved datetime fields that can qualify an interval.
var intervalUnits = map[string]bool{"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true}

// floorUnits are the units FLOOR/CEIL ... TO and EXTRACT accept.
var floorUnits = map[string]bool{"YEAR": true, "QUARTER": true, "MONTH": true, "WEEK": true, "DAY": true,
	"HOUR": true, "MINUTE": true, "SECOND": true, "MILLISECOND": true, "DOW": true, "DOY": true, "EPOCH": true}

// maxDepth bounds the nesting of expressions and queries, so that hostile input fails with an error instead of
// exhausting the stack.
const maxDepth = 200

// Parse parses an application: statements separated by semicolons (the last one may omit it).
func Parse(src string) (*Script, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	var s Script
	err = p.run(func() {
		for {
			for p.acceptOp(";") {
			}
			if p.peek().Kind == TokEOF {
				return
			}
			s.Stmts = append(s.Stmts, p.parseStmt())
			if p.peek().Kind != TokEOF && !p.acceptOp(";") {
				p.fail(`";" or end of input`)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// ParseQuery parses one query, such as `hydrant sql` runs; a trailing semicolon is allowed.
func ParseQuery(src string) (QueryExpr, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	var q QueryExpr
	err = p.run(func() {
		if !p.isKw("SELECT") && !p.isKw("VALUES") && !p.isOp("(") {
			p.fail("SELECT")
		}
		q = p.parseQuery()
		p.acceptOp(";")
		if p.peek().Kind != TokEOF {
			p.fail("end of input")
		}
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// ParseDataType parses a data type written on its own, such as the SqlType "VARCHAR(4)" of an input column.
func ParseDataType(src string) (*DataType, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	var dt *DataType
	err = p.run(func() {
		dt = p.parseType()
		if p.peek().Kind != TokEOF {
			p.fail("end of input")
		}
	})
	if err != nil {
		return nil, err
	}
	return dt, nil
}

// ParseExpr parses one scalar expression.
func ParseExpr(src string) (Expr, error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	var e Expr
	err = p.run(func() {
		e = p.parseExpr()
		if p.peek().Kind != TokEOF {
			p.fail("end of input")
		}
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

type parser struct {
	toks  []Token
	i     int
	depth int
	// substringSource is set while parsing SUBSTRING's first argument, where a SIMILAR without TO
	// ends the expression: SUBSTRING(s SIMILAR pattern ESCAPE e).
	substringSource bool
}

// bailout carries a syntax error out of the recursive descent.
type bailout struct{ err *SyntaxError }

func newParser(src string) (*parser, error) {
	toks, err := Tokenize(src)
	if err != nil {
		return nil, err
	}
	return &parser{toks: toks}, nil
}

func (p *parser) run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	f()
	return nil
}

func (p *parser) peek() Token { return p.peekN(0) }

func (p *parser) peekN(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() Token {
	t := p.peek()
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

// describe writes a token for an error message: words, numbers and operators in double quotes, quoted
// identifiers and string literals as written, cut short when long.
func describe(t Token) string {
	switch t.Kind {
	case TokEOF:
		return "end of input"
	case TokQuotedIdent, TokString:
		if r := []rune(t.Raw); len(r) > 40 {
			return string(r[:36]) + "..."
		}
		return t.Raw
	}
	return strconv.Quote(t.Raw)
}

// fail stops parsing at the next token, which is not what was expected.
func (p *parser) fail(expected string) {
	p.failAt(p.peek(), "expected %s, found %s", expected, describe(p.peek()))
}

func (p *parser) failAt(t Token, format string, args ...any) {
	panic(bailout{errAt(t.Pos, format, args...)})
}

func isKw(t Token, kw string) bool { return t.Kind == TokIdent && t.Text == kw }

func (p *parser) isKw(kw string) bool { return isKw(p.peek(), kw) }

func (p *parser) acceptKw(kw string) bool {
	if p.isKw(kw) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) Token {
	if !p.isKw(kw) {
		p.fail(kw)
	}
	return p.next()
}

func (p *parser) isOp(op string) bool { t := p.peek(); return t.Kind == TokOp && t.Text == op }

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op string) Token {
	if !p.isOp(op) {
		p.fail(strconv.Quote(op))
	}
	return p.next()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.peek(), "nesting deeper than %d", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// isIdentTok reports whether t can be an identifier.
func isIdentTok(t Token) bool {
	return t.Kind == TokQuotedIdent || t.Kind == TokIdent && !reserved[t.Text]
}

func (p *parser) ident() Ident {
	t := p.peek()
	if !isIdentTok(t) {
		p.fail("identifier")
	}
	p.next()
	return Ident{Pos: t.Pos, Name: t.Text, Quoted: t.Kind == TokQuotedIdent}
}

func (p *parser) identList() []Ident {
	p.expectOp("(")
	var ids []Ident
	for {
		ids = append(ids, p.ident())
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return ids
}

// canTakeImplicitAlias reports whether the next token is an alias written without AS: an identifier that is
// not followed by something that would continue an expression or a name. Requiring this keeps a misspelt
// keyword (FORM for FROM) from being swallowed as an alias, so that the error points at it.
func (p *parser) canTakeImplicitAlias() bool {
	if !isIdentTok(p.peek()) {
		return false
	}
	u := p.peekN(1)
	switch u.Kind {
	case TokNumber, TokString, TokQuotedIdent:
		return false
	case TokIdent:
		return reserved[u.Text]
	case TokOp:
		return u.Text != "(" && u.Text != "."
	}
	return true
}

// ---- statements ----

func (p *parser) parseStmt() Stmt {
	t := p.peek()
	switch {
	case isKw(t, "CREATE"):
		return p.parseCreate()
	case isKw(t, "INSERT"):
		return p.parseInsert()
	case isKw(t, "SELECT"), isKw(t, "VALUES"), t.Kind == TokOp && t.Text == "(":
		return &QueryStmt{Query: p.parseQuery()}
	}
	p.fail("CREATE, INSERT or SELECT")
	return nil
}

func (p *parser) parseCreate() Stmt {
	pos := p.expectKw("CREATE").Pos
	orReplace := false
	if p.acceptKw("OR") {
		p.expectKw("REPLACE")
		orReplace = true
	}
	switch {
	case p.acceptKw("STREAM"):
		s := &CreateStream{Pos: pos, OrReplace: orReplace, Name: p.ident()}
		s.Columns, _ = p.parseColumnDefs(false)
		if p.acceptKw("DESCRIPTION") {
			t := p.peek()
			if t.Kind != TokString {
				p.fail("a string literal")
			}
			p.next()
			d := t.Text
			s.Description = &d
		}
		return s
	case p.acceptKw("TABLE"):
		s := &CreateTable{Pos: pos, OrReplace: orReplace, Name: p.ident()}
		s.Columns, s.Watermark = p.parseColumnDefs(true)
		if p.acceptKw("WITH") {
			p.expectOp("(")
			for {
				k := p.stringLit()
				p.expectOp("=")
				s.With = append(s.With, Option{Key: k, Value: p.stringLit()})
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		}
		return s
	case p.acceptKw("PUMP"):
		s := &CreatePump{Pos: pos, OrReplace: orReplace, Name: p.ident()}
		p.expectKw("AS")
		if !p.isKw("INSERT") {
			p.fail("INSERT")
		}
		s.Insert = p.parseInsert()
		return s
	case p.acceptKw("FUNCTION"):
		return p.parseFunction(pos, orReplace)
	case p.acceptKw("VIEW"):
		v := &CreateView{Pos: pos, OrReplace: orReplace, Name: p.ident()}
		if p.isOp("(") {
			v.Columns = p.identList()
		}
		p.expectKw("AS")
		v.Query = p.parseQuery()
		return v
	}
	p.fail("STREAM, PUMP, FUNCTION, TABLE or VIEW")
	return nil
}

func (p *parser) stringLit() string {
	t := p.peek()
	if t.Kind != TokString {
		p.fail("a string literal")
	}
	p.next()
	return t.Text
}

// parseColumnDefs parses the column list of CREATE STREAM or, with flink set, of CREATE TABLE, where computed
// columns and a WATERMARK may appear too.
func (p *parser) parseColumnDefs(flink bool) ([]ColumnDef, *Watermark) {
	p.expectOp("(")
	var cols []ColumnDef
	var wm *Watermark
	for {
		if flink && wm == nil && p.isKw("WATERMARK") && isKw(p.peekN(1), "FOR") {
			p.next()
			p.next()
			wm = &Watermark{Column: p.ident()}
			p.expectKw("AS")
			wm.Expr = p.parseExpr()
		} else {
			c := ColumnDef{Name: p.ident()}
			if flink && p.acceptKw("AS") {
				c.Computed = p.parseExpr()
			} else {
				c.Type = p.parseType()
				if p.acceptKw("NOT") {
					p.expectKw("NULL")
					c.NotNull = true
				}
			}
			cols = append(cols, c)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return cols, wm
}

// typeNames lists the SQL types; the value says which word may follow to make a two-word name.
var typeNames = map[string]string{
	"TINYINT": "", "SMALLINT": "", "INTEGER": "", "INT": "", "BIGINT": "", "DECIMAL": "", "NUMERIC": "",
	"DEC": "", "REAL": "", "FLOAT": "", "DOUBLE": "PRECISION", "BOOLEAN": "", "CHAR": "VARYING",
	"CHARACTER": "VARYING", "VARCHAR": "", "BINARY": "VARYING", "VARBINARY": "", "DATE": "", "TIME": "",
	"TIMESTAMP": "", "STRING": "", "BYTES": "",
}

func (p *parser) parseType() *DataType {
	t := p.peek()
	if isKw(t, "ROW") && (p.peekN(1).Kind == TokOp && (p.peekN(1).Text == "<" || p.peekN(1).Text == "(")) {
		p.next()
		closing := map[string]string{"<": ">", "(": ")"}[p.next().Text]
		p.enter()
		defer p.leave()
		dt := &DataType{Pos: t.Pos, Name: "ROW"}
		for {
			dt.Fields = append(dt.Fields, FieldDef{Name: p.ident(), Type: p.parseType()})
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(closing)
		return dt
	}
	if isKw(t, "INTERVAL") {
		return p.parseIntervalType()
	}
	second, ok := typeNames[t.Text]
	if t.Kind != TokIdent || !ok {
		p.fail("a data type")
	}
	p.next()
	dt := &DataType{Pos: t.Pos, Name: t.Text}
	if second != "" && p.acceptKw(second) {
		dt.Name += " " + second
	}
	dt.Args = p.typeArgs()
	return dt
}

// parseIntervalType parses INTERVAL unit [TO unit], the type of CAST('5' AS INTERVAL MINUTE): Name is the
// whole qualifier ("INTERVAL DAY TO SECOND"). A precision may follow the last unit, where the printer puts
// Args back (INTERVAL MINUTE(4), INTERVAL DAY TO SECOND(3)); a leading field's precision in a TO form
// (INTERVAL DAY(3) TO SECOND) is not read.
func (p *parser) parseIntervalType() *DataType {
	dt := &DataType{Pos: p.expectKw("INTERVAL").Pos}
	dt.Name = "INTERVAL " + p.unit(intervalUnits)
	if p.acceptKw("TO") {
		dt.Name += " TO " + p.unit(intervalUnits)
	}
	dt.Args = p.typeArgs()
	return dt
}

// typeArgs parses the integer parameters of a data type, (16) or (10, 2), if there are any.
func (p *parser) typeArgs() []string {
	if !p.acceptOp("(") {
		return nil
	}
	var args []string
	for {
		n := p.peek()
		if n.Kind != TokNumber || strings.ContainsAny(n.Text, ".eE") {
			p.fail("an integer")
		}
		p.next()
		args = append(args, n.Text)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return args
}

func (p *parser) parseInsert() *Insert {
	ins := &Insert{Pos: p.expectKw("INSERT").Pos}
	ins.Expedited = p.acceptKw("EXPEDITED")
	p.expectKw("INTO")
	ins.Into = p.ident()
	if p.isOp("(") && !isKw(p.peekN(1), "SELECT") && !(p.peekN(1).Kind == TokOp && p.peekN(1).Text == "(") {
		ins.Columns = p.identList()
	}
	if !p.isKw("SELECT") && !p.isOp("(") {
		p.fail("SELECT")
	}
	ins.Query = p.parseQuery()
	return ins
}

func (p *parser) parseFunction(pos Pos, orReplace bool) *CreateFunction {
	f := &CreateFunction{Pos: pos, OrReplace: orReplace, Name: p.ident()}
	p.expectOp("(")
	if !p.isOp(")") {
		for {
			f.Params = append(f.Params, Param{Name: p.ident(), Type: p.parseType()})
			if !p.acceptOp(",") {
				break
			}
		}
	}
	p.expectOp(")")
	p.expectKw("RETURNS")
	f.Returns = p.parseType()
	for !p.isKw("RETURN") {
		switch {
		case p.acceptKw("LANGUAGE"):
			p.expectKw("SQL")
			f.Options = append(f.Options, "LANGUAGE SQL")
		case p.acceptKw("DETERMINISTIC"):
			f.Options = append(f.Options, "DETERMINISTIC")
		case p.acceptKw("NOT"):
			p.expectKw("DETERMINISTIC")
			f.Options = append(f.Options, "NOT DETERMINISTIC")
		case p.acceptKw("CONTAINS"):
			p.expectKw("SQL")
			f.Options = append(f.Options, "CONTAINS SQL")
		case p.acceptKw("NO"):
			p.expectKw("SQL")
			f.Options = append(f.Options, "NO SQL")
		case p.acceptKw("READS"):
			p.expectKw("SQL")
			p.expectKw("DATA")
			f.Options = append(f.Options, "READS SQL DATA")
		case p.acceptKw("MODIFIES"):
			p.expectKw("SQL")
			p.expectKw("DATA")
			f.Options = append(f.Options, "MODIFIES SQL DATA")
		case p.acceptKw("RETURNS"):
			p.expectKw("NULL")
			p.expectKw("ON")
			p.expectKw("NULL")
			p.expectKw("INPUT")
			f.Options = append(f.Options, "RETURNS NULL ON NULL INPUT")
		case p.acceptKw("CALLED"):
			p.expectKw("ON")
			p.expectKw("NULL")
			p.expectKw("INPUT")
			f.Options = append(f.Options, "CALLED ON NULL INPUT")
		default:
			p.fail("RETURN")
		}
	}
	p.expectKw("RETURN")
	f.Body = p.parseExpr()
	return f
}

// ---- queries ----

func (p *parser) parseQuery() QueryExpr {
	p.enter()
	defer p.leave()
	q := p.parseQueryTerm()
	for p.isKw("UNION") || p.isKw("EXCEPT") || p.isKw("INTERSECT") {
		op := p.next().Text
		all := p.acceptKw("ALL")
		if !all {
			p.acceptKw("DISTINCT")
		}
		q = &SetOp{Op: op, All: all, L: q, R: p.parseQueryTerm()}
	}
	return q
}

func (p *parser) parseQueryTerm() QueryExpr {
	if p.isOp("(") {
		pos := p.next().Pos
		q := p.parseQuery()
		p.expectOp(")")
		return &ParenQuery{Pos: pos, Query: q}
	}
	if p.isKw("VALUES") {
		return p.parseValues()
	}
	if !p.isKw("SELECT") {
		p.fail("SELECT")
	}
	return p.parseSelect()
}

// parseValues parses VALUES (e, ...) [, (e, ...)]...; the planner checks that the rows agree.
func (p *parser) parseValues() *Values {
	v := &Values{Pos: p.expectKw("VALUES").Pos}
	for {
		p.expectOp("(")
		v.Rows = append(v.Rows, p.parseExprList())
		p.expectOp(")")
		if !p.acceptOp(",") {
			return v
		}
	}
}

func (p *parser) parseSelect() *Select {
	s := &Select{Pos: p.expectKw("SELECT").Pos}
	if p.isKw("STREAM") {
		if u := p.peekN(1); !(u.Kind == TokOp && u.Text == ",") && !isKw(u, "FROM") {
			p.next()
			s.Stream = true
		}
	}
	if p.acceptKw("DISTINCT") {
		s.Distinct = true
	} else {
		p.acceptKw("ALL")
	}
	for {
		s.Items = append(s.Items, p.parseSelectItem())
		if !p.acceptOp(",") {
			break
		}
		// A comma before FROM is a slip that KDA's documentation itself makes (aws_doc_20); accept it.
		if p.isKw("FROM") {
			break
		}
	}
	if p.acceptKw("FROM") {
		s.From = p.parseFrom()
	} else if s.Stream || isIdentTok(p.peek()) {
		p.fail("FROM")
	}
	if p.acceptKw("WHERE") {
		s.Where = p.parseExpr()
	}
	if p.acceptKw("GROUP") {
		p.expectKw("BY")
		s.GroupBy = p.parseExprList()
	} else if p.acceptKw("WINDOWED") {
		p.expectKw("BY")
		p.expectKw("STAGGER")
		s.Stagger = p.parseWindowSpec()
	}
	if p.acceptKw("HAVING") {
		s.Having = p.parseExpr()
	}
	if p.acceptKw("WINDOW") {
		for {
			w := NamedWindow{Name: p.ident()}
			p.expectKw("AS")
			w.Spec = p.parseWindowSpec()
			s.Windows = append(s.Windows, w)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("ORDER") {
		p.expectKw("BY")
		s.OrderBy = p.parseOrderItems()
	}
	return s
}

func (p *parser) parseSelectItem() SelectItem {
	var it SelectItem
	if p.isOp("*") {
		it.Expr = &Star{Pos: p.next().Pos}
		return it
	}
	it.Expr = p.parseExpr()
	if p.acceptKw("AS") {
		a := p.ident()
		it.Alias = &a
	} else if p.canTakeImplicitAlias() {
		a := p.ident()
		it.Alias = &a
	}
	return it
}

func (p *parser) parseExprList() []Expr {
	var es []Expr
	for {
		es = append(es, p.parseExpr())
		if !p.acceptOp(",") {
			return es
		}
	}
}

func (p *parser) parseOrderItems() []OrderItem {
	var items []OrderItem
	for {
		it := OrderItem{Expr: p.parseExpr()}
		if p.acceptKw("ASC") {
			it.Dir = "ASC"
		} else if p.acceptKw("DESC") {
			it.Dir = "DESC"
		}
		items = append(items, it)
		if !p.acceptOp(",") {
			return items
		}
	}
}

// parseWindowSpec parses ( [base] [PARTITION BY ...] [ORDER BY ...] [RANGE|ROWS frame] ).
func (p *parser) parseWindowSpec() *WindowSpec {
	w := &WindowSpec{Pos: p.expectOp("(").Pos}
	if isIdentTok(p.peek()) {
		b := p.ident()
		w.Base = &b
	}
	if p.acceptKw("PARTITION") {
		p.expectKw("BY")
		w.PartitionBy = p.parseExprList()
	}
	if p.acceptKw("ORDER") {
		p.expectKw("BY")
		w.OrderBy = p.parseOrderItems()
	}
	if p.isKw("RANGE") || p.isKw("ROWS") {
		f := &Frame{Unit: p.next().Text}
		if p.acceptKw("BETWEEN") {
			f.Start = p.parseBound()
			p.expectKw("AND")
			end := p.parseBound()
			f.End = &end
		} else {
			f.Start = p.parseBound()
		}
		w.Frame = f
	}
	if !p.isOp(")") {
		if w.Frame == nil {
			p.fail(`PARTITION BY, ORDER BY, RANGE, ROWS or ")"`)
		}
		p.fail(`")"`)
	}
	p.next()
	return w
}

func (p *parser) parseBound() Bound {
	if p.isKw("UNBOUNDED") {
		p.next()
		if p.acceptKw("PRECEDING") {
			return Bound{Kind: "UNBOUNDED PRECEDING"}
		}
		p.expectKw("FOLLOWING")
		return Bound{Kind: "UNBOUNDED FOLLOWING"}
	}
	if p.isKw("CURRENT") && isKw(p.peekN(1), "ROW") {
		p.next()
		p.next()
		return Bound{Kind: "CURRENT ROW"}
	}
	b := Bound{Offset: p.parseAdditive()}
	if p.acceptKw("PRECEDING") {
		b.Kind = "PRECEDING"
	} else if p.acceptKw("FOLLOWING") {
		b.Kind = "FOLLOWING"
	}
	return b
}

func (p *parser) parseFrom() TableExpr {
	l := p.parseTablePrimary()
	for {
		var kind JoinKind
		// NATURAL <join-type> JOIN (the FROM clause page's grammar; the join type may be left out, as
		// standard SQL allows): the columns both sides share are the join's keys, so ON and USING are not
		// written.
		natural := p.acceptKw("NATURAL")
		if natural && !p.isKw("JOIN") && !p.isKw("INNER") && !p.isKw("LEFT") && !p.isKw("RIGHT") && !p.isKw("FULL") {
			p.fail("JOIN, INNER, LEFT, RIGHT or FULL")
		}
		switch {
		case p.acceptOp(","):
			l = &Join{Kind: CommaJoin, L: l, R: p.parseTablePrimary()}
			continue
		case p.acceptKw("JOIN"):
			kind = InnerJoin
		case p.acceptKw("INNER"):
			p.expectKw("JOIN")
			kind = InnerJoin
		case p.acceptKw("CROSS"):
			p.expectKw("JOIN")
			l = &Join{Kind: CrossJoin, L: l, R: p.parseTablePrimary()}
			continue
		case p.isKw("LEFT") || p.isKw("RIGHT") || p.isKw("FULL"):
			kind = map[string]JoinKind{"LEFT": LeftJoin, "RIGHT": RightJoin, "FULL": FullJoin}[p.next().Text]
			p.acceptKw("OUTER")
			p.expectKw("JOIN")
		default:
			return l
		}
		j := &Join{Kind: kind, Natural: natural, L: l, R: p.parseTablePrimary()}
		if natural {
			l = j
			continue
		}
		if p.acceptKw("ON") {
			j.On = p.parseExpr()
		} else if p.acceptKw("USING") {
			j.Using = p.identList()
		} else {
			p.fail("ON or USING")
		}
		l = j
	}
}

func (p *parser) parseTablePrimary() TableExpr {
	t := p.peek()
	switch {
	case t.Kind == TokOp && t.Text == "(":
		u := p.peekN(1)
		if !isKw(u, "SELECT") && !isKw(u, "VALUES") && !(u.Kind == TokOp && u.Text == "(") {
			p.next()
			p.fail("SELECT or VALUES")
		}
		p.enter()
		p.next()
		d := &DerivedTable{Pos: t.Pos, Query: p.parseQuery()}
		p.expectOp(")")
		p.leave()
		d.Alias, d.ColAliases = p.parseTableAlias()
		return d
	case isKw(t, "TABLE") && p.peekN(1).Kind == TokOp && p.peekN(1).Text == "(":
		p.next()
		p.next()
		f := &TableFunc{Pos: t.Pos}
		c := p.peek()
		call, ok := p.parsePrimary().(*FuncCall)
		if !ok || call.Over != nil || call.OverName != nil {
			p.failAt(c, "expected a table function call, found %s", describe(c))
		}
		f.Call = call
		p.expectOp(")")
		f.Alias, f.ColAliases = p.parseTableAlias()
		return f
	case isIdentTok(t):
		r := &TableRef{Pos: t.Pos, Name: p.parseName()}
		if p.acceptKw("OVER") {
			if p.isOp("(") {
				r.Over = p.parseWindowSpec()
			} else {
				w := p.ident()
				r.OverName = &w
			}
		}
		r.Alias, r.ColAliases = p.parseTableAlias()
		return r
	}
	p.fail("a stream name, a subquery or TABLE(...)")
	return nil
}

func (p *parser) parseName() []Ident {
	name := []Ident{p.ident()}
	for p.isOp(".") && isIdentTok(p.peekN(1)) {
		p.next()
		name = append(name, p.ident())
	}
	return name
}

func (p *parser) parseTableAlias() (*Ident, []Ident) {
	var a Ident
	switch {
	case p.acceptKw("AS"):
		a = p.ident()
		if p.isOp("(") {
			return &a, p.identList()
		}
		return &a, nil
	case p.canTakeImplicitAlias():
		a = p.ident()
		return &a, nil
	}
	return nil, nil
}

// ---- expressions ----

func (p *parser) parseExpr() Expr {
	p.enter()
	defer p.leave()
	l := p.parseAnd()
	for p.acceptKw("OR") {
		l = &BinaryExpr{Op: "OR", L: l, R: p.parseAnd()}
	}
	return l
}

func (p *parser) parseAnd() Expr {
	l := p.parseNot()
	for p.acceptKw("AND") {
		l = &BinaryExpr{Op: "AND", L: l, R: p.parseNot()}
	}
	return l
}

func (p *parser) parseNot() Expr {
	if p.isKw("NOT") {
		t := p.next()
		p.enter()
		defer p.leave()
		return &UnaryExpr{Pos: t.Pos, Op: "NOT", X: p.parseNot()}
	}
	return p.parsePredicate()
}

var comparisons = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) parsePredicate() Expr {
	l := p.parseAdditive()
	for {
		t := p.peek()
		if t.Kind == TokOp && comparisons[t.Text] {
			p.next()
			l = &BinaryExpr{Op: t.Text, L: l, R: p.parseAdditive()}
			continue
		}
		if p.acceptKw("IS") {
			is := &Is{X: l, Not: p.acceptKw("NOT")}
			switch {
			case p.isKw("NULL") || p.isKw("TRUE") || p.isKw("FALSE") || p.isKw("UNKNOWN"):
				is.What = p.next().Text
			case p.acceptKw("DISTINCT"):
				p.expectKw("FROM")
				is.What = "DISTINCT FROM"
				is.Y = p.parseAdditive()
			default:
				p.fail("NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM")
			}
			l = is
			continue
		}
		if p.substringSource && p.isKw("SIMILAR") && !isKw(p.peekN(1), "TO") {
			return l
		}
		not := false
		if p.isKw("NOT") {
			u := p.peekN(1)
			if !isKw(u, "LIKE") && !isKw(u, "SIMILAR") && !isKw(u, "IN") && !isKw(u, "BETWEEN") {
				return l
			}
			p.next()
			not = true
		}
		switch {
		case p.acceptKw("LIKE"):
			l = p.finishLike(&Like{X: l, Not: not})
		case p.acceptKw("SIMILAR"):
			p.expectKw("TO")
			l = p.finishLike(&Like{X: l, Not: not, Similar: true})
		case p.acceptKw("BETWEEN"):
			b := &Between{X: l, Not: not, Lo: p.parseAdditive()}
			p.expectKw("AND")
			b.Hi = p.parseAdditive()
			l = b
		case p.acceptKw("IN"):
			in := &In{X: l, Not: not}
			p.expectOp("(")
			if p.isKw("SELECT") {
				in.Query = p.parseQuery()
			} else {
				in.List = p.parseExprList()
			}
			p.expectOp(")")
			l = in
		default:
			return l
		}
	}
}

func (p *parser) finishLike(l *Like) Expr {
	l.Pattern = p.parseAdditive()
	if p.acceptKw("ESCAPE") {
		l.Escape = p.parseAdditive()
	}
	return l
}

func (p *parser) parseAdditive() Expr {
	l := p.parseMultiplicative()
	for p.isOp("+") || p.isOp("-") {
		op := p.next().Text
		l = &BinaryExpr{Op: op, L: l, R: p.parseMultiplicative()}
	}
	return l
}

// parseMultiplicative parses * / % and ||, which binds like * as in Calcite and SQLstream.
func (p *parser) parseMultiplicative() Expr {
	l := p.parseUnary()
	for p.isOp("*") || p.isOp("/") || p.isOp("%") || p.isOp("||") {
		op := p.next().Text
		l = &BinaryExpr{Op: op, L: l, R: p.parseUnary()}
	}
	return l
}

func (p *parser) parseUnary() Expr {
	if p.isOp("-") || p.isOp("+") {
		t := p.next()
		p.enter()
		defer p.leave()
		return &UnaryExpr{Pos: t.Pos, Op: t.Text, X: p.parseUnary()}
	}
	x := p.parsePrimary()
	for p.isOp("::") {
		p.next()
		x = &Cast{Pos: Start(x), X: x, Type: p.parseType()}
	}
	return x
}

func (p *parser) unit(units map[string]bool) string {
	t := p.peek()
	if t.Kind != TokIdent || !units[t.Text] {
		p.fail("a time unit")
	}
	p.next()
	return t.Text
}

func (p *parser) parsePrimary() Expr {
	t := p.peek()
	switch t.Kind {
	case TokNumber:
		p.next()
		return &NumberLit{Pos: t.Pos, Text: t.Text}
	case TokString:
		p.next()
		return &StringLit{Pos: t.Pos, Value: t.Text}
	case TokOp:
		if t.Text != "(" {
			break
		}
		p.next()
		if p.isKw("SELECT") {
			s := &Subquery{Pos: t.Pos, Query: p.parseQuery()}
			p.expectOp(")")
			return s
		}
		pe := &ParenExpr{Pos: t.Pos, X: p.parseExpr()}
		p.expectOp(")")
		if u := p.peek(); u.Kind == TokIdent && intervalUnits[u.Text] {
			ic := &IntervalCast{X: pe, Unit: p.next().Text}
			if p.acceptKw("TO") {
				ic.ToUnit = p.unit(intervalUnits)
			}
			return ic
		}
		return pe
	case TokQuotedIdent:
		return p.parseNameOrCall()
	case TokIdent:
		switch t.Text {
		case "NULL":
			p.next()
			return &NullLit{Pos: t.Pos}
		case "TRUE", "FALSE":
			p.next()
			return &BoolLit{Pos: t.Pos, Value: t.Text == "TRUE"}
		case "INTERVAL":
			p.next()
			iv := &IntervalLit{Pos: t.Pos}
			if p.acceptOp("-") {
				iv.Minus = true
			}
			iv.Value = p.stringLit()
			iv.Unit = p.unit(intervalUnits)
			if p.acceptKw("TO") {
				iv.ToUnit = p.unit(intervalUnits)
			}
			return iv
		case "CASE":
			return p.parseCase()
		case "TIMESTAMP", "DATE", "TIME":
			if p.peekN(1).Kind == TokString {
				p.next()
				return &TypedLit{Pos: t.Pos, Type: t.Text, Value: p.next().Text}
			}
		}
		if reserved[t.Text] {
			break
		}
		return p.parseNameOrCall()
	}
	p.fail("an expression")
	return nil
}

func (p *parser) parseCase() Expr {
	c := &Case{Pos: p.expectKw("CASE").Pos}
	if !p.isKw("WHEN") {
		c.Operand = p.parseExpr()
	}
	for p.acceptKw("WHEN") {
		w := When{Cond: p.parseExpr()}
		p.expectKw("THEN")
		w.Result = p.parseExpr()
		c.Whens = append(c.Whens, w)
	}
	if len(c.Whens) == 0 {
		p.fail("WHEN")
	}
	if p.acceptKw("ELSE") {
		c.Else = p.parseExpr()
	}
	p.expectKw("END")
	return c
}

// parseNameOrCall parses a column reference (a.b.c, a.*) or a function call with its special argument forms.
func (p *parser) parseNameOrCall() Expr {
	t := p.peek()
	if u := p.peekN(1); u.Kind == TokOp && u.Text == "(" {
		return p.parseCall()
	}
	parts := []Ident{p.ident()}
	for p.isOp(".") {
		p.next()
		if p.isOp("*") {
			p.next()
			return &Star{Pos: t.Pos, Qualifier: parts}
		}
		parts = append(parts, p.ident())
	}
	return &ColumnRef{Parts: parts}
}

func (p *parser) parseCall() Expr {
	name := p.ident()
	p.expectOp("(")
	p.enter()
	defer p.leave()
	if !name.Quoted {
		switch name.Name {
		case "CAST":
			c := &Cast{Pos: name.Pos, X: p.parseExpr()}
			p.expectKw("AS")
			c.Type = p.parseType()
			p.expectOp(")")
			return c
		case "STEP":
			s := &Step{Pos: name.Pos, X: p.parseExpr()}
			p.expectKw("BY")
			s.Width = p.parseExpr()
			p.expectOp(")")
			return s
		case "FLOOR", "CEIL", "CEILING":
			x := p.parseExpr()
			if p.acceptKw("TO") {
				f := &FloorTo{Pos: name.Pos, Name: name.Name, X: x, Unit: p.unit(floorUnits)}
				p.expectOp(")")
				return f
			}
			return p.finishCall(&FuncCall{Name: name, Args: []Expr{x}})
		case "EXTRACT":
			e := &Extract{Pos: name.Pos, Unit: p.unit(floorUnits)}
			p.expectKw("FROM")
			e.X = p.parseExpr()
			p.expectOp(")")
			return e
		case "POSITION":
			ps := &Position{Pos: name.Pos, Sub: p.parseAdditive()}
			p.expectKw("IN")
			ps.S = p.parseExpr()
			p.expectOp(")")
			return ps
		case "SUBSTRING":
			outer := p.substringSource
			p.substringSource = true
			x := p.parseExpr()
			p.substringSource = outer
			if p.acceptKw("SIMILAR") {
				s := &Substring{Pos: name.Pos, S: x, From: p.parseExpr(), Similar: true}
				p.expectKw("ESCAPE")
				s.For = p.parseExpr()
				p.expectOp(")")
				return s
			}
			if p.acceptKw("FROM") {
				s := &Substring{Pos: name.Pos, S: x, From: p.parseExpr()}
				if p.acceptKw("FOR") {
					s.For = p.parseExpr()
				}
				p.expectOp(")")
				return s
			}
			return p.finishCall(&FuncCall{Name: name, Args: []Expr{x}})
		case "TRIM":
			tr := &Trim{Pos: name.Pos}
			if p.isKw("BOTH") || p.isKw("LEADING") || p.isKw("TRAILING") {
				tr.Where = p.next().Text
			}
			if !p.isKw("FROM") {
				x := p.parseExpr()
				if tr.Where == "" && !p.isKw("FROM") {
					return p.finishCall(&FuncCall{Name: name, Args: []Expr{x}})
				}
				tr.Chars = x
			}
			p.expectKw("FROM")
			tr.S = p.parseExpr()
			p.expectOp(")")
			return tr
		case "OVERLAY":
			o := &Overlay{Pos: name.Pos, S: p.parseExpr()}
			p.expectKw("PLACING")
			o.With = p.parseExpr()
			p.expectKw("FROM")
			o.From = p.parseExpr()
			if p.acceptKw("FOR") {
				o.For = p.parseExpr()
			}
			p.expectOp(")")
			return o
		case "CURSOR", "EXISTS":
			if !p.isKw("SELECT") && !p.isOp("(") {
				p.fail("SELECT")
			}
			q := p.parseQuery()
			p.expectOp(")")
			if name.Name == "CURSOR" {
				return &Cursor{Pos: name.Pos, Query: q}
			}
			return &Exists{Pos: name.Pos, Query: q}
		}
	}
	f := &FuncCall{Name: name}
	if p.acceptOp(")") {
		return p.finishOver(f)
	}
	if p.acceptKw("DISTINCT") {
		f.Distinct = true
	} else {
		p.acceptKw("ALL")
	}
	f.Args = append(f.Args, p.parseArg())
	return p.finishCall(f)
}

// parseArg parses a function argument: an expression, * (COUNT(*)) or TABLE name (Flink's window functions).
func (p *parser) parseArg() Expr {
	t := p.peek()
	if t.Kind == TokOp && t.Text == "*" {
		p.next()
		return &Star{Pos: t.Pos}
	}
	if isKw(t, "TABLE") && isIdentTok(p.peekN(1)) {
		p.next()
		return &TableArg{Pos: t.Pos, Name: p.parseName()}
	}
	return p.parseExpr()
}

// finishCall parses the remaining arguments of f after its first, the closing parenthesis and what may follow.
func (p *parser) finishCall(f *FuncCall) Expr {
	for p.acceptOp(",") {
		f.Args = append(f.Args, p.parseArg())
	}
	p.expectOp(")")
	return p.finishOver(f)
}

func (p *parser) finishOver(f *FuncCall) Expr {
	// NTH_VALUE(x, n) FROM FIRST|LAST: a FROM that begins the query's FROM clause is not followed by FIRST or
	// LAST and then the rest of an analytic call (an unquoted FIRST or LAST is a keyword, not a stream).
	if p.isKw("FROM") && (isKw(p.peekN(1), "FIRST") || isKw(p.peekN(1), "LAST")) {
		if n := p.peekN(2); isKw(n, "OVER") || isKw(n, "IGNORE") || isKw(n, "RESPECT") {
			p.next()
			f.FromLast = p.next().Text == "LAST"
		}
	}
	// The reference writes "IGNORE NULL" once in NTH_VALUE's grammar: both spellings are read.
	if (p.isKw("IGNORE") || p.isKw("RESPECT")) && (isKw(p.peekN(1), "NULLS") || isKw(p.peekN(1), "NULL")) {
		f.NullTreatment = strings.ToUpper(p.next().Text) + " NULLS"
		p.next()
	}
	if p.acceptKw("OVER") {
		if p.isOp("(") {
			f.Over = p.parseWindowSpec()
		} else {
			w := p.ident()
			f.OverName = &w
		}
	}
	return f
}
