package waterfall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
)

// maxValueLines caps the lines one value takes in the detail panel; the
// pager (key v) shows it whole.
const maxValueLines = 6

// detailEntry is one value of the detail panel: the unit the detail keys
// select and the pager opens.
type detailEntry struct {
	first, end int    // its lines in detailCache.lines
	title      string // what the value is, e.g. the attribute key
	value      string // the value as shown whole (JSON indented)
}

// detailCache is the detail lines of one node of one load, laid out for
// one panel width.
type detailCache struct {
	data    *loaded
	node    int
	width   int
	lines   []string
	entries []detailEntry
}

func (c detailCache) holds(data *loaded, node, width int) bool {
	return c.data == data && c.node == node && c.width == width && c.data != nil
}

// detailArea is the detail panel's width and the rows it shows lines in
// (the bottom panel's separator excluded).
func (m *Model) detailArea() (int, int) {
	if m.cols.detailWidth > 0 {
		return m.cols.detailWidth, m.height
	}
	return m.width, max(m.cols.detailRows-1, 0)
}

// withDetail builds the selected span's detail lines (every
// attribute and event, values wrapped) once per selection, load and width,
// in Update, so View only cuts and pads the lines that fit. A new span
// starts at its first entry, scrolled to the top.
func (m *Model) withDetail() {
	if !m.showDetail || m.data == nil {
		return
	}
	n := m.view.selectedNode()
	width, _ := m.detailArea()
	if n < 0 || m.detail.holds(m.data, n, width) {
		return
	}
	if m.detail.data != m.data || m.detail.node != n {
		m.detailSel, m.detailOff = 0, 0
	}
	m.detail = m.spanDetail(n, width)
	m.detailSel = min(m.detailSel, max(len(m.detail.entries)-1, 0))
	m.detailScrolled()
}

// detailMove selects the entry delta away and scrolls it into view.
func (m *Model) detailMove(delta int) {
	if !m.showDetail {
		m.notice = m.detailHint()
		return
	}
	if len(m.detail.entries) == 0 {
		_, rows := m.detailArea()
		m.detailOff = min(max(m.detailOff+delta, 0), max(len(m.detail.lines)-rows, 0))
		return
	}
	m.detailSel = min(max(m.detailSel+delta, 0), len(m.detail.entries)-1)
	m.detailScrolled()
}

// detailScrolled keeps the selected entry on screen: its first line, and
// as much of the rest as fits. The last row is kept for the position line
// when the lines overflow.
func (m *Model) detailScrolled() {
	_, rows := m.detailArea()
	if len(m.detail.lines) > rows {
		rows--
	}
	if len(m.detail.entries) == 0 || rows <= 0 {
		return
	}
	e := m.detail.entries[m.detailSel]
	switch {
	case m.detailSel == 0:
		m.detailOff = 0
	case e.first <= m.detailOff:
		m.detailOff = e.first - 1 // the line above (a heading) gives context
	case e.end > m.detailOff+rows:
		m.detailOff = min(e.first, e.end-rows)
	}
	m.detailOff = min(max(m.detailOff, 0), max(len(m.detail.lines)-rows, 0))
}

// detailLines is the part of the detail panel that fits height lines of
// width cells, the selected entry marked with the cursor, and a position
// line naming the scroll keys when not everything fits.
func (m *Model) detailLines(width, height int) []string {
	if height <= 0 || width <= 0 || m.view.selectedNode() < 0 {
		return nil
	}
	c := m.detail
	if !c.holds(m.data, m.view.selectedNode(), width) {
		c = m.spanDetail(m.view.selectedNode(), width)
	}
	rows, more := height, len(c.lines) > height
	if more {
		rows--
	}
	start := min(m.detailOff, max(len(c.lines)-rows, 0))
	end := min(start+rows, len(c.lines))
	cursor := -1
	if m.detailSel < len(c.entries) {
		cursor = c.entries[m.detailSel].first
	}
	lines := make([]string, 0, height)
	for i := start; i < end; i++ {
		l := c.lines[i]
		if i == cursor {
			l = cursorMark + l[1:] // entry lines start with a space
		}
		lines = append(lines, fit(l, width))
	}
	if more {
		w := m.env.Keys.Waterfall
		pos := fmt.Sprintf("lines %d–%d of %d · %s/%s scroll · %s reads a value", start+1, end, len(c.lines),
			w.DetailNext.Help().Key, w.DetailPrev.Help().Key, w.DetailOpen.Help().Key)
		lines = append(lines, fit(m.env.Styles.Muted.Render(pos), width))
	}
	return lines
}

