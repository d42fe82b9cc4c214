package ingest

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// A binder copies a validated value tree into an operation's typed Go input. Plans are built once per
// operation when the service is registered, so a Go field that names no model member, or whose type
// cannot hold the member, fails at start-up (and in the tests) rather than on a request.
//
// Field names are matched to member names by the field's json tag, else by the field name itself, so
// store types whose fields are named like the members (streams.PutEntry) bind directly. Embedded
// structs contribute their fields. Model members without a Go field are validated and then dropped.
type binder func(v *value, dst reflect.Value)

var timeType = reflect.TypeFor[time.Time]()

// newBinder builds the binder of Go type t for values of shape s.
func newBinder(s *shape, t reflect.Type) (binder, error) {
	if t.Kind() == reflect.Pointer {
		elem, err := newBinder(s, t.Elem())
		if err != nil {
			return nil, err
		}
		et := t.Elem()
		return func(v *value, dst reflect.Value) {
			p := reflect.New(et)
			elem(v, p.Elem())
			dst.Set(p)
		}, nil
	}
	mismatch := func() error {
		return fmt.Errorf("shape %s (type %d) cannot bind to Go type %s", s.name, s.typ, t)
	}
	switch s.typ {
	case typeStructure:
		if t.Kind() != reflect.Struct || t == timeType {
			return nil, mismatch()
		}
		return structBinder(s, t)
	case typeList:
		if t.Kind() != reflect.Slice {
			return nil, mismatch()
		}
		elem, err := newBinder(s.elem, t.Elem())
		if err != nil {
			return nil, err
		}
		return func(v *value, dst reflect.Value) {
			sl := reflect.MakeSlice(t, len(v.items), len(v.items))
			for i, item := range v.items {
				if item != nil {
					elem(item, sl.Index(i))
				}
			}
			dst.Set(sl)
		}, nil
	case typeMap:
		if t.Kind() != reflect.Map || t.Key().Kind() != reflect.String {
			return nil, mismatch()
		}
		elem, err := newBinder(s.value, t.Elem())
		if err != nil {
			return nil, err
		}
		return func(v *value, dst reflect.Value) {
			m := reflect.MakeMapWithSize(t, len(v.keys))
			for i, k := range v.keys {
				ev := reflect.New(t.Elem()).Elem()
				elem(v.vals[i], ev)
				m.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
			}
			dst.Set(m)
		}, nil
	case typeString:
		if t.Kind() != reflect.String {
			return nil, mismatch()
		}
		return func(v *value, dst reflect.Value) { dst.SetString(v.str) }, nil
	case typeInteger, typeLong:
		switch t.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64:
			return func(v *value, dst reflect.Value) { dst.SetInt(v.num) }, nil
		}
		return nil, mismatch()
	case typeDouble, typeFloat:
		if t.Kind() != reflect.Float64 {
			return nil, mismatch()
		}
		return func(v *value, dst reflect.Value) { dst.SetFloat(v.flt) }, nil
	case typeBoolean:
		if t.Kind() != reflect.Bool {
			return nil, mismatch()
		}
		return func(v *value, dst reflect.Value) { dst.SetBool(v.b) }, nil
	case typeBlob:
		if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
			return nil, mismatch()
		}
		return func(v *value, dst reflect.Value) { dst.SetBytes(v.blob) }, nil
	case typeTimestamp:
		if t != timeType {
			return nil, mismatch()
		}
		return func(v *value, dst reflect.Value) { dst.Set(reflect.ValueOf(v.t)) }, nil
	}
	return nil, mismatch()
}

type fieldPlan struct {
	member int   // index in shape.members
	index  []int // reflect field index path (through embedded structs)
	bind   binder
}

func structBinder(s *shape, t reflect.Type) (binder, error) {
	var plans []fieldPlan
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue // its fields are visible on their own
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			if n, _, _ := strings.Cut(tag, ","); n != "" {
				name = n
			}
			if name == "-" {
				continue
			}
		}
		m := s.byName[name]
		if m == nil {
			return nil, fmt.Errorf("field %s.%s names no member of shape %s", t, f.Name, s.name)
		}
		b, err := newBinder(m.shape, f.Type)
		if err != nil {
			return nil, fmt.Errorf("field %s.%s: %w", t, f.Name, err)
		}
		plans = append(plans, fieldPlan{member: memberIndex(s, m), index: f.Index, bind: b})
	}
	return func(v *value, dst reflect.Value) {
		for _, p := range plans {
			if fv := v.fields[p.member]; fv != nil {
				p.bind(fv, dst.FieldByIndex(p.index))
			}
		}
	}, nil
}
