package trace

import "time"

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
	// Orphan is set when the span names a parent that is not in the trace;
	// it is then shown as a root.
	Orphan bool
	// Duplicate is set on the second and later spans sharing a span ID; they
	// keep their place in the tree but cannot be anyone's parent.
	Duplicate bool
	// Skewed is set when the span starts before its parent or ends after it
	// by more than the allowed tolerance (clock skew across hosts).
	Skewed bool
}

// Tree is a trace arranged as a forest of spans, in depth-first order
// (Nodes[i] precedes its children). Building is O(n log n).
type Tree struct {
	Nodes []Node
	Roots []int
	Start time.Time     // earliest span start
	End   time.Time     // latest span end
	// CriticalPath lists node indexes from the root to the last leaf.
	CriticalPath []int
	Services     []string // distinct services, in order of first appearance
}

// Build arranges t's spans into a tree, marks the critical path (the
// last-finishing-child walk, as in Jaeger UI) and computes self times. It
// never fails: orphans become roots, duplicates and skew are flagged.
func Build(t *Trace) *Tree { panic("TODO") }

// Duration is End − Start.
func (t *Tree) Duration() time.Duration { return t.End.Sub(t.Start) }

// Visible returns the node indexes to draw, in depth-first order: children
// of a collapsed node are hidden; with criticalOnly only critical-path nodes
// are kept. collapsed is indexed like Nodes (nil means none collapsed).
func (t *Tree) Visible(collapsed []bool, criticalOnly bool) []int { panic("TODO") }

// TopSelfTime returns up to n node indexes with the largest self time.
func (t *Tree) TopSelfTime(n int) []int { panic("TODO") }

// Errors returns the indexes of nodes whose span has status error.
func (t *Tree) Errors() []int { panic("TODO") }

// Bar is a span's horizontal extent in a waterfall of a given width, in
// fractional cells: From and To are in [0, width], so a renderer can draw
// partial cells with eighth blocks. A zero-length span has From == To.
type Bar struct {
	From, To float64
}

// Layout maps the node's span onto width cells spanning [t.Start, t.End].
func (t *Tree) Layout(node int, width int) Bar { panic("TODO") }
