package waterfall

import (
	"context"
	"fmt"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
)

// loaded is a fetched trace with everything the view needs precomputed once
// per load, off the event loop: the tree, the widths of names, per-node
// service indexes and the error spans.
type loaded struct {
	trace        *trace.Trace
	tree         *trace.Tree
	nameWidth    []int // per node: cells of its span name
	serviceOf    []int // per node: index into tree.Services
	serviceWidth []int // per service of tree.Services: cells of its name
	errors       []int // nodes with status error, ascending
	root         int   // the node shown as "the" root in the header, -1 when empty
	orphans      int
	skewed       int
	dupes        int
}

// call loads the trace over r and builds its tree off the event loop,
// knowing that the services the summary names as callees report spans (see
// trace.BuildKnowing). It captures values only, never the model.
func (m *Model) call(r funnel.TimeRange) func(context.Context) (*loaded, error) {
	src, traceID, known := m.src, m.summary.TraceID, m.summary.Completeness.Callees
	return func(ctx context.Context) (*loaded, error) {
		t, err := src.Trace(ctx, traceID, r)
		if err == nil && t == nil {
			err = fmt.Errorf("%s: no trace returned for %s", src.Name(), traceID)
		}
		if err != nil {
			return nil, err
		}
		return prepare(t, known), nil
	}
}

// prepare builds the tree of t and the per-node values the view reads.
func prepare(t *trace.Trace, known []string) *loaded {
	tree := trace.BuildKnowing(t, known)
	d := &loaded{
		trace:        t,
		tree:         tree,
		nameWidth:    make([]int, len(tree.Nodes)),
		serviceOf:    make([]int, len(tree.Nodes)),
		serviceWidth: make([]int, len(tree.Services)),
		errors:       tree.Errors(),
		root:         -1,
	}
	index := make(map[string]int, len(tree.Services))
	for i, s := range tree.Services {
		index[s] = i
		d.serviceWidth[i] = ansi.StringWidth(s)
	}
	for i := range tree.Nodes {
		n := &tree.Nodes[i]
		d.nameWidth[i] = ansi.StringWidth(n.Span.Name)
		d.serviceOf[i] = index[n.Span.Service]
		d.countAnomalies(n)
	}
	d.root = pickRoot(tree)
	return d
}

// name is node n's span name; service its service.
func (d *loaded) name(n int) string    { return d.tree.Nodes[n].Span.Name }
func (d *loaded) service(n int) string { return d.tree.Services[d.serviceOf[n]] }

func (d *loaded) countAnomalies(n *trace.Node) {
	if n.Orphan {
		d.orphans++
	}
	if n.Skewed {
		d.skewed++
	}
	if n.Duplicate {
		d.dupes++
	}
}

// pickRoot returns the first true root (not an orphan), else the first root.
func pickRoot(t *trace.Tree) int {
	for _, r := range t.Roots {
		if !t.Nodes[r].Orphan {
			return r
		}
	}
	if len(t.Roots) > 0 {
		return t.Roots[0]
	}
	return -1
}

// settleTime is how long after its last span ends a trace is taken as
// complete: late spans (batching exporters, clock skew) arrive within it.
const settleTime = 5 * time.Minute

// settled reports whether the trace on screen is complete, so the live
// refresh need not fetch it again (r still does): it loaded whole, no span
// is known to be missing, and its last span ended more than settleTime ago.
// A partial trace is fetched again on every refresh: its spans may arrive.
func (m *Model) settled() bool {
	return m.data != nil && m.req.Err() == nil && !m.data.tree.Completeness.Partial() &&
		m.env.Now().Sub(m.data.tree.End) > settleTime
}
