package engine

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/analytics/value"
)

// KDA's anomaly detection table functions:
//
//	TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM ...), numberOfTrees, subSampleSize, timeDecay, shingleSize))
//	TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(...), numberOfTrees, subSampleSize, timeDecay, shingleSize,
//	      withDirectionality))
//
// Every row of the cursor comes out at once, at its own ROWTIME, with its columns followed by ANOMALY_SCORE
// (DOUBLE) and, for the explanation, ANOMALY_EXPLANATION: JSON text with one object per numeric column,
// {"COL":{"DIRECTION":"HIGH","STRENGTH":"0.0922","ATTRIBUTION_SCORE":"0.3792"},...} as the developer guide's
// results show it (values as strings with four decimals; DIRECTION and STRENGTH only with withDirectionality).
//
// The model is a robust random cut forest (Guha et al. 2016, "Robust Random Cut Forest Based Anomaly
// Detection on Streams") scored as the open-source random-cut-forest-by-aws library scores it:
//   - The numeric columns of the cursor (SMALLINT, INTEGER, BIGINT, REAL, DOUBLE; DECIMAL is refused, as in
//     KDA) are the dimensions of a point, in column order; with shingling a point is the concatenation of
//     the last shingleSize rows' values, oldest first.
//   - A row is scored against the forest before its point is inserted: its score says how anomalous it is
//     with respect to what came before. Each tree's score is the library's AnomalyScoreVisitor (1/(depth+1)
//     at the leaf, mixed towards the root with the probability that a random cut separates the point from
//     each node's bounding box; a point equal to its leaf scores damp*1/(depth+log2(mass+1))), normalised by
//     log2(treeMass+1); the forest's score is the trees' mean. Normal points score around 1, outliers several.
//   - The explanation is the library's attribution (AnomalyAttributionVisitor): the score split per dimension
//     into a HIGH part (the point lies above the data) and a LOW part (below), summed over a column's shingle
//     positions. ATTRIBUTION_SCORE is high+low (the columns' scores add up to ANOMALY_SCORE), DIRECTION the
//     larger side (LOW when they are equal), STRENGTH |ln((high+e)/(low+e))| with e = 0.001*ANOMALY_SCORE:
//     how one-sided the column's attribution is, from 0 (both sides alike, or too small to tell) to about
//     ln 1000 = 6.9 (a column carrying the whole score on one side). The
//     reference pages do not define STRENGTH; this reading fits the values the developer guide's results
//     show (0.02..0.09 for normal rows, 7.1 for a far outlier) and is Hydrant's choice, not KDA's formula.
//   - Each tree keeps a sample of subSampleSize points chosen by time-decayed reservoir sampling: point
//     number t gets the weight ln(-ln u) - t/timeDecay (u uniform) and a tree keeps the points of smallest
//     weight, so recent points are more likely kept and the last timeDecay or so points matter most.
//   - Until the trees hold subSampleSize points (the initial learning phase the developer guide describes),
//     the score is 0 and the attribution is all zero. A row with a NULL, NaN or infinite numeric value is
//     passed through with a NULL score (and explanation) and is not learned.
//
// Replays must give the same scores, so each tree draws from its own PCG generator seeded with a fixed
// constant and the tree's index; the trees, their samples and the generators' states are in snapshots, so a
// restored instance continues with exactly the scores of an uninterrupted run. Memory is bounded by
// numberOfTrees x subSampleSize points of dimension columns x shingleSize.

// rcfSeed seeds every tree's generator (with the tree's index as the stream).
const rcfSeed = 0x5243465f48594452 // "RCF_HYDR"

// KDA's limits on the constant arguments, and its defaults.
const (
	rcfMaxTrees    = 1000
	rcfMinSample   = 10
	rcfMaxSample   = 1000
	rcfMaxShingle  = 30
	rcfDefTrees    = 100
	rcfDefSample   = 256
	rcfDefDecay    = 100_000
	rcfDefShingle  = 1
	rcfStrengthEps = 1e-3 // of the anomaly score, added to both sides of a column's attribution for STRENGTH
)

