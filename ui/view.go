package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pager"
	"github.com/redline-tui/redline/ui/statusbar"
)

const crumbSeparator = " ▸ "

// View draws the breadcrumb, the focused pane (or an overlay), the help
// line and the status bar, in the alternate screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	return v
}

// Render is the frame as a string (View's content).
func (m Model) Render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	_, bodyHeight := m.paneSize()
	body := strings.Split(m.body(), "\n")
	if len(body) > bodyHeight {
		body = body[:bodyHeight]
	}
	for len(body) < bodyHeight {
		body = append(body, "")
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.breadcrumb())
	lines = append(lines, body...)
	lines = append(lines, m.helpLine(), m.statusLine())
	return strings.Join(lines[:min(len(lines), m.height)], "\n")
}

func (m Model) body() string {
	switch m.overlay {
	case helpOverlay:
		return m.helpView()
	case queriesOverlay:
		return m.queriesView()
	case snapshotOverlay:
		return m.snapshotOverlayView()
	case pagerOverlay:
		return m.pager.View(m.styles)
	default:
		return m.focused().View()
	}
}

// breadcrumb is "redline <context> ▸ SLOs ▸ checkout ▸ …", cut on the left
// when too wide so the deepest steps stay visible.
func (m Model) breadcrumb() string {
	head := "redline"
	if m.opts.Context != "" {
		head += " " + m.opts.Context
	}
	titles := make([]string, len(m.stack))
	for i, p := range m.stack {
		titles[i] = p.Title()
	}
	crumbs := head + crumbSeparator + strings.Join(titles, crumbSeparator)
	if over := ansi.StringWidth(crumbs) - m.width; over > 0 {
		crumbs = ansi.TruncateLeft(crumbs, over+1, "…")
	}
	return m.styles.Breadcrumb.Render(crumbs)
}

// helpLine shows a notice, or the focused pane's keys and the main global ones.
func (m Model) helpLine() string {
	if m.notice != "" {
		style := m.styles.Warn
		if m.noticeOK {
			style = m.styles.OK
		}
		return style.Render(ansi.Truncate(m.notice, m.width, "…"))
	}
	g := m.keys.Global
	bindings := append(m.focused().Help(), g.Back, g.Help, g.ShowQueries, g.Snapshot, g.Quit)
	switch m.overlay {
	case noOverlay:
	case snapshotOverlay:
		bindings = m.snapshotHelp()
	case pagerOverlay:
		bindings = pager.Help(m.keys)
	default:
		bindings = []key.Binding{g.Back, g.Quit}
	}
	return m.styles.Help.Render(ansi.Truncate(keys.Hints(bindings...), m.width, "…"))
}

func (m Model) statusLine() string {
	return m.status.View(statusbar.State{
		Range:    m.rng,
		Paused:   m.paused,
		Interval: m.opts.RefreshInterval,
		Loading:  m.focused().Loading(),
		Now:      m.opts.Now(),
	}, m.width)
}
