package engine

import (
	"math"
	"slices"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// KDA's HOTSPOTS table function:
//
//	TABLE(HOTSPOTS(CURSOR(SELECT STREAM ...), windowSize, scanRadius, minimumNumberOfPointsInAHotspot))
//
// Every row of the cursor comes out at once, with its ROWTIME, its columns and one more, HOTSPOTS_RESULT: a
// JSON text describing the dense regions among the last windowSize records, the row itself included:
//
//	{"hotspots":[{"density":208.3,"minValues":[4.51,2.03],"maxValues":[5.49,3.0]}, ...]}
//
// The SQL reference (sqlrf-hotspots) defines the parameters and leaves the algorithm open; Hydrant reads it
// as DBSCAN over the window, which the reference names as the model of scanRadius:
//   - the numeric columns of the cursor, in column order, are the dimensions of a point; other columns ride
//     along untouched. A row with a NULL (or a NaN or infinite DOUBLE) among them is no point: it passes
//     through with the hotspots of the window as it stands, and does not enter the window.
//   - a point is a core point when at least minimumNumberOfPointsInAHotspot points of the window, itself
//     included, lie within scanRadius of it (Euclidean distance, boundary included).
//   - a hotspot is a set of core points connected through neighbours within scanRadius, together with every
//     point within scanRadius of one of them. So it has at least minimumNumberOfPointsInAHotspot records.
//     A border point near two hotspots counts in both, so that the result depends on the set of points only,
//     never on their order, and a replay or a restored instance gives the same text.
//   - minValues and maxValues are the bounds of the hotspot's records per dimension; density is, as the
//     reference says, the number of records divided by the hotspot's size, here the volume of that box with
//     each side at least scanRadius (a hotspot flat along one dimension would otherwise be infinitely dense).
//   - hotspots are listed by density descending, then minValues, then maxValues ascending. Numbers are
//     written as Java's Double.toString writes them (value.AppendFloat): KDA's engine is Java.
//
// The window lives in a ring of windowSize points. Points at the same position share a site, which counts
// them; a grid of cells of side scanRadius over the first (at most three) dimensions finds a new site's
// neighbours in the 3^k cells around it. Each site keeps the list of the sites within scanRadius and the
// number of points among them, updated as points enter and leave: that tells the core points at once, and
// the hotspots are then connected components over those lists, without a search. They are recomputed only
// when a point that enters or leaves is, or lies near, a core point: a noise point changes nothing.
// Memory is bounded by windowSize: the points, the sites and their lists (windowSize^2 entries at worst,
// when every point is near every other at a distinct position) and the grid's occupied cells.

// hotspotsResultColumn is the name of the column HOTSPOTS adds (as the developer guide's example selects it).
const hotspotsResultColumn = "HOTSPOTS_RESULT"

// hotspotsGridDims is how many leading dimensions the grid indexes: 3^k cells are searched per query.
const hotspotsGridDims = 3

func init() {
	tableFuncs["HOTSPOTS"] = func(p *planner, t *sql.TableFunc) relation { return p.hotspots(t) }
}

// hotspots plans TABLE(HOTSPOTS(...)).
func (p *planner) hotspots(t *sql.TableFunc) relation {
	call := t.Call
	const usage = "(CURSOR(SELECT STREAM ...), windowSize, scanRadius, minimumNumberOfPointsInAHotspot)"
	if len(call.Args) != 4 {
		errorf(call, "HOTSPOTS takes 4 arguments %s, not %d", usage, len(call.Args))
	}
	cur, ok := call.Args[0].(*sql.Cursor)
	if !ok {
		errorf(call.Args[0], "the first argument of HOTSPOTS must be CURSOR(SELECT STREAM ...)")
	}
	cc := &compiler{p: p, sc: &scope{}, noAggs: true}
	intArg := func(i int, what string, lo, hi int64) int64 {
		a := cc.expr(call.Args[i])
		if a.konst == nil || a.konst.K != value.Int {
			errorf(call.Args[i], "%s of HOTSPOTS must be an integer constant", what)
		}
		if v := a.konst.I; v < lo || v > hi {
			errorf(call.Args[i], "%s of HOTSPOTS must be between %d and %d, not %d", what, lo, hi, v)
		}
		return a.konst.I
	}
	size := intArg(1, "windowSize", 100, 1000)
	ra := cc.expr(call.Args[2])
	if ra.konst == nil || !ra.konst.Numeric() {
		errorf(call.Args[2], "scanRadius of HOTSPOTS must be a numeric constant")
	}
	radius := ra.konst.Float()
	if !(radius > 0) || math.IsInf(radius, 1) {
		errorf(call.Args[2], "scanRadius of HOTSPOTS must be greater than zero, not %s", ra.konst.String())
	}
	minPts := intArg(3, "minimumNumberOfPointsInAHotspot", 2, size)

	in := p.query(cur.Query, false)
	vis := in.sc.visible("")
	var slots, dims []int
	for _, c := range vis {
		if c.name == hotspotsResultColumn {
			errorf(cur, "the cursor of HOTSPOTS already has a column %s, the name of the column HOTSPOTS adds", quoteName(c.name))
		}
		slots = append(slots, c.slot)
		switch {
		case c.typ.Base == value.TDecimal:
			errorf(cur, "HOTSPOTS does not accept DECIMAL column %s: cast it to DOUBLE", quoteName(c.name))
		case c.typ.Numeric() || c.typ.Base == value.TNull: // TNull: a column of an Open input, type unknown
			dims = append(dims, c.slot)
		}
	}
	if len(dims) == 0 {
		errorf(cur, "the cursor of HOTSPOTS has no numeric column: the hotspots are found among DOUBLE, REAL, FLOAT, BIGINT, INTEGER, SMALLINT or TINYINT values")
	}

	o := newHotspotsOp(int(size), radius, int(minPts), len(dims))
	o.in, o.pump, o.slots, o.dims = p.inst, p.pump, slots, dims
	in.setOut(o)
	p.inst.stateful = append(p.inst.stateful, o)

	sc := passThrough(t, vis, "HOTSPOTS", hotspotsResultColumn, value.Type{Base: value.TVarchar})
	return relation{sc: sc, setOut: func(x op) { o.out = x }}
}

// hsCell is a grid cell: floor(x/scanRadius) in each of the first hotspotsGridDims dimensions.
type hsCell [hotspotsGridDims]int64

// key is the cell's key in the grid map: its coordinates hashed into one word. Two cells may share a key;
// that only puts more points in a bucket, which the distance check filters out.
func (c hsCell) key() uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, v := range c {
		h ^= uint64(v)
		h *= 0xff51afd7ed558ccd
		h ^= h >> 32
	}
	return h
}

