// Package sloview is the first step of the funnel: every SLO with its burn
// (verdict, budget left, burn per multi-window alert, time to exhaustion,
// burn history), worst first. Enter drills into the routes of the selected
// SLO's service.
package sloview

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/ui/fetch"
	"github.com/redline-tui/redline/ui/frame"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/table"
)

// Source answers the SLO step (sources/prometheus, sources/demo).
type Source interface {
	Name() string
	SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error)
}

// Model is the SLO pane.
type Model struct {
	env      pane.Env
	src      Source
	rng      funnel.TimeRange
	request  fetch.Tracker
	statuses []slo.Status // sorted worst first
	report   slo.Report
	table    table.Model
	width    int
	height   int
}

var _ pane.Pane = (*Model)(nil)

// New returns the SLO pane reading from src over env.Range.
func New(env pane.Env, src Source) *Model {
	return &Model{
		env:   env,
		src:   src,
		rng:   env.Range,
		table: table.New(env.Styles, env.Keys, columns()...),
	}
}

// Title is the breadcrumb segment.
func (m *Model) Title() string { return "SLOs" }

// Init starts the first query.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	ctx, gen := m.request.Begin(m.env.Ctx)
	src, r := m.src, m.rng
	return fetch.Call(ctx, gen, src.Name(), m.env.Now, func(ctx context.Context) (slo.Report, error) {
		return src.SLOs(ctx, r)
	})
}

// Update handles answers, refreshes, range changes and keys.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	switch msg := msg.(type) {
	case fetch.Result[slo.Report]:
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

func (m *Model) receive(msg fetch.Result[slo.Report]) {
	if !m.request.Accept(msg.Gen, msg.Err) || msg.Err != nil {
		return
	}
	m.report = msg.Value
	m.statuses = append([]slo.Status(nil), msg.Value.Statuses...)
	slo.SortBySeverity(m.statuses)
	m.table.SetRows(rows(m.statuses))
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.table.Update(msg) {
		return nil
	}
	if key.Matches(msg, m.env.Keys.Global.Drill) {
		if i, ok := m.table.Selected(); ok {
			s := m.statuses[i]
			return func() tea.Msg { return pane.OpenRoutes{Service: s.Objective.Service, Status: s} }
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

// Queries are the queries behind the SLOs shown.
func (m *Model) Queries() []funnel.Query { return m.report.Queries }

// Loading reports whether a query is in flight.
func (m *Model) Loading() bool { return m.request.InFlight() }