func init() {
	tableFuncs["RANDOM_CUT_FOREST"] = func(p *planner, t *sql.TableFunc) relation { return p.randomCutForest(t, false) }
	tableFuncs["RANDOM_CUT_FOREST_WITH_EXPLANATION"] = func(p *planner, t *sql.TableFunc) relation { return p.randomCutForest(t, true) }
}

// randomCutForest plans either function: explain selects RANDOM_CUT_FOREST_WITH_EXPLANATION.
func (p *planner) randomCutForest(t *sql.TableFunc, explain bool) relation {
	call := t.Call
	name := call.Name.Name
	maxArgs := 5
	usage := "(CURSOR(SELECT STREAM ...)[, numberOfTrees[, subSampleSize[, timeDecay[, shingleSize]]]])"
	if explain {
		maxArgs = 6
		usage = "(CURSOR(SELECT STREAM ...)[, numberOfTrees[, subSampleSize[, timeDecay[, shingleSize[, withDirectionality]]]]])"
	}
	if len(call.Args) < 1 || len(call.Args) > maxArgs {
		errorf(call, "%s takes 1 to %d arguments %s, not %d", name, maxArgs, usage, len(call.Args))
	}
	cur, ok := call.Args[0].(*sql.Cursor)
	if !ok {
		errorf(call.Args[0], "the first argument of %s must be CURSOR(SELECT STREAM ...)", name)
	}
	cc := &compiler{p: p, sc: &scope{}, noAggs: true}
	intArg := func(i int, what string, def, lo, hi int64) int64 {
		if i >= len(call.Args) {
			return def
		}
		a := cc.expr(call.Args[i])
		if a.konst == nil || a.konst.K != value.Int {
			errorf(call.Args[i], "%s of %s must be an integer constant", what, name)
		}
		if v := a.konst.I; v < lo || v > hi {
			errorf(call.Args[i], "%s of %s must be between %d and %d, not %d", what, name, lo, hi, v)
		}
		return a.konst.I
	}
	trees := intArg(1, "numberOfTrees", rcfDefTrees, 1, rcfMaxTrees)
	sample := intArg(2, "subSampleSize", rcfDefSample, rcfMinSample, rcfMaxSample)
	decay := intArg(3, "timeDecay", rcfDefDecay, 1, math.MaxInt32)
	shingle := intArg(4, "shingleSize", rcfDefShingle, 1, rcfMaxShingle)
	directional := false
	if explain && len(call.Args) > 5 {
		a := cc.expr(call.Args[5])
		if a.konst == nil || a.konst.K != value.Bool {
			errorf(call.Args[5], "withDirectionality of %s must be TRUE or FALSE", name)
		}
		directional = a.konst.Bool()
	}

	in := p.query(cur.Query, false)
	vis := in.sc.visible("")
	o := &rcfOp{in: p.inst, pump: p.pump, explain: explain, directional: directional,
		sampleSize: int(sample), lambda: 1 / float64(decay), shingle: int(shingle)}
	// An Open input (hydrant sql check without a schema) leaves the cursor's columns unknown.
	open := false
	for _, ci := range p.cfg.Inputs {
		open = open || ci.Open
	}
	unknown := false
	var cols []value.Column
	for _, c := range vis {
		o.slots = append(o.slots, c.slot)
		cols = append(cols, value.Column{Name: c.name, Type: c.typ})
		switch c.typ.Base {
		case value.TTinyint, value.TSmallint, value.TInteger, value.TBigint, value.TReal, value.TDouble:
			o.dims = append(o.dims, c.slot)
			q, _ := json.Marshal(c.name)
			o.names = append(o.names, string(q))
		case value.TDecimal:
			errorf(cur, "%s does not accept DECIMAL column %s: cast it to DOUBLE", name, quoteName(c.name))
		case value.TNull:
			unknown = true
		}
	}
	unknown = open && (unknown || len(o.dims) == 0)
	if len(o.dims) == 0 && !unknown {
		errorf(cur, "the cursor of %s has no numeric column (SMALLINT, INTEGER, BIGINT, REAL or DOUBLE)", name)
	}
	o.init(int(trees))
	in.setOut(o)
	p.inst.stateful = append(p.inst.stateful, o)

	n := len(cols)
	cols = append(cols, value.Column{Name: "ANOMALY_SCORE", Type: value.DoubleType})
	if explain {
		cols = append(cols, value.Column{Name: "ANOMALY_EXPLANATION", Type: value.VarcharType})
	}
	if len(t.ColAliases) > len(cols) {
		errorf(t.ColAliases[len(cols)], "%s yields %d columns, not %d", name, len(cols), len(t.ColAliases))
	}
	alias := ""
	if t.Alias != nil {
		alias = t.Alias.Name
	}
	sc := &scope{width: len(cols)}
	for i, c := range cols {
		nm := c.Name
		if i < len(t.ColAliases) {
			nm = t.ColAliases[i].Name
		}
		col := column{table: alias, name: nm, typ: c.Type, slot: i}
		if i < n {
			col.isTime = vis[i].isTime
		}
		sc.cols = append(sc.cols, col)
	}
	if unknown {
		// Let the names the code reads through the function resolve, as they do on the input: such a
		// program is only checked, never run.
		known := slices.Clone(cols)
		sc.opens = []*openInput{{table: alias, cols: &known}}
	}
	return relation{sc: sc, setOut: func(x op) { o.out = x }}
}

