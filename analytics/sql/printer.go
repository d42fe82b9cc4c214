package sql

import (
	"strings"
)

// Format returns the canonical SQL text of a node: keywords in upper case, unquoted identifiers in their folded
// (upper-case) form, quoted identifiers in double quotes, one clause per line. Parsing the text gives back the same
// tree, positions aside.
func Format(n Node) string {
	var pr printer
	pr.node(n)
	return pr.b.String()
}

// String returns the canonical text of the script: its statements, each ended by a semicolon.
func (s *Script) String() string {
	var pr printer
	for i, st := range s.Stmts {
		if i > 0 {
			pr.b.WriteString("\n")
		}
		pr.node(st)
		pr.b.WriteString(";\n")
	}
	return pr.b.String()
}

type printer struct {
	b      strings.Builder
	indent int
	inline int // > 0 while printing a query inside an expression: clauses then go on one line
}

func (pr *printer) w(ss ...string) {
	for _, s := range ss {
		pr.b.WriteString(s)
	}
}

// nl starts a new line at the current indent, or writes a space inside an expression.
func (pr *printer) nl() {
	if pr.inline > 0 {
		pr.b.WriteByte(' ')
		return
	}
	pr.b.WriteByte('\n')
	pr.b.WriteString(strings.Repeat("  ", pr.indent))
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (pr *printer) ident(id Ident) {
	if id.Quoted {
		pr.w(`"`, strings.ReplaceAll(id.Name, `"`, `""`), `"`)
		return
	}
	pr.w(id.Name)
}

func (pr *printer) idents(ids []Ident, sep string) {
	for i, id := range ids {
		if i > 0 {
			pr.w(sep)
		}
		pr.ident(id)
	}
}

func (pr *printer) node(n Node) {
	switch n := n.(type) {
	case Stmt:
		pr.stmt(n)
	case QueryExpr:
		pr.query(n)
	case Expr:
		pr.expr(n)
	case TableExpr:
		pr.table(n)
	}
}

func (pr *printer) create(orReplace bool, what string, name Ident) {
	pr.w("CREATE ")
	if orReplace {
		pr.w("OR REPLACE ")
	}
	pr.w(what, " ")
	pr.ident(name)
}

func (pr *printer) columns(cols []ColumnDef, wm *Watermark) {
	pr.w(" (")
	for i, c := range cols {
		if i > 0 {
			pr.w(",")
		}
		pr.w("\n  ")
		pr.ident(c.Name)
		if c.Computed != nil {
			pr.w(" AS ")
			pr.expr(c.Computed)
			continue
		}
		pr.w(" ")
		pr.dataType(c.Type)
		if c.NotNull {
			pr.w(" NOT NULL")
		}
	}
	if wm != nil {
		if len(cols) > 0 {
			pr.w(",")
		}
		pr.w("\n  WATERMARK FOR ")
		pr.ident(wm.Column)
		pr.w(" AS ")
		pr.expr(wm.Expr)
	}
	pr.w("\n)")
}

func (pr *printer) dataType(t *DataType) {
	if t.Fields != nil {
		pr.w("ROW<")
		for i, f := range t.Fields {
			if i > 0 {
				pr.w(", ")
			}
			pr.ident(f.Name)
			pr.w(" ")
			pr.dataType(f.Type)
		}
		pr.w(">")
		return
	}
	pr.w(t.Name)
	if len(t.Args) > 0 {
		pr.w("(", strings.Join(t.Args, ", "), ")")
	}
}

func (pr *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *CreateStream:
		pr.create(s.OrReplace, "STREAM", s.Name)
		pr.columns(s.Columns, nil)
		if s.Description != nil {
			pr.w(" DESCRIPTION ", quoteString(*s.Description))
		}
	case *CreateTable:
		pr.create(s.OrReplace, "TABLE", s.Name)
		pr.columns(s.Columns, s.Watermark)
		if len(s.With) > 0 {
			pr.w(" WITH (")
			for i, o := range s.With {
				if i > 0 {
					pr.w(", ")
				}
				pr.w(quoteString(o.Key), " = ", quoteString(o.Value))
			}
			pr.w(")")
		}
	case *CreatePump:
		pr.create(s.OrReplace, "PUMP", s.Name)
		pr.w(" AS")
		pr.nl()
		pr.stmt(s.Insert)
	case *Insert:
		pr.w("INSERT ")
		if s.Expedited {
			pr.w("EXPEDITED ")
		}
		pr.w("INTO ")
		pr.ident(s.Into)
		if len(s.Columns) > 0 {
			pr.w(" (")
			pr.idents(s.Columns, ", ")
			pr.w(")")
		}
		pr.nl()
		pr.query(s.Query)
	case *CreateFunction:
		pr.create(s.OrReplace, "FUNCTION", s.Name)
		pr.w("(")
		for i, prm := range s.Params {
			if i > 0 {
				pr.w(", ")
			}
			pr.ident(prm.Name)
			pr.w(" ")
			pr.dataType(prm.Type)
		}
		pr.w(") RETURNS ")
		pr.dataType(s.Returns)
		for _, o := range s.Options {
			pr.w(" ", o)
		}
		pr.nl()
		pr.w("RETURN ")
		pr.expr(s.Body)
	case *CreateView:
		pr.create(s.OrReplace, "VIEW", s.Name)
		if len(s.Columns) > 0 {
			pr.w(" (")
			pr.idents(s.Columns, ", ")
			pr.w(")")
		}
		pr.w(" AS")
		pr.nl()
		pr.query(s.Query)
	case *QueryStmt:
		pr.query(s.Query)
	}
}

