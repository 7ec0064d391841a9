package snapshot

import (
	"fmt"
	"slices"

	"github.com/redline-tui/redline/funnel/trace"
)

// Waterfall limits.
const (
	// MaxSpanRows is how many waterfall rows a snapshot keeps.
	MaxSpanRows = 40
	// minGroup is the shortest run of same-named sibling spans grouped on
	// one row (a pair, such as a retry, stays two rows).
	minGroup = 3
)

// Selections: which spans a trace part's Spans hold.
const (
	SelectAll      = "all spans"
	SelectCritical = "critical path, error spans and their ancestors"
	selectGrouped  = "; runs of %d or more same-named sibling spans grouped on one row"
	selectCut      = "; cut to the first %d rows"
)

func tracePart(in Input) *Trace {
	part := &Trace{Queries: queriesOf(in.TraceQueries)}
	if in.Summary != nil {
		sm := in.Summary
		part.TraceID, part.RootService, part.RootName = sm.TraceID, sm.RootService, sm.RootName
		part.Start, part.Duration = sm.Start.UTC(), Duration(sm.Duration)
		part.SpanCount, part.ErrorCount, part.Services = sm.SpanCount, sm.ErrorCount, slices.Clone(sm.Services)
	}
	if in.Trace == nil {
		return part
	}
	tree := in.Tree
	if tree == nil {
		tree = trace.Build(in.Trace)
	}
	part.TraceID = in.Trace.ID
	part.Warnings = slices.Clone(in.Trace.Warnings)
	part.Queries = append(part.Queries, queriesOf(in.Trace.Queries)...)
	describeTree(part, tree)
	return part
}

// describeTree fills the parts of a trace part that come from its tree.
func describeTree(part *Trace, tree *trace.Tree) {
	if len(tree.Nodes) == 0 {
		part.Selection = SelectAll
		return
	}
	root := tree.Nodes[tree.Roots[0]].Span
	part.RootService, part.RootName = root.Service, root.Name
	part.Start, part.Duration = tree.Start.UTC(), Duration(tree.Duration())
	part.SpanCount, part.ErrorCount = len(tree.Nodes), len(tree.Errors())
	part.Services = slices.Clone(tree.Services)
	part.Partial, part.PartialReason = tree.Completeness.Partial(), tree.Completeness.Reason()
	part.Spans, part.Selection = cutTrace(tree)
	shown := 0
	for _, r := range part.Spans {
		shown += r.Count
	}
	part.OmittedSpans = len(tree.Nodes) - shown
	part.TopSelfTime = topSelfTime(tree)
	part.Errors = spanErrors(tree)
}

// cutTrace chooses the waterfall rows, stopping at the first step that
// fits MaxSpanRows: every span; else the critical path, the error spans
// and their ancestors; else those with runs of minGroup or more same-named
// siblings grouped on one row; else the first MaxSpanRows of those rows.
func cutTrace(tree *trace.Tree) ([]SpanRow, string) {
	if len(tree.Nodes) <= MaxSpanRows {
		return rowsOf(tree, tree.Visible(nil, false)), SelectAll
	}
	kept := keptNodes(tree)
	if len(kept) <= MaxSpanRows {
		return rowsOf(tree, kept), SelectCritical
	}
	rows := groupedRows(tree, kept)
	selection := SelectCritical + fmt.Sprintf(selectGrouped, minGroup)
	if len(rows) > MaxSpanRows {
		rows = rows[:MaxSpanRows]
		selection += fmt.Sprintf(selectCut, MaxSpanRows)
	}
	return rows, selection
}

