package waterfall

import (
	"github.com/redline-tui/redline/funnel/trace"
)

// treeView is the navigable state of the tree: which nodes are collapsed,
// whether only the critical path is shown, the visible rows derived from
// both (recomputed only when they change), the selection and the scroll
// offset. Slices are never mutated after they are built, so copies of a
// Model never alias changing state.
type treeView struct {
	collapsed    []bool // indexed like tree.Nodes; nil means none
	criticalOnly bool

	rows      []int   // visible node indexes, depth-first
	rowOf     []int32 // node → row, -1 when hidden
	lastChild []int32 // node → its last visible child, -1 when none
	lastRoot  int     // the last visible root

	selected int // row
	offset   int // first row on screen
	page     int // rows on screen
}

// reset shows t fully expanded with its bottleneck selected: the span
// that accounts for most of the critical path by itself.
func (v treeView) reset(t *trace.Tree) treeView {
	v.collapsed, v.criticalOnly = nil, false
	v = v.recompute(t, t.Bottleneck())
	v.offset = max(v.selected-v.page/2, 0) // the bottleneck mid-screen, its callers above it
	return v.scrolled(v.page)
}

// reload carries collapse state and the selection from the previous load
// over to next, matching spans by span ID.
func (v treeView) reload(prev, next *loaded) treeView {
	if prev == nil {
		return v.reset(next.tree)
	}
	selectedID := ""
	if n := v.selectedNode(); n >= 0 {
		selectedID = prev.tree.Nodes[n].Span.SpanID
	}
	collapsedIDs := map[string]bool{}
	for i, c := range v.collapsed {
		if c {
			collapsedIDs[prev.tree.Nodes[i].Span.SpanID] = true
		}
	}
	keep := firstNode(next.tree)
	v.collapsed = nil
	if len(collapsedIDs) > 0 {
		v.collapsed = make([]bool, len(next.tree.Nodes))
	}
	for i := range next.tree.Nodes {
		id := next.tree.Nodes[i].Span.SpanID
		if v.collapsed != nil {
			v.collapsed[i] = collapsedIDs[id]
		}
		if id == selectedID && selectedID != "" {
			keep = i
			selectedID = "" // the first span with that ID wins
		}
	}
	return v.recompute(next.tree, keep)
}

func firstNode(t *trace.Tree) int {
	if len(t.Nodes) == 0 {
		return -1
	}
	return 0
}

// recompute derives the visible rows and selects keep, or its nearest
// visible ancestor.
func (v treeView) recompute(t *trace.Tree, keep int) treeView {
	v.rows = t.Visible(v.collapsed, v.criticalOnly)
	v.rowOf = make([]int32, len(t.Nodes))
	v.lastChild = make([]int32, len(t.Nodes))
	for i := range v.rowOf {
		v.rowOf[i], v.lastChild[i] = -1, -1
	}
	v.lastRoot = -1
	for r, n := range v.rows {
		v.rowOf[n] = int32(r)
		if p := t.Nodes[n].Parent; p >= 0 {
			v.lastChild[p] = int32(n)
		} else {
			v.lastRoot = n
		}
	}
	for keep >= 0 && v.rowOf[keep] < 0 {
		keep = t.Nodes[keep].Parent
	}
	v.selected = 0
	if keep >= 0 {
		v.selected = int(v.rowOf[keep])
	}
	return v.scrolled(v.page)
}

// selectedNode is the node on the selected row, -1 when nothing is shown.
func (v treeView) selectedNode() int {
	if v.selected < 0 || v.selected >= len(v.rows) {
		return -1
	}
	return v.rows[v.selected]
}

// isCollapsed reports whether node n is collapsed.
func (v treeView) isCollapsed(n int) bool {
	return v.collapsed != nil && v.collapsed[n]
}

// isLastVisible reports whether n is the last visible child of its parent
// (or the last visible root), which decides between ├ and └.
func (v treeView) isLastVisible(t *trace.Tree, n int) bool {
	if p := t.Nodes[n].Parent; p >= 0 {
		return int(v.lastChild[p]) == n
	}
	return v.lastRoot == n
}

// move shifts the selection by delta rows, clamped to the rows.
func (v treeView) move(delta int) treeView {
	v.selected = clamp(v.selected+delta, 0, len(v.rows)-1)
	return v.scrolled(v.page)
}

// selectRow selects row r (clamped).
func (v treeView) selectRow(r int) treeView {
	v.selected = clamp(r, 0, len(v.rows)-1)
	return v.scrolled(v.page)
}

// scrolled sets the page height and moves the offset so the selection is
// on screen and no empty rows show below the last one.
func (v treeView) scrolled(page int) treeView {
	v.page = max(page, 1)
	v.offset = clamp(v.offset, v.selected-v.page+1, v.selected)
	v.offset = clamp(v.offset, 0, max(len(v.rows)-v.page, 0))
	return v
}

// withCollapsed sets node n collapsed or expanded, keeping n selected.
func (v treeView) withCollapsed(t *trace.Tree, n int, collapsed bool) treeView {
	if v.isCollapsed(n) == collapsed {
		return v
	}
	next := make([]bool, len(t.Nodes))
	copy(next, v.collapsed)
	next[n] = collapsed
	v.collapsed = next
	return v.recompute(t, n)
}

// withCriticalOnly switches the critical-path-only filter, keeping the
// selected node (or its nearest visible ancestor) selected.
func (v treeView) withCriticalOnly(t *trace.Tree, on bool) treeView {
	keep := v.selectedNode()
	v.criticalOnly = on
	return v.recompute(t, keep)
}

// revealed makes node n visible (expanding its ancestors and leaving the
// critical-only filter if n is off the path) and selects it.
func (v treeView) revealed(t *trace.Tree, n int) treeView {
	next := make([]bool, len(t.Nodes))
	copy(next, v.collapsed)
	for p := t.Nodes[n].Parent; p >= 0; p = t.Nodes[p].Parent {
		next[p] = false
	}
	v.collapsed = next
	if !t.Nodes[n].Critical {
		v.criticalOnly = false
	}
	return v.recompute(t, n)
}

func clamp(x, lo, hi int) int {
	if x > hi {
		x = hi
	}
	if x < lo {
		x = lo
	}
	return x
}