// rcfOp runs RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION over one cursor.
type rcfOp struct {
	in          *Instance
	pump        string
	explain     bool
	directional bool
	slots       []int    // the cursor's visible columns
	dims        []int    // its numeric columns: the dimensions
	names       []string // the numeric columns' names as JSON strings
	sampleSize  int
	lambda      float64 // 1/timeDecay
	shingle     int
	out         op

	f rcfForest

	point  []float64 // the shingled point being scored
	high   []float64 // attribution, per dimension of the point
	low    []float64
	th, tl []float64 // one tree's attribution
	path   []int32
	inside []bool
	shadow []float64
	outBuf []value.Value
	text   []byte
}

// rcfForest is the model's state, all of it in exported fields so that a snapshot is a gob of it.
type rcfForest struct {
	Dim     int       // dimensions of a point: numeric columns x shingleSize
	Seen    int64     // points inserted so far (the sampling clock)
	Shingle []float64 // the last shingleSize rows' values, oldest first
	Rows    int       // rows in Shingle, up to shingleSize
	Trees   []*rcfTree
}

func (o *rcfOp) init(trees int) {
	d := len(o.dims) * o.shingle
	o.f = rcfForest{Dim: d, Shingle: make([]float64, d)}
	for i := range trees {
		o.f.Trees = append(o.f.Trees, newRCFTree(d, uint64(i), o.sampleSize))
	}
	o.point = make([]float64, d)
	o.high, o.low = make([]float64, d), make([]float64, d)
	o.th, o.tl = make([]float64, d), make([]float64, d)
	o.inside = make([]bool, d)
	o.shadow = make([]float64, 2*d)
}

func (o *rcfOp) push(r Row) {
	o.outBuf = o.outBuf[:0]
	for _, s := range o.slots {
		o.outBuf = append(o.outBuf, r.Cols[s])
	}
	nd := len(o.dims)
	ok := nd > 0
	for _, s := range o.dims {
		v := r.Cols[s]
		if !v.Numeric() || math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			ok = false
			break
		}
	}
	if !ok {
		o.outBuf = append(o.outBuf, value.Value{})
		if o.explain {
			o.outBuf = append(o.outBuf, value.Value{})
		}
		o.out.push(Row{Time: r.Time, Cols: o.outBuf})
		return
	}
	f := &o.f
	copy(f.Shingle, f.Shingle[nd:])
	base := len(f.Shingle) - nd
	for i, s := range o.dims {
		f.Shingle[base+i] = r.Cols[s].Float()
	}
	if f.Rows < o.shingle {
		f.Rows++
	}
	score := 0.0
	clear(o.high)
	clear(o.low)
	full := f.Rows == o.shingle
	copy(o.point, f.Shingle)
	if full && f.Seen >= int64(o.sampleSize) {
		score = o.score()
	}
	o.outBuf = append(o.outBuf, value.NewDouble(score))
	if o.explain {
		o.outBuf = append(o.outBuf, value.NewString(o.explanation()))
	}
	o.out.push(Row{Time: r.Time, Cols: o.outBuf})
	if full {
		for _, t := range f.Trees {
			t.sample(o.point, f.Seen, o.lambda, o.sampleSize)
		}
		f.Seen++
	}
}

