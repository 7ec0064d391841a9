package waterfall

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
)

// Symbols that carry meaning without colour.
const (
	cursorMark   = "›"
	criticalMark = "◆"
	errorMark    = "✖"
	missingMark  = "⚠"
	partialMark  = trace.PartialMark
	foldOpen     = "▾"
	foldClosed   = "▸"
	ellipsis     = "…"
)

// View renders exactly width×height cells. Its cost follows the number of
// rows on screen: it never walks the whole trace.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	switch {
	case m.data != nil:
		lines = m.waterfallLines()
	case m.req.Err() != nil:
		lines = m.errorLines()
	default:
		lines = []string{fit(m.env.Styles.Muted.Render(fmt.Sprintf("Loading trace %s from %s…",
			m.summary.TraceID, m.src.Name())), m.width)}
	}
	return frame(lines, m.width, m.height)
}

// frame stacks lines that are already width cells wide and fills the rest
// of the height with blank lines.
func frame(lines []string, width, height int) string {
	blank := strings.Repeat(" ", width)
	out := make([]string, height)
	for i := range out {
		out[i] = blank
		if i < len(lines) {
			out[i] = lines[i]
		}
	}
	return strings.Join(out, "\n")
}

// fit truncates s (which may hold styles) to width cells, marking the cut
// with an ellipsis, and pads it with spaces to exactly width.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w > width {
		s = ansi.Truncate(s, width, ellipsis)
		w = ansi.StringWidth(s)
	}
	return s + strings.Repeat(" ", width-w)
}

// padLeft right-aligns plain s in width cells.
func padLeft(s string, width int) string {
	if w := ansi.StringWidth(s); w < width {
		return strings.Repeat(" ", width-w) + s
	}
	return s
}

// errorLines is the error state: which backend failed, why, and how to
// retry. A trace the backend does not hold is no outage: it says so, and
// that going back to pick another trace is the way on.
func (m *Model) errorLines() []string {
	st := m.env.Styles
	keys := m.env.Keys.Global
	err := m.req.Err()
	headline := st.Error.Render(fmt.Sprintf("%s Trace %s could not be loaded from %s", errorMark, m.summary.TraceID, m.src.Name()))
	advice := fmt.Sprintf("Press %s to retry.", keys.Refresh.Help().Key)
	if errors.Is(err, trace.ErrNotFound) {
		headline = st.Warn.Render(fmt.Sprintf("%s Trace %s is not in %s", missingMark, m.summary.TraceID, m.src.Name()))
		advice = fmt.Sprintf("%s answered but holds no such trace: it may have been sampled out, expired or lie outside the range "+
			"(an exemplar can name a trace that was never kept). Press %s to pick another trace, %s to retry.",
			m.src.Name(), keys.Back.Help().Key, keys.Refresh.Help().Key)
	}
	lines := []string{headline}
	wrap := func(text string, style lipgloss.Style) {
		for _, l := range strings.Split(ansi.Wrap(text, max(m.width-2, 1), " /:"), "\n") {
			lines = append(lines, "  "+style.Render(l))
		}
	}
	wrap(err.Error(), lipgloss.NewStyle())
	lines = append(lines, "")
	wrap(advice, st.Muted)
	for i, l := range lines {
		lines[i] = fit(l, m.width)
	}
	return lines
}

// waterfallLines is the header, the axis and the visible span rows, with
// the detail panel beside or below them.
func (m *Model) waterfallLines() []string {
	c := m.cols
	lines := make([]string, 0, m.height)
	for _, l := range []string{m.summaryLine(), m.statusLine(), m.axisLine()} {
		lines = append(lines, fit(l, c.listWidth))
	}
	if len(m.view.rows) == 0 {
		lines = append(lines, fit(m.env.Styles.Warn.Render(fmt.Sprintf(
			"The backend returned no spans for this trace; it may not be fully ingested yet (%s to refresh).",
			m.env.Keys.Global.Refresh.Help().Key)), c.listWidth))
	}
	pal := m.palette()
	end := min(m.view.offset+c.listRows, len(m.view.rows))
	for r := m.view.offset; r < end; r++ {
		lines = append(lines, m.rowLine(r, pal))
	}
	switch {
	case c.detailWidth > 0:
		return besides(lines, m.detailLines(c.detailWidth, m.height), c.listWidth, c.detailWidth, m.height,
			m.env.Styles.Muted.Render("│"))
	case c.detailRows > 0:
		blank := strings.Repeat(" ", m.width)
		for len(lines) < headerRows+c.listRows {
			lines = append(lines, blank)
		}
		lines = append(lines, m.env.Styles.Muted.Render(strings.Repeat("─", m.width)))
		lines = append(lines, m.detailLines(m.width, c.detailRows-1)...)
	}
	return lines
}

