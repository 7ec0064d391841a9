package waterfall

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/pane"
)

// loadedMsg is the result of one load, tagged with its generation.
type loadedMsg struct {
	gen    uint64
	data   *loaded
	err    error
	health pane.Health
}

// loaded is a fetched trace with everything the view needs precomputed once
// per load, off the event loop: the tree, sanitised names, per-node service
// indexes and the error spans.
type loaded struct {
	trace        *trace.Trace
	tree         *trace.Tree
	names        []string // per node: sanitised span name
	nameWidth    []int    // per node: cells of names[i]
	serviceOf    []int    // per node: index into services
	services     []string // sanitised, in the order of tree.Services
	serviceWidth []int
	errors       []int // nodes with status error, ascending
	root         int   // the node shown as "the" root in the header, -1 when empty
	orphans      int
	skewed       int
	dupes        int
}

// load fetches the trace and builds its tree in the command goroutine,
// knowing that the services in known report spans (see trace.BuildKnowing).
// It captures values only, never the model.
func load(ctx context.Context, src Source, traceID string, known []string, r funnel.TimeRange, gen uint64, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		started := now()
		t, err := src.Trace(ctx, traceID, r)
		finished := now()
		if err == nil && t == nil {
			err = fmt.Errorf("%s: no trace returned for %s", src.Name(), traceID)
		}
		msg := loadedMsg{
			gen:    gen,
			err:    err,
			health: pane.Health{Backend: src.Name(), Err: err, At: finished, Latency: finished.Sub(started)},
		}
		if err == nil {
			msg.data = prepare(t, known)
		}
		return msg
	}
}

// prepare builds the tree of t and the per-node values the view reads.
func prepare(t *trace.Trace, known []string) *loaded {
	tree := trace.BuildKnowing(t, known)
	d := &loaded{
		trace:        t,
		tree:         tree,
		names:        make([]string, len(tree.Nodes)),
		nameWidth:    make([]int, len(tree.Nodes)),
		serviceOf:    make([]int, len(tree.Nodes)),
		services:     make([]string, len(tree.Services)),
		serviceWidth: make([]int, len(tree.Services)),
		errors:       tree.Errors(),
		root:         -1,
	}
	index := make(map[string]int, len(tree.Services))
	for i, s := range tree.Services {
		index[s] = i
		d.services[i] = sanitize.Line(s)
		d.serviceWidth[i] = ansi.StringWidth(d.services[i])
	}
	for i := range tree.Nodes {
		n := &tree.Nodes[i]
		d.names[i] = sanitize.Line(n.Span.Name)
		d.nameWidth[i] = ansi.StringWidth(d.names[i])
		d.serviceOf[i] = index[n.Span.Service]
		d.countAnomalies(n)
	}
	d.root = pickRoot(tree)
	return d
}

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

// accept takes a load result of the current generation; stale ones are
// dropped. A failed refresh keeps the tree on screen and reports the error
// in the status line.
func (m Model) accept(msg loadedMsg) (Model, tea.Cmd) {
	if !m.load.Accept(msg.gen, msg.err) {
		return m, nil
	}
	health := reportHealth(msg.health)
	if msg.err != nil {
		return m, health
	}
	m.view = m.view.reload(m.data, msg.data)
	m.data = msg.data
	return m, health
}

// settleTime is how long after its last span ends a trace is taken as
// complete: late spans (batching exporters, clock skew) arrive within it.
const settleTime = 5 * time.Minute

// settled reports whether the trace on screen is complete, so the live
// refresh need not fetch it again (r still does): it loaded whole, no span
// is known to be missing, and its last span ended more than settleTime ago.
// A partial trace is fetched again on every refresh: its spans may arrive.
func (m Model) settled() bool {
	return m.data != nil && m.load.Err() == nil && !m.data.tree.Completeness.Partial() &&
		m.env.Now().Sub(m.data.tree.End) > settleTime
}

// refresh re-fetches the trace, keeping at most one load in flight.
func (m Model) refresh() (Model, tea.Cmd) {
	if m.load.InFlight() {
		return m, nil
	}
	return m, m.begin()
}

// begin starts a load of the trace, bounded by fetch.Timeout, and returns
// the command that runs it.
func (m *Model) begin() tea.Cmd {
	ctx, gen := m.load.Begin(m.env.Ctx)
	return load(ctx, m.src, m.summary.TraceID, m.summary.Completeness.Callees, m.rng, gen, m.env.Now)
}

// reportHealth emits the backend health, except for loads cancelled by
// Close, which say nothing about the backend.
func reportHealth(h pane.Health) tea.Cmd {
	if errors.Is(h.Err, context.Canceled) {
		return nil
	}
	return func() tea.Msg { return h }
}
