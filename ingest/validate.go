package ingest

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file checks a typed request against its model's constraints and words the failures as Coral's
// ValidationException does:
//
//	2 validation errors detected: Value null at 'streamName' failed to satisfy constraint: Member must
//	not be null; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater
//	than or equal to 1
//
// Members are visited in model order, each member's constraints in the order Coral reports them
// (pattern, then minimum, then maximum; kinesalite's reverse-engineered tests pin that order), list
// items before the members that follow the list, and at most ten failures are reported. Coral's own
// order of members is not the model's in every case; clients compare the set, not the order.

// maxValidationErrors is how many failures Coral lists before it stops looking.
const maxValidationErrors = 10

type validator struct {
	javaPackage string
	errs        []string
}

// validate checks v (typed by s) against the model and returns a ValidationException or nil.
func validate(v *value, s *shape, javaPackage string) *Error {
	if s == nil {
		return nil
	}
	c := &validator{javaPackage: javaPackage}
	c.structure(v, s, "")
	if len(c.errs) == 0 {
		return nil
	}
	plural := "s"
	if len(c.errs) == 1 {
		plural = ""
	}
	return &Error{Code: ErrValidation, Message: fmt.Sprintf("%d validation error%s detected: %s",
		len(c.errs), plural, strings.Join(c.errs, "; "))}
}

func (c *validator) full() bool { return len(c.errs) >= maxValidationErrors }

// fail records one failed constraint of the value at path; printed is the value as Coral prints it, or
// "" for null.
func (c *validator) fail(printed string, isNull bool, path, constraint string) {
	if c.full() {
		return
	}
	val := "null"
	if !isNull {
		val = "'" + printed + "'"
	}
	c.errs = append(c.errs, "Value "+val+" at '"+path+"' failed to satisfy constraint: "+constraint)
}

func (c *validator) structure(v *value, s *shape, prefix string) {
	for i, m := range s.members {
		if c.full() {
			return
		}
		path := prefix + m.path
		var fv *value
		if v != nil {
			fv = v.fields[i]
		}
		if fv == nil {
			if m.required {
				c.fail("", true, path, "Member must not be null")
			}
			continue
		}
		c.value(fv, m.shape, path)
	}
}

func (c *validator) value(v *value, s *shape, path string) {
	switch s.typ {
	case typeStructure:
		c.structure(v, s, path+".")
		return
	case typeList:
		c.lengths(v, s, len(v.items), path)
		c.listItems(v, s, path)
		return
	case typeMap:
		c.lengths(v, s, len(v.keys), path)
		c.mapEntries(v, s, path)
		return
	}
	for _, msg := range scalarFailures(v, s) {
		c.fail(c.print(v), false, path, msg)
	}
}

// lengths checks a list's or map's entry count.
func (c *validator) lengths(v *value, s *shape, n int, path string) {
	if s.hasMin && float64(n) < s.min {
		c.fail(c.print(v), false, path, "Member must have length greater than or equal to "+formatBound(s.min))
	}
	if s.hasMax && float64(n) > s.max {
		c.fail(c.print(v), false, path, "Member must have length less than or equal to "+formatBound(s.max))
	}
}

// listItems checks a list's items. Items that are structures (or containers) are validated member by
// member under "<path>.<n>.member"; a list of scalars fails as a whole, listing its member's
// constraints in brackets, as Coral does.
func (c *validator) listItems(v *value, s *shape, path string) {
	if s.elem.typ == typeStructure || s.elem.typ == typeList || s.elem.typ == typeMap {
		for i, item := range v.items {
			if c.full() {
				return
			}
			ipath := path + "." + strconv.Itoa(i+1) + ".member"
			if item == nil {
				c.fail("", true, ipath, "Member must not be null")
				continue
			}
			c.value(item, s.elem, ipath)
		}
		return
	}
	for _, item := range v.items {
		if item != nil && len(scalarFailures(item, s.elem)) > 0 {
			c.fail(c.print(v), false, path, "Member must satisfy constraint: ["+constraintList(s.elem)+"]")
			return
		}
	}
}

// mapEntries checks a map's keys and values: each failing side is reported once for the whole map.
func (c *validator) mapEntries(v *value, s *shape, path string) {
	for _, k := range v.keys {
		if len(scalarFailures(&value{shape: s.key, str: k}, s.key)) > 0 {
			c.fail(c.print(v), false, path, "Map keys must satisfy constraint: ["+constraintList(s.key)+"]")
			break
		}
	}
	if s.value.typ == typeStructure || s.value.typ == typeList || s.value.typ == typeMap {
		for i, k := range v.keys {
			c.value(v.vals[i], s.value, path+"."+k)
		}
		return
	}
	for _, val := range v.vals {
		if len(scalarFailures(val, s.value)) > 0 {
			c.fail(c.print(v), false, path, "Map value must satisfy constraint: ["+constraintList(s.value)+"]")
			return
		}
	}
}

