package trace

import (
	"cmp"
	"slices"
	"time"
)

// markCriticalPath walks the critical path of the longest tree the way
// Jaeger UI does (the last-finishing-child walk) and sets Critical,
// CriticalTime and CriticalPath.
//
// The walk starts at the root whose tree lasts longest (latest end in its
// subtree minus the root's start) at the root's end. At a span, with the
// current point in time p, it picks the child that finishes last at or
// before p (children are clipped to the span, and those entirely outside
// it are ignored); the part of the span after that child's end is critical
// time of the span, and the walk descends into the child with p = its end.
// When no child is left the rest of the span back to its start is critical
// time, and the walk returns to the parent with p = the span's start.
// Children that overlap the child on the path are skipped, so every span is
// considered once: the walk is O(n log n) and cannot loop.
func (t *Tree) markCriticalPath(b *builder) {
	root := b.longestRoot()
	if root < 0 {
		return
	}
	w := criticalWalk{b: b, next: make(map[int]int), critical: make([]time.Duration, len(b.spans))}
	w.run(root)
	for orig := range w.on {
		at := b.pos[orig]
		t.Nodes[at].Critical = true
		t.Nodes[at].CriticalTime = w.critical[orig]
	}
	for at := range t.Nodes {
		if t.Nodes[at].Critical {
			t.CriticalPath = append(t.CriticalPath, at)
		}
	}
}

// longestRoot returns the original index of the root whose subtree spans
// the longest time, the first such root in order on ties; -1 when none.
func (b *builder) longestRoot() int {
	latest := slices.Clone(b.end)
	for k := len(b.dfs) - 1; k >= 0; k-- {
		if i := b.dfs[k]; b.parent[i] >= 0 {
			latest[b.parent[i]] = max(latest[b.parent[i]], latest[i])
		}
	}
	best, bestLen := -1, int64(-1)
	for _, r := range b.roots {
		if l := latest[r] - b.start[r]; l > bestLen {
			best, bestLen = r, l
		}
	}
	return best
}

// criticalWalk is the state of one last-finishing-child walk.
type criticalWalk struct {
	b *builder
	// byEnd caches, per visited span, its children sorted by end
	// descending; next[i] is how far the walk has consumed them.
	byEnd    map[int][]int
	next     map[int]int
	on       map[int]bool
	critical []time.Duration
}

// frame is a span on the walk with its interval clipped to its ancestors.
type frame struct {
	span   int
	lo, hi int64
}

func (w *criticalWalk) run(root int) {
	w.byEnd = make(map[int][]int)
	w.on = map[int]bool{root: true}
	stack := []frame{{root, w.b.start[root], w.b.end[root]}}
	point := w.b.end[root]
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		if c, ok := w.lastFinishingChild(f, point); ok {
			lo, hi := max(w.b.start[c], f.lo), min(w.b.end[c], f.hi)
			w.critical[f.span] += time.Duration(point - hi)
			w.on[c] = true
			stack = append(stack, frame{c, lo, hi})
			point = hi
			continue
		}
		w.critical[f.span] += time.Duration(point - f.lo)
		point = f.lo
		stack = stack[:len(stack)-1]
	}
}

// lastFinishingChild returns the not yet considered child of f that ends
// last at or before point, once clipped to f; children ending after point
// overlap the path and are skipped for good.
func (w *criticalWalk) lastFinishingChild(f frame, point int64) (int, bool) {
	kids, ok := w.byEnd[f.span]
	if !ok {
		kids = slices.Clone(w.b.children(f.span))
		slices.SortStableFunc(kids, func(x, y int) int { return cmp.Compare(w.b.end[y], w.b.end[x]) })
		w.byEnd[f.span] = kids
	}
	for k := w.next[f.span]; k < len(kids); k++ {
		c := kids[k]
		end := min(w.b.end[c], f.hi)
		if end > point || end < f.lo || w.b.start[c] > f.hi {
			continue
		}
		w.next[f.span] = k + 1
		return c, true
	}
	w.next[f.span] = len(kids)
	return 0, false
}
