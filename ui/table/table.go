// Package table is the list widget of every pane: rows drawn as columns that
// drop by priority when the terminal narrows, a selection shown in reverse
// video with a › marker, an optional case-insensitive substring filter, and
// optional wrapping and per-row detail lines. Only the rows on screen are
// formatted; cell texts are prepared once by the owner when data arrives.
package table

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/theme"
)

// Align is a column's text alignment.
type Align int

// Alignments.
const (
	AlignLeft Align = iota
	AlignRight
)

// Column describes one column.
type Column struct {
	Title string
	Width int // in cells; the minimum width of a Flex column
	// Flex marks the column that takes the width left over (at most one).
	Flex bool
	// Priority orders dropping when the width is short: 0 is never dropped,
	// the highest number goes first.
	Priority int
	Align    Align
}

// Tone says how a cell reads; each tone has a theme style, and none is the
// only signal (cells carry words or symbols too).
type Tone int

// Tones.
const (
	Plain Tone = iota
	Muted
	Good
	Warning
	Bad
)

// Cell is one cell's text (backend text arrives cleaned, see ui/clean.go)
// and tone.
type Cell struct {
	Text string
	Tone Tone
}

// Row is one row. ID identifies it across refreshes so the selection stays
// on the same item when rows are reordered.
type Row struct {
	ID    string
	Cells []Cell

	match string // lower-cased cell texts, for the filter
}

const (
	marker   = "› "
	unmarked = "  "
	gap      = " "
)

// Model is the table's state.
type Model struct {
	columns []Column
	widths  []int // per column; 0 when dropped at this width
	rows    []Row
	shown   []int // indexes into rows that pass the filter
	cursor  int   // index into shown
	offset  int   // first index into shown drawn
	width   int
	height  int

	filter   string
	prompt   bool
	wrap     bool
	detail   func(row int) []string
	expanded map[string]bool // row IDs whose detail lines are shown

	keys   *keys.KeyMap
	styles *theme.Styles
}

// New returns an empty table with columns.
func New(styles *theme.Styles, km *keys.KeyMap, columns ...Column) Model {
	return Model{columns: columns, styles: styles, keys: km, expanded: map[string]bool{}}
}

// SetRows replaces the rows, keeping the selection on the row with the same
// ID when there is one.
func (m *Model) SetRows(rows []Row) {
	selected, hadSelection := m.SelectedID()
	for i := range rows {
		rows[i].match = matchText(rows[i].Cells)
	}
	m.rows = rows
	m.applyFilter()
	if hadSelection {
		m.selectID(selected)
	}
	m.scrollToCursor()
}

func matchText(cells []Cell) string {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = c.Text
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// SetSize sets the table's area and lays the columns out for its width.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.widths = Layout(m.columns, width-ansi.StringWidth(marker))
	m.scrollToCursor()
}

// SetDetail sets the function giving a row's detail lines (see ToggleDetail).
func (m *Model) SetDetail(detail func(row int) []string) { m.detail = detail }

// ToggleDetail shows or hides the selected row's detail lines.
func (m *Model) ToggleDetail() {
	if id, ok := m.SelectedID(); ok {
		m.expanded[id] = !m.expanded[id]
		m.scrollToCursor()
	}
}

// SetWrap turns wrapping of the flex column on or off.
func (m *Model) SetWrap(on bool) {
	m.wrap = on
	m.scrollToCursor()
}

// Wrap reports whether the flex column wraps.
func (m Model) Wrap() bool { return m.wrap }

// Len is the number of rows, filtered or not.
func (m Model) Len() int { return len(m.rows) }

// Shown is the number of rows passing the filter.
func (m Model) Shown() int { return len(m.shown) }

// Selected returns the index (into the rows given to SetRows) of the
// selected row.
func (m Model) Selected() (int, bool) {
	if m.cursor >= len(m.shown) {
		return 0, false
	}
	return m.shown[m.cursor], true
}

// SelectedID returns the ID of the selected row.
func (m Model) SelectedID() (string, bool) {
	i, ok := m.Selected()
	if !ok {
		return "", false
	}
	return m.rows[i].ID, true
}

// Select moves the selection to row (an index into the rows given to
// SetRows) when the filter shows it.
func (m *Model) Select(row int) {
	if i := slices.Index(m.shown, row); i >= 0 {
		m.cursor = i
		m.scrollToCursor()
	}
}

func (m *Model) selectID(id string) {
	for i, r := range m.shown {
		if m.rows[r].ID == id {
			m.cursor = i
			return
		}
	}
}

// Capturing reports whether the filter prompt is open and takes every key.
func (m Model) Capturing() bool { return m.prompt }

// Filter is the current filter text ("" when none).
func (m Model) Filter() string { return m.filter }

// Update handles a key press and reports whether the table used it.
func (m *Model) Update(msg tea.KeyPressMsg) bool {
	if m.prompt {
		m.editFilter(msg)
		return true
	}
	l := m.keys.List
	switch {
	case key.Matches(msg, l.Up):
		m.move(-1)
	case key.Matches(msg, l.Down):
		m.move(1)
	case key.Matches(msg, l.PageUp):
		m.move(-m.page())
	case key.Matches(msg, l.PageDown):
		m.move(m.page())
	case key.Matches(msg, l.Top):
		m.move(-len(m.shown))
	case key.Matches(msg, l.Bottom):
		m.move(len(m.shown))
	case key.Matches(msg, m.keys.Global.Filter):
		m.prompt = true
	default:
		return false
	}
	return true
}

func (m *Model) page() int { return max(1, m.bodyHeight()-1) }

func (m *Model) move(delta int) {
	m.cursor = min(max(m.cursor+delta, 0), max(len(m.shown)-1, 0))
	m.scrollToCursor()
}

// editFilter edits the filter prompt: typing filters as you go, enter keeps
// the filter and closes the prompt, esc clears it and closes the prompt.
func (m *Model) editFilter(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "enter":
		m.prompt = false
	case "esc":
		m.prompt = false
		m.filter = ""
	case "backspace":
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	default:
		if msg.Text == "" {
			return
		}
		m.filter += msg.Text
	}
	selected, ok := m.SelectedID()
	m.applyFilter()
	if ok {
		m.selectID(selected)
	}
	m.scrollToCursor()
}

func (m *Model) applyFilter() {
	m.shown = m.shown[:0]
	needle := strings.ToLower(m.filter)
	for i, r := range m.rows {
		if needle == "" || strings.Contains(r.match, needle) {
			m.shown = append(m.shown, i)
		}
	}
	m.cursor = min(m.cursor, max(len(m.shown)-1, 0))
}

// bodyHeight is the number of lines for rows: the height less the header
// and the filter line.
func (m Model) bodyHeight() int {
	h := m.height - 1
	if m.prompt || m.filter != "" {
		h--
	}
	return max(h, 1)
}

// scrollToCursor moves the window of drawn rows so the selection, with its
// wrapped and detail lines, is on screen.
func (m *Model) scrollToCursor() {
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	for m.offset < m.cursor && m.linesBetween(m.offset, m.cursor) > m.bodyHeight() {
		m.offset++
	}
}

func (m Model) linesBetween(from, to int) int {
	n := 0
	for i := from; i <= to; i++ {
		n += len(m.rowLines(i))
	}
	return n
}
