package traceview

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
	"github.com/redline-tui/redline/ui/table"
	"github.com/redline-tui/redline/ui/tablepane"
)

// exemplarMark flags a trace a latency exemplar of the route points to.
const exemplarMark = "◆"

// columns lists the trace list's columns; duration, errors and the root
// span stay, the trace ID and services go first when the terminal narrows.
func columns() []table.Column {
	return []table.Column{
		{Title: "DURATION", Width: 9, Align: table.AlignRight},
		{Title: "ERRORS", Width: 6, Align: table.AlignRight},
		{Title: "STATE", Width: 9},
		{Title: "SPANS", Width: 6, Priority: 3, Align: table.AlignRight},
		{Title: "START (UTC)", Width: 12, Priority: 1},
		{Title: "ROOT", Width: 20, Flex: true},
		{Title: "SERVICES", Width: 44, Priority: 4},
		{Title: "TRACE", Width: 8, Priority: 5},
	}
}

func rows(traces []trace.Summary, exemplars map[string]bool) []table.Row {
	out := make([]table.Row, len(traces))
	for i, s := range traces {
		out[i] = table.Row{ID: s.TraceID, Cells: []table.Cell{
			{Text: duration(s, exemplars[s.TraceID])},
			errorsCell(s.ErrorCount),
			completeCell(s.Completeness),
			{Text: count(s.SpanCount)},
			{Text: units.Clock(s.Start)},
			{Text: s.RootService + ": " + s.RootName},
			{Text: strings.Join(s.Services, ", "), Tone: table.Muted},
			{Text: trace.ShortID(s.TraceID), Tone: table.Muted},
		}}
	}
	return out
}

func duration(s trace.Summary, exemplar bool) string {
	d := s.MatchedDuration
	if d == 0 {
		d = s.Duration
	}
	text := units.Duration(d)
	if exemplar {
		text = exemplarMark + " " + text
	}
	return text
}

func errorsCell(n int) table.Cell {
	if n == 0 {
		return table.Cell{Text: "0", Tone: table.Muted}
	}
	return table.Cell{Text: "✖ " + strconv.Itoa(n), Tone: table.Bad}
}

// partialWord names a partial trace next to trace.PartialMark.
const partialWord = "partial"

// completeCell marks a trace known to lack spans; nothing is said of the
// others, which may still lack spans no source can tell of.
func completeCell(c trace.Completeness) table.Cell {
	if c.Partial() {
		return table.Cell{Text: trace.PartialMark + " " + partialWord, Tone: table.Warning}
	}
	return table.Cell{}
}

func count(n int) string {
	if n == 0 {
		return units.Unknown
	}
	return strconv.Itoa(n)
}

// View draws the pane.
func (m *Model) View() string {
	empty := "No " + m.mode() + " for this route in " + m.Request.Range().String() + "."
	return m.Frame(tablepane.Parts{Title: m.title(), What: "traces", Warnings: m.result.Warnings, Empty: empty, Footer: m.footer()})
}

func (m *Model) mode() string {
	if m.errorsOnly {
		return "erroring traces"
	}
	if !m.route.P95.Known {
		return "slowest traces"
	}
	return "slowest traces ≥ p95 " + units.Duration(m.route.P95.Value)
}

func (m *Model) title() string {
	route := m.service + " " + m.route.Route
	toggle := m.Env.Keys.Traces.ToggleErrors.Help()
	summary := fmt.Sprintf("  %d %s", len(m.traces), m.mode())
	if m.partials > 0 {
		summary += fmt.Sprintf(" (%d %s)", m.partials, partialWord)
	}
	summary += fmt.Sprintf(" · %s: %s", toggle.Key, toggle.Desc)
	return m.Env.Styles.Title.Render(route) + m.Env.Styles.Muted.Render(summary)
}

// footer names the selected trace in full, then why it is partial, or how
// redline chose it when partial traces were passed over, or its services.
func (m *Model) footer() []string {
	i, ok := m.Table.Selected()
	if !ok || i >= len(m.traces) {
		return nil
	}
	s := m.traces[i]
	line := "trace " + s.TraceID + " · started " + s.Start.UTC().Format("2006-01-02 15:04:05.000") + " UTC"
	if m.exemplars[s.TraceID] {
		line += " · " + exemplarMark + " exemplar of the route's latency"
	}
	second := m.Env.Styles.Muted.Render("services: " + strings.Join(s.Services, ", "))
	switch {
	case s.Completeness.Partial():
		second = m.Env.Styles.Warn.Render(trace.PartialMark + " " + partialWord + ": " + s.Completeness.Reason())
	case i == m.choice.Index && m.partials > 0:
		include := m.Env.Keys.Traces.IncludePartial.Help()
		second = m.Env.Styles.Muted.Render(m.choice.String() + " · " + include.Key + ": " + include.Desc)
	}
	return []string{m.Env.Styles.Muted.Render(line), second}
}
