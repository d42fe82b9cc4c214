package transforms

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// clickstream returns n bytes of newline-terminated JSON clickstream records of about 1 KiB each (900 to 1,000 bytes),
// the same for the same n: the realistic input of a delivery stream (repeated keys, a few
// distinct values, ids and timestamps that vary).
func clickstream(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	pages := []string{"/", "/search", "/product/view", "/cart", "/checkout", "/account/orders", "/help/returns"}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	}
	cities := []string{"Berlin", "Paris", "Sao Paulo", "Mumbai", "Tokyo", "London", "Toronto", "Seattle"}
	sources := []string{"newsletter", "google", "facebook", "partner", "direct"}
	countries := []string{"US", "DE", "FR", "BR", "IN", "JP", "GB", "CA"}
	out := make([]byte, 0, n+2048)
	t := int64(1_763_700_000_000)
	for seq := 0; len(out) < n; seq++ {
		t += int64(r.IntN(50))
		rec := fmt.Sprintf(`{"event_id":"%016x%016x","event_time":%d,"event_type":"page_view","customer_id":"c-%06d",`+
			`"session_id":"s-%012x","page":"%s","referrer":"https://www.example.com%s?q=%x","country":"%s",`+
			`"user_agent":"%s","screen":{"w":%d,"h":%d},"latency_ms":%d,"ab_bucket":%d,"items":[`,
			r.Uint64(), r.Uint64(), t, r.IntN(50000), r.Uint64()>>16, pages[r.IntN(len(pages))],
			pages[r.IntN(len(pages))], r.Uint32(), countries[r.IntN(len(countries))], agents[r.IntN(len(agents))],
			[]int{1920, 1366, 390}[r.IntN(3)], []int{1080, 768, 844}[r.IntN(3)], r.IntN(900), r.IntN(4))
		for i := range 3 {
			if i > 0 {
				rec += ","
			}
			rec += fmt.Sprintf(`{"sku":"SKU-%05d","qty":%d,"price_cents":%d,"category":"cat-%02d"}`,
				r.IntN(20000), 1+r.IntN(3), 199+r.IntN(50000), r.IntN(40))
		}
		rec += fmt.Sprintf(`],"consent":{"analytics":%t,"ads":%t},"app_version":"4.%d.%d","ip":"%d.%d.%d.%d",`+
			`"geo":{"city":"%s","lat":%.4f,"lon":%.4f},"url":"https://shop.example.com%s?utm_source=%s&utm_campaign=%s-%d&ref=%x",`+
			`"tags":["%s","%s"],"request_id":"%08x-%04x-%04x-%04x-%012x"}`,
			r.IntN(2) == 0, r.IntN(3) == 0, r.IntN(30), r.IntN(10), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256),
			cities[r.IntN(len(cities))], r.Float64()*180-90, r.Float64()*360-180, pages[r.IntN(len(pages))],
			sources[r.IntN(len(sources))], sources[r.IntN(len(sources))], r.IntN(100), r.Uint64(),
			sources[r.IntN(len(sources))], pages[r.IntN(len(pages))], r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Uint64()>>16)
		out = append(out, rec...)
		out = append(out, '\n')
	}
	return out[:n]
}

// incompressible returns n random bytes, the same for the same n.
func incompressible(n int) []byte {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// splitLines returns the complete lines of b, without their newlines.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return lines
		}
		lines = append(lines, b[:i])
		b = b[i+1:]
	}
}
