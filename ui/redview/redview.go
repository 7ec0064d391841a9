// Package redview is the second step of the funnel: rate, errors and
// latency (RED) per route of one service, ranked by each route's share of
// the service's error-budget burn. Enter drills into the route's traces.
package redview

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/ui/fetch"
	"github.com/redline-tui/redline/ui/frame"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/table"
)

// Source answers the RED step (sources/prometheus, sources/demo).
type Source interface {
	Name() string
	Routes(ctx context.Context, service string, r funnel.TimeRange) (red.Report, error)
}

// Model is the RED pane of one service.
type Model struct {
	env     pane.Env
	src     Source
	service string
	status  slo.Status // the SLO drilled from
	rng     funnel.TimeRange
	request fetch.Tracker
	report  red.Report
	ranked  []red.Row
	table   table.Model
	width   int
	height  int
}

var _ pane.Pane = (*Model)(nil)

// New returns the RED pane of the service of the SLO status drilled from.
func New(env pane.Env, src Source, service string, status slo.Status) *Model {
	return &Model{
		env:     env,
		src:     src,
		service: service,
		status:  status,
		rng:     env.Range,
		table:   table.New(env.Styles, env.Keys, columns()...),
	}
}

// Title is the breadcrumb segment: the service.
func (m *Model) Title() string { return sanitize.Line(m.service) }

// Init starts the first query.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	ctx, gen := m.request.Begin(m.env.Ctx)
	src, service, r := m.src, m.service, m.rng
	return fetch.Call(ctx, gen, src.Name(), m.env.Now, func(ctx context.Context) (red.Report, error) {
		return src.Routes(ctx, service, r)
	})
}

// Update handles answers, refreshes, range changes and keys.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case fetch.Result[red.Report]:
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

func (m *Model) receive(msg fetch.Result[red.Report]) {
	if !m.request.Accept(msg.Gen, msg.Err) || msg.Err != nil {
		return
	}
	m.report = msg.Value
	m.ranked = append([]red.Row(nil), msg.Value.Rows...)
	red.Rank(m.ranked)
	m.table.SetRows(rows(m.ranked))
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.table.Update(msg) {
		return nil
	}
	if key.Matches(msg, m.env.Keys.Global.Drill) {
		if i, ok := m.table.Selected(); ok {
			service, row := m.service, m.ranked[i]
			return func() tea.Msg { return pane.OpenTraces{Service: service, Row: row} }
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

// Close cancels the query in flight.
func (m *Model) Close() { m.request.Cancel() }

// Help lists the pane's own bindings.
func (m *Model) Help() []key.Binding {
	return []key.Binding{m.env.Keys.Global.Drill, m.env.Keys.Global.Filter, m.env.Keys.List.Up, m.env.Keys.List.Down}
}

// Capturing reports whether the filter prompt is open.
func (m *Model) Capturing() bool { return m.table.Capturing() }

// Queries are the queries behind the routes shown.
func (m *Model) Queries() []funnel.Query { return m.report.Queries }

// Loading reports whether a query is in flight.
func (m *Model) Loading() bool { return m.request.InFlight() }
