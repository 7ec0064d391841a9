package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pane"
)

// helpView lists every binding of the key map, group by group, flowed into
// as many columns as the height needs.
func (m Model) helpView() string {
	_, height := m.paneSize()
	title := m.styles.Title.Render("redline " + sanitize.Line(m.opts.Version) + " — keys")
	columns := flowColumns(m.keys.Groups(), height-2)
	width := max((m.width-1)/max(len(columns), 1), 1)
	blocks := make([][]string, len(columns))
	for i, groups := range columns {
		blocks[i] = m.helpColumn(groups, width)
	}
	return title + "\n\n" + sideBySide(blocks, width)
}

// flowColumns puts whole groups into columns of at most height lines (a
// group taller than height gets a column of its own).
func flowColumns(groups []keys.Group, height int) [][]keys.Group {
	var columns [][]keys.Group
	used := height
	for _, g := range groups {
		need := len(g.Bindings) + 1
		if used+need > height && used > 0 {
			columns = append(columns, nil)
			used = 0
		}
		columns[len(columns)-1] = append(columns[len(columns)-1], g)
		used += need
	}
	return columns
}

func (m Model) helpColumn(groups []keys.Group, width int) []string {
	keyWidth := 0
	for _, g := range groups {
		for _, b := range g.Bindings {
			keyWidth = max(keyWidth, ansi.StringWidth(b.Help().Key))
		}
	}
	var lines []string
	for _, g := range groups {
		lines = append(lines, m.styles.Header.Render(g.Name))
		for _, b := range g.Bindings {
			lines = append(lines, helpEntry(b, keyWidth, width))
		}
	}
	return lines
}

func helpEntry(b key.Binding, keyWidth, width int) string {
	k := b.Help().Key
	line := k + strings.Repeat(" ", keyWidth-ansi.StringWidth(k)+1) + b.Help().Desc
	return ansi.Truncate(line, width, "…")
}

// sideBySide joins blocks of lines as columns width cells apart.
func sideBySide(blocks [][]string, width int) string {
	rows := 0
	for _, b := range blocks {
		rows = max(rows, len(b))
	}
	out := make([]string, rows)
	for r := range rows {
		var line strings.Builder
		for i, b := range blocks {
			cell := ""
			if r < len(b) {
				cell = b[r]
			}
			if i < len(blocks)-1 {
				cell += strings.Repeat(" ", max(width-ansi.StringWidth(cell), 0)+1)
			}
			line.WriteString(cell)
		}
		out[r] = strings.TrimRight(line.String(), " ")
	}
	return strings.Join(out, "\n")
}

// queriesView shows the exact queries behind the focused pane.
func (m Model) queriesView() string {
	title := m.styles.Title.Render("Queries behind " + m.focused().Title())
	q, ok := m.focused().(pane.Querier)
	if !ok || len(q.Queries()) == 0 {
		return title + "\n\n" + m.styles.Muted.Render("No queries yet: the pane has not received an answer.")
	}
	lines := []string{title, ""}
	for _, query := range q.Queries() {
		head := string(query.Language) + " · " + query.Backend + " · " + query.Purpose
		lines = append(lines, m.styles.Header.Render(sanitize.Line(head)))
		for _, l := range strings.Split(sanitize.Text(query.Text), "\n") {
			for _, w := range strings.Split(ansi.Wrap(l, max(m.width-2, 10), ""), "\n") {
				lines = append(lines, "  "+w)
			}
		}
		lines = append(lines, m.styles.Muted.Render("  over "+query.Range.String()))
	}
	return strings.Join(lines, "\n")
}
