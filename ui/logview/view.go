package logview

import (
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
	"github.com/redline-tui/redline/ui/table"
	"github.com/redline-tui/redline/ui/tablepane"
)

// Gutter marks: error and fatal lines, and warnings, read without colour.
const (
	errorMark = "✖"
	warnMark  = "⚠"
)

// columns lists the log table's columns: the gutter marking errors and
// warnings, then time and level; the span and service go first when the
// terminal narrows, the message takes the rest.
func columns() []table.Column {
	return []table.Column{
		{Title: "", Width: 1},
		{Title: "TIME (UTC)", Width: 12},
		{Title: "LEVEL", Width: 5},
		{Title: "SERVICE", Width: 12, Priority: 2},
		{Title: "SPAN", Width: 8, Priority: 4},
		{Title: "MESSAGE", Width: 20, Flex: true},
	}
}

// rows builds one row per line; ids are the lines' indexes in the answer,
// stable across reordering.
func rows(lines []logs.Line, ids []int) []table.Row {
	out := make([]table.Row, len(lines))
	for i, l := range lines {
		out[i] = table.Row{ID: lineID(ids[i]), Cells: []table.Cell{
			gutter(l.Level),
			{Text: units.Clock(l.Time), Tone: table.Muted},
			{Text: l.Level.String(), Tone: levelTone(l.Level)},
			{Text: service(l)},
			{Text: trace.ShortID(l.SpanID), Tone: table.Muted},
			{Text: message(l)},
		}}
	}
	return out
}

// serviceLabels are the stream labels that name a line's service when the
// source did not set it (Loki's own service_name first).
var serviceLabels = []string{"service_name", "service", "app", "job"}

func service(l logs.Line) string {
	if l.Service != "" {
		return l.Service
	}
	for _, k := range serviceLabels {
		if v := l.Labels[k]; v != "" {
			return v
		}
	}
	return ""
}

func message(l logs.Line) string {
	if l.Message != "" {
		return l.Message
	}
	return l.Body
}

// gutter is the mark of a line's level: ✖ errors, ⚠ warnings, else blank.
func gutter(l logs.Level) table.Cell {
	switch rank(l) {
	case 0:
		return table.Cell{Text: errorMark, Tone: table.Bad}
	case 1:
		return table.Cell{Text: warnMark, Tone: table.Warning}
	}
	return table.Cell{}
}

func levelTone(l logs.Level) table.Tone {
	switch {
	case l >= logs.LevelError:
		return table.Bad
	case l == logs.LevelWarn:
		return table.Warning
	case l == logs.LevelUnknown, l <= logs.LevelDebug:
		return table.Muted
	default:
		return table.Plain
	}
}

// fields are the detail lines of line i (key x): its structured fields, or
// its raw body when it has none.
func (m *Model) fields(i int) []string {
	if i >= len(m.lines) {
		return nil
	}
	l := m.lines[i]
	fields := logs.Fields(l)
	if len(fields) == 0 {
		return []string{"body: " + l.Body}
	}
	out := make([]string, len(fields))
	for j, f := range fields {
		out[j] = f.Key + " = " + f.Value
	}
	return out
}

// View draws the pane.
func (m *Model) View() string {
	empty := "No log lines carry " + m.subject() + "."
	if m.spanOnly {
		empty += " " + m.Env.Keys.Logs.SpanOnly.Help().Key + " shows the whole trace."
	}
	return m.Frame(tablepane.Parts{Title: m.title(), What: "log lines", Warnings: m.result.Warnings, Empty: empty, Footer: m.footer()})
}

func (m *Model) subject() string {
	s := "trace " + trace.ShortID(m.target.TraceID)
	if m.spanOnly {
		s += " span " + trace.ShortID(m.target.SpanID)
	}
	return s
}

func (m *Model) title() string {
	order := "time order"
	if m.errorsFirst {
		order = "errors first"
	}
	summary := "  " + units.Count(len(m.lines), "line") + " · "
	if m.errors > 0 {
		summary += errorMark + " " + units.Count(m.errors, "error") + " · "
	}
	if m.warnings > 0 {
		summary += warnMark + " " + units.Count(m.warnings, "warning") + " · "
	}
	return m.Env.Styles.Title.Render("Logs of "+m.subject()) + m.Env.Styles.Muted.Render(summary+order)
}

// footer says in what scope, whether lines wrap and how lines were
// correlated (last: a long strategy is what a narrow terminal cuts); the
// keys are on the root's help line (Help), not repeated here.
func (m *Model) footer() []string {
	strategy := "correlated by " + m.result.Strategy
	if m.result.Strategy == "" {
		strategy = "correlation strategy unknown"
	}
	scope := "whole trace"
	if m.spanOnly {
		scope = "span only"
	}
	wrap := "off"
	if m.Table.Wrap() {
		wrap = "on"
	}
	return []string{m.Env.Styles.Muted.Render(scope + " · wrap " + wrap + " · " + strategy)}
}