// hotspotsOp runs HOTSPOTS over its cursor's rows.
type hotspotsOp struct {
	in     *Instance
	pump   string
	slots  []int // the cursor's visible columns, passed through
	dims   []int // the slots of the numeric columns: a point's coordinates
	out    op
	size   int     // windowSize
	radius float64 // scanRadius
	r2     float64 // radius squared
	minPts int32
	d      int // dimensions

	// The window: a ring of size points, oldest at head, each a site: a distinct position, with how many
	// points of the window are there. Readings of few distinct values (integers, a coarse sensor) make few
	// sites, so their neighbour lists stay short however many points share them.
	ring  []int32 // slot -> site
	head  int
	n     int
	sites []hsSite
	at    []float64          // site -> its d coordinates
	spare []int32            // unused sites
	grid  map[uint64][]int32 // cell key -> sites; empty cells are deleted, so memory stays bounded
	free  [][]int32          // the slices of deleted cells, for reuse
	offs  []hsCell           // the 3^k cell offsets of a neighbourhood

	result string // HOTSPOTS_RESULT of the window as it stands
	stale  bool   // the hotspots may have changed since result was made

	// Scratch, reused row after row.
	pt     []float64
	near   []int32
	parent []int32
	label  []int32 // per site: its cluster, for the roots of core sites
	mark   []int32 // per cluster: the last border site added, so none is added twice
	clus   []hsCluster
	bounds []float64 // per cluster: d minima then d maxima
	order  []int
	json   []byte
	outBuf []value.Value
}

