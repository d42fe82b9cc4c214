package funcs

import (
	"fmt"

	"github.com/hydrantio/hydrant/analytics/value"
)

// The NULL functions, which see NULL arguments rather than returning NULL for them.

func init() {
	register(bindCoalesce, "COALESCE")
	register(bindNullif, "NULLIF")
}

// commonType is the type of a result that is one of several arguments: the first non-NULL type, widened
// to DOUBLE when the numbers mix exact and approximate types and to VARCHAR when the strings' lengths
// differ.
func commonType(name string, args []Arg) (value.Type, error) {
	t := value.NullType
	for _, a := range args {
		at := a.Type
		switch {
		case at.Base == value.TNull:
		case t.Base == value.TNull:
			t = at
		case t.Numeric() && at.Numeric():
			if t.Kind() != at.Kind() || t.Base != at.Base {
				if t.Kind() == value.Double || at.Kind() == value.Double {
					t = value.DoubleType
				} else if at.Kind() == value.Decimal || at.Base == value.TBigint {
					t = at
				}
			}
		case t.Textual() && at.Textual():
			if at.Len != t.Len {
				t = value.VarcharType
			}
		case t.Base != at.Base:
			return value.Type{}, fmt.Errorf("%s: arguments of types %s and %s have no common type", name, t, at)
		}
	}
	return t, nil
}

func bindCoalesce(name string, args []Arg) (Impl, value.Type, error) {
	if len(args) < 1 {
		return nil, value.Type{}, fmt.Errorf("COALESCE takes at least 1 argument")
	}
	t, err := commonType(name, args)
	if err != nil {
		return nil, value.Type{}, err
	}
	k := t.Kind()
	return func(a []value.Value) (value.Value, error) {
		for _, v := range a {
			if v.K != value.Null {
				if v.K != k && k != value.Null {
					// An INTEGER argument of a DOUBLE COALESCE: the value takes the declared type.
					return Cast(v, t)
				}
				return v, nil
			}
		}
		return value.Value{}, nil
	}, t, nil
}

func bindNullif(name string, args []Arg) (Impl, value.Type, error) {
	if err := argCount(name, args, 2, 2); err != nil {
		return nil, value.Type{}, err
	}
	if _, err := commonType(name, args); err != nil {
		return nil, value.Type{}, err
	}
	return func(a []value.Value) (value.Value, error) {
		if a[0].K != value.Null && a[1].K != value.Null && value.Compare(a[0], a[1]) == 0 {
			return value.Value{}, nil
		}
		return a[0], nil
	}, args[0].Type, nil
}