// besides joins left (rows of leftWidth cells) and right (rows of
// rightWidth cells) with sep between them.
func besides(left, right []string, leftWidth, rightWidth, height int, sep string) []string {
	out := make([]string, height)
	for i := range out {
		l, r := strings.Repeat(" ", leftWidth), strings.Repeat(" ", rightWidth)
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l + sep + r
	}
	return out
}

// summaryLine: root span, total duration, span count, errors, trace ID.
func (m *Model) summaryLine() string {
	d, st := m.data, m.env.Styles
	parts := []string{}
	if d.root >= 0 {
		parts = append(parts, st.Title.Render(d.service(d.root)+" "+d.name(d.root)))
	}
	parts = append(parts,
		units.Duration(d.tree.Duration()),
		units.Count(len(d.tree.Nodes), "span"),
	)
	if n := len(d.errors); n > 0 {
		parts = append(parts, st.Error.Render(errorMark+" "+units.Count(n, "error")))
	} else {
		parts = append(parts, "no errors")
	}
	parts = append(parts, "trace "+d.trace.ID)
	return strings.Join(parts, " · ")
}

// statusLine: warnings first (partial trace, orphans, skew, duplicates,
// backend warnings, a failed refresh), then the view mode and services.
func (m *Model) statusLine() string {
	st := m.env.Styles
	var parts []string
	for _, w := range m.warnings() {
		parts = append(parts, st.Warn.Render(w))
	}
	if m.notice != "" {
		parts = append(parts, st.Warn.Render(m.notice))
	}
	if m.req.InFlight() {
		parts = append(parts, st.Muted.Render("refreshing…"))
	}
	mode := fmt.Sprintf("%d/%d rows", len(m.view.rows), len(m.data.tree.Nodes))
	if m.view.criticalOnly {
		mode = criticalMark + " critical path only · " + mode
	}
	parts = append(parts, st.Muted.Render(mode),
		st.Muted.Render(units.Count(len(m.data.tree.Services), "service")+": "+strings.Join(m.data.tree.Services, ", ")))
	return strings.Join(parts, st.Muted.Render(" · "))
}

// warnings lists what makes this trace less than trustworthy.
func (m *Model) warnings() []string {
	d := m.data
	var w []string
	if err := m.req.Err(); err != nil {
		w = append(w, "refresh failed: "+err.Error())
	}
	if c := d.tree.Completeness; c.Partial() {
		w = append(w, partialMark+" PARTIAL: "+c.Reason())
	}
	if d.orphans > 0 {
		w = append(w, units.Count(d.orphans, "orphan span")+" shown as root")
	}
	if d.skewed > 0 {
		w = append(w, units.Count(d.skewed, "span")+" clock-skewed")
	}
	if d.dupes > 0 {
		w = append(w, units.Count(d.dupes, "duplicate span ID"))
	}
	if n := len(d.trace.Warnings); n > 0 {
		w = append(w, "backend: "+d.trace.Warnings[0])
		if n > 1 {
			w = append(w, fmt.Sprintf("+%d more warnings", n-1))
		}
	}
	return w
}

// axisLine: the column headings and the time axis over the bars.
func (m *Model) axisLine() string {
	c, st := m.cols, m.env.Styles
	var sb strings.Builder
	sb.WriteString(strings.Repeat(" ", markerWidth))
	sb.WriteString(fit("span", c.tree))
	sb.WriteString(" " + padLeft("dur", durWidth))
	if c.self {
		sb.WriteString(" " + padLeft("self", durWidth))
	}
	sb.WriteString(" ")
	return st.Header.Render(sb.String()) + st.Waterfall.Axis.Render(axisLabels(m.data.tree.Duration(), c.bar))
}

