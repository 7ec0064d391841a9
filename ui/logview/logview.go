// Package logview is the last step of the funnel: the log lines correlated
// with one trace, or one of its spans, time-ascending or errors first, with
// a filter, wrapping and the structured fields of a line on demand.
package logview

import (
	"context"
	"slices"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/tablepane"
)

// Source finds the log lines of a trace (sources/loki, sources/demo).
type Source interface {
	Name() string
	TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error)
}

// Model is the log pane of one trace.
type Model struct {
	tablepane.Base[logs.Result]
	src         Source
	target      pane.OpenLogs
	spanOnly    bool
	errorsFirst bool
	result      logs.Result
	lines       []logs.Line // in display order
	errors      int         // error and fatal lines among them
	warnings    int
}

var _ pane.Pane = (*Model)(nil)

// New returns the log pane for the trace (and span, when given) of target.
// It starts on the span's lines when a span is given.
func New(env pane.Env, src Source, target pane.OpenLogs) *Model {
	m := &Model{src: src, target: target, spanOnly: target.SpanID != ""}
	m.Base = tablepane.New(env, src.Name(), m.call, columns()...)
	m.Table.SetDetail(m.fields)
	return m
}

// Title is the breadcrumb segment.
func (m *Model) Title() string {
	if m.spanOnly {
		return "logs of span"
	}
	return "logs"
}

// query is the query of the trace's (or span's) lines (walk.TraceLogs):
// over the trace's own time span, else r.
func (m *Model) query(r funnel.TimeRange) logs.Query {
	spanID := ""
	if m.spanOnly {
		spanID = m.target.SpanID
	}
	return walk.TraceLogs(m.target.TraceID, spanID, m.target.Services, m.target.Range, r)
}

// call is the query of the trace's (or span's) lines over the trace's own
// time span, whatever the pane's range; it captures the source and the
// query only.
func (m *Model) call(r funnel.TimeRange) func(context.Context) (logs.Result, error) {
	src, q := m.src, m.query(r)
	return func(ctx context.Context) (logs.Result, error) { return src.TraceLogs(ctx, q) }
}

// Update handles answers, refreshes and keys. The pane ignores range
// changes: a trace's lines lie in the trace's own time span.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	if _, ok := msg.(pane.RangeChanged); ok {
		return m, nil
	}
	return m, m.Handle(msg, m.receive, m.key)
}

// receive shows a fresh answer in the current order.
func (m *Model) receive(result logs.Result) {
	m.result = result
	m.arrange()
}

// arrange orders the lines (time-ascending, or errors first keeping time
// order within each group), counts errors and warnings, and hands the
// lines to the table.
func (m *Model) arrange() {
	m.lines = append(m.lines[:0], m.result.Lines...)
	ids := make([]int, len(m.lines))
	m.errors, m.warnings = 0, 0
	for i, l := range m.lines {
		ids[i] = i
		switch rank(l.Level) {
		case 0:
			m.errors++
		case 1:
			m.warnings++
		}
	}
	if m.errorsFirst {
		slices.SortStableFunc(ids, func(a, b int) int {
			return rank(m.result.Lines[a].Level) - rank(m.result.Lines[b].Level)
		})
		for i, id := range ids {
			m.lines[i] = m.result.Lines[id]
		}
	}
	m.Table.SetRows(rows(m.lines, ids))
}

// rank puts errors and fatal lines first, then warnings, then the rest.
func rank(l logs.Level) int {
	switch {
	case l >= logs.LevelError:
		return 0
	case l == logs.LevelWarn:
		return 1
	default:
		return 2
	}
}

// key acts on the keys the table left: fields, wrapping, order and the
// span scope.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.Env.Keys.Logs
	switch {
	case key.Matches(msg, k.Expand):
		m.Table.ToggleDetail()
	case key.Matches(msg, k.Wrap):
		m.Table.SetWrap(!m.Table.Wrap())
	case key.Matches(msg, k.ErrorsTop):
		m.errorsFirst = !m.errorsFirst
		m.arrange()
	case key.Matches(msg, k.SpanOnly):
		if m.target.SpanID != "" {
			m.spanOnly = !m.spanOnly
			return m.Request.Load()
		}
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
	k := m.Env.Keys.Logs
	return []key.Binding{m.Env.Keys.Global.Filter, k.Expand, k.Wrap, k.SpanOnly, k.ErrorsTop}
}

// Queries are the queries behind the lines shown.
func (m *Model) Queries() []funnel.Query { return m.result.Queries }

func lineID(original int) string { return strconv.Itoa(original) }