// keptNodes are the critical, error and ancestor nodes in depth-first
// order.
func keptNodes(tree *trace.Tree) []int {
	keep := make([]bool, len(tree.Nodes))
	for i, nd := range tree.Nodes {
		if !nd.Critical && nd.Span.Status != trace.StatusError {
			continue
		}
		for at := i; at >= 0 && !keep[at]; at = tree.Nodes[at].Parent {
			keep[at] = true
		}
	}
	var out []int
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

func rowsOf(tree *trace.Tree, nodes []int) []SpanRow {
	rows := make([]SpanRow, 0, len(nodes))
	for _, i := range nodes {
		rows = append(rows, rowOf(tree, i))
	}
	return rows
}

func rowOf(tree *trace.Tree, i int) SpanRow {
	nd := tree.Nodes[i]
	s := nd.Span
	return SpanRow{
		Depth: nd.Depth, Service: s.Service, Name: s.Name, Kind: s.Kind.String(), SpanID: s.SpanID,
		Offset: Duration(s.Start.Sub(tree.Start)), Duration: Duration(s.Duration),
		Count: 1, Total: Duration(s.Duration),
		Critical: nd.Critical, Error: s.Status == trace.StatusError, Unreported: nd.Callee,
	}
}

// groupedRows lays out the kept nodes as rows, merging runs of minGroup or
// more consecutive kept siblings of the same service and name; the
// children of a grouped row are grouped by service and name.
func groupedRows(tree *trace.Tree, kept []int) []SpanRow {
	children := map[int][]int{} // parent node (or -1) → kept children in order
	for _, i := range kept {
		p := tree.Nodes[i].Parent
		children[p] = append(children[p], i)
	}
	var rows []SpanRow
	var walk func(group []int)
	walk = func(group []int) {
		var kids []int
		for _, g := range group {
			kids = append(kids, children[g]...)
		}
		split := runs
		if len(group) > 1 {
			split = byName
		}
		for _, run := range split(tree, kids) {
			rows = append(rows, mergeRow(tree, run))
			walk(run)
		}
	}
	walk([]int{-1})
	return rows
}

// runs splits nodes into groups: each run of minGroup or more consecutive
// nodes of the same service and name is one group, any other node its own.
func runs(tree *trace.Tree, nodes []int) [][]int {
	var out [][]int
	for start := 0; start < len(nodes); {
		end := start + 1
		for end < len(nodes) && sameSpanName(tree, nodes[start], nodes[end]) {
			end++
		}
		if end-start < minGroup {
			end = start + 1
		}
		out = append(out, nodes[start:end])
		start = end
	}
	return out
}

// byName groups the children of a grouped row by service and name, in
// order of first appearance: the children of N retries are N of each kind.
func byName(tree *trace.Tree, nodes []int) [][]int {
	var out [][]int
	at := map[[2]string]int{}
	for _, i := range nodes {
		s := tree.Nodes[i].Span
		k := [2]string{s.Service, s.Name}
		g, ok := at[k]
		if !ok {
			g = len(out)
			at[k] = g
			out = append(out, nil)
		}
		out[g] = append(out[g], i)
	}
	return out
}

func sameSpanName(tree *trace.Tree, a, b int) bool {
	x, y := tree.Nodes[a].Span, tree.Nodes[b].Span
	return x.Service == y.Service && x.Name == y.Name
}

// mergeRow is one row for a run of nodes: their extent, count and summed
// duration; critical or error when any of them is.
func mergeRow(tree *trace.Tree, run []int) SpanRow {
	row := rowOf(tree, run[0])
	end := row.Offset + row.Duration // after the trace's start, like Offset
	for _, i := range run[1:] {
		other := rowOf(tree, i)
		row.Count++
		row.Total += other.Total
		row.Critical = row.Critical || other.Critical
		row.Error = row.Error || other.Error
		row.Offset = min(row.Offset, other.Offset)
		end = max(end, other.Offset+other.Duration)
	}
	row.Duration = end - row.Offset
	return row
}

func topSelfTime(tree *trace.Tree) []SelfTime {
	total := tree.Duration()
	var out []SelfTime
	for _, i := range tree.TopSelfTime(TopSelfTimeSpans) {
		nd := tree.Nodes[i]
		share := Unknown()
		if total > 0 {
			share = Number(float64(nd.AttributedSelf()) / float64(total))
		}
		out = append(out, SelfTime{Service: nd.Span.Service, Name: nd.Span.Name, SpanID: nd.Span.SpanID, Self: Duration(nd.AttributedSelf()), Share: share})
	}
	return out
}

// spanErrors details the first MaxErrorSpans error spans, deepest cause
// first: a failing leaf explains more than the failing root above it.
func spanErrors(tree *trace.Tree) []SpanError {
	errs := tree.Errors()
	slices.SortStableFunc(errs, func(a, b int) int { return tree.Nodes[b].Depth - tree.Nodes[a].Depth })
	var out []SpanError
	for _, i := range errs[:min(len(errs), MaxErrorSpans)] {
		s := tree.Nodes[i].Span
		e := SpanError{Service: s.Service, Name: s.Name, SpanID: s.SpanID, StatusMessage: s.StatusMessage}
		for _, a := range s.Attributes {
			e.Attributes = append(e.Attributes, Attr{Key: a.Key, Value: a.Value})
		}
		out = append(out, e)
	}
	return out
}
