package waterfall

import (
	"slices"
	"sort"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/ui/pane"
)

// Update handles load results, refreshes and keys.
func (m *Model) Update(msg tea.Msg) (pane.Pane, tea.Cmd) {
	cmd := m.update(msg)
	m.withDetail()
	return m, cmd
}

// update gives keys to the tree and the rest to the request, except what
// must not reach the backend: range changes (a trace's spans lie in its own
// time span, whatever the range) and live refreshes of a settled trace.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case pane.RangeChanged:
		return nil
	case pane.Refresh:
		if msg.Live && m.settled() {
			return nil
		}
	}
	data, fresh, cmd := m.req.Update(msg)
	if fresh {
		m.view = m.view.reload(m.data, data)
		m.data = data
	}
	return cmd
}

// handleKey acts on navigation, folding, filter, detail and drill keys.
func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if m.data == nil || len(m.view.rows) == 0 {
		return nil
	}
	m.notice = ""
	if cmd, ok := m.drill(k); ok {
		return cmd
	}
	if key.Matches(k, m.env.Keys.Waterfall.DetailOpen) {
		return m.openValue()
	}
	if v, ok := m.navigate(k); ok {
		m.view = v
		return nil
	}
	m.toggle(k)
	return nil
}

// navigate handles the list movement keys.
func (m *Model) navigate(k tea.KeyPressMsg) (treeView, bool) {
	l, v := m.env.Keys.List, m.view
	switch {
	case key.Matches(k, l.Up):
		return v.move(-1), true
	case key.Matches(k, l.Down):
		return v.move(1), true
	case key.Matches(k, l.PageUp):
		return v.move(-v.page), true
	case key.Matches(k, l.PageDown):
		return v.move(v.page), true
	case key.Matches(k, l.Top):
		return v.selectRow(0), true
	case key.Matches(k, l.Bottom):
		return v.selectRow(len(v.rows) - 1), true
	}
	return v, false
}

// toggle handles folding, the critical-path filter, the detail panel and
// the next-error jump.
func (m *Model) toggle(k tea.KeyPressMsg) {
	w, t, n := m.env.Keys.Waterfall, m.data.tree, m.view.selectedNode()
	switch {
	case key.Matches(k, w.Collapse):
		m.view = m.collapseOrParent(n)
	case key.Matches(k, w.Expand):
		m.view = m.expandOrChild(n)
	case key.Matches(k, w.Toggle):
		if len(t.Nodes[n].Children) > 0 {
			m.view = m.view.withCollapsed(t, n, !m.view.isCollapsed(n))
		}
	case key.Matches(k, w.CriticalOnly):
		m.view = m.view.withCriticalOnly(t, !m.view.criticalOnly)
	case key.Matches(k, w.Details):
		m.showDetail = !m.showDetail
		m.cols = computeColumns(m.width, m.height, m.showDetail)
		m.view = m.view.scrolled(m.cols.listRows)
	case key.Matches(k, w.NextError):
		m.nextError(n)
	case key.Matches(k, w.DetailNext):
		m.detailMove(1)
	case key.Matches(k, w.DetailPrev):
		m.detailMove(-1)
	}
}

// detailHint says how to open the detail panel the detail keys act on.
func (m *Model) detailHint() string {
	return "span details are hidden: " + m.env.Keys.Waterfall.Details.Help().Key + " shows them"
}

// openValue opens the selected detail entry's whole value in the pager.
func (m *Model) openValue() tea.Cmd {
	switch {
	case !m.showDetail:
		m.notice = m.detailHint()
		return nil
	case m.detailSel >= len(m.detail.entries):
		m.notice = "this span has no attribute, event or link values"
		return nil
	}
	e := m.detail.entries[m.detailSel]
	d, n := m.data, m.view.selectedNode()
	intent := pane.OpenPager{Title: d.service(n) + " " + d.name(n) + " · " + e.title, Text: e.value}
	return func() tea.Msg { return intent }
}

// collapseOrParent collapses an expanded node, or moves to its parent.
func (m *Model) collapseOrParent(n int) treeView {
	t := m.data.tree
	if len(t.Nodes[n].Children) > 0 && !m.view.isCollapsed(n) && m.view.lastChild[n] >= 0 {
		return m.view.withCollapsed(t, n, true)
	}
	if p := t.Nodes[n].Parent; p >= 0 && m.view.rowOf[p] >= 0 {
		return m.view.selectRow(int(m.view.rowOf[p]))
	}
	return m.view
}

// expandOrChild expands a collapsed node, or moves to its first child.
func (m *Model) expandOrChild(n int) treeView {
	if m.view.isCollapsed(n) {
		return m.view.withCollapsed(m.data.tree, n, false)
	}
	if m.view.lastChild[n] >= 0 {
		return m.view.move(1) // depth-first order: the first child is next
	}
	return m.view
}

// nextError selects the next error span after node n in tree order,
// wrapping around, and reveals it if it is hidden.
func (m *Model) nextError(n int) {
	errs := m.data.errors
	if len(errs) == 0 {
		m.notice = "no error spans in this trace"
		return
	}
	i := sort.SearchInts(errs, n+1)
	if i == len(errs) {
		i = 0
	}
	m.view = m.view.revealed(m.data.tree, errs[i])
}

// drill handles the keys that open the log pane.
func (m *Model) drill(k tea.KeyPressMsg) (tea.Cmd, bool) {
	w := m.env.Keys.Waterfall
	switch {
	case key.Matches(k, w.TraceLogs):
		return m.openLogs(""), true
	case key.Matches(k, w.SpanLogs):
		n := m.view.selectedNode()
		return m.openLogs(m.data.tree.Nodes[n].Span.SpanID), true
	}
	return nil, false
}

// openLogs asks the root for the logs of the trace, or of one span of it.
// Both carry every service of the trace and the trace's whole time span, so
// the log pane can switch between span and trace without asking again.
func (m *Model) openLogs(spanID string) tea.Cmd {
	t := m.data.tree
	id := m.data.trace.ID
	if id == "" {
		id = m.summary.TraceID
	}
	intent := pane.OpenLogs{
		TraceID:  id,
		SpanID:   spanID,
		Services: slices.Clone(t.Services),
		Range:    funnel.TimeRange{Start: t.Start, End: t.End},
	}
	return func() tea.Msg { return intent }
}
