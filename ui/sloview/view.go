package sloview

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/sparkline"
	"github.com/redline-tui/redline/funnel/units"
	"github.com/redline-tui/redline/ui/table"
	"github.com/redline-tui/redline/ui/tablepane"
)

const (
	budgetBarWidth = 10
	sparkWidth     = 12
)

// Marks appended to an SLO's name.
const (
	lowTrafficMark = "~"
	assumedMark    = "assumed"
)

// columns lists the SLO table's columns; the SLI goes first when the
// terminal narrows, the verdict, service and name never.
func columns() []table.Column {
	cols := []table.Column{
		{Title: "VERDICT", Width: 12},
		{Title: "SERVICE", Width: 12},
		{Title: "SLO", Width: 14, Flex: true},
		{Title: "ALERT", Width: 20, Priority: 3},
		{Title: "OBJ", Width: 6, Priority: 4, Align: table.AlignRight},
		{Title: "SLI", Width: 22, Priority: 12},
		{Title: "BUDGET", Width: 6, Align: table.AlignRight},
		{Title: "LEFT", Width: budgetBarWidth, Priority: 6},
		{Title: "EXHAUST", Width: 7, Priority: 1, Align: table.AlignRight},
	}
	for i, w := range slo.Windows(slo.DefaultPeriod) {
		cols = append(cols, table.Column{
			Title:    slo.WindowLabel(w.Long) + "/" + slo.WindowLabel(w.Short),
			Width:    11,
			Priority: burnPriority[i],
			Align:    table.AlignRight,
		})
	}
	return append(cols, table.Column{Title: "BURN HISTORY", Width: sparkWidth, Priority: 5})
}

// burnPriority keeps the fast page window longest, the slow ticket window
// shortest.
var burnPriority = []int{2, 7, 9, 10}

func rows(statuses []slo.Status, now time.Time) []table.Row {
	out := make([]table.Row, len(statuses))
	for i, s := range statuses {
		out[i] = row(s, now)
	}
	return out
}

func row(s slo.Status, now time.Time) table.Row {
	o := s.Objective
	cells := []table.Cell{
		{Text: s.Verdict.Symbol() + " " + s.Verdict.String(), Tone: verdictTone(s.Verdict)},
		{Text: o.Service},
		{Text: name(s)},
		alertCell(s.Alerts, now),
		{Text: units.Objective(o.Target)},
		{Text: o.SLI, Tone: table.Muted},
		{Text: units.Percent(s.BudgetRemaining), Tone: budgetTone(s.BudgetRemaining)},
		{Text: budgetBar(s.BudgetRemaining), Tone: budgetTone(s.BudgetRemaining)},
		{Text: units.Exhaustion(s.TimeToExhaustion)},
	}
	for _, b := range s.Burns {
		cells = append(cells, burnCell(b))
	}
	for range len(burnPriority) - len(s.Burns) {
		cells = append(cells, table.Cell{Text: units.Unknown})
	}
	cells = append(cells, table.Cell{Text: sparkline.Render(burnValues(s), sparkWidth), Tone: verdictTone(s.Verdict)})
	return table.Row{ID: o.Service + "\x00" + o.Name, Cells: cells}
}

func name(s slo.Status) string {
	n := s.Objective.Name
	if s.LowTraffic {
		n += " " + lowTrafficMark
	}
	if s.Objective.Origin == slo.OriginAssumed {
		n += " " + assumedMark
	}
	return n
}

// alertCell is the most urgent alert paging for the SLO, its facts before
// its name so a narrow column cuts the name ("● page firing 12m SLOBurn"),
// after how many more there are.
func alertCell(alerts []alert.Alert, now time.Time) table.Cell {
	if len(alerts) == 0 {
		return table.Cell{}
	}
	text := alerts[0].Brief(now)
	if len(alerts) > 1 {
		text = fmt.Sprintf("+%d %s", len(alerts)-1, text)
	}
	return table.Cell{Text: text, Tone: alertTone(alerts[0])}
}

// alertTone: a firing page is bad, a silenced or inhibited alert muted
// (its word says so), anything else active a warning.
func alertTone(a alert.Alert) table.Tone {
	switch {
	case a.State == alert.Firing && a.Paging():
		return table.Bad
	case a.Mute != alert.Unmuted:
		return table.Muted
	}
	return table.Warning
}

