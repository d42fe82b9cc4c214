package sqlcli

import (
	"reflect"

	"github.com/hydrantio/hydrant/analytics/sql"
)

// tableRefs calls fn with every stream or table name a FROM clause names anywhere under n, including
// subqueries in expressions and CURSOR arguments of table functions. It walks the AST by reflection:
// the check is not a hot path, and a walker that needs no update when the AST grows cannot miss a node
// kind that a hand-written one would.
func tableRefs(n any, fn func(sql.Ident)) {
	walkValue(reflect.ValueOf(n), fn)
}

var tableRefType = reflect.TypeFor[*sql.TableRef]()

func walkValue(v reflect.Value, fn func(sql.Ident)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Type() == tableRefType {
			if t := v.Interface().(*sql.TableRef); len(t.Name) == 1 {
				fn(t.Name[0])
			}
		}
		walkValue(v.Elem(), fn)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkValue(v.Field(i), fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkValue(v.Index(i), fn)
		}
	}
}

// createdNames is the set of streams, tables and views a script creates.
func createdNames(s *sql.Script) map[string]bool {
	made := map[string]bool{}
	for _, st := range s.Stmts {
		switch st := st.(type) {
		case *sql.CreateStream:
			made[st.Name.Name] = true
		case *sql.CreateTable:
			made[st.Name.Name] = true
		case *sql.CreateView:
			made[st.Name.Name] = true
		}
	}
	return made
}

// readNames is every name a script reads in FROM but does not create, in order of first use: the
// application's inputs and reference tables.
func readNames(s *sql.Script) []string {
	made := createdNames(s)
	seen := map[string]bool{}
	var names []string
	tableRefs(s, func(id sql.Ident) {
		if !made[id.Name] && !seen[id.Name] {
			seen[id.Name] = true
			names = append(names, id.Name)
		}
	})
	return names
}

// createdStreams is every stream a script creates, in order: the outputs `sql check` plans, so that
// each is checked whether or not a pump reads it.
func createdStreams(s *sql.Script) []string {
	var names []string
	for _, st := range s.Stmts {
		if cs, ok := st.(*sql.CreateStream); ok {
			names = append(names, cs.Name.Name)
		}
	}
	return names
}
