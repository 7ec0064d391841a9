// Package redview is the second step of the funnel: rate, errors and
// latency (RED) per route of one service, ranked by each route's share of
// the service's error-budget burn. Enter drills into the route's traces.
package redview

import (
	"context"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/tablepane"
)

// Source answers the RED step (sources/prometheus, sources/demo).
type Source interface {
	Name() string
	Routes(ctx context.Context, q red.Query) (red.Report, error)
}

// Model is the RED pane of one service.
type Model struct {
	tablepane.Base[red.Report]
	src     Source
	service string
	status  slo.Status // the SLO drilled from
	report  red.Report
	ranked  []red.Row
	landed  landing // the route an entry (--route) selected, and how it was found
}

// landing is the route an entry selected: while it stays selected, the
// snapshot says how it was found.
type landing struct{ route, how string }

var _ pane.Pane = (*Model)(nil)

// New returns the RED pane of the service of the SLO status drilled from.
func New(env pane.Env, src Source, service string, status slo.Status) *Model {
	m := &Model{src: src, service: service, status: status}
	m.Base = tablepane.New(env, src.Name(), m.call, columns()...)
	return m
}

// Title is the breadcrumb segment: the service.
func (m *Model) Title() string { return m.service }

// call is the routes query over r, ranked by the burn of the SLO drilled
// from; it captures the source and the query only.
func (m *Model) call(r funnel.TimeRange) func(context.Context) (red.Report, error) {
	src, q := m.src, m.query(r)
	return func(ctx context.Context) (red.Report, error) { return src.Routes(ctx, q) }
}

// query asks for the routes over r ranked by the SLO drilled from.
func (m *Model) query(r funnel.TimeRange) red.Query { return red.QueryFor(m.service, r, &m.status) }

// Update handles answers, refreshes, range changes and keys.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	return m, m.Handle(msg, m.receive, m.key)
}

// receive ranks a fresh report by burn share and shows it.
func (m *Model) receive(report red.Report) {
	m.report = report
	m.ranked = walk.Routes(report.Rows)
	m.Table.SetRows(rows(m.ranked))
}

// Routes are the rows of the last report, ranked as shown; false before
// the first report.
func (m *Model) Routes() ([]red.Row, bool) { return m.ranked, m.Request.Loaded() }

// Land selects the route named route (an entry's landing) and remembers
// how it was found, for the snapshot; false when no row shows it.
func (m *Model) Land(route, how string) bool {
	i := slices.IndexFunc(m.ranked, func(r red.Row) bool { return r.Route == route })
	if i < 0 {
		return false
	}
	m.Table.Select(i)
	m.landed = landing{route: route, how: how}
	return true
}

// key acts on the keys the table left: drill opens the selected route's
// traces.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if i, ok := m.Drilled(msg); ok {
		service, row := m.service, m.ranked[i]
		return func() tea.Msg { return pane.OpenTraces{Service: service, Row: row} }
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
	return []key.Binding{m.Env.Keys.Global.Drill, m.Env.Keys.Global.Filter, m.Env.Keys.List.Up, m.Env.Keys.List.Down}
}

// Queries are the queries behind the routes shown.
func (m *Model) Queries() []funnel.Query { return m.report.Queries }