// hsSite is a distinct position of the window's points.
type hsSite struct {
	m   int32   // points there; 0: the site is unused
	cnt int32   // points within the radius, these included
	key uint64  // its cell's key
	adj []int32 // the other sites within the radius
}

// hsCluster is one hotspot being measured.
type hsCluster struct {
	n       int
	density float64
}

// hotspotsEmpty is the result over a window without hotspots.
const hotspotsEmpty = `{"hotspots":[]}`

func newHotspotsOp(size int, radius float64, minPts, d int) *hotspotsOp {
	o := &hotspotsOp{size: size, radius: radius, r2: radius * radius, minPts: int32(minPts), d: d,
		ring: make([]int32, size), sites: make([]hsSite, 0, size), at: make([]float64, size*d),
		grid: map[uint64][]int32{}, result: hotspotsEmpty, pt: make([]float64, d),
		parent: make([]int32, size), label: make([]int32, size)}
	k := min(d, hotspotsGridDims)
	o.offs = []hsCell{{}}
	for i := 0; i < k; i++ {
		var next []hsCell
		for _, c := range o.offs {
			for delta := int64(-1); delta <= 1; delta++ {
				c2 := c
				c2[i] = delta
				next = append(next, c2)
			}
		}
		o.offs = next
	}
	return o
}

// cellOf is the cell of coordinates x. Coordinates are clamped far from int64's limits: points within the
// radius of each other still land in the same or adjacent cells.
func (o *hotspotsOp) cellOf(x []float64) hsCell {
	var c hsCell
	for i := 0; i < min(o.d, hotspotsGridDims); i++ {
		f := math.Floor(x[i] / o.radius)
		f = max(min(f, 1<<62), -(1 << 62))
		c[i] = int64(f)
	}
	return c
}

// coords are site s's coordinates.
func (o *hotspotsOp) coords(s int32) []float64 { return o.at[int(s)*o.d : (int(s)+1)*o.d] }

// neighbours sets o.near to the sites within the radius of x, in no set order.
func (o *hotspotsOp) neighbours(x []float64, c hsCell) {
	o.near = o.near[:0]
	for _, off := range o.offs {
		k := c
		for i := range k {
			k[i] += off[i]
		}
		for _, s := range o.grid[k.key()] {
			q := o.coords(s)
			d2 := 0.0
			for i, v := range x {
				t := v - q[i]
				d2 += t * t
			}
			if d2 <= o.r2 {
				o.near = append(o.near, s)
			}
		}
	}
}

func (o *hotspotsOp) push(r Row) {
	isPoint := true
	for i, s := range o.dims {
		v := r.Cols[s]
		if !v.Numeric() {
			isPoint = false
			break
		}
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			isPoint = false
			break
		}
		if f == 0 {
			f = 0 // -0 is 0: the same site, and one way to print it
		}
		o.pt[i] = f
	}
	if isPoint {
		if o.n == o.size {
			o.evict()
		}
		o.add(o.pt)
		if o.stale {
			o.recompute()
		}
	}
	o.outBuf = o.outBuf[:0]
	for _, s := range o.slots {
		o.outBuf = append(o.outBuf, r.Cols[s])
	}
	o.outBuf = append(o.outBuf, value.NewString(o.result))
	o.out.push(Row{Time: r.Time, Cols: o.outBuf})
}

// core says whether site s has enough points near it to be in a hotspot's core.
func (o *hotspotsOp) core(s int32) bool { return o.sites[s].cnt >= o.minPts }

