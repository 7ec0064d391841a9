package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/ui/logview"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/redview"
	"github.com/redline-tui/redline/ui/traceview"
	"github.com/redline-tui/redline/ui/waterfall"
)

// chrome is the number of lines around the focused pane: breadcrumb, help
// line and status bar.
const chrome = 3

// keyPress handles the global keys, unless the focused pane captures keys
// (a filter prompt is open); while an overlay is shown, keys other than
// quit and copy act on it; other keys go to the focused pane.
func (m Model) keyPress(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	m.notice = ""
	if m.focused().Capturing() {
		return m.toFocused(msg)
	}
	g := m.keys.Global
	switch {
	case m.overlay == pagerOverlay && (m.pager.Capturing() || !key.Matches(msg, g.Quit)):
		return m.pagerKey(msg)
	case key.Matches(msg, g.Quit):
		return m, tea.Quit
	case key.Matches(msg, g.CopySnapshot):
		return m.copySnapshot()
	case m.overlay == snapshotOverlay:
		return m.snapshotKey(msg), nil
	case m.overlay != noOverlay:
		m.overlay = m.toggledOverlay(msg)
		return m, nil
	case key.Matches(msg, g.Snapshot):
		return m.openSnapshot()
	case key.Matches(msg, g.Help), key.Matches(msg, g.ShowQueries):
		m.overlay = m.toggledOverlay(msg)
		return m, nil
	case key.Matches(msg, g.Back):
		return m.pop()
	case key.Matches(msg, g.Refresh):
		return m.toFocused(pane.Refresh{})
	case key.Matches(msg, g.Pause):
		m.paused = !m.paused
		return m, nil
	case key.Matches(msg, g.Earlier):
		return m.shift(-1)
	case key.Matches(msg, g.Later):
		return m.shift(1)
	}
	return m.toFocused(msg)
}

// toggledOverlay is the overlay after msg: ? and Q open theirs or close
// it; any other key closes the overlay shown.
func (m Model) toggledOverlay(msg tea.KeyPressMsg) overlay {
	want := noOverlay
	switch {
	case key.Matches(msg, m.keys.Global.Help):
		want = helpOverlay
	case key.Matches(msg, m.keys.Global.ShowQueries):
		want = queriesOverlay
	}
	if want == m.overlay {
		return noOverlay
	}
	return want
}

// open pushes the pane an intent asks for and starts its queries.
func (m Model) open(intent pane.Intent) (Model, tea.Cmd) {
	next, missing := m.paneFor(intent)
	if next == nil {
		m.setNotice(missing, false)
		return m, nil
	}
	next = next.SetSize(m.paneSize())
	m.stack = append(m.stack, next)
	m.overlay = noOverlay
	return m, fromDepth(len(m.stack), next.Init())
}

// paneFor builds the pane for intent, or says which backend is missing.
// It is the one list of intents: a new drill adds its case here.
func (m Model) paneFor(intent pane.Intent) (pane.Pane, string) {
	env := m.env()
	switch msg := intent.(type) {
	case pane.OpenRoutes:
		return redview.New(env, m.opts.Metrics, msg.Service, msg.Status), ""
	case pane.OpenTraces:
		if m.opts.Traces == nil {
			return nil, missing("trace", m.opts.AddTraces)
		}
		return traceview.New(env, m.opts.Traces, msg.Service, msg.Row), ""
	case pane.OpenTrace:
		if m.opts.Traces == nil {
			return nil, missing("trace", m.opts.AddTraces)
		}
		return waterfall.New(env, m.opts.Traces, msg.Summary, msg.Range), ""
	case pane.OpenLogs:
		if m.opts.Logs == nil {
			return nil, missing("log", m.opts.AddLogs)
		}
		return logview.New(env, m.opts.Logs, msg), ""
	}
	return nil, ""
}

// missing says that a kind of backend is not configured, and how to add it.
func missing(kind, howToAdd string) string {
	if howToAdd == "" {
		return "no " + kind + " backend configured"
	}
	return "no " + kind + " backend configured: " + howToAdd
}

