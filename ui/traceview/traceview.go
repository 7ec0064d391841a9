// Package traceview is the third step of the funnel: the slowest traces of
// one route (at or above its p95), or with a key its erroring traces, with
// the traces its latency exemplars point to and the partial traces marked.
// The list opens on the slowest complete trace (a key lets it pick partial
// ones too); Enter opens the selected trace's waterfall.
package traceview

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/tablepane"
)

// Source searches traces (sources/tempo, sources/jaeger, sources/demo).
type Source interface {
	Name() string
	FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error)
}

// Model is the trace list of one route.
type Model struct {
	tablepane.Base[trace.SearchResult]
	src        Source
	service    string
	route      red.Row
	errorsOnly bool
	result     trace.SearchResult
	traces     []trace.Summary // shown, slowest first, exemplars merged in
	partials   int             // how many of traces are known to be partial
	exemplars  map[string]bool // trace IDs the route's exemplars point to
	// includePartial lets the pick take partial traces; choice is the last
	// pick, made on the first answer of each mode and on the key.
	includePartial bool
	choice         trace.Choice
	picked         bool
}

var _ pane.Pane = (*Model)(nil)

// New returns the trace list of route (a RED row) of service.
func New(env pane.Env, src Source, service string, route red.Row) *Model {
	exemplars := map[string]bool{}
	for _, e := range route.Exemplars {
		exemplars[trace.NormalizeTraceID(e.TraceID)] = true
	}
	m := &Model{src: src, service: service, route: route, exemplars: exemplars}
	m.Base = tablepane.New(env, src.Name(), m.call, columns()...)
	return m
}

// Title is the breadcrumb segment: the route.
func (m *Model) Title() string { return m.route.Route }

// query is the search over r for the current mode (walk.TraceSearch).
func (m *Model) query(r funnel.TimeRange) trace.Query {
	return walk.TraceSearch(m.service, m.route, r, m.errorsOnly)
}

// call is the search over r; it captures the source and the query only.
func (m *Model) call(r funnel.TimeRange) func(context.Context) (trace.SearchResult, error) {
	src, q := m.src, m.query(r)
	return func(ctx context.Context) (trace.SearchResult, error) { return src.FindTraces(ctx, q) }
}

// Update handles answers, refreshes, range changes and keys.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	return m, m.Handle(msg, m.receive, m.key)
}

// receive shows a fresh search with the route's exemplars merged in.
func (m *Model) receive(result trace.SearchResult) {
	m.result = result
	m.traces = m.withExemplars(result.Traces)
	m.partials = 0
	for _, s := range m.traces {
		if s.Completeness.Partial() {
			m.partials++
		}
	}
	m.Table.SetRows(rows(m.traces, m.exemplars))
	m.choice = trace.PickSlowest(m.traces, m.includePartial)
	if !m.picked {
		m.pick()
	}
}

// pick selects the trace redline chooses for the user: the slowest
// complete one unless partial ones are included.
func (m *Model) pick() {
	m.picked = true
	if m.choice.Index >= 0 {
		m.Table.Select(m.choice.Index)
	}
}

// withExemplars adds the route's exemplars the search did not return, in
// slowest mode, and orders everything slowest first (walk.Traces).
func (m *Model) withExemplars(found []trace.Summary) []trace.Summary {
	return walk.Traces(m.query(m.Request.Range()), m.route, found)
}

// key acts on the keys the table left: the errors toggle searches again,
// drill opens the selected trace.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.Env.Keys.Traces.ToggleErrors) {
		m.errorsOnly, m.picked = !m.errorsOnly, false
		return m.Request.Load()
	}
	if key.Matches(msg, m.Env.Keys.Traces.IncludePartial) {
		m.includePartial = !m.includePartial
		m.choice = trace.PickSlowest(m.traces, m.includePartial)
		m.pick()
		return nil
	}
	if i, ok := m.Drilled(msg); ok {
		summary, r := m.traces[i], m.Request.Range()
		return func() tea.Msg { return pane.OpenTrace{Summary: summary, Range: r} }
	}
	return nil
}

// SetSize lays the pane out in width × height cells.
func (m *Model) SetSize(width, height int) pane.Pane {
	m.Resize(width, height)
	return m
}

// Help lists the pane's own bindings.
func (m *Model) Help() []key.Binding {
	return []key.Binding{m.Env.Keys.Global.Drill, m.Env.Keys.Traces.ToggleErrors, m.Env.Keys.Traces.IncludePartial, m.Env.Keys.Global.Filter}
}

// Queries are the searches behind the traces shown.
func (m *Model) Queries() []funnel.Query { return m.result.Queries }