func (pr *printer) query(q QueryExpr) {
	switch q := q.(type) {
	case *Select:
		pr.selectQuery(q)
	case *SetOp:
		pr.query(q.L)
		pr.nl()
		pr.w(q.Op)
		if q.All {
			pr.w(" ALL")
		}
		pr.nl()
		pr.query(q.R)
	case *ParenQuery:
		pr.w("(")
		pr.indent++
		pr.nl()
		pr.query(q.Query)
		pr.indent--
		pr.nl()
		pr.w(")")
	case *Values:
		pr.w("VALUES ")
		for i, row := range q.Rows {
			if i > 0 {
				pr.w(", ")
			}
			pr.w("(")
			pr.exprs(row)
			pr.w(")")
		}
	}
}

func (pr *printer) exprs(es []Expr) {
	for i, e := range es {
		if i > 0 {
			pr.w(", ")
		}
		pr.expr(e)
	}
}

func (pr *printer) orderItems(items []OrderItem) {
	for i, it := range items {
		if i > 0 {
			pr.w(", ")
		}
		pr.expr(it.Expr)
		if it.Dir != "" {
			pr.w(" ", it.Dir)
		}
	}
}

func (pr *printer) selectQuery(s *Select) {
	pr.w("SELECT ")
	if s.Stream {
		pr.w("STREAM ")
	}
	if s.Distinct {
		pr.w("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			pr.w(", ")
		}
		pr.expr(it.Expr)
		if it.Alias != nil {
			pr.w(" AS ")
			pr.ident(*it.Alias)
		}
	}
	if s.From != nil {
		pr.nl()
		pr.w("FROM ")
		pr.table(s.From)
	}
	if s.Where != nil {
		pr.nl()
		pr.w("WHERE ")
		pr.expr(s.Where)
	}
	if len(s.GroupBy) > 0 {
		pr.nl()
		pr.w("GROUP BY ")
		pr.exprs(s.GroupBy)
	}
	if s.Stagger != nil {
		pr.nl()
		pr.w("WINDOWED BY STAGGER ")
		pr.windowSpec(s.Stagger)
	}
	if s.Having != nil {
		pr.nl()
		pr.w("HAVING ")
		pr.expr(s.Having)
	}
	if len(s.Windows) > 0 {
		pr.nl()
		pr.w("WINDOW ")
		for i, w := range s.Windows {
			if i > 0 {
				pr.w(", ")
			}
			pr.ident(w.Name)
			pr.w(" AS ")
			pr.windowSpec(w.Spec)
		}
	}
	if len(s.OrderBy) > 0 {
		pr.nl()
		pr.w("ORDER BY ")
		pr.orderItems(s.OrderBy)
	}
}

func (pr *printer) windowSpec(w *WindowSpec) {
	pr.w("(")
	sep := ""
	if w.Base != nil {
		pr.ident(*w.Base)
		sep = " "
	}
	if len(w.PartitionBy) > 0 {
		pr.w(sep, "PARTITION BY ")
		pr.exprs(w.PartitionBy)
		sep = " "
	}
	if len(w.OrderBy) > 0 {
		pr.w(sep, "ORDER BY ")
		pr.orderItems(w.OrderBy)
		sep = " "
	}
	if f := w.Frame; f != nil {
		pr.w(sep, f.Unit, " ")
		if f.End != nil {
			pr.w("BETWEEN ")
			pr.bound(f.Start)
			pr.w(" AND ")
			pr.bound(*f.End)
		} else {
			pr.bound(f.Start)
		}
	}
	pr.w(")")
}