// rowLine renders the span on visible row r, exactly listWidth cells wide
// by construction (only the tree column is measured).
func (m *Model) rowLine(r int, pal palette) string {
	c, t := m.cols, m.data.tree
	n := m.view.rows[r]
	node := &t.Nodes[n]
	selected := r == m.view.selected
	isError := node.Span.Status == trace.StatusError
	var sb strings.Builder
	sb.Grow(c.listWidth * 3)
	sb.WriteString(mark(selected, cursorMark, paint{wraps: true}))
	sb.WriteString(mark(node.Critical, criticalMark, pal.critical.fill))
	sb.WriteString(mark(isError, errorMark, pal.errorBar.fill))
	sb.WriteString(mark(node.Callee != "", partialMark, paint{}))
	if selected {
		sb.WriteString(pal.selected.apply(m.label(n, c.tree, paint{wraps: true})))
	} else {
		sb.WriteString(m.label(n, c.tree, pal.service(m.data.serviceOf[n]).fill))
	}
	sb.WriteString(" " + padLeft(units.Duration(node.Span.Duration), durWidth))
	if c.self {
		sb.WriteString(" " + padLeft(selfText(node), durWidth))
	}
	sb.WriteString(" ")
	sb.WriteString(drawBar(t.Layout(n, c.bar), c.bar, m.barPaint(n, pal)))
	return sb.String()
}

// selfText is the node's attributed self time; a call whose callee did not
// report has none known ("—"): its wait is unattributed, not its own work.
func selfText(n *trace.Node) string {
	if n.Callee != "" {
		return units.Unknown
	}
	return units.Duration(n.AttributedSelf())
}

// mark is symbol painted when on, else a blank cell.
func mark(on bool, symbol string, p paint) string {
	if !on {
		return " "
	}
	return p.apply(symbol)
}

// barPaint: error spans in the error style, critical ones in the critical
// style, the rest in their service's colour.
func (m *Model) barPaint(n int, pal palette) barPaint {
	node := &m.data.tree.Nodes[n]
	switch {
	case node.Span.Status == trace.StatusError:
		return pal.errorBar
	case node.Critical:
		return pal.critical
	}
	return pal.service(m.data.serviceOf[n])
}

// label is the tree column of node n, exactly width cells: guides, fold
// marker, service (painted) and span name. The name is cut first; the
// precomputed widths spare measuring text on every frame.
func (m *Model) label(n, width int, service paint) string {
	d := m.data
	guides, guidesWidth := m.guides(n)
	head := guides + m.fold(n) + " "
	svc, svcWidth := d.service(n), d.serviceWidth[d.serviceOf[n]]
	name, nameWidth := d.name(n), d.nameWidth[n]
	room := width - (guidesWidth + 2 + svcWidth + 1)
	switch {
	case room < 1:
		return fit(head+svc+" "+name, width)
	case nameWidth > room:
		name = ansi.Truncate(name, room, ellipsis)
		nameWidth = ansi.StringWidth(name)
	}
	return head + service.apply(svc) + " " + name + strings.Repeat(" ", room-nameWidth)
}

// fold is ▾ for a node showing children, ▸ for one hiding them, else a
// horizontal guide.
func (m *Model) fold(n int) string {
	switch {
	case len(m.data.tree.Nodes[n].Children) == 0:
		return "─"
	case m.view.lastChild[n] >= 0:
		return foldOpen
	}
	return foldClosed
}

// guides draws the tree lines left of node n and returns their width: one
// "│ " or "  " per ancestor level and "├" or "└" before the node. Levels
// deeper than the tree column can show are elided into a leading "… ".
func (m *Model) guides(n int) (string, int) {
	t := m.data.tree
	maxLevels := max(m.cols.tree/5, 1) // guides take at most ~40% of the column
	var levels []string
	width := 0
	if t.Nodes[n].Parent >= 0 {
		levels = append(levels, connector(m.view.isLastVisible(t, n)))
		width++
	}
	p := t.Nodes[n].Parent
	for ; p >= 0 && t.Nodes[p].Parent >= 0 && len(levels) < maxLevels; p = t.Nodes[p].Parent {
		levels = append(levels, continuation(m.view.isLastVisible(t, p)))
		width += 2
	}
	var sb strings.Builder
	if p >= 0 && t.Nodes[p].Parent >= 0 {
		sb.WriteString(ellipsis + " ") // stands for the elided levels, as wide as one
		width += 2
	}
	for i := len(levels) - 1; i >= 0; i-- {
		sb.WriteString(levels[i])
	}
	return sb.String(), width
}

func connector(last bool) string {
	if last {
		return "└"
	}
	return "├"
}

func continuation(last bool) string {
	if last {
		return "  "
	}
	return "│ "
}