func (o *rcfOp) advance(t int64) { o.out.advance(t) }

// score is the forest's mean anomaly score of o.point; with explain it also fills o.high and o.low with
// the mean attribution.
func (o *rcfOp) score() float64 {
	sum := 0.0
	for _, t := range o.f.Trees {
		if o.explain {
			t.attribution(o.point, o.th, o.tl, o)
			for i := range o.th {
				o.high[i] += o.th[i]
				o.low[i] += o.tl[i]
				sum += o.th[i] + o.tl[i]
			}
		} else {
			sum += t.score(o.point, o)
		}
	}
	n := float64(len(o.f.Trees))
	for i := range o.high {
		o.high[i] /= n
		o.low[i] /= n
	}
	return sum / n
}

// explanation formats o.high and o.low per column as KDA's ANOMALY_EXPLANATION.
func (o *rcfOp) explanation() string {
	b := append(o.text[:0], '{')
	nd := len(o.dims)
	total := 0.0
	for i := range o.high {
		total += o.high[i] + o.low[i]
	}
	eps := rcfStrengthEps * total
	for c, name := range o.names {
		hi, lo := 0.0, 0.0
		for k := c; k < len(o.high); k += nd {
			hi += o.high[k]
			lo += o.low[k]
		}
		if c > 0 {
			b = append(b, ',')
		}
		b = append(b, name...)
		b = append(b, ":{"...)
		if o.directional {
			dir, strength := "LOW", 0.0
			if hi > lo {
				dir = "HIGH"
			}
			if eps > 0 {
				strength = math.Abs(math.Log((hi + eps) / (lo + eps)))
			}
			b = append(b, `"DIRECTION":"`...)
			b = append(b, dir...)
			b = append(b, `","STRENGTH":"`...)
			b = strconv.AppendFloat(b, strength, 'f', 4, 64)
			b = append(b, `",`...)
		}
		b = append(b, `"ATTRIBUTION_SCORE":"`...)
		b = strconv.AppendFloat(b, hi+lo, 'f', 4, 64)
		b = append(b, `"}`...)
	}
	b = append(b, '}')
	o.text = b
	return string(b)
}

// rcfTree is one random cut tree over its sample. Nodes live in a slice (indexes instead of pointers, so
// that the tree is gob-encodable as is); Boxes holds each node's bounding box, min then max per dimension
// (a leaf's box is its point).
type rcfTree struct {
	Dim    int
	Nodes  []rcfNode
	Boxes  []float64
	Free   []int32 // recycled node indexes
	Root   int32   // -1: empty
	Sample []rcfSample
	RNG    []byte // the generator's state, in snapshots
	rng    *rand.PCG
	arena  []float64 // backs the points of a new tree's sample
}

// rcfNode is a tree node: an internal node cuts dimension Dim at Cut (x <= Cut goes Left), a leaf
// (Left == -1) holds Mass copies of its point.
type rcfNode struct {
	Parent, Left, Right int32
	Dim                 int32
	Cut                 float64
	Mass                int32
}

// rcfSample is a point of a tree's reservoir; Sample is a max-heap on Weight.
type rcfSample struct {
	Weight float64
	Point  []float64
}

// newRCFTree makes an empty tree with room for size points, allocated once.
func newRCFTree(dim int, index uint64, size int) *rcfTree {
	return &rcfTree{Dim: dim, Root: -1, rng: rand.NewPCG(rcfSeed, index),
		Nodes: make([]rcfNode, 0, 2*size), Boxes: make([]float64, 0, 4*size*dim),
		Sample: make([]rcfSample, 0, size), arena: make([]float64, size*dim)}
}

func (t *rcfTree) isLeaf(n int32) bool { return t.Nodes[n].Left < 0 }

func (t *rcfTree) box(n int32) (lo, hi []float64) {
	b := t.Boxes[int(n)*2*t.Dim : (int(n)+1)*2*t.Dim]
	return b[:t.Dim], b[t.Dim:]
}

func (t *rcfTree) newNode(nd rcfNode) int32 {
	if k := len(t.Free); k > 0 {
		n := t.Free[k-1]
		t.Free = t.Free[:k-1]
		t.Nodes[n] = nd
		return n
	}
	t.Nodes = append(t.Nodes, nd)
	for range 2 * t.Dim {
		t.Boxes = append(t.Boxes, 0)
	}
	return int32(len(t.Nodes) - 1)
}

