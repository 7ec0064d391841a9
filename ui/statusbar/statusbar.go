// Package statusbar draws redline's bottom line: the absolute UTC time
// range, whether live refresh runs and how old the data is, and the health
// of every backend in words and symbols (never colour alone).
package statusbar

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/units"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/theme"
)

const (
	separator  = " │ "
	causeWidth = 24
)

// Model remembers the last health report of each backend.
type Model struct {
	styles      *theme.Styles
	backends    []string // in display order
	health      map[string]pane.Health
	lastRefresh time.Time
}

// State is what the root knows at drawing time.
type State struct {
	Range    funnel.TimeRange
	Paused   bool
	Interval time.Duration // live refresh period
	Loading  bool          // the focused pane awaits an answer
	Now      time.Time
}

// New returns a status bar for backends (names, in display order;
// duplicates are shown once).
func New(styles *theme.Styles, backends ...string) Model {
	m := Model{styles: styles, health: map[string]pane.Health{}}
	for _, b := range backends {
		m.addBackend(b)
	}
	return m
}

func (m *Model) addBackend(name string) {
	for _, b := range m.backends {
		if b == name {
			return
		}
	}
	m.backends = append(m.backends, name)
}

// Record keeps h as the latest health of its backend.
func (m *Model) Record(h pane.Health) {
	m.addBackend(h.Backend)
	m.health[h.Backend] = h
	if h.Err == nil && h.At.After(m.lastRefresh) {
		m.lastRefresh = h.At
	}
}

// View draws the bar in width cells, shortening the refresh state first.
func (m Model) View(s State, width int) string {
	left := s.Range.String()
	health := m.healthView()
	full := left + separator + m.refreshView(s, true) + separator + health
	if ansi.StringWidth(full) > width {
		full = left + separator + m.refreshView(s, false) + separator + health
	}
	return m.styles.StatusBar.Render(ansi.Truncate(full, width, "…"))
}

func (m Model) refreshView(s State, long bool) string {
	var state string
	switch {
	case s.Loading:
		state = "⟳ loading"
	case s.Paused:
		state = "❚❚ paused"
	default:
		state = "● live"
		if long {
			state += " every " + units.Coarse(s.Interval)
		}
	}
	if long && !m.lastRefresh.IsZero() {
		state += " · updated " + units.Coarse(max(s.Now.Sub(m.lastRefresh), 0)) + " ago"
	}
	return state
}

func (m Model) healthView() string {
	parts := make([]string, len(m.backends))
	for i, b := range m.backends {
		parts[i] = m.backendView(b)
	}
	return strings.Join(parts, "  ")
}

func (m Model) backendView(name string) string {
	h, ok := m.health[name]
	switch {
	case !ok:
		return name + " …"
	case h.Err == nil:
		return name + " " + m.styles.OK.Render("✔")
	default:
		return name + " " + m.styles.Error.Render("✖ "+cause(name, h.Err))
	}
}

// cause shortens err for the status bar: without the "backend: " prefix
// the sources put first, at most a few words.
func cause(backend string, err error) string {
	return ansi.Truncate(strings.TrimPrefix(err.Error(), backend+": "), causeWidth, "…")
}
