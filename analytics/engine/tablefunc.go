package engine

import (
	"strings"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// Helpers shared by the table functions of FROM TABLE(f(CURSOR(...), ...)).

// cursorColumn returns the index in vis (the cursor's visible columns) of the column a table function's
// string argument names, such as 'TICKER_SYMBOL'. KDA upper-cases an unquoted name, so 'ticker_symbol'
// finds TICKER_SYMBOL when no other column matches it ignoring case. arg is where an error points.
func cursorColumn(vis []column, name, fn string, arg sql.Expr) int {
	for i := range vis {
		if vis[i].name == name {
			return i
		}
	}
	found := -1
	for i := range vis {
		if strings.EqualFold(vis[i].name, name) {
			if found >= 0 {
				found = -1
				break
			}
			found = i
		}
	}
	if found < 0 {
		names := make([]string, len(vis))
		for i, c := range vis {
			names[i] = quoteName(c.name)
		}
		errorf(arg, "the cursor of %s has no column %s (it has %s)", fn, quoteName(name), strings.Join(names, ", "))
	}
	return found
}

// passThrough is the scope of a table function that yields the cursor's columns followed by one of its
// own, named extra unless the FROM item's column list renames it (TABLE(f(...)) AS t(c1, c2, ...)).
func passThrough(t *sql.TableFunc, vis []column, fn, extra string, typ value.Type) *scope {
	alias := ""
	if t.Alias != nil {
		alias = t.Alias.Name
	}
	if len(t.ColAliases) > len(vis)+1 {
		errorf(t.ColAliases[len(vis)+1], "%s yields %d columns, not %d", fn, len(vis)+1, len(t.ColAliases))
	}
	sc := &scope{width: len(vis) + 1}
	for i, c := range vis {
		n := c.name
		if i < len(t.ColAliases) {
			n = t.ColAliases[i].Name
		}
		sc.cols = append(sc.cols, column{table: alias, name: n, typ: c.typ, slot: i, isTime: c.isTime})
	}
	if len(vis) < len(t.ColAliases) {
		extra = t.ColAliases[len(vis)].Name
	}
	sc.cols = append(sc.cols, column{table: alias, name: extra, typ: typ, slot: len(vis)})
	return sc
}