// uniform is a float in (0, 1).
func (t *rcfTree) uniform() float64 {
	return (float64(t.rng.Uint64()>>11) + 0.5) / (1 << 53)
}

// sample offers point number seq to the tree's reservoir, inserting it into the tree if it is kept and
// deleting the point it replaces.
func (t *rcfTree) sample(p []float64, seq int64, lambda float64, size int) {
	w := math.Log(-math.Log(t.uniform())) - lambda*float64(seq)
	if k := len(t.Sample); k < size {
		var pt []float64
		if (k+1)*t.Dim <= len(t.arena) {
			pt = t.arena[k*t.Dim : (k+1)*t.Dim : (k+1)*t.Dim]
		}
		t.Sample = append(t.Sample, rcfSample{Weight: w, Point: append(pt[:0], p...)})
		t.up(len(t.Sample) - 1)
		t.insert(p)
		return
	}
	if w >= t.Sample[0].Weight {
		return
	}
	old := &t.Sample[0]
	t.delete(old.Point)
	copy(old.Point, p)
	old.Weight = w
	t.down(0)
	t.insert(p)
}

func (t *rcfTree) up(i int) {
	h := t.Sample
	for i > 0 {
		j := (i - 1) / 2
		if h[j].Weight >= h[i].Weight {
			break
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

func (t *rcfTree) down(i int) {
	h := t.Sample
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && h[r].Weight > h[l].Weight {
			j = r
		}
		if h[i].Weight >= h[j].Weight {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// insert adds p to the tree (Guha et al.'s insertion): from the root down, a random cut of the node's box
// extended by p; if it separates p from the node, p becomes a new leaf beside the node, else p goes down
// the node's own cut.
func (t *rcfTree) insert(p []float64) {
	if t.Root < 0 {
		t.Root = t.newLeaf(p, -1)
		return
	}
	n := t.Root
	for {
		lo, hi := t.box(n)
		if t.isLeaf(n) && equalPoint(lo, p) {
			t.Nodes[n].Mass++ // the ancestors were counted on the way down
			return
		}
		total := 0.0
		for i, x := range p {
			total += max(hi[i], x) - min(lo[i], x)
		}
		r := t.uniform() * total
		dim, cut := -1, 0.0
		for i, x := range p {
			a, b := min(lo[i], x), max(hi[i], x)
			if b-a <= 0 {
				continue
			}
			dim, cut = i, a+r
			if r < b-a {
				break
			}
			r -= b - a
		}
		x := p[dim]
		sep := (x <= cut && cut < lo[dim]) || (hi[dim] <= cut && cut < x)
		if !sep && t.isLeaf(n) {
			// Rounding put the cut on the far value: cut at the smaller of the two instead.
			for i := range p {
				if p[i] != lo[i] {
					dim, x, cut = i, p[i], min(p[i], lo[i])
					break
				}
			}
			sep = true
		}
		if sep {
			parent := t.Nodes[n].Parent
			leaf := t.newLeaf(p, -1)
			inner := t.newNode(rcfNode{Parent: parent, Dim: int32(dim), Cut: cut, Mass: t.Nodes[n].Mass + 1})
			if x <= cut {
				t.Nodes[inner].Left, t.Nodes[inner].Right = leaf, n
			} else {
				t.Nodes[inner].Left, t.Nodes[inner].Right = n, leaf
			}
			t.Nodes[leaf].Parent, t.Nodes[n].Parent = inner, inner
			ilo, ihi := t.box(inner)
			lo, hi = t.box(n)
			for i, v := range p {
				ilo[i], ihi[i] = min(lo[i], v), max(hi[i], v)
			}
			t.replaceChild(parent, n, inner)
			return
		}
		t.Nodes[n].Mass++
		for i, v := range p {
			lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
		}
		nd := &t.Nodes[n]
		if p[nd.Dim] <= nd.Cut {
			n = nd.Left
		} else {
			n = nd.Right
		}
	}
}

func (t *rcfTree) newLeaf(p []float64, parent int32) int32 {
	n := t.newNode(rcfNode{Parent: parent, Left: -1, Right: -1, Mass: 1})
	lo, hi := t.box(n)
	copy(lo, p)
	copy(hi, p)
	return n
}

// replaceChild puts c where old was under parent (or at the root).
func (t *rcfTree) replaceChild(parent, old, c int32) {
	if parent < 0 {
		t.Root = c
		return
	}
	if t.Nodes[parent].Left == old {
		t.Nodes[parent].Left = c
	} else {
		t.Nodes[parent].Right = c
	}
}

// delete removes one copy of p, a point of the sample, from the tree.
func (t *rcfTree) delete(p []float64) {
	n := t.Root
	for n >= 0 && !t.isLeaf(n) {
		nd := &t.Nodes[n]
		if p[nd.Dim] <= nd.Cut {
			n = nd.Left
		} else {
			n = nd.Right
		}
	}
	if n < 0 {
		panic("engine: random cut tree: deleting from an empty tree")
	}
	if lo, _ := t.box(n); !equalPoint(lo, p) {
		panic("engine: random cut tree: the point to delete is not in the tree")
	}
	if t.Nodes[n].Mass > 1 {
		for ; n >= 0; n = t.Nodes[n].Parent {
			t.Nodes[n].Mass--
		}
		return
	}
	parent := t.Nodes[n].Parent
	t.Free = append(t.Free, n)
	if parent < 0 {
		t.Root = -1
		return
	}
	sib := t.Nodes[parent].Left
	if sib == n {
		sib = t.Nodes[parent].Right
	}
	grand := t.Nodes[parent].Parent
	t.Nodes[sib].Parent = grand
	t.replaceChild(grand, parent, sib)
	t.Free = append(t.Free, parent)
	for g := grand; g >= 0; g = t.Nodes[g].Parent {
		nd := &t.Nodes[g]
		nd.Mass--
		lo, hi := t.box(g)
		llo, lhi := t.box(nd.Left)
		rlo, rhi := t.box(nd.Right)
		for i := range lo {
			lo[i], hi[i] = min(llo[i], rlo[i]), max(lhi[i], rhi[i])
		}
	}
}

func equalPoint(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// descend fills o.path with the nodes from the root to the leaf p falls in.
func (t *rcfTree) descend(p []float64, o *rcfOp) []int32 {
	path := o.path[:0]
	for n := t.Root; n >= 0; {
		path = append(path, n)
		nd := &t.Nodes[n]
		if nd.Left < 0 {
			break
		}
		if p[nd.Dim] <= nd.Cut {
			n = nd.Left
		} else {
			n = nd.Right
		}
	}
	o.path = path
	return path
}

// The library's default scoring functions (CommonUtils).
func scoreSeen(depth float64, mass int32) float64 { return 1 / (depth + log2p1(mass)) }
func scoreUnseen(depth float64) float64           { return 1 / (depth + 1) }
func damp(leafMass, treeMass float64) float64 {
	return 1 - leafMass/(2*treeMass)
}
func normalizeScore(s float64, treeMass int32) float64 { return s * log2p1(treeMass) }

// rcfLog2 holds log2(m+1) for every mass a tree can have (at most subSampleSize): a logarithm per tree
// and row was a tenth of the scoring time.
var rcfLog2 = func() []float64 {
	t := make([]float64, rcfMaxSample+1)
	for m := range t {
		t[m] = math.Log2(float64(m) + 1)
	}
	return t
}()

func log2p1(m int32) float64 { return rcfLog2[m] }

// score is the tree's anomaly score of p (AnomalyScoreVisitor without ignored leaves).
func (t *rcfTree) score(p []float64, o *rcfOp) float64 {
	if t.Root < 0 {
		return 0
	}
	path := t.descend(p, o)
	mass := t.Nodes[t.Root].Mass
	d := len(path) - 1
	leaf := path[d]
	if lo, _ := t.box(leaf); equalPoint(lo, p) {
		lm := t.Nodes[leaf].Mass
		return normalizeScore(damp(float64(lm), float64(mass))*scoreSeen(float64(d), lm), mass)
	}
	s := scoreUnseen(float64(d))
	for k := d - 1; k >= 0; k-- {
		lo, hi := t.box(path[k])
		newRange, diff := 0.0, 0.0
		for i, x := range p {
			a, b := lo[i], hi[i]
			old := b - a
			a, b = min(a, x), max(b, x)
			newRange += b - a
			diff += b - a - old
		}
		if diff <= 0 {
			break
		}
		prob := diff / newRange
		s = prob*scoreUnseen(float64(k)) + (1-prob)*s
	}
	return normalizeScore(s, mass)
}

// attribution splits the tree's score of p per dimension into high (p above the data) and low parts
// (AnomalyAttributionVisitor without ignored leaves).
func (t *rcfTree) attribution(p, high, low []float64, o *rcfOp) {
	clear(high)
	clear(low)
	if t.Root < 0 {
		return
	}
	path := t.descend(p, o)
	mass := t.Nodes[t.Root].Mass
	d := len(path) - 1
	leaf := path[d]
	inside := o.inside
	clear(inside)
	llo, lhi := t.box(leaf)
	if equalPoint(llo, p) {
		// p is in the sample: score as seen, split evenly at the leaf, then shaped by the boxes of the
		// rest of the tree (the siblings along the path) and scaled back to the score.
		lm := t.Nodes[leaf].Mass
		saved := damp(float64(lm), float64(mass)) * scoreSeen(float64(d), lm)
		for i := range high {
			high[i], low[i] = saved/float64(2*len(p)), saved/float64(2*len(p))
		}
		dim := len(p)
		slo, shi := o.shadow[:dim], o.shadow[dim:]
		for k := d - 1; k >= 0; k-- {
			nd := &t.Nodes[path[k]]
			sib := nd.Left
			if sib == path[k+1] {
				sib = nd.Right
			}
			blo, bhi := t.box(sib)
			if k == d-1 {
				copy(slo, blo)
				copy(shi, bhi)
			} else {
				for i := range slo {
					slo[i], shi[i] = min(slo[i], blo[i]), max(shi[i], bhi[i])
				}
			}
			stop := !attributeNode(p, slo, shi, inside, high, low, scoreUnseen(float64(k)))
			if stop || k == 0 {
				sum := 0.0
				for i := range high {
					sum += high[i] + low[i]
				}
				if sum > 0 {
					f := saved / sum
					for i := range high {
						high[i] *= f
						low[i] *= f
					}
				}
				break
			}
		}
	} else {
		saved := scoreUnseen(float64(d))
		newRange := 0.0
		for i, x := range p {
			newRange += max(lhi[i], x) - min(llo[i], x)
		}
		for i, x := range p {
			high[i] = saved * max(x-lhi[i], 0) / newRange
			low[i] = saved * max(llo[i]-x, 0) / newRange
			inside[i] = high[i] == 0 && low[i] == 0
		}
		for k := d - 1; k >= 0; k-- {
			lo, hi := t.box(path[k])
			if !attributeNode(p, lo, hi, inside, high, low, scoreUnseen(float64(k))) {
				break
			}
		}
	}
	for i := range high {
		high[i] = normalizeScore(high[i], mass)
		low[i] = normalizeScore(low[i], mass)
	}
}

// attributeNode mixes one node's box into an attribution: the probability that a random cut separates p
// from the box, per dimension and side, weighs the node's score against what was below. It reports false
// when p lies inside the box (nothing above can change the attribution).
func attributeNode(p, lo, hi []float64, inside []bool, high, low []float64, s float64) bool {
	newRange, diff := 0.0, 0.0
	for i, x := range p {
		newRange += max(hi[i], x) - min(lo[i], x)
		if !inside[i] {
			g := max(x-hi[i], 0) + max(lo[i]-x, 0)
			if g > 0 {
				diff += g
			} else {
				inside[i] = true
			}
		}
	}
	if diff <= 0 {
		return false
	}
	prob := diff / newRange
	for i, x := range p {
		gh, gl := 0.0, 0.0
		if !inside[i] {
			gh, gl = max(x-hi[i], 0), max(lo[i]-x, 0)
		}
		high[i] = gh/newRange*s + (1-prob)*high[i]
		low[i] = gl/newRange*s + (1-prob)*low[i]
	}
	return true
}

// check verifies a restored tree, so that a damaged snapshot is refused instead of looping or panicking
// later: every node is reached once from the root with the right parent, a leaf's box is a point, an
// internal node has two children, their mass, the union of their boxes, and a cut between them, and the
// leaves hold the sample's points.
func (t *rcfTree) check() error {
	seen := make([]bool, len(t.Nodes))
	for _, f := range t.Free {
		if f < 0 || int(f) >= len(t.Nodes) || seen[f] {
			return errRCFSnapshot
		}
		seen[f] = true
	}
	mass := int32(0)
	var walk func(n, parent int32, depth int) bool
	walk = func(n, parent int32, depth int) bool {
		if n < 0 || int(n) >= len(t.Nodes) || seen[n] || depth > len(t.Nodes) {
			return false
		}
		seen[n] = true
		nd := t.Nodes[n]
		if nd.Parent != parent || nd.Mass < 1 {
			return false
		}
		lo, hi := t.box(n)
		if nd.Left < 0 {
			mass += nd.Mass
			return nd.Right < 0 && equalPoint(lo, hi)
		}
		if nd.Dim < 0 || int(nd.Dim) >= t.Dim || !walk(nd.Left, n, depth+1) || !walk(nd.Right, n, depth+1) {
			return false
		}
		llo, lhi := t.box(nd.Left)
		rlo, rhi := t.box(nd.Right)
		for i := range lo {
			if lo[i] != min(llo[i], rlo[i]) || hi[i] != max(lhi[i], rhi[i]) {
				return false
			}
		}
		// The cut lies between the children, so every point is where descending by the cuts finds it.
		return lhi[nd.Dim] <= nd.Cut && nd.Cut < rlo[nd.Dim] && nd.Mass == t.Nodes[nd.Left].Mass+t.Nodes[nd.Right].Mass
	}
	if t.Root >= 0 && !walk(t.Root, -1, 0) {
		return errRCFSnapshot
	}
	if int(mass) != len(t.Sample) {
		return errRCFSnapshot
	}
	for i := range seen {
		if !seen[i] {
			return errRCFSnapshot
		}
	}
	for _, sm := range t.Sample {
		n := t.Root
		for n >= 0 && t.Nodes[n].Left >= 0 {
			if nd := &t.Nodes[n]; sm.Point[nd.Dim] <= nd.Cut {
				n = nd.Left
			} else {
				n = nd.Right
			}
		}
		if n < 0 {
			return errRCFSnapshot
		}
		if lo, _ := t.box(n); !equalPoint(lo, sm.Point) {
			return errRCFSnapshot
		}
	}
	return nil
}

// rcfState is an rcfOp's checkpoint: the forest with each tree's generator state.
type rcfState struct {
	Forest rcfForest
}

func (o *rcfOp) snapshot() any {
	for _, t := range o.f.Trees {
		b, err := t.rng.MarshalBinary()
		if err != nil {
			panic("engine: random cut forest: " + err.Error()) // PCG's MarshalBinary cannot fail
		}
		t.RNG = b
	}
	return &rcfState{Forest: o.f}
}

var errRCFSnapshot = errors.New("engine: random cut forest snapshot does not fit the function's parameters")

func (o *rcfOp) restore(dec func(any) error) error {
	var s rcfState
	if err := dec(&s); err != nil {
		return err
	}
	f := s.Forest
	if f.Dim != o.f.Dim || len(f.Trees) != len(o.f.Trees) || len(f.Shingle) != f.Dim || f.Rows > o.shingle || f.Rows < 0 {
		return errRCFSnapshot
	}
	for _, t := range f.Trees {
		if t == nil || t.Dim != f.Dim || len(t.Boxes) != len(t.Nodes)*2*f.Dim || len(t.Sample) > o.sampleSize ||
			int(t.Root) >= len(t.Nodes) {
			return errRCFSnapshot
		}
		for _, sm := range t.Sample {
			if len(sm.Point) != f.Dim {
				return errRCFSnapshot
			}
		}
		if err := t.check(); err != nil {
			return err
		}
		t.rng = &rand.PCG{}
		if err := t.rng.UnmarshalBinary(t.RNG); err != nil {
			return errRCFSnapshot
		}
		t.RNG = nil
	}
	if f.Shingle == nil {
		f.Shingle = []float64{}
	}
	o.f = f
	return nil
}