// detailBuilder accumulates the detail lines of one span for one width.
type detailBuilder struct {
	detailCache
}

func (b *detailBuilder) add(lines ...string) { b.lines = append(b.lines, lines...) }

// value adds the entry "key = value" indented by indent spaces: on one
// line when the value is one line that fits, else the key and then the
// value's lines (JSON indented) wrapped below it, at most maxValueLines.
func (b *detailBuilder) value(indent int, key, value string) {
	pad := strings.Repeat(" ", indent)
	shown := valueText(value)
	e := detailEntry{first: len(b.lines), title: key, value: shown}
	head := pad + key + " ="
	text := shown
	if !strings.Contains(text, "\n") && ansi.StringWidth(head)+1+ansi.StringWidth(text) <= b.width {
		b.add(head + " " + text)
	} else {
		b.add(head)
		b.add(wrapValue(text, pad+"  ", b.width)...)
	}
	e.end = len(b.lines)
	b.entries = append(b.entries, e)
}

// valueText is value with JSON objects and arrays indented, else value.
func valueText(value string) string {
	t := strings.TrimSpace(value)
	if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
		var out bytes.Buffer
		if json.Indent(&out, []byte(t), "", "  ") == nil {
			return out.String()
		}
	}
	return value
}

// wrapValue wraps multi-line text to width under prefix, cut
// after maxValueLines with a line saying how much the pager would show.
func wrapValue(text, prefix string, width int) []string {
	room := max(width-ansi.StringWidth(prefix), 8)
	var out []string
	for _, l := range strings.Split(text, "\n") {
		for _, w := range strings.Split(ansi.Wrap(l, room, " ,;:/"), "\n") {
			out = append(out, prefix+w)
		}
	}
	if len(out) > maxValueLines {
		out = append(out[:maxValueLines-1], fmt.Sprintf("%s%s %d more lines", prefix, ellipsis, len(out)-maxValueLines+1))
	}
	return out
}

// spanDetail lays out every detail line of node n for width: identity,
// status, timing, then events (exceptions first catch the eye), attributes,
// resource and links.
func (m *Model) spanDetail(n, width int) detailCache {
	t, d, st := m.data.tree, m.data, m.env.Styles
	node := &t.Nodes[n]
	s := node.Span
	b := detailBuilder{detailCache{data: m.data, node: n, width: width}}
	b.add(
		st.Title.Render(d.service(n)+" "+d.name(n))+m.detailMarks(node),
		fmt.Sprintf("kind %s · status %s", s.Kind, m.statusText(s)),
		fmt.Sprintf("span %s · parent %s", orNone(s.SpanID), orNone(s.ParentID)),
		fmt.Sprintf("start +%s · duration %s · %s",
			units.Duration(s.Start.Sub(t.Start)), units.Duration(s.Duration), selfDetail(node)),
	)
	if node.Callee != "" {
		b.add(st.Warn.Render(fmt.Sprintf("%s %s did not report this call: in flight, dropped or not instrumented",
			partialMark, node.Callee)))
	}
	if flags := nodeFlags(node); flags != "" {
		b.add(st.Warn.Render(flags))
	}
	m.eventSection(&b, s.Events)
	m.attrSection(&b, "Attributes", s.Attributes)
	m.attrSection(&b, "Resource", s.Resource)
	m.linkSection(&b, s.Links)
	return b.detailCache
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
		text += ": " + s.StatusMessage
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

func (m *Model) attrSection(b *detailBuilder, title string, attrs []trace.Attr) {
	if len(attrs) == 0 {
		return
	}
	b.add(m.heading(title, len(attrs)))
	for _, a := range attrs {
		b.value(2, a.Key, a.Value)
	}
}

func (m *Model) eventSection(b *detailBuilder, events []trace.Event) {
	if len(events) == 0 {
		return
	}
	start := m.data.tree.Start
	b.add(m.heading("Events", len(events)))
	for _, e := range events {
		b.add(fmt.Sprintf("  +%s %s", units.Duration(e.Time.Sub(start)), e.Name))
		for _, a := range e.Attributes {
			b.value(4, a.Key, a.Value)
		}
	}
}

func (m *Model) linkSection(b *detailBuilder, links []trace.Link) {
	if len(links) == 0 {
		return
	}
	b.add(m.heading("Links", len(links)))
	for _, l := range links {
		b.add(fmt.Sprintf("  trace %s span %s", l.TraceID, l.SpanID))
		for _, a := range l.Attributes {
			b.value(4, a.Key, a.Value)
		}
	}
}
