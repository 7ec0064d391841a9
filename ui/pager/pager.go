// Package pager is the full-screen reader for one long value (an attribute,
// a stack trace, a JSON document): it wraps the value to the screen, scrolls
// with the list keys, searches with / (n and N jump between matches) and
// says what y should copy. The text is untrusted: it is sanitised once, in
// New, and what is drawn and copied is only ever that sanitised text.
package pager

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/theme"
)

// Model is the pager. It is a value: Update returns the new state.
type Model struct {
	title  string
	text   string   // the sanitised value: what is shown and copied
	source []string // text split into lines
	lines  []string // source wrapped to the width
	offset int      // first line shown
	width  int
	height int

	prompting bool   // the search prompt is open and takes the keys
	input     string // what is typed at the prompt
	query     string // the search in effect
	matches   []int  // wrapped lines holding query
	notice    string // one-shot message under the title
}

// Action is what a key asks of the root besides redrawing.
type Action int

// Actions.
const (
	None  Action = iota
	Close        // the pager is done
	Copy         // copy Text() to the clipboard
)

// New opens title and text (both untrusted); SetSize lays it out.
func New(title, text string) Model {
	clean := sanitize.Text(text)
	return Model{title: sanitize.Line(title), text: clean, source: strings.Split(clean, "\n")}
}

// Text is the sanitised value, what y copies.
func (m Model) Text() string { return m.text }

// Capturing reports whether the search prompt is taking every key.
func (m Model) Capturing() bool { return m.prompting }

// SetSize rewraps the value to width and keeps the offset in range.
func (m Model) SetSize(width, height int) Model {
	m.width, m.height = max(width, 1), max(height, 1)
	m.lines = m.lines[:0:0]
	for _, l := range m.source {
		// Wrap may leave a breakpoint just past the width: cut what it left.
		wrapped := ansi.Hardwrap(ansi.Wrap(l, m.width, " ,;:/"), m.width, true)
		m.lines = append(m.lines, strings.Split(wrapped, "\n")...)
	}
	m.matches = m.find(m.query)
	return m.scrollTo(m.offset)
}

// rows is how many value lines fit under the title and status line.
func (m Model) rows() int { return max(m.height-2, 1) }

func (m Model) scrollTo(offset int) Model {
	m.offset = min(max(offset, 0), max(len(m.lines)-m.rows(), 0))
	return m
}

// Update handles one key press with the key map km.
func (m Model) Update(k tea.KeyPressMsg, km *keys.KeyMap) (Model, Action) {
	m.notice = ""
	if m.prompting {
		return m.promptKey(k), None
	}
	l, p := km.List, km.Pager
	switch {
	case key.Matches(k, km.Global.Back):
		return m, Close
	case key.Matches(k, p.Copy):
		return m, Copy
	case key.Matches(k, km.Global.Filter):
		m.prompting, m.input = true, ""
	case key.Matches(k, p.NextMatch):
		return m.jump(1), None
	case key.Matches(k, p.PrevMatch):
		return m.jump(-1), None
	case key.Matches(k, l.Up):
		return m.scrollTo(m.offset - 1), None
	case key.Matches(k, l.Down):
		return m.scrollTo(m.offset + 1), None
	case key.Matches(k, l.PageUp):
		return m.scrollTo(m.offset - m.rows()), None
	case key.Matches(k, l.PageDown):
		return m.scrollTo(m.offset + m.rows()), None
	case key.Matches(k, l.Top):
		return m.scrollTo(0), None
	case key.Matches(k, l.Bottom):
		return m.scrollTo(len(m.lines)), None
	}
	return m, None
}

// promptKey edits the search prompt: enter searches, esc cancels.
func (m Model) promptKey(k tea.KeyPressMsg) Model {
	switch k.String() {
	case "esc":
		m.prompting = false
	case "enter":
		m.prompting, m.query = false, m.input
		m.matches = m.find(m.query)
		if m.query != "" && len(m.matches) == 0 {
			m.notice = "no match for " + m.query
		}
		return m.jumpFrom(m.offset, 1)
	case "backspace":
		if r := []rune(m.input); len(r) > 0 {
			m.input = string(r[:len(r)-1])
		}
	default:
		if k.Text != "" {
			m.input += sanitize.Line(k.Text)
		}
	}
	return m
}

// find lists the wrapped lines holding q, case-insensitively.
func (m Model) find(q string) []int {
	if q == "" {
		return nil
	}
	q = strings.ToLower(q)
	var out []int
	for i, l := range m.lines {
		if strings.Contains(strings.ToLower(l), q) {
			out = append(out, i)
		}
	}
	return out
}

// jump moves to the next (dir 1) or previous (dir -1) match after the
// first line shown, wrapping around.
func (m Model) jump(dir int) Model {
	if m.query == "" {
		m.notice = "no search: press / first"
		return m
	}
	return m.jumpFrom(m.offset+dir, dir)
}

func (m Model) jumpFrom(from, dir int) Model {
	n := len(m.matches)
	if n == 0 {
		return m
	}
	at := -1
	for i := range n {
		j := i
		if dir < 0 {
			j = n - 1 - i
		}
		if (dir > 0 && m.matches[j] >= from) || (dir < 0 && m.matches[j] <= from) {
			at = j
			break
		}
	}
	if at < 0 { // wrap around
		at = 0
		if dir < 0 {
			at = n - 1
		}
	}
	m.offset = m.matches[at]
	m.notice = fmt.Sprintf("match %d of %d", at+1, n)
	return m.scrollTo(m.offset)
}

// View draws the title with the position, the status or prompt line and
// the lines that fit, exactly width×height cells. Matching lines are drawn
// in the selection style (reverse video, which NO_COLOR keeps); the status
// line says which match is shown.
func (m Model) View(st *theme.Styles) string {
	end := min(m.offset+m.rows(), len(m.lines))
	head := st.Title.Render(m.title) + st.Muted.Render(fmt.Sprintf("  lines %d–%d of %d", min(m.offset+1, end), end, len(m.lines)))
	out := []string{fit(head, m.width), fit(m.statusLine(st), m.width)}
	for i := m.offset; i < end; i++ {
		l := m.lines[i]
		if m.isMatch(i) {
			l = st.Selected.Render(l)
		}
		out = append(out, fit(l, m.width))
	}
	for len(out) < m.height {
		out = append(out, strings.Repeat(" ", m.width))
	}
	return strings.Join(out[:m.height], "\n")
}

func (m Model) statusLine(st *theme.Styles) string {
	switch {
	case m.prompting:
		return "search: " + m.input + "█"
	case m.notice != "":
		return st.Warn.Render(m.notice)
	case m.query != "":
		return st.Muted.Render(fmt.Sprintf("search %q: %d matching lines", m.query, len(m.matches)))
	}
	return ""
}

func (m Model) isMatch(line int) bool {
	_, ok := slices.BinarySearch(m.matches, line)
	return ok
}

// fit cuts s to width cells and pads it to exactly width.
func fit(s string, width int) string {
	s = ansi.Truncate(s, width, "…")
	return s + strings.Repeat(" ", max(width-ansi.StringWidth(s), 0))
}

// Help lists the pager's bindings for the help line, the ones only the
// pager has first.
func Help(km *keys.KeyMap) []key.Binding {
	l, p, g := km.List, km.Pager, km.Global
	search := key.NewBinding(key.WithKeys(g.Filter.Keys()...), key.WithHelp(g.Filter.Help().Key, "search"))
	return []key.Binding{p.Copy, search, p.NextMatch, g.Back, l.Down, l.Up, l.PageDown}
}