// add puts x into the window, which has room.
func (o *hotspotsOp) add(x []float64) {
	c := o.cellOf(x)
	k := c.key()
	s := int32(-1)
	for _, q := range o.grid[k] {
		if slices.Equal(o.coords(q), x) {
			s = q
			break
		}
	}
	if s >= 0 {
		// Another point at a known site.
		st := &o.sites[s]
		st.m++
		st.cnt++
		for _, q := range st.adj {
			o.sites[q].cnt++
		}
	} else {
		if len(o.spare) > 0 {
			s = o.spare[len(o.spare)-1]
			o.spare = o.spare[:len(o.spare)-1]
		} else {
			s = int32(len(o.sites))
			o.sites = append(o.sites, hsSite{})
		}
		copy(o.coords(s), x)
		o.neighbours(x, c)
		st := &o.sites[s]
		st.m, st.cnt, st.key = 1, 1, k
		st.adj = append(st.adj[:0], o.near...)
		for _, q := range o.near {
			st.cnt += o.sites[q].m
			o.sites[q].cnt++
			o.sites[q].adj = append(o.sites[q].adj, s)
		}
		cell, ok := o.grid[k]
		if !ok && len(o.free) > 0 {
			cell = o.free[len(o.free)-1]
			o.free = o.free[:len(o.free)-1]
		}
		o.grid[k] = append(cell, s)
	}
	// The point is in a hotspot, or made one, if its site or a site near it is core.
	o.stale = o.stale || o.nearCore(s)
	o.ring[(o.head+o.n)%o.size] = s
	o.n++
}

// nearCore says whether site s or a site within the radius of it is core.
func (o *hotspotsOp) nearCore(s int32) bool {
	if o.core(s) {
		return true
	}
	for _, q := range o.sites[s].adj {
		if o.core(q) {
			return true
		}
	}
	return false
}

// evict takes the oldest point out of the window.
func (o *hotspotsOp) evict() {
	s := o.ring[o.head]
	o.head = (o.head + 1) % o.size
	o.n--
	o.stale = o.stale || o.nearCore(s) // a noise point leaving changes nothing
	st := &o.sites[s]
	st.m--
	st.cnt--
	for _, q := range st.adj {
		o.sites[q].cnt--
	}
	if st.m > 0 {
		return
	}
	for _, q := range st.adj {
		a := o.sites[q].adj
		i := slices.Index(a, s)
		a[i] = a[len(a)-1]
		o.sites[q].adj = a[:len(a)-1]
	}
	st.adj = st.adj[:0]
	cell := o.grid[st.key]
	i := slices.Index(cell, s)
	cell[i] = cell[len(cell)-1]
	cell = cell[:len(cell)-1]
	if len(cell) == 0 {
		delete(o.grid, st.key)
		o.free = append(o.free, cell)
	} else {
		o.grid[st.key] = cell
	}
	o.spare = append(o.spare, s)
}

func (o *hotspotsOp) find(s int32) int32 {
	for o.parent[s] != s {
		o.parent[s] = o.parent[o.parent[s]]
		s = o.parent[s]
	}
	return s
}

