package waterfall

import (
	"fmt"
	"strings"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
)

// detailLines describes the selected span in at most height lines of width
// cells: identity, status, timing, then events (exceptions first catch
// the eye), attributes, resource and links. What does not fit is cut with a line saying how much is left out;
// long values are cut with an ellipsis.
func (m *Model) detailLines(width, height int) []string {
	if height <= 0 || width <= 0 {
		return nil
	}
	n := m.view.selectedNode()
	if n < 0 {
		return nil
	}
	all := m.detail.lines
	if !m.detail.holds(m.data, n) {
		all = m.spanDetail(n)
	}
	lines := make([]string, 0, min(len(all), height))
	if len(all) > height {
		lines = append(lines, all[:height-1]...)
		lines = append(lines, m.env.Styles.Muted.Render(fmt.Sprintf("%s %d more lines not shown", ellipsis, len(all)-height+1)))
	} else {
		lines = append(lines, all...)
	}
	for i, l := range lines {
		lines[i] = fit(l, width)
	}
	return lines
}

// detailCache is the detail lines of one node of one load.
type detailCache struct {
	data  *loaded
	node  int
	lines []string
}

func (c detailCache) holds(data *loaded, node int) bool {
	return c.data == data && c.node == node && c.data != nil
}

// withDetail builds the selected span's detail lines (sanitised, every
// attribute and event) once per selection and load, in Update, so View
// only cuts and pads the lines that fit.
func (m *Model) withDetail() {
	if !m.showDetail || m.data == nil {
		return
	}
	if n := m.view.selectedNode(); n >= 0 && !m.detail.holds(m.data, n) {
		m.detail = detailCache{data: m.data, node: n, lines: m.spanDetail(n)}
	}
}

// spanDetail is every detail line of node n, unbounded.
func (m *Model) spanDetail(n int) []string {
	t, d, st := m.data.tree, m.data, m.env.Styles
	node := &t.Nodes[n]
	s := node.Span
	lines := []string{
		st.Title.Render(d.services[d.serviceOf[n]]+" "+d.names[n]) + m.detailMarks(node),
		fmt.Sprintf("kind %s · status %s", s.Kind, m.statusText(s)),
		fmt.Sprintf("span %s · parent %s", orNone(sanitize.Line(s.SpanID)), orNone(sanitize.Line(s.ParentID))),
		fmt.Sprintf("start +%s · duration %s · %s",
			units.Duration(s.Start.Sub(t.Start)), units.Duration(s.Duration), selfDetail(node)),
	}
	if node.Callee != "" {
		lines = append(lines, st.Warn.Render(fmt.Sprintf("%s %s did not report this call: in flight, dropped or not instrumented",
			partialMark, sanitize.Line(node.Callee))))
	}
	if flags := nodeFlags(node); flags != "" {
		lines = append(lines, st.Warn.Render(flags))
	}
	lines = append(lines, m.eventSection(s.Events)...)
	lines = append(lines, m.attrSection("Attributes", s.Attributes)...)
	lines = append(lines, m.attrSection("Resource", s.Resource)...)
	return append(lines, m.linkSection(s.Links)...)
}

// selfDetail names the node's self time, or for a call whose callee did not
// report, its unattributed time.
func selfDetail(n *trace.Node) string {
	if n.Callee != "" {
		return "unattributed " + units.Duration(n.Unattributed) + " (downstream not reported)"
	}
	return "self " + units.Duration(n.AttributedSelf())
}

// detailMarks repeats the row's symbols after the detail title.
func (m *Model) detailMarks(node *trace.Node) string {
	w := m.env.Styles.Waterfall
	out := ""
	if node.Critical {
		out += " " + w.Critical.Render(criticalMark+" critical path")
	}
	if node.Span.Status == trace.StatusError {
		out += " " + w.ErrorBar.Render(errorMark+" error")
	}
	return out
}

func (m *Model) statusText(s *trace.Span) string {
	text := s.Status.String()
	if s.StatusMessage != "" {
		text += ": " + sanitize.Line(s.StatusMessage)
	}
	if s.Status == trace.StatusError {
		return m.env.Styles.Error.Render(text)
	}
	return text
}

// nodeFlags names the tree anomalies of a node.
func nodeFlags(n *trace.Node) string {
	var f []string
	if n.Orphan {
		f = append(f, "orphan: parent not in trace")
	}
	if n.Skewed {
		f = append(f, "clock-skewed against its parent")
	}
	if n.Duplicate {
		f = append(f, "duplicate span ID")
	}
	return strings.Join(f, " · ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (m *Model) heading(title string, count int) string {
	return m.env.Styles.Header.Render(fmt.Sprintf("%s (%d)", title, count))
}

func (m *Model) attrSection(title string, attrs []trace.Attr) []string {
	if len(attrs) == 0 {
		return nil
	}
	lines := []string{m.heading(title, len(attrs))}
	for _, a := range attrs {
		lines = append(lines, "  "+sanitize.Line(a.Key)+" = "+sanitize.Line(a.Value))
	}
	return lines
}

func (m *Model) eventSection(events []trace.Event) []string {
	if len(events) == 0 {
		return nil
	}
	start := m.data.tree.Start
	lines := []string{m.heading("Events", len(events))}
	for _, e := range events {
		line := fmt.Sprintf("  +%s %s", units.Duration(e.Time.Sub(start)), sanitize.Line(e.Name))
		if a := joinAttrs(e.Attributes); a != "" {
			line += "  " + a
		}
		lines = append(lines, line)
	}
	return lines
}

func (m *Model) linkSection(links []trace.Link) []string {
	if len(links) == 0 {
		return nil
	}
	lines := []string{m.heading("Links", len(links))}
	for _, l := range links {
		line := fmt.Sprintf("  trace %s span %s", sanitize.Line(l.TraceID), sanitize.Line(l.SpanID))
		if a := joinAttrs(l.Attributes); a != "" {
			line += "  " + a
		}
		lines = append(lines, line)
	}
	return lines
}

// joinAttrs renders attributes as sanitised key=value pairs.
func joinAttrs(attrs []trace.Attr) string {
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		parts[i] = sanitize.Line(a.Key) + "=" + sanitize.Line(a.Value)
	}
	return strings.Join(parts, " ")
}
