package redview

import (
	"fmt"
	"math"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/sparkline"
	"github.com/redline-tui/redline/funnel/units"
	"github.com/redline-tui/redline/ui/table"
	"github.com/redline-tui/redline/ui/tablepane"
)

const sparkWidth = 10

// columns lists the RED table's columns: route, rate and errors stay; the
// sparklines and the lower percentiles go first when the terminal narrows.
// Current values name their window in the header (the title line names
// the share window); sparklines span the whole range.
func columns() []table.Column {
	live := " " + slo.WindowLabel(red.LiveWindow)
	return []table.Column{
		{Title: "ROUTE", Width: 18, Flex: true},
		{Title: "BURN", Width: 6, Align: table.AlignRight},
		{Title: "RATE" + live, Width: 8, Align: table.AlignRight},
		{Title: "ERR" + live, Width: 6, Align: table.AlignRight},
		{Title: "P50" + live, Width: 7, Priority: 5, Align: table.AlignRight},
		{Title: "P95" + live, Width: 7, Priority: 3, Align: table.AlignRight},
		{Title: "P99" + live, Width: 7, Priority: 1, Align: table.AlignRight},
		{Title: "RATE HIST", Width: sparkWidth, Priority: 7},
		{Title: "ERRORS", Width: sparkWidth, Priority: 2},
		{Title: "P99 HIST", Width: sparkWidth, Priority: 6},
	}
}

func rows(ranked []red.Row) []table.Row {
	out := make([]table.Row, len(ranked))
	for i, r := range ranked {
		out[i] = table.Row{ID: r.Route, Cells: []table.Cell{
			{Text: route(r)},
			{Text: units.Percent(r.BurnShare), Tone: shareTone(r.BurnShare)},
			{Text: units.Rate(r.Rate)},
			{Text: units.Percent(r.ErrorRatio), Tone: errorTone(r.ErrorRatio)},
			{Text: r.P50.String()},
			{Text: r.P95.String()},
			{Text: r.P99.String()},
			{Text: sparkline.Render(r.RateHistory, sparkWidth), Tone: table.Muted},
			{Text: sparkline.Render(r.ErrorHistory, sparkWidth), Tone: errorTone(r.ErrorRatio)},
			{Text: sparkline.Render(r.LatencyHistory, sparkWidth), Tone: table.Muted},
		}}
	}
	return out
}

// exemplarMark flags routes whose latency histogram links to traces.
const exemplarMark = "◆"

func route(r red.Row) string {
	text := r.Route
	if len(r.Exemplars) > 0 {
		text += " " + exemplarMark
	}
	return text
}

func shareTone(share float64) table.Tone {
	if share >= 0.5 {
		return table.Bad
	}
	return table.Plain
}

func errorTone(ratio float64) table.Tone {
	switch {
	case math.IsNaN(ratio):
		return table.Muted
	case ratio >= 0.05:
		return table.Bad
	case ratio >= 0.01:
		return table.Warning
	default:
		return table.Plain
	}
}

// View draws the pane.
func (m *Model) View() string {
	g := m.Env.Keys.Global
	empty := "No routes with traffic for " + m.service + " in this time range. " +
		g.Earlier.Help().Key + " and " + g.Later.Help().Key + " move the range."
	return m.Frame(tablepane.Parts{Title: m.title(), What: "routes", Warnings: m.report.Warnings, Empty: empty, Footer: m.footer()})
}

func (m *Model) title() string {
	q := m.query(funnel.TimeRange{})
	summary := fmt.Sprintf("  %d routes ranked by share of %s over %s", len(m.ranked), q.BadEvents(), slo.WindowLabel(q.Window()))
	if m.report.Convention != "" {
		summary += " · metrics: " + m.report.Convention
	}
	return m.Env.Styles.Title.Render("Routes of "+m.service) + m.Env.Styles.Muted.Render(summary)
}

// footer describes the selected route: its error rate and exemplars.
func (m *Model) footer() []string {
	i, ok := m.Table.Selected()
	if !ok || i >= len(m.ranked) {
		return nil
	}
	r := m.ranked[i]
	line := fmt.Sprintf("%s · %s errors · p99 %s", r.Route, units.Rate(r.ErrorRate()), r.P99)
	if n := len(r.Exemplars); n > 0 {
		line += fmt.Sprintf(" · %s %d exemplar traces", exemplarMark, n)
	}
	return []string{
		m.Env.Styles.Muted.Render(line),
		m.Env.Styles.Muted.Render("SLO " + m.status.Objective.Name + ": " + m.status.Verdict.String()),
	}
}
