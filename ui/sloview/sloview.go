// Package sloview is the first step of the funnel: every SLO with its burn
// (verdict, budget left, burn per multi-window alert, time to exhaustion,
// burn history), worst first. Enter drills into the routes of the selected
// SLO's service.
package sloview

import (
	"context"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/tablepane"
)

// Source answers the SLO step (sources/prometheus, sources/demo).
type Source interface {
	Name() string
	SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error)
}

// Model is the SLO pane.
type Model struct {
	tablepane.Base[slo.Report]
	src      Source
	statuses []slo.Status // sorted worst first
	report   slo.Report
	landed   landing // the SLO an entry selected, and how it was found
}

// landing is the SLO an entry (--alert, --slo, --service) selected: while
// it stays selected, the snapshot says how it was found.
type landing struct {
	service, name, how string
}

var _ pane.Pane = (*Model)(nil)

// New returns the SLO pane reading from src over env.Range.
func New(env pane.Env, src Source) *Model {
	if env.Now == nil {
		env.Now = time.Now
	}
	m := &Model{src: src}
	m.Base = tablepane.New(env, src.Name(), m.call, columns()...)
	return m
}

// Title is the breadcrumb segment.
func (m *Model) Title() string { return "SLOs" }

// call is the SLO query over r; it captures the source and r only.
func (m *Model) call(r funnel.TimeRange) func(context.Context) (slo.Report, error) {
	src := m.src
	return func(ctx context.Context) (slo.Report, error) { return src.SLOs(ctx, r) }
}

// Update handles answers, refreshes, range changes and keys.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	return m, m.Handle(msg, m.receive, m.key)
}

// receive sorts a fresh report worst first and shows it.
func (m *Model) receive(report slo.Report) {
	m.report = report
	m.statuses = walk.SLOs(report.Statuses)
	m.Table.SetRows(rows(m.statuses, m.Env.Now()))
}

// Report is the last report received, false before the first.
func (m *Model) Report() (slo.Report, bool) { return m.report, m.Request.Loaded() }

// Land selects the SLO of st (an entry's landing) and remembers how it was
// found, for the snapshot; false when no row shows it.
func (m *Model) Land(st slo.Status, how string) bool {
	i := slices.IndexFunc(m.statuses, func(s slo.Status) bool {
		return s.Objective.Service == st.Objective.Service && s.Objective.Name == st.Objective.Name
	})
	if i < 0 {
		return false
	}
	m.Table.Select(i)
	m.landed = landing{service: st.Objective.Service, name: st.Objective.Name, how: how}
	return true
}

// key acts on the keys the table left: drill opens the selected SLO's
// routes.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if i, ok := m.Drilled(msg); ok {
		s := m.statuses[i]
		return func() tea.Msg { return pane.OpenRoutes{Service: s.Objective.Service, Status: s} }
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

// Queries are the queries behind the SLOs shown.
func (m *Model) Queries() []funnel.Query { return m.report.Queries }
