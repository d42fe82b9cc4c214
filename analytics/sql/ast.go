package sql

// Node is any AST node. Nodes that begin with a token of their own record its position (Pos); the others,
// such as BinaryExpr, start where their first child starts.
type Node interface{ node() }

// Ident is an identifier. Name is upper-cased when the identifier was written unquoted (KDA's folding rule) and
// kept as written when it was quoted.
type Ident struct {
	Pos    Pos
	Name   string
	Quoted bool
}

// Script is a parsed application: its statements in order.
type Script struct {
	Stmts []Stmt
}

// Stmt is a statement.
type Stmt interface {
	Node
	stmt()
}

// CreateStream is CREATE [OR REPLACE] STREAM name (columns) [DESCRIPTION 'text'].
type CreateStream struct {
	Pos         Pos
	OrReplace   bool
	Name        Ident
	Columns     []ColumnDef
	Description *string
}

// CreateTable is CREATE TABLE name (columns) [WITH ('key' = 'value', ...)], as Flink SQL writes its sources
// and sinks (the Nexmark queries).
type CreateTable struct {
	Pos       Pos
	OrReplace bool
	Name      Ident
	Columns   []ColumnDef
	Watermark *Watermark
	With      []Option
}

// Option is one 'key' = 'value' pair of a WITH clause.
type Option struct {
	Key, Value string
}

// ColumnDef is one column of a CREATE STREAM or CREATE TABLE. A computed column of a Flink table
// (name AS expr) has Computed set and no Type.
type ColumnDef struct {
	Name     Ident
	Type     *DataType
	NotNull  bool
	Computed Expr
}

// Watermark is Flink's WATERMARK FOR column AS expr in a CREATE TABLE.
type Watermark struct {
	Column Ident
	Expr   Expr
}

// DataType is a SQL type: Name in upper case as written (VARCHAR, INTEGER, INT, DOUBLE PRECISION,
// TIMESTAMP, ...) and its parameters, such as VARCHAR(16) or DECIMAL(10, 2). Flink's ROW<name type, ...>
// has Name ROW and its Fields.
type DataType struct {
	Pos    Pos
	Name   string
	Args   []string
	Fields []FieldDef
}

// FieldDef is one field of a ROW type.
type FieldDef struct {
	Name Ident
	Type *DataType
}

// CreatePump is CREATE [OR REPLACE] PUMP name AS INSERT INTO ... query.
type CreatePump struct {
	Pos       Pos
	OrReplace bool
	Name      Ident
	Insert    *Insert
}

// Insert is INSERT [EXPEDITED] INTO stream [(columns)] query: the body of a pump, or a statement of its own.
type Insert struct {
	Pos       Pos
	Expedited bool
	Into      Ident
	Columns   []Ident
	Query     QueryExpr
}

// CreateFunction is a SQL-only scalar function:
// CREATE [OR REPLACE] FUNCTION name(params) RETURNS type [options] RETURN expr.
type CreateFunction struct {
	Pos       Pos
	OrReplace bool
	Name      Ident
	Params    []Param
	Returns   *DataType
	Options   []string // routine characteristics in canonical spelling, e.g. "LANGUAGE SQL", "NOT DETERMINISTIC"
	Body      Expr
}

// Param is a function parameter.
type Param struct {
	Name Ident
	Type *DataType
}

// CreateView is CREATE [OR REPLACE] VIEW name [(columns)] AS query.
type CreateView struct {
	Pos       Pos
	OrReplace bool
	Name      Ident
	Columns   []Ident
	Query     QueryExpr
}

// QueryStmt is a query on its own, as `hydrant sql` runs it.
type QueryStmt struct {
	Query QueryExpr
}

func (*CreateStream) node()   {}
func (*CreateTable) node()    {}
func (*CreatePump) node()     {}
func (*Insert) node()         {}
func (*CreateFunction) node() {}
func (*CreateView) node()     {}
func (*QueryStmt) node()      {}

func (*CreateStream) stmt()   {}
func (*CreateTable) stmt()    {}
func (*CreatePump) stmt()     {}
func (*Insert) stmt()         {}
func (*CreateFunction) stmt() {}
func (*CreateView) stmt()     {}
func (*QueryStmt) stmt()      {}

