package ui

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui/pager"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/redview"
	"github.com/redline-tui/redline/ui/sloview"
)

// entryStage is how far the root has built the stack an entry asks for.
type entryStage int

const (
	entryDone   entryStage = iota // no entry, landed, or given up
	entrySLOs                     // waiting for the SLO list
	entryRoutes                   // waiting for the routes pane it pushed
)

// entry builds the navigation stack an entry (Options.Entry: --alert,
// --slo, --service, --route) asks for as the panes load, as if the user
// had drilled: SLOs ▸ the service's routes ▸ the route's traces, so Esc
// walks back. walk.Land and walk.LandRoute choose, as in `redline
// snapshot`. A key that goes back or drills gives the entry up.
type entry struct {
	want    walk.Entry
	stage   entryStage
	landing walk.Landing
	routes  *redview.Model // the routes pane pushed, waited for
}

func newEntry(e walk.Entry) entry {
	if e.IsZero() {
		return entry{}
	}
	return entry{want: e, stage: entrySLOs}
}

// landEntry takes the entry's next step once the pane it waits for has
// loaded; it runs after every message the panes get.
func (m Model) landEntry() (Model, tea.Cmd) {
	switch m.entry.stage {
	case entrySLOs:
		slos, ok := m.focused().(*sloview.Model)
		if !ok {
			m.entry.stage = entryDone
			return m, nil
		}
		return m.landSLO(slos)
	case entryRoutes:
		if m.focused() != pane.Pane(m.entry.routes) {
			m.entry.stage = entryDone
			return m, nil
		}
		return m.landRoute()
	}
	return m, nil
}

// landSLO selects the SLO the entry lands on and opens its service's
// routes, or stays on the SLO list saying what exists.
func (m Model) landSLO(slos *sloview.Model) (Model, tea.Cmd) {
	report, loaded := slos.Report()
	if !loaded {
		return m, nil
	}
	l, err := walk.Land(report, m.entry.want)
	if err != nil || l.Service == "" {
		m.entry.stage = entryDone
		return m.entryMissed(err), nil
	}
	if l.HasSLO {
		slos.Land(l.Status, l.How)
	}
	m.notice = "" // the "opening …" notice
	m, cmd := m.open(pane.OpenRoutes{Service: l.Service, Status: l.Status})
	if l.Note != "" {
		m.setNotice(l.Note, true)
	}
	m.entry.landing, m.entry.stage = l, entryDone
	if routes, ok := m.focused().(*redview.Model); ok && (m.entry.want.Route != "" || !l.HasSLO) {
		m.entry.routes, m.entry.stage = routes, entryRoutes
	}
	return m, cmd
}

// landRoute opens the traces of the entry's route. A service without an
// SLO and without routes is a miss: back to the SLO list. A route that
// names nothing stays on the routes, saying so.
func (m Model) landRoute() (Model, tea.Cmd) {
	rows, loaded := m.entry.routes.Routes()
	if !loaded {
		return m, nil
	}
	m.entry.stage = entryDone
	l := m.entry.landing
	if len(rows) == 0 && !l.HasSLO {
		m, cmd := m.pop()
		return m.entryMissed(walk.ServiceMiss(m.sloReport(), l.Service)), cmd
	}
	if m.entry.want.Route == "" {
		return m, nil
	}
	row, err := walk.LandRoute(rows, l.Service, m.entry.want.Route)
	if err != nil {
		return m.entryMissed(err), nil
	}
	m.entry.routes.Land(row.Route, "given")
	return m.open(pane.OpenTraces{Service: l.Service, Row: row})
}

// sloReport is the SLO list's report, at the bottom of the stack.
func (m Model) sloReport() (r slo.Report) {
	if slos, ok := m.stack[0].(*sloview.Model); ok {
		r, _ = slos.Report()
	}
	return r
}

// entryMissed says what the entry missed and what exists instead: in the
// help line, and whole in the pager when the line cannot hold it.
func (m Model) entryMissed(err error) Model {
	text := "no SLO found"
	var miss *walk.Miss
	if errors.As(err, &miss) {
		text = miss.Error()
	}
	line := m.entry.want.String() + ": " + text
	m.setNotice(line, false)
	if ansi.StringWidth(line) > m.width { // one part a line: "…; firing: A, B"
		m.pager, m.overlay = pager.New("redline "+m.entry.want.String(), strings.ReplaceAll(text, "; ", ";\n")).SetSize(m.paneSize()), pagerOverlay
	}
	return m
}
