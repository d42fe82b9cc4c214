package format

import (
	"strings"
	"testing"

	"github.com/hydrantio/hydrant/analytics/value"
)

// mapAll maps rec and returns the rows as text (NULL as "<nil>") and the errors' names.
func mapAll(t *testing.T, m *Mapper, rec string) (rows [][]string, errs []string) {
	t.Helper()
	m.Map([]byte(rec), func(row []value.Value) {
		out := make([]string, len(row))
		for i, v := range row {
			if v.IsNull() {
				out[i] = "<nil>"
			} else {
				out[i] = v.String()
			}
		}
		rows = append(rows, out)
	}, func(e *MapError) {
		if e.Name != ErrParse && e.Name != ErrTypeConversion {
			t.Errorf("error name %q", e.Name)
		}
		errs = append(errs, e.Name)
	})
	return rows, errs
}

func mustMapper(t *testing.T, f RecordFormat, cols ...Column) *Mapper {
	t.Helper()
	m, err := NewMapper(f, cols)
	if err != nil {
		t.Fatalf("NewMapper: %v", err)
	}
	return m
}

var jsonFormat = RecordFormat{Type: "JSON", RecordRowPath: "$"}

func col(name, typ, mapping string) Column { return Column{Name: name, SQLType: typ, Mapping: mapping} }

func rowsString(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|"))
		b.WriteByte('\n')
	}
	return b.String()
}

// The record of about-json-path.html, with its missing comma and the streetAddress "array" holding
// members repaired so that it is JSON.
const jsonPathRecord = `{
  "customerName":"John Doe",
  "address":
  {
    "streetAddress":
    {
      "number":"123",
      "street":"AnyStreet"
    },
    "city":"Anytown"
  },
  "orders":
  [
    { "orderId":"23284", "itemName":"Widget", "itemPrice":"33.99" },
    { "orderId":"63122", "itemName":"Gadget", "itemPrice":"22.50" },
    { "orderId":"77284", "itemName":"Sprocket", "itemPrice":"12.00" }
  ]
}`

// TestJSONPathPage checks each example of about-json-path.html ("Working with JSONPath").
func TestJSONPathPage(t *testing.T) {
	tests := []struct {
		name string
		cols []Column
		want string
	}{
		// "$.customerName ... returns John Doe"
		{"element", []Column{col("C", "VARCHAR(16)", "$.customerName")}, "John Doe\n"},
		// "Path expressions are case-sensitive. The expression $.Name returns null"
		{"case sensitive", []Column{col("C", "VARCHAR(16)", "$.Name")}, "<nil>\n"},
		// "$.customerId ... returns null ... because there is no matching element"
		{"missing", []Column{col("C", "VARCHAR(16)", "$.customerId")}, "<nil>\n"},
		// "$.address.city ... returns Anytown"
		{"nested", []Column{col("C", "VARCHAR(16)", "$.address.city")}, "Anytown\n"},
		// "$.address.streetAddress.street ... returns AnyStreet"
		{"nested twice", []Column{col("C", "VARCHAR(16)", "$.address.streetAddress.street")}, "AnyStreet\n"},
		// "$.orders[0:] ... returns the array contents in a single column in a single row"
		{"whole array", []Column{col("C", "VARCHAR(512)", "$.orders[0:]")},
			`[{"orderId":"23284","itemName":"Widget","itemPrice":"33.99"},{"orderId":"63122","itemName":"Gadget","itemPrice":"22.50"},{"orderId":"77284","itemName":"Sprocket","itemPrice":"12.00"}]` + "\n"},
		// "$.orders[0:].orderId ... each data item returned as a separate row"
		{"flattened", []Column{col("C", "VARCHAR(16)", "$.orders[0:].orderId")}, "23284\n63122\n77284\n"},
		// "the nonarray elements are repeated for each element in the array"
		{"flattened with repeated", []Column{col("N", "VARCHAR(16)", "$.customerName"), col("O", "VARCHAR(16)", "$.orders[0:].orderId")},
			"John Doe|23284\nJohn Doe|63122\nJohn Doe|77284\n"},
		// "This format returns the contents of the second array as a single column, repeated for every
		// element in the first array" (one array flattened, another referenced whole)
		{"flattened and whole", []Column{col("O", "INTEGER", "$.orders[0:].orderId"), col("S", "VARCHAR(64)", "$.address.streetAddress")},
			"23284|{\"number\":\"123\",\"street\":\"AnyStreet\"}\n63122|{\"number\":\"123\",\"street\":\"AnyStreet\"}\n77284|{\"number\":\"123\",\"street\":\"AnyStreet\"}\n"},
		// "$.orders[0:].itemId ... returns records with null values": "An array is always flattened to
		// at least one row"... here each element lacks itemId, so each row is NULL.
		{"flattened missing member", []Column{col("C", "VARCHAR(16)", "$.orders[0:].itemId")}, "<nil>\n<nil>\n<nil>\n"},
		{"explicit index", []Column{col("C", "DECIMAL(5,2)", "$.orders[1].itemPrice")}, "22.5\n"},
		{"quoted member", []Column{col("C", "VARCHAR(16)", "$['address']['city']")}, "Anytown\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustMapper(t, jsonFormat, tt.cols...)
			rows, errs := mapAll(t, m, jsonPathRecord)
			if len(errs) > 0 {
				t.Fatalf("errors %v", errs)
			}
			if got := rowsString(rows); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