func (pr *printer) bound(b Bound) {
	if b.Offset == nil {
		pr.w(b.Kind)
		return
	}
	pr.expr(b.Offset)
	if b.Kind != "" {
		pr.w(" ", b.Kind)
	}
}

var joinWords = map[JoinKind]string{InnerJoin: "JOIN", LeftJoin: "LEFT JOIN", RightJoin: "RIGHT JOIN",
	FullJoin: "FULL JOIN", CrossJoin: "CROSS JOIN"}

func (pr *printer) tableAlias(a *Ident, cols []Ident) {
	if a == nil {
		return
	}
	pr.w(" AS ")
	pr.ident(*a)
	if len(cols) > 0 {
		pr.w("(")
		pr.idents(cols, ", ")
		pr.w(")")
	}
}

func (pr *printer) table(t TableExpr) {
	switch t := t.(type) {
	case *TableRef:
		pr.idents(t.Name, ".")
		if t.Over != nil {
			pr.w(" OVER ")
			pr.windowSpec(t.Over)
		} else if t.OverName != nil {
			pr.w(" OVER ")
			pr.ident(*t.OverName)
		}
		pr.tableAlias(t.Alias, t.ColAliases)
	case *DerivedTable:
		pr.w("(")
		pr.indent++
		pr.nl()
		pr.query(t.Query)
		pr.indent--
		pr.nl()
		pr.w(")")
		pr.tableAlias(t.Alias, t.ColAliases)
	case *TableFunc:
		pr.w("TABLE(")
		pr.expr(t.Call)
		pr.w(")")
		pr.tableAlias(t.Alias, t.ColAliases)
	case *Join:
		pr.table(t.L)
		if t.Kind == CommaJoin {
			pr.w(",")
			pr.nl()
			pr.w("  ")
		} else {
			pr.nl()
			pr.w("  ")
			if t.Natural {
				pr.w("NATURAL ")
			}
			pr.w(joinWords[t.Kind], " ")
		}
		pr.table(t.R)
		if t.On != nil {
			pr.w(" ON ")
			pr.expr(t.On)
		} else if len(t.Using) > 0 {
			pr.w(" USING (")
			pr.idents(t.Using, ", ")
			pr.w(")")
		}
	}
}

// subquery prints a query inside an expression, on one line.
func (pr *printer) subquery(q QueryExpr) {
	pr.inline++
	pr.query(q)
	pr.inline--
}

