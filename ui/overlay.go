package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/ui/clipboard"
	"github.com/redline-tui/redline/ui/pager"
)

// helpView lists every binding of the key map, group by group, flowed
// into as many columns as the height needs.
func (m Model) helpView() string {
	_, height := m.paneSize()
	title := m.styles.Title.Render("redline " + m.opts.Version + " — keys")
	lines := m.helpLines()
	rows := max(height-2, 1)
	columns := (len(lines) + rows - 1) / rows
	width := max((m.width-columns+1)/max(columns, 1), 1)
	blocks := make([][]string, 0, columns)
	for start := 0; start < len(lines); start += rows {
		block := lines[start:min(start+rows, len(lines))]
		for i, l := range block {
			block[i] = ansi.Truncate(l, width, "…")
		}
		blocks = append(blocks, block)
	}
	return title + "\n\n" + sideBySide(blocks, width)
}

// helpLines are a heading per group of keys then one line per binding,
// keys aligned.
func (m Model) helpLines() []string {
	groups := m.keys.Groups()
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
			k := b.Help().Key
			lines = append(lines, k+strings.Repeat(" ", keyWidth-ansi.StringWidth(k)+1)+b.Help().Desc)
		}
	}
	return lines
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
	queries := m.focused().Queries()
	if len(queries) == 0 {
		return title + "\n\n" + m.styles.Muted.Render("No queries yet: the pane has not received an answer.")
	}
	lines := []string{title, ""}
	for _, query := range queries {
		head := string(query.Language) + " · " + query.Backend + " · " + query.Purpose
		lines = append(lines, m.styles.Header.Render(head))
		for _, l := range strings.Split(query.Text, "\n") {
			for _, w := range strings.Split(ansi.Wrap(l, max(m.width-2, 10), ""), "\n") {
				lines = append(lines, "  "+w)
			}
		}
		lines = append(lines, m.styles.Muted.Render("  over "+query.Range.String()))
	}
	return strings.Join(lines, "\n")
}

// pagerKey hands a key to the pager overlay and acts on what it asks:
// closing it, or copying its value with OSC 52 (through Bubble Tea's own
// writer, like a snapshot).
func (m Model) pagerKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	var act pager.Action
	m.pager, act = m.pager.Update(msg, m.keys)
	switch act {
	case pager.Close:
		m.overlay = noOverlay
	case pager.Copy:
		seq, err := clipboard.Sequence(m.pager.Text(), m.opts.Snapshot.Terminal)
		if err != nil {
			m.setNotice("value not copied: "+err.Error(), false)
			return m, nil
		}
		m.setNotice(fmt.Sprintf("value copied (OSC 52): %d bytes", len(m.pager.Text())), true)
		return m, tea.Raw(seq)
	}
	return m, nil
}
