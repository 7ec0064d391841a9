package trace

import (
	"cmp"
	"slices"
	"time"
)

// Node is one span in a Tree. Nodes are addressed by index into Tree.Nodes.
type Node struct {
	Span     *Span
	Parent   int   // index of the parent node, -1 for roots
	Children []int // ordered by start time, then span ID
	Depth    int
	// SelfTime is the part of the span's duration not covered by any child
	// (union of child intervals clipped to the span).
	SelfTime time.Duration
	// Critical marks nodes on the critical path.
	Critical bool
	// CriticalTime is how much of the critical path this span accounts for
	// itself (not through its children); 0 off the path.
	CriticalTime time.Duration
	// Orphan is set when the span names a parent that is not in the trace;
	// it is then shown as a root.
	Orphan bool
	// Duplicate is set on the second and later spans sharing a span ID; they
	// keep their place in the tree but cannot be anyone's parent.
	Duplicate bool
	// Skewed is set when the span starts before its parent or ends after it
	// by more than the allowed tolerance (clock skew across hosts).
	Skewed bool
	// Callee is set on a client or producer span whose callee is known to
	// report spans but sent none for this call (in flight, dropped or not
	// instrumented): it names that service. Unattributed is then the span's
	// self time, time spent downstream that no span explains.
	Callee       string
	Unattributed time.Duration
}

// Tree is a trace arranged as a forest of spans, in depth-first order
// (Nodes[i] precedes its children). Building is O(n log n).
type Tree struct {
	Nodes []Node
	Roots []int
	Start time.Time // earliest span start
	End   time.Time // latest span end
	// CriticalPath lists the critical node indexes in depth-first order:
	// for a simple chain, from the root to the last leaf.
	CriticalPath []int
	Services     []string // distinct services, in order of first appearance
	// Completeness says whether spans are known to be missing, and why.
	Completeness Completeness
}

// Build arranges t's spans into a tree, marks the critical path (the
// last-finishing-child walk, as in Jaeger UI) and computes self times. It
// never fails: orphans become roots, duplicates and skew are flagged.
//
// Parents are looked up by span ID; the first span holding an ID is the
// parent of every span naming it, later holders are marked Duplicate. A span
// whose parent is absent becomes a root marked Orphan. A parent chain that
// loops is cut at its earliest span (by start, then span ID), which becomes
// an Orphan root. Roots and children are ordered by start time, then span
// ID, then input position. Build(nil) and an empty trace give an empty Tree.
//
// Build also judges the trace's Completeness from its own spans and the
// backend's flag (see BuildKnowing).
func Build(t *Trace) *Tree { return BuildKnowing(t, nil) }

// BuildKnowing is Build, knowing that the services in known report spans:
// a call to one of them that has no span of it is marked unreported (Callee,
// Unattributed) and makes the trace partial.
func BuildKnowing(t *Trace, known []string) *Tree {
	tree, c := build(t)
	if c != nil {
		names := map[string]string{}
		addServices(names, known)
		tree.assess(c, t.Partial, names)
	}
	return tree
}

// build arranges t into a tree with its critical path and returns the
// calls completeness is judged from (nil for an empty trace, whose
// Completeness is only the backend's flag).
func build(t *Trace) (*Tree, *calls) {
	if t == nil || len(t.Spans) == 0 {
		return &Tree{Completeness: Completeness{Flagged: t != nil && t.Partial}}, nil
	}
	b := newBuilder(t.Spans)
	b.resolveParents(b.scan())
	b.breakCycles()
	b.order()
	tree := b.tree()
	tree.markCriticalPath(b)
	return tree, b.findCalls()
}

// Duration is End − Start.
func (t *Tree) Duration() time.Duration { return t.End.Sub(t.Start) }

// Visible returns the node indexes to draw, in depth-first order: children
// of a collapsed node are hidden; with criticalOnly only critical-path nodes
// are kept. collapsed is indexed like Nodes (nil means none collapsed).
// It is O(n) and relies only on the depth-first order and Depth.
func (t *Tree) Visible(collapsed []bool, criticalOnly bool) []int {
	out := make([]int, 0, len(t.Nodes))
	hiddenBelow := -1 // depth of the collapsed ancestor hiding nodes, -1 for none
	for i := range t.Nodes {
		nd := &t.Nodes[i]
		if hiddenBelow >= 0 {
			if nd.Depth > hiddenBelow {
				continue
			}
			hiddenBelow = -1
		}
		if !criticalOnly || nd.Critical {
			out = append(out, i)
		}
		if i < len(collapsed) && collapsed[i] {
			hiddenBelow = nd.Depth
		}
	}
	return out
}

// TopSelfTime returns up to n node indexes with the largest attributed self
// time (AttributedSelf), largest first (ties in depth-first order): time a
// call waited on a callee that did not report is nobody's known work.
func (t *Tree) TopSelfTime(n int) []int {
	n = min(max(n, 0), len(t.Nodes))
	idx := make([]int, len(t.Nodes))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(t.Nodes[b].AttributedSelf(), t.Nodes[a].AttributedSelf())
	})
	return slices.Clip(idx[:n])
}

// Errors returns the indexes of nodes whose span has status error, in
// depth-first order.
func (t *Tree) Errors() []int {
	var out []int
	for i := range t.Nodes {
		if t.Nodes[i].Span.Status == StatusError {
			out = append(out, i)
		}
	}
	return out
}

// Bar is a span's horizontal extent in a waterfall of a given width, in
// fractional cells: From and To are in [0, width], so a renderer can draw
// partial cells with eighth blocks. A zero-length span has From == To.
type Bar struct {
	From, To float64
}

// Layout maps the node's span onto width cells spanning [t.Start, t.End].
// Out-of-range nodes, non-positive widths and a zero-length trace give
// Bar{} (From == To == 0); bars are clamped to [0, width].
func (t *Tree) Layout(node int, width int) Bar {
	total := t.Duration()
	if node < 0 || node >= len(t.Nodes) || width <= 0 || total <= 0 {
		return Bar{}
	}
	s := t.Nodes[node].Span
	scale := float64(width) / float64(total)
	from := float64(s.Start.Sub(t.Start)) * scale
	to := from + float64(max(s.Duration, 0))*scale
	clamp := func(x float64) float64 { return min(max(x, 0), float64(width)) }
	return Bar{From: clamp(from), To: clamp(to)}
}

// Bottleneck returns the node that accounts for the largest share of the
// critical path by its own work (its CriticalTime less any Unattributed
// time), or -1 for an empty tree: where an on-call engineer should look
// first. A call whose callee did not report is not blamed for the wait.
func (t *Tree) Bottleneck() int {
	best := -1
	for i := range t.Nodes {
		if t.Nodes[i].Critical && (best < 0 || t.Nodes[i].attributedCritical() > t.Nodes[best].attributedCritical()) {
			best = i
		}
	}
	return best
}