// QueryExpr is a SELECT or a set operation over SELECTs.
type QueryExpr interface {
	Node
	queryExpr()
}

// Select is one SELECT block. Exactly one of GroupBy and Stagger is used by a windowed aggregate; Windows holds
// the named windows of the WINDOW clause.
type Select struct {
	Pos      Pos
	Stream   bool
	Distinct bool
	Items    []SelectItem
	From     TableExpr // nil when the query has no FROM
	Where    Expr
	GroupBy  []Expr
	Stagger  *WindowSpec // WINDOWED BY STAGGER (...)
	Having   Expr
	Windows  []NamedWindow
	OrderBy  []OrderItem
}

// SetOp is L UNION [ALL] R (also EXCEPT and INTERSECT).
type SetOp struct {
	Op   string // UNION, EXCEPT, INTERSECT
	All  bool
	L, R QueryExpr
}

// ParenQuery is a query in parentheses, kept so that printing keeps the grouping of set operations.
type ParenQuery struct {
	Pos   Pos
	Query QueryExpr
}

// Values is VALUES (row), (row) ...: a constant table, the Query page's <row-constructor> list.
type Values struct {
	Pos  Pos
	Rows [][]Expr
}

func (*Values) node()      {}
func (*Values) queryExpr() {}

func (*Select) node()          {}
func (*SetOp) node()           {}
func (*ParenQuery) node()      {}
func (*Select) queryExpr()     {}
func (*SetOp) queryExpr()      {}
func (*ParenQuery) queryExpr() {}

// SelectItem is one expression of the select list, with its alias.
type SelectItem struct {
	Expr  Expr
	Alias *Ident
}

// NamedWindow is `name AS (spec)` in a WINDOW clause.
type NamedWindow struct {
	Name Ident
	Spec *WindowSpec
}

// OrderItem is one key of an ORDER BY. Dir is "", "ASC" or "DESC".
type OrderItem struct {
	Expr Expr
	Dir  string
}

// WindowSpec is the inside of OVER (...), WINDOW w AS (...) or STAGGER (...):
// [base] [PARTITION BY ...] [ORDER BY ...] [frame].
type WindowSpec struct {
	Pos         Pos
	Base        *Ident
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       *Frame
}

// Frame is RANGE|ROWS start, or RANGE|ROWS BETWEEN start AND end.
type Frame struct {
	Unit  string // RANGE or ROWS
	Start Bound
	End   *Bound
}

// Bound is a frame bound. Kind is "PRECEDING" or "FOLLOWING" with an Offset, "UNBOUNDED PRECEDING",
// "UNBOUNDED FOLLOWING", "CURRENT ROW", or "" for a bare length (STAGGER's RANGE INTERVAL '1' MINUTE).
type Bound struct {
	Kind   string
	Offset Expr
}

// TableExpr is an item of the FROM clause.
type TableExpr interface {
	Node
	tableExpr()
}

// TableRef names a stream or table, optionally windowed: name [OVER (spec) | OVER w] [AS alias [(columns)]].
type TableRef struct {
	Pos        Pos
	Name       []Ident
	Over       *WindowSpec
	OverName   *Ident
	Alias      *Ident
	ColAliases []Ident
}

// DerivedTable is a subquery in FROM: (query) [AS alias [(columns)]].
type DerivedTable struct {
	Pos        Pos
	Query      QueryExpr
	Alias      *Ident
	ColAliases []Ident
}

// TableFunc is TABLE(f(...)) in FROM, such as TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(...), 'COL', 5, 60)).
type TableFunc struct {
	Pos        Pos
	Call       *FuncCall
	Alias      *Ident
	ColAliases []Ident
}

// Join is L kind JOIN R [ON cond | USING (cols)], L NATURAL kind JOIN R (Natural set, no ON or USING), or
// L, R for Kind CommaJoin.
type Join struct {
	Kind    JoinKind
	Natural bool
	L, R    TableExpr
	On      Expr
	Using   []Ident
}

// JoinKind is the kind of a Join.
type JoinKind int

