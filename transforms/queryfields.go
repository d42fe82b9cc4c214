package transforms

import "github.com/itchyny/gojq"

// queryFields returns the top-level fields of its input that a jq query reads, when the query
// reads its input only through them (`.customer_id`, `.ts | strftime("%Y")`, `.a.b[0]`,
// `{customer_id}`), and ok false otherwise (`.`, `..`, `keys`, `.[$k]`, `to_entries`, function
// definitions, any function applied to the whole input). When ok, the query gives the same
// results on a record's object cut down to those fields as on the whole object, so that
// parseJSONFields may skip building the rest. The analysis is conservative: what it does not know,
// it refuses.
func queryFields(q *gojq.Query) (fields map[string]struct{}, ok bool) {
	fields = make(map[string]struct{})
	if !rootQuery(q, fields) {
		return nil, false
	}
	return fields, true
}

// rootQuery reports whether q, run on the whole input, reads the input only through top-level
// fields, and adds them to fields.
func rootQuery(q *gojq.Query, fields map[string]struct{}) bool {
	if q == nil {
		return true
	}
	if q.Meta != nil || len(q.Imports) > 0 || len(q.FuncDefs) > 0 {
		return false
	}
	if q.Term != nil {
		return rootTerm(q.Term, fields)
	}
	switch q.Op {
	case gojq.OpPipe:
		if !rootQuery(q.Left, fields) {
			return false
		}
		if len(q.Patterns) > 0 {
			// `E as $x | body`: body runs on the whole input again.
			for _, p := range q.Patterns {
				if !constPattern(p) {
					return false
				}
			}
			return rootQuery(q.Right, fields)
		}
		// `E | body`: body runs on E's results, which hold no more of the input than the fields
		// E read, and can reach the input otherwise only through variables bound from such
		// results.
		return true
	case gojq.OpComma, gojq.OpAdd, gojq.OpSub, gojq.OpMul, gojq.OpDiv, gojq.OpMod,
		gojq.OpEq, gojq.OpNe, gojq.OpGt, gojq.OpLt, gojq.OpGe, gojq.OpLe,
		gojq.OpAnd, gojq.OpOr, gojq.OpAlt:
		return rootQuery(q.Left, fields) && rootQuery(q.Right, fields)
	}
	return false // assignments (=, |=, +=, ...) return the whole input
}

func rootTerm(t *gojq.Term, fields map[string]struct{}) bool {
	switch t.Type {
	case gojq.TermTypeNull, gojq.TermTypeTrue, gojq.TermTypeFalse, gojq.TermTypeNumber:
	case gojq.TermTypeIndex:
		name, ok := constIndex(t.Index)
		if !ok {
			return false
		}
		fields[name] = struct{}{}
	case gojq.TermTypeFunc:
		f := t.Func
		switch {
		case len(f.Name) > 1 && f.Name[0] == '$' && len(f.Args) == 0: // a variable
		case (f.Name == "empty" || f.Name == "now") && len(f.Args) == 0:
		case f.Name == "error" && len(f.Args) == 1: // error(msg) ignores its input
			if !rootQuery(f.Args[0], fields) {
				return false
			}
		default:
			return false // any other function reads its input, the whole of it
		}
	case gojq.TermTypeObject:
		for _, kv := range t.Object.KeyVals {
			switch {
			case kv.KeyQuery != nil:
				if !rootQuery(kv.KeyQuery, fields) {
					return false
				}
			case kv.KeyString != nil:
				for _, sq := range kv.KeyString.Queries {
					if !rootQuery(sq, fields) {
						return false
					}
				}
			}
			if kv.Val != nil {
				if !rootQuery(kv.Val, fields) {
					return false
				}
				continue
			}
			// Shorthands: {a} is {a: .a}, {"a"} is {"a": .a}, {$v} is {v: $v}.
			switch {
			case kv.Key != "" && kv.Key[0] == '$':
			case kv.Key != "" && kv.Key[0] != '@':
				fields[kv.Key] = struct{}{}
			case kv.Key == "" && kv.KeyString != nil && len(kv.KeyString.Queries) == 0:
				fields[kv.KeyString.Str] = struct{}{}
			default:
				return false
			}
		}
	case gojq.TermTypeArray:
		if t.Array.Query != nil && !rootQuery(t.Array.Query, fields) {
			return false
		}
	case gojq.TermTypeUnary:
		if !rootTerm(t.Unary.Term, fields) {
			return false
		}
	case gojq.TermTypeString:
		for _, sq := range t.Str.Queries {
			if !rootQuery(sq, fields) {
				return false
			}
		}
	case gojq.TermTypeIf:
		if !rootQuery(t.If.Cond, fields) || !rootQuery(t.If.Then, fields) || !rootQuery(t.If.Else, fields) {
			return false
		}
		for _, e := range t.If.Elif {
			if !rootQuery(e.Cond, fields) || !rootQuery(e.Then, fields) {
				return false
			}
		}
	case gojq.TermTypeTry:
		if !rootQuery(t.Try.Body, fields) || !rootQuery(t.Try.Catch, fields) {
			return false
		}
	case gojq.TermTypeQuery:
		if !rootQuery(t.Query, fields) {
			return false
		}
	default:
		return false // ., .., @format, reduce, foreach, label, break
	}
	// Suffixes apply to the term's result, which holds no more of the input than the fields read;
	// but the expressions inside [...] run on the whole input.
	for _, s := range t.SuffixList {
		if s.Index != nil && (!rootQuery(s.Index.Start, fields) || !rootQuery(s.Index.End, fields)) {
			return false
		}
	}
	return true
}

// constIndex returns the field name of an index of the input by a constant name: .a, ."a", .["a"].
func constIndex(x *gojq.Index) (string, bool) {
	switch {
	case x == nil || x.IsSlice || x.End != nil:
		return "", false
	case x.Name != "":
		return x.Name, true
	case x.Str != nil && len(x.Str.Queries) == 0:
		return x.Str.Str, true
	case x.Start != nil && x.Start.Term != nil && x.Start.Term.Type == gojq.TermTypeString &&
		len(x.Start.Term.SuffixList) == 0 && len(x.Start.Term.Str.Queries) == 0 && x.Start.Term.Format == "" &&
		x.Start.Left == nil && x.Start.Right == nil && len(x.Start.FuncDefs) == 0:
		return x.Start.Term.Str.Str, true
	}
	return "", false
}

// constPattern reports whether a destructuring pattern has constant keys only (no expressions,
// which would run on the input).
func constPattern(p *gojq.Pattern) bool {
	for _, e := range p.Array {
		if !constPattern(e) {
			return false
		}
	}
	for _, o := range p.Object {
		if o.KeyQuery != nil || o.KeyString != nil && len(o.KeyString.Queries) > 0 {
			return false
		}
		if o.Val != nil && !constPattern(o.Val) {
			return false
		}
	}
	return true
}