// scalarFailures returns the constraints a scalar value breaks, in Coral's order.
func scalarFailures(v *value, s *shape) []string {
	var out []string
	switch s.typ {
	case typeString:
		if s.pattern != nil && !match(s.pattern, v.str) {
			out = append(out, "Member must satisfy regular expression pattern: "+s.pattern.src)
		}
		n := float64(utf16Len(v.str))
		if s.hasMin && n < s.min {
			out = append(out, "Member must have length greater than or equal to "+formatBound(s.min))
		}
		if s.hasMax && n > s.max {
			out = append(out, "Member must have length less than or equal to "+formatBound(s.max))
		}
		if s.enum != nil && !slices.Contains(s.enum, v.str) {
			out = append(out, "Member must satisfy enum value set: ["+strings.Join(s.enum, ", ")+"]")
		}
	case typeBlob:
		n := float64(len(v.blob))
		if s.hasMin && n < s.min {
			out = append(out, "Member must have length greater than or equal to "+formatBound(s.min))
		}
		if s.hasMax && n > s.max {
			out = append(out, "Member must have length less than or equal to "+formatBound(s.max))
		}
	case typeInteger, typeLong:
		n := float64(v.num)
		if s.hasMin && n < s.min {
			out = append(out, "Member must have value greater than or equal to "+formatBound(s.min))
		}
		if s.hasMax && n > s.max {
			out = append(out, "Member must have value less than or equal to "+formatBound(s.max))
		}
	case typeDouble, typeFloat:
		if s.hasMin && v.flt < s.min {
			out = append(out, "Member must have value greater than or equal to "+formatBound(s.min))
		}
		if s.hasMax && v.flt > s.max {
			out = append(out, "Member must have value less than or equal to "+formatBound(s.max))
		}
	}
	return out
}

// constraintList lists every constraint of a member shape, as Coral does inside "Member must satisfy
// constraint: [...]": maximum first, then minimum (kinesalite-RE), then pattern and enum.
func constraintList(s *shape) string {
	var parts []string
	kind := "length"
	if s.typ == typeInteger || s.typ == typeLong || s.typ == typeDouble || s.typ == typeFloat {
		kind = "value"
	}
	if s.hasMax {
		parts = append(parts, "Member must have "+kind+" less than or equal to "+formatBound(s.max))
	}
	if s.hasMin {
		parts = append(parts, "Member must have "+kind+" greater than or equal to "+formatBound(s.min))
	}
	if s.pattern != nil {
		parts = append(parts, "Member must satisfy regular expression pattern: "+s.pattern.src)
	}
	if s.enum != nil {
		parts = append(parts, "Member must satisfy enum value set: ["+strings.Join(s.enum, ", ")+"]")
	}
	return strings.Join(parts, ", ")
}

// javaDate is how java.util.Date prints itself.
const javaDate = "Mon Jan 02 15:04:05 MST 2006"

// print renders a value as Coral's message does: Java's toString of the deserialized object.
func (c *validator) print(v *value) string {
	if v == nil {
		return "null"
	}
	switch v.shape.typ {
	case typeString:
		return v.str
	case typeInteger, typeLong:
		return strconv.FormatInt(v.num, 10)
	case typeDouble, typeFloat:
		return strconv.FormatFloat(v.flt, 'g', -1, 64)
	case typeBoolean:
		return strconv.FormatBool(v.b)
	case typeBlob:
		return fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", len(v.blob), len(v.blob))
	case typeTimestamp:
		return v.t.UTC().Format(javaDate)
	case typeList:
		parts := make([]string, len(v.items))
		for i, item := range v.items {
			parts[i] = c.print(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case typeMap:
		parts := make([]string, len(v.keys))
		for i, k := range v.keys {
			parts[i] = k + "=" + c.print(v.vals[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case typeStructure:
		// Coral's generated classes keep Object.toString: class name and identity hash. The hash here
		// is derived from the content so that messages are deterministic.
		h := fnv.New32a()
		for i, m := range v.shape.members {
			fmt.Fprintf(h, "%s=%s;", m.name, c.print(v.fields[i]))
		}
		return fmt.Sprintf("%s.%s@%08x", c.javaPackage, v.shape.name, h.Sum32())
	}
	return ""
}

// formatJavaDate is used by messages that quote a time as AWS does ("Thu Jan 22 01:22:02 UTC 2015").
func formatJavaDate(t time.Time) string { return t.UTC().Format(javaDate) }