// The join kinds.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	RightJoin
	FullJoin
	CrossJoin
	CommaJoin
)

func (*TableRef) node()          {}
func (*DerivedTable) node()      {}
func (*TableFunc) node()         {}
func (*Join) node()              {}
func (*TableRef) tableExpr()     {}
func (*DerivedTable) tableExpr() {}
func (*TableFunc) tableExpr()    {}
func (*Join) tableExpr()         {}

// Expr is a scalar expression.
type Expr interface {
	Node
	expr()
}

// ColumnRef is a possibly qualified name: COL, S.COL, T.REC.COLUMN1 (a field of a ROW-typed column), ROWTIME.
type ColumnRef struct {
	Parts []Ident
}

// Star is * or qualifier.* in a select list, or the * of COUNT(*).
type Star struct {
	Pos       Pos
	Qualifier []Ident
}

// NumberLit is a numeric literal as written.
type NumberLit struct {
	Pos  Pos
	Text string
}

// StringLit is a character string literal.
type StringLit struct {
	Pos   Pos
	Value string
}

// BoolLit is TRUE or FALSE; UNKNOWN is not supported.
type BoolLit struct {
	Pos   Pos
	Value bool
}

// NullLit is NULL.
type NullLit struct {
	Pos Pos
}

// IntervalLit is INTERVAL [-]'value' unit [TO unit], e.g. INTERVAL '1' MINUTE.
type IntervalLit struct {
	Pos    Pos
	Minus  bool
	Value  string
	Unit   string
	ToUnit string
}

// TypedLit is TIMESTAMP '...', DATE '...' or TIME '...'.
type TypedLit struct {
	Pos   Pos
	Type  string
	Value string
}

// UnaryExpr is NOT x, -x or +x.
type UnaryExpr struct {
	Pos Pos
	Op  string
	X   Expr
}

// BinaryExpr is L op R for the arithmetic, comparison, ||, AND and OR operators.
type BinaryExpr struct {
	Op   string
	L, R Expr
}

// ParenExpr is (x), kept so that the printed text groups as the source did.
type ParenExpr struct {
	Pos Pos
	X   Expr
}

// IntervalCast is (x) unit [TO unit], the SQLstream form that turns a datetime difference into an interval,
// as in FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND).
type IntervalCast struct {
	X      *ParenExpr
	Unit   string
	ToUnit string
}

// Is is x IS [NOT] What, where What is NULL, TRUE, FALSE or UNKNOWN, or x IS [NOT] DISTINCT FROM y
// (What is "DISTINCT FROM" and Y is set).
type Is struct {
	X    Expr
	Not  bool
	What string
	Y    Expr
}

// Like is x [NOT] LIKE pattern [ESCAPE e], or x [NOT] SIMILAR TO pattern [ESCAPE e] when Similar.
type Like struct {
	X       Expr
	Not     bool
	Similar bool
	Pattern Expr
	Escape  Expr
}

// In is x [NOT] IN (list) or x [NOT] IN (query).
type In struct {
	X     Expr
	Not   bool
	List  []Expr
	Query QueryExpr
}

// Between is x [NOT] BETWEEN lo AND hi.
type Between struct {
	X      Expr
	Not    bool
	Lo, Hi Expr
}

// Case is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type Case struct {
	Pos     Pos
	Operand Expr
	Whens   []When
	Else    Expr
}

// When is one WHEN cond THEN result arm.
type When struct {
	Cond, Result Expr
}

// Cast is CAST(x AS type); x::type parses to the same node.
type Cast struct {
	Pos  Pos
	X    Expr
	Type *DataType
}

// FuncCall is name([DISTINCT] args) or name(*), with an optional FROM FIRST|LAST, IGNORE|RESPECT NULLS and
// OVER clause.
type FuncCall struct {
	Name          Ident
	Distinct      bool
	Args          []Expr
	FromLast      bool   // NTH_VALUE(x, n) FROM LAST (FROM FIRST is the default, and prints as nothing)
	NullTreatment string // "", "IGNORE NULLS" or "RESPECT NULLS"
	Over          *WindowSpec
	OverName      *Ident
}

