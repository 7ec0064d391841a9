// Package traceview is the third step of the funnel: the slowest traces of
// one route (at or above its p95), or with a key its erroring traces, with
// the traces its latency exemplars point to marked. Enter opens the
// selected trace's waterfall.
package traceview

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/fetch"
	"github.com/redline-tui/redline/ui/frame"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/table"
)

// Limit is how many traces one search asks for.
const Limit = 20

// Source searches traces (sources/tempo, sources/jaeger, sources/demo).
type Source interface {
	Name() string
	FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error)
}

// Model is the trace list of one route.
type Model struct {
	env        pane.Env
	src        Source
	service    string
	route      red.Row
	rng        funnel.TimeRange
	errorsOnly bool
	request    fetch.Tracker
	result     trace.SearchResult
	traces     []trace.Summary // shown, slowest first, exemplars merged in
	exemplars  map[string]bool // trace IDs the route's exemplars point to
	table      table.Model
	width      int
	height     int
}

var _ pane.Pane = (*Model)(nil)

// New returns the trace list of route (a RED row) of service.
func New(env pane.Env, src Source, service string, route red.Row) *Model {
	exemplars := map[string]bool{}
	for _, e := range route.Exemplars {
		exemplars[trace.NormalizeTraceID(e.TraceID)] = true
	}
	return &Model{
		env:       env,
		src:       src,
		service:   service,
		route:     route,
		rng:       env.Range,
		exemplars: exemplars,
		table:     table.New(env.Styles, env.Keys, columns()...),
	}
}

// Title is the breadcrumb segment: the route.
func (m *Model) Title() string { return sanitize.Line(m.route.Route) }

// Init starts the first search.
func (m *Model) Init() tea.Cmd { return m.load() }

// query is the search for the current mode: traces at or above the route's
// p95, or erroring traces of any duration.
func (m *Model) query() trace.Query {
	q := trace.Query{Service: m.service, Route: m.route.Route, Range: m.rng, Limit: Limit}
	if m.errorsOnly {
		q.ErrorsOnly = true
	} else {
		q.MinDuration = m.route.P95
	}
	return q
}

func (m *Model) load() tea.Cmd {
	ctx, gen := m.request.Begin(m.env.Ctx)
	src, q := m.src, m.query()
	return fetch.Call(ctx, gen, src.Name(), m.env.Now, func(ctx context.Context) (trace.SearchResult, error) {
		return src.FindTraces(ctx, q)
	})
}

// Update handles answers, refreshes, range changes and keys.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case fetch.Result[trace.SearchResult]:
		m.receive(msg)
	case pane.Refresh:
		if !m.request.InFlight() {
			return m, m.load()
		}
	case pane.RangeChanged:
		if msg.Range != m.rng {
			m.rng = msg.Range
			return m, m.load()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) receive(msg fetch.Result[trace.SearchResult]) {
	if !m.request.Accept(msg.Gen, msg.Err) || msg.Err != nil {
		return
	}
	m.result = msg.Value
	m.traces = m.withExemplars(msg.Value.Traces)
	m.table.SetRows(rows(m.traces, m.exemplars))
}

// withExemplars adds the traces the route's exemplars point to when the
// search did not return them (slowest mode only: an exemplar says nothing
// about errors), then orders everything slowest first.
func (m *Model) withExemplars(found []trace.Summary) []trace.Summary {
	out := append([]trace.Summary(nil), found...)
	if !m.errorsOnly {
		out = append(out, missingExemplars(m.service, m.route, m.rng, found)...)
	}
	trace.SortSlowestFirst(out)
	return out
}

func missingExemplars(service string, route red.Row, r funnel.TimeRange, found []trace.Summary) []trace.Summary {
	seen := map[string]bool{}
	for _, s := range found {
		seen[s.TraceID] = true
	}
	var out []trace.Summary
	for _, e := range route.Exemplars {
		id := trace.NormalizeTraceID(e.TraceID)
		if id == "" || seen[id] || !r.Contains(e.Time) {
			continue
		}
		seen[id] = true
		out = append(out, trace.Summary{TraceID: id, RootService: service, RootName: route.Route,
			Start: e.Time.Add(-e.Value), Duration: e.Value, MatchedSpanID: trace.NormalizeSpanID(e.SpanID),
			MatchedDuration: e.Value, Services: []string{service}})
	}
	return out
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.table.Update(msg) {
		return nil
	}
	switch {
	case key.Matches(msg, m.env.Keys.Traces.ToggleErrors):
		m.errorsOnly = !m.errorsOnly
		return m.load()
	case key.Matches(msg, m.env.Keys.Global.Drill):
		if i, ok := m.table.Selected(); ok {
			summary, r := m.traces[i], m.rng
			return func() tea.Msg { return pane.OpenTrace{Summary: summary, Range: r} }
		}
	}
	return nil
}

// SetSize lays the pane out in width × height cells.
func (m *Model) SetSize(width, height int) pane.Pane {
	m.width, m.height = width, height
	m.table.SetSize(width, frame.BodyHeight(height))
	return m
}

// Close cancels the search in flight.
func (m *Model) Close() { m.request.Cancel() }

// Help lists the pane's own bindings.
func (m *Model) Help() []key.Binding {
	return []key.Binding{m.env.Keys.Global.Drill, m.env.Keys.Traces.ToggleErrors, m.env.Keys.Global.Filter}
}

// Capturing reports whether the filter prompt is open.
func (m *Model) Capturing() bool { return m.table.Capturing() }

// Queries are the searches behind the traces shown.
func (m *Model) Queries() []funnel.Query { return m.result.Queries }

// Loading reports whether a search is in flight.
func (m *Model) Loading() bool { return m.request.InFlight() }