// recompute finds the window's hotspots and writes o.result. It depends on the window's points only, not on
// their order or on which sites hold them, so that a restored instance writes the same text.
func (o *hotspotsOp) recompute() {
	o.stale = false
	core := o.core
	ns := int32(len(o.sites))
	// Connect the core sites.
	for s := range ns {
		o.parent[s] = s
		o.label[s] = -1
	}
	for s := range ns {
		if o.sites[s].m == 0 || !core(s) {
			continue
		}
		for _, q := range o.sites[s].adj {
			if core(q) {
				if a, b := o.find(s), o.find(q); a != b {
					o.parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	// Measure each hotspot: its core sites, then the sites near them.
	o.clus = o.clus[:0]
	o.mark = o.mark[:0]
	o.bounds = o.bounds[:0]
	d := o.d
	include := func(k int32, s int32) {
		o.clus[k].n += int(o.sites[s].m)
		b := o.bounds[int(k)*2*d : (int(k)+1)*2*d]
		for i, v := range o.coords(s) {
			b[i] = min(b[i], v)
			b[d+i] = max(b[d+i], v)
		}
	}
	for s := range ns {
		if o.sites[s].m == 0 || !core(s) {
			continue
		}
		r := o.find(s)
		if o.label[r] < 0 {
			o.label[r] = int32(len(o.clus))
			o.clus = append(o.clus, hsCluster{})
			o.mark = append(o.mark, -1)
			for j := 0; j < d; j++ {
				o.bounds = append(o.bounds, math.Inf(1))
			}
			for j := 0; j < d; j++ {
				o.bounds = append(o.bounds, math.Inf(-1))
			}
		}
		include(o.label[r], s)
	}
	if len(o.clus) == 0 {
		o.result = hotspotsEmpty
		return
	}
	for s := range ns {
		if o.sites[s].m == 0 || core(s) {
			continue
		}
		for _, q := range o.sites[s].adj {
			if !core(q) {
				continue
			}
			k := o.label[o.find(q)]
			if o.mark[k] != s {
				o.mark[k] = s
				include(k, s)
			}
		}
	}
	o.order = o.order[:0]
	for k := range o.clus {
		b := o.bounds[k*2*d : (k+1)*2*d]
		vol := 1.0
		for i := 0; i < d; i++ {
			vol *= max(b[d+i]-b[i], o.radius)
		}
		o.clus[k].density = float64(o.clus[k].n) / vol
		o.order = append(o.order, k)
	}
	slices.SortFunc(o.order, func(a, b int) int {
		if da, db := o.clus[a].density, o.clus[b].density; da != db {
			if da > db {
				return -1
			}
			return 1
		}
		ba, bb := o.bounds[a*2*d:(a+1)*2*d], o.bounds[b*2*d:(b+1)*2*d]
		for i := range ba {
			if ba[i] != bb[i] {
				if ba[i] < bb[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	j := append(o.json[:0], `{"hotspots":[`...)
	for i, k := range o.order {
		if i > 0 {
			j = append(j, ',')
		}
		b := o.bounds[k*2*d : (k+1)*2*d]
		j = append(j, `{"density":`...)
		j = appendJSONFloat(j, o.clus[k].density)
		j = append(j, `,"minValues":`...)
		j = appendJSONFloats(j, b[:d])
		j = append(j, `,"maxValues":`...)
		j = appendJSONFloats(j, b[d:])
		j = append(j, '}')
	}
	j = append(j, "]}"...)
	o.json = j
	o.result = string(j)
}

// appendJSONFloat writes f as Java's Double.toString does (a valid JSON number, since f is finite), or
// null if it is not finite, as a density may overflow to be.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return value.AppendFloat(b, f)
}

func appendJSONFloats(b []byte, fs []float64) []byte {
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONFloat(b, f)
	}
	return append(b, ']')
}

func (o *hotspotsOp) advance(t int64) { o.out.advance(t) }

// hotspotsState is a hotspotsOp's checkpoint: the window's points, oldest first. Neighbour counts, the
// grid and the result are derived from them.
type hotspotsState struct {
	Dims   int
	Points []float64
}

func (o *hotspotsOp) snapshot() any {
	s := &hotspotsState{Dims: o.d, Points: make([]float64, 0, o.n*o.d)}
	for i := 0; i < o.n; i++ {
		s.Points = append(s.Points, o.coords(o.ring[(o.head+i)%o.size])...)
	}
	return s
}

func (o *hotspotsOp) restore(dec func(any) error) error {
	var s hotspotsState
	if err := dec(&s); err != nil {
		return err
	}
	if s.Dims != o.d || len(s.Points)%o.d != 0 || len(s.Points) > o.size*o.d {
		return errSnapshotMismatch
	}
	for o.n > 0 {
		o.evict()
	}
	o.head = 0
	for i := 0; i < len(s.Points); i += o.d {
		o.add(s.Points[i : i+o.d])
	}
	o.recompute()
	return nil
}
