package table

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Layout gives each column its width in width cells: columns are dropped
// (width 0), highest priority number first, until the rest fit; the flex
// column then takes what is left.
func Layout(columns []Column, width int) []int {
	kept := make([]bool, len(columns))
	for i := range kept {
		kept[i] = true
	}
	for needed(columns, kept) > width {
		drop := droppable(columns, kept)
		if drop < 0 {
			break
		}
		kept[drop] = false
	}
	widths := make([]int, len(columns))
	spare := width - needed(columns, kept)
	for i, c := range columns {
		if !kept[i] {
			continue
		}
		widths[i] = c.Width
		if c.Flex && spare > 0 {
			widths[i] += spare
		}
	}
	return widths
}

func needed(columns []Column, kept []bool) int {
	total, n := 0, 0
	for i, c := range columns {
		if kept[i] {
			total += c.Width
			n++
		}
	}
	return total + max(n-1, 0)*len(gap)
}

// droppable is the kept column with the highest priority number (the
// rightmost among equals), or -1 when only priority-0 columns are left.
func droppable(columns []Column, kept []bool) int {
	drop := -1
	for i, c := range columns {
		if kept[i] && c.Priority > 0 && (drop < 0 || c.Priority >= columns[drop].Priority) {
			drop = i
		}
	}
	return drop
}

// View draws the header, the rows on screen and the filter line.
func (m Model) View() string {
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header())
	body := m.bodyHeight()
	for i := m.offset; i < len(m.shown) && len(lines)-1 < body; i++ {
		lines = append(lines, m.rowLines(i)...)
	}
	if len(lines)-1 > body {
		lines = lines[:body+1]
	}
	if len(m.shown) == 0 && len(m.rows) > 0 {
		lines = append(lines, m.styles.Muted.Render(unmarked+"no row matches the filter"))
	}
	if m.prompt || m.filter != "" {
		for len(lines) < m.height-1 {
			lines = append(lines, "")
		}
		lines = append(lines, m.filterLine())
	}
	return strings.Join(lines, "\n")
}

func (m Model) header() string {
	titles := make([]Cell, len(m.columns))
	for i, c := range m.columns {
		titles[i] = Cell{Text: c.Title}
	}
	return m.styles.Header.Render(m.join(unmarked, titles, false))
}

func (m Model) filterLine() string {
	cursor := ""
	if m.prompt {
		cursor = "▏"
	}
	count := m.styles.Muted.Render(
		"  " + strconv.Itoa(len(m.shown)) + " of " + strconv.Itoa(len(m.rows)) + "  (esc clears)")
	return ansi.Truncate("/"+m.filter+cursor+count, m.width, "…")
}

// rowLines draws shown row i: one line, more when its flex cell wraps, and
// its detail lines when expanded.
func (m Model) rowLines(i int) []string {
	row := m.rows[m.shown[i]]
	selected := i == m.cursor
	lines := m.cellLines(row, selected)
	if m.expanded[row.ID] && m.detail != nil {
		for _, d := range m.detail(m.shown[i]) {
			lines = append(lines, m.styles.Muted.Render(ansi.Truncate("    "+d, m.width, "…")))
		}
	}
	return lines
}

func (m Model) cellLines(row Row, selected bool) []string {
	prefix := unmarked
	if selected {
		prefix = marker
	}
	first, rest := m.wrapFlex(row.Cells)
	lines := []string{m.finish(m.join(prefix, first, !selected), selected)}
	for _, cells := range rest {
		lines = append(lines, m.finish(m.join(unmarked, cells, !selected), selected))
	}
	return lines
}

// finish pads a line to the table width and applies the selection style.
func (m Model) finish(line string, selected bool) string {
	if !selected {
		return line
	}
	if pad := m.width - ansi.StringWidth(line); pad > 0 {
		line += strings.Repeat(" ", pad)
	}
	return m.styles.Selected.Render(line)
}

// wrapFlex splits the flex cell over several lines when wrapping is on; the
// continuation lines have only that cell.
func (m Model) wrapFlex(cells []Cell) ([]Cell, [][]Cell) {
	flex := m.flexColumn()
	if !m.wrap || flex < 0 || flex >= len(cells) || ansi.StringWidth(cells[flex].Text) <= m.widths[flex] {
		return cells, nil
	}
	parts := strings.Split(ansi.Wrap(cells[flex].Text, m.widths[flex], ""), "\n")
	first := append([]Cell(nil), cells...)
	first[flex].Text = parts[0]
	rest := make([][]Cell, 0, len(parts)-1)
	for _, p := range parts[1:] {
		line := make([]Cell, len(cells))
		line[flex] = Cell{Text: p, Tone: cells[flex].Tone}
		rest = append(rest, line)
	}
	return first, rest
}

func (m Model) flexColumn() int {
	for i, c := range m.columns {
		if c.Flex && m.widths[i] > 0 {
			return i
		}
	}
	return -1
}

// join lays cells out in the column widths, styling each by its tone when
// styled, and truncates the line to the table width.
func (m Model) join(prefix string, cells []Cell, styled bool) string {
	var b strings.Builder
	b.WriteString(prefix)
	first := true
	for i, c := range m.columns {
		w := m.widths[i]
		if w == 0 {
			continue
		}
		if !first {
			b.WriteString(gap)
		}
		first = false
		text := ""
		tone := Plain
		if i < len(cells) {
			text, tone = cells[i].Text, cells[i].Tone
		}
		text = fit(text, w, c.Align)
		if styled && tone != Plain {
			text = m.toneStyle(tone).Render(text)
		}
		b.WriteString(text)
	}
	return ansi.Truncate(strings.TrimRight(b.String(), " "), m.width, "…")
}

// fit truncates or pads text to exactly w cells.
func fit(text string, w int, align Align) string {
	text = ansi.Truncate(text, w, "…")
	pad := strings.Repeat(" ", w-ansi.StringWidth(text))
	if align == AlignRight {
		return pad + text
	}
	return text + pad
}

func (m Model) toneStyle(t Tone) lipgloss.Style {
	switch t {
	case Muted:
		return m.styles.Muted
	case Good:
		return m.styles.OK
	case Warning:
		return m.styles.Warn
	case Bad:
		return m.styles.Error
	default:
		return lipgloss.NewStyle()
	}
}