// unmatchedLine lists the firing alerts that match no SLO, most urgent
// first, for the line above the table; "" when there are none.
func unmatchedLine(alerts []alert.Alert, now time.Time) string {
	if len(alerts) == 0 {
		return ""
	}
	parts := make([]string, len(alerts))
	for i, a := range alerts {
		parts[i] = a.Summary(now)
	}
	return fmt.Sprintf("%s matching no SLO: %s", units.Count(len(alerts), "firing alert"), strings.Join(parts, " · "))
}

// burnCell is "long/short" burn with "!" when the alert fires.
func burnCell(b slo.WindowBurn) table.Cell {
	text := units.Burn(b.LongBurn) + "/" + units.Burn(b.ShortBurn)
	if b.Firing {
		return table.Cell{Text: text + "!", Tone: table.Bad}
	}
	return table.Cell{Text: text + " "}
}

func burnValues(s slo.Status) []float64 {
	out := make([]float64, len(s.BurnHistory))
	for i, p := range s.BurnHistory {
		out[i] = p.Value
	}
	return out
}

// budgetBar draws the budget left; an unknown budget is an empty bar.
func budgetBar(remaining float64) string {
	if math.IsNaN(remaining) {
		remaining = 0
	}
	filled := int(min(max(remaining, 0), 1)*budgetBarWidth + 0.5)
	return strings.Repeat("█", filled) + strings.Repeat("░", budgetBarWidth-filled)
}

func budgetTone(remaining float64) table.Tone {
	switch {
	case math.IsNaN(remaining):
		return table.Muted
	case remaining < 0.25:
		return table.Bad
	case remaining < 0.5:
		return table.Warning
	default:
		return table.Good
	}
}

func verdictTone(v slo.Verdict) table.Tone {
	switch v {
	case slo.Critical:
		return table.Bad
	case slo.Increasing, slo.Recovering, slo.NoData:
		return table.Warning
	default:
		return table.Good
	}
}

// View draws the pane.
func (m *Model) View() string {
	warnings := m.report.Warnings
	if line := unmatchedLine(m.report.Unmatched, m.Env.Now()); line != "" {
		warnings = append([]string{line}, warnings...)
	}
	return m.Frame(tablepane.Parts{Title: m.title(), What: "SLOs", Warnings: warnings, Empty: noSLOs, Footer: m.footer()})
}

// noSLOs is said when the source found no objectives.
const noSLOs = "No SLOs found. redline reads Sloth or Pyrra recording rules, or objectives\n" +
	"from its config; without them it assumes 99.9% availability and a latency SLO per service."

// title counts the objectives, the critical ones and those without data.
func (m *Model) title() string {
	count := map[slo.Verdict]int{}
	for _, s := range m.statuses {
		count[s.Verdict]++
	}
	summary := fmt.Sprintf("  %d objectives, %d critical, ", len(m.statuses), count[slo.Critical])
	if n := count[slo.NoData]; n > 0 {
		summary += fmt.Sprintf("%d without data, ", n)
	}
	summary += "worst first"
	return m.Env.Styles.Title.Render("Service level objectives") + m.Env.Styles.Muted.Render(summary)
}

// footer describes the selected SLO: its SLI, then why it has no data, its
// alerts, any caveat or that it is assumed.
func (m *Model) footer() []string {
	i, ok := m.Table.Selected()
	if !ok || i >= len(m.statuses) {
		return nil
	}
	s := m.statuses[i]
	sli := fmt.Sprintf("SLI: %s · %s · period %s · origin %s",
		s.Objective.SLI, units.Objective(s.Objective.Target),
		units.Coarse(s.Objective.Period), string(s.Objective.Origin))
	lines := []string{m.Env.Styles.Muted.Render(sli)}
	switch {
	case s.Verdict == slo.NoData:
		lines = append(lines, m.Env.Styles.Warn.Render(s.Verdict.Symbol()+" "+s.Caveat))
	case len(s.Alerts) > 0:
		parts := make([]string, len(s.Alerts))
		for i, a := range s.Alerts {
			parts[i] = a.Summary(m.Env.Now())
		}
		lines = append(lines, m.Env.Styles.Warn.Render("alerts: "+strings.Join(parts, " · ")))
	case s.Caveat != "":
		lines = append(lines, m.Env.Styles.Warn.Render(lowTrafficMark+" "+s.Caveat))
	case s.Objective.Origin == slo.OriginAssumed:
		lines = append(lines, m.Env.Styles.Warn.Render(s.Objective.Summary()+" · no such SLO is defined"))
	}
	return lines
}