// pop closes the focused pane (cancelling its queries) and focuses the one
// below, bringing it up to the current time range.
func (m Model) pop() (Model, tea.Cmd) {
	if len(m.stack) == 1 {
		return m, nil
	}
	m.entry.stage = entryDone // the user goes back: the entry is given up
	m.focused().Close()
	m.stack[len(m.stack)-1] = nil
	m.stack = m.stack[:len(m.stack)-1]
	return m.toFocused(pane.RangeChanged{Range: m.rng})
}

// toFocused gives msg to the focused pane only.
func (m Model) toFocused(msg tea.Msg) (Model, tea.Cmd) {
	_, cmd := m.focused().Update(msg)
	return m, fromDepth(len(m.stack), cmd)
}

// broadcast gives msg to every pane of the stack.
func (m Model) broadcast(msg tea.Msg) (Model, tea.Cmd) {
	cmds := make([]tea.Cmd, len(m.stack))
	for i, p := range m.stack {
		_, cmd := p.Update(msg)
		cmds[i] = fromDepth(i+1, cmd)
	}
	return m, tea.Batch(cmds...)
}

// drill is an intent tagged with the stack depth of the pane that returned
// it. The root acts on it only while that pane is still focused, so keys
// pressed before a drill lands (Enter, Enter, Enter) push one pane, not
// three, and a pane that is no longer focused cannot drill.
type drill struct {
	depth  int
	intent pane.Intent
}

// DrillIntent is the intent msg asks root to drill into, for observers of
// the program's messages (the SSH server's audit): false for any other
// message, and for a drill root will drop because the pane that returned it
// is no longer focused.
func DrillIntent(root tea.Model, msg tea.Msg) (pane.Intent, bool) {
	switch m := msg.(type) {
	case drill:
		if r, ok := root.(Model); ok && m.depth != len(r.stack) {
			return nil, false
		}
		return m.intent, true
	case pane.Intent:
		return m, true
	}
	return nil, false
}

// fromDepth tags the intents cmd returns (in a batch too) with depth.
func fromDepth(depth int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case pane.Intent:
			return drill{depth: depth, intent: msg}
		case tea.BatchMsg:
			for i, c := range msg {
				msg[i] = fromDepth(depth, c)
			}
			return msg
		default:
			return msg
		}
	}
}

// shift moves the time range by its own width (dir −1 earlier, +1 later,
// never past now) and tells every pane.
func (m Model) shift(dir int) (Model, tea.Cmd) {
	width := m.rng.Duration()
	next := m.rng.Shift(time.Duration(dir) * width)
	now := m.opts.Now()
	m.following = !next.End.Before(now)
	if m.following {
		next = funnel.Last(width, now)
	}
	m.rng = next
	return m.broadcast(pane.RangeChanged{Range: next})
}

// tick is the live refresh: unless paused, the range follows the clock
// (when it ends now) and the focused pane refreshes.
func (m Model) tick() (Model, tea.Cmd) {
	next := m.nextTick()
	if m.paused {
		return m, next
	}
	var moved tea.Cmd
	if m.following {
		m.rng = funnel.Last(m.rng.Duration(), m.opts.Now())
		m, moved = m.toFocused(pane.RangeChanged{Range: m.rng})
	}
	m, refreshed := m.toFocused(pane.Refresh{Live: true})
	return m, tea.Batch(moved, refreshed, next)
}

// resize lays out every pane of the stack for the new terminal size.
func (m Model) resize(width, height int) Model {
	m.width, m.height = width, height
	w, h := m.paneSize()
	for _, p := range m.stack {
		p.SetSize(w, h)
	}
	m.snap = m.snap.wrapped(width)
	m.pager = m.pager.SetSize(w, h)
	return m
}

func (m Model) paneSize() (int, int) { return m.width, max(m.height-chrome, 1) }
