package value

import "math"

// DECIMAL values are float64s (see Decimal). Sums and differences of decimals of scale s, and products of
// scales s1 and s2, are exact decimals of scale max(s) or s1+s2, but float arithmetic leaves them a hair
// off (0.1 + 0.2 is 0.30000000000000004), which would make `SUM(amount) = 0.3` false. RoundDecimal puts
// such a result back on the nearest float to the exact decimal, which is what a literal of that value
// holds, so comparisons with it hold; that is exact while the value has at most 15 significant digits.

// pow10 holds 10^0 .. 10^18.
var pow10 = func() (p [19]float64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// RoundDecimal rounds f to scale decimal places, half away from zero, when f scaled still fits a float's
// 53-bit mantissa; beyond that (or for scales past 18) f is returned unchanged.
func RoundDecimal(f float64, scale int) float64 {
	if scale < 0 || scale >= len(pow10) || math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	x := f * pow10[scale]
	if math.Abs(x) >= 1<<53 {
		return f
	}
	return math.Round(x) / pow10[scale]
}