// Step is STEP(x BY width): x rounded down to a multiple of width (a tumbling window key).
type Step struct {
	Pos   Pos
	X     Expr
	Width Expr
}

// FloorTo is FLOOR(x TO unit) or CEIL(x TO unit) (Name says which).
type FloorTo struct {
	Pos  Pos
	Name string
	X    Expr
	Unit string
}

// Extract is EXTRACT(unit FROM x).
type Extract struct {
	Pos  Pos
	Unit string
	X    Expr
}

// Position is POSITION(sub IN s).
type Position struct {
	Pos    Pos
	Sub, S Expr
}

// Substring is SUBSTRING(s FROM start [FOR length]), or SUBSTRING(s SIMILAR pattern ESCAPE e) when
// Similar, with the pattern in From and the escape in For (the places SQL:1999's spelling of the same
// function, SUBSTRING(s FROM pattern FOR e), gave them). The comma form is a FuncCall.
type Substring struct {
	Pos       Pos
	S         Expr
	From, For Expr
	Similar   bool
}

// Overlay is OVERLAY(s PLACING with FROM start [FOR length]).
type Overlay struct {
	Pos           Pos
	S, With, From Expr
	For           Expr
}

// Trim is TRIM([BOTH|LEADING|TRAILING] [chars] FROM s); TRIM(s) is a FuncCall.
type Trim struct {
	Pos   Pos
	Where string
	Chars Expr
	S     Expr
}

// Cursor is CURSOR(query), the stream argument of a table function.
type Cursor struct {
	Pos   Pos
	Query QueryExpr
}

// TableArg is TABLE name as an argument of a Flink table function (TUMBLE(TABLE bid, ...)).
type TableArg struct {
	Pos  Pos
	Name []Ident
}

// Subquery is a scalar (query) in an expression.
type Subquery struct {
	Pos   Pos
	Query QueryExpr
}

// Exists is EXISTS (query).
type Exists struct {
	Pos   Pos
	Query QueryExpr
}

func (*ColumnRef) node()    {}
func (*Star) node()         {}
func (*NumberLit) node()    {}
func (*StringLit) node()    {}
func (*BoolLit) node()      {}
func (*NullLit) node()      {}
func (*IntervalLit) node()  {}
func (*TypedLit) node()     {}
func (*UnaryExpr) node()    {}
func (*BinaryExpr) node()   {}
func (*ParenExpr) node()    {}
func (*IntervalCast) node() {}
func (*Is) node()           {}
func (*Like) node()         {}
func (*In) node()           {}
func (*Between) node()      {}
func (*Case) node()         {}
func (*Cast) node()         {}
func (*FuncCall) node()     {}
func (*Step) node()         {}
func (*FloorTo) node()      {}
func (*Extract) node()      {}
func (*Position) node()     {}
func (*Substring) node()    {}
func (*Trim) node()         {}
func (*Overlay) node()      {}
func (*Cursor) node()       {}
func (*TableArg) node()     {}
func (*Subquery) node()     {}
func (*Exists) node()       {}

func (*ColumnRef) expr()    {}
func (*Star) expr()         {}
func (*NumberLit) expr()    {}
func (*StringLit) expr()    {}
func (*BoolLit) expr()      {}
func (*NullLit) expr()      {}
func (*IntervalLit) expr()  {}
func (*TypedLit) expr()     {}
func (*UnaryExpr) expr()    {}
func (*BinaryExpr) expr()   {}
func (*ParenExpr) expr()    {}
func (*IntervalCast) expr() {}
func (*Is) expr()           {}
func (*Like) expr()         {}
func (*In) expr()           {}
func (*Between) expr()      {}
func (*Case) expr()         {}
func (*Cast) expr()         {}
func (*FuncCall) expr()     {}
func (*Step) expr()         {}
func (*FloorTo) expr()      {}
func (*Extract) expr()      {}
func (*Position) expr()     {}
func (*Substring) expr()    {}
func (*Trim) expr()         {}
func (*Overlay) expr()      {}
func (*Cursor) expr()       {}
func (*TableArg) expr()     {}
func (*Subquery) expr()     {}
func (*Exists) expr()       {}
