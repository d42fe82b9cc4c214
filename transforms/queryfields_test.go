package transforms

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/itchyny/gojq"
)

func TestQueryFields(t *testing.T) {
	tests := []struct {
		query  string
		fields string // sorted, comma-separated; "-" when the query reads more than fields
	}{
		{`{customer_id: .customer_id, year: .event_time | strftime("%Y")}`, "customer_id,event_time"},
		{`{customer_id:.customer_id, device:.type.device, year:.event_timestamp|strftime("%Y")}`, "customer_id,event_timestamp,type"},
		{`{a, "b", $__loc__}`, "a,b"},
		{`{a: ."x y", b: .["z"], c: .d[0], e: .f[], g: .h?}`, "d,f,h,x y,z"},
		{`{a: .a[.i:.j]}`, "a,i,j"},
		{`{a: (.a // .b), c: (.c + 1), d: (-.d), e: (.e == "x" and .f)}`, "a,b,c,d,e,f"},
		{`{a: (if .x then .y elif .z then 1 else .w end)}`, "w,x,y,z"},
		{`{a: "\(.x)-\(.y)"}`, "x,y"},
		{`{(.k): .v}`, "k,v"},
		{`{a: [.x, .y]}`, "x,y"},
		{`.a as $x | {k: $x, l: .b}`, "a,b"},
		{`.a as [$x, {b: $y}] | {k: $x}`, "a"},
		{`{a: (try .x catch .y)}`, "x,y"},
		{`{a: .x | keys | length}`, "x"},
		{`{a: (.x | . as $v | $v)}`, "x"},
		{`{a: 1, b: now, c: $ENV.x}`, ""},
		{`{a: error("x")}`, ""},
		{`{a: (.x | tostring) }`, "x"},
		// The whole input, or an unknown part of it.
		{`.`, "-"},
		{`{a: .}`, "-"},
		{`{a: ..}`, "-"},
		{`{a: keys}`, "-"},
		{`{a: length}`, "-"},
		{`{a: .[.k]}`, "-"},
		{`{a: .[]}`, "-"},
		{`{a: .[0]}`, "-"},
		{`{a: .["x\(.y)"]}`, "-"},
		{`{a: tostring}`, "-"},
		{`{a: to_entries[0].value}`, "-"},
		{`{a: getpath(["x"])}`, "-"},
		{`{a: (.x = 1) | .y}`, "-"},
		{`(.x |= 1) | {y}`, "-"},
		{`def f: .y; {a: f}`, "-"},
		{`. as $r | {a: $r.y}`, "-"},
		{`. as {a: $x} | {a: $x}`, "-"},
		{`.x as {(.k): $v} | {a: $v}`, "-"},
		{`{a: reduce .x[] as $i (0; . + $i)}`, "-"},
		{`{a: @base64}`, "-"},
		{`{a: error}`, "-"},
		{`{a: $__prog_name}`, ""},
		{`{a: input}`, "-"},
		{`{a: limit(1; .x)}`, "-"},
	}
	for _, tt := range tests {
		q, err := gojq.Parse(tt.query)
		if err != nil {
			t.Errorf("%s: %v", tt.query, err)
			continue
		}
		fields, ok := queryFields(q)
		got := "-"
		if ok {
			got = strings.Join(slices.Sorted(maps.Keys(fields)), ",")
		}
		if got != tt.fields {
			t.Errorf("queryFields(%s) = %q, want %q", tt.query, got, tt.fields)
		}
	}
}

// TestQueryFieldsEquivalent runs queries on records twice, on the record cut down to the fields
// the query reads and on the whole record: the outcomes must be the same, errors included.
func TestQueryFieldsEquivalent(t *testing.T) {
	queries := []string{
		`{customer_id: .customer_id, year: (.event_time / 1000 | strftime("%Y"))}`,
		`{c: .country, p: .page, s: .screen.w}`,
		`{a: .items[0].sku, b: (.items | length | tostring)}`,
		`{a: .geo.city, b: "\(.country)/\(.page)"}`,
		`{a: (.missing // .country)}`,
		`{a: .customer_id, b: .consent.ads}`,
		`{a: .a}`, `{a: .a.b}`, `{a}`, `{(.k): .v}`, `{a: (.a + .b)}`, `{a: .a[.i]}`,
		`.a as $x | {k: $x, l: .b}`,
		`{a: (try .a.b catch "caught")}`,
		`{a: (if .a then .b else .c end)}`,
	}
	records := splitLines(clickstream(20 << 10))
	for _, s := range []string{
		`{}`, `[]`, `"str"`, `42`, `null`, `{"a":1,"a":2}`, `{"a":{"b":"x"},"b":[1,2],"c":true}`,
		`{"a":"str","b":1}`, `{"k":"key","v":"val","a":3,"b":4,"i":1}`, `{"a":[10,20],"i":1}`,
		`{"a\u0062":1,"a":"x","b":"y"}`, `{"x":{"deep":[1,{"a":2}]},"a":null}`, `{"a":1}{"a":2}`,
		`{"a":1,"skip":"\x"}`, `{"a":1,"skip":[1,}`, `{"a": 1 , "b" : 2 }  `, `{"a":"\ud800"}`,
		`{"a":1,"a":{"b":"c"}}`, "{\"a\":\"\xff\"}",
	} {
		records = append(records, []byte(s))
	}
	ctx := context.Background()
	for _, src := range queries {
		q, err := CompileMetadataQuery(src)
		if err != nil {
			t.Fatal(err)
		}
		if !q.project {
			t.Errorf("%s: not projected", src)
			continue
		}
		whole := *q
		whole.project = false
		for _, r := range records {
			got, gerr := q.PartitionKeys(ctx, r)
			want, werr := whole.PartitionKeys(ctx, r)
			if fmt.Sprint(gerr) != fmt.Sprint(werr) || !maps.Equal(got, want) {
				t.Errorf("%s on %s:\nprojected %v, %v\nwhole     %v, %v", src, r, got, gerr, want, werr)
			}
		}
	}
}

// TestJSONDepth: parseJSON and parseJSONFields refuse nesting where encoding/json does.
func TestJSONDepth(t *testing.T) {
	for _, depth := range []int{maxJSONDepth - 1, maxJSONDepth, maxJSONDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			var b strings.Builder
			for range depth {
				b.WriteString(open)
			}
			b.WriteString("1")
			for range depth {
				if open == "[" {
					b.WriteString("]")
				} else {
					b.WriteString("}")
				}
			}
			rec := []byte(b.String())
			valid := validJSON(rec)
			_, err := parseJSON(rec)
			_, ferr := parseJSONFields(rec, map[string]struct{}{"b": {}})
			if (err == nil) != valid || (ferr == nil) != valid {
				t.Errorf("depth %d of %q: encoding/json valid %v, parseJSON %v, parseJSONFields %v", depth, open, valid, err, ferr)
			}
		}
	}
}
