package engine

import (
	"reflect"

	"github.com/hydrantio/hydrant/analytics/sql"
)

// sameExpr reports whether two expressions mean the same: equal trees, ignoring positions, parentheses and
// how identifiers were quoted, with column references compared by what they resolve to. This is how a
// select item such as "TICKER_SYMBOL" is recognised as the GROUP BY key TICKER_SYMBOL, or
// STEP("S"."ROWTIME" BY ...) as STEP(S.ROWTIME BY ...).
func (c *compiler) sameExpr(a, b sql.Expr) bool {
	a, b = unparen(a), unparen(b)
	if ra, ok := a.(*sql.ColumnRef); ok {
		rb, ok := b.(*sql.ColumnRef)
		if !ok {
			return false
		}
		x, okx := c.tryResolve(ra)
		y, oky := c.tryResolve(rb)
		if !okx || !oky || x.slot != y.slot || len(x.fields) != len(y.fields) {
			return false
		}
		for i := range x.fields {
			if x.fields[i] != y.fields[i] {
				return false
			}
		}
		return true
	}
	return c.sameValue(reflect.ValueOf(a), reflect.ValueOf(b))
}

func unparen(x sql.Expr) sql.Expr {
	for {
		p, ok := x.(*sql.ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}

func (c *compiler) tryResolve(ref *sql.ColumnRef) (r resolved, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	sc := c.sc
	if sc == nil {
		return resolved{}, false
	}
	return sc.resolve(ref), true
}

var (
	posType   = reflect.TypeOf(sql.Pos{})
	identType = reflect.TypeOf(sql.Ident{})
	exprType  = reflect.TypeOf((*sql.Expr)(nil)).Elem()
)

func (c *compiler) sameValue(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Type().Implements(exprType) && b.Type().Implements(exprType) && a.Kind() == reflect.Pointer {
			ea, eb := a.Interface().(sql.Expr), b.Interface().(sql.Expr)
			if _, ok := ea.(*sql.ParenExpr); ok {
				return c.sameExpr(ea, eb)
			}
			if _, ok := eb.(*sql.ParenExpr); ok {
				return c.sameExpr(ea, eb)
			}
			if _, ok := ea.(*sql.ColumnRef); ok {
				return c.sameExpr(ea, eb)
			}
		}
		if a.Kind() == reflect.Interface {
			return c.sameValue(a.Elem(), b.Elem())
		}
		if a.Type() != b.Type() {
			return false
		}
		return c.sameValue(a.Elem(), b.Elem())
	case reflect.Struct:
		if a.Type() != b.Type() {
			return false
		}
		switch a.Type() {
		case posType:
			return true
		case identType:
			return a.FieldByName("Name").String() == b.FieldByName("Name").String()
		}
		for i := 0; i < a.NumField(); i++ {
			if !c.sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !c.sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return a.Int() == b.Int()
	}
	return false
}
