// Package waterfall is the span waterfall pane: one trace drawn as a tree of
// spans with duration and self-time columns, sub-cell bars on a shared time
// axis, the critical path and error spans marked by symbol and style, a span
// detail panel, and drills into the trace's (or one span's) log lines.
//
// Cost model: everything proportional to the trace size (building the tree,
// measuring names, computing the visible rows) happens once per load or per
// collapse/critical-only change, never in View; View renders only the rows
// that fit the pane, so its cost follows the pane height, not the trace.
package waterfall

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/fetch"
	"github.com/redline-tui/redline/ui/pane"
)

// Source fetches one whole trace by ID (sources/tempo, sources/jaeger,
// sources/demo satisfy it).
type Source interface {
	Name() string
	Trace(ctx context.Context, traceID string, r funnel.TimeRange) (*trace.Trace, error)
}

var _ pane.Pane = (*Model)(nil)

// Model is the waterfall pane.
type Model struct {
	env     pane.Env
	src     Source
	summary trace.Summary

	// req loads the trace over the range it was opened with and keeps the
	// last load's error, shown in place of the tree when there is none.
	req  fetch.Request[*loaded]
	data *loaded // nil until the first successful load
	view treeView

	showDetail    bool
	detail        detailCache // the selected span's detail lines, built in Update
	detailSel     int         // the selected entry of the detail panel
	detailOff     int         // the first detail line shown
	notice        string      // one-shot message for the status line, cleared by the next key
	width, height int
	cols          columns
}

// New builds the waterfall of the trace s, fetched from src over r. Init
// starts the load.
func New(env pane.Env, src Source, s trace.Summary, r funnel.TimeRange) *Model {
	if env.Now == nil {
		env.Now = time.Now
	}
	m := &Model{env: env, src: src, summary: s}
	env.Range = r
	m.req = fetch.NewRequest(env, src.Name(), m.call)
	return m
}

// Title is "trace " and the short form of the trace ID.
func (m *Model) Title() string { return "trace " + trace.ShortID(m.summary.TraceID) }

// Init starts loading the trace.
func (m *Model) Init() tea.Cmd { return m.req.Load() }

// Close cancels the in-flight load.
func (m *Model) Close() { m.req.Cancel() }

// Capturing is always false: the waterfall has no text prompt.
func (m *Model) Capturing() bool { return false }

// Help lists the waterfall's bindings.
func (m *Model) Help() []key.Binding {
	l, w := m.env.Keys.List, m.env.Keys.Waterfall
	return []key.Binding{
		l.Up, l.Down, l.PageUp, l.PageDown, l.Top, l.Bottom,
		w.Collapse, w.Expand, w.Toggle, w.CriticalOnly, w.Details,
		w.NextError, w.TraceLogs, w.SpanLogs, w.DetailNext, w.DetailPrev, w.DetailOpen,
	}
}

// SetSize sets the pane's area and recomputes the column layout.
func (m *Model) SetSize(width, height int) pane.Pane {
	m.width, m.height = width, height
	m.cols = computeColumns(width, height, m.showDetail)
	m.view = m.view.scrolled(m.cols.listRows)
	m.withDetail()
	return m
}

// Queries are the queries behind the trace on screen (for the queries
// overlay).
func (m *Model) Queries() []funnel.Query {
	if m.data == nil {
		return nil
	}
	return m.data.trace.Queries
}

// Loading reports whether a load is in flight (for the status bar).
func (m *Model) Loading() bool { return m.req.InFlight() }