func (pr *printer) expr(e Expr) {
	switch e := e.(type) {
	case *ColumnRef:
		pr.idents(e.Parts, ".")
	case *Star:
		for _, q := range e.Qualifier {
			pr.ident(q)
			pr.w(".")
		}
		pr.w("*")
	case *NumberLit:
		pr.w(e.Text)
	case *StringLit:
		pr.w(quoteString(e.Value))
	case *BoolLit:
		if e.Value {
			pr.w("TRUE")
		} else {
			pr.w("FALSE")
		}
	case *NullLit:
		pr.w("NULL")
	case *IntervalLit:
		pr.w("INTERVAL ")
		if e.Minus {
			pr.w("-")
		}
		pr.w(quoteString(e.Value), " ", e.Unit)
		if e.ToUnit != "" {
			pr.w(" TO ", e.ToUnit)
		}
	case *TypedLit:
		pr.w(e.Type, " ", quoteString(e.Value))
	case *UnaryExpr:
		if e.Op == "NOT" {
			pr.w("NOT ")
			pr.expr(e.X)
			return
		}
		pr.w(e.Op)
		// A space keeps - -x from reading as a -- comment.
		if u, ok := e.X.(*UnaryExpr); ok && u.Op != "NOT" {
			pr.w(" ")
		}
		pr.expr(e.X)
	case *BinaryExpr:
		pr.expr(e.L)
		pr.w(" ", e.Op, " ")
		pr.expr(e.R)
	case *ParenExpr:
		pr.w("(")
		pr.expr(e.X)
		pr.w(")")
	case *IntervalCast:
		pr.expr(e.X)
		pr.w(" ", e.Unit)
		if e.ToUnit != "" {
			pr.w(" TO ", e.ToUnit)
		}
	case *Is:
		pr.expr(e.X)
		pr.w(" IS ")
		if e.Not {
			pr.w("NOT ")
		}
		pr.w(e.What)
		if e.Y != nil {
			pr.w(" ")
			pr.expr(e.Y)
		}
	case *Like:
		pr.expr(e.X)
		if e.Not {
			pr.w(" NOT")
		}
		if e.Similar {
			pr.w(" SIMILAR TO ")
		} else {
			pr.w(" LIKE ")
		}
		pr.expr(e.Pattern)
		if e.Escape != nil {
			pr.w(" ESCAPE ")
			pr.expr(e.Escape)
		}
	case *In:
		pr.expr(e.X)
		if e.Not {
			pr.w(" NOT")
		}
		pr.w(" IN (")
		if e.Query != nil {
			pr.subquery(e.Query)
		} else {
			pr.exprs(e.List)
		}
		pr.w(")")
	case *Between:
		pr.expr(e.X)
		if e.Not {
			pr.w(" NOT")
		}
		pr.w(" BETWEEN ")
		pr.expr(e.Lo)
		pr.w(" AND ")
		pr.expr(e.Hi)
	case *Case:
		pr.w("CASE")
		if e.Operand != nil {
			pr.w(" ")
			pr.expr(e.Operand)
		}
		for _, w := range e.Whens {
			pr.w(" WHEN ")
			pr.expr(w.Cond)
			pr.w(" THEN ")
			pr.expr(w.Result)
		}
		if e.Else != nil {
			pr.w(" ELSE ")
			pr.expr(e.Else)
		}
		pr.w(" END")
	case *Cast:
		pr.w("CAST(")
		pr.expr(e.X)
		pr.w(" AS ")
		pr.dataType(e.Type)
		pr.w(")")
	case *FuncCall:
		pr.ident(e.Name)
		pr.w("(")
		if e.Distinct {
			pr.w("DISTINCT ")
		}
		pr.exprs(e.Args)
		pr.w(")")
		if e.FromLast {
			pr.w(" FROM LAST")
		}
		if e.NullTreatment != "" {
			pr.w(" ", e.NullTreatment)
		}
		if e.Over != nil {
			pr.w(" OVER ")
			pr.windowSpec(e.Over)
		} else if e.OverName != nil {
			pr.w(" OVER ")
			pr.ident(*e.OverName)
		}
	case *Step:
		pr.w("STEP(")
		pr.expr(e.X)
		pr.w(" BY ")
		pr.expr(e.Width)
		pr.w(")")
	case *FloorTo:
		pr.w(e.Name, "(")
		pr.expr(e.X)
		pr.w(" TO ", e.Unit, ")")
	case *Extract:
		pr.w("EXTRACT(", e.Unit, " FROM ")
		pr.expr(e.X)
		pr.w(")")
	case *Position:
		pr.w("POSITION(")
		pr.expr(e.Sub)
		pr.w(" IN ")
		pr.expr(e.S)
		pr.w(")")
	case *Substring:
		pr.w("SUBSTRING(")
		pr.expr(e.S)
		if e.Similar {
			pr.w(" SIMILAR ")
			pr.expr(e.From)
			pr.w(" ESCAPE ")
			pr.expr(e.For)
			pr.w(")")
			break
		}
		pr.w(" FROM ")
		pr.expr(e.From)
		if e.For != nil {
			pr.w(" FOR ")
			pr.expr(e.For)
		}
		pr.w(")")
	case *Overlay:
		pr.w("OVERLAY(")
		pr.expr(e.S)
		pr.w(" PLACING ")
		pr.expr(e.With)
		pr.w(" FROM ")
		pr.expr(e.From)
		if e.For != nil {
			pr.w(" FOR ")
			pr.expr(e.For)
		}
		pr.w(")")
	case *Trim:
		pr.w("TRIM(")
		if e.Where != "" {
			pr.w(e.Where, " ")
		}
		if e.Chars != nil {
			pr.expr(e.Chars)
			pr.w(" ")
		}
		pr.w("FROM ")
		pr.expr(e.S)
		pr.w(")")
	case *Cursor:
		pr.w("CURSOR(")
		pr.subquery(e.Query)
		pr.w(")")
	case *TableArg:
		pr.w("TABLE ")
		pr.idents(e.Name, ".")
	case *Subquery:
		pr.w("(")
		pr.subquery(e.Query)
		pr.w(")")
	case *Exists:
		pr.w("EXISTS(")
		pr.subquery(e.Query)
		pr.w(")")
	}
}
